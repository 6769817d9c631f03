package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"parley/internal/conversation"
	"parley/internal/i18n"
	"parley/internal/moderation"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/web/htmlcheck"
)

// moderationFixture is a published idea by Ann with a comment by Bob,
// and a signed-in client for each of them and for Carys, a reader.
type moderationFixture struct {
	s                  *site
	p                  proposal.Proposal
	comment            proposal.Comment
	ann, bob, carys    int64
	annC, bobC, carysC *http.Client
}

func newModerationFixture(t *testing.T, d store.Dialect) *moderationFixture {
	t.Helper()
	s := newSite(t, d)
	f := &moderationFixture{s: s}
	f.annC, f.bobC, f.carysC = s.client(), s.client(), s.client()
	s.signIn(f.annC, "ann@example.org")
	s.signIn(f.bobC, "bob@example.org")
	s.signIn(f.carysC, "carys@example.org")
	f.ann = citizen(t, s, "ann@example.org", "Ann")
	f.bob = citizen(t, s, "bob@example.org", "Bob")
	f.carys = citizen(t, s, "carys@example.org", "Carys")
	b := ideasBoard(t, s, nil)
	f.p = idea(t, s, b, f.ann, "More benches", "Somewhere to sit in the park.", "parks")
	c, err := s.store.AddComment(ctx, proposal.Comment{ProposalID: f.p.ID, AuthorID: f.bob, AuthorName: "Bob", Body: "Buy my cheap watches, the best prices in the county"})
	if err != nil {
		t.Fatal(err)
	}
	f.comment = c
	return f
}

// queued returns the organisation's open item about ref, if any.
func (f *moderationFixture) queued(t *testing.T, ref moderation.Ref) (moderation.Item, bool) {
	t.Helper()
	items, err := f.s.store.ModerationQueue(ctx, f.s.org.ID, moderation.QueueFilter{Kind: ref.Kind})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Ref == ref {
			return it, true
		}
	}
	return moderation.Item{}, false
}

// hideComment reports Bob's comment and has a moderator reject it.
func (f *moderationFixture) hideComment(t *testing.T, d moderation.Decision) moderation.Item {
	t.Helper()
	ref := moderation.Ref{Kind: moderation.KindComment, ID: f.comment.ID}
	if err := f.s.store.Report(ctx, moderation.Report{Ref: ref, ReporterID: f.carys, Category: moderation.ReportSpam}); err != nil {
		t.Fatal(err)
	}
	it, ok := f.queued(t, ref)
	if !ok {
		t.Fatal("the report opened no item")
	}
	if err := f.s.store.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: d, Reason: "Advertising is not allowed.", ActorID: 0}); err != nil {
		t.Fatal(err)
	}
	it, err := f.s.store.ModerationItem(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func TestReportJourney(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { reportJourney(t, d) })
	}
}

func reportJourney(t *testing.T, d store.Dialect) {
	f := newModerationFixture(t, d)
	s := f.s
	id := itoa(f.comment.ID)
	report := "/report/comment/" + id

	// The proposal's page offers to report the proposal, the comment and
	// both names; never their own to their authors.
	_, body, _ := s.get(f.carysC, "/proposals/"+itoa(f.p.ID))
	doc := htmlcheck.Parse(t, body)
	for _, href := range []string{"/report/proposal/" + itoa(f.p.ID), report,
		"/report/display_name/" + itoa(f.ann) + "?on=proposal:" + itoa(f.p.ID),
		"/report/display_name/" + itoa(f.bob) + "?on=comment:" + id} {
		if doc.Count("a[href='"+href+"']") != 1 {
			t.Errorf("no link to %s", href)
		}
	}
	if !strings.Contains(doc.Text("a[href='"+report+"']"), "Report the comment by Bob") {
		t.Errorf("report link's words: %q", doc.Text("a[href='"+report+"']"))
	}
	_, body, _ = s.get(f.bobC, "/proposals/"+itoa(f.p.ID))
	if doc := htmlcheck.Parse(t, body); doc.Count("a[href='"+report+"']") != 0 || doc.Count("a[href='/report/proposal/"+itoa(f.p.ID)+"']") != 1 {
		t.Errorf("Bob is offered to report his own comment, or not Ann's idea")
	}
	if doc.Count("a[href='/organisations/north-shire/guidelines']") != 1 {
		t.Errorf("no guidelines link by the comment form")
	}

	// Signed out: sign in first, and come back.
	code, _, h := s.get(s.client(), report)
	expectRedirect(t, "report signed out", code, h, "/sign-in")

	// The form quotes what is reported and links to the guidelines.
	code, body, _ = s.get(f.carysC, report)
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusOK || !strings.Contains(doc.Text("blockquote"), "cheap watches") || doc.Count("input[type=radio][name=category]") != 5 ||
		doc.Count("a[href='/organisations/north-shire/guidelines']") != 1 || doc.Count("textarea#detail") != 1 {
		t.Fatalf("report form: %d\n%s", code, doc.Text("main"))
	}
	if h := doc.Attr("input#category", "aria-describedby"); h != "category-hint" {
		t.Errorf("first radio's hint: %q", h)
	}

	// "Something else" needs words.
	code, body, _ = s.post(f.carysC, report, url.Values{"category": {"other"}}, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#detail']") != 1 || doc.Count("#detail-error") != 1 ||
		doc.Count("input[value=other][checked]") != 1 {
		t.Errorf("other without detail: %d\n%s", code, doc.Text("main"))
	}
	if _, ok := f.queued(t, moderation.Ref{Kind: moderation.KindComment, ID: f.comment.ID}); ok {
		t.Errorf("an invalid report reached the queue")
	}

	// A report goes to the queue, and the reporter is thanked.
	code, _, h = s.post(f.carysC, report, url.Values{"category": {"spam"}, "detail": {"Selling watches."}}, "")
	expectRedirect(t, "report", code, h, "/report/sent")
	code, body, _ = s.get(f.carysC, "/report/sent")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusOK || !strings.Contains(doc.Text(".govuk-panel"), "a moderator will look at it") ||
		doc.Attr("main a.govuk-link", "href") != "/proposals/"+itoa(f.p.ID)+"#comment-"+id {
		t.Errorf("confirmation: %d\n%s", code, doc.Text("main"))
	}
	it, ok := f.queued(t, moderation.Ref{Kind: moderation.KindComment, ID: f.comment.ID})
	if !ok || len(it.Flags) == 0 || it.Flags[0].Reason != moderation.Reported || it.Flags[0].Category != moderation.ReportSpam {
		t.Errorf("queue item %+v", it)
	}

	// A name, reported where it was seen.
	name := "/report/display_name/" + itoa(f.bob) + "?on=comment:" + id
	code, body, _ = s.get(f.carysC, name)
	if doc := htmlcheck.Parse(t, body); code != http.StatusOK || !strings.Contains(doc.Text("blockquote"), "Bob") {
		t.Errorf("name report form: %d\n%s", code, doc.Text("main"))
	}
	code, _, h = s.post(f.carysC, name, url.Values{"category": {"abuse"}}, "")
	expectRedirect(t, "name report", code, h, "/report/sent")
	if _, ok := f.queued(t, moderation.Ref{Kind: moderation.KindDisplayName, ID: f.bob}); !ok {
		t.Errorf("the name is not in the queue")
	}
	for _, bad := range []string{"/report/display_name/" + itoa(f.bob), "/report/display_name/" + itoa(f.bob) + "?on=nonsense",
		"/report/nothing/1", "/report/comment/0", "/report/comment/999999"} {
		if code, _, _ := s.get(f.carysC, bad); code != http.StatusNotFound {
			t.Errorf("%s: %d", bad, code)
		}
	}

	// Hidden things cannot be reported.
	if err := s.store.ModerateComment(ctx, f.comment.ID, true, "Advertising", 0); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := s.get(f.carysC, report); code != http.StatusNotFound {
		t.Errorf("hidden comment can be reported: %d", code)
	}
	if code, _, _ := s.post(f.carysC, report, url.Values{"category": {"spam"}}, ""); code != http.StatusNotFound {
		t.Errorf("hidden comment report POST: %d", code)
	}
}

func TestReportPagesInWelshAndEnglish(t *testing.T) {
	f := newModerationFixture(t, store.SQLite)
	s := f.s
	paths := []string{"/report/comment/" + itoa(f.comment.ID), "/report/proposal/" + itoa(f.p.ID),
		"/report/display_name/" + itoa(f.ann) + "?on=proposal:" + itoa(f.p.ID), "/organisations/north-shire/guidelines",
		"/account/moderation"}
	for _, path := range paths {
		for _, lang := range i18n.Langs {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			code, body, _ := s.get(f.carysC, path+sep+"lang="+lang)
			doc := htmlcheck.Parse(t, body)
			if code != http.StatusOK || doc.Attr("html", "lang") != lang || doc.Count("h1") != 1 {
				t.Errorf("%s (%s): %d, %d h1", path, lang, code, doc.Count("h1"))
				continue
			}
			if strings.Contains(body, "MISSING") || regexp.MustCompile(`>[a-z_]+\.[a-z_.]+<`).MatchString(body) || strings.Contains(body, "moderation.") {
				t.Errorf("%s (%s): untranslated message ID in page", path, lang)
			}
		}
	}
	_, body, _ := s.get(f.carysC, "/report/comment/"+itoa(f.comment.ID)+"?lang=cy")
	if doc := htmlcheck.Parse(t, body); doc.Text("h1") != "Rhoi gwybod am sylw" {
		t.Errorf("Welsh heading %q", doc.Text("h1"))
	}
}

func TestGuidelines(t *testing.T) {
	s := newSite(t, store.SQLite)
	page := "/organisations/north-shire/guidelines"
	code, body, _ := s.get(s.client(), page)
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusOK || doc.Text("h1") != "Guidelines for taking part" || !strings.Contains(doc.Text("main"), "personal details") ||
		!strings.Contains(doc.Text("main"), "never delete") || !strings.Contains(doc.Text("main"), "political party") {
		t.Errorf("default guidelines: %d\n%s", code, doc.Text("main"))
	}
	_, body, _ = s.get(s.client(), "/organisations/north-shire")
	if htmlcheck.Parse(t, body).Count("a[href='"+page+"']") != 1 {
		t.Errorf("the organisation's page does not link to its guidelines")
	}
	if err := s.store.SaveModerationSettings(ctx, moderation.Settings{OrgID: s.org.ID, GuidelinesEN: "## Our rules\n\nBe **kind**.",
		GuidelinesCY: "## Ein rheolau\n\nByddwch yn **garedig**."}, 0); err != nil {
		t.Fatal(err)
	}
	c := s.client() // a fresh session: the page cache keys on language
	_, body, _ = s.get(c, page+"?lang=en&fresh=1")
	if doc := htmlcheck.Parse(t, body); doc.Text(".parley-markdown h2") != "Our rules" || !strings.Contains(body, "<strong>kind</strong>") ||
		strings.Contains(body, "political party") {
		t.Errorf("custom guidelines:\n%s", doc.Text("main"))
	}
	_, body, _ = s.get(c, page+"?lang=cy&fresh=1")
	if doc := htmlcheck.Parse(t, body); doc.Text(".parley-markdown h2") != "Ein rheolau" {
		t.Errorf("custom Welsh guidelines:\n%s", doc.Text("main"))
	}
	if code, _, _ := s.get(s.client(), "/organisations/nowhere/guidelines"); code != http.StatusNotFound {
		t.Errorf("unknown organisation: %d", code)
	}
}

func TestAuthorSeesModerationAndAppeals(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { authorAppeals(t, d) })
	}
}

func authorAppeals(t *testing.T, d store.Dialect) {
	f := newModerationFixture(t, d)
	s := f.s
	_, body, _ := s.get(f.bobC, "/account")
	if htmlcheck.Parse(t, body).Count("a[href='/account/moderation']") != 1 {
		t.Errorf("no link from the account page")
	}
	code, body, _ := s.get(f.bobC, "/account/moderation")
	if doc := htmlcheck.Parse(t, body); code != http.StatusOK || doc.Count(".govuk-summary-card") != 0 {
		t.Errorf("nothing to show yet: %d\n%s", code, doc.Text("main"))
	}
	if code, _, h := s.get(s.client(), "/account/moderation"); code != http.StatusSeeOther || h.Get("Location") != "/sign-in" {
		t.Errorf("signed out: %d %s", code, h.Get("Location"))
	}

	it := f.hideComment(t, moderation.Reject)
	anchor := "#item-" + itoa(it.ID)
	appeal := "/account/moderation/" + itoa(it.ID) + "/appeal"
	_, body, _ = s.get(f.bobC, "/account/moderation")
	doc := htmlcheck.Parse(t, body)
	if !strings.Contains(doc.Text(anchor), "cheap watches") || !strings.Contains(doc.Text(anchor), "Advertising is not allowed.") ||
		!strings.Contains(doc.Text(anchor+" .govuk-tag"), "Hidden") || doc.Count(anchor+" a[href='"+appeal+"']") != 1 {
		t.Errorf("hidden item:\n%s", doc.Text("main"))
	}

	// Someone else's item is not found; an empty appeal is refused.
	if code, _, _ := s.get(f.carysC, appeal); code != http.StatusNotFound {
		t.Errorf("someone else's appeal form: %d", code)
	}
	if code, _, _ := s.post(f.carysC, appeal, url.Values{"appeal": {"Let it be"}}, ""); code != http.StatusNotFound {
		t.Errorf("someone else's appeal: %d", code)
	}
	code, body, _ = s.get(f.bobC, appeal)
	if doc := htmlcheck.Parse(t, body); code != http.StatusOK || doc.Count("textarea#appeal") != 1 || !strings.Contains(doc.Text("main"), "Advertising is not allowed.") {
		t.Errorf("appeal form: %d\n%s", code, doc.Text("main"))
	}
	code, body, _ = s.post(f.bobC, appeal, url.Values{"appeal": {"  "}}, "")
	if doc := htmlcheck.Parse(t, body); code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#appeal']") != 1 {
		t.Errorf("empty appeal: %d", code)
	}

	// An appeal reopens the item; a second one is refused clearly.
	code, _, h := s.post(f.bobC, appeal, url.Values{"appeal": {"It was a joke about the park."}}, "")
	expectRedirect(t, "appeal", code, h, "/account/moderation"+anchor)
	got, err := s.store.ModerationItem(ctx, it.ID)
	if err != nil || got.State != moderation.Open || got.AppealText != "It was a joke about the park." {
		t.Errorf("appealed item: %+v %v", got, err)
	}
	_, body, _ = s.get(f.bobC, "/account/moderation")
	doc = htmlcheck.Parse(t, body)
	if !strings.Contains(doc.Text(".govuk-notification-banner"), "appeal has been sent") || !strings.Contains(doc.Text(anchor+" .govuk-tag"), "Appeal received") ||
		doc.Count(anchor+" a[href='"+appeal+"']") != 0 {
		t.Errorf("after appealing:\n%s", doc.Text("main"))
	}
	code, body, _ = s.post(f.bobC, appeal, url.Values{"appeal": {"Again"}}, "")
	if code != http.StatusConflict || !strings.Contains(htmlcheck.Parse(t, body).Text("main"), "already appealed") {
		t.Errorf("second appeal: %d\n%s", code, body)
	}

	// The outcome is shown with its reason.
	if err := s.store.DecideAppeal(ctx, it.ID, false, "Still advertising.", 0); err != nil {
		t.Fatal(err)
	}
	_, body, _ = s.get(f.bobC, "/account/moderation")
	doc = htmlcheck.Parse(t, body)
	if !strings.Contains(doc.Text(anchor+" .govuk-tag"), "Decision upheld") || !strings.Contains(doc.Text(anchor), "Still advertising.") {
		t.Errorf("upheld:\n%s", doc.Text("main"))
	}
}

func TestBlockedAuthorIsToldClearly(t *testing.T) {
	f := newModerationFixture(t, store.SQLite)
	s := f.s
	f.hideComment(t, moderation.RejectBlock)
	code, body, _ := s.post(f.bobC, "/proposals/"+itoa(f.p.ID)+"/comments", url.Values{"body": {"Let me back in"}}, "")
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusForbidden || doc.Text("h1") != "You cannot post here" || doc.Count("main a[href='/account/moderation']") != 1 {
		t.Errorf("blocked author: %d\n%s", code, doc.Text("main"))
	}
	// Others still can.
	code, _, _ = s.post(f.carysC, "/proposals/"+itoa(f.p.ID)+"/comments", url.Values{"body": {"Nice idea"}}, "")
	if code != http.StatusSeeOther {
		t.Errorf("another citizen's comment: %d", code)
	}
}

func TestHeldCommentIsShownToItsAuthorOnly(t *testing.T) {
	f := newModerationFixture(t, store.SQLite)
	s := f.s
	// Three different people reporting a comment hold it for a moderator.
	ref := moderation.Ref{Kind: moderation.KindComment, ID: f.comment.ID}
	for _, who := range []int64{f.ann, f.carys, citizen(t, s, "dai@example.org", "Dai")} {
		if err := s.store.Report(ctx, moderation.Report{Ref: ref, ReporterID: who, Category: moderation.ReportSpam}); err != nil {
			t.Fatal(err)
		}
	}
	anchor := "#comment-" + itoa(f.comment.ID)
	_, body, _ := s.get(f.carysC, "/proposals/"+itoa(f.p.ID))
	if doc := htmlcheck.Parse(t, body); strings.Contains(body, "cheap watches") || !strings.Contains(doc.Text(anchor), "waiting for a moderator") {
		t.Errorf("held comment to others:\n%s", doc.Text(anchor))
	}
	_, body, _ = s.get(f.bobC, "/proposals/"+itoa(f.p.ID))
	if doc := htmlcheck.Parse(t, body); !strings.Contains(doc.Text(anchor), "cheap watches") || !strings.Contains(doc.Text(anchor), "only you can see") {
		t.Errorf("held comment to its author:\n%s", doc.Text(anchor))
	}
	_, body, _ = s.get(f.bobC, "/account/moderation")
	if doc := htmlcheck.Parse(t, body); !strings.Contains(doc.Text(".govuk-tag"), "Waiting for a moderator") {
		t.Errorf("held item in the author's list:\n%s", doc.Text("main"))
	}
}

func TestStatementCardOffersAReport(t *testing.T) {
	s := newSite(t, store.SQLite)
	c, err := s.store.CreateConversation(ctx, conversation.Conversation{OrgID: s.org.ID, TitleEN: "Parks", QuestionEN: "What should change in the park?",
		Moderation: conversation.PostModeration}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.SetConversationStatus(ctx, c.ID, conversation.Open, 0); err != nil {
		t.Fatal(err)
	}
	ann := citizen(t, s, "ann@example.org", "Ann")
	st, err := s.store.AddStatement(ctx, c.ID, conversation.Participant{UserID: ann}, "The park needs more benches")
	if err != nil {
		t.Fatal(err)
	}
	bob := s.client()
	s.signIn(bob, "bob@example.org")
	_, body, _ := s.get(bob, "/conversations/"+itoa(c.ID))
	doc := htmlcheck.Parse(t, body)
	if doc.Count("a[href='/report/statement/"+itoa(st.ID)+"']") != 1 || doc.Count("a[href='/organisations/north-shire/guidelines']") != 1 {
		t.Errorf("statement card:\n%s", doc.Text("main"))
	}
	code, body, _ := s.get(bob, "/report/statement/"+itoa(st.ID))
	if doc := htmlcheck.Parse(t, body); code != http.StatusOK || !strings.Contains(doc.Text("blockquote"), "more benches") {
		t.Errorf("statement report form: %d\n%s", code, doc.Text("main"))
	}
	// Its author is shown it to vote on, without a link to report it.
	annC := s.client()
	s.signIn(annC, "ann@example.org")
	_, body, _ = s.get(annC, "/conversations/"+itoa(c.ID))
	doc = htmlcheck.Parse(t, body)
	if !strings.Contains(doc.Text("main"), "more benches") || doc.Count("a[href='/report/statement/"+itoa(st.ID)+"']") != 0 {
		t.Errorf("the author's statement card:\n%s", doc.Text("main"))
	}
}
