package store_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/outbox"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// propJobs claims the due jobs of a kind and returns their payloads.
func propJobs(t *testing.T, s *store.Store, kind string) []map[string]any {
	t.Helper()
	js, err := s.Claim(ctx, "test", 100, 1000*time.Hour) // never claimed twice in a test
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, j := range js {
		if j.Kind != kind {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(j.Payload, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// propMail lists queued emails of a kind by recipient.
func propMail(t *testing.T, s *store.Store, kind string) []string {
	t.Helper()
	ms, err := s.Outbox(ctx, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		if m.Kind == kind {
			out = append(out, m.To)
		}
	}
	sort.Strings(out)
	return out
}

func TestProposalsListAndSearch(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "lists")
		other := mustOrg(t, s, "other")
		staff := propStaff(t, s)
		b := propBoard(t, s, o.ID, proposal.Ideas, func(b *proposal.Board) {
			b.Categories = []proposal.Category{{NameEN: "Parks"}, {NameEN: "Roads"}}
			b.ResponseThreshold = 3
		})
		users := make([]int64, 5)
		for i := range users {
			users[i] = propUser(t, s, fmt.Sprintf("u%d@example.org", i))
		}
		mk := func(title, body, cat string) proposal.Proposal {
			clock.Advance(time.Minute)
			p, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: b.ID, AuthorID: users[0], Title: title, Body: body, Category: cat}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		swings := mk("New swings for the playground", "The swings in Victoria Park are broken.", "parks")
		lights := mk("Street lights on Mill Road", "Mill Road is dark at night.", "roads")
		trees := mk("Plant more trees", "Trees in every street and park.", "parks")
		for _, u := range users[1:3] {
			if err := s.Support(ctx, lights.ID, u); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Support(ctx, trees.ID, users[1]); err != nil {
			t.Fatal(err)
		}
		pending := propBoard(t, s, o.ID, proposal.Ideas, func(b *proposal.Board) { b.Moderation = proposal.PreModeration })
		hidden := propIdea(t, s, pending, users[0], "Pending swings", "Not yet public.")
		ob := propBoard(t, s, other.ID, proposal.Ideas, nil)
		propIdea(t, s, ob, users[0], "Other swings", "Elsewhere.")

		ids := func(ps []proposal.Proposal) []int64 {
			var out []int64
			for _, p := range ps {
				out = append(out, p.ID)
			}
			return out
		}
		check := func(name string, f proposal.ListFilter, want []int64, wantTotal int) {
			t.Helper()
			got, total, err := s.Proposals(ctx, f)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if fmt.Sprint(ids(got)) != fmt.Sprint(want) || total != wantTotal {
				t.Errorf("%s: got %v (total %d), want %v (total %d)", name, ids(got), total, want, wantTotal)
			}
		}
		check("newest", proposal.ListFilter{BoardID: b.ID}, []int64{trees.ID, lights.ID, swings.ID}, 3)
		check("popular", proposal.ListFilter{BoardID: b.ID, Sort: proposal.SortPopular}, []int64{lights.ID, trees.ID, swings.ID}, 3)
		check("category", proposal.ListFilter{BoardID: b.ID, Category: "parks"}, []int64{trees.ID, swings.ID}, 2)
		check("paged", proposal.ListFilter{BoardID: b.ID, Limit: 1, Offset: 1}, []int64{lights.ID}, 3)
		check("search", proposal.ListFilter{BoardID: b.ID, Query: "swings"}, []int64{swings.ID}, 1)
		check("search all words", proposal.ListFilter{BoardID: b.ID, Query: "park swings"}, []int64{swings.ID}, 1)
		check("search punctuation", proposal.ListFilter{BoardID: b.ID, Query: `"NEAR( -*`}, nil, 0)
		check("org, all stages", proposal.ListFilter{OrgID: o.ID, Stages: []proposal.Stage{proposal.Pending}}, []int64{hidden.ID}, 1)
		check("author", proposal.ListFilter{OrgID: o.ID, AuthorID: users[1]}, nil, 0)
		check("awaiting", proposal.ListFilter{OrgID: o.ID, Awaiting: true}, []int64{lights.ID}, 1)
		check("answer sort", proposal.ListFilter{BoardID: b.ID, Sort: proposal.SortAnswer}, []int64{lights.ID, trees.ID, swings.ID}, 3)
		if got, _, _ := s.Proposals(ctx, proposal.ListFilter{BoardID: b.ID, Sort: proposal.SortPopular}); got[0].Supporters != 3 || got[1].Supporters != 2 {
			t.Errorf("supporters filled %+v", got)
		}
		if _, _, err := s.Proposals(ctx, proposal.ListFilter{}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("no board nor org: %v", err)
		}

		// Answers.
		clock.Advance(time.Minute)
		if _, err := s.SetProposalStatus(ctx, proposal.StatusChange{ProposalID: swings.ID, Status: proposal.Planned, ResponseEN: "Ordered.", ActorID: staff}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		if _, err := s.SetProposalStatus(ctx, proposal.StatusChange{ProposalID: trees.ID, Status: proposal.Declined, ResponseEN: "No budget.", ActorID: staff}); err != nil {
			t.Fatal(err)
		}
		check("answered", proposal.ListFilter{BoardID: b.ID, Answered: true}, []int64{trees.ID, swings.ID}, 2)
		check("status", proposal.ListFilter{BoardID: b.ID, Status: proposal.Planned}, []int64{swings.ID}, 1)

		// Similar proposals share any word, best first; stop words alone match nothing.
		sim, err := s.SimilarProposals(ctx, b.ID, "Broken swings in the park!", 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(sim) == 0 || sim[0].ID != swings.ID {
			t.Errorf("similar %v", ids(sim))
		}
		for _, p := range sim {
			if p.ID == hidden.ID {
				t.Error("similar shows an unpublished proposal")
			}
		}
		if sim, err := s.SimilarProposals(ctx, b.ID, "mill", 5); err != nil || len(sim) != 1 || sim[0].ID != lights.ID {
			t.Errorf("similar by one word %v %v", ids(sim), err)
		}
		if sim, err := s.SimilarProposals(ctx, b.ID, `the and "OR" *`, 5); err != nil || len(sim) != 0 {
			t.Errorf("stop words %v %v", ids(sim), err)
		}
	})
}

func TestProposalStatusAndSupport(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "status")
		staff := propStaff(t, s)
		b := propBoard(t, s, o.ID, proposal.Ideas, func(b *proposal.Board) { b.ResponseThreshold = 3; b.ResponseDays = 10 })
		author := propUser(t, s, "author@example.org")
		u2, u3 := propUser(t, s, "two@example.org"), propUser(t, s, "three@example.org")
		p := propIdea(t, s, b, author, "Benches", "More benches.")

		// Support twice counts once; withdraw takes it back.
		for range 2 {
			if err := s.Support(ctx, p.ID, u2); err != nil {
				t.Fatal(err)
			}
		}
		if n := propCount(t, s, p.ID); n != 2 {
			t.Errorf("after supporting twice: %d", n)
		}
		if err := s.Withdraw(ctx, p.ID, u2); err != nil {
			t.Fatal(err)
		}
		if err := s.Withdraw(ctx, p.ID, u2); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.Supports(ctx, p.ID, u2); ok || propCount(t, s, p.ID) != 1 {
			t.Errorf("after withdrawing: %v %d", ok, propCount(t, s, p.ID))
		}
		if err := s.Support(ctx, p.ID, 0); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("anonymous support: %v", err)
		}
		// Crossing the threshold stamps it once, with its due date and a job.
		for _, u := range []int64{u2, u3} {
			if err := s.Support(ctx, p.ID, u); err != nil {
				t.Fatal(err)
			}
		}
		crossed := clock.T
		got, _ := s.Proposal(ctx, p.ID)
		if got.Supporters != 3 || !got.ThresholdAt.Equal(crossed) || !got.ResponseDue.Equal(crossed.AddDate(0, 0, 10)) || !got.Awaiting() {
			t.Errorf("threshold %+v", got)
		}
		if js := propJobs(t, s, proposal.ThresholdJob); len(js) != 1 || js[0]["threshold"] != "response" {
			t.Errorf("threshold jobs %v", js)
		}
		clock.Advance(time.Hour)
		_ = s.Withdraw(ctx, p.ID, u3)
		_ = s.Support(ctx, p.ID, u3)
		if again, _ := s.Proposal(ctx, p.ID); !again.ThresholdAt.Equal(crossed) {
			t.Errorf("threshold stamped again %v", again.ThresholdAt)
		}
		if js := propJobs(t, s, proposal.ThresholdJob); len(js) != 0 {
			t.Errorf("threshold job again %v", js)
		}

		// Status changes.
		if _, err := s.SetProposalStatus(ctx, proposal.StatusChange{ProposalID: p.ID, Status: proposal.Duplicate, ResponseEN: "x"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("duplicate by hand: %v", err)
		}
		if _, err := s.SetProposalStatus(ctx, proposal.StatusChange{ProposalID: p.ID, Status: proposal.Planned}); apperr.FieldsOf(err)["response_en"] != "error.proposal.response.required" {
			t.Errorf("no response: %v", err)
		}
		c, err := s.SetProposalStatus(ctx, proposal.StatusChange{ProposalID: p.ID, Status: proposal.Planned, ResponseEN: " We will. ", ResponseCY: "Byddwn.", ActorID: staff})
		if err != nil {
			t.Fatal(err)
		}
		got, _ = s.Proposal(ctx, p.ID)
		if c.ID == 0 || !c.At.Equal(clock.T) || got.Status != proposal.Planned || got.ResponseEN != "We will." || got.ResponseCY != "Byddwn." ||
			!got.RespondedAt.Equal(clock.T) || got.Awaiting() || !got.StatusAt.Equal(clock.T) {
			t.Errorf("answered %+v %+v", c, got)
		}
		if js := propJobs(t, s, proposal.StatusJob); len(js) != 1 || js[0]["change_id"] != float64(c.ID) {
			t.Errorf("status jobs %v", js)
		}
		clock.Advance(time.Hour)
		if _, err := s.SetProposalStatus(ctx, proposal.StatusChange{ProposalID: p.ID, Status: proposal.Completed, ResponseEN: "Done.", ActorID: staff}); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.Proposal(ctx, p.ID); !again.RespondedAt.Equal(got.RespondedAt) {
			t.Errorf("responded_at moved %v", again.RespondedAt)
		}
		cs, err := s.StatusChanges(ctx, p.ID)
		if err != nil || len(cs) != 2 || cs[0].ID != c.ID || cs[1].Status != proposal.Completed || cs[0].ActorID != staff {
			t.Errorf("changes %+v %v", cs, err)
		}
		// A completed idea takes no more support.
		u4 := propUser(t, s, "four@example.org")
		if err := s.Support(ctx, p.ID, u4); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("support after completion: %v", err)
		}
		// Petitions take signatures, not supports; unpublished ones no answer.
		pb := propBoard(t, s, o.ID, proposal.Petitions, func(b *proposal.Board) { b.SponsorsNeeded = 1 })
		pet := propPetition(t, s, pb, 0, "Petition")
		if err := s.Support(ctx, pet.ID, u4); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("support a petition: %v", err)
		}
		if _, err := s.SetProposalStatus(ctx, proposal.StatusChange{ProposalID: pet.ID, Status: proposal.Planned, ResponseEN: "x"}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("answer a petition collecting sponsors: %v", err)
		}

		// The emails of a status change go once to each supporter, in their language.
		sent := map[string]string{}
		compose := func(p proposal.Proposal, c proposal.StatusChange, to, lang string) outbox.Message {
			sent[to] = lang
			return outbox.Message{Kind: "proposal-status", To: to, Subject: "News about " + p.Title, Body: c.ResponseEN}
		}
		n, err := s.SendStatusEmails(ctx, c.ID, compose)
		if err != nil || n != 3 {
			t.Fatalf("status emails %d %v", n, err)
		}
		if again, err := s.SendStatusEmails(ctx, c.ID, compose); err != nil || again != 0 {
			t.Errorf("status emails again %d %v", again, err)
		}
		if got := propMail(t, s, "proposal-status"); strings.Join(got, ",") != "author@example.org,three@example.org,two@example.org" {
			t.Errorf("status mail %v", got)
		}
		if _, err := s.SendStatusEmails(ctx, 9999, compose); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing change: %v", err)
		}

		// Threshold emails go to admins and editors, once per threshold.
		if _, err := s.AddStaff(ctx, o.ID, "editor@example.org", account.RoleEditor, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddStaff(ctx, o.ID, "mod@example.org", account.RoleModerator, 0); err != nil {
			t.Fatal(err)
		}
		tc := func(p proposal.Proposal, to, lang string) outbox.Message {
			return outbox.Message{Kind: "proposal-threshold", To: to, Subject: "Threshold: " + p.Title, Body: "Answer it."}
		}
		if n, err := s.SendThresholdEmails(ctx, p.ID, "response", tc); err != nil || n != 1 {
			t.Errorf("threshold emails %d %v", n, err)
		}
		if n, err := s.SendThresholdEmails(ctx, p.ID, "response", tc); err != nil || n != 0 {
			t.Errorf("threshold emails again %d %v", n, err)
		}
		if n, err := s.SendThresholdEmails(ctx, p.ID, "debate", tc); err != nil || n != 1 {
			t.Errorf("debate emails %d %v", n, err)
		}
		if _, err := s.SendThresholdEmails(ctx, p.ID, "other", tc); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown threshold: %v", err)
		}
		if got := propMail(t, s, "proposal-threshold"); strings.Join(got, ",") != "editor@example.org,editor@example.org" {
			t.Errorf("threshold mail %v", got)
		}
	})
}

func TestProposalMerge(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "merge")
		staff := propStaff(t, s)
		pb := propBoard(t, s, o.ID, proposal.Petitions, func(b *proposal.Board) { b.ResponseThreshold = 6 })
		into := propPetition(t, s, pb, 0, "Save the library")  // pat@example.org signs
		from := propPetition(t, s, pb, 0, "Keep library open") // pat@example.org again
		propSign(t, s, into.ID, time.Time{}, "192.0.2.1", "a@example.org", "b@example.org")
		propSign(t, s, from.ID, time.Time{}, "192.0.2.1", "B@example.org", "c@example.org", "d@example.org", "e@example.org")
		// e signed the original too but never followed the link: their
		// confirmed signature on the duplicate proves the address.
		if err := s.SubmitSignature(ctx, proposal.Signature{ProposalID: into.ID, Name: "E", Email: "e@example.org", Postcode: "CF10 1AA", Country: "GB", UKResident: true},
			func(sig proposal.Signature, token string) outbox.Message {
				return outbox.Message{Kind: proposal.ConfirmSignatureKind, To: sig.Email, Subject: "Confirm", Body: token}
			}); err != nil {
			t.Fatal(err)
		}
		if propCount(t, s, into.ID) != 3 || propCount(t, s, from.ID) != 5 {
			t.Fatalf("before: %d %d", propCount(t, s, into.ID), propCount(t, s, from.ID))
		}
		if _, err := s.MergeProposals(ctx, from.ID, from.ID, staff); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("merge into itself: %v", err)
		}
		other := propBoard(t, s, o.ID, proposal.Petitions, nil)
		elsewhere := propPetition(t, s, other, 0, "Elsewhere")
		if _, err := s.MergeProposals(ctx, elsewhere.ID, into.ID, staff); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("merge across boards: %v", err)
		}
		clock.Advance(time.Hour)
		m, err := s.MergeProposals(ctx, from.ID, into.ID, staff)
		if err != nil {
			t.Fatal(err)
		}
		// Union: pat, a, b, c, d, e.
		if m.Moved != 2 || m.Already != 3 || m.ID == 0 || !m.At.Equal(clock.T) {
			t.Errorf("merge %+v", m)
		}
		gotInto, _ := s.Proposal(ctx, into.ID)
		gotFrom, _ := s.Proposal(ctx, from.ID)
		if gotInto.Supporters != 6 || gotFrom.Supporters != 3 || gotFrom.Status != proposal.Duplicate || gotFrom.MergedInto != into.ID {
			t.Errorf("after merge into %d, from %+v", gotInto.Supporters, gotFrom)
		}
		if gotFrom.Supportable(clock.T) {
			t.Error("a duplicate is still supportable")
		}
		if _, err := s.MergeProposals(ctx, from.ID, into.ID, staff); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("merge twice: %v", err)
		}
		if _, err := s.MergeProposals(ctx, into.ID, from.ID, staff); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("merge into a duplicate: %v", err)
		}
		if counts, err := s.CountsByArea(ctx, into.ID); err != nil || len(counts) != 1 || counts[0].Count != 6 {
			t.Errorf("counts by area after merge %v %v", counts, err)
		}
		if js := propJobs(t, s, proposal.MergeJob); len(js) != 1 || js[0]["merge_id"] != float64(m.ID) {
			t.Errorf("merge jobs %v", js)
		}
		if got, _ := s.Merge(ctx, m.ID); got != m {
			t.Errorf("merge record %+v vs %+v", got, m)
		}
		if cs, _ := s.StatusChanges(ctx, from.ID); len(cs) != 1 || cs[0].Status != proposal.Duplicate {
			t.Errorf("duplicate's timeline %+v", cs)
		}
		log, _ := s.AuditLog(ctx, o.ID, 5)
		if len(log) == 0 || log[0].Action != "proposal.merge" {
			t.Errorf("audit %+v", log)
		}
		// Everyone who supported the duplicate hears, once.
		compose := func(from, into proposal.Proposal, to, lang string) outbox.Message {
			return outbox.Message{Kind: "proposal-merge", To: to, Subject: from.Title + " merged", Body: "Now " + into.Title}
		}
		if n, err := s.SendMergeEmails(ctx, m.ID, compose); err != nil || n != 5 {
			t.Errorf("merge emails %d %v", n, err)
		}
		if n, err := s.SendMergeEmails(ctx, m.ID, compose); err != nil || n != 0 {
			t.Errorf("merge emails again %d %v", n, err)
		}
		if got := propMail(t, s, "proposal-merge"); strings.Join(got, ",") != "B@example.org,c@example.org,d@example.org,e@example.org,pat@example.org" {
			t.Errorf("merge mail %v", got)
		}

		// Ideas: supports move the same way.
		ib := propBoard(t, s, o.ID, proposal.Ideas, nil)
		u1, u2, u3 := propUser(t, s, "i1@example.org"), propUser(t, s, "i2@example.org"), propUser(t, s, "i3@example.org")
		a := propIdea(t, s, ib, u1, "A", "a")
		bb := propIdea(t, s, ib, u2, "B", "b")
		for _, u := range []int64{u1, u3} {
			if err := s.Support(ctx, bb.ID, u); err != nil {
				t.Fatal(err)
			}
		}
		mi, err := s.MergeProposals(ctx, bb.ID, a.ID, staff)
		if err != nil {
			t.Fatal(err)
		}
		if mi.Moved != 2 || mi.Already != 1 || propCount(t, s, a.ID) != 3 || propCount(t, s, bb.ID) != 1 {
			t.Errorf("ideas merge %+v: %d %d", mi, propCount(t, s, a.ID), propCount(t, s, bb.ID))
		}
		if ok, _ := s.Supports(ctx, a.ID, u3); !ok {
			t.Error("moved support missing")
		}
	})
}

func TestProposalComments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "comments")
		staff := propStaff(t, s)
		u := propUser(t, s, "c@example.org")
		b := propBoard(t, s, o.ID, proposal.Ideas, nil)
		p := propIdea(t, s, b, u, "Benches", "More.")
		if _, err := s.AddComment(ctx, proposal.Comment{ProposalID: p.ID, AuthorID: u, Body: "  "}); apperr.FieldsOf(err)["body"] != "error.proposal.comment.required" {
			t.Errorf("empty comment: %v", err)
		}
		top, err := s.AddComment(ctx, proposal.Comment{ProposalID: p.ID, AuthorID: u, AuthorName: "C", Body: " Yes please \r\n"})
		if err != nil {
			t.Fatal(err)
		}
		reply, err := s.AddComment(ctx, proposal.Comment{ProposalID: p.ID, ParentID: top.ID, AuthorID: u, Body: "Agreed"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddComment(ctx, proposal.Comment{ProposalID: p.ID, ParentID: reply.ID, AuthorID: u, Body: "Deeper"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("reply to a reply: %v", err)
		}
		q := propIdea(t, s, b, u, "Bins", "More.")
		if _, err := s.AddComment(ctx, proposal.Comment{ProposalID: q.ID, ParentID: top.ID, AuthorID: u, Body: "Wrong thread"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("reply across proposals: %v", err)
		}
		second, _ := s.AddComment(ctx, proposal.Comment{ProposalID: p.ID, AuthorID: u, Body: "Second"})
		cs, err := s.Comments(ctx, p.ID, false)
		if err != nil || len(cs) != 2 || cs[0].Body != "Yes please" || len(cs[0].Replies) != 1 || cs[0].Replies[0].ID != reply.ID || cs[1].ID != second.ID {
			t.Fatalf("comments %+v %v", cs, err)
		}
		// Reports: twice is fine; moderators see them; hiding resolves them.
		for range 2 {
			if err := s.ReportComment(ctx, proposal.Report{CommentID: top.ID, ReporterID: u, Reason: "Rude"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.ReportComment(ctx, proposal.Report{CommentID: top.ID, ReporterID: staff, Reason: ""}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("report without reason: %v", err)
		}
		if err := s.ReportComment(ctx, proposal.Report{CommentID: 9999, ReporterID: u, Reason: "x"}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("report a missing comment: %v", err)
		}
		rc, err := s.ReportedComments(ctx, o.ID)
		if err != nil || len(rc) != 1 || rc[0].ID != top.ID || rc[0].Reports != 1 {
			t.Errorf("reported %+v %v", rc, err)
		}
		if err := s.ModerateComment(ctx, top.ID, true, "", staff); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("hide without reason: %v", err)
		}
		if err := s.ModerateComment(ctx, top.ID, true, "Abuse", staff); err != nil {
			t.Fatal(err)
		}
		if rc, _ := s.ReportedComments(ctx, o.ID); len(rc) != 0 {
			t.Errorf("still reported %+v", rc)
		}
		if cs, _ := s.Comments(ctx, p.ID, false); len(cs) != 1 || cs[0].ID != second.ID {
			t.Errorf("public comments after hiding %+v", cs)
		}
		if cs, _ := s.Comments(ctx, p.ID, true); len(cs) != 2 || cs[0].State != proposal.CommentHidden || cs[0].Reason != "Abuse" || len(cs[0].Replies) != 1 {
			t.Errorf("all comments %+v", cs)
		}
		if _, err := s.AddComment(ctx, proposal.Comment{ProposalID: p.ID, ParentID: top.ID, AuthorID: u, Body: "To hidden"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("reply to a hidden comment: %v", err)
		}
		if err := s.ModerateComment(ctx, top.ID, false, "", staff); err != nil {
			t.Fatal(err)
		}
		if c, err := s.Comment(ctx, top.ID); err != nil || c.State != proposal.CommentVisible || c.Reason != "" {
			t.Errorf("restored %+v %v", c, err)
		}
		if _, err := s.Comment(ctx, 9999); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing comment: %v", err)
		}
		pre := propBoard(t, s, o.ID, proposal.Ideas, func(b *proposal.Board) { b.Moderation = proposal.PreModeration })
		pending := propIdea(t, s, pre, u, "Pending", "x")
		if _, err := s.AddComment(ctx, proposal.Comment{ProposalID: pending.ID, AuthorID: u, Body: "Early"}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("comment on a pending proposal: %v", err)
		}
	})
}

func TestProposalFraud(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "fraud")
		staff := propStaff(t, s)
		pb := propBoard(t, s, o.ID, proposal.Petitions, func(b *proposal.Board) { b.AlertPerHour = 2 })
		p := propPetition(t, s, pb, 0, "Stop the bypass")
		h := clock.T.Truncate(time.Hour)
		propSign(t, s, p.ID, h.Add(10*time.Minute+123456*time.Microsecond), "203.0.113.5", "x1@bots.example", "x2@bots.example", "x3@mail.bots.example")
		propSign(t, s, p.ID, h.Add(70*time.Minute), "203.0.113.5", "x4@bots.example", "x5@bots.example")
		propSign(t, s, p.ID, h.Add(75*time.Minute), "198.51.100.7", "real@people.example", "Jo.Bloggs+p@gmail.com")
		clock.Advance(2 * time.Hour)
		if n := propCount(t, s, p.ID); n != 8 {
			t.Fatalf("seeded %d", n)
		}

		trends, err := s.Trending(ctx, o.ID, h)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, tr := range trends {
			lines = append(lines, fmt.Sprintf("%s %s %s %d %v", tr.Hour.Format("15:04"), tr.Kind, tr.Key, tr.Count, tr.Alert))
			if tr.ProposalID != p.ID || tr.Title != "Stop the bypass" {
				t.Errorf("trend %+v", tr)
			}
		}
		want := []string{
			h.Format("15:04") + " ip 203.0.113.5 3 true",
			h.Format("15:04") + " domain bots.example 2 false",
			h.Add(time.Hour).Format("15:04") + " ip 203.0.113.5 2 false",
			h.Add(time.Hour).Format("15:04") + " ip 198.51.100.7 2 false",
			h.Add(time.Hour).Format("15:04") + " domain bots.example 2 false",
		}
		sort.Strings(lines)
		sort.Strings(want)
		if strings.Join(lines, "\n") != strings.Join(want, "\n") {
			t.Errorf("trending:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
		if trends[0].Alert != true {
			t.Errorf("alerts first: %+v", trends[0])
		}
		if later, _ := s.Trending(ctx, o.ID, h.Add(time.Hour)); len(later) != 3 {
			t.Errorf("since later %+v", later)
		}

		inv := func(v proposal.Invalidation, dry bool) int {
			t.Helper()
			v.Reason = "bots"
			n, err := s.InvalidateSignatures(ctx, o.ID, v, dry, staff)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if _, err := s.InvalidateSignatures(ctx, o.ID, proposal.Invalidation{Reason: "all"}, true, staff); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("no attribute: %v", err)
		}
		if n := inv(proposal.Invalidation{Domain: "bots.example"}, true); n != 5 {
			t.Errorf("dry run by domain with subdomains: %d", n)
		}
		if n := inv(proposal.Invalidation{Domain: "ots.example"}, true); n != 0 {
			t.Errorf("a suffix that is no subdomain: %d", n)
		}
		if n := inv(proposal.Invalidation{IP: "203.0.113.0/25"}, true); n != 5 {
			t.Errorf("dry run by range: %d", n)
		}
		if n := inv(proposal.Invalidation{IP: "203.0.113.128/25"}, true); n != 0 {
			t.Errorf("dry run by another range: %d", n)
		}
		if n := inv(proposal.Invalidation{Email: "jobloggs@googlemail.com"}, true); n != 1 {
			t.Errorf("dry run by normalised email: %d", n)
		}
		if n := inv(proposal.Invalidation{Name: "SIG REAL@PEOPLE.EXAMPLE"}, true); n != 1 {
			t.Errorf("dry run by name: %d", n)
		}
		if n := inv(proposal.Invalidation{Postcode: "cf101aa", From: h.Add(time.Hour), To: h.Add(72 * time.Minute)}, true); n != 2 {
			t.Errorf("dry run by postcode and time: %d", n)
		}
		if propCount(t, s, p.ID) != 8 {
			t.Error("a dry run changed the counts")
		}
		if n := inv(proposal.Invalidation{ProposalID: p.ID, IP: "203.0.113.5", From: h.Add(time.Hour)}, false); n != 2 {
			t.Errorf("invalidate by address: %d", n)
		}
		if n := propCount(t, s, p.ID); n != 6 {
			t.Errorf("after invalidating: %d", n)
		}
		if n := inv(proposal.Invalidation{IP: "203.0.113.5"}, false); n != 3 {
			t.Errorf("invalidate the rest (the invalidated ones are not counted again): %d", n)
		}
		if n := propCount(t, s, p.ID); n != 3 {
			t.Errorf("after invalidating again: %d", n)
		}
		log, _ := s.AuditLog(ctx, o.ID, 5)
		if len(log) == 0 || log[0].Action != "proposal.signatures.invalidate" || log[0].ActorID != staff || !strings.Contains(log[0].Detail, "3 signatures") {
			t.Errorf("audit %+v", log)
		}
		if trends, _ := s.Trending(ctx, o.ID, h); len(trends) != 1 || trends[0].Key != "198.51.100.7" {
			t.Errorf("invalidated signatures still trend %+v", trends)
		}
		other := mustOrg(t, s, "fraud-other")
		if _, err := s.InvalidateSignatures(ctx, other.ID, proposal.Invalidation{ProposalID: p.ID, IP: "198.51.100.7", Reason: "x"}, true, staff); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another organisation's petition: %v", err)
		}
		if n, _ := s.InvalidateSignatures(ctx, other.ID, proposal.Invalidation{IP: "198.51.100.7", Reason: "x"}, true, staff); n != 0 {
			t.Errorf("another organisation's signatures: %d", n)
		}
	})
}

// TestProposalSupportConcurrent supports an idea from many citizens at
// once, each twice, through the group commit: the count is exact.
func TestProposalSupportConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "concurrent")
		b := propBoard(t, s, o.ID, proposal.Ideas, func(b *proposal.Board) { b.ResponseThreshold = 50 })
		author := propUser(t, s, "author@example.org")
		p := propIdea(t, s, b, author, "Benches", "More.")
		const n = 80
		users := make([]int64, n)
		for i := range users {
			users[i] = propUser(t, s, fmt.Sprintf("c%d@example.org", i))
		}
		errs := make(chan error, 2*n)
		var wg sync.WaitGroup
		for _, u := range users {
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- s.Support(ctx, p.ID, u)
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		got, _ := s.Proposal(ctx, p.ID)
		if got.Supporters != n+1 || got.ThresholdAt.IsZero() {
			t.Errorf("supporters %d, threshold %v", got.Supporters, got.ThresholdAt)
		}
		if js := propJobs(t, s, proposal.ThresholdJob); len(js) != 1 {
			t.Errorf("threshold jobs %v", js)
		}
	})
}
