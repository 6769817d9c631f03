package store_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/internal/apperr"
	"parley/internal/jobs"
	"parley/internal/outbox"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// mustPetition makes a published petition on a new petitions board.
func mustPetition(t *testing.T, s *store.Store, slug string, b proposal.Board) proposal.Proposal {
	t.Helper()
	o := mustOrg(t, s, slug)
	b.OrgID, b.Kind, b.TitleEN, b.Moderation, b.Accepting = o.ID, proposal.Petitions, "Petitions", proposal.PostModeration, true
	board, err := s.CreateBoard(ctx, b, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: board.ID, Title: "Fix the roads", Body: "Potholes everywhere.", AuthorName: "Ann"},
		&proposal.Signature{Name: "Ann Author", Email: "author@example.org", Postcode: "SW1A 1AA", Country: "GB", UKResident: true})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// sigCompose is a compose function that records each token by address.
type sigCompose struct {
	mu     sync.Mutex
	tokens map[string]string
}

func (c *sigCompose) compose(sig proposal.Signature, token string) outbox.Message {
	c.mu.Lock()
	if c.tokens == nil {
		c.tokens = map[string]string{}
	}
	c.tokens[sig.Email] = token
	c.mu.Unlock()
	return outbox.Message{Kind: proposal.ConfirmSignatureKind, To: sig.Email, Subject: "Confirm your signature", Body: "Link: /signatures/confirm/" + token}
}

func (c *sigCompose) token(email string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tokens[email]
}

func signer(p proposal.Proposal, email, area string) proposal.Signature {
	return proposal.Signature{ProposalID: p.ID, Name: "Signer", Email: email, Postcode: "AB1 2CD", Country: "GB", UKResident: true, Area: area, IP: "192.0.2.1"}
}

func supporters(t *testing.T, s *store.Store, id int64) int {
	t.Helper()
	p, err := s.Proposal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return p.Supporters
}

// bulkMail lists the bulk emails of a kind in the outbox, by recipient.
func bulkMail(t *testing.T, s *store.Store, kind string) map[string]int {
	t.Helper()
	ms, err := s.Outbox(ctx, 100000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, m := range ms {
		if m.Kind == kind {
			out[m.To]++
		}
	}
	return out
}

// TestSignaturesConcurrent sends many signatures at once, a tenth of them
// repeats of another address written differently: each address is stored
// once with one email, and confirming counts each once.
func TestSignaturesConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		p := mustPetition(t, s, "north", proposal.Board{})
		const people = 300
		var c sigCompose
		var wg sync.WaitGroup
		errs := make([]error, people+people/10)
		for i := range people + people/10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				email := fmt.Sprintf("person%d@example.org", i)
				if i >= people { // the same mailbox again, in capitals with a +tag
					email = fmt.Sprintf("PERSON%d+again@Example.org", i-people)
				}
				errs[i] = s.SubmitSignature(ctx, signer(p, email, fmt.Sprint("A", i%3)), c.compose)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		mail := bulkMail(t, s, proposal.ConfirmSignatureKind)
		stored := 0
		for i := range people {
			n := mail[fmt.Sprintf("person%d@example.org", i)] + mail[fmt.Sprintf("PERSON%d+again@Example.org", i)]
			if n != 1 {
				t.Errorf("person %d: %d emails", i, n)
			}
			stored += n
		}
		if stored != people || len(mail) != people {
			t.Errorf("%d emails to %d addresses, want %d", stored, len(mail), people)
		}
		if n := supporters(t, s, p.ID); n != 1 {
			t.Errorf("before confirming: %d supporters, want 1 (the author)", n)
		}
		// Confirm every one, half of them twice at once.
		var tokens []string
		for i := range people {
			tok := c.token(fmt.Sprintf("person%d@example.org", i))
			if tok == "" || mail[fmt.Sprintf("person%d@example.org", i)] == 0 {
				tok = c.token(fmt.Sprintf("PERSON%d+again@Example.org", i))
			}
			tokens = append(tokens, tok)
			if i%2 == 0 {
				tokens = append(tokens, tok)
			}
		}
		cerrs := make([]error, len(tokens))
		for i, tok := range tokens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var sig proposal.Signature
				sig, cerrs[i] = s.ConfirmSignature(ctx, tok)
				if cerrs[i] == nil && (sig.ProposalID != p.ID || sig.ConfirmedAt.IsZero() || !strings.HasPrefix(strings.ToLower(sig.Email), "person")) {
					cerrs[i] = fmt.Errorf("confirmed %+v", sig)
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(cerrs...); err != nil {
			t.Fatal(err)
		}
		if n := supporters(t, s, p.ID); n != people+1 {
			t.Errorf("%d supporters, want %d", n, people+1)
		}
		// Again, later: nothing changes.
		if _, err := s.ConfirmSignature(ctx, tokens[0]); err != nil {
			t.Fatal(err)
		}
		if n := supporters(t, s, p.ID); n != people+1 {
			t.Errorf("after a second click: %d supporters", n)
		}
		areas, err := s.CountsByArea(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for i, a := range areas {
			total += a.Count
			if i > 0 && a.Count > areas[i-1].Count {
				t.Errorf("not largest first: %+v", areas)
			}
		}
		if total != people+1 || len(areas) < 3 || areas[0].Count != people/3 {
			t.Errorf("by area %+v", areas)
		}
		if _, err := s.ConfirmSignature(ctx, "no-such-token"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("bad token: %v", err)
		}
	})
}

// TestSignatureRefusals: closed petitions, ideas and sponsor mix-ups are
// refused; signing again stores and sends nothing.
func TestSignatureRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		p := mustPetition(t, s, "north", proposal.Board{})
		var c sigCompose
		sig := signer(p, "jo.bloggs@gmail.com", "")
		if err := s.SubmitSignature(ctx, sig, c.compose); err != nil {
			t.Fatal(err)
		}
		first := c.token("jo.bloggs@gmail.com")
		again := signer(p, "JoBloggs+petitions@googlemail.com", "")
		if err := s.SubmitSignature(ctx, again, c.compose); err != nil {
			t.Fatalf("signing again: %v", err)
		}
		if mail := bulkMail(t, s, proposal.ConfirmSignatureKind); len(mail) != 1 {
			t.Errorf("emails %v, want one", mail)
		}
		if got, err := s.ConfirmSignature(ctx, first); err != nil || got.EmailNorm != "jobloggs@gmail.com" || got.Email != "jo.bloggs@gmail.com" {
			t.Errorf("confirm: %+v %v", got, err)
		}
		if err := s.SubmitSignature(ctx, signer(proposal.Proposal{ID: p.ID + 1000}, "x@example.org", ""), c.compose); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("no such petition: %v", err)
		}
		sponsor := signer(p, "sponsor@example.org", "")
		sponsor.Sponsor = true
		if err := s.SubmitSignature(ctx, sponsor, c.compose); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("sponsor link on a published petition: %v", err)
		}
		if err := s.SubmitSignature(ctx, proposal.Signature{ProposalID: p.ID, Email: "bad"}, c.compose); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("invalid: %v", err)
		}
		if err := s.ModerateProposal(ctx, p.ID, proposal.Hidden, "Spam", 0); err != nil {
			t.Fatal(err)
		}
		if err := s.SubmitSignature(ctx, signer(p, "late@example.org", ""), c.compose); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("hidden petition: %v", err)
		}
	})
}

// TestSignatureThreshold: the confirmation that crosses the response
// threshold stamps it and enqueues one ThresholdJob, however many cross
// it together; sponsors move a petition on.
func TestSignatureThreshold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		p := mustPetition(t, s, "north", proposal.Board{ResponseThreshold: 5})
		var c sigCompose
		for i := range 10 {
			if err := s.SubmitSignature(ctx, signer(p, fmt.Sprintf("s%d@example.org", i), ""), c.compose); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.ConfirmSignature(ctx, c.token(fmt.Sprintf("s%d@example.org", i))); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got, err := s.Proposal(ctx, p.ID)
		if err != nil || got.Supporters != 11 || got.ThresholdAt.IsZero() || got.ResponseDue.IsZero() {
			t.Fatalf("%+v %v", got, err)
		}
		js, _ := s.JobsByKind(ctx, proposal.ThresholdJob, 10)
		if len(js) != 1 {
			t.Errorf("%d threshold jobs, want 1", len(js))
		}

		// A petition collecting sponsors takes sponsor signatures only, and
		// moves on once it has enough.
		o := mustOrg(t, s, "south")
		board, err := s.CreateBoard(ctx, proposal.Board{OrgID: o.ID, Kind: proposal.Petitions, TitleEN: "P", Moderation: proposal.PreModeration, Accepting: true, SponsorsNeeded: 2}, 0)
		if err != nil {
			t.Fatal(err)
		}
		sp, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: board.ID, Title: "Sponsor me", Body: "Please."},
			&proposal.Signature{Name: "Author", Email: "a@example.org", Postcode: "SW1A 1AA", Country: "GB", UKResident: true})
		if err != nil || sp.Stage != proposal.Sponsoring {
			t.Fatalf("%+v %v", sp, err)
		}
		if err := s.SubmitSignature(ctx, signer(sp, "plain@example.org", ""), c.compose); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("ordinary signature while sponsoring: %v", err)
		}
		for i := range 2 {
			sig := signer(sp, fmt.Sprintf("sp%d@example.org", i), "")
			sig.Sponsor = true
			if err := s.SubmitSignature(ctx, sig, c.compose); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ConfirmSignature(ctx, c.token(sig.Email)); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := s.Proposal(ctx, sp.ID); got.Stage != proposal.Pending {
			t.Errorf("after sponsors: stage %s", got.Stage)
		}
	})
}

// TestSignatureQueueFull: with the batcher stalled and its queue full, a
// signature is refused at once as Unavailable; the queued ones go through.
func TestSignatureQueueFull(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite} {
		t.Run(string(d), func(t *testing.T) {
			s, err := store.Open(ctx, store.Options{SQLitePath: filepath.Join(t.TempDir(), "parley.db"), SignatureQueue: 2})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			p := mustPetition(t, s, "north", proposal.Board{})
			var c sigCompose
			release := store.HoldSignatures(s)
			var wg sync.WaitGroup
			errs := make(chan error, 3)
			// One taken by the stalled loop, two in the queue.
			for i := range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- s.SubmitSignature(ctx, signer(p, fmt.Sprintf("q%d@example.org", i), ""), c.compose)
				}()
				time.Sleep(50 * time.Millisecond)
			}
			deadline := time.Now().Add(5 * time.Second)
			for time.Now().Before(deadline) {
				if err = s.SubmitSignature(ctx, signer(p, "extra@example.org", ""), c.compose); apperr.Is(err, apperr.Unavailable) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if !apperr.Is(err, apperr.Unavailable) {
				t.Errorf("full queue: %v", err)
			}
			release()
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// TestBulkOutboxSweep sends bulk emails in batches, retries failures
// later without addresses in the error, and gives up on permanent ones.
func TestBulkOutboxSweep(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		p := mustPetition(t, s, "north", proposal.Board{})
		var c sigCompose
		for i := range 7 {
			if err := s.SubmitSignature(ctx, signer(p, fmt.Sprintf("b%d@example.org", i), ""), c.compose); err != nil {
				t.Fatal(err)
			}
		}
		var sent []string
		send := func(m outbox.Message) error {
			switch m.To {
			case "b1@example.org":
				return errors.New("421 try later, " + m.To + " busy")
			case "b2@example.org":
				return jobs.Permanent(errors.New("550 no such user b2@example.org"))
			}
			sent = append(sent, m.To)
			return nil
		}
		n, err := s.SweepBulkOutbox(ctx, 4, send)
		if err != nil || n != 2 {
			t.Fatalf("first sweep: %d %v", n, err)
		}
		n, err = s.SweepBulkOutbox(ctx, 4, send)
		if err != nil || n != 3 {
			t.Fatalf("second sweep: %d %v", n, err)
		}
		if n, _ := s.SweepBulkOutbox(ctx, 4, send); n != 0 {
			t.Errorf("nothing due, yet %d sent", n)
		}
		ms, _ := s.Outbox(ctx, 100)
		for _, m := range ms {
			if m.Kind != proposal.ConfirmSignatureKind {
				continue
			}
			switch m.To {
			case "b1@example.org", "b2@example.org":
				if !m.SentAt.IsZero() || m.Attempts != 1 || m.LastError == "" || strings.Contains(m.LastError, "@") {
					t.Errorf("failed %s: %+v", m.To, m)
				}
			default:
				if m.SentAt.IsZero() {
					t.Errorf("%s not marked sent", m.To)
				}
			}
		}
		// The temporary failure is retried after its back-off; the
		// permanent one never.
		clock.Advance(2 * time.Hour)
		sent = nil
		if n, err := s.SweepBulkOutbox(ctx, 10, func(m outbox.Message) error { sent = append(sent, m.To); return nil }); err != nil || n != 1 || sent[0] != "b1@example.org" {
			t.Errorf("retry: %d %v %v", n, sent, err)
		}
	})
}
