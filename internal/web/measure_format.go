package web

import (
	"math"
	"strconv"
	"strings"

	"parley/internal/measure"
)

// Figures on the measurement pages are written the same way in English
// and Welsh (both group thousands with commas and use a decimal point);
// the words around them come from the catalogue.

// groupThousands writes n with commas: 1234567 → "1,234,567".
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatCount writes a count.
func formatCount(n int64) string { return groupThousands(n) }

// formatPounds writes pence as pounds: whole pounds once over £1,000,
// pence below (a unit cost of 15p is "£0.15").
func formatPounds(pence float64) string {
	neg := pence < 0
	pence = math.Abs(pence)
	var s string
	if pence >= 100000 {
		s = "£" + groupThousands(int64(math.Round(pence/100)))
	} else {
		p := int64(math.Round(pence))
		s = "£" + groupThousands(p/100) + "." + twoDigits(p%100)
	}
	if neg {
		return "−" + s
	}
	return s
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// formatShare writes a fraction as a percentage with one decimal.
func formatShare(v float64) string {
	return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
}

// formatDecimal writes a number with one decimal.
func formatDecimal(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// penceFromPounds reads "8.62", "£8.62" or "0.15" as pence; false when it
// is not an amount of money up to two decimals, or is negative.
func penceFromPounds(s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "£"))
	s = strings.ReplaceAll(s, ",", "")
	if s == "" {
		return 0, false
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if hasFrac && (len(frac) == 0 || len(frac) > 2) {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 || w > 1_000_000 {
		return 0, false
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil || f < 0 {
		return 0, false
	}
	return w*100 + f, true
}

// printer is what the formatting helpers need of a page: its words.
type printer interface {
	T(id string, args ...any) string
}

// ratioText writes a ratio as a percentage, or "no data".
func ratioText(p printer, r measure.Ratio) string {
	if !r.Valid {
		return p.T("measures.no_data")
	}
	return formatShare(r.Value)
}

// moneyText writes an amount, or "no data" when nothing could be costed.
func moneyText(p printer, m measure.Money) string {
	if !m.Valid {
		return p.T("measures.no_data")
	}
	return formatPounds(m.Pence)
}

// moneyNote says what an amount leaves out, or "".
func moneyNote(p printer, m measure.Money) string {
	if !m.Partial {
		return ""
	}
	return p.T("measures.uncosted_note", "Count", formatCount(m.UncostedContacts))
}

// monthName writes a month in the page's language: "November 2026".
func monthName(lang string, m measure.Month) string {
	if lang == "cy" {
		return welshMonths[m.Month()-1] + " " + strconv.Itoa(m.Year())
	}
	return m.Month().String() + " " + strconv.Itoa(m.Year())
}

// monthShort writes a month for a chart's axis: "Nov 26", "Tach 26".
func monthShort(lang string, m measure.Month) string {
	yy := twoDigits(int64(m.Year() % 100))
	if lang == "cy" {
		return welshShortMonths[m.Month()-1] + " " + yy
	}
	return m.Month().String()[:3] + " " + yy
}

// welshShortMonths are the Welsh months as calendars abbreviate them.
var welshShortMonths = [...]string{"Ion", "Chwef", "Maw", "Ebr", "Mai", "Meh", "Gorff", "Awst", "Medi", "Hyd", "Tach", "Rhag"}

// periodText writes a period: "December 2025 to November 2026".
func periodText(p printer, lang string, per measure.Period) string {
	if per.From == per.To {
		return monthName(lang, per.From)
	}
	return p.T("measures.period_range", "From", monthName(lang, per.From), "To", monthName(lang, per.To))
}

// channelName is a channel's name in the page's language.
func channelName(lang string, c measure.Channel) string {
	if lang == "cy" && c.NameCY != "" {
		return c.NameCY
	}
	if c.NameEN != "" {
		return c.NameEN
	}
	return c.Key
}

// serviceName is a service's name: Parley's own services are translated,
// others are shown as the organisation named them.
func serviceName(p printer, service string) string {
	switch service {
	case measure.ServiceConsultations, measure.ServiceSignatures, measure.ServiceIdeas, measure.ServiceConversations:
		return p.T("measures.service." + service)
	}
	return service
}
