package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"parley/internal/app"
)

// How a journey is driven.
const (
	byMouse    = "mouse"    // clicks and typing, JavaScript on
	byKeyboard = "keyboard" // Tab, Shift+Tab, Enter and Space only
	noScript   = "no-js"    // clicks and typing, JavaScript off
)

// TestSignIn follows the email-link sign-in journey from the home page to
// signed in and back out, for a citizen and for staff, by mouse, by
// keyboard only and without JavaScript, reading the email from the dev
// outbox page or from a real SMTP server, on SQLite and PostgreSQL.
func TestSignIn(t *testing.T) {
	citizen := "alex.citizen@example.org"
	editor, org := demoStaff(t, "editor")
	admin, _ := demoStaff(t, "admin")
	tests := []struct {
		name  string
		email string
		staff bool
		mode  string
		site  siteOptions
	}{
		{"citizen/mouse/outbox", citizen, false, byMouse, siteOptions{brand: "govuk"}},
		{"staff/mouse/smtp", editor, true, byMouse, siteOptions{smtp: true}},
		{"citizen/keyboard/outbox", citizen, false, byKeyboard, siteOptions{}},
		{"staff/keyboard/smtp", admin, true, byKeyboard, siteOptions{brand: "govuk", smtp: true}},
		{"citizen/no-js/outbox", citizen, false, noScript, siteOptions{}},
		{"staff/no-js/outbox", editor, true, noScript, siteOptions{brand: "govuk"}},
		{"staff/mouse/smtp/postgres", admin, true, byMouse, siteOptions{smtp: true, postgres: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			needBrowser(t)
			s := startSite(t, tt.site)
			ctx := tab(t)
			j := &journey{t: t, ctx: ctx, site: s, mode: tt.mode, email: tt.email}
			if tt.staff {
				j.org = org
			}
			j.run()
		})
	}
}

// journey is one run of the sign-in journey.
type journey struct {
	t     *testing.T
	ctx   context.Context
	site  *site
	mode  string
	email string
	org   string // staff: the organisation to open; "" for a citizen
}

func (j *journey) run() {
	t, ctx := j.t, j.ctx
	if j.mode == noScript {
		call(t, ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	}
	if j.mode == byKeyboard {
		// A background tab has no focus, and so no :focus styles to check.
		call(t, ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
	}
	do(t, ctx, "open the home page", chromedp.Navigate(j.site.base+"/"))
	home := j.at("/")
	if !strings.Contains(home.Nav, "Sign in") {
		t.Fatalf("home page navigation has no Sign in: %q", home.Nav)
	}

	if j.mode == byKeyboard {
		j.checkSkipLinkFirst()
		j.checkShiftTab()
	}
	j.activate("the Sign in link", isLink("Sign in", ""), `//nav//a[normalize-space(.)="Sign in"]`)
	form := j.at("/sign-in")
	if form.H1 != "What is your email address?" {
		t.Errorf("sign-in page h1 = %q", form.H1)
	}

	if j.mode == byKeyboard {
		// The skip link leads past the navigation straight to the form.
		j.key(kb.Tab)
		j.focused("the skip link", isSkipLink)
		j.key(kb.Enter)
		j.key(kb.Tab)
		j.focused("the email field", func(f focus) bool { return f.ID == "email" })
		j.key(j.email)
	} else {
		do(t, ctx, "type the email address", chromedp.SendKeys(chromedp.CSS("#email"), j.email))
	}
	j.activate("the send button", isButton("Email me a sign-in link"), `//main//button[normalize-space(.)="Email me a sign-in link"]`)
	check := j.at("/sign-in/check-email")
	j.redirected(check)
	if !strings.Contains(check.Text, j.email) {
		t.Errorf("check-email page does not name %s:\n%s", j.email, check.Text)
	}

	// Read the email. In the dev outbox a person follows links; from a real
	// mailbox (and when using only the keyboard) they paste the link.
	if j.site.smtp == nil && j.mode != byKeyboard {
		j.activate("the outbox link", isLink("Outbox (development)", ""), `//nav//a[normalize-space(.)="Outbox (development)"]`)
		j.at("/dev/outbox")
		// The demo's jobs email hundreds of people, the same staff among
		// them (thresholds, digests): show only this address's emails, and
		// open the newest sign-in email, as a person would pick it out.
		do(t, ctx, "show only this address's emails", chromedp.SendKeys(chromedp.CSS("#to"), j.email),
			chromedp.Click(`//main//form[@action="/dev/outbox"]//button`))
		waitFor(t, ctx, "the outbox for one address", func(p view) bool { return strings.Contains(p.Path, "to=") })
		do(t, ctx, "open the newest sign-in email", chromedp.Click(fmt.Sprintf(`//tr[td[normalize-space(.)=%q]][td[contains(., "link to sign in")]]//a`, j.email)))
		msg := waitFor(t, ctx, "the email", func(p view) bool { return strings.HasPrefix(p.Path, "/dev/outbox/") })
		if !strings.Contains(msg.Text, "/sign-in/link/") {
			t.Fatalf("the email has no sign-in link:\n%s", msg.Text)
		}
		do(t, ctx, "follow the link", chromedp.Click(`//main//a[normalize-space(.)="Follow the link in this email"]`))
	} else {
		do(t, ctx, "paste the emailed link", chromedp.Navigate(j.site.emailedLink(t, j.email)))
	}
	confirm := waitFor(t, ctx, "the sign-in link page", func(p view) bool { return strings.HasPrefix(p.Path, "/sign-in/link/") })
	j.checkScript(confirm)
	if confirm.H1 != "Continue to sign in" {
		t.Errorf("link page h1 = %q", confirm.H1)
	}
	j.activate("the Sign in button", isButton("Sign in"), `//main//button[normalize-space(.)="Sign in"]`)

	account := j.at("/account")
	j.redirected(account)
	if account.H1 != "Your account" || !strings.Contains(account.Text, j.email) || !strings.Contains(account.Text, "You are signed in.") {
		t.Errorf("account page: h1 %q; want Your account, %s and the signed-in message:\n%s", account.H1, j.email, account.Text)
	}
	if got := strings.Contains(account.Nav, "Staff area"); got != (j.org != "") {
		t.Errorf("navigation %q: Staff area shown = %v, want %v", account.Nav, got, j.org != "")
	}

	if j.org != "" {
		j.activate("the Staff area link", isLink("Staff area", "/staff"), `//nav//a[normalize-space(.)="Staff area"]`)
		j.at("/staff")
		orgPath := "/staff/" + j.org
		j.activate("the organisation's staff link", isLink("", orgPath), fmt.Sprintf(`//main//a[@href=%q]`, orgPath))
		staff := j.at(orgPath)
		if staff.H1 != app.DemoOrgs[1].NameEN {
			t.Errorf("staff page h1 = %q, want %q", staff.H1, app.DemoOrgs[1].NameEN)
		}
	}

	j.activate("the Sign out button", isButton("Sign out"), `//button[normalize-space(.)="Sign out"]`)
	out := j.at("/")
	j.redirected(out)
	if !strings.Contains(out.Text, "You have signed out.") || !strings.Contains(out.Nav, "Sign in") || strings.Contains(out.Nav, "Your account") {
		t.Errorf("after signing out: navigation %q, page:\n%s", out.Nav, out.Text)
	}
	if j.mode != byKeyboard {
		do(t, ctx, "open the account page", chromedp.Navigate(j.site.base+"/account"))
		j.at("/sign-in") // signed out for real: the account page asks to sign in
	}
}

// at waits for the page at path and checks JavaScript ran or not, as the
// mode says.
func (j *journey) at(path string) view {
	j.t.Helper()
	p := waitPath(j.t, j.ctx, path)
	j.checkScript(p)
	return p
}

func (j *journey) checkScript(p view) {
	j.t.Helper()
	if want := j.mode != noScript; p.JS != want {
		j.t.Errorf("%s: page script ran = %v, want %v", p.Path, p.JS, want)
	}
}

// redirected checks the page came from a POST answered with a redirect:
// POST-redirect-GET, so reloading it never submits the form again.
func (j *journey) redirected(p view) {
	j.t.Helper()
	n, err := chromedp.Run(j.ctx, chromedp.Evaluate[int](`performance.getEntriesByType('navigation')[0].redirectCount`))
	if err != nil {
		j.t.Fatal(err)
	}
	if n != 1 {
		j.t.Errorf("%s: reached after %d redirects, want 1 (POST-redirect-GET)", p.Path, n)
	}
}

// activate follows a link or presses a button: by clicking the element
// xpath finds, or, with the keyboard, by tabbing to the element want
// accepts and pressing Enter (links) or Space (buttons).
func (j *journey) activate(what string, want func(focus) bool, xpath string) {
	j.t.Helper()
	if j.mode != byKeyboard {
		do(j.t, j.ctx, "click "+what, chromedp.Click(xpath))
		return
	}
	f := j.tabTo(what, want)
	if f.Tag == "BUTTON" {
		j.key(" ")
	} else {
		j.key(kb.Enter)
	}
}

// focus describes the focused element and how its focus is drawn.
type focus struct {
	Tag          string `json:"tag"`
	ID           string `json:"id"`
	Class        string `json:"cls"`
	Text         string `json:"text"`
	Href         string `json:"href"`
	Outline      string `json:"outline"`
	OutlineWidth string `json:"outlineWidth"`
	OutlineColor string `json:"outlineColor"`
	Shadow       string `json:"shadow"`
}

func (f focus) String() string {
	return fmt.Sprintf("<%s id=%q class=%q href=%q> %q", strings.ToLower(f.Tag), f.ID, f.Class, f.Href, f.Text)
}

// visible reports whether the focus is drawn: an outline that is not
// transparent, or a box shadow (GOV.UK draws links' yellow-and-black focus
// as a shadow under a transparent outline kept for forced-colours mode).
func (f focus) visible() bool {
	transparent := f.OutlineColor == "transparent" || (strings.HasPrefix(f.OutlineColor, "rgba(") && strings.HasSuffix(f.OutlineColor, ", 0)"))
	return (f.Outline != "none" && f.OutlineWidth != "0px" && !transparent) || f.Shadow != "none"
}

const readFocus = `(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {tag: 'BODY'};
  const cs = getComputedStyle(e);
  return {tag: e.tagName, id: e.id, cls: String(e.className), text: (e.innerText || e.value || '').trim(),
    href: e.getAttribute('href') || '', outline: cs.outlineStyle, outlineWidth: cs.outlineWidth,
    outlineColor: cs.outlineColor, shadow: cs.boxShadow};
})()`

func isLink(text, href string) func(focus) bool {
	return func(f focus) bool {
		return f.Tag == "A" && (text == "" || f.Text == text) && (href == "" || f.Href == href)
	}
}

func isButton(text string) func(focus) bool {
	return func(f focus) bool { return f.Tag == "BUTTON" && f.Text == text }
}

func isSkipLink(f focus) bool { return f.Tag == "A" && strings.Contains(f.Class, "govuk-skip-link") }

// key types keys (kb.Tab, kb.Enter, " " or text) into the focused element.
func (j *journey) key(keys string, opts ...chromedp.KeyOption) {
	j.t.Helper()
	do(j.t, j.ctx, fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys, opts...))
}

// focused checks the focused element is the one want accepts and that its
// focus is visible.
func (j *journey) focused(what string, want func(focus) bool) focus {
	j.t.Helper()
	f, err := chromedp.Run(j.ctx, chromedp.Evaluate[focus](readFocus))
	if err != nil {
		j.t.Fatal(err)
	}
	if !want(f) {
		j.t.Fatalf("focus is on %s, want %s", f, what)
	}
	if !f.visible() {
		j.t.Errorf("focus on %s is not visible: outline %s %s %s, box-shadow %s", f, f.Outline, f.OutlineWidth, f.OutlineColor, f.Shadow)
	}
	return f
}

// tabTo presses Tab until want accepts the focused element, checking that
// every stop on the way shows its focus.
func (j *journey) tabTo(what string, want func(focus) bool) focus {
	j.t.Helper()
	var stops []string
	for range 40 {
		j.key(kb.Tab)
		f, err := chromedp.Run(j.ctx, chromedp.Evaluate[focus](readFocus))
		if err != nil {
			j.t.Fatal(err)
		}
		if f.Tag != "BODY" && !f.visible() {
			j.t.Errorf("focus on %s is not visible: outline %s %s %s, box-shadow %s", f, f.Outline, f.OutlineWidth, f.OutlineColor, f.Shadow)
		}
		if want(f) {
			return f
		}
		stops = append(stops, f.String())
	}
	j.t.Fatalf("tabbing never reached %s; stops:\n%s", what, strings.Join(stops, "\n"))
	return focus{}
}

// checkSkipLinkFirst checks the skip link is the first Tab stop.
func (j *journey) checkSkipLinkFirst() {
	j.t.Helper()
	j.key(kb.Tab)
	j.focused("the skip link (the first Tab stop)", isSkipLink)
}

// checkShiftTab checks Shift+Tab moves focus back.
func (j *journey) checkShiftTab() {
	j.t.Helper()
	j.key(kb.Tab)
	j.focused("the header's home link", isLink("", "/"))
	j.key(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))
	j.focused("the skip link again after Shift+Tab", isSkipLink)
}
