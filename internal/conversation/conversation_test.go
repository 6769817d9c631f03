package conversation

import (
	"strings"
	"testing"
	"time"

	"parley/internal/apperr"
	"parley/internal/opinion"
	"parley/internal/polis"
)

func TestCleanStatement(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"  More   trees\n please ", "More trees please", true},
		{"   ", "", false},
		{strings.Repeat("é", MaxStatement), strings.Repeat("é", MaxStatement), true},
		{strings.Repeat("é", MaxStatement+1), "", false},
	} {
		got, err := CleanStatement(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("CleanStatement(%q) = %q, %v", tc.in, got, err)
		}
		if err != nil && apperr.FieldsOf(err)["statement"] == "" {
			t.Errorf("CleanStatement(%q): no field error", tc.in)
		}
	}
}

func TestLifecycleMoves(t *testing.T) {
	allowed := map[[2]Status]bool{{Draft, Open}: true, {Open, Closed}: true, {Closed, Open}: true, {Closed, Reported}: true}
	for _, from := range []Status{Draft, Open, Closed, Reported} {
		for _, to := range []Status{Draft, Open, Closed, Reported} {
			if CanMove(from, to) != allowed[[2]Status{from, to}] {
				t.Errorf("CanMove(%s, %s) = %v", from, to, CanMove(from, to))
			}
		}
	}
}

// twoCamps is 20 people in two camps over four statements; statement 5
// is rejected.
func twoCamps() ([]Statement, []VoteRecord) {
	statements := []Statement{{ID: 1, Status: Approved}, {ID: 2, Status: Approved}, {ID: 3, Status: Approved}, {ID: 4, Status: Approved},
		{ID: 5, Status: Rejected}}
	var votes []VoteRecord
	for p := int64(100); p < 120; p++ {
		for s := int64(1); s <= 5; s++ {
			v := Agree
			if (s%2 == 0) == (p < 110) {
				v = Disagree
			}
			votes = append(votes, VoteRecord{ParticipantID: p, StatementID: s, Vote: v})
		}
	}
	return statements, votes
}

func TestAnalyseLeavesOutStatementsNotShown(t *testing.T) {
	statements, votes := twoCamps()
	res, err := Analyse(statements, votes, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Votes != 80 || res.Participants != 20 || res.Clustered != 20 || len(res.Groups) != 2 {
		t.Fatalf("votes %d participants %d clustered %d groups %d", res.Votes, res.Participants, res.Clustered, len(res.Groups))
	}
	for _, s := range res.Statements {
		if s.ID == 5 {
			t.Errorf("statement %d is in the results", s.ID)
		}
	}
	for _, g := range res.Groups {
		for _, r := range g.Representative {
			if r.StatementID == 5 {
				t.Error("a rejected statement represents a group")
			}
		}
	}
	// Each camp is one group.
	first, _ := res.Placement(100)
	for p := int64(100); p < 120; p++ {
		pl, ok := res.Placement(p)
		if !ok || (pl.Group == first.Group) != (p < 110) {
			t.Errorf("participant %d in group %d", p, pl.Group)
		}
	}
	// Warm-started from its own state, the groups keep their numbers.
	again, err := Analyse(statements, votes, res, 2)
	if err != nil {
		t.Fatal(err)
	}
	if pl, _ := again.Placement(100); pl.Group != first.Group {
		t.Errorf("group of participant 100 changed from %d to %d", first.Group, pl.Group)
	}
}

func TestNextNeverRepeatsAndOffersNewStatements(t *testing.T) {
	statements, votes := twoCamps()
	res, err := Analyse(statements, votes, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	approved := append(statements[:4:4], Statement{ID: 7, Status: Approved}) // 7 is newer than the results
	seen := map[int64]Vote{}
	for i := range approved {
		s, ok := Next(res, approved, seen, float64(i)/7)
		if !ok {
			t.Fatalf("nothing offered after %d votes", i)
		}
		if _, dup := seen[s.ID]; dup {
			t.Fatalf("statement %d offered twice", s.ID)
		}
		seen[s.ID] = Agree
	}
	if _, ok := Next(res, approved, seen, 0.5); ok {
		t.Error("a statement offered after every one was voted on")
	}
	if _, ok := seen[7]; !ok {
		t.Error("the new statement was never offered")
	}
	// Before the first run of the math, every statement is still offered.
	if s, ok := Next(nil, approved, map[int64]Vote{}, 0.99); !ok || s.ID == 0 {
		t.Error("nothing offered before the first run")
	}
}

func TestFromPolisKeepsTheLatestVote(t *testing.T) {
	ex := &polis.Export{
		Comments: []polis.Comment{{ID: 0, Body: "A", Moderated: polis.Accepted, Timestamp: 1000}, {ID: 1, Body: "B", Moderated: polis.ModeratedOut}},
		Votes: []polis.Vote{
			{Timestamp: 3000, Comment: 0, Voter: 9, Vote: opinion.Disagree},
			{Timestamp: 2000, Comment: 0, Voter: 9, Vote: opinion.Agree},
			{Timestamp: 2500, Comment: 7, Voter: 9, Vote: opinion.Agree}, // on a comment not in the export
		},
	}
	statements, votes := FromPolis(ex)
	if len(statements) != 2 || statements[1].Status != Rejected || !statements[0].At.Equal(time.UnixMilli(1000).UTC()) {
		t.Errorf("statements %+v", statements)
	}
	if len(votes) != 2 || votes[len(votes)-1].Vote != Disagree {
		t.Errorf("votes %+v: the last must be the latest", votes)
	}
}
