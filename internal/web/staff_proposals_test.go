package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/i18n"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/web"
	"parley/internal/web/htmlcheck"
)

// rawMessageID finds a message ID shown untranslated.
var rawMessageID = regexp.MustCompile(`\b(boards|proposals|petitions|comments|error)\.[a-z_]+\.[a-z_.]+\b`)

// staffProposalSite is a site with a signed-in client for each staff role.
type staffProposalSite struct {
	*site
	admin, editor, moderator, analyst, citizen *http.Client
}

func newStaffProposalSite(t *testing.T, d store.Dialect) *staffProposalSite {
	s := &staffProposalSite{site: newSite(t, d, func(o *web.Options) { o.SignInBurst = 100 })}
	for _, c := range []struct {
		cl   **http.Client
		role account.Role
	}{{&s.admin, account.RoleAdmin}, {&s.editor, account.RoleEditor}, {&s.moderator, account.RoleModerator}, {&s.analyst, account.RoleAnalyst}, {&s.citizen, ""}} {
		email := string(c.role) + "@x.example"
		if c.role == "" {
			email = "citizen@x.example"
		} else if _, err := s.store.AddStaff(ctx, s.org.ID, email, c.role, 0); err != nil {
			t.Fatal(err)
		}
		*c.cl = s.client()
		s.signIn(*c.cl, email)
	}
	return s
}

// page gets a page in English and in Welsh, checks the status and that no
// message is left untranslated, and returns the English page.
func (s *staffProposalSite) page(c *http.Client, path string, want int) (string, *htmlcheck.Doc) {
	s.t.Helper()
	var en string
	for _, lang := range []string{"en", "cy"} {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		code, body, _ := s.get(c, path+sep+"lang="+lang)
		if code != want {
			s.t.Fatalf("GET %s (%s): %d, want %d\n%s", path, lang, code, want, body)
		}
		if m := rawMessageID.FindString(body); m != "" && code == http.StatusOK {
			s.t.Errorf("GET %s (%s): untranslated %s", path, lang, m)
		}
		if lang == "en" {
			en = body
		}
	}
	s.get(c, "/?lang=en") // back to English for what follows
	return en, htmlcheck.Parse(s.t, en)
}

func (s *staffProposalSite) board(t *testing.T, b proposal.Board) proposal.Board {
	t.Helper()
	b.OrgID, b.Accepting = s.org.ID, true
	if b.TitleEN == "" {
		b.TitleEN = "Board"
	}
	if b.Moderation == "" {
		b.Moderation = proposal.PostModeration
	}
	if b.ResponseDays == 0 {
		b.ResponseDays = 28
	}
	saved, err := s.store.CreateBoard(ctx, b, 0)
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

func (s *staffProposalSite) propose(t *testing.T, boardID int64, title string, author int64) proposal.Proposal {
	t.Helper()
	p, err := s.store.CreateProposal(ctx, proposal.Proposal{BoardID: boardID, AuthorID: author, AuthorName: "Ann Jones", Title: title,
		Body: "Please do **this**."}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStaffProposalRoutesAndPermissions(t *testing.T) {
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
		"GET /staff/{org}/boards":                        account.PermStaffArea,
		"GET /staff/{org}/boards/new":                    account.PermEdit,
		"POST /staff/{org}/boards":                       account.PermEdit,
		"GET /staff/{org}/boards/{id}":                   account.PermEdit,
		"POST /staff/{org}/boards/{id}":                  account.PermEdit,
		"GET /staff/{org}/proposals":                     account.PermStaffArea,
		"GET /staff/{org}/proposals/{id}":                account.PermStaffArea,
		"POST /staff/{org}/proposals/{id}/moderate":      account.PermModerate,
		"POST /staff/{org}/proposals/{id}/status":        account.PermEdit,
		"POST /staff/{org}/proposals/{id}/merge":         account.PermModerate,
		"POST /staff/{org}/comments/{id}/moderate":       account.PermModerate,
		"GET /staff/{org}/petitions/fraud":               account.PermModerate,
		"POST /staff/{org}/petitions/blocks":             account.PermModerate,
		"POST /staff/{org}/petitions/blocks/{id}/delete": account.PermModerate,
		"POST /staff/{org}/petitions/invalidate":         account.PermModerate,
		"GET /staff/{org}/petitions/areas":               account.PermEdit,
		"POST /staff/{org}/petitions/areas":              account.PermEdit,
	}
	got := map[string]account.Permission{}
	for _, rt := range srv.StaffRoutes() {
		got[rt.Method+" "+rt.Pattern] = rt.Perm
	}
	for route, perm := range want {
		if got[route] != perm {
			t.Errorf("%s: %q, want %q", route, got[route], perm)
		}
	}
}

// TestStaffBoards: an editor creates a board (mistakes first), edits it
// keeping its categories' slugs; analysts see the list but not the forms.
func TestStaffBoards(t *testing.T) {
	s := newStaffProposalSite(t, store.SQLite)
	_, doc := s.page(s.editor, "/staff/north-shire/boards", http.StatusOK)
	if doc.Count("a[href='/staff/north-shire/boards/new?kind=petitions']") != 1 {
		t.Errorf("editor has no create button")
	}
	s.page(s.editor, "/staff/north-shire/boards/new", http.StatusOK)
	s.page(s.editor, "/staff/north-shire/boards/new?kind=ideas", http.StatusOK)
	_, doc = s.page(s.analyst, "/staff/north-shire/boards", http.StatusOK)
	if doc.Count("a[href^='/staff/north-shire/boards/new']") != 0 {
		t.Errorf("analyst sees the create button")
	}
	if code, _, _ := s.get(s.analyst, "/staff/north-shire/boards/new"); code != http.StatusForbidden {
		t.Errorf("analyst new: %d", code)
	}

	form := url.Values{"kind": {"petitions"}, "title_en": {""}, "title_cy": {"Deisebau"}, "moderation": {"pre"}, "accepting": {"yes"},
		"response_threshold": {"10,000"}, "debate_threshold": {"5000"}, "response_days": {"twenty"}, "sponsors_needed": {"5"},
		"open_days": {"182"}, "alert_per_hour": {""}, "categories": {"Roads | Ffyrdd\nParks | Parciau\n"}}
	code, body, _ := s.post(s.editor, "/staff/north-shire/boards", form, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#response_days']") != 1 ||
		doc.Count(".govuk-error-summary a[href='#title_en']") != 1 || doc.Count(".govuk-error-summary a[href='#debate_threshold']") != 1 ||
		doc.Count("#response_days-error") != 1 || doc.Attr("#response_days", "value") != "twenty" || doc.Attr("#title_cy", "value") != "Deisebau" ||
		!strings.Contains(doc.Text("#categories"), "Parks | Parciau") || doc.Count("#kind-2[checked]") != 1 {
		t.Fatalf("invalid create: %d\n%s", code, body)
	}
	if m := rawMessageID.FindString(body); m != "" {
		t.Errorf("untranslated %s", m)
	}
	form.Set("title_en", "Petitions")
	form.Set("response_days", "28")
	form.Set("debate_threshold", "100000")
	if code, body, h := s.post(s.editor, "/staff/north-shire/boards", form, ""); code != http.StatusSeeOther || h.Get("Location") != "/staff/north-shire/boards" {
		t.Fatalf("create: %d\n%s", code, body)
	}
	boards, err := s.store.Boards(ctx, s.org.ID)
	if err != nil || len(boards) != 1 {
		t.Fatalf("boards %+v %v", boards, err)
	}
	b := boards[0]
	if b.Kind != proposal.Petitions || b.ResponseThreshold != 10000 || b.AlertPerHour != 0 || b.SponsorsNeeded != 5 || len(b.Categories) != 2 ||
		b.Categories[1].NameCY != "Parciau" || b.Moderation != proposal.PreModeration || !b.Accepting {
		t.Fatalf("created %+v", b)
	}
	edit := "/staff/north-shire/boards/" + strconv.FormatInt(b.ID, 10)
	_, doc = s.page(s.editor, edit, http.StatusOK)
	if doc.Attr("#title_en", "value") != "Petitions" || doc.Count("input[name='kind']") != 0 || !strings.Contains(doc.Text("#categories"), "Roads | Ffyrdd") {
		t.Errorf("edit form")
	}
	// Renaming a category in English keeps its slug by its Welsh name.
	form.Set("categories", "Highways | Ffyrdd\nParks | Parciau")
	form.Del("accepting")
	if code, body, _ := s.post(s.editor, edit, form, ""); code != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", code, body)
	}
	b2, _ := s.store.Board(ctx, b.ID)
	if b2.Accepting || b2.Categories[0].NameEN != "Highways" || b2.Categories[0].Slug != b.Categories[0].Slug || b2.Kind != proposal.Petitions {
		t.Errorf("updated %+v", b2)
	}
	if code, _, _ := s.post(s.moderator, edit, form, ""); code != http.StatusForbidden {
		t.Errorf("moderator update: %d", code)
	}
	_, doc = s.page(s.analyst, "/staff/north-shire/boards", http.StatusOK)
	if !strings.Contains(doc.Text("tbody"), "Petitions") {
		t.Errorf("list lacks the board")
	}
	// The organisation page links to the new pages; fraud controls for moderators only.
	_, doc = s.page(s.moderator, "/staff/north-shire", http.StatusOK)
	if doc.Count("a[href='/staff/north-shire/boards']") != 1 || doc.Count("a[href='/staff/north-shire/proposals']") != 1 ||
		doc.Count("a[href='/staff/north-shire/petitions/fraud']") != 1 {
		t.Errorf("moderator's organisation page lacks links")
	}
	_, doc = s.page(s.editor, "/staff/north-shire", http.StatusOK)
	if doc.Count("a[href='/staff/north-shire/petitions/fraud']") != 0 {
		t.Errorf("editor sees the fraud controls link")
	}
}

// TestStaffProposalModeration: a pre-moderated proposal waits in the
// queue; rejecting needs a reason; approving publishes; hiding and
// restoring work; comments reported by citizens are hidden from the queue.
func TestStaffProposalModeration(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { staffProposalModeration(t, newStaffProposalSite(t, d)) })
	}
}

func staffProposalModeration(t *testing.T, s *staffProposalSite) {
	b := s.board(t, proposal.Board{Kind: proposal.Ideas, Moderation: proposal.PreModeration, ResponseThreshold: 2, TitleEN: "Ideas"})
	author, _ := s.store.EnsureUser(ctx, "author@x.example")
	p := s.propose(t, b.ID, "A skate park in Victoria Park", author.ID)
	q := s.propose(t, b.ID, "More benches on the prom", author.ID)
	if p.Stage != proposal.Pending {
		t.Fatalf("stage %s", p.Stage)
	}
	_, doc := s.page(s.analyst, "/staff/north-shire/proposals", http.StatusOK)
	if !strings.Contains(doc.Text("#pending-caption"), "") || !strings.Contains(htmlcheck.TextOf(doc.All("table")[0]), "A skate park in Victoria Park") {
		t.Errorf("queue lacks the pending proposal")
	}
	manage := "/staff/north-shire/proposals/" + strconv.FormatInt(p.ID, 10)
	_, doc = s.page(s.analyst, manage, http.StatusOK)
	if doc.Count("form[action$='/moderate']") != 0 || doc.Count("form[action$='/status']") != 0 {
		t.Errorf("analyst sees moderation or status forms")
	}
	_, doc = s.page(s.moderator, manage, http.StatusOK)
	if doc.Count("input[name='to'][value='published']") != 1 || doc.Count("input[name='to'][value='rejected']") != 1 {
		t.Fatalf("moderator's decisions missing")
	}
	if code, _, _ := s.post(s.editor, manage+"/moderate", url.Values{"to": {"published"}}, ""); code != http.StatusForbidden {
		t.Errorf("editor moderates: %d", code)
	}
	code, body, _ := s.post(s.moderator, manage+"/moderate", url.Values{"to": {"rejected"}, "reason": {""}}, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#reason']") != 1 || doc.Count("#to-2[checked]") != 1 {
		t.Fatalf("reject without reason: %d\n%s", code, body)
	}
	if code, _, _ := s.post(s.moderator, manage+"/moderate", url.Values{"to": {"hidden"}, "reason": {"x"}}, ""); code != http.StatusUnprocessableEntity {
		t.Errorf("hide a pending proposal: %d", code)
	}
	if code, _, _ := s.post(s.moderator, manage+"/moderate", url.Values{"to": {"rejected"}, "reason": {"Already planned"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("reject: %d", code)
	}
	if got, _ := s.store.Proposal(ctx, p.ID); got.Stage != proposal.Rejected || got.Reason != "Already planned" {
		t.Errorf("rejected %+v", got)
	}
	// Restore what was rejected; approve the other; hide and restore it.
	for _, step := range []struct {
		id    int64
		to    string
		stage proposal.Stage
	}{{p.ID, "published", proposal.Published}, {q.ID, "published", proposal.Published}, {q.ID, "hidden", proposal.Hidden}, {q.ID, "published", proposal.Published}} {
		path := "/staff/north-shire/proposals/" + strconv.FormatInt(step.id, 10) + "/moderate"
		if code, body, _ := s.post(s.moderator, path, url.Values{"to": {step.to}, "reason": {"Spam"}}, ""); code != http.StatusSeeOther {
			t.Fatalf("%s → %s: %d\n%s", path, step.to, code, body)
		}
		if got, _ := s.store.Proposal(ctx, step.id); got.Stage != step.stage {
			t.Fatalf("%d at %s, want %s", step.id, got.Stage, step.stage)
		}
	}
	audit, _ := s.store.AuditLog(ctx, s.org.ID, 50)
	if len(audit) < 5 {
		t.Errorf("audit: %d entries", len(audit))
	}

	// A reported comment shows in the queue; hiding it from there.
	c, err := s.store.AddComment(ctx, proposal.Comment{ProposalID: q.ID, AuthorID: author.ID, AuthorName: "Ann", Body: "Rude words"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.ReportComment(ctx, proposal.Report{CommentID: c.ID, ReporterID: author.ID, Reason: "Rude"}); err != nil {
		t.Fatal(err)
	}
	_, doc = s.page(s.moderator, "/staff/north-shire/proposals", http.StatusOK)
	if !strings.Contains(doc.Text("#reported-caption"), "") || doc.Count("form[action='/staff/north-shire/comments/"+strconv.FormatInt(c.ID, 10)+"/moderate']") != 1 {
		t.Fatalf("queue lacks the reported comment")
	}
	code, _, h := s.post(s.moderator, "/staff/north-shire/comments/"+strconv.FormatInt(c.ID, 10)+"/moderate",
		url.Values{"from": {"queue"}, "action": {"hide"}, "reason": {"Abusive"}}, "")
	if code != http.StatusSeeOther || h.Get("Location") != "/staff/north-shire/proposals#reported" {
		t.Fatalf("hide comment: %d %s", code, h.Get("Location"))
	}
	if got, _ := s.store.Comment(ctx, c.ID); got.State != proposal.CommentHidden {
		t.Errorf("comment %+v", got)
	}
	if left, _ := s.store.ReportedComments(ctx, s.org.ID); len(left) != 0 {
		t.Errorf("reports left open: %+v", left)
	}
	_, doc = s.page(s.moderator, "/staff/north-shire/proposals/"+strconv.FormatInt(q.ID, 10), http.StatusOK)
	if doc.Count("#comments ~ ul .govuk-tag--grey") != 1 {
		t.Errorf("hidden comment not tagged on the manage page")
	}
	if code, _, _ := s.post(s.moderator, "/staff/north-shire/comments/"+strconv.FormatInt(c.ID, 10)+"/moderate", url.Values{"action": {"restore"}}, ""); code != http.StatusSeeOther {
		t.Errorf("restore comment: %d", code)
	}
	if got, _ := s.store.Comment(ctx, c.ID); got.State != proposal.CommentVisible {
		t.Errorf("comment %+v", got)
	}
}

// TestStaffProposalAnswerAndMerge: an editor answers a proposal past its
// threshold (the response is required); a moderator merges a duplicate
// after a confirm step, and the counts stay exact.
func TestStaffProposalAnswerAndMerge(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { staffProposalAnswerAndMerge(t, newStaffProposalSite(t, d)) })
	}
}

func staffProposalAnswerAndMerge(t *testing.T, s *staffProposalSite) {
	b := s.board(t, proposal.Board{Kind: proposal.Ideas, ResponseThreshold: 2, TitleEN: "Ideas"})
	users := map[string]int64{}
	for _, e := range []string{"a@x.example", "b@x.example", "c@x.example"} {
		u, _ := s.store.EnsureUser(ctx, e)
		users[e] = u.ID
	}
	orig := s.propose(t, b.ID, "Fix the potholes on Station Road", users["a@x.example"])
	dup := s.propose(t, b.ID, "Potholes on Station Road need fixing", users["b@x.example"])
	// a supports both; c supports the duplicate: three people in all.
	for _, sup := range []struct{ p, u int64 }{{dup.ID, users["a@x.example"]}, {dup.ID, users["c@x.example"]}} {
		if err := s.store.Support(ctx, sup.p, sup.u); err != nil {
			t.Fatal(err)
		}
	}
	dup, _ = s.store.Proposal(ctx, dup.ID)
	if dup.Supporters != 3 || !dup.Awaiting() {
		t.Fatalf("duplicate %+v", dup)
	}
	_, doc := s.page(s.analyst, "/staff/north-shire/proposals", http.StatusOK)
	if !strings.Contains(doc.Text("#awaiting-caption"), "") || doc.Count("a[href='/staff/north-shire/proposals/"+strconv.FormatInt(dup.ID, 10)+"']") < 1 {
		t.Errorf("queue lacks the proposal awaiting a response")
	}

	manage := "/staff/north-shire/proposals/" + strconv.FormatInt(dup.ID, 10)
	code, body, _ := s.post(s.editor, manage+"/status", url.Values{"status": {"planned"}, "response_en": {""}, "response_cy": {"Ie"}}, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#response_en']") != 1 ||
		doc.Count("input[name='status'][value='planned'][checked]") != 1 || doc.Text("#response_cy") != "Ie" {
		t.Fatalf("status without response: %d\n%s", code, body)
	}
	if code, _, _ := s.post(s.moderator, manage+"/status", url.Values{"status": {"planned"}, "response_en": {"We will."}}, ""); code != http.StatusForbidden {
		t.Errorf("moderator sets status: %d", code)
	}
	if code, body, _ := s.post(s.editor, manage+"/status", url.Values{"status": {"planned"}, "response_en": {"We will fix them in May."},
		"response_cy": {"Byddwn yn eu trwsio ym mis Mai."}}, ""); code != http.StatusSeeOther {
		t.Fatalf("status: %d\n%s", code, body)
	}
	got, _ := s.store.Proposal(ctx, dup.ID)
	changes, _ := s.store.StatusChanges(ctx, dup.ID)
	if got.Status != proposal.Planned || got.ResponseCY != "Byddwn yn eu trwsio ym mis Mai." || got.RespondedAt.IsZero() || len(changes) != 1 {
		t.Fatalf("answered %+v %+v", got, changes)
	}
	_, doc = s.page(s.editor, manage, http.StatusOK)
	if !strings.Contains(doc.Text("table"), "We will fix them in May.") {
		t.Errorf("history lacks the response")
	}

	// Merge: the duplicate into the original, chosen by number.
	_, doc = s.page(s.moderator, manage, http.StatusOK)
	if doc.Count("input[name='into'][value='"+strconv.FormatInt(orig.ID, 10)+"']") != 1 {
		t.Errorf("similar proposals do not offer the original\n")
	}
	code, body, _ = s.post(s.moderator, manage+"/merge", url.Values{"into_number": {strconv.FormatInt(dup.ID, 10)}}, "")
	if doc := htmlcheck.Parse(t, body); code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#into_number']") != 1 {
		t.Fatalf("merge into itself: %d\n%s", code, body)
	}
	code, body, _ = s.post(s.moderator, manage+"/merge", url.Values{"into": {strconv.FormatInt(orig.ID, 10)}}, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusOK || !strings.Contains(doc.Text("table"), "Fix the potholes on Station Road") ||
		!strings.Contains(doc.Text("table"), "Potholes on Station Road need fixing") || doc.Attr("input[name='confirm']", "value") != "yes" {
		t.Fatalf("confirm step: %d\n%s", code, body)
	}
	if m := rawMessageID.FindString(body); m != "" {
		t.Errorf("untranslated %s", m)
	}
	if got, _ := s.store.Proposal(ctx, dup.ID); got.MergedInto != 0 {
		t.Fatalf("merged before confirming")
	}
	code, _, h := s.post(s.moderator, manage+"/merge", url.Values{"into_number": {strconv.FormatInt(orig.ID, 10)}, "confirm": {"yes"}}, "")
	if code != http.StatusSeeOther || h.Get("Location") != "/staff/north-shire/proposals/"+strconv.FormatInt(orig.ID, 10) {
		t.Fatalf("merge: %d %s", code, h.Get("Location"))
	}
	from, _ := s.store.Proposal(ctx, dup.ID)
	into, _ := s.store.Proposal(ctx, orig.ID)
	if from.MergedInto != orig.ID || from.Status != proposal.Duplicate || into.Supporters != 3 {
		t.Errorf("after merge: from %+v into %d supporters", from, into.Supporters)
	}
	_, doc = s.page(s.moderator, manage, http.StatusOK)
	if doc.Count("form[action$='/merge']") != 0 || doc.Count("form[action$='/status']") != 0 {
		t.Errorf("a merged proposal offers merging or answering")
	}
}

// TestStaffPetitionFraud: the trending report flags a burst from one
// address; blocks are added (a bad one refused) and removed; a bulk
// invalidation is previewed, then confirmed, and leaves the counts.
func TestStaffPetitionFraud(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { staffPetitionFraud(t, newStaffProposalSite(t, d)) })
	}
}

func staffPetitionFraud(t *testing.T, s *staffProposalSite) {
	b := s.board(t, proposal.Board{Kind: proposal.Petitions, ResponseThreshold: 1000, AlertPerHour: 3, TitleEN: "Petitions"})
	p := s.propose(t, b.ID, "Save the library", 0)
	var sigs []proposal.Signature
	for i := 0; i < 8; i++ {
		ip, domain := "203.0.113.9", "bots.example"
		if i >= 5 {
			ip, domain = "198.51.100."+strconv.Itoa(i), "mail"+strconv.Itoa(i)+".example"
		}
		sigs = append(sigs, proposal.Signature{Name: "Signer " + strconv.Itoa(i), Email: "s" + strconv.Itoa(i) + "@" + domain, Postcode: "CF10 1AA",
			Country: "GB", UKResident: true, IP: ip, Lang: "en"})
	}
	if err := s.store.SeedSignatures(ctx, p.ID, sigs); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := s.get(s.editor, "/staff/north-shire/petitions/fraud"); code != http.StatusForbidden {
		t.Errorf("editor sees fraud controls: %d", code)
	}
	_, doc := s.page(s.moderator, "/staff/north-shire/petitions/fraud", http.StatusOK)
	if !strings.Contains(doc.Text("#trending-caption"), "") || doc.Count("tbody .govuk-tag--red") < 2 || !strings.Contains(doc.Text("tbody"), "203.0.113.9") {
		t.Fatalf("trending report lacks the alerts")
	}
	// The row's link fills in the invalidation form.
	link := doc.Attr("a[href*='ip=203.0.113.9']", "href")
	if link == "" {
		t.Fatalf("no invalidation link for the address")
	}
	_, doc = s.page(s.moderator, link[:strings.Index(link, "#")], http.StatusOK)
	if doc.Attr("#ip", "value") != "203.0.113.9" || doc.Attr("#proposal", "value") != strconv.FormatInt(p.ID, 10) {
		t.Errorf("prefilled form: ip %q", doc.Attr("#ip", "value"))
	}

	// Blocks.
	code, body, _ := s.post(s.moderator, "/staff/north-shire/petitions/blocks", url.Values{"kind": {"ip"}, "value": {"999.1.2.3"}, "note": {"x"}}, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#value']") != 1 || doc.Attr("#value", "value") != "999.1.2.3" ||
		doc.Count("#kind[checked]") != 1 {
		t.Fatalf("bad block: %d\n%s", code, body)
	}
	if code, _, _ := s.post(s.moderator, "/staff/north-shire/petitions/blocks", url.Values{"kind": {"domain"}, "value": {"@Bots.Example"}, "note": {"Bot farm"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("add block: %d", code)
	}
	code, body, _ = s.post(s.moderator, "/staff/north-shire/petitions/blocks", url.Values{"kind": {"domain"}, "value": {"bots.example"}}, "")
	if doc := htmlcheck.Parse(t, body); code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#value']") != 1 {
		t.Errorf("block twice: %d", code)
	}
	blocks, _ := s.store.Blocks(ctx, s.org.ID)
	if len(blocks) != 1 || blocks[0].Value != "bots.example" {
		t.Fatalf("blocks %+v", blocks)
	}
	_, doc = s.page(s.moderator, "/staff/north-shire/petitions/fraud", http.StatusOK)
	if !strings.Contains(doc.Text("#blocks-caption ~ tbody"), "Bot farm") {
		t.Errorf("blocklist lacks the entry")
	}
	if code, _, _ := s.post(s.moderator, "/staff/north-shire/petitions/blocks/"+strconv.FormatInt(blocks[0].ID, 10)+"/delete", nil, ""); code != http.StatusSeeOther {
		t.Errorf("remove block: %d", code)
	}
	if left, _ := s.store.Blocks(ctx, s.org.ID); len(left) != 0 {
		t.Errorf("left %+v", left)
	}

	// Invalidation: nothing to match is an error; a preview counts and changes nothing; confirming takes them out.
	code, body, _ = s.post(s.moderator, "/staff/north-shire/petitions/invalidate", url.Values{"reason": {"Bots"}}, "")
	if doc := htmlcheck.Parse(t, body); code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#ip']") != 1 {
		t.Fatalf("no attribute: %d\n%s", code, body)
	}
	code, body, _ = s.post(s.moderator, "/staff/north-shire/petitions/invalidate", url.Values{"ip": {"203.0.113.9"}, "from_time": {"25:00"}, "reason": {"Bots"}}, "")
	if doc := htmlcheck.Parse(t, body); code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#from']") != 1 || doc.Attr("#ip", "value") != "203.0.113.9" {
		t.Fatalf("bad time: %d\n%s", code, body)
	}
	form := url.Values{"proposal": {strconv.FormatInt(p.ID, 10)}, "ip": {"203.0.113.0/24"}, "reason": {"Bot farm"}}
	code, body, _ = s.post(s.moderator, "/staff/north-shire/petitions/invalidate", form, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusOK || !strings.Contains(doc.Text(".govuk-warning-text"), "5") || doc.Attr("input[name='ip']", "value") != "203.0.113.0/24" {
		t.Fatalf("preview: %d\n%s", code, body)
	}
	if m := rawMessageID.FindString(body); m != "" {
		t.Errorf("untranslated %s", m)
	}
	if got, _ := s.store.Proposal(ctx, p.ID); got.Supporters != 8 {
		t.Fatalf("preview changed the count: %d", got.Supporters)
	}
	// Confirm with what the preview carries.
	confirm := url.Values{}
	for _, in := range doc.All("form input[type='hidden']") {
		var name, value string
		for _, a := range in.Attr {
			switch a.Key {
			case "name":
				name = a.Val
			case "value":
				value = a.Val
			}
		}
		confirm.Set(name, value)
	}
	code, _, h := s.post(s.moderator, "/staff/north-shire/petitions/invalidate", confirm, "")
	if code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/staff/north-shire/petitions/fraud") {
		t.Fatalf("confirm: %d %s", code, h.Get("Location"))
	}
	if got, _ := s.store.Proposal(ctx, p.ID); got.Supporters != 3 {
		t.Errorf("after invalidation: %d supporters, want 3", got.Supporters)
	}
	_, body, _ = s.get(s.moderator, "/staff/north-shire/petitions/fraud")
	if doc := htmlcheck.Parse(t, body); !strings.Contains(doc.Text(".govuk-panel__body"), "5") {
		t.Errorf("done panel: %q", doc.Text(".govuk-panel"))
	}
	code, body, _ = s.get(s.moderator, "/staff/north-shire/petitions/fraud")
	if code != http.StatusOK || htmlcheck.Parse(t, body).Count(".govuk-panel") != 0 {
		t.Errorf("done panel shown twice")
	}
}

// TestStaffPetitionInvalidationDone: the count of a confirmed invalidation
// is shown once on the fraud page.
func TestStaffPetitionInvalidationDone(t *testing.T) {
	s := newStaffProposalSite(t, store.SQLite)
	b := s.board(t, proposal.Board{Kind: proposal.Petitions, TitleEN: "Petitions"})
	p := s.propose(t, b.ID, "Save the library", 0)
	if err := s.store.SeedSignatures(ctx, p.ID, []proposal.Signature{{Name: "A", Email: "a@spam.example", Country: "GB", UKResident: true, IP: "192.0.2.1"},
		{Name: "B", Email: "b@spam.example", Country: "GB", UKResident: true, IP: "192.0.2.2"}}); err != nil {
		t.Fatal(err)
	}
	code, _, _ := s.post(s.moderator, "/staff/north-shire/petitions/invalidate", url.Values{"domain": {"spam.example"}, "reason": {"Spam"}, "confirm": {"yes"}}, "")
	if code != http.StatusSeeOther {
		t.Fatalf("invalidate: %d", code)
	}
	_, body, _ := s.get(s.moderator, "/staff/north-shire/petitions/fraud")
	if doc := htmlcheck.Parse(t, body); !strings.Contains(doc.Text(".govuk-panel__body"), "2") {
		t.Errorf("done panel: %q", doc.Text(".govuk-panel"))
	}
}

// TestStaffPetitionAreas: an upload with a bad line names the line (in
// Welsh too); a good one replaces the lookup and the page counts it.
func TestStaffPetitionAreas(t *testing.T) {
	s := newStaffProposalSite(t, store.SQLite)
	_, doc := s.page(s.editor, "/staff/north-shire/petitions/areas", http.StatusOK)
	if doc.Count("input[type='file'][name='areas']") != 1 {
		t.Fatalf("no upload field")
	}
	if code, _, _ := s.get(s.moderator, "/staff/north-shire/petitions/areas"); code != http.StatusForbidden {
		t.Errorf("moderator: %d", code)
	}
	bad := "prefix,code,name\nCF10,W1,Cathays\nnot a postcode,W2,Somewhere\n"
	code, body, _ := s.upload(s.editor, "/staff/north-shire/petitions/areas", nil, map[string]file{"areas": {"areas.csv", bad}})
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#areas']") != 1 ||
		!strings.Contains(doc.Text("#areas-error"), "Line 3") || !strings.Contains(doc.Text("#areas-error"), "not a postcode") {
		t.Fatalf("bad line: %d\n%s", code, body)
	}
	code, body, _ = s.upload(s.editor, "/staff/north-shire/petitions/areas?lang=cy", nil, map[string]file{"areas": {"areas.csv", "prefix,code,name\nCF10,W1,Cathays\nCF10,W1,Cathays\n"}})
	if doc := htmlcheck.Parse(t, body); code != http.StatusUnprocessableEntity || !strings.Contains(doc.Text("#areas-error"), "Llinell 3") {
		t.Errorf("Welsh error: %d %q", code, doc.Text("#areas-error"))
	}
	for _, tc := range []struct{ name, csv, want string }{
		{"header", "postcode,area\nCF10,W1\n", "header"},
		{"fields", "prefix,code,name\nCF10,W1\n", "Line 2"},
		{"quote", "prefix,code,name\n\"CF10,W1,x\n", "Line"},
	} {
		code, body, _ := s.upload(s.editor, "/staff/north-shire/petitions/areas?lang=en", nil, map[string]file{"areas": {"areas.csv", tc.csv}})
		if doc := htmlcheck.Parse(t, body); code != http.StatusUnprocessableEntity || !strings.Contains(doc.Text("#areas-error"), tc.want) {
			t.Errorf("%s: %d %q", tc.name, code, doc.Text("#areas-error"))
		}
	}
	if code, _, _ := s.post(s.editor, "/staff/north-shire/petitions/areas", url.Values{}, ""); code != http.StatusUnprocessableEntity {
		t.Errorf("no file: %d", code)
	}
	good := "prefix,code,name\nCF10,W1,Cathays\nCF24 4,W2,Plasnewydd\nSA1 1AA,W3,Castle\n"
	if code, body, _ := s.upload(s.editor, "/staff/north-shire/petitions/areas", nil, map[string]file{"areas": {"areas.csv", good}}); code != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", code, body)
	}
	rows, _ := s.store.Areas(ctx, s.org.ID)
	if len(rows) != 3 {
		t.Fatalf("rows %+v", rows)
	}
	_, doc = s.page(s.editor, "/staff/north-shire/petitions/areas", http.StatusOK)
	if !strings.Contains(doc.Text("main"), "3") || !strings.Contains(doc.Text("tbody"), "Plasnewydd") {
		t.Errorf("page does not show the lookup")
	}
	// A lookup of full postcodes is bigger than other forms may be.
	var big strings.Builder
	big.WriteString("prefix,code,name\n")
	lines := 0
	for d := 1; d <= 20 && big.Len() <= 1<<20+200<<10; d++ {
		for sector := 0; sector <= 9; sector++ {
			for a := 'A'; a <= 'Z'; a++ {
				for b := 'A'; b <= 'Z'; b++ {
					fmt.Fprintf(&big, "CF%d %d%c%c,W%d,Area %d\n", d, sector, a, b, d, d)
					lines++
				}
			}
		}
	}
	if code, body, _ := s.upload(s.editor, "/staff/north-shire/petitions/areas", nil, map[string]file{"areas": {"areas.csv", big.String()}}); code != http.StatusSeeOther {
		t.Fatalf("upload of %d bytes: %d\n%s", big.Len(), code, body)
	}
	if got, _ := s.store.Areas(ctx, s.org.ID); len(got) != lines {
		t.Errorf("%d rows loaded, want %d", len(got), lines)
	}
}

// TestStaffPetitionCountsByArea: the manage page of a petition lists its
// signatures by area.
func TestStaffPetitionCountsByArea(t *testing.T) {
	s := newStaffProposalSite(t, store.SQLite)
	if err := s.store.SetAreas(ctx, s.org.ID, []proposal.AreaRow{{Prefix: "CF10", Area: proposal.Area{Code: "W1", Name: "Cathays"}}}, 0); err != nil {
		t.Fatal(err)
	}
	b := s.board(t, proposal.Board{Kind: proposal.Petitions, SponsorsNeeded: 0, TitleEN: "Petitions", ResponseThreshold: 1, OpenDays: 30})
	p := s.propose(t, b.ID, "Save the library", 0)
	if err := s.store.SeedSignatures(ctx, p.ID, []proposal.Signature{{Name: "A", Email: "a@x.example", Postcode: "CF10 1AA", Country: "GB", UKResident: true},
		{Name: "B", Email: "b@x.example", Postcode: "SA1 1AA", Country: "GB", UKResident: true}}); err != nil {
		t.Fatal(err)
	}
	_, doc := s.page(s.analyst, "/staff/north-shire/proposals/"+strconv.FormatInt(p.ID, 10), http.StatusOK)
	if !strings.Contains(doc.Text("#areas-caption ~ tbody"), "Cathays") || doc.Count("#areas-caption ~ tbody tr") != 2 {
		t.Errorf("counts by area: %q", doc.Text("#areas-caption ~ tbody"))
	}
	if !strings.Contains(doc.Text("dl"), "Response due") && !strings.Contains(doc.Text("dl"), "Reached") {
		t.Errorf("threshold not shown: %q", doc.Text("dl"))
	}
	// Sponsoring petitions are listed with their sponsors.
	b2 := s.board(t, proposal.Board{Kind: proposal.Petitions, SponsorsNeeded: 5, TitleEN: "Sponsored"})
	s.propose(t, b2.ID, "Open the pool on Sundays", 0)
	_, doc = s.page(s.analyst, "/staff/north-shire/proposals", http.StatusOK)
	if !strings.Contains(doc.Text("#sponsoring-caption ~ tbody"), "Open the pool on Sundays") {
		t.Errorf("sponsoring list: %q", doc.Text("#sponsoring-caption ~ tbody"))
	}
}
