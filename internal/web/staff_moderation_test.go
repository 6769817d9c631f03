package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/consultation"
	"parley/internal/conversation"
	"parley/internal/i18n"
	"parley/internal/moderation"
	"parley/internal/org"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/web"
	"parley/internal/web/htmlcheck"
)

// rawModerationID finds a moderation message ID shown untranslated.
var rawModerationID = regexp.MustCompile(`\b(moderation|error)\.[a-z_]+\.[a-z_.]+\b`)

// modPage gets a page in English and in Welsh, checks the status and that
// no message is left untranslated, and returns the English page.
func (s *staffProposalSite) modPage(c *http.Client, path string, want int) (string, *htmlcheck.Doc) {
	s.t.Helper()
	var en string
	for _, lang := range []string{"cy", "en"} {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		code, body, _ := s.get(c, path+sep+"lang="+lang)
		if code != want {
			s.t.Fatalf("GET %s (%s): %d, want %d\n%s", path, lang, code, want, body)
		}
		if m := rawModerationID.FindString(body); m != "" {
			s.t.Errorf("GET %s (%s): untranslated %s", path, lang, m)
		}
		en = body
	}
	return en, htmlcheck.Parse(s.t, en)
}

// userID signs a citizen in (making their account) and returns their ID.
func (s *staffProposalSite) userID(t *testing.T, email, name string) int64 {
	t.Helper()
	s.signIn(s.client(), email)
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	if name != "" {
		if err := s.store.SetDisplayName(ctx, u.ID, name); err != nil {
			t.Fatal(err)
		}
	}
	return u.ID
}

// modFixture is a queue with items of three kinds.
type modFixture struct {
	held, rejectMe, trustMe proposal.Proposal // pre-moderated ideas
	petition                proposal.Proposal // published, post-moderated
	comment                 proposal.Comment  // reported
	statement               conversation.Statement
	ann, bob, cai           int64 // authors
	items                   map[moderation.Ref]int64
}

func newModFixture(t *testing.T, s *staffProposalSite) *modFixture {
	t.Helper()
	f := &modFixture{items: map[moderation.Ref]int64{}}
	f.ann, f.bob, f.cai = s.userID(t, "ann@x.example", "Ann Jones"), s.userID(t, "bob@x.example", "Bob Lee"), s.userID(t, "cai@x.example", "Cai Evans")
	ideas := s.board(t, proposal.Board{Kind: proposal.Ideas, TitleEN: "Ideas for the park", Moderation: proposal.PreModeration, ResponseThreshold: 100})
	f.held = s.propose(t, ideas.ID, "A bandstand by the lake", f.ann)
	f.rejectMe = s.propose(t, ideas.ID, "Close the library on Sundays", f.cai)
	f.trustMe = s.propose(t, ideas.ID, "Plant an orchard near the school", f.bob)
	for _, p := range []proposal.Proposal{f.held, f.rejectMe, f.trustMe} {
		if p.Stage != proposal.Pending {
			t.Fatalf("pre-moderated idea at %s", p.Stage)
		}
	}
	petitions := s.board(t, proposal.Board{Kind: proposal.Petitions, TitleEN: "Petitions", ResponseThreshold: 10, DebateThreshold: 100})
	f.petition = s.propose(t, petitions.ID, "Fix the potholes on Mill Lane", f.ann)
	if f.petition.Stage != proposal.Published {
		t.Fatalf("petition at %s", f.petition.Stage)
	}
	var err error
	f.comment, err = s.store.AddComment(ctx, proposal.Comment{ProposalID: f.petition.ID, AuthorID: f.bob, AuthorName: "Bob Lee", Body: "Whoever wrote this is an idiot."})
	if err != nil {
		t.Fatal(err)
	}
	conv, err := s.store.CreateConversation(ctx, conversation.Conversation{OrgID: s.org.ID, TitleEN: "Town centre", QuestionEN: "What next?",
		Status: conversation.Open, Moderation: conversation.PostModeration, Anonymous: true}, []string{"Call Mrs Price on 07700 900123 about the market"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	sts, err := s.store.Statements(ctx, conv.ID, conversation.Approved)
	if err != nil || len(sts) != 1 {
		t.Fatalf("statements %v %v", sts, err)
	}
	f.statement = sts[0]
	for _, r := range []moderation.Report{
		{Ref: moderation.Ref{Kind: moderation.KindComment, ID: f.comment.ID}, ReporterID: f.ann, Category: moderation.ReportAbuse, Detail: "Calls people names"},
		{Ref: moderation.Ref{Kind: moderation.KindStatement, ID: f.statement.ID}, ReporterID: f.cai, Category: moderation.ReportPersonalData},
	} {
		if err := s.store.Report(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	items, err := s.store.ModerationQueue(ctx, s.org.ID, moderation.QueueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		f.items[it.Ref] = it.ID
	}
	for _, ref := range []moderation.Ref{{Kind: moderation.KindProposal, ID: f.held.ID}, {Kind: moderation.KindProposal, ID: f.rejectMe.ID},
		{Kind: moderation.KindProposal, ID: f.trustMe.ID}, {Kind: moderation.KindComment, ID: f.comment.ID}, {Kind: moderation.KindStatement, ID: f.statement.ID}} {
		if f.items[ref] == 0 {
			t.Fatalf("no item for %s in %+v", ref, items)
		}
	}
	return f
}

func (f *modFixture) url(s *staffProposalSite, kind moderation.Kind, id int64) string {
	return "/staff/" + s.org.Slug + "/moderation/" + itoa(f.items[moderation.Ref{Kind: kind, ID: id}])
}

func TestModerationQueue(t *testing.T) {
	s := newStaffProposalSite(t, store.SQLite)
	f := newModFixture(t, s)
	q := "/staff/" + s.org.Slug + "/moderation"

	body, doc := s.modPage(s.moderator, q, http.StatusOK)
	for _, want := range []string{"A bandstand by the lake", "Ideas for the park", "Whoever wrote this is an idiot.", "Fix the potholes on Mill Lane",
		"Call Mrs Price", "Town centre", "Checked before publishing", "Reported by a citizen", "Offensive, hateful or threatening", "Calls people names",
		"Personal information about someone", "Hidden until decided", "Ann Jones", "Bob Lee"} {
		if !strings.Contains(body, want) {
			t.Errorf("queue lacks %q", want)
		}
	}
	if n := doc.Count(".govuk-summary-card"); n != 5 {
		t.Errorf("%d items in the queue, want 5", n)
	}
	if doc.Count("table caption") != 1 || !strings.Contains(doc.Text("table"), "Reported by a citizen") {
		t.Errorf("no counts by reason: %q", doc.Text("table"))
	}
	if doc.Count("label[for=kind]") != 1 || doc.Count("label[for=reason]") != 1 {
		t.Error("filters have no labels")
	}
	// Filters: by kind, by reason.
	_, doc = s.modPage(s.moderator, q+"?kind=comment", http.StatusOK)
	if n := doc.Count(".govuk-summary-card"); n != 1 || !strings.Contains(doc.Text("main"), "idiot") {
		t.Errorf("kind filter: %d items", n)
	}
	_, doc = s.modPage(s.moderator, q+"?reason=report", http.StatusOK)
	if n := doc.Count(".govuk-summary-card"); n != 2 || strings.Contains(doc.Text("main"), "bandstand") {
		t.Errorf("reason filter: %d items", n)
	}
	_, doc = s.modPage(s.moderator, q+"?state=closed", http.StatusOK)
	if doc.Count(".govuk-summary-card") != 0 || !strings.Contains(doc.Text("main"), "Nothing has been decided yet.") {
		t.Error("decided tab not empty")
	}
	// The staff dashboard links the queue with its count, for moderators only.
	if _, body, _ := s.get(s.moderator, "/staff/"+s.org.Slug); !strings.Contains(body, "Moderation (5 open)") {
		t.Error("dashboard has no moderation link with the count")
	}
	if _, body, _ := s.get(s.analyst, "/staff/"+s.org.Slug); strings.Contains(body, "/moderation") {
		t.Error("dashboard links the queue for an analyst")
	}
	// Only moderators and admins.
	for _, c := range []*http.Client{s.analyst, s.editor, s.citizen} {
		for _, path := range []string{q, f.url(s, moderation.KindProposal, f.held.ID), q + "/settings", q + "/authors"} {
			if code, _, _ := s.get(c, path); code != http.StatusForbidden {
				t.Errorf("GET %s: %d, want 403", path, code)
			}
		}
		if code, _, _ := s.post(c, f.url(s, moderation.KindProposal, f.held.ID), url.Values{"decision": {"approve"}}, ""); code != http.StatusForbidden {
			t.Errorf("POST decision: %d, want 403", code)
		}
	}
	if code, _, _ := s.get(s.admin, q); code != http.StatusOK {
		t.Errorf("admin: %d", code)
	}
}

func TestModerationDecisions(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { moderationDecisions(t, d) })
	}
}

func moderationDecisions(t *testing.T, d store.Dialect) {
	s := newStaffProposalSite(t, d)
	f := newModFixture(t, s)

	// The item page: full text, flags, the decision form.
	item := f.url(s, moderation.KindProposal, f.held.ID)
	body, doc := s.modPage(s.moderator, item, http.StatusOK)
	if !strings.Contains(body, "A bandstand by the lake") || doc.Count("input[name=decision]") != 5 || doc.Count("fieldset legend") != 1 ||
		doc.Count("textarea#reason") != 1 || doc.Count("textarea#redacted") != 1 || doc.Count("label[for=redacted]") != 1 {
		t.Fatalf("item page form: %d decisions", doc.Count("input[name=decision]"))
	}
	if !strings.Contains(doc.Text("textarea#redacted"), "A bandstand by the lake") {
		t.Error("redacted text not prefilled")
	}

	// Validation: no decision; reject without a reason.
	code, body, _ := s.post(s.moderator, item, url.Values{"reason": {"x"}}, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Attr(".govuk-error-summary a", "href") != "#decision" || doc.Count("input#decision") != 1 {
		t.Errorf("no decision: %d %q", code, doc.Text(".govuk-error-summary"))
	}
	code, body, _ = s.post(s.moderator, item, url.Values{"decision": {"reject"}, "reason": {"  "}}, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Attr(".govuk-error-summary a", "href") != "#reason" ||
		!strings.Contains(doc.Text(".govuk-error-summary"), "Enter a reason") || doc.Count("input[value=reject][checked]") != 1 {
		t.Errorf("reject without reason: %d %q", code, doc.Text(".govuk-error-summary"))
	}
	if p, _ := s.store.Proposal(ctx, f.held.ID); p.Stage != proposal.Pending {
		t.Fatalf("a failed decision moved the idea to %s", p.Stage)
	}

	// Approve: the idea is published, the item closed; deciding again is a conflict.
	if code, _, h := s.post(s.moderator, item, url.Values{"decision": {"approve"}}, ""); code != http.StatusSeeOther || h.Get("Location") != "/staff/"+s.org.Slug+"/moderation" {
		t.Fatalf("approve: %d", code)
	}
	if p, _ := s.store.Proposal(ctx, f.held.ID); p.Stage != proposal.Published {
		t.Errorf("approved idea at %s", p.Stage)
	}
	body, doc = s.modPage(s.moderator, item, http.StatusOK)
	if doc.Count("input[name=decision]") != 0 || !strings.Contains(body, "Approved") || !strings.Contains(body, "moderator@x.example") {
		t.Error("decided item still offers the form or lacks its history")
	}
	code, body, _ = s.post(s.moderator, item, url.Values{"decision": {"reject"}, "reason": {"Late"}}, "")
	if code != http.StatusConflict || !strings.Contains(body, "Someone has already decided this") {
		t.Errorf("second decision: %d", code)
	}

	// Approve and trust: the author is trusted.
	if code, _, _ := s.post(s.moderator, f.url(s, moderation.KindProposal, f.trustMe.ID), url.Values{"decision": {"approve_trust"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("approve_trust: %d", code)
	}

	// Reject and block the comment's author: hidden, blocked.
	if code, _, _ := s.post(s.moderator, f.url(s, moderation.KindComment, f.comment.ID), url.Values{"decision": {"reject_block"}, "reason": {"Personal abuse"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("reject_block: %d", code)
	}
	if c, _ := s.store.Comment(ctx, f.comment.ID); c.State != proposal.CommentHidden {
		t.Errorf("rejected comment %s", c.State)
	}

	// Redact the statement: anonymous, so no trust or block on offer.
	st := f.url(s, moderation.KindStatement, f.statement.ID)
	if _, doc := s.modPage(s.moderator, st, http.StatusOK); doc.Count("input[name=decision]") != 3 {
		t.Errorf("anonymous statement offers %d decisions", doc.Count("input[name=decision]"))
	}
	code, body, _ = s.post(s.moderator, st, url.Values{"decision": {"redact"}, "redacted": {""}}, "")
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#redacted"`) {
		t.Errorf("empty redaction: %d", code)
	}
	if code, _, _ := s.post(s.moderator, st, url.Values{"decision": {"redact"}, "redacted": {"Call [name removed] about the market"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("redact: %d", code)
	}
	conv := f.statement.ConversationID
	sts, _ := s.store.Statements(ctx, conv, conversation.Approved)
	if len(sts) != 1 || sts[0].Text != "Call [name removed] about the market" {
		t.Errorf("redacted statement %+v", sts)
	}
	if body, _ := s.modPage(s.moderator, st, http.StatusOK); strings.Contains(body, "07700") {
		t.Error("the item keeps the personal data")
	}

	// Reject, then the author appeals; the appeal is decided.
	rej := f.url(s, moderation.KindProposal, f.rejectMe.ID)
	if code, _, _ := s.post(s.moderator, rej, url.Values{"decision": {"reject"}, "reason": {"Libraries are not run by the parks team"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("reject: %d", code)
	}
	if p, _ := s.store.Proposal(ctx, f.rejectMe.ID); p.Stage != proposal.Rejected {
		t.Errorf("rejected idea at %s", p.Stage)
	}
	itemID := f.items[moderation.Ref{Kind: moderation.KindProposal, ID: f.rejectMe.ID}]
	if err := s.store.Appeal(ctx, moderation.Appeal{ItemID: itemID, UserID: f.cai, Text: "The library is in the park."}); err != nil {
		t.Fatal(err)
	}
	body, doc = s.modPage(s.moderator, rej, http.StatusOK)
	if doc.Count("input[name=outcome]") != 2 || doc.Count("input[name=decision]") != 0 || !strings.Contains(body, "The library is in the park.") {
		t.Fatalf("appeal form missing: %d", doc.Count("input[name=outcome]"))
	}
	code, body, _ = s.post(s.moderator, rej+"/appeal", url.Values{"outcome": {"uphold"}}, "")
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#appeal_reason"`) {
		t.Errorf("uphold without reason: %d", code)
	}
	if code, _, _ := s.post(s.moderator, rej+"/appeal", url.Values{"outcome": {"reinstate"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("reinstate: %d", code)
	}
	if p, _ := s.store.Proposal(ctx, f.rejectMe.ID); p.Stage != proposal.Published {
		t.Errorf("reinstated idea at %s", p.Stage)
	}
	if body, _ := s.modPage(s.moderator, rej, http.StatusOK); !strings.Contains(body, "Reinstated") {
		t.Error("history lacks the appeal's outcome")
	}

	// The decided tab lists them all; the open queue is empty.
	_, doc = s.modPage(s.moderator, "/staff/"+s.org.Slug+"/moderation?state=closed", http.StatusOK)
	if n := doc.Count(".govuk-summary-card"); n != 5 {
		t.Errorf("%d decided items", n)
	}
	if body, _ := s.modPage(s.moderator, "/staff/"+s.org.Slug+"/moderation", http.StatusOK); !strings.Contains(body, "Nothing is waiting for a moderator.") {
		t.Error("queue not empty")
	}

	// Standings: the trusted and the blocked author are listed, and cleared.
	authors := "/staff/" + s.org.Slug + "/moderation/authors"
	body, doc = s.modPage(s.moderator, authors, http.StatusOK)
	if !strings.Contains(body, "Bob Lee") || !strings.Contains(body, "Trusted") && !strings.Contains(body, "Blocked") || doc.Count("table caption") != 1 {
		t.Errorf("authors page: %q", doc.Text("main"))
	}
	list, err := s.store.Standings(ctx, s.org.ID)
	if err != nil || len(list) == 0 {
		t.Fatalf("standings %v %v", list, err)
	}
	for _, a := range list {
		if code, _, _ := s.post(s.moderator, authors+"/"+itoa(a.UserID)+"/standing", url.Values{"standing": {""}}, ""); code != http.StatusSeeOther {
			t.Errorf("clear %d: %d", a.UserID, code)
		}
	}
	if list, _ := s.store.Standings(ctx, s.org.ID); len(list) != 0 {
		t.Errorf("standings left: %+v", list)
	}
	if body, _ := s.modPage(s.moderator, authors, http.StatusOK); !strings.Contains(body, "No authors are trusted or blocked.") {
		t.Error("authors page not empty")
	}
}

func TestModerationOtherOrganisation(t *testing.T) {
	s := newStaffProposalSite(t, store.SQLite)
	f := newModFixture(t, s)
	other, err := s.store.CreateOrg(ctx, org.Organisation{Slug: "elsewhere", NameEN: "Elsewhere"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.AddStaff(ctx, other.ID, "mod@elsewhere.example", account.RoleModerator, 0); err != nil {
		t.Fatal(err)
	}
	c := s.client()
	s.signIn(c, "mod@elsewhere.example")
	id := itoa(f.items[moderation.Ref{Kind: moderation.KindProposal, ID: f.held.ID}])
	if code, _, _ := s.get(c, "/staff/elsewhere/moderation/"+id); code != http.StatusNotFound {
		t.Errorf("another organisation's item through mine: %d, want 404", code)
	}
	if code, _, _ := s.post(c, "/staff/elsewhere/moderation/"+id, url.Values{"decision": {"approve"}}, ""); code != http.StatusNotFound {
		t.Errorf("deciding another organisation's item: %d, want 404", code)
	}
	if code, _, _ := s.get(c, "/staff/"+s.org.Slug+"/moderation/"+id); code != http.StatusForbidden {
		t.Errorf("another organisation's queue: %d, want 403", code)
	}
	if _, body, _ := s.get(c, "/staff/elsewhere/moderation"); strings.Contains(body, "bandstand") {
		t.Error("another organisation's queue shows my items")
	}
}

func TestModerationSettingsPage(t *testing.T) {
	s := newStaffProposalSite(t, store.SQLite)
	path := "/staff/" + s.org.Slug + "/moderation/settings"
	_, doc := s.modPage(s.moderator, path, http.StatusOK)
	if doc.Count("label[for=words]") != 1 || doc.Count("label[for=guidelines_en]") != 1 || doc.Count("label[for=guidelines_cy]") != 1 ||
		doc.Attr("a[href='/organisations/"+s.org.Slug+"/guidelines']", "href") == "" {
		t.Error("settings form incomplete")
	}
	code, body, _ := s.post(s.moderator, path, url.Values{"words": {"ok\n" + strings.Repeat("x", 61)}, "guidelines_en": {"Be kind."}}, "")
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#words"`) || !strings.Contains(body, "Be kind.") {
		t.Errorf("long word: %d", code)
	}
	code, _, _ = s.post(s.moderator, path, url.Values{"words": {"Buy now\r\nbuy now\nCASINO, spam"}, "guidelines_en": {"Be **kind**."}, "guidelines_cy": {"Byddwch yn **garedig**."}}, "")
	if code != http.StatusSeeOther {
		t.Fatalf("save: %d", code)
	}
	st, err := s.store.ModerationSettings(ctx, s.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(st.Words, "|") != "buy now|casino|spam" || st.GuidelinesEN != "Be **kind**." || st.GuidelinesCY != "Byddwch yn **garedig**." {
		t.Errorf("saved %+v", st)
	}
	if _, body, _ := s.get(s.moderator, path+"?lang=en"); !strings.Contains(body, "Moderation settings saved.") {
		t.Error("no flash")
	}
	if body, _ := s.modPage(s.moderator, path, http.StatusOK); !strings.Contains(body, ">buy now\ncasino\nspam</textarea>") {
		t.Error("saved words not shown one a line")
	}
	// Audited by the store.
	log, err := s.store.AuditLog(ctx, s.org.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range log {
		found = found || strings.HasPrefix(e.Action, "moderation.")
	}
	if !found {
		t.Error("settings not audited")
	}
}

func TestModerationRoutesAndPermissions(t *testing.T) {
	s := newSite(t, store.SQLite)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{Store: s.store, Sessions: s.store.Sessions(), Catalogue: cat, Brand: "neutral", SessionTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	srv.Handler()
	want := map[string]account.Permission{
		"GET /staff/{org}/moderation":                          account.PermModerate,
		"GET /staff/{org}/moderation/{id}":                     account.PermModerate,
		"POST /staff/{org}/moderation/{id}":                    account.PermModerate,
		"POST /staff/{org}/moderation/{id}/appeal":             account.PermModerate,
		"GET /staff/{org}/moderation/settings":                 account.PermModerate,
		"POST /staff/{org}/moderation/settings":                account.PermModerate,
		"GET /staff/{org}/moderation/authors":                  account.PermModerate,
		"POST /staff/{org}/moderation/authors/{user}/standing": account.PermModerate,
	}
	for _, rt := range srv.StaffRoutes() {
		key := rt.Method + " " + rt.Pattern
		if perm, ok := want[key]; ok {
			if rt.Perm != perm {
				t.Errorf("%s needs %s, want %s", key, rt.Perm, perm)
			}
			delete(want, key)
		}
	}
	for key := range want {
		t.Errorf("%s not registered", key)
	}
}

func TestConsultationModerationField(t *testing.T) {
	s := newSite(t, store.SQLite)
	staff := s.client()
	if _, err := s.store.AddStaff(ctx, s.org.ID, "editor@x.example", account.RoleEditor, 0); err != nil {
		t.Fatal(err)
	}
	s.signIn(staff, "editor@x.example")
	_, body, _ := s.get(staff, "/staff/north-shire/consultations/new")
	doc := htmlcheck.Parse(t, body)
	if doc.Count("input[name=moderation]") != 2 || doc.Count("input#moderation-2[value=post][checked]") != 1 ||
		!strings.Contains(doc.Text("main"), "Checked before they appear (pre-moderation)") {
		t.Fatalf("no moderation choice on the new consultation form")
	}
	form := url.Values{"title_en": {"Bus lanes"}, "summary_en": {"Should the high street have a bus lane?"}, "layout": {"one-per-page"}, "moderation": {"pre"}}
	code, _, h := s.post(staff, "/staff/north-shire/consultations", form, "")
	if code != http.StatusSeeOther {
		t.Fatalf("create: %d", code)
	}
	manage := h.Get("Location")
	id, _ := strconv.ParseInt(manage[strings.LastIndex(manage, "/")+1:], 10, 64)
	if c, err := s.store.Consultation(ctx, id); err != nil || c.Moderation != consultation.PreModeration {
		t.Fatalf("created with %q %v", c.Moderation, err)
	}
	_, body, _ = s.get(staff, manage)
	if htmlcheck.Parse(t, body).Count("input#moderation[value=pre][checked]") != 1 {
		t.Error("manage page does not show pre-moderation chosen")
	}
	form.Set("moderation", "post")
	if code, _, _ := s.post(staff, manage, form, ""); code != http.StatusSeeOther {
		t.Fatalf("update: %d", code)
	}
	if c, _ := s.store.Consultation(ctx, id); c.Moderation != consultation.PostModeration {
		t.Errorf("updated to %q", c.Moderation)
	}
}
