package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"parley/internal/app"
	"parley/internal/consultation"
)

// TestConsultationRespond responds to the demo's open consultation without
// an account, by keyboard only and with JavaScript off: start, say who is
// responding (putting right one mistake through the error summary), answer
// each question on its own page, check the answers, send, and read the
// reference on the confirmation page and in the emailed receipt. Every page
// of the journey is checked with axe-core on the way, when it is there.
func TestConsultationRespond(t *testing.T) {
	axeSrc, _ := os.ReadFile(filepath.Join("axe", "axe.min.js"))
	for _, mode := range []string{byKeyboard, noScript} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			needBrowser(t)
			s := startSite(t, siteOptions{})
			ctx := tab(t)
			j := &journey{t: t, ctx: ctx, site: s, mode: mode}
			call(t, ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
			if mode == noScript {
				call(t, ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			} else {
				call(t, ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
			}
			axe := func(p view) {
				t.Helper()
				if axeSrc != nil && mode != noScript {
					axeCheck(t, ctx, p.Path, axeSrc)
				}
			}
			c := demoConsultation(t, s, app.DemoOrgs[1].Slug, "Library opening hours")
			qs, err := s.app.Store.Questions(context.Background(), c.ID)
			if err != nil || len(qs) != 4 {
				t.Fatalf("the demo consultation's questions: %d, %v", len(qs), err)
			}
			base := fmt.Sprintf("/consultations/%d", c.ID)
			email := "robin." + mode + "@example.org"
			freeText := "I go to the library on Monday mornings with my toddler for story time."

			// The consultation page: start.
			do(t, ctx, "open the consultation", chromedp.Navigate(s.base+base))
			start := j.at(base)
			if start.H1 != "Library opening hours" || !strings.Contains(start.Text, "Proposed opening hours (PDF)") {
				t.Fatalf("consultation page: h1 %q:\n%s", start.H1, start.Text)
			}
			if mode == byKeyboard {
				j.checkSkipLinkFirst()
			}
			j.activate("the Respond button", isButton("Respond"), `//main//button[normalize-space(.)="Respond"]`)

			// About you: ask to hear back but give no address.
			about := j.at(base + "/respond/about")
			j.redirected(about)
			if about.H1 != "About you and your response" {
				t.Errorf("about page h1 = %q", about.H1)
			}
			axe(about)
			j.choose("the hear-back checkbox", "hear_back")
			j.activate("the Continue button", isButton("Continue"), `//main//button[normalize-space(.)="Continue"]`)
			wrong := waitFor(t, ctx, "the about page with an error", func(p view) bool {
				return p.Path == base+"/respond/about" && strings.Contains(p.Text, "There is a problem")
			})
			j.checkScript(wrong)
			if !strings.HasPrefix(wrong.Title, "Error:") || !strings.Contains(wrong.Text, "Enter an email address so we can tell you the outcome") {
				t.Errorf("about page with an error: title %q:\n%s", wrong.Title, wrong.Text)
			}
			axe(wrong)
			j.followError("email", "Enter an email address so we can tell you the outcome")
			j.typeInto("email", email)
			j.activate("the Continue button", isButton("Continue"), `//main//button[normalize-space(.)="Continue"]`)

			// Question 1, a scale: the fourth point, Agree.
			q := func(n int) string { return fmt.Sprintf("%s/respond/questions/%d", base, n) }
			p1 := j.at(q(1))
			j.redirected(p1)
			if p1.H1 != qs[0].TextEN || !strings.Contains(p1.Text, "Question 1 of 4") {
				t.Errorf("question 1: h1 %q:\n%s", p1.H1, p1.Text)
			}
			axe(p1)
			// Continuing without an answer is a mistake too.
			j.activate("the Continue button", isButton("Continue"), `//main//button[normalize-space(.)="Continue"]`)
			unanswered := waitFor(t, ctx, "question 1 with an error", func(p view) bool {
				return p.Path == q(1) && strings.Contains(p.Text, "There is a problem")
			})
			j.checkScript(unanswered)
			axe(unanswered)
			f1 := qs[0].Field()
			if mode == byKeyboard {
				j.followError(f1, "")
				for range 3 {
					j.key(kb.ArrowDown)
				}
				j.focused("the fourth point of the scale", func(f focus) bool { return f.ID == f1+"-4" })
			} else {
				j.followError(f1, "")
				j.choose("Agree", f1+"-4")
			}
			j.checked(f1+"-4", true)
			j.activate("the Continue button", isButton("Continue"), `//main//button[normalize-space(.)="Continue"]`)

			// Question 2, one choice: the first, Yes, most weeks.
			p2 := j.at(q(2))
			if p2.H1 != qs[1].TextEN {
				t.Errorf("question 2 h1 = %q", p2.H1)
			}
			j.choose("Yes, most weeks", qs[1].Field())
			j.checked(qs[1].Field(), true)
			j.activate("the Continue button", isButton("Continue"), `//main//button[normalize-space(.)="Continue"]`)

			// Question 3, several choices: Central and Northgate.
			p3 := j.at(q(3))
			if p3.H1 != qs[2].TextEN+" (optional)" {
				t.Errorf("question 3 h1 = %q", p3.H1)
			}
			axe(p3)
			f3 := qs[2].Field()
			j.choose("Central", f3)
			j.choose("Northgate", f3+"-3")
			j.checked(f3, true)
			j.checked(f3+"-2", false)
			j.checked(f3+"-3", true)
			j.activate("the Continue button", isButton("Continue"), `//main//button[normalize-space(.)="Continue"]`)

			// Question 4, free text.
			p4 := j.at(q(4))
			if p4.H1 != qs[3].TextEN+" (optional)" {
				t.Errorf("question 4 h1 = %q", p4.H1)
			}
			axe(p4)
			j.typeInto(qs[3].Field(), freeText)
			j.activate("the Continue button", isButton("Continue"), `//main//button[normalize-space(.)="Continue"]`)

			// Check your answers.
			check := j.at(base + "/respond/check")
			j.redirected(check)
			if check.H1 != "Check your answers before sending your response" {
				t.Errorf("check page h1 = %q", check.H1)
			}
			for _, want := range []string{"As an individual", email, "Agree", "Yes, most weeks", "Central", "Northgate", freeText} {
				if !strings.Contains(check.Text, want) {
					t.Errorf("the check page does not show %q:\n%s", want, check.Text)
				}
			}
			if strings.Contains(check.Text, "Riverside") {
				t.Errorf("the check page shows a library not chosen:\n%s", check.Text)
			}
			axe(check)
			j.activate("the Send response button", isButton("Send response"), `//main//button[normalize-space(.)="Send response"]`)

			// Sent: the confirmation panel gives the reference.
			done := j.at(base + "/respond/done")
			j.redirected(done)
			if done.H1 != "Response sent" {
				t.Errorf("confirmation h1 = %q", done.H1)
			}
			ref, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('.govuk-panel #reference') || {}).innerText || ''`))
			if err != nil || ref == "" {
				t.Fatalf("no reference in the confirmation panel (%v):\n%s", err, done.Text)
			}
			axe(done)
			id, err := strconv.ParseInt(ref, 10, 64)
			if err != nil {
				t.Fatalf("reference %q: %v", ref, err)
			}
			resp, err := s.app.Store.Response(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if resp.ConsultationID != c.ID || resp.Status != consultation.Submitted || resp.Email != email || !resp.HearBack ||
				resp.Channel != consultation.ChannelWeb || len(resp.Answers) != 4 {
				t.Errorf("stored response: %+v", resp)
			}
			if a := resp.Answer(qs[0].ID); len(a.Choices) != 1 || a.Choices[0] != 3 {
				t.Errorf("answer to question 1: %+v, want the fourth point", a)
			}
			if a := resp.Answer(qs[2].ID); fmt.Sprint(a.Choices) != "[0 2]" {
				t.Errorf("answer to question 3: %+v, want Central and Northgate", a)
			}
			if a := resp.Answer(qs[3].ID); a.Text != freeText {
				t.Errorf("answer to question 4: %q", a.Text)
			}

			// The receipt, in the development outbox.
			do(t, ctx, "open the outbox", chromedp.Navigate(s.base+"/dev/outbox"))
			j.at("/dev/outbox")
			do(t, ctx, "open the receipt", chromedp.Click(fmt.Sprintf(`//tr[td[normalize-space(.)=%q]]//a[normalize-space(.)="Your response to Library opening hours"]`, email)))
			msg := waitFor(t, ctx, "the receipt", func(p view) bool { return strings.HasPrefix(p.Path, "/dev/outbox/") })
			for _, want := range []string{"Your reference is " + ref + ".", "Agree", "- Central", "- Northgate", freeText} {
				if !strings.Contains(msg.Text, want) {
					t.Errorf("the receipt does not say %q:\n%s", want, msg.Text)
				}
			}
		})
	}
}

// demoConsultation returns the organisation's published consultation with
// the English title.
func demoConsultation(t *testing.T, s *site, slug, title string) consultation.Consultation {
	t.Helper()
	ctx := context.Background()
	o, err := s.app.Store.OrgBySlug(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.app.Store.Consultations(ctx, o.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.TitleEN == title {
			return c
		}
	}
	t.Fatalf("no demo consultation %q for %s", title, slug)
	return consultation.Consultation{}
}

// choose ticks the radio or checkbox with the ID: by tabbing to it and
// pressing Space, or by clicking its label.
func (j *journey) choose(what, id string) {
	j.t.Helper()
	if j.mode != byKeyboard {
		do(j.t, j.ctx, "choose "+what, chromedp.Click(fmt.Sprintf(`//label[@for=%q]`, id)))
		return
	}
	j.tabTo(what, func(f focus) bool { return f.ID == id })
	j.key(" ")
}

// checked checks whether the radio or checkbox with the ID is ticked.
func (j *journey) checked(id string, want bool) {
	j.t.Helper()
	got, err := chromedp.Run(j.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`!!(document.getElementById(%q) || {}).checked`, id)))
	if err != nil {
		j.t.Fatal(err)
	}
	if got != want {
		j.t.Errorf("#%s ticked = %v, want %v", id, got, want)
	}
}

// typeInto types text into the field with the ID, tabbing to it first when
// using only the keyboard.
func (j *journey) typeInto(id, text string) {
	j.t.Helper()
	if j.mode != byKeyboard {
		do(j.t, j.ctx, "type into #"+id, chromedp.SendKeys(chromedp.CSS("#"+id), text))
		return
	}
	if f, err := chromedp.Run(j.ctx, chromedp.Evaluate[focus](readFocus)); err != nil || f.ID != id {
		j.tabTo("#"+id, func(f focus) bool { return f.ID == id })
	}
	j.key(text)
}

// followError checks the error summary links to the field with the ID, and
// follows the link. With JavaScript the summary has focus when the page
// loads, and following the link focuses the field; without it the link
// goes to the field's fragment.
func (j *journey) followError(id, msg string) {
	j.t.Helper()
	link := fmt.Sprintf(`//div[contains(@class,"govuk-error-summary")]//a[@href=%q]`, "#"+id)
	if msg != "" {
		link = fmt.Sprintf(`//div[contains(@class,"govuk-error-summary")]//a[@href=%q][normalize-space(.)=%q]`, "#"+id, msg)
	}
	n, err := chromedp.Run(j.ctx, chromedp.Evaluate[int](fmt.Sprintf(
		`document.evaluate(%q, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null).snapshotLength`, link)))
	if err != nil || n != 1 {
		j.t.Fatalf("the error summary has %d links to #%s saying %q (%v)", n, id, msg, err)
	}
	if j.mode != byKeyboard {
		do(j.t, j.ctx, "follow the error summary's link", chromedp.Click(link))
		hash, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](`location.hash`))
		if err != nil || hash != "#"+id {
			j.t.Errorf("after following the error link, location.hash = %q, want #%s (%v)", hash, id, err)
		}
		return
	}
	j.focused("the error summary (focused on load)", func(f focus) bool { return strings.Contains(f.Class, "govuk-error-summary") })
	j.key(kb.Tab)
	j.focused("the error summary's link", isLink("", "#"+id))
	j.enterOnly()
	j.focused("#"+id+" (the field the error is about)", func(f focus) bool { return f.ID == id })
}

// enterOnly presses Enter without the character event chromedp's key
// sends after the key down. A real keyboard's character is dropped when
// the key down was handled (a link followed on key down); sent on its own
// it lands on whatever the link focused, and Enter on a form field
// submits the form.
func (j *journey) enterOnly() {
	j.t.Helper()
	p := input.DispatchKeyEventParams{Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
	p.Type = input.DispatchKeyEventTypeRawKeyDown
	call(j.t, j.ctx, input.DispatchKeyEvent, p)
	p.Type = input.DispatchKeyEventTypeKeyUp
	call(j.t, j.ctx, input.DispatchKeyEvent, p)
}
