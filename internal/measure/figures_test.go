package measure

import (
	"math"
	"testing"
)

// The figures below are worked out by hand in the comments, from this
// small dataset: one organisation, two services, November 2025 to March
// 2026, with its own phone cost from February 2026.
var (
	jan, feb, mar = Month(202601), Month(202602), Month(202603)
	q1            = Period{From: jan, To: mar}
	baseline      = Period{From: 202501, To: 202503}
	ownCosts      = []UnitCost{{OrgID: 1, Channel: Phone, From: feb, Pence: 300, Source: "Finance"}}
	testTotals    = []Total{
		{Service: "Council tax", Channel: Web, Month: jan, Contacts: 100, Transactions: 80, Started: 100, Completed: 80, Satisfied: 30, Rated: 40},
		{Service: "Council tax", Channel: Phone, Month: jan, Contacts: 50, Transactions: 20},
		{Service: "Council tax", Channel: Email, Month: jan, Contacts: 10, Transactions: 10}, // no unit cost
		{Service: "Council tax", Channel: FaceToFace, Month: feb, Contacts: 10, Transactions: 10},
		{Service: "Council tax", Channel: Web, Month: feb, Contacts: 120, Transactions: 120, Started: 150, Completed: 120},
		{Service: "Parking", Channel: Post, Month: jan, Contacts: 5, Transactions: 5},                  // no unit cost
		{Service: "Council tax", Channel: Web, Month: 202604, Contacts: 1000, Transactions: 1000},      // after the period
		{Service: "Council tax", Channel: FaceToFace, Month: 202501, Contacts: 100, Transactions: 100}, // the baseline
		{Service: "Council tax", Channel: Phone, Month: 202501, Contacts: 100, Transactions: 100},
	}
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func wantRatio(t *testing.T, name string, got Ratio, want float64, valid bool) {
	t.Helper()
	if got.Valid != valid || (valid && !near(got.Value, want)) {
		t.Errorf("%s = %+v, want %v (valid %v)", name, got, want, valid)
	}
}

func wantMoney(t *testing.T, name string, got Money, pence float64, valid bool, uncosted int64) {
	t.Helper()
	if got.Valid != valid || (valid && !near(got.Pence, pence)) || got.UncostedContacts != uncosted || got.Partial != (uncosted > 0) {
		t.Errorf("%s = %+v, want %vp (valid %v), %d uncosted", name, got, pence, valid, uncosted)
	}
}

func TestComputeEveryFigure(t *testing.T) {
	f := Compute(testTotals, ownCosts, Builtin, Query{Period: q1, Baseline: baseline})
	// Contacts 100+50+10+10+120+5; transactions 80+20+10+10+120+5.
	if f.Contacts != 295 || f.Transactions != 245 {
		t.Errorf("contacts %d, transactions %d; want 295, 245", f.Contacts, f.Transactions)
	}
	// Digital: web 80+120 and email 10.
	if f.Digital != 210 {
		t.Errorf("digital %d, want 210", f.Digital)
	}
	wantRatio(t, "take-up", f.DigitalTakeUp, 210.0/245, true)
	// Web 100×15 + 120×15, phone 50×283 (January: Socitm's), face to face
	// 10×862; email's 10 and post's 5 contacts have no unit cost.
	wantMoney(t, "total cost", f.TotalCost, 1500+1800+14150+8620, true, 15)
	// Divided by the transactions on costed channels: 80+120+20+10.
	wantMoney(t, "cost per transaction", f.CostPerTransaction, 26070.0/230, true, 15)
	wantRatio(t, "completion", f.CompletionRate, 200.0/250, true)
	wantRatio(t, "satisfaction", f.Satisfaction, 30.0/40, true)

	// By channel, in the order of Builtin; social and event have nothing.
	type ch struct {
		key      string
		contacts int64
		tx       int64
		unit     int64
		costed   bool
		cost     float64
	}
	want := []ch{
		{Web, 220, 200, 15, true, 3300},
		{Email, 10, 10, 0, false, 0},
		{Phone, 50, 20, 300, true, 14150}, // the cost in force in March, the period's last month
		{Post, 5, 5, 0, false, 0},
		{FaceToFace, 10, 10, 862, true, 8620},
	}
	if len(f.ByChannel) != len(want) {
		t.Fatalf("by channel: %+v", f.ByChannel)
	}
	for i, w := range want {
		g := f.ByChannel[i]
		if g.Channel.Key != w.key || g.Contacts != w.contacts || g.Transactions != w.tx || g.Costed != w.costed || g.UnitCost.Pence != w.unit {
			t.Errorf("channel %d = %+v, want %+v", i, g, w)
		}
		if w.costed {
			wantMoney(t, w.key+" cost", g.Cost, w.cost, true, 0)
		} else {
			wantMoney(t, w.key+" cost", g.Cost, 0, false, w.contacts)
		}
		wantRatio(t, w.key+" share", g.Share, float64(w.tx)/245, true)
	}

	// By month: March is empty but listed.
	if len(f.ByMonth) != 3 {
		t.Fatalf("by month: %+v", f.ByMonth)
	}
	m := f.ByMonth[0] // January: web, phone, email, post
	if m.Month != jan || m.Contacts != 165 || m.Transactions != 115 || m.Digital != 90 || m.ByChannel[Web] != 80 || m.ByChannel[Post] != 5 {
		t.Errorf("January = %+v", m)
	}
	wantRatio(t, "January take-up", m.DigitalTakeUp, 90.0/115, true)
	wantMoney(t, "January cost", m.Cost, 1500+14150, true, 15)
	m = f.ByMonth[1]
	if m.Contacts != 130 || m.Transactions != 130 || m.Digital != 120 {
		t.Errorf("February = %+v", m)
	}
	wantMoney(t, "February cost", m.Cost, 8620+1800, true, 0)
	m = f.ByMonth[2]
	if m.Month != mar || m.Contacts != 0 || m.Transactions != 0 {
		t.Errorf("March = %+v", m)
	}
	wantRatio(t, "March take-up", m.DigitalTakeUp, 0, false)
	wantMoney(t, "March cost", m.Cost, 0, false, 0)

	// By service, by name.
	if len(f.ByService) != 2 || f.ByService[0].Service != "Council tax" || f.ByService[1].Service != "Parking" {
		t.Fatalf("by service: %+v", f.ByService)
	}
	s := f.ByService[0]
	if s.Contacts != 290 || s.Transactions != 240 {
		t.Errorf("council tax = %+v", s)
	}
	wantRatio(t, "council tax take-up", s.DigitalTakeUp, 210.0/240, true)
	wantMoney(t, "council tax cost", s.Cost, 26070, true, 10)
	wantRatio(t, "parking take-up", f.ByService[1].DigitalTakeUp, 0, true)
	wantMoney(t, "parking cost", f.ByService[1].Cost, 0, false, 5)

	// Saving: the baseline's costed mix is half face to face, half phone.
	// Costed contacts in the period: January 100 web + 50 phone = 150,
	// February 10 face to face + 120 web = 130. At the baseline's mix:
	// January 150 × (½×862 + ½×283) = 85,875; February 130 × (½×862 +
	// ½×300) = 75,530; total 161,405 against 26,070 spent.
	sv := f.Saving
	if sv == nil || !sv.Valid {
		t.Fatalf("saving = %+v", sv)
	}
	if !near(sv.BaselineMix[FaceToFace], 0.5) || !near(sv.BaselineMix[Phone], 0.5) || len(sv.BaselineMix) != 2 {
		t.Errorf("baseline mix = %v", sv.BaselineMix)
	}
	if !near(sv.CostAtBaseline, 161405) || !near(sv.ActualCost, 26070) || !near(sv.Saving, 135335) {
		t.Errorf("saving = %+v, want 161405 − 26070 = 135335", sv)
	}
}

func TestComputeNarrowed(t *testing.T) {
	t.Run("one channel narrows volumes, not take-up or costs", func(t *testing.T) {
		f := Compute(testTotals, ownCosts, Builtin, Query{Period: q1, Channel: Web})
		if f.Contacts != 220 || f.Transactions != 200 || f.Digital != 210 {
			t.Errorf("contacts %d, transactions %d, digital %d", f.Contacts, f.Transactions, f.Digital)
		}
		wantRatio(t, "take-up", f.DigitalTakeUp, 210.0/245, true)
		wantMoney(t, "total cost", f.TotalCost, 26070, true, 15)
		wantRatio(t, "completion", f.CompletionRate, 0.8, true)
		if len(f.ByChannel) != 5 {
			t.Errorf("by channel lists %d channels, want all 5", len(f.ByChannel))
		}
		if m := f.ByMonth[0]; m.Contacts != 100 || m.Transactions != 80 || len(m.ByChannel) != 1 || m.Digital != 90 {
			t.Errorf("January = %+v", m)
		}
		if f.Saving != nil {
			t.Error("a saving without a baseline")
		}
	})
	t.Run("one service", func(t *testing.T) {
		f := Compute(testTotals, ownCosts, Builtin, Query{Period: q1, Baseline: baseline, Service: "Parking"})
		if f.Contacts != 5 || f.Transactions != 5 || len(f.ByChannel) != 1 || f.ByChannel[0].Channel.Key != Post {
			t.Errorf("parking = %+v", f)
		}
		wantRatio(t, "take-up", f.DigitalTakeUp, 0, true)
		wantMoney(t, "total cost", f.TotalCost, 0, false, 5)
		wantMoney(t, "cost per transaction", f.CostPerTransaction, 0, false, 5)
		wantRatio(t, "completion", f.CompletionRate, 0, false)
		wantRatio(t, "satisfaction", f.Satisfaction, 0, false)
		if f.Saving == nil || f.Saving.Valid {
			t.Errorf("saving with no costed baseline = %+v", f.Saving)
		}
	})
	t.Run("a period with no data", func(t *testing.T) {
		f := Compute(testTotals, ownCosts, Builtin, Query{Period: Period{From: 202401, To: 202403}, Baseline: baseline})
		if f.Contacts != 0 || f.Transactions != 0 || len(f.ByChannel) != 0 || len(f.ByService) != 0 || len(f.ByMonth) != 3 {
			t.Errorf("empty period = %+v", f)
		}
		for name, r := range map[string]Ratio{"take-up": f.DigitalTakeUp, "completion": f.CompletionRate, "satisfaction": f.Satisfaction} {
			wantRatio(t, name, r, 0, false)
		}
		wantMoney(t, "total cost", f.TotalCost, 0, false, 0)
		wantMoney(t, "cost per transaction", f.CostPerTransaction, 0, false, 0)
		if f.Saving == nil || f.Saving.Valid {
			t.Errorf("saving over nothing = %+v", f.Saving)
		}
	})
	t.Run("no totals at all", func(t *testing.T) {
		f := Compute(nil, nil, nil, Query{Period: q1})
		if f.Contacts != 0 || len(f.ByMonth) != 3 || f.TotalCost.Valid {
			t.Errorf("nothing = %+v", f)
		}
	})
	t.Run("an organisation's own channel, and one no longer listed", func(t *testing.T) {
		own := Channel{Key: "kiosk", OrgID: 1, NameEN: "Kiosk", Digital: true}
		totals := []Total{
			{Service: "s", Channel: "kiosk", Month: jan, Contacts: 4, Transactions: 4},
			{Service: "s", Channel: "gone", Month: jan, Contacts: 3, Transactions: 6}, // contacts under transactions: 6 contacts
			{Service: "s", Channel: Phone, Month: jan, Contacts: 1, Transactions: 0},
		}
		costs := []UnitCost{{Channel: "kiosk", Pence: 50}}
		f := Compute(totals, costs, append(append([]Channel(nil), Builtin...), own), Query{Period: q1})
		if f.Contacts != 11 || f.Transactions != 10 || f.Digital != 4 {
			t.Errorf("contacts %d, transactions %d, digital %d", f.Contacts, f.Transactions, f.Digital)
		}
		// Kiosk 4×50, phone 1×283; "gone" has no cost. Costed transactions: 4.
		wantMoney(t, "total", f.TotalCost, 483, true, 6)
		wantMoney(t, "per transaction", f.CostPerTransaction, 483.0/4, true, 6)
		keys := []string{}
		for _, c := range f.ByChannel {
			keys = append(keys, c.Channel.Key)
		}
		if len(keys) != 3 || keys[0] != Phone || keys[1] != "kiosk" || keys[2] != "gone" {
			t.Errorf("channels in order %v, want phone, kiosk, gone", keys)
		}
	})
}

func TestCompletionCapped(t *testing.T) {
	// Starts in December, completions in January: January alone shows more
	// completions than starts, held to 100%.
	f := Compute([]Total{{Service: "s", Channel: Web, Month: jan, Transactions: 5, Started: 2, Completed: 5, Rated: 0, Satisfied: 0}},
		nil, Builtin, Query{Period: q1})
	wantRatio(t, "completion", f.CompletionRate, 1, true)
}

func TestCostAt(t *testing.T) {
	costs := []UnitCost{
		{Channel: Phone, From: feb, Pence: 300},
		{Channel: Phone, From: 202606, Pence: 310},
		{Channel: FaceToFace, Pence: 500}, // from the start
		{Channel: "kiosk", From: feb, Pence: 40},
	}
	withDefaults := CostsInForce(costs)
	for _, tc := range []struct {
		channel string
		m       Month
		pence   int64
		ok      bool
		def     bool
	}{
		{Phone, jan, 283, true, true}, // before the organisation's own: Socitm's
		{Phone, feb, 300, true, false},
		{Phone, 202605, 300, true, false},
		{Phone, 202606, 310, true, false},
		{Phone, 203001, 310, true, false},
		{FaceToFace, 199001, 500, true, false},
		{Web, jan, 15, true, true},
		{Email, jan, 0, false, false}, // no cost until one is entered
		{"kiosk", jan, 0, false, false},
		{"kiosk", mar, 40, true, false},
	} {
		for name, cs := range map[string][]UnitCost{"own": costs, "in force": withDefaults} {
			u, ok := CostAt(cs, tc.channel, tc.m)
			if ok != tc.ok || u.Pence != tc.pence || u.Default != tc.def {
				t.Errorf("%s: CostAt(%s, %v) = %+v, %v; want %dp, %v, default %v", name, tc.channel, tc.m, u, ok, tc.pence, tc.ok, tc.def)
			}
		}
	}
	// In force: the organisation's own rows, then the default for web only
	// (phone and face to face have rows of their own).
	if len(withDefaults) != 5 || withDefaults[4].Channel != Web || !withDefaults[4].Default {
		t.Errorf("costs in force = %+v", withDefaults)
	}
}

func TestShift(t *testing.T) {
	f := Compute(testTotals, ownCosts, Builtin, Query{Period: q1})
	for _, tc := range []struct {
		name  string
		w     WhatIf
		moved int64
		save  float64
		valid bool
	}{
		// Half of phone's 50 contacts to web at March's costs: 25 × (300 − 15).
		{"phone to web", WhatIf{From: Phone, To: Web, Percent: 50}, 25, 25 * 285, true},
		{"face to face to web, a third", WhatIf{From: FaceToFace, To: Web, Percent: 33.3}, 3, 3 * 847, true},
		{"web to phone costs more", WhatIf{From: Web, To: Phone, Percent: 10}, 22, 22 * -285, true},
		{"over 100% is all", WhatIf{From: Phone, To: Web, Percent: 150}, 50, 50 * 285, true},
		{"below 0 is none", WhatIf{From: Phone, To: Web, Percent: -5}, 0, 0, true},
		{"NaN is none", WhatIf{From: Phone, To: Web, Percent: math.NaN()}, 0, 0, true},
		{"from a channel with no cost", WhatIf{From: Email, To: Web, Percent: 50}, 5, 0, false},
		{"to a channel with no cost", WhatIf{From: Phone, To: Email, Percent: 50}, 25, 0, false},
		{"from a channel with no contacts", WhatIf{From: Social, To: Web, Percent: 50}, 0, 0, false},
	} {
		r := Shift(f, ownCosts, tc.w)
		if r.Moved != tc.moved || r.Valid != tc.valid || !near(r.Saving, tc.save) {
			t.Errorf("%s: %+v, want moved %d, saving %v, valid %v", tc.name, r, tc.moved, tc.save, tc.valid)
		}
		wantMoney(t, tc.name+" now", r.CostNow, 26070, true, 15)
		if tc.valid {
			wantMoney(t, tc.name+" after", r.CostAfter, 26070-tc.save, true, 15)
		}
	}
}
