package main

import (
	"strconv"
	"time"
)

// The generated records: deterministic, so a run can be repeated and its
// sums checked.

var channels = []string{"web", "email", "social", "phone", "post", "face_to_face", "event"}

var services = []string{"Council tax", "Parking permits", "Bulky waste", "Planning comments",
	"Housing repairs", "School admissions", "Blue badges", "Missed bins"}

// days is how many days of records each organisation gets.
const days = 730

// weight is a channel's share of transactions on a day, frac of the way
// through the two years: web grows, face to face, phone and post shrink.
func weight(ch int, frac float64) float64 {
	switch channels[ch] {
	case "web":
		return 0.25 + 0.45*frac
	case "email":
		return 0.06
	case "social":
		return 0.02 + 0.03*frac
	case "phone":
		return 0.30 - 0.15*frac
	case "post":
		return 0.08 - 0.05*frac
	case "face_to_face":
		return 0.22 - 0.15*frac
	}
	return 0.04 - 0.02*frac // event
}

// generator writes records as JSON.
type generator struct {
	first time.Time // the first day
	// dayText are the days written both ways the API takes.
	dayText [days][2]string
}

func newGenerator(now time.Time) *generator {
	g := &generator{first: now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -days)}
	for i := range days {
		d := g.first.AddDate(0, 0, i)
		g.dayText[i] = [2]string{d.Format("2006-01-02"), d.Add(9 * time.Hour).Format(time.RFC3339)}
	}
	return g
}

// record appends record j (of an organisation) with _id prefix+j to b
// and returns its transactions.
func (g *generator) record(b []byte, prefix string, j int64) ([]byte, int64) {
	day := int(j % days)
	ch := int(j / days % int64(len(channels)))
	svc := int(j / (days * int64(len(channels))) % int64(len(services)))
	frac := float64(day) / (days - 1)
	tx := 1 + int64(weight(ch, frac)*40) + j%5
	contacts := tx + tx/4 + j%3

	b = append(b, `{"_id":"`...)
	b = append(b, prefix...)
	b = strconv.AppendInt(b, j, 10)
	b = append(b, `","_timestamp":"`...)
	b = append(b, g.dayText[day][j%2]...)
	b = append(b, `","service":"`...)
	b = append(b, services[svc]...)
	b = append(b, `","channel":"`...)
	b = append(b, channels[ch]...)
	if j%3 == 0 {
		b = append(b, `","count":`...) // the Performance Platform's name for transactions
	} else {
		b = append(b, `","transactions":`...)
	}
	b = strconv.AppendInt(b, tx, 10)
	b = append(b, `,"contacts":`...)
	b = strconv.AppendInt(b, contacts, 10)
	if j%5 == 0 {
		rated := tx / 4
		b = append(b, `,"started":`...)
		b = strconv.AppendInt(b, tx+tx/3, 10)
		b = append(b, `,"completed":`...)
		b = strconv.AppendInt(b, tx, 10)
		b = append(b, `,"rated":`...)
		b = strconv.AppendInt(b, rated, 10)
		b = append(b, `,"satisfied":`...)
		b = strconv.AppendInt(b, rated*4/5, 10)
	}
	return append(b, '}'), tx
}
