package store_test

import (
	"fmt"
	"testing"
	"time"

	"parley/internal/apperr"
	"parley/internal/org"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestSeedSignaturesAndSupports seeds a petition with more signatures than
// one statement holds and an idea with supports: counts exact, areas from
// the lookup, thresholds stamped when the last one came, and the refusals.
func TestSeedSignaturesAndSupports(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, c *storetest.Clock) {
		o, err := s.CreateOrg(ctx, org.Organisation{Slug: "seed-org", NameEN: "Seed"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := s.EnsureUser(ctx, "author@example.org")
		if err := s.SetAreas(ctx, o.ID, []proposal.AreaRow{{Prefix: "CF10", Area: proposal.Area{Code: "W01", Name: "Cardiff"}}}, 0); err != nil {
			t.Fatal(err)
		}
		pb, err := s.CreateBoard(ctx, proposal.Board{OrgID: o.ID, Kind: proposal.Petitions, TitleEN: "P", Moderation: proposal.PostModeration,
			Accepting: true, ResponseThreshold: 1000, ResponseDays: 10}, 0)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: pb.ID, AuthorID: u.ID, Title: "T", Body: "B"},
			&proposal.Signature{Name: "A", Email: "author@example.org", Country: "FR"})
		if err != nil || p.Stage != proposal.Published {
			t.Fatalf("%+v %v", p, err)
		}
		start := c.Now().Add(-10 * 24 * time.Hour)
		sigs := make([]proposal.Signature, 1200)
		for i := range sigs {
			pc := "CF10 1AA"
			if i%4 == 0 {
				pc = "SA1 1AA"
			}
			sigs[i] = proposal.Signature{Name: "S", Email: fmt.Sprintf("s.%d+x@gmail.com", i), Postcode: pc, Country: "GB", UKResident: true,
				ConfirmedAt: start.Add(time.Duration(i) * time.Minute)}
		}
		if err := s.SeedSignatures(ctx, p.ID, sigs); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Proposal(ctx, p.ID)
		last := sigs[len(sigs)-1].ConfirmedAt
		if got.Supporters != 1201 || !got.ThresholdAt.Equal(last) || !got.ResponseDue.Equal(last.AddDate(0, 0, 10)) {
			t.Errorf("after seeding: supporters %d, threshold %v (want %v), due %v", got.Supporters, got.ThresholdAt, last, got.ResponseDue)
		}
		areas, _ := s.CountsByArea(ctx, p.ID)
		byCode := map[string]int{}
		for _, a := range areas {
			byCode[a.Code] = a.Count
		}
		if byCode["W01"] != 900 || byCode[""] != 301 {
			t.Errorf("areas %+v", areas)
		}
		// The same mailbox again (dots and tags aside) is refused, and nothing of the batch stays.
		err = s.SeedSignatures(ctx, p.ID, []proposal.Signature{{Name: "N", Email: "new@example.org", Country: "GB", UKResident: true},
			{Name: "S", Email: "s5@gmail.com", Country: "GB", UKResident: true}})
		if !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a second signature by one address: %v", err)
		}
		if got, _ := s.Proposal(ctx, p.ID); got.Supporters != 1201 {
			t.Errorf("a refused batch left %d", got.Supporters)
		}

		// Ideas take supports, not signatures, and the other way round.
		ib, err := s.CreateBoard(ctx, proposal.Board{OrgID: o.ID, Kind: proposal.Ideas, TitleEN: "I", Moderation: proposal.PostModeration,
			Accepting: true, ResponseThreshold: 3, ResponseDays: 28}, 0)
		if err != nil {
			t.Fatal(err)
		}
		idea, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: ib.ID, AuthorID: u.ID, Title: "I", Body: "B"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SeedSignatures(ctx, idea.ID, sigs[:1]); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("signatures on an idea: %v", err)
		}
		if err := s.SeedSupports(ctx, p.ID, []proposal.Support{{UserID: u.ID}}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("supports on a petition: %v", err)
		}
		var sups []proposal.Support
		for i := range 3 {
			v, _ := s.EnsureUser(ctx, fmt.Sprintf("v%d@example.org", i))
			sups = append(sups, proposal.Support{UserID: v.ID, CreatedAt: start.Add(time.Duration(i) * time.Hour)})
		}
		sups = append(sups, proposal.Support{UserID: u.ID}) // the author already supports it
		if err := s.SeedSupports(ctx, idea.ID, sups); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Proposal(ctx, idea.ID)
		if got.Supporters != 4 || !got.ThresholdAt.Equal(c.Now()) {
			t.Errorf("idea after seeding: %d supporters, threshold %v", got.Supporters, got.ThresholdAt)
		}

		// Dates moved back: the closing date follows the board's rules.
		ob, _ := s.CreateBoard(ctx, proposal.Board{OrgID: o.ID, Kind: proposal.Petitions, TitleEN: "O", Moderation: proposal.PostModeration,
			Accepting: true, OpenDays: 30, ResponseDays: 28}, 0)
		op, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: ob.ID, AuthorID: u.ID, Title: "O", Body: "B"},
			&proposal.Signature{Name: "A", Email: "author@example.org", Country: "FR"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SeedProposalDates(ctx, op.ID, start, start.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Proposal(ctx, op.ID)
		if !got.CreatedAt.Equal(start) || !got.PublishedAt.Equal(start.Add(time.Hour)) || !got.ClosesAt.Equal(start.Add(time.Hour).AddDate(0, 0, 30)) {
			t.Errorf("dates %v %v %v", got.CreatedAt, got.PublishedAt, got.ClosesAt)
		}
		if err := s.SeedProposalDates(ctx, 99999, start, start); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown proposal: %v", err)
		}
	})
}
