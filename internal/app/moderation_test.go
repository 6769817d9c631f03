package app

import (
	"context"
	"slices"
	"strings"
	"testing"

	"parley/internal/mail/smtptest"
	"parley/internal/moderation"
)

// TestModerationEmails follows the demo's appealed comment: its author was
// emailed when it was hidden, with the moderator's reason, and is emailed
// again, once, when the appeal is decided.
func TestModerationEmails(t *testing.T) {
	ctx := context.Background()
	smtp := smtptest.Start(t)
	base, a, srv := journeyServer(t, smtp)
	defer srv.Close()
	if _, err := a.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	j := &pj{t: t, a: a, smtp: smtp, base: base}
	const sam = "sam.resident@example.org"
	body := j.mail(sam, "has hidden your comment")
	for _, want := range []string{"It points at a private person's home.", base + "/account/moderation", "appeal once"} {
		if !strings.Contains(body, want) {
			t.Errorf("the email lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "14 Mill Lane") {
		t.Error("the email quotes the hidden text")
	}

	council, err := a.Store.OrgBySlug(ctx, DemoOrgs[1].Slug)
	if err != nil {
		t.Fatal(err)
	}
	items, err := a.Store.ModerationQueue(ctx, council.ID, moderation.QueueFilter{Reason: moderation.Appealed})
	if err != nil || len(items) != 1 {
		t.Fatalf("appealed items %d, %v", len(items), err)
	}
	moderator, err := a.Store.UserByEmail(ctx, "moderator@"+DemoOrgs[1].Slug+".example")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Store.DecideAppeal(ctx, items[0].ID, false, "The comment still says where one person lives.", moderator.ID); err != nil {
		t.Fatal(err)
	}
	body = j.mail(sam, "decided to keep it hidden")
	if !strings.Contains(body, "The comment still says where one person lives.") || strings.Contains(body, "appeal once") {
		t.Errorf("the outcome email:\n%s", body)
	}
	// Running the job again tells nobody twice.
	n, err := a.Store.SendModerationEmail(ctx, items[0].ID, a.moderationEmailFor(ctx))
	if err != nil || n != 0 {
		t.Errorf("a second run queued %d, %v", n, err)
	}

	// Alex appeals, is reinstated, and is told; hidden again after a new
	// report, he is told again.
	const alex = "alex.citizen@example.org"
	alexUser, _ := a.Store.UserByEmail(ctx, alex)
	mine, err := a.Store.AuthorItems(ctx, alexUser.ID)
	i := slices.IndexFunc(mine, moderation.Item.CanAppeal)
	if err != nil || i < 0 {
		t.Fatalf("no item of Alex's to appeal (%v)", err)
	}
	it := mine[i]
	if err := a.Store.Appeal(ctx, moderation.Appeal{ItemID: it.ID, UserID: alexUser.ID, Text: "The other petition is on the same route."}); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.DecideAppeal(ctx, it.ID, true, "", moderator.ID); err != nil {
		t.Fatal(err)
	}
	j.mail(alex, "shown your comment")
	bethan, _ := a.Store.UserByEmail(ctx, "bethan.dinesydd@example.org")
	if err := a.Store.Report(ctx, moderation.Report{Ref: it.Ref, ReporterID: bethan.ID, Category: moderation.ReportSpam}); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Reject, Reason: "Reported again as advertising.", ActorID: moderator.ID}); err != nil {
		t.Fatal(err)
	}
	if body := j.mail(alex, "Reported again as advertising."); !strings.Contains(body, "has hidden your comment") {
		t.Errorf("the second hiding's email:\n%s", body)
	}
}
