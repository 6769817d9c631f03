package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"parley/internal/app"
	"parley/internal/consultation"
	"parley/internal/conversation"
	"parley/internal/listening"
	"parley/internal/moderation"
)

// axeRun checks the page against WCAG 2.0, 2.1 and 2.2 at A and AA and
// against axe's best practices, and lists the violations.
const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa','best-practice']}})
  .then(r => r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, url: v.helpUrl,
    nodes: v.nodes.map(n => ({target: JSON.stringify(n.target), html: n.html, summary: n.failureSummary || ''}))})))`

type violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	URL    string `json:"url"`
	Nodes  []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// axePage is one page to check: reached by path, or by submitting the
// sign-in form (empty, or with an address).
type axePage struct {
	name string
	// path's placeholders are filled in: {org}, {mention} (a demo mention),
	// {msg} (the newest email's id), and the consultations': {consultation}
	// (open), {closedConsultation}, {outcomeConsultation},
	// {draftConsultation} and {response} (one of the closed one's).
	path   string
	submit *string
	// respond starts a response to the open consultation first, by
	// pressing its Respond button (once a response is under way the button
	// carries on with it), so the journey's pages can be reached by GET.
	respond bool
	status  int
	shot    bool // screenshot it (in English) when PARLEY_SCREENSHOTS=1
}

// TestAxe runs axe-core on every page, in English and Welsh, in both brands.
func TestAxe(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("axe", "axe.min.js"))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core is required in CI: %v (run `make assets`)", err)
		}
		t.Skipf("skipping: %v (run `make assets` to copy axe-core to e2e/axe/)", err)
	}
	empty, citizen := "", "alex.citizen@example.org"
	admin, org := demoStaff(t, "admin")
	analyst, _ := demoStaff(t, "analyst")
	deptAdmin := "admin@" + app.DemoOrgs[0].Slug + ".example"
	phases := []struct {
		who   string // "" for a visitor who is not signed in
		pages []axePage
	}{
		{"", []axePage{
			{name: "home", path: "/", status: 200, shot: true},
			{name: "organisation", path: "/organisations/{org}", status: 200},
			{name: "sign-in", path: "/sign-in", status: 200},
			{name: "sign-in-errors", submit: &empty, status: 422, shot: true},
			{name: "check-email", submit: &citizen, status: 200},
			{name: "outbox", path: "/dev/outbox", status: 200},
			{name: "outbox-message", path: "/dev/outbox/{msg}", status: 200},
			{name: "not-found", path: "/no-such-page", status: 404},
			{name: "accessibility", path: "/accessibility", status: 200},
			{name: "privacy", path: "/privacy", status: 200},
			{name: "cookies", path: "/cookies", status: 200},
			{name: "conversation", path: "/conversations/{conv}", status: 200, shot: true},
			{name: "conversation-map", path: "/conversations/{conv}/map", status: 200, shot: true},
			{name: "conversation-polis", path: "/conversations/{polis}", status: 200},
			{name: "conversation-polis-map", path: "/conversations/{polis}/map", status: 200, shot: true},
			{name: "conversation-report", path: "/conversations/{report}/report", status: 200, shot: true},
			{name: "consultation-open", path: "/consultations/{consultation}", status: 200, shot: true},
			{name: "consultation-closed", path: "/consultations/{closedConsultation}", status: 200, shot: true},
			{name: "consultation-outcome", path: "/consultations/{outcomeConsultation}", status: 200, shot: true},
			{name: "consultation-responses", path: "/consultations/{closedConsultation}/responses", status: 200, shot: true},
			{name: "consultation-responses-open", path: "/consultations/{consultation}/responses", status: 200},
			{name: "organisation-department", path: "/organisations/" + app.DemoOrgs[0].Slug, status: 200},
			{name: "respond-about", path: "/consultations/{consultation}/respond/about", respond: true, status: 200, shot: true},
			{name: "respond-question-scale", path: "/consultations/{consultation}/respond/questions/1", respond: true, status: 200, shot: true},
			{name: "respond-question-multiple", path: "/consultations/{consultation}/respond/questions/3", respond: true, status: 200},
			{name: "respond-question-text", path: "/consultations/{consultation}/respond/questions/4", respond: true, status: 200, shot: true},
			{name: "respond-check", path: "/consultations/{consultation}/respond/check", respond: true, status: 200, shot: true},
			{name: "respond-save", path: "/consultations/{consultation}/respond/save", respond: true, status: 200},
			{name: "respond-closed", path: "/consultations/{closedConsultation}/respond/about", status: 200},
			{name: "guidelines", path: "/organisations/{org}/guidelines", status: 200},
		}},
		{admin, []axePage{
			{name: "staff", path: "/staff", status: 200},
			{name: "staff-org", path: "/staff/{org}", status: 200},
			{name: "people", path: "/staff/{org}/people", status: 200, shot: true},
			{name: "audit", path: "/staff/{org}/audit", status: 200, shot: true},
			{name: "account-delete-staff", path: "/account/delete", status: 200},
			{name: "account", path: "/account", status: 200},
			{name: "staff-conversations", path: "/staff/{org}/conversations", status: 200},
			{name: "conversation-new", path: "/staff/{org}/conversations/new", status: 200},
			{name: "conversation-import", path: "/staff/{org}/conversations/import", status: 200},
			{name: "conversation-manage", path: "/staff/{org}/conversations/{conv}", status: 200, shot: true},
			{name: "listening-inbox", path: "/staff/{org}/listening", status: 200, shot: true},
			{name: "listening-inbox-filtered", path: "/staff/{org}/listening?status=answered", status: 200},
			{name: "listening-mention", path: "/staff/{org}/listening/mentions/{mention}", status: 200, shot: true},
			{name: "listening-feeds", path: "/staff/{org}/listening/feeds", status: 200, shot: true},
			{name: "listening-rules", path: "/staff/{org}/listening/rules", status: 200},
			{name: "staff-consultations", path: "/staff/{org}/consultations", status: 200, shot: true},
			{name: "consultation-new", path: "/staff/{org}/consultations/new", status: 200},
			{name: "consultation-manage-draft", path: "/staff/{org}/consultations/{draftConsultation}", status: 200, shot: true},
			{name: "consultation-manage-open", path: "/staff/{org}/consultations/{consultation}", status: 200, shot: true},
			{name: "consultation-preview", path: "/staff/{org}/consultations/{draftConsultation}/preview", status: 200},
			{name: "consultation-keyin", path: "/staff/{org}/consultations/{consultation}/responses/new", status: 200, shot: true},
			{name: "consultation-import", path: "/staff/{org}/consultations/{consultation}/responses/import", status: 200},
			{name: "moderation-queue", path: "/staff/{org}/moderation", status: 200, shot: true},
			{name: "moderation-decided", path: "/staff/{org}/moderation?state=closed", status: 200},
			{name: "moderation-appealed", path: "/staff/{org}/moderation/{appealed}", status: 200, shot: true},
			{name: "moderation-settings", path: "/staff/{org}/moderation/settings", status: 200},
			{name: "moderation-authors", path: "/staff/{org}/moderation/authors", status: 200},
		}},
		{deptAdmin, []axePage{
			{name: "consultation-manage-closed", path: "/staff/{org}/consultations/{closedConsultation}", status: 200},
			{name: "consultation-staff-responses", path: "/staff/{org}/consultations/{closedConsultation}/responses", status: 200, shot: true},
			{name: "consultation-staff-responses-search", path: "/staff/{org}/consultations/{closedConsultation}/responses?q=parking", status: 200},
			{name: "consultation-staff-response", path: "/staff/{org}/consultations/{closedConsultation}/responses/{response}", status: 200, shot: true},
			{name: "consultation-analysis", path: "/staff/{org}/consultations/{closedConsultation}/analysis", status: 200, shot: true},
			{name: "consultation-campaigns", path: "/staff/{org}/consultations/{closedConsultation}/analysis/campaigns", status: 200, shot: true},
			{name: "consultation-themes", path: "/staff/{org}/consultations/{closedConsultation}/themes", status: 200, shot: true},
			{name: "consultation-outcome-form", path: "/staff/{org}/consultations/{closedConsultation}/outcome", status: 200, shot: true},
		}},
		{analyst, []axePage{
			{name: "forbidden", path: "/staff/{org}/people", status: 403},
		}},
		{citizen, []axePage{
			{name: "citizen-account", path: "/account", status: 200, shot: true},
			{name: "account-delete", path: "/account/delete", status: 200, shot: true},
			{name: "account-moderation", path: "/account/moderation", status: 200, shot: true},
			{name: "account-moderation-appeal", path: "/account/moderation/{alexHidden}/appeal", status: 200},
			{name: "report", path: "/report/statement/{statement}", status: 200, shot: true},
			{name: "report-sent", path: "/report/sent", status: 200},
		}},
	}
	shots := screenshotDir(t)
	for _, brand := range []string{"govuk", "neutral"} {
		t.Run(brand, func(t *testing.T) {
			t.Parallel()
			needBrowser(t)
			s := startSite(t, siteOptions{brand: brand})
			s.conversations = demoConversations(t, s)
			s.consultations = demoConsultations(t, s)
			for _, ph := range phases {
				ctx := tabFor(t, 4*time.Minute)
				call(t, ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
				phOrg := org
				if ph.who != "" {
					signIn(t, ctx, s, ph.who)
					if ph.who == deptAdmin {
						phOrg = app.DemoOrgs[0].Slug
					}
				}
				for _, lang := range []string{"en", "cy"} {
					for _, p := range ph.pages {
						t.Run(lang+"/"+p.name, func(t *testing.T) {
							pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
							defer cancel()
							checkPage(t, pctx, s, p, lang, phOrg, src)
							if shots != "" && lang == "en" && p.shot {
								screenshot(t, pctx, filepath.Join(shots, brand+"-"+p.name+".png"))
							}
						})
					}
				}
			}
		})
	}
}

// checkPage loads a page in lang, checks its status and language, and
// fails listing every axe violation.
func checkPage(t *testing.T, ctx context.Context, s *site, p axePage, lang, org string, axeSrc []byte) {
	var status int64
	if p.submit != nil {
		do(t, ctx, "open the sign-in page", chromedp.Navigate(s.base+"/sign-in?lang="+lang))
		if *p.submit != "" {
			do(t, ctx, "type an address", chromedp.SendKeys(chromedp.CSS("#email"), *p.submit))
		}
		r, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
		if err != nil {
			t.Fatalf("submit the sign-in form: %v", err)
		}
		status = r.Status
	} else {
		cs := s.consultations
		path := strings.NewReplacer("{org}", org, "{conv}", fmt.Sprint(s.conversations.local),
			"{polis}", fmt.Sprint(s.conversations.imported), "{report}", fmt.Sprint(s.conversations.reported),
			"{consultation}", fmt.Sprint(cs.open), "{closedConsultation}", fmt.Sprint(cs.closed),
			"{outcomeConsultation}", fmt.Sprint(cs.outcome), "{draftConsultation}", fmt.Sprint(cs.draft),
			"{response}", fmt.Sprint(cs.response)).Replace(p.path)
		if p.respond {
			startResponse(t, ctx, s, cs.open)
		}
		if strings.Contains(path, "{mention}") {
			o, err := s.app.Store.OrgBySlug(ctx, org)
			if err != nil {
				t.Fatal(err)
			}
			ms, err := s.app.Store.Mentions(ctx, o.ID, listening.MentionFilter{Limit: 1})
			if err != nil || len(ms) == 0 {
				t.Fatalf("no demo mention (%v)", err)
			}
			path = strings.ReplaceAll(path, "{mention}", fmt.Sprint(ms[0].ID))
		}
		if strings.Contains(path, "{statement}") {
			sts, err := s.app.Store.Statements(ctx, s.conversations.local, conversation.Approved)
			if err != nil || len(sts) == 0 {
				t.Fatalf("no approved demo statement (%v)", err)
			}
			path = strings.ReplaceAll(path, "{statement}", fmt.Sprint(sts[0].ID))
		}
		if strings.Contains(path, "{appealed}") {
			o, err := s.app.Store.OrgBySlug(ctx, org)
			if err != nil {
				t.Fatal(err)
			}
			items, err := s.app.Store.ModerationQueue(ctx, o.ID, moderation.QueueFilter{Reason: moderation.Appealed})
			if err != nil || len(items) == 0 {
				t.Fatalf("no appealed demo item (%v)", err)
			}
			path = strings.ReplaceAll(path, "{appealed}", fmt.Sprint(items[0].ID))
		}
		if strings.Contains(path, "{alexHidden}") {
			o, err := s.app.Store.UserByEmail(ctx, "alex.citizen@example.org")
			if err != nil {
				t.Fatal(err)
			}
			items, err := s.app.Store.AuthorItems(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(items, moderation.Item.CanAppeal)
			if i < 0 {
				t.Fatalf("no demo item of Alex's to appeal among %d", len(items))
			}
			path = strings.ReplaceAll(path, "{alexHidden}", fmt.Sprint(items[i].ID))
		}
		if strings.Contains(path, "{msg}") {
			msgs, err := s.app.Store.Outbox(ctx, 1)
			if err != nil || len(msgs) == 0 {
				t.Fatalf("no email in the outbox (%v)", err)
			}
			path = strings.ReplaceAll(path, "{msg}", fmt.Sprint(msgs[0].ID))
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		r, err := chromedp.Run(ctx, chromedp.NavigateResponse(s.base+path+sep+"lang="+lang))
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		status = r.Status
	}
	got := waitFor(t, ctx, p.name, func(view) bool { return true })
	if status != int64(p.status) {
		t.Errorf("%s: status %d, want %d", got.Path, status, p.status)
	}
	if got.Lang != lang {
		t.Errorf("%s: <html lang=%q>, want %q", got.Path, got.Lang, lang)
	}
	if p.status == 422 && !strings.Contains(got.Title, ":") {
		t.Errorf("%s: title %q has no error prefix", got.Path, got.Title)
	}
	axeCheck(t, ctx, got.Path, axeSrc)
}

// axeCheck runs axe-core on the page shown and checks it reflows, failing
// with every violation.
func axeCheck(t *testing.T, ctx context.Context, path string, axeSrc []byte) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](string(axeSrc))); err != nil {
		t.Fatalf("injecting axe-core: %v", err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]violation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("running axe-core: %v", err)
	}
	checkReflow(t, ctx, path)
	for _, v := range vs {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: axe %s (%s): %s <%s>", path, v.ID, v.Impact, v.Help, v.URL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    %s  %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n      "))
		}
		t.Error(b.String())
	}
}

// checkReflow narrows the page to 320 CSS pixels (WCAG 2.2 1.4.10 Reflow,
// which axe does not test) and fails if the page then scrolls sideways.
func checkReflow(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	do(t, ctx, "narrow the page to 320 px", chromedp.EmulateViewport(320, 640))
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	do(t, ctx, "widen the page again", chromedp.EmulateViewport(1024, 768))
	if err != nil {
		t.Fatalf("measuring the page: %v", err)
	}
	if width > 320 {
		t.Errorf("%s: at 320 px wide the page is %d px wide and scrolls sideways", path, width)
	}
}

// signIn signs the tab in as email by the email-link journey, quickly.
func signIn(t *testing.T, ctx context.Context, s *site, email string) {
	t.Helper()
	do(t, ctx, "ask for a sign-in link",
		chromedp.Navigate(s.base+"/sign-in"),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
	)
	waitPath(t, ctx, "/sign-in/check-email")
	do(t, ctx, "open the emailed link", chromedp.Navigate(s.emailedLink(t, email)))
	do(t, ctx, "sign in", chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	waitPath(t, ctx, "/account")
}

// screenshotDir is where screenshots go when PARLEY_SCREENSHOTS=1: the
// directory PARLEY_SCREENSHOTS_DIR names, or one under the temporary
// directory. "" means take none.
func screenshotDir(t *testing.T) string {
	if os.Getenv("PARLEY_SCREENSHOTS") != "1" {
		return ""
	}
	dir := os.Getenv("PARLEY_SCREENSHOTS_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "parley-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

func screenshot(t *testing.T, ctx context.Context, file string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// conversationIDs are the conversations the pages are checked on.
type conversationIDs struct {
	local, imported, reported int64
}

// demoConversations finds the demo's conversations and adds one with a
// published report.
func demoConversations(t *testing.T, s *site) conversationIDs {
	t.Helper()
	ctx := context.Background()
	ids := conversationIDs{local: demoConversation(t, s, app.DemoOrgs[1].Slug), imported: demoConversation(t, s, app.DemoOrgs[0].Slug)}
	council, _ := s.app.Store.OrgBySlug(ctx, app.DemoOrgs[1].Slug)
	c, err := s.app.Store.CreateConversation(ctx, conversation.Conversation{OrgID: council.ID, TitleEN: "Library opening hours",
		TitleCY: "Oriau agor y llyfrgell", QuestionEN: "When should the library open?", Status: conversation.Open, Anonymous: true},
		[]string{"Open on Sundays", "Open later on weekdays", "Close on Mondays instead"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	statements, _ := s.app.Store.Statements(ctx, c.ID, conversation.Approved)
	var votes []conversation.ImportedVote
	for p := range 30 {
		for i, st := range statements {
			v := conversation.Agree
			if (p+i)%3 == 0 {
				v = conversation.Disagree
			}
			votes = append(votes, conversation.ImportedVote{Participant: fmt.Sprint(p), Statement: fmt.Sprint(st.ID), Vote: v})
		}
	}
	if err := s.app.Store.AddImportedVotes(ctx, c.ID, votes, conversation.ChannelEvent); err != nil {
		t.Fatal(err)
	}
	if err := s.app.Recompute(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.app.Store.SetConversationStatus(ctx, c.ID, conversation.Closed, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.app.Store.PublishConversationReport(ctx, c.ID, "We will open on Sundays from April.\n\nThank you to everyone who took part.", 0); err != nil {
		t.Fatal(err)
	}
	ids.reported = c.ID
	return ids
}

// startResponse starts (or carries on with) a response to the consultation
// in the tab, by its Respond button.
func startResponse(t *testing.T, ctx context.Context, s *site, id int64) {
	t.Helper()
	path := fmt.Sprintf("/consultations/%d", id)
	do(t, ctx, "open the consultation", chromedp.Navigate(s.base+path))
	do(t, ctx, "press Respond", chromedp.Click(`//main//form[@action=`+fmt.Sprintf("%q", path+"/respond")+`]//button`))
	waitPath(t, ctx, path+"/respond/about")
}

// consultationIDs are the consultations the pages are checked on.
type consultationIDs struct {
	open, closed, outcome, draft int64
	response                     int64 // a response to the closed one
}

// demoConsultations finds the demo's consultations and adds a draft.
func demoConsultations(t *testing.T, s *site) consultationIDs {
	t.Helper()
	ctx := context.Background()
	ids := consultationIDs{
		open:    demoConsultation(t, s, app.DemoOrgs[1].Slug, "Library opening hours").ID,
		closed:  demoConsultation(t, s, app.DemoOrgs[0].Slug, "Bus fares for young people").ID,
		outcome: demoConsultation(t, s, app.DemoOrgs[1].Slug, "Riverside park improvements").ID,
	}
	council, err := s.app.Store.OrgBySlug(ctx, app.DemoOrgs[1].Slug)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.app.Store.CreateConsultation(ctx, consultation.Consultation{OrgID: council.ID, TitleEN: "Street lighting at night",
		TitleCY: "Goleuadau stryd yn y nos", SummaryEN: "Should we dim street lights after midnight?",
		SummaryCY: "A ddylem bylu goleuadau stryd ar ôl hanner nos?", BodyEN: "We propose to dim street lights to half brightness from midnight to 5am.",
		Layout: consultation.AllOnOne}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []consultation.Question{
		{Kind: consultation.Scale, TextEN: "How far do you agree with dimming street lights after midnight?", Required: true, Options: consultation.DefaultScale},
		{Kind: consultation.FreeText, TextEN: "Tell us why", MaxLength: 1000},
	} {
		q.ConsultationID = d.ID
		if _, err := s.app.Store.AddQuestion(ctx, q, 0); err != nil {
			t.Fatal(err)
		}
	}
	ids.draft = d.ID
	rs, err := s.app.Store.Responses(ctx, ids.closed, consultation.ResponseFilter{Limit: 1})
	if err != nil || len(rs) == 0 {
		t.Fatalf("no response to the closed consultation (%v)", err)
	}
	ids.response = rs[0].ID
	return ids
}
