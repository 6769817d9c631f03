package measure

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// engagements at 1 June 2026, worked by hand below.
var (
	juneFirst   = day("2026-06-01")
	engagements = []Engagement{
		// Answered in 40 days, before its deadline: due and on time.
		{Kind: "consultation", ID: 1, Participants: 100, Responses: 120, Owed: true,
			ClockStart: day("2026-01-01"), DueAt: day("2026-03-26"), AnsweredAt: day("2026-02-10")},
		// Answered in 109 days, after its deadline: due and late.
		{Kind: "consultation", ID: 2, Participants: 50, Responses: 50, Owed: true,
			ClockStart: day("2026-01-01"), DueAt: day("2026-03-26"), AnsweredAt: day("2026-04-20")},
		// Owed, not answered, deadline to come: not yet due.
		{Kind: "petition", ID: 3, Participants: 200, Responses: 200, Owed: true,
			ClockStart: day("2026-05-01"), DueAt: day("2026-07-24")},
		// Owed, not answered, deadline passed: due and late.
		{Kind: "conversation", ID: 4, Participants: 30, Responses: 300, Owed: true,
			ClockStart: day("2026-02-01"), DueAt: day("2026-04-26")},
		// Nothing owed: an idea under its threshold.
		{Kind: "idea", ID: 5, Participants: 10, Responses: 10},
		// An answer published after now does not count yet.
		{Kind: "consultation", ID: 6, Participants: 5, Responses: 5, Owed: true,
			ClockStart: day("2026-05-01"), DueAt: day("2026-07-24"), AnsweredAt: day("2026-07-01")},
		// Owed with no deadline, answered in 10 days: counts for the
		// outcome share and the median, not for timeliness.
		{Kind: "conversation", ID: 7, Participants: 5, Responses: 15, Owed: true,
			ClockStart: day("2026-03-01"), AnsweredAt: day("2026-03-11")},
	}
)

func TestEngage(t *testing.T) {
	f := Engage(engagements, juneFirst)
	if f.Engagements != 7 || f.Participants != 400 || f.Responses != 700 {
		t.Errorf("engagements %d, participants %d, responses %d; want 7, 400, 700", f.Engagements, f.Participants, f.Responses)
	}
	wantRatio(t, "responses per engagement", f.ResponsesPerEngagement, 100, true)
	// Owed: 1, 2, 3, 4, 6, 7; answered by now: 1, 2, 7.
	if f.Owed != 6 || f.Answered != 3 {
		t.Errorf("owed %d, answered %d; want 6, 3", f.Owed, f.Answered)
	}
	wantRatio(t, "outcome share", f.OutcomeShare, 0.5, true)
	// Days to answer: 10, 40, 109.
	wantRatio(t, "median days", f.MedianDaysToAnswer, 40, true)
	// Due: 1 (met), 2 and 4 (passed); on time: 1.
	if f.Due != 3 || f.OnTime != 1 {
		t.Errorf("due %d, on time %d; want 3, 1", f.Due, f.OnTime)
	}
	wantRatio(t, "on time", f.OnTimeShare, 1.0/3, true)
	if f.Representativeness != nil {
		t.Error("Engage fills in representativeness")
	}

	// An even number of answers: the median is the mean of the middle two.
	f = Engage(engagements[:2], juneFirst)
	wantRatio(t, "median of 40 and 109", f.MedianDaysToAnswer, 74.5, true)

	// Before anything was answered or due.
	f = Engage(engagements, day("2026-01-15"))
	if f.Answered != 0 || f.Due != 0 {
		t.Errorf("in January: answered %d, due %d", f.Answered, f.Due)
	}
	wantRatio(t, "outcome share in January", f.OutcomeShare, 0, true)
	wantRatio(t, "on time in January", f.OnTimeShare, 0, false)
	wantRatio(t, "median in January", f.MedianDaysToAnswer, 0, false)

	f = Engage(nil, juneFirst)
	if f.Engagements != 0 || f.ResponsesPerEngagement.Valid || f.OutcomeShare.Valid || f.OnTimeShare.Valid || f.MedianDaysToAnswer.Valid {
		t.Errorf("no engagements = %+v", f)
	}
}

func TestRepresent(t *testing.T) {
	counts := map[string]int64{"16-24": 10, "25-34": 30, PreferNotToSay: 5, "bogus": 3}
	// Shares of the 40 who gave a band: 0.25, 0.75. Population: 0.2, 0.2,
	// 0.6. Differences 0.05 + 0.55 + 0.6 = 1.2; index 1 − 0.6 = 0.4.
	for name, base := range map[string]map[string]float64{
		"fractions": {"16-24": 0.2, "25-34": 0.2, "35-44": 0.6},
		"percent":   {"16-24": 20, "25-34": 20, "35-44": 60, "0-15": 18},
	} {
		r := Represent(counts, base)
		if r == nil {
			t.Fatalf("%s: nil", name)
		}
		if r.Respondents != 40 || !near(r.Index, 0.4) || len(r.Bands) != len(AgeBands) {
			t.Errorf("%s: %+v", name, r)
		}
		b := r.Bands[0]
		if b.Band != "16-24" || b.Respondents != 10 || !near(b.Share, 0.25) || !near(b.Population, 0.2) {
			t.Errorf("%s: 16-24 = %+v", name, b)
		}
		wantRatio(t, name+" 16-24 ratio", b.Ratio, 1.25, true)
		wantRatio(t, name+" 25-34 ratio", r.Bands[1].Ratio, 3.75, true)
		wantRatio(t, name+" 35-44 ratio", r.Bands[2].Ratio, 0, true)
		wantRatio(t, name+" 75+ ratio", r.Bands[6].Ratio, 0, false)
	}
	// A mirror of the population scores 1.
	if r := Represent(map[string]int64{"16-24": 1, "25-34": 3}, map[string]float64{"16-24": 0.25, "25-34": 0.75}); r == nil || !near(r.Index, 1) {
		t.Errorf("mirror = %+v", r)
	}
	if Represent(counts, nil) != nil {
		t.Error("no baseline: want nil")
	}
	if Represent(map[string]int64{PreferNotToSay: 9}, map[string]float64{"16-24": 1}) != nil {
		t.Error("nobody gave a band: want nil")
	}
}

func TestRank(t *testing.T) {
	in := []IndexInput{
		// Components 0.5, 1, reach 25 ÷ 1000 ÷ 0.05 = 0.5, 0.8: index 70.
		{OrgID: 1, Population: 1000, DigitalTakeUp: Ratio{0.8, true}, Engagement: EngagementFigures{
			Engagements: 2, Participants: 25, OutcomeShare: Ratio{0.5, true}, OnTimeShare: Ratio{1, true}}},
		// Loop 1 and digital 0.4, no population: index 70, a tie.
		{OrgID: 2, DigitalTakeUp: Ratio{0.4, true}, Engagement: EngagementFigures{Engagements: 1, Participants: 9, OutcomeShare: Ratio{1, true}}},
		// Digital only: index 90 but unranked.
		{OrgID: 3, DigitalTakeUp: Ratio{0.9, true}},
		// 0, 0 and reach capped at 1: index 33.3, third.
		{OrgID: 4, Population: 100, Engagement: EngagementFigures{Engagements: 1, Participants: 1000, OutcomeShare: Ratio{0, true}, OnTimeShare: Ratio{0, true}}},
		// Nothing measured.
		{OrgID: 5, Population: 100},
	}
	got := Rank(in)
	want := []struct {
		org      int64
		rank     int
		index    float64
		valid    bool
		measured int
	}{
		{1, 1, 70, true, 4},
		{2, 1, 70, true, 2},
		{4, 3, 100.0 / 3, true, 3},
		{3, 0, 90, true, 1},
		{5, 0, 0, false, 0},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d scores", len(got))
	}
	for i, w := range want {
		g := got[i]
		if g.OrgID != w.org || g.Rank != w.rank || g.Measured != w.measured {
			t.Errorf("%d: org %d rank %d measured %d; want org %d rank %d measured %d", i, g.OrgID, g.Rank, g.Measured, w.org, w.rank, w.measured)
		}
		wantRatio(t, "index", g.Index, w.index, w.valid)
		if len(g.Components) != len(Components) {
			t.Errorf("org %d components %v", g.OrgID, g.Components)
		}
	}
	wantRatio(t, "org 1 reach", got[0].Components[ComponentReach], 0.5, true)
	wantRatio(t, "org 2 reach", got[1].Components[ComponentReach], 0, false)
	wantRatio(t, "org 4 reach", got[2].Components[ComponentReach], 1, true)
	if len(Rank(nil)) != 0 {
		t.Error("ranking nobody")
	}
}
