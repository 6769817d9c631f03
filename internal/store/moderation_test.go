package store_test

import (
	"fmt"
	"time"

	"encoding/json"
	"strings"
	"testing"

	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/conversation"
	"parley/internal/moderation"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// Helpers of the moderation tests. Staff actions are by user 1 (modStaff).

// modFixture is an organisation with an idea board (post-moderated), a
// conversation and a consultation, and a staff member.
type modFixture struct {
	org     int64
	staff   int64
	board   proposal.Board
	idea    proposal.Proposal // published, by its own author
	conv    conversation.Conversation
	consult consultation.Consultation
	qs      []consultation.Question
}

func modSetup(t *testing.T, s *store.Store, slug string, preConv, preConsult bool) modFixture {
	t.Helper()
	o := mustOrg(t, s, slug)
	f := modFixture{org: o.ID, staff: propStaff(t, s)}
	f.board = propBoard(t, s, o.ID, proposal.Ideas, nil)
	f.idea = propIdea(t, s, f.board, propUser(t, s, "idea.author@example.org"), "Benches in the park", "We need somewhere to sit.")
	if f.idea.Stage != proposal.Published {
		t.Fatalf("idea %+v", f.idea)
	}
	mod := conversation.PostModeration
	if preConv {
		mod = conversation.PreModeration
	}
	var err error
	f.conv, err = s.CreateConversation(ctx, conversation.Conversation{OrgID: o.ID, TitleEN: "Transport", QuestionEN: "What next?",
		Status: conversation.Open, Moderation: mod}, []string{"More buses"}, f.staff)
	if err != nil {
		t.Fatal(err)
	}
	f.consult, f.qs = newConsultation(t, s, o.ID)
	if preConsult {
		f.consult.Moderation = consultation.PreModeration
		if err := s.UpdateConsultation(ctx, f.consult, f.staff); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetConsultationStatus(ctx, f.consult.ID, consultation.Open, f.staff); err != nil {
		t.Fatal(err)
	}
	return f
}

// respond submits an online response published anonymously.
func respond(t *testing.T, s *store.Store, f modFixture, user int64, text string) (consultation.Response, error) {
	t.Helper()
	r, err := s.StartResponse(ctx, consultation.Response{ConsultationID: f.consult.ID, UserID: user, Consent: consultation.PublishAnonymous,
		Answers: []consultation.Answer{{QuestionID: f.qs[0].ID, Text: text}}})
	if err != nil {
		t.Fatal(err)
	}
	return s.SubmitResponse(ctx, r.ID, nil)
}

// openItem returns the open item about ref, failing when there is none.
func openItem(t *testing.T, s *store.Store, org int64, ref moderation.Ref) moderation.Item {
	t.Helper()
	items, err := s.ModerationQueue(ctx, org, moderation.QueueFilter{Kind: ref.Kind})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Ref == ref {
			return it
		}
	}
	t.Fatalf("no open item for %s in %+v", ref, items)
	return moderation.Item{}
}

// hasItem reports whether ref has an item, open or closed.
func hasItem(t *testing.T, s *store.Store, org int64, ref moderation.Ref) bool {
	t.Helper()
	for _, st := range []moderation.State{moderation.Open, moderation.Closed} {
		items, err := s.ModerationQueue(ctx, org, moderation.QueueFilter{State: st, Kind: ref.Kind})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.Ref == ref {
				return true
			}
		}
	}
	return false
}

func reasons(it moderation.Item) []moderation.Reason {
	var out []moderation.Reason
	for _, f := range it.Flags {
		out = append(out, f.Reason)
	}
	return out
}

func hasReason(it moderation.Item, r moderation.Reason) bool {
	for _, f := range it.Flags {
		if f.Reason == r {
			return true
		}
	}
	return false
}

// notifyJobs returns the item IDs of the moderation.notify jobs.
func notifyJobs(t *testing.T, s *store.Store) []int64 {
	t.Helper()
	js, err := s.JobsByKind(ctx, moderation.NotifyJob, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, j := range js {
		var p struct {
			ItemID int64 `json:"item_id"`
		}
		if err := json.Unmarshal(j.Payload, &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p.ItemID)
	}
	return out
}

func saveWords(t *testing.T, s *store.Store, f modFixture, words ...string) {
	t.Helper()
	if err := s.SaveModerationSettings(ctx, moderation.Settings{OrgID: f.org, Words: words}, f.staff); err != nil {
		t.Fatal(err)
	}
}

func comment(t *testing.T, s *store.Store, f modFixture, author int64, body string) proposal.Comment {
	t.Helper()
	c, err := s.AddComment(ctx, proposal.Comment{ProposalID: f.idea.ID, AuthorID: author, AuthorName: "Commenter", Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestModerationDecide(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := modSetup(t, s, "decide", true, true)
		saveWords(t, s, f, "rhubarb")

		// Approve: a pre-moderated board's proposal waits, then is published.
		pre := propBoard(t, s, f.org, proposal.Ideas, func(b *proposal.Board) { b.Moderation = proposal.PreModeration })
		author := propUser(t, s, "author@example.org")
		p := propIdea(t, s, pre, author, "Pond", "Clean the pond.")
		if p.Stage != proposal.Pending {
			t.Fatalf("pre-moderated idea %+v", p)
		}
		it := openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindProposal, ID: p.ID})
		if !it.Held || it.AuthorID != author || it.Text != "Pond\n\nClean the pond." || it.WhereID != pre.ID || !hasReason(it, moderation.PreModeration) {
			t.Errorf("pre-moderation item %+v", it)
		}
		if err := s.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Approve, ActorID: f.staff}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Proposal(ctx, p.ID); got.Stage != proposal.Published || got.PublishedAt.IsZero() {
			t.Errorf("approved proposal %+v", got)
		}
		if got, err := s.ModerationItem(ctx, it.ID); err != nil || got.State != moderation.Closed || got.Decision != moderation.Approve ||
			got.DecidedBy != f.staff || got.DecidedAt.IsZero() || got.Held || len(got.Flags) != 1 {
			t.Errorf("approved item %+v %v", got, err)
		}
		if err := s.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Reject, Reason: "x", ActorID: f.staff}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("deciding twice: %v", err)
		}
		log, err := s.AuditLog(ctx, f.org, 50)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range log {
			if e.Action == "moderation.decide" && e.Target == "moderation_item:"+itoaT(it.ID) {
				found = strings.Contains(e.Before, `"item":"open"`) && strings.Contains(e.Before, `"content":"pending"`) &&
					strings.Contains(e.After, `"item":"closed"`) && strings.Contains(e.After, `"content":"published"`)
			}
		}
		if !found {
			t.Errorf("no audit entry with before and after for the decision: %+v", log)
		}

		// Reject: a comment held by the word list is hidden with the
		// reason, and its author is told.
		c := comment(t, s, f, author, "Rhubarb and custard for everyone")
		if c.State != proposal.CommentHidden || c.Reason != "" {
			t.Errorf("held comment %+v", c)
		}
		it = openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindComment, ID: c.ID})
		if !it.Held || !hasReason(it, moderation.WordList) || it.WhereKind != moderation.KindProposal || it.WhereID != f.idea.ID {
			t.Errorf("word list item %+v", it)
		}
		if err := s.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Reject, ActorID: f.staff}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("reject without a reason: %v", err)
		}
		if err := s.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Reject, Reason: "Off topic", ActorID: f.staff}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Comment(ctx, c.ID); got.State != proposal.CommentHidden || got.Reason != "Off topic" {
			t.Errorf("rejected comment %+v", got)
		}
		if jobs := notifyJobs(t, s); len(jobs) != 1 || jobs[0] != it.ID {
			t.Errorf("notify jobs %v, want [%d]", jobs, it.ID)
		}

		// Approve and trust: the author's next statement skips
		// pre-moderation and the signals.
		trusted := propUser(t, s, "trusted@example.org")
		me := conversation.Participant{UserID: trusted}
		st, err := s.AddStatement(ctx, f.conv.ID, me, "Cheaper fares")
		if err != nil || st.Status != conversation.Pending {
			t.Fatalf("pre-moderated statement %+v %v", st, err)
		}
		it = openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindStatement, ID: st.ID})
		if err := s.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.ApproveTrust, ActorID: f.staff}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Statements(ctx, f.conv.ID, conversation.Approved); len(got) != 2 {
			t.Errorf("approved statements %+v", got)
		}
		st2, err := s.AddStatement(ctx, f.conv.ID, me, "Rhubarb trams http://a.example http://b.example http://c.example")
		if err != nil || st2.Status != conversation.Approved || hasItem(t, s, f.org, moderation.Ref{Kind: moderation.KindStatement, ID: st2.ID}) {
			t.Errorf("a trusted author's statement %+v %v", st2, err)
		}
		if sts, _ := s.Standings(ctx, f.org); len(sts) != 1 || sts[0].UserID != trusted || sts[0].Standing != moderation.Trusted || sts[0].SetBy != f.staff {
			t.Errorf("standings %+v", sts)
		}

		// Reject and block: a pre-moderated response is withheld; the
		// author may not write in the organisation afterwards.
		blocked := propUser(t, s, "blocked@example.org")
		r, err := respond(t, s, f, blocked, "Close the road")
		if err != nil || !r.Withheld {
			t.Fatalf("pre-moderated response %+v %v", r, err)
		}
		if pub, _ := s.Responses(ctx, f.consult.ID, consultation.ResponseFilter{Published: true}); len(pub) != 0 {
			t.Errorf("a withheld response is published: %+v", pub)
		}
		it = openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindResponse, ID: r.ID})
		if it.Text != "Close the road" || it.WhereID != f.consult.ID || !it.Held {
			t.Errorf("response item %+v", it)
		}
		if err := s.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.RejectBlock, Reason: "Abuse", ActorID: f.staff}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Response(ctx, r.ID); !got.Withheld || got.Published() {
			t.Errorf("rejected response %+v", got)
		}
		if _, err := s.AddComment(ctx, proposal.Comment{ProposalID: f.idea.ID, AuthorID: blocked, Body: "Hello"}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a blocked author comments: %v", err)
		}
		if _, err := s.AddStatement(ctx, f.conv.ID, conversation.Participant{UserID: blocked}, "Hello again"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a blocked author writes a statement: %v", err)
		}
		if _, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: f.board.ID, AuthorID: blocked, Title: "T", Body: "B"}, nil); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a blocked author proposes: %v", err)
		}
		if _, err := respond(t, s, f, blocked, "Again"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a blocked author responds: %v", err)
		}
		// Elsewhere they may write.
		other := mustOrg(t, s, "elsewhere")
		ob := propBoard(t, s, other.ID, proposal.Ideas, nil)
		propIdea(t, s, ob, blocked, "Elsewhere", "Fine here.")

		// Redact: the edited text replaces the comment's, and the item
		// keeps only the edited text.
		c = comment(t, s, f, author, "Rhubarb seller, call me on 07700 900123")
		it = openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindComment, ID: c.ID})
		if err := s.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Redact, ActorID: f.staff}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("redact without text: %v", err)
		}
		if err := s.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Redact, Redacted: "Rhubarb seller, call me on [removed]", ActorID: f.staff}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Comment(ctx, c.ID); got.State != proposal.CommentVisible || got.Body != "Rhubarb seller, call me on [removed]" {
			t.Errorf("redacted comment %+v", got)
		}
		if got, _ := s.ModerationItem(ctx, it.ID); got.Text != "Rhubarb seller, call me on [removed]" || got.Decision != moderation.Redact {
			t.Errorf("redacted item %+v", got)
		}
		// A proposal's redaction replaces its body (the title may come along).
		p2 := propIdea(t, s, pre, author, "Library", "Ring Jo on 07700 900456")
		it = openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindProposal, ID: p2.ID})
		if err := s.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Redact, Redacted: "Library\n\nRing [removed]", ActorID: f.staff}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Proposal(ctx, p2.ID); got.Body != "Ring [removed]" || got.Stage != proposal.Published {
			t.Errorf("redacted proposal %+v", got)
		}
		// A statement's.
		st3, _ := s.AddStatement(ctx, f.conv.ID, conversation.Participant{UserID: author}, "Email me at jo@example.org")
		it = openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindStatement, ID: st3.ID})
		if err := s.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Redact, Redacted: "Email me", ActorID: f.staff}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Statements(ctx, f.conv.ID, conversation.Approved); got[len(got)-1].Text != "Email me" {
			t.Errorf("redacted statement %+v", got)
		}

		// Display names: queued on their own (never held) when a signal
		// fires on the name; rejecting clears the name.
		named := propUser(t, s, "named@example.org")
		if err := s.SetDisplayName(ctx, named, "Rhubarb King"); err != nil {
			t.Fatal(err)
		}
		nc, err := s.AddComment(ctx, proposal.Comment{ProposalID: f.idea.ID, AuthorID: named, AuthorName: "Rhubarb King", Body: "Good idea"})
		if err != nil || nc.State != proposal.CommentVisible || hasItem(t, s, f.org, moderation.Ref{Kind: moderation.KindComment, ID: nc.ID}) {
			t.Fatalf("comment under a flagged name %+v %v", nc, err)
		}
		it = openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindDisplayName, ID: named})
		if it.Held || it.Text != "Rhubarb King" || !hasReason(it, moderation.WordList) || it.WhereKind != moderation.KindComment || it.WhereID != nc.ID {
			t.Errorf("display name item %+v", it)
		}
		if err := s.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Redact, Redacted: "King", ActorID: f.staff}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("redacting a display name: %v", err)
		}
		if err := s.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Reject, Reason: "Not a name", ActorID: f.staff}); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.UserByID(ctx, named); u.DisplayName != "" {
			t.Errorf("display name after rejection %q", u.DisplayName)
		}
		if got, _ := s.Comment(ctx, nc.ID); got.AuthorName != "" || got.State != proposal.CommentVisible {
			t.Errorf("comment after its name was rejected %+v", got)
		}

		// Counts and filters.
		counts, err := s.ModerationCounts(ctx, f.org)
		if err != nil || counts[""] != 0 {
			t.Errorf("counts after deciding everything %v %v", counts, err)
		}
		closed, err := s.ModerationQueue(ctx, f.org, moderation.QueueFilter{State: moderation.Closed})
		if err != nil || len(closed) != 8 || closed[0].Ref.Kind != moderation.KindDisplayName {
			t.Errorf("closed items (newest decided first) %d %+v %v", len(closed), closed, err)
		}
		if got, _ := s.ModerationQueue(ctx, f.org, moderation.QueueFilter{State: moderation.Closed, Reason: moderation.WordList}); len(got) != 3 {
			t.Errorf("closed word list items %d", len(got))
		}
		if got, _ := s.ModerationQueue(ctx, f.org, moderation.QueueFilter{State: moderation.Closed, Kind: moderation.KindResponse}); len(got) != 1 {
			t.Errorf("closed response items %d", len(got))
		}
		if _, err := s.ModerationItem(ctx, 99999); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing item: %v", err)
		}
	})
}

func itoaT(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestModerationReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := modSetup(t, s, "reports", false, false)
		ref := moderation.Ref{Kind: moderation.KindProposal, ID: f.idea.ID}
		target, err := s.ModerationTarget(ctx, ref, moderation.Ref{})
		if err != nil || target.ID != 0 || target.OrgID != f.org || target.Text != "Benches in the park\n\nWe need somewhere to sit." {
			t.Errorf("target %+v %v", target, err)
		}
		r1, r2, r3 := propUser(t, s, "r1@example.org"), propUser(t, s, "r2@example.org"), propUser(t, s, "r3@example.org")
		if err := s.Report(ctx, moderation.Report{Ref: ref, ReporterID: r1, Category: moderation.ReportOther}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("other without words: %v", err)
		}
		// The same reporter twice counts once.
		for range 2 {
			if err := s.Report(ctx, moderation.Report{Ref: ref, ReporterID: r1, Category: moderation.ReportSpam, Detail: "advert"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Report(ctx, moderation.Report{Ref: ref, ReporterID: r2, Category: moderation.ReportAbuse}); err != nil {
			t.Fatal(err)
		}
		it := openItem(t, s, f.org, ref)
		if it.Held || len(it.Flags) != 2 || it.Flags[0].ReporterID != r1 || it.Flags[0].Category != moderation.ReportSpam || it.Flags[0].Detail != "advert" {
			t.Errorf("after two reporters %+v", it)
		}
		if p, _ := s.Proposal(ctx, f.idea.ID); p.Stage != proposal.Published {
			t.Errorf("two reports hid it: %s", p.Stage)
		}
		if target, _ := s.ModerationTarget(ctx, ref, moderation.Ref{}); target.ID != it.ID {
			t.Errorf("target in the queue %+v", target)
		}
		// The third different reporter holds it.
		if err := s.Report(ctx, moderation.Report{Ref: ref, ReporterID: r3, Category: moderation.ReportOffTopic}); err != nil {
			t.Fatal(err)
		}
		if it = openItem(t, s, f.org, ref); !it.Held || len(it.Flags) != 3 {
			t.Errorf("after three reporters %+v", it)
		}
		if p, _ := s.Proposal(ctx, f.idea.ID); p.Stage != proposal.Pending {
			t.Errorf("three reports kept it public: %s", p.Stage)
		}
		if _, err := s.ModerationTarget(ctx, ref, moderation.Ref{}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a held proposal is reportable: %v", err)
		}
		counts, err := s.ModerationCounts(ctx, f.org)
		if err != nil || counts[""] != 1 || counts[moderation.Reported] != 1 || counts[moderation.LinkSpam] != 0 {
			t.Errorf("counts %v %v", counts, err)
		}
		if got, _ := s.ModerationQueue(ctx, f.org, moderation.QueueFilter{Reason: moderation.Reported}); len(got) != 1 {
			t.Errorf("queue by reason report: %d", len(got))
		}
		if got, _ := s.ModerationQueue(ctx, f.org, moderation.QueueFilter{Reason: moderation.LinkSpam}); len(got) != 0 {
			t.Errorf("queue by reason link spam: %d", len(got))
		}
		if got, _ := s.ModerationQueue(ctx, f.org, moderation.QueueFilter{Kind: moderation.KindComment}); len(got) != 0 {
			t.Errorf("queue by kind comment: %d", len(got))
		}
		// Approving shows it again; a later report reopens the item, not held.
		if err := s.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Approve, ActorID: f.staff}); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.Proposal(ctx, f.idea.ID); p.Stage != proposal.Published {
			t.Errorf("approved after reports: %s", p.Stage)
		}
		r4 := propUser(t, s, "r4@example.org")
		if err := s.Report(ctx, moderation.Report{Ref: ref, ReporterID: r4, Category: moderation.ReportSpam}); err != nil {
			t.Fatal(err)
		}
		if again := openItem(t, s, f.org, ref); again.ID != it.ID || again.Held || len(again.Flags) != 4 {
			t.Errorf("reopened %+v", again)
		}
		// A display name is reported where it was seen.
		named := propUser(t, s, "shown@example.org")
		if err := s.SetDisplayName(ctx, named, "Shown Name"); err != nil {
			t.Fatal(err)
		}
		c := comment(t, s, f, named, "A fair point")
		where := moderation.Ref{Kind: moderation.KindComment, ID: c.ID}
		nameRef := moderation.Ref{Kind: moderation.KindDisplayName, ID: named}
		if _, err := s.ModerationTarget(ctx, nameRef, moderation.Ref{}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a display name without where: %v", err)
		}
		if _, err := s.ModerationTarget(ctx, nameRef, ref); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a display name seen on someone else's writing: %v", err)
		}
		for _, r := range []int64{r1, r2, r3} {
			if err := s.Report(ctx, moderation.Report{Ref: nameRef, Where: where, ReporterID: r, Category: moderation.ReportAbuse}); err != nil {
				t.Fatal(err)
			}
		}
		if it := openItem(t, s, f.org, nameRef); it.Held || it.Text != "Shown Name" || it.WhereKind != moderation.KindComment {
			t.Errorf("reported display name %+v", it)
		}
		// A comment through the older report path joins the queue.
		if err := s.ReportComment(ctx, proposal.Report{CommentID: c.ID, ReporterID: r1, Reason: "Rude"}); err != nil {
			t.Fatal(err)
		}
		ci := openItem(t, s, f.org, where)
		if len(ci.Flags) != 1 || ci.Flags[0].Category != moderation.ReportOther || ci.Flags[0].Detail != "Rude" {
			t.Errorf("comment report %+v", ci)
		}
		if rc, err := s.ReportedComments(ctx, f.org); err != nil || len(rc) != 1 || rc[0].ID != c.ID || rc[0].Reports != 1 {
			t.Errorf("reported comments %+v %v", rc, err)
		}
	})
}

func TestModerationAppeal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := modSetup(t, s, "appeal", false, false)
		saveWords(t, s, f, "rhubarb")
		author, other := propUser(t, s, "author@example.org"), propUser(t, s, "other@example.org")
		hide := func(body string, d moderation.Decision) (proposal.Comment, moderation.Item) {
			t.Helper()
			c := comment(t, s, f, author, body)
			it := openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindComment, ID: c.ID})
			if err := s.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: d, Reason: "Rude", ActorID: f.staff}); err != nil {
				t.Fatal(err)
			}
			it, _ = s.ModerationItem(ctx, it.ID)
			return c, it
		}
		c, it := hide("Rhubarb to you", moderation.Reject)
		mine, err := s.AuthorItems(ctx, author)
		if err != nil || len(mine) != 1 || mine[0].ID != it.ID || !mine[0].CanAppeal() || mine[0].Reason != "Rude" {
			t.Fatalf("author's items %+v %v", mine, err)
		}
		if theirs, _ := s.AuthorItems(ctx, other); len(theirs) != 0 {
			t.Errorf("someone else's items %+v", theirs)
		}
		if err := s.Appeal(ctx, moderation.Appeal{ItemID: it.ID, UserID: other, Text: "Unfair"}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("appeal by another user: %v", err)
		}
		if err := s.Appeal(ctx, moderation.Appeal{ItemID: it.ID, UserID: author, Text: " "}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("empty appeal: %v", err)
		}
		if err := s.Appeal(ctx, moderation.Appeal{ItemID: it.ID, UserID: author, Text: "It was a joke"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Appeal(ctx, moderation.Appeal{ItemID: it.ID, UserID: author, Text: "Again"}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("second appeal: %v", err)
		}
		open := openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindComment, ID: c.ID})
		if open.AppealText != "It was a joke" || open.AppealedAt.IsZero() || !hasReason(open, moderation.Appealed) {
			t.Errorf("appealed item %+v", open)
		}
		if counts, _ := s.ModerationCounts(ctx, f.org); counts[moderation.Appealed] != 1 || counts[moderation.WordList] != 0 || counts[""] != 1 {
			t.Errorf("counts with an appeal %v", counts)
		}
		// Uphold: needs a reason; the comment stays hidden.
		if err := s.DecideAppeal(ctx, it.ID, false, "", f.staff); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("uphold without a reason: %v", err)
		}
		if err := s.DecideAppeal(ctx, it.ID, false, "Still rude", f.staff); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Comment(ctx, c.ID); got.State != proposal.CommentHidden {
			t.Errorf("upheld comment %+v", got)
		}
		if got, _ := s.ModerationItem(ctx, it.ID); got.State != moderation.Closed || got.AppealOutcome != moderation.Reject || got.AppealReason != "Still rude" || got.CanAppeal() {
			t.Errorf("upheld item %+v", got)
		}
		if err := s.DecideAppeal(ctx, it.ID, true, "", f.staff); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("deciding an appeal twice: %v", err)
		}
		if err := s.Appeal(ctx, moderation.Appeal{ItemID: it.ID, UserID: author, Text: "Please"}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("appeal after the appeal: %v", err)
		}
		// Reinstate: shown again, and the block the decision set is lifted.
		c2, it2 := hide("Rhubarb again", moderation.RejectBlock)
		if _, err := s.AddComment(ctx, proposal.Comment{ProposalID: f.idea.ID, AuthorID: author, Body: "Hello"}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("blocked: %v", err)
		}
		if err := s.Appeal(ctx, moderation.Appeal{ItemID: it2.ID, UserID: author, Text: "Rhubarb is a plant"}); err != nil {
			t.Fatal(err)
		}
		if err := s.DecideAppeal(ctx, it2.ID, true, "", f.staff); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Comment(ctx, c2.ID); got.State != proposal.CommentVisible || got.Reason != "" {
			t.Errorf("reinstated comment %+v", got)
		}
		if sts, _ := s.Standings(ctx, f.org); len(sts) != 0 {
			t.Errorf("standings after reinstating %+v", sts)
		}
		if _, err := s.AddComment(ctx, proposal.Comment{ProposalID: f.idea.ID, AuthorID: author, Body: "Thanks"}); err != nil {
			t.Errorf("after the block is lifted: %v", err)
		}
		// The author heard of both decisions and both outcomes.
		if jobs := notifyJobs(t, s); len(jobs) != 4 {
			t.Errorf("notify jobs %v", jobs)
		}
		log, _ := s.AuditLog(ctx, f.org, 100)
		if !hasAction(log, "moderation.appeal") || !hasAction(log, "moderation.settings") {
			t.Errorf("audit log lacks appeals or settings")
		}
		// Items never hidden cannot be appealed.
		c3 := comment(t, s, f, author, "Rhubarb crumble")
		it3 := openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindComment, ID: c3.ID})
		if err := s.Appeal(ctx, moderation.Appeal{ItemID: it3.ID, UserID: author, Text: "Why?"}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("appeal of a held item: %v", err)
		}
		if mine, _ := s.AuthorItems(ctx, author); len(mine) != 3 || mine[0].ID != it3.ID || !mine[0].Held {
			t.Errorf("author's items, newest first %+v", mine)
		}
	})
}

func TestModerationScreening(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := modSetup(t, s, "screening", false, false)
		a := propUser(t, s, "a@example.org")

		// Link spam.
		c := comment(t, s, f, a, "Cheap deals http://a.example/x http://b.example/y http://c.example/z")
		it := openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindComment, ID: c.ID})
		if c.State != proposal.CommentHidden || !it.Held || !hasReason(it, moderation.LinkSpam) {
			t.Errorf("link spam %+v %+v", c, it)
		}
		// Plain writing passes; the word list holds after it is saved.
		c = comment(t, s, f, a, "Please add a bench by the swings")
		if c.State != proposal.CommentVisible || hasItem(t, s, f.org, moderation.Ref{Kind: moderation.KindComment, ID: c.ID}) {
			t.Errorf("plain comment %+v", c)
		}
		saveWords(t, s, f, "Swings", "swings")
		if st, _ := s.ModerationSettings(ctx, f.org); len(st.Words) != 1 || st.Words[0] != "swings" {
			t.Errorf("saved words %+v", st.Words)
		}
		c = comment(t, s, f, propUser(t, s, "b@example.org"), "Fix the swings")
		if it := openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindComment, ID: c.ID}); !hasReason(it, moderation.WordList) || !it.Held {
			t.Errorf("word list %+v", it)
		}

		// Near-duplicates across engagements: the fourth copy is a flood.
		text := "Stop the council closing the central library on the high street next spring"
		users := []int64{propUser(t, s, "f1@example.org"), propUser(t, s, "f2@example.org"), propUser(t, s, "f3@example.org"), propUser(t, s, "f4@example.org")}
		comment(t, s, f, users[0], text)
		comment(t, s, f, users[1], text+"!")
		if _, err := s.AddStatement(ctx, f.conv.ID, conversation.Participant{UserID: users[2]}, "Please "+text); err != nil {
			t.Fatal(err)
		}
		st, err := s.AddStatement(ctx, f.conv.ID, conversation.Participant{UserID: users[3]}, text)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != conversation.Pending {
			t.Errorf("flooded statement %+v", st)
		}
		if it := openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindStatement, ID: st.ID}); !hasReason(it, moderation.Flood) {
			t.Errorf("flood reasons %v", reasons(it))
		}

		// A new account writing fast.
		fresh, err := s.EnsureUser(ctx, "fresh@example.org")
		if err != nil {
			t.Fatal(err)
		}
		var last proposal.Comment
		for _, body := range []string{"One thought", "A second thought", "A third thought", "A fourth thought"} {
			last = comment(t, s, f, fresh.ID, body)
		}
		if it := openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindComment, ID: last.ID}); !hasReason(it, moderation.NewAccount) {
			t.Errorf("velocity reasons %v", reasons(it))
		}
		// A throw-away address.
		throw := propUser(t, s, "someone@mailinator.com")
		c = comment(t, s, f, throw, "Hello there")
		if it := openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindComment, ID: c.ID}); !hasReason(it, moderation.DisposableEmail) {
			t.Errorf("disposable reasons %v", reasons(it))
		}

		// Trusted authors skip the signals; blocked ones may not write.
		if err := s.SetStanding(ctx, f.org, a, moderation.Trusted, f.staff); err != nil {
			t.Fatal(err)
		}
		c = comment(t, s, f, a, "Swings http://a.example/x http://b.example/y http://c.example/z")
		if c.State != proposal.CommentVisible || hasItem(t, s, f.org, moderation.Ref{Kind: moderation.KindComment, ID: c.ID}) {
			t.Errorf("trusted author's comment %+v", c)
		}
		if err := s.SetStanding(ctx, f.org, a, moderation.Blocked, f.staff); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddStatement(ctx, f.conv.ID, conversation.Participant{UserID: a}, "Anything"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("blocked author: %v", err)
		}
		if err := s.SetStanding(ctx, f.org, a, moderation.Normal, f.staff); err != nil {
			t.Fatal(err)
		}
		if sts, _ := s.Standings(ctx, f.org); len(sts) != 0 {
			t.Errorf("standings after clearing %+v", sts)
		}
		if err := s.SetStanding(ctx, f.org, a, "sideways", f.staff); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown standing: %v", err)
		}
		log, _ := s.AuditLog(ctx, f.org, 100)
		if !hasAction(log, "moderation.standing") {
			t.Error("standing changes are not audited")
		}

		// Post-moderated responses are published at once unless a signal
		// fires; held ones are withheld until approved.
		r, err := respond(t, s, f, propUser(t, s, "resp@example.org"), "Keep it open")
		if err != nil || r.Withheld {
			t.Fatalf("post-moderated response %+v %v", r, err)
		}
		r2, err := respond(t, s, f, propUser(t, s, "resp2@example.org"), "Swings for all")
		if err != nil || !r2.Withheld {
			t.Fatalf("flagged response %+v %v", r2, err)
		}
		pub, _ := s.Responses(ctx, f.consult.ID, consultation.ResponseFilter{Published: true})
		if len(pub) != 1 || pub[0].ID != r.ID {
			t.Errorf("published responses %+v", pub)
		}
		it = openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindResponse, ID: r2.ID})
		if err := s.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Approve, ActorID: f.staff}); err != nil {
			t.Fatal(err)
		}
		if pub, _ := s.Responses(ctx, f.consult.ID, consultation.ResponseFilter{Published: true}); len(pub) != 2 {
			t.Errorf("published after approval %+v", pub)
		}
	})
}

func TestModerationPerTypeClosesItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := modSetup(t, s, "pertype", true, false)
		saveWords(t, s, f, "rhubarb")
		author := propUser(t, s, "author@example.org")
		pre := propBoard(t, s, f.org, proposal.Ideas, func(b *proposal.Board) { b.Moderation = proposal.PreModeration })
		p := propIdea(t, s, pre, author, "Pond", "Clean it")
		pRef := moderation.Ref{Kind: moderation.KindProposal, ID: p.ID}
		it := openItem(t, s, f.org, pRef)
		if err := s.ModerateProposal(ctx, p.ID, proposal.Rejected, "Duplicate", f.staff); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ModerationItem(ctx, it.ID); got.State != moderation.Closed || got.Decision != moderation.Reject || got.Reason != "Duplicate" {
			t.Errorf("item after ModerateProposal %+v", got)
		}
		c := comment(t, s, f, author, "Rhubarb")
		it = openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindComment, ID: c.ID})
		if err := s.ModerateComment(ctx, c.ID, false, "", f.staff); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ModerationItem(ctx, it.ID); got.State != moderation.Closed || got.Decision != moderation.Approve {
			t.Errorf("item after ModerateComment %+v", got)
		}
		st, _ := s.AddStatement(ctx, f.conv.ID, conversation.Participant{UserID: author}, "Trams")
		it = openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindStatement, ID: st.ID})
		if err := s.ModerateStatement(ctx, f.conv.ID, st.ID, conversation.Rejected, f.staff); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ModerationItem(ctx, it.ID); got.State != moderation.Closed || got.Decision != moderation.Reject {
			t.Errorf("item after ModerateStatement %+v", got)
		}
		if counts, _ := s.ModerationCounts(ctx, f.org); counts[""] != 0 {
			t.Errorf("open items left %v", counts)
		}
		// Hiding through the proposal's page told the author.
		if jobs := notifyJobs(t, s); len(jobs) != 2 {
			t.Errorf("notify jobs %v", jobs)
		}
	})
}

func TestModerationSponsoredPetition(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "sponsors")
		staff := propStaff(t, s)
		b := propBoard(t, s, o.ID, proposal.Petitions, func(b *proposal.Board) { b.SponsorsNeeded = 1 })
		if err := s.SaveModerationSettings(ctx, moderation.Settings{OrgID: o.ID, Words: []string{"rhubarb"}}, staff); err != nil {
			t.Fatal(err)
		}
		// A petition held while collecting sponsors goes to moderation,
		// not publication, when it has them.
		p, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: b.ID, AuthorID: propUser(t, s, "pat@example.org"), AuthorName: "Pat",
			Title: "Rhubarb fields", Body: "Because."}, &proposal.Signature{Name: "Pat", Email: "pat@example.org", Postcode: "CF10 1AA", Country: "GB", UKResident: true})
		if err != nil || p.Stage != proposal.Sponsoring {
			t.Fatalf("held petition %+v %v", p, err)
		}
		var c sigCompose
		sig := signer(p, "sponsor@example.org", "")
		sig.Sponsor = true
		if err := s.SubmitSignature(ctx, sig, c.compose); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ConfirmSignature(ctx, c.token(sig.Email)); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Proposal(ctx, p.ID)
		if got.Stage != proposal.Pending {
			t.Errorf("held petition after its sponsors: %s", got.Stage)
		}
	})
}

// TestFloodWindow: the flood signal sees copies written since the index
// was built, and forgets copies more than a day old once it is rebuilt.
func TestFloodWindow(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		f := modSetup(t, s, "floods", false, false)
		text := "Keep the swimming pool open on Sunday mornings for families and for older people"
		flooded := func(i int) bool {
			t.Helper()
			c := comment(t, s, f, propUser(t, s, fmt.Sprintf("swim%d@example.org", i)), text)
			return hasItem(t, s, f.org, moderation.Ref{Kind: moderation.KindComment, ID: c.ID})
		}
		for i := range 3 {
			if flooded(i) {
				t.Fatalf("copy %d flagged before there were three", i+1)
			}
			clock.Advance(10 * time.Minute)
		}
		if !flooded(3) {
			t.Error("the fourth copy within the hour is not a flood")
		}
		clock.Advance(26 * time.Hour)
		if flooded(4) {
			t.Error("copies from more than a day ago still count")
		}
	})
}

// TestConcurrentFirstReports: people reporting the same comment at the
// same moment all succeed, into one item.
func TestConcurrentFirstReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := modSetup(t, s, "reports-race", false, false)
		c := comment(t, s, f, propUser(t, s, "author@example.org"), "The new cycle lane is a waste of everyone's money")
		const n = 6
		reporters := make([]int64, n)
		for i := range reporters {
			reporters[i] = propUser(t, s, fmt.Sprintf("reporter%d@example.org", i))
		}
		errs := make(chan error, n)
		start := make(chan struct{})
		for _, id := range reporters {
			go func() {
				<-start
				errs <- s.Report(ctx, moderation.Report{Ref: moderation.Ref{Kind: moderation.KindComment, ID: c.ID}, ReporterID: id, Category: moderation.ReportAbuse})
			}()
		}
		close(start)
		for range n {
			if err := <-errs; err != nil {
				t.Errorf("report: %v", err)
			}
		}
		it := openItem(t, s, f.org, moderation.Ref{Kind: moderation.KindComment, ID: c.ID})
		if len(it.Flags) != n || !it.Held {
			t.Errorf("item %d flags, held %v", len(it.Flags), it.Held)
		}
	})
}
