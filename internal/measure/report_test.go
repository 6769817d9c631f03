package measure

import (
	"context"
	"errors"
	"testing"
)

// fakeSource is a Source in memory.
type fakeSource struct {
	totals      []Total
	costs       map[int64][]UnitCost
	channels    map[int64][]Channel
	engagements map[int64][]Engagement
	ages        map[int64]map[string]int64
	settings    map[int64]Settings
	fail        error
	asked       []TotalsFilter
}

func (f *fakeSource) MeasureChannels(_ context.Context, org int64) ([]Channel, error) {
	if c, ok := f.channels[org]; ok {
		return c, f.fail
	}
	return Builtin, f.fail
}
func (f *fakeSource) UnitCosts(_ context.Context, org int64) ([]UnitCost, error) {
	return f.costs[org], f.fail
}
func (f *fakeSource) MeasureTotals(_ context.Context, tf TotalsFilter) ([]Total, error) {
	f.asked = append(f.asked, tf)
	var out []Total
	for _, t := range f.totals {
		if tf.OrgIDs != nil && !contains(tf.OrgIDs, t.OrgID) {
			continue
		}
		if t.Month < tf.Period.From || t.Month > tf.Period.To {
			continue
		}
		out = append(out, t)
	}
	return out, f.fail
}
func (f *fakeSource) Engagements(_ context.Context, orgs []int64, _ Period) (map[int64][]Engagement, error) {
	out := map[int64][]Engagement{}
	for id, es := range f.engagements {
		if orgs == nil || contains(orgs, id) {
			out[id] = es
		}
	}
	return out, f.fail
}
func (f *fakeSource) AgeBandCounts(_ context.Context, orgs []int64, _ Period) (map[int64]map[string]int64, error) {
	out := map[int64]map[string]int64{}
	for id, c := range f.ages {
		if orgs == nil || contains(orgs, id) {
			out[id] = c
		}
	}
	return out, f.fail
}
func (f *fakeSource) MeasureSettings(_ context.Context, org int64) (Settings, error) {
	s := f.settings[org]
	s.OrgID = org
	return s, f.fail
}
func (f *fakeSource) AllMeasureSettings(context.Context) (map[int64]Settings, error) {
	return f.settings, f.fail
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// twoOrgs: organisation 1 is testTotals with its own phone cost and the
// engagements of engagement_test.go; organisation 2 has only web and
// phone records, published; organisation 3 has settings and nothing else.
func twoOrgs() *fakeSource {
	src := &fakeSource{
		costs:       map[int64][]UnitCost{1: ownCosts},
		engagements: map[int64][]Engagement{1: engagements},
		ages:        map[int64]map[string]int64{1: {"16-24": 10, "25-34": 30}},
		settings: map[int64]Settings{
			1: {OrgID: 1, Population: 8000, Baseline: map[string]float64{"16-24": 0.2, "25-34": 0.2, "35-44": 0.6}},
			2: {OrgID: 2, Public: true},
			3: {OrgID: 3, Public: true},
		},
	}
	for _, t := range testTotals {
		t.OrgID = 1
		src.totals = append(src.totals, t)
	}
	src.totals = append(src.totals,
		Total{OrgID: 2, Service: "Bins", Channel: Web, Month: jan, Contacts: 90, Transactions: 90},
		Total{OrgID: 2, Service: "Bins", Channel: Phone, Month: jan, Contacts: 10, Transactions: 10},
		Total{OrgID: 2, Service: "Bins", Channel: Phone, Month: 202501, Contacts: 100, Transactions: 100},
	)
	return src
}

func TestOrgReport(t *testing.T) {
	src := twoOrgs()
	q := Query{Period: q1, Baseline: baseline, Service: "Parking"}
	r, err := OrgReport(context.Background(), src, 1, q, juneFirst)
	if err != nil {
		t.Fatal(err)
	}
	// The totals are read once, over the period and the baseline.
	if len(src.asked) != 1 || src.asked[0].Period != (Period{From: 202501, To: mar}) || src.asked[0].Service != "" {
		t.Errorf("totals asked for %+v", src.asked)
	}
	if r.OrgID != 1 || r.Query != q || r.Settings.Population != 8000 || len(r.Channels) != len(Builtin) {
		t.Errorf("report = %+v", r)
	}
	if len(r.Costs) != 3 || r.Costs[0].Pence != 300 || !r.Costs[1].Default || !r.Costs[2].Default {
		t.Errorf("costs in force = %+v", r.Costs)
	}
	// The service figures are narrowed to Parking...
	if r.Figures.Contacts != 5 {
		t.Errorf("parking contacts %d, want 5", r.Figures.Contacts)
	}
	if r.Engagement.Engagements != 7 || r.Engagement.Representativeness == nil || !near(r.Engagement.Representativeness.Index, 0.4) {
		t.Errorf("engagement = %+v", r.Engagement)
	}
	// ...but the index uses everything: loop 0.5, times 1/3, reach 400 ÷
	// 8000 ÷ 0.05 = 1, digital 210/245.
	want := (0.5 + 1.0/3 + 1 + 210.0/245) / 4 * 100
	wantRatio(t, "index", r.Score.Index, want, true)
	if r.Score.Rank != 0 || r.Score.Measured != 4 {
		t.Errorf("score = %+v", r.Score)
	}

	src.fail = errors.New("down")
	if _, err := OrgReport(context.Background(), src, 1, q, juneFirst); err == nil {
		t.Error("a failing source gives no error")
	}
}

func TestCompare(t *testing.T) {
	src := twoOrgs()
	rows, err := Compare(context.Background(), src, nil, Query{Period: q1, Baseline: baseline}, juneFirst)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("rows = %+v", rows)
	}
	// Organisation 1 measures four components (index ≈ 67.3); 2 only
	// digital take-up (90%) and 3 nothing: both unranked, in order.
	if rows[0].OrgID != 1 || rows[0].Score.Rank != 1 || rows[0].Public {
		t.Errorf("first = %+v", rows[0])
	}
	if rows[1].OrgID != 2 || rows[1].Score.Rank != 0 || !rows[1].Public || rows[1].Transactions != 100 {
		t.Errorf("second = %+v", rows[1])
	}
	wantRatio(t, "org 2 take-up", rows[1].DigitalTakeUp, 0.9, true)
	// Organisation 2: 90 web at 15p + 10 phone at 283p = 4,180p over 100
	// transactions; its baseline was all phone: 100 × 283 = 28,300p, a
	// saving of 24,120p.
	wantMoney(t, "org 2 cost per transaction", rows[1].CostPerTransaction, 41.8, true, 0)
	if s := rows[1].Saving; s == nil || !s.Valid || !near(s.Saving, 24120) {
		t.Errorf("org 2 saving = %+v", s)
	}
	if rows[2].OrgID != 3 || rows[2].Score.Index.Valid || rows[2].TotalCost.Valid {
		t.Errorf("third = %+v", rows[2])
	}

	// Narrowed to a service: the row's figures change, the index does not.
	narrowed, err := Compare(context.Background(), src, []int64{2, 1}, Query{Period: q1, Service: "Bins"}, juneFirst)
	if err != nil {
		t.Fatal(err)
	}
	if len(narrowed) != 2 || narrowed[0].OrgID != 1 || narrowed[0].Transactions != 0 || narrowed[0].Score.Index != rows[0].Score.Index {
		t.Errorf("narrowed = %+v", narrowed)
	}
	if narrowed[0].Saving != nil {
		t.Error("a saving without a baseline")
	}
}
