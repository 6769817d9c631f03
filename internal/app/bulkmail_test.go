package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/internal/mail"
	"parley/internal/mail/smtptest"
	"parley/internal/org"
	"parley/internal/outbox"
	"parley/internal/proposal"
)

// signPetition puts n pending signatures, and so n bulk emails, in the outbox.
func signPetition(t *testing.T, a *App, n int) {
	t.Helper()
	ctx := context.Background()
	o, err := a.Store.CreateOrg(ctx, org.Organisation{Slug: "bulk", NameEN: "Bulk"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := a.Store.CreateBoard(ctx, proposal.Board{OrgID: o.ID, Kind: proposal.Petitions, TitleEN: "P", Moderation: proposal.PostModeration, Accepting: true}, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Store.CreateProposal(ctx, proposal.Proposal{BoardID: b.ID, Title: "T", Body: "B"},
		&proposal.Signature{Name: "A", Email: "author@example.org", Postcode: "SW1A 1AA", Country: "GB", UKResident: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		sig := proposal.Signature{ProposalID: p.ID, Name: "S", Email: fmt.Sprintf("s%d@example.org", i), Postcode: "SW1A 1AA", Country: "GB", UKResident: true}
		if err := a.Store.SubmitSignature(ctx, sig, func(sig proposal.Signature, token string) outbox.Message {
			return outbox.Message{Kind: proposal.ConfirmSignatureKind, To: sig.Email, Subject: "Confirm", Body: "/signatures/confirm/" + token}
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func unsentBulk(t *testing.T, a *App) int {
	t.Helper()
	ms, err := a.Store.Outbox(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if m.Kind == proposal.ConfirmSignatureKind && m.SentAt.IsZero() {
			n++
		}
	}
	return n
}

func TestBulkMailDevSender(t *testing.T) {
	a := openApp(t)
	if !slices.Contains(a.Runner.Kinds(), bulkMailJob) {
		t.Fatal("bulk sweep not registered")
	}
	signPetition(t, a, 7)
	n, err := sweepBulkMail(context.Background(), a.Store, mail.NewDev(nil), 3, time.Minute)
	if err != nil || n != 7 || unsentBulk(t, a) != 0 {
		t.Errorf("sent %d (%v), %d left", n, err, unsentBulk(t, a))
	}
}

func TestBulkMailSMTP(t *testing.T) {
	srv := smtptest.Start(t)
	a := openApp(t)
	sender, err := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host(), Port: srv.Port(), TLS: "none", From: "parley@test.example"})
	if err != nil {
		t.Fatal(err)
	}
	signPetition(t, a, 4)
	n, err := sweepBulkMail(context.Background(), a.Store, sender, 10, time.Minute)
	if err != nil || n != 4 {
		t.Fatalf("sent %d: %v", n, err)
	}
	msgs := srv.WaitFor(t, 4, 5*time.Second)
	for _, m := range msgs {
		if body, _ := m.Text(); !strings.Contains(body, "/signatures/confirm/") || !strings.HasPrefix(m.To[0], "s") {
			t.Errorf("to %v: %q", m.To, body)
		}
	}
	if unsentBulk(t, a) != 0 {
		t.Error("not marked sent")
	}
}
