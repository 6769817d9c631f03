package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"parley/internal/app"
	"parley/internal/proposal"
)

// TestSignPetition signs the demo's open petition by keyboard only and
// with JavaScript off: open the form from the petition's page, send it
// empty and put the mistakes right through the error summary, send it
// (after the form's minimum filling-in time), follow the emailed link and
// see the signature counted. Each page of the journey is checked with
// axe-core, in English and the form in Welsh too, when axe is there.
func TestSignPetition(t *testing.T) {
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
			p := openPetition(t, s)
			before := p.Supporters
			path := fmt.Sprintf("/proposals/%d", p.ID)
			sign := path + "/sign"
			email := "sign." + mode + "@example.org"

			// The petition's page links to the form.
			do(t, ctx, "open the petition", chromedp.Navigate(s.base+path))
			j.at(path)
			if mode == byKeyboard {
				j.checkSkipLinkFirst()
			}
			j.activate("the link to sign", isLink("", sign), fmt.Sprintf(`//main//a[@href=%q]`, sign))
			form := j.at(sign)
			if form.H1 != "Sign this petition" || !strings.Contains(form.Text, p.Title) {
				t.Fatalf("form: h1 %q:\n%s", form.H1, form.Text)
			}
			axe(form)

			// Sent empty: the summary lists the mistakes, each linking to its field.
			j.activate("the Continue button", isButton("Continue"), `//main//button[normalize-space(.)="Continue"]`)
			wrong := waitFor(t, ctx, "the form with errors", func(v view) bool {
				return v.Path == sign && strings.Contains(v.Text, "There is a problem")
			})
			j.checkScript(wrong)
			if !strings.HasPrefix(wrong.Title, "Error:") || !strings.Contains(wrong.Text, "Enter your name") {
				t.Errorf("form with errors: title %q:\n%s", wrong.Title, wrong.Text)
			}
			axe(wrong)
			loaded := time.Now() // the form came back with a fresh stamp
			j.followError("name", "Enter your name")
			j.typeInto("name", "Morgan Signer")
			j.typeInto("email", email)
			j.choose("the UK resident box", "uk_resident")
			j.checked("uk_resident", true)
			j.typeInto("postcode", "cf10 1aa")
			// A person takes a few seconds; a form sent sooner is a bot's.
			time.Sleep(time.Until(loaded.Add(proposal.MinFillTime + 500*time.Millisecond)))
			j.activate("the Continue button", isButton("Continue"), `//main//button[normalize-space(.)="Continue"]`)

			check := j.at(sign + "/check-email")
			j.redirected(check)
			if check.H1 != "Now check your email" {
				t.Errorf("check email: h1 %q:\n%s", check.H1, check.Text)
			}
			axe(check)

			link := signatureLink(t, s, email)
			do(t, ctx, "follow the emailed link", chromedp.Navigate(link))
			done := waitFor(t, ctx, "the confirmation", func(v view) bool { return strings.HasPrefix(v.Path, "/signatures/confirm/") })
			want := fmt.Sprintf("%s signatures", groupDigits(before+1))
			if done.H1 != "Your signature has been added" || !strings.Contains(done.Text, want) {
				t.Errorf("confirmed: h1 %q, want %q in:\n%s", done.H1, want, done.Text)
			}
			axe(done)
			if got, _ := s.app.Store.Proposal(context.Background(), p.ID); got.Supporters != before+1 {
				t.Errorf("%d supporters, want %d", got.Supporters, before+1)
			}

			// The form in Welsh.
			do(t, ctx, "open the Welsh form", chromedp.Navigate(s.base+sign+"?lang=cy"))
			cy := j.at(sign)
			if cy.Lang != "cy" || cy.H1 != "Llofnodi'r ddeiseb hon" {
				t.Errorf("Welsh form: lang %q, h1 %q", cy.Lang, cy.H1)
			}
			axe(cy)
		})
	}
}

// openPetition finds the demo's first petition that takes signatures.
func openPetition(t *testing.T, s *site) proposal.Proposal {
	t.Helper()
	ctx := context.Background()
	o, err := s.app.Store.OrgBySlug(ctx, app.DemoOrgs[0].Slug)
	if err != nil {
		t.Fatal(err)
	}
	ps, _, err := s.app.Store.Proposals(ctx, proposal.ListFilter{OrgID: o.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Kind == proposal.Petitions && p.Supportable(time.Now()) {
			return p
		}
	}
	t.Fatal("the demo has no open petition")
	return proposal.Proposal{}
}

var signatureLinkRE = regexp.MustCompile(`https?://\S+/signatures/confirm/\S+`)

// signatureLink reads the confirmation link emailed to addr from the outbox.
func signatureLink(t *testing.T, s *site, addr string) string {
	t.Helper()
	msgs, err := s.app.Store.Outbox(context.Background(), 5000) // the demo's jobs queue many of their own
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.To == addr && m.Kind == proposal.ConfirmSignatureKind {
			if link := signatureLinkRE.FindString(m.Body); link != "" {
				return link
			}
		}
	}
	t.Fatalf("no confirmation link to %s in the outbox", addr)
	return ""
}

// groupDigits writes 1234 as "1,234", as the pages do.
func groupDigits(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
