package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"parley/internal/moderation"
)

// TestModerationPaths walks every moderation path through the browser,
// with three citizens and a moderator in tabs of their own: a comment
// held by a signal, rejected, appealed and reinstated; a comment
// reported, hidden, appealed and upheld; approve, then approve and trust;
// a word added to the list, then reject and block; and personal data
// edited out. It
// runs once with JavaScript off and once with it on, when axe-core
// checks every moderation page on the way.
func TestModerationPaths(t *testing.T) {
	axeSrc, err := os.ReadFile(filepath.Join("axe", "axe.min.js"))
	if err != nil && os.Getenv("CI") != "" {
		t.Fatalf("axe-core is required in CI: %v (run `make assets`)", err)
	}
	for _, mode := range []string{noScript, byMouse} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			needBrowser(t)
			s := startSite(t, siteOptions{brand: "govuk"})
			m := &modJourney{t: t, s: s, d: demoProposals(t, s), tabs: map[string]context.Context{}}
			if mode == byMouse {
				m.axe, m.shots = axeSrc, screenshotDir(t)
			}
			moderator, _ := demoStaff(t, "moderator")
			for who, email := range map[string]string{"robin": "robin@example.org", "kim": "kim@example.org",
				"lee": "lee@example.org", "mod": moderator} {
				ctx := tabFor(t, 5*time.Minute)
				if mode == noScript {
					call(t, ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
				} else {
					call(t, ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
				}
				signIn(t, ctx, s, email)
				m.tabs[who] = ctx
			}
			m.heldRejectAppealReinstate()
			m.reportHideAppealUphold()
			m.approveAndTrust()
			m.wordListRejectAndBlock()
			m.redact()
		})
	}
}

type modJourney struct {
	t    *testing.T
	s    *site
	d    demoProposalIDs
	tabs map[string]context.Context
	axe  []byte // nil: no accessibility checks (JavaScript is off)
	// shots is where screenshots go (PARLEY_SCREENSHOTS=1); n numbers them.
	shots string
	n     int
}

func (m *modJourney) idea() string  { return fmt.Sprintf("/proposals/%d", m.d.commented) }
func (m *modJourney) queue() string { return "/staff/" + m.d.councilSlug + "/moderation" }

// open loads a page in who's tab, in English, and checks it with axe.
func (m *modJourney) open(who, path string) view {
	m.t.Helper()
	ctx := m.tabs[who]
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	do(m.t, ctx, "open "+path, chromedp.Navigate(m.s.base+path+sep+"lang=en"))
	v := waitFor(m.t, ctx, path, func(v view) bool { return v.Ready })
	m.check(who, v)
	return v
}

func (m *modJourney) check(who string, v view) {
	m.t.Helper()
	if m.axe != nil {
		axeCheck(m.t, m.tabs[who], v.Path, m.axe)
	}
	if m.shots != "" {
		m.n++
		screenshot(m.t, m.tabs[who], filepath.Join(m.shots, fmt.Sprintf("moderation-%02d-%s.png", m.n, who)))
	}
}

// submit clicks the submit button of the form holding the element sel
// and waits for a page whose text has want.
func (m *modJourney) submit(who, sel, want string) view {
	m.t.Helper()
	ctx := m.tabs[who]
	leave(m.t, ctx, "submit the form of "+sel, chromedp.Click(`//*[@id="`+sel+`"]/ancestor::form//button[@type="submit"]`))
	v := waitFor(m.t, ctx, want, func(v view) bool { return v.Ready && strings.Contains(v.Text, want) })
	m.check(who, v)
	return v
}

// comment posts a comment on the demo idea and returns the page after.
func (m *modJourney) comment(who, text, want string) view {
	m.t.Helper()
	m.open(who, m.idea())
	do(m.t, m.tabs[who], "write a comment", chromedp.SendKeys(chromedp.CSS("#comment"), text))
	return m.submit(who, "comment", want)
}

// item finds the queue item about a comment containing text, checking
// that the queue page lists it with the reason's label.
func (m *modJourney) item(text, reasonLabel string) moderation.Item {
	m.t.Helper()
	q := m.open("mod", m.queue())
	if !strings.Contains(q.Text, text) || !strings.Contains(q.Text, reasonLabel) {
		m.t.Fatalf("the queue does not show %q with %q:\n%s", text, reasonLabel, q.Text)
	}
	o, err := m.s.app.Store.OrgBySlug(context.Background(), m.d.councilSlug)
	if err != nil {
		m.t.Fatal(err)
	}
	items, err := m.s.app.Store.ModerationQueue(context.Background(), o.ID, moderation.QueueFilter{})
	if err != nil {
		m.t.Fatal(err)
	}
	for _, it := range items {
		if strings.Contains(it.Text, text) {
			return it
		}
	}
	m.t.Fatalf("no open item with %q", text)
	return moderation.Item{}
}

// decide opens an item and submits a decision.
func (m *modJourney) decide(it moderation.Item, d moderation.Decision, reason, redacted, want string) {
	m.t.Helper()
	ctx := m.tabs["mod"]
	m.open("mod", fmt.Sprintf("%s/%d", m.queue(), it.ID))
	do(m.t, ctx, "choose "+string(d), chromedp.Click(chromedp.CSS(`input[name="decision"][value="`+string(d)+`"]`)))
	if reason != "" {
		do(m.t, ctx, "give a reason", chromedp.SendKeys(chromedp.CSS("#reason"), reason))
	}
	if redacted != "" {
		do(m.t, ctx, "edit the text", chromedp.SetValue(chromedp.CSS("#redacted"), redacted))
	}
	m.submit("mod", "reason", want)
}

// decideAppeal opens an appealed item and reinstates or upholds it.
func (m *modJourney) decideAppeal(it moderation.Item, outcome, reason, appeal, want string) {
	m.t.Helper()
	ctx := m.tabs["mod"]
	v := m.open("mod", fmt.Sprintf("%s/%d", m.queue(), it.ID))
	if !strings.Contains(v.Text, appeal) {
		m.t.Errorf("the item page does not show the appeal %q:\n%s", appeal, v.Text)
	}
	do(m.t, ctx, "choose "+outcome, chromedp.Click(chromedp.CSS(`input[name="outcome"][value="`+outcome+`"]`)))
	if reason != "" {
		do(m.t, ctx, "give a reason", chromedp.SendKeys(chromedp.CSS("#appeal_reason"), reason))
	}
	m.submit("mod", "appeal_reason", want)
}

// appeal has who read the moderator's reason on their account page and appeal.
func (m *modJourney) appeal(who, reason, text string) {
	m.t.Helper()
	ctx := m.tabs[who]
	v := m.open(who, "/account/moderation")
	if !strings.Contains(v.Text, reason) {
		m.t.Fatalf("%s does not see the moderator's reason %q:\n%s", who, reason, v.Text)
	}
	do(m.t, ctx, "follow the appeal link", chromedp.Click(`//main//a[starts-with(normalize-space(.), "Appeal")]`))
	m.check(who, waitFor(m.t, ctx, "the appeal form", func(v view) bool { return v.Ready && strings.HasSuffix(v.Path, "/appeal") }))
	do(m.t, ctx, "write the appeal", chromedp.SendKeys(chromedp.CSS("#appeal"), text))
	m.submit(who, "appeal", "Your appeal has been sent")
}

// sees reports whether who's view of the idea shows text.
func (m *modJourney) sees(who, text string) bool {
	m.t.Helper()
	return strings.Contains(m.open(who, m.idea()).Text, text)
}

func (m *modJourney) heldRejectAppealReinstate() {
	t := m.t
	spam := "Plans at https://plans.example.com/a and https://plans.example.com/b and https://plans.example.com/c"
	m.comment("robin", spam, "Your comment will appear after a moderator checks it")
	if m.sees("kim", "plans.example.com") {
		t.Error("a held comment is shown to others")
	}
	it := m.item("plans.example.com", "Many links")
	// Robin has no public name; the moderator still sees an account to trust or block.
	if q := m.open("mod", fmt.Sprintf("%s/%d", m.queue(), it.ID)); !strings.Contains(q.Text, "A signed-in person with no public name") {
		t.Errorf("the item page does not say the author has an account:\n%s", q.Text)
	}
	m.decide(it, moderation.Reject, "Links to other sites are not allowed in comments.", "", "Rejected")
	m.appeal("robin", "Links to other sites are not allowed in comments.", "These are the council's own published plans.")
	m.decideAppeal(it, "reinstate", "", "council's own published plans", "Reinstated")
	if !m.sees("kim", "plans.example.com") {
		t.Error("a reinstated comment is not shown")
	}
}

func (m *modJourney) reportHideAppealUphold() {
	t, ctx := m.t, m.tabs["robin"]
	text := "The junction is dangerous at school time and drivers ignore the lights."
	m.comment("kim", text, text)
	m.open("robin", m.idea())
	do(t, ctx, "follow the comment's report link",
		chromedp.Click(`//li[contains(., "drivers ignore the lights")]//a[contains(@href, "/report/comment/")]`))
	m.check("robin", waitFor(t, ctx, "the report form", func(v view) bool { return v.Ready && strings.HasPrefix(v.Path, "/report/comment/") }))
	do(t, ctx, "choose a category", chromedp.Click(chromedp.CSS(`input[name="category"][value="off_topic"]`)))
	do(t, ctx, "say why", chromedp.SendKeys(chromedp.CSS("#detail"), "This is about the lights, not the cycle route."))
	m.submit("robin", "detail", "Thank you")

	it := m.item("drivers ignore the lights", "Reported by a citizen")
	m.decide(it, moderation.Reject, "Please keep comments to the cycle route.", "", "Rejected")
	if m.sees("robin", "drivers ignore the lights") {
		t.Error("a hidden comment is still shown")
	}
	m.appeal("kim", "Please keep comments to the cycle route.", "The lights are on the cycle route.")
	m.decideAppeal(it, "uphold", "The lights are a separate idea: please propose it.", "on the cycle route", "upheld")
	v := m.open("kim", "/account/moderation")
	if !strings.Contains(v.Text, "The lights are a separate idea") || !strings.Contains(v.Text, "Decision upheld") {
		t.Errorf("kim does not see the outcome:\n%s", v.Text)
	}
}

func (m *modJourney) approveAndTrust() {
	t := m.t
	// Approved: shown, but the author is not trusted by it.
	m.comment("lee", "See the map: https://maps.example.org/route",
		"Your comment will appear after a moderator checks it")
	it := m.item("maps.example.org/route", "Many links")
	m.decide(it, moderation.Approve, "", "", "Approved")
	if !m.sees("kim", "maps.example.org/route") {
		t.Error("an approved comment is not shown")
	}
	m.comment("lee", "Route maps: https://maps.example.org/1 https://maps.example.org/2 https://maps.example.org/3",
		"Your comment will appear after a moderator checks it")
	it = m.item("maps.example.org/1", "Many links")
	m.decide(it, moderation.ApproveTrust, "", "", "trusted")
	// Trusted, the same kind of comment is shown at once.
	v := m.comment("lee", "More maps: https://maps.example.org/4 https://maps.example.org/5 https://maps.example.org/6",
		"maps.example.org/6")
	if strings.Contains(v.Text, "will appear after a moderator") {
		t.Error("a trusted author's comment was held")
	}
	if !m.sees("kim", "maps.example.org/6") {
		t.Error("a trusted author's comment is not shown to others")
	}
}

func (m *modJourney) wordListRejectAndBlock() {
	t, ctx := m.t, m.tabs["mod"]
	m.open("mod", m.queue()+"/settings")
	do(t, ctx, "add a word", chromedp.SetValue(chromedp.CSS("#words"), "idiot\nscam\nswindle"))
	m.submit("mod", "words", "saved")

	m.comment("kim", "This whole plan is a swindle dreamed up by the council.", "Your comment will appear after a moderator checks it")
	it := m.item("a swindle dreamed up", "A word on the organisation")
	m.decide(it, moderation.RejectBlock, "Calling the plan a swindle breaks the guidelines.", "", "blocked")
	v := m.comment("kim", "I would still like a safer junction.", "You cannot post here")
	if m.sees("robin", "safer junction") {
		t.Errorf("a blocked author's comment was saved:\n%s", v.Text)
	}
	a := m.open("mod", m.queue()+"/authors")
	if !strings.Contains(a.Text, "Blocked") {
		t.Errorf("the authors page does not list the block:\n%s", a.Text)
	}
}

func (m *modJourney) redact() {
	t, ctx := m.t, m.tabs["lee"]
	text := "Ring me on 07700 900123 and I will help plan the route."
	m.comment("robin", text, text)
	m.open("lee", m.idea())
	do(t, ctx, "follow the comment's report link",
		chromedp.Click(`//li[contains(., "07700 900123")]//a[contains(@href, "/report/comment/")]`))
	waitFor(t, ctx, "the report form", func(v view) bool { return v.Ready && strings.HasPrefix(v.Path, "/report/comment/") })
	do(t, ctx, "choose a category", chromedp.Click(chromedp.CSS(`input[name="category"][value="personal_data"]`)))
	m.submit("lee", "detail", "Thank you")

	it := m.item("07700 900123", "Reported by a citizen")
	m.decide(it, moderation.Redact, "", "Ring me on [phone number removed] and I will help plan the route.", "edited out")
	if m.sees("kim", "07700 900123") || !m.sees("kim", "[phone number removed]") {
		t.Error("the redacted comment still shows the number, or is not shown")
	}
	got, err := m.s.app.Store.ModerationItem(context.Background(), it.ID)
	if err != nil || strings.Contains(got.Text, "07700") {
		t.Errorf("the queue kept the personal data: %q, %v", got.Text, err)
	}
}
