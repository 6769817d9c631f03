package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"parley/internal/moderation"
	"parley/internal/org"
	"parley/internal/proposal"
)

// TestDemoProposals checks what the demo's boards show, then runs the
// jobs the demo left (status changes, the merge, thresholds) and reads
// the emails they queued.
func TestDemoProposals(t *testing.T) {
	a := openApp(t)
	ctx := context.Background()
	if _, err := a.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	council, _ := a.Store.OrgBySlug(ctx, "north-shire-council")
	dept, _ := a.Store.OrgBySlug(ctx, "department-for-transport-policy")
	boards, err := a.Store.Boards(ctx, council.ID)
	if err != nil || len(boards) != 1 || boards[0].TitleEN != "Ideas for North Shire" || boards[0].Kind != proposal.Ideas {
		t.Fatalf("council boards %+v, %v", boards, err)
	}
	ideas, _, err := a.Store.Proposals(ctx, proposal.ListFilter{BoardID: boards[0].ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[proposal.Status]proposal.Proposal{}
	awaiting := 0
	for _, p := range ideas {
		statuses[p.Status] = p
		if p.Awaiting() {
			awaiting++
			if p.ResponseDue.IsZero() {
				t.Errorf("%q awaits a response with no due date", p.Title)
			}
		}
	}
	for _, s := range proposal.Statuses {
		if _, ok := statuses[s]; !ok {
			t.Errorf("no idea has status %s", s)
		}
	}
	if awaiting != 1 {
		t.Errorf("%d ideas await a response, want 1", awaiting)
	}
	dup := statuses[proposal.Duplicate]
	orig, err := a.Store.Proposal(ctx, dup.MergedInto)
	if err != nil || orig.Title != "Open Central Library on Sunday afternoons" {
		t.Errorf("duplicate merged into %+v, %v", orig, err)
	}
	// The queue holds one comment of each case: reported, held by the
	// link-spam signal, and hidden then appealed.
	reported, err := a.Store.ReportedComments(ctx, council.ID)
	if err != nil || len(reported) != 3 {
		t.Errorf("comments in the queue %d, %v", len(reported), err)
	}
	items, err := a.Store.ModerationQueue(ctx, council.ID, moderation.QueueFilter{})
	reasons := map[moderation.Reason]bool{}
	for _, it := range items {
		for _, f := range it.Flags {
			reasons[f.Reason] = true
		}
	}
	if err != nil || !reasons[moderation.Reported] || !reasons[moderation.LinkSpam] || !reasons[moderation.Appealed] {
		t.Errorf("queue reasons %v, %v", reasons, err)
	}

	pboards, err := a.Store.Boards(ctx, dept.ID)
	if err != nil || len(pboards) != 1 || pboards[0].TitleEN != "Petitions" || pboards[0].SponsorsNeeded != 5 {
		t.Fatalf("department boards %+v, %v", pboards, err)
	}
	all := []proposal.Stage{proposal.Sponsoring, proposal.Pending, proposal.Published}
	petitions, _, err := a.Store.Proposals(ctx, proposal.ListFilter{BoardID: pboards[0].ID, Stages: all, Limit: 100})
	if err != nil || len(petitions) != 4 {
		t.Fatalf("%d petitions, %v", len(petitions), err)
	}
	byTitle := map[string]proposal.Proposal{}
	for _, p := range petitions {
		byTitle[p.Title] = p
	}
	fares := byTitle["Cap rail fares for commuters at 2019 levels"]
	if fares.Supporters < 10400 || !fares.Awaiting() || fares.ResponseDue.IsZero() || fares.Stage != proposal.Published {
		t.Errorf("fares petition %+v", fares)
	}
	areas, err := a.Store.CountsByArea(ctx, fares.ID)
	if err != nil || len(areas) < 10 {
		t.Errorf("fares areas %v, %v", areas, err)
	}
	sum := 0
	for _, c := range areas {
		sum += c.Count
	}
	if sum != fares.Supporters {
		t.Errorf("areas add up to %d, supporters %d", sum, fares.Supporters)
	}
	if p := byTitle["Make every new bus carry two wheelchair spaces"]; p.Stage != proposal.Sponsoring {
		t.Errorf("sponsoring petition %+v", p)
	}
	if p := byTitle["Ban pavement parking across England and Wales"]; p.Stage != proposal.Pending {
		t.Errorf("pending petition %+v", p)
	}
	if p := byTitle["Fund safe cycle routes to every secondary school"]; p.Stage != proposal.Published || p.Supporters < 300 || p.Supporters > 400 {
		t.Errorf("open petition %+v", p)
	}

	// The jobs the demo left: supporters told of each status and the
	// merge, staff told of each threshold, in their languages.
	for range 3 {
		if _, err := a.Runner.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := a.Store.Outbox(ctx, 5000)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, m := range msgs {
		kinds[m.Kind]++
		if strings.HasPrefix(m.Kind, "proposal-") && !strings.Contains(m.Body, a.Config.BaseURL+"/") {
			t.Errorf("%s email without an absolute link: %q", m.Kind, m.Body)
		}
		if m.Kind == "proposal-status" && strings.Contains(m.Subject, "Planned") && !strings.Contains(m.Body, "Central Library from 1pm") {
			t.Errorf("planned email %q", m.Body)
		}
		if m.Kind == "proposal-threshold" && strings.Contains(m.Subject, "rail fares") && !strings.Contains(m.Body, "/staff/department-for-transport-policy/proposals/") {
			t.Errorf("threshold email %q", m.Body)
		}
	}
	for _, k := range []string{"proposal-status", "proposal-merge", "proposal-threshold"} {
		if kinds[k] == 0 {
			t.Errorf("no %s emails; kinds %v", k, kinds)
		}
	}
}

// TestProposalEmailsInWelsh composes each email in Welsh.
func TestProposalEmailsInWelsh(t *testing.T) {
	a := openApp(t)
	o := org.Organisation{Slug: "north-shire-council", NameEN: "North Shire County Council", NameCY: "Cyngor Sir Gogledd Swydd"}
	p := proposal.Proposal{ID: 7, Title: "Bus shelter", ResponseDue: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}
	m := a.statusEmail(o, p, proposal.StatusChange{Status: proposal.Planned, ResponseEN: "We will.", ResponseCY: "Byddwn."}, "x@example.org", "cy")
	if !strings.Contains(m.Subject, "Wedi'i gynllunio") || !strings.Contains(m.Body, "Byddwn.") || !strings.Contains(m.Body, "Cyngor Sir Gogledd Swydd") ||
		!strings.Contains(m.Body, a.Config.BaseURL+"/proposals/7") || m.Validate() != nil {
		t.Errorf("status email %+v", m)
	}
	m = a.mergeEmail(o, proposal.Proposal{ID: 8, Title: "Shelter please"}, p, "x@example.org", "cy")
	if !strings.Contains(m.Body, "wedi cyfuno") || !strings.Contains(m.Body, "/proposals/7") || m.Validate() != nil {
		t.Errorf("merge email %+v", m)
	}
	m = a.thresholdEmail(o, proposal.Board{ResponseThreshold: 10000}, p, "response", "x@example.org", "cy")
	if !strings.Contains(m.Body, "10,000") || !strings.Contains(m.Body, "5 Ionawr 2026") ||
		!strings.Contains(m.Body, "/staff/north-shire-council/proposals/7") || m.Validate() != nil {
		t.Errorf("threshold email %+v", m)
	}
	m = a.thresholdEmail(o, proposal.Board{DebateThreshold: 100000}, p, "debate", "x@example.org", "en")
	if !strings.Contains(m.Subject, "Debate") || !strings.Contains(m.Body, "100,000") {
		t.Errorf("debate email %+v", m)
	}
}
