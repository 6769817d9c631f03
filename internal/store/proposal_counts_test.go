package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"parley/internal/apperr"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestCountsStayExactWhileRebuilt confirms signatures while invalidations
// rebuild the same petition's counters: at the end the count is exactly
// the confirmed, valid signatures. On PostgreSQL a confirmation committing
// in the middle of a rebuild would otherwise be counted twice.
func TestCountsStayExactWhileRebuilt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		p := mustPetition(t, s, "north", proposal.Board{})
		const people, invalidated = 240, 12
		var c sigCompose
		for i := range people {
			if err := s.SubmitSignature(ctx, signer(p, fmt.Sprintf("p%d@example.org", i), fmt.Sprint("A", i%5)), c.compose); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, people+invalidated)
		for i := range people {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.ConfirmSignature(ctx, c.token(fmt.Sprintf("p%d@example.org", i))); err != nil {
					errs <- err
				}
			}()
		}
		for i := range invalidated {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v := proposal.Invalidation{ProposalID: p.ID, Email: fmt.Sprintf("p%d@example.org", i*7), Reason: "test"}
				if _, err := s.InvalidateSignatures(ctx, p.OrgID, v, false, 0); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		// The author's own signature, plus every confirmed one not invalidated.
		if got, want := supporters(t, s, p.ID), 1+people-invalidated; got != want {
			t.Errorf("count %d, want %d", got, want)
		}
		areas, err := s.CountsByArea(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, a := range areas {
			sum += a.Count
		}
		if sum != 1+people-invalidated {
			t.Errorf("areas sum to %d", sum)
		}
	})
}

// TestClosePetition: closing stops signing at once, closing again is no
// error, and ideas cannot be closed.
func TestClosePetition(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		p := mustPetition(t, s, "north", proposal.Board{})
		if err := s.ClosePetition(ctx, p.ID, 0); err != nil {
			t.Fatal(err)
		}
		closed, _ := s.Proposal(ctx, p.ID)
		if closed.ClosesAt.IsZero() || closed.Supportable(time.Now().Add(time.Second)) {
			t.Fatalf("after closing %+v", closed)
		}
		var c sigCompose
		if err := s.SubmitSignature(ctx, signer(p, "late@example.org", ""), c.compose); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("signature after closing: %v", err)
		}
		if err := s.ClosePetition(ctx, p.ID, 0); err != nil {
			t.Errorf("closing again: %v", err)
		}
		if again, _ := s.Proposal(ctx, p.ID); !again.ClosesAt.Equal(closed.ClosesAt) {
			t.Errorf("closing again moved the date")
		}
	})
}
