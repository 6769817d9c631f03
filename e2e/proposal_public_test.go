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
	"parley/internal/proposal"
)

// proposalFixture is a board of ideas and one of petitions on the first
// demo organisation's neighbour, with proposals in the states the public
// pages show: listed, answered, merged, commented on, signed from areas.
type proposalFixture struct {
	ideas, petitions       int64
	idea, merged, petition int64
	comment                int64
}

func newProposalFixture(t *testing.T, s *site, orgSlug string) proposalFixture {
	t.Helper()
	ctx := context.Background()
	st := s.app.Store
	o, err := st.OrgBySlug(ctx, orgSlug)
	if err != nil {
		t.Fatal(err)
	}
	var f proposalFixture
	ideas, err := st.CreateBoard(ctx, proposal.Board{OrgID: o.ID, Kind: proposal.Ideas, TitleEN: "Axe ideas", TitleCY: "Syniadau axe",
		DescriptionEN: "Ideas for the **county**.", Moderation: proposal.PostModeration, Accepting: true, ResponseThreshold: 2, ResponseDays: 28,
		Categories: []proposal.Category{{Slug: "roads", NameEN: "Roads", NameCY: "Ffyrdd"}, {Slug: "parks", NameEN: "Parks", NameCY: "Parciau"}}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	petitions, err := st.CreateBoard(ctx, proposal.Board{OrgID: o.ID, Kind: proposal.Petitions, TitleEN: "Axe petitions", TitleCY: "Deisebau axe",
		Moderation: proposal.PostModeration, Accepting: true, ResponseThreshold: 10000, DebateThreshold: 100000, OpenDays: 182, SponsorsNeeded: 0}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.ideas, f.petitions = ideas.ID, petitions.ID
	author, err := st.EnsureUser(ctx, "axe.author@example.org")
	if err != nil {
		t.Fatal(err)
	}
	// A new account writing this much in a minute is what the signals
	// hold for a moderator; these pages are about what is published.
	if err := st.SetStanding(ctx, o.ID, author.ID, moderation.Trusted, 0); err != nil {
		t.Fatal(err)
	}
	mk := func(title, cat string) proposal.Proposal {
		p, err := st.CreateProposal(ctx, proposal.Proposal{BoardID: ideas.ID, AuthorID: author.ID, AuthorName: "Axe Author", Title: title,
			Body: "Some **details** about it.\n\n- one\n- two", Category: cat}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := mk("Fix the potholes on Mill Lane", "roads")
	f.idea = p.ID
	dup := mk("Mill Lane potholes", "roads")
	mk("More bins in Victoria Park", "parks")
	supporter, _ := st.EnsureUser(ctx, "axe.supporter@example.org")
	if err := st.Support(ctx, p.ID, supporter.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetProposalStatus(ctx, proposal.StatusChange{ProposalID: p.ID, Status: proposal.Planned,
		ResponseEN: "We will fix it in **May**.", ResponseCY: "Byddwn yn ei drwsio ym mis **Mai**."}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.MergeProposals(ctx, dup.ID, p.ID, 0); err != nil {
		t.Fatal(err)
	}
	f.merged = dup.ID
	c, err := st.AddComment(ctx, proposal.Comment{ProposalID: p.ID, AuthorID: supporter.ID, AuthorName: "Sam", Body: "Yes please."})
	if err != nil {
		t.Fatal(err)
	}
	f.comment = c.ID
	if _, err := st.AddComment(ctx, proposal.Comment{ProposalID: p.ID, ParentID: c.ID, AuthorID: author.ID, AuthorName: "Axe Author", Body: "Thanks!"}); err != nil {
		t.Fatal(err)
	}
	bad, err := st.AddComment(ctx, proposal.Comment{ProposalID: p.ID, AuthorID: supporter.ID, AuthorName: "Sam", Body: "Buy cheap things."})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ModerateComment(ctx, bad.ID, true, "Advertising", 0); err != nil {
		t.Fatal(err)
	}
	pet, err := st.CreateProposal(ctx, proposal.Proposal{BoardID: petitions.ID, AuthorID: author.ID, AuthorName: "Axe Author",
		Title: "Save the Riverside library", Body: "Keep it open."},
		&proposal.Signature{Name: "Axe Author", Email: "axe.author@example.org", Postcode: "CF10 1AA", Country: "GB", UKResident: true})
	if err != nil {
		t.Fatal(err)
	}
	f.petition = pet.ID
	return f
}

// TestProposalPagesAxe runs axe-core on the public pages of boards and
// proposals, in English and Welsh, in both brands, and checks the
// similar-proposals suggestions appear as a title is typed.
func TestProposalPagesAxe(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("axe", "axe.min.js"))
	if err != nil {
		t.Skipf("skipping: %v (run `make assets`)", err)
	}
	citizen := "alex.citizen@example.org"
	_, org := demoStaff(t, "admin")
	shots := screenshotDir(t)
	for _, brand := range []string{"govuk", "neutral"} {
		t.Run(brand, func(t *testing.T) {
			t.Parallel()
			needBrowser(t)
			s := startSite(t, siteOptions{brand: brand})
			f := newProposalFixture(t, s, org)
			id := func(n int64) string { return fmt.Sprint(n) }
			anon := []string{
				"/organisations/" + org,
				"/boards/" + id(f.ideas),
				"/boards/" + id(f.ideas) + "?q=nothing+matches",
				"/boards/" + id(f.petitions),
				"/proposals/" + id(f.idea),
				"/proposals/" + id(f.merged),
				"/proposals/" + id(f.petition),
			}
			signedIn := []string{
				"/boards/" + id(f.ideas) + "/propose",
				"/boards/" + id(f.petitions) + "/propose",
				"/proposals/" + id(f.idea),
				"/proposals/" + id(f.idea) + "/comments/" + id(f.comment) + "/report",
			}
			for _, who := range []string{"", citizen} {
				ctx := tabFor(t, 4*time.Minute)
				call(t, ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
				paths := anon
				if who != "" {
					signIn(t, ctx, s, who)
					paths = signedIn
				}
				for _, lang := range []string{"en", "cy"} {
					for _, path := range paths {
						t.Run(lang+path, func(t *testing.T) {
							axePath(t, ctx, s, path, lang, src, shots, brand)
						})
					}
					// The form's error page, and the check-these-first step.
					t.Run(lang+"/propose-steps", func(t *testing.T) {
						if who == "" {
							t.Skip("signed in only")
						}
						pctx, cancel := context.WithTimeout(ctx, 40*time.Second)
						defer cancel()
						propose := "/boards/" + id(f.ideas) + "/propose"
						do(t, pctx, "open the form", chromedp.Navigate(s.base+propose+"?lang="+lang))
						waitPath(t, pctx, propose)
						do(t, pctx, "send it empty", chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
						got := waitFor(t, pctx, "the error summary", func(v view) bool { return strings.Contains(v.Title, ":") })
						axeCheck(t, pctx, got.Path+" (errors)", src)
						do(t, pctx, "fill it in",
							chromedp.SendKeys(chromedp.CSS("#title"), "Potholes on Mill Lane"),
							chromedp.SendKeys(chromedp.CSS("#body"), "Mill Lane has deep potholes."),
							chromedp.Click(chromedp.CSS("#category")),
						)
						// The script suggests the idea already on the board.
						waitFor(t, pctx, "suggestions", func(view) bool {
							n, err := chromedp.Run(pctx, chromedp.Evaluate[int](`document.querySelectorAll('#similar a').length`))
							return err == nil && n > 0
						})
						axeCheck(t, pctx, got.Path+" (suggestions)", src)
						do(t, pctx, "continue", chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
						got = waitFor(t, pctx, "check these first", func(view) bool {
							n, err := chromedp.Run(pctx, chromedp.Evaluate[int](`document.querySelectorAll('input[name=checked]').length`))
							return err == nil && n == 1
						})
						axeCheck(t, pctx, got.Path+" (check these first)", src)
					})
				}
			}
		})
	}
}

// TestProposeAnIdea proposes an idea by keyboard only and with JavaScript
// off: from the board's button, through a mistake put right from the error
// summary, past the "check these first" step, to the idea's own page.
func TestProposeAnIdea(t *testing.T) {
	axeSrc, _ := os.ReadFile(filepath.Join("axe", "axe.min.js"))
	_, org := demoStaff(t, "admin")
	for _, mode := range []string{byKeyboard, noScript} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			needBrowser(t)
			s := startSite(t, siteOptions{})
			f := newProposalFixture(t, s, org)
			ctx := tab(t)
			j := &journey{t: t, ctx: ctx, site: s, mode: mode}
			call(t, ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
			if mode == noScript {
				call(t, ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			} else {
				call(t, ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
			}
			signIn(t, ctx, s, "robin."+mode+"@example.org")
			board := fmt.Sprintf("/boards/%d", f.ideas)
			propose := board + "/propose"
			do(t, ctx, "open the board", chromedp.Navigate(s.base+board))
			j.at(board)
			if mode == byKeyboard {
				j.checkSkipLinkFirst()
			}
			j.activate("the Propose an idea button", isLink("Propose an idea", propose), `//main//a[@href="`+propose+`"]`)
			form := j.at(propose)
			if form.H1 != "Propose an idea" {
				t.Fatalf("propose page h1 %q", form.H1)
			}
			j.activate("the Continue button", isButton("Continue"), `//main//button[normalize-space(.)="Continue"]`)
			wrong := waitFor(t, ctx, "the form with errors", func(p view) bool { return strings.Contains(p.Text, "There is a problem") })
			j.checkScript(wrong)
			if !strings.HasPrefix(wrong.Title, "Error:") {
				t.Errorf("title %q", wrong.Title)
			}
			if axeSrc != nil && mode != noScript {
				axeCheck(t, ctx, wrong.Path, axeSrc)
			}
			j.followError("title", "Enter a title")
			j.typeInto("title", "Potholes on Mill Lane")
			j.typeInto("body", "Mill Lane has deep potholes.")
			j.choose("Roads", "category")
			j.checked("category", true)
			j.activate("the Continue button", isButton("Continue"), `//main//button[normalize-space(.)="Continue"]`)
			check := waitFor(t, ctx, "check these first", func(p view) bool { return p.H1 == "Check these first" })
			if !strings.Contains(check.Text, "Fix the potholes on Mill Lane") {
				t.Errorf("check step does not list the similar idea:\n%s", check.Text)
			}
			j.activate("the continue button", isButton("These are different – continue"), `//main//button[@value="continue"]`)
			done := waitFor(t, ctx, "the new idea", func(p view) bool { return strings.HasPrefix(p.Path, "/proposals/") })
			j.redirected(done)
			if done.H1 != "Potholes on Mill Lane" || !strings.Contains(done.Text, "Your idea has been created") {
				t.Errorf("new idea page: h1 %q:\n%s", done.H1, done.Text)
			}
		})
	}
}
