package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"parley/internal/app"
	"parley/internal/proposal"
)

// demoProposals finds the demo's boards and proposals by title.
type demoProposalIDs struct {
	ideas, petitions        int64 // the council's ideas board, the department's petitions board
	commented, awaiting     int64 // ideas: one with comments (one reported), one owing an answer
	answeredPetition        int64 // past its threshold
	sponsoring              int64
	sponsorToken            string
	councilSlug, deptSlug   string
	councilAdmin, deptAdmin string
}

func demoProposals(t *testing.T, s *site) demoProposalIDs {
	t.Helper()
	ctx := context.Background()
	ids := demoProposalIDs{councilSlug: app.DemoOrgs[1].Slug, deptSlug: app.DemoOrgs[0].Slug}
	ids.councilAdmin, _ = demoStaff(t, "admin")
	ids.deptAdmin = "admin@" + ids.deptSlug + ".example"
	find := func(slug string, kind proposal.Kind, titles map[string]*int64) int64 {
		o, err := s.app.Store.OrgBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		boards, err := s.app.Store.Boards(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range boards {
			if b.Kind != kind {
				continue
			}
			ps, _, err := s.app.Store.Proposals(ctx, proposal.ListFilter{BoardID: b.ID, Limit: 200,
				Stages: []proposal.Stage{proposal.Sponsoring, proposal.Pending, proposal.Published}})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				if id, ok := titles[p.Title]; ok {
					*id = p.ID
					if p.Stage == proposal.Sponsoring {
						ids.sponsorToken = p.SponsorToken
					}
				}
			}
			return b.ID
		}
		t.Fatalf("no %s board for %s", kind, slug)
		return 0
	}
	ids.ideas = find(ids.councilSlug, proposal.Ideas, map[string]*int64{
		"A safe cycle route to Northgate school": &ids.commented,
		"A bus shelter at the Mill Lane stop":    &ids.awaiting,
	})
	ids.petitions = find(ids.deptSlug, proposal.Petitions, map[string]*int64{
		"Cap rail fares for commuters at 2019 levels":    &ids.answeredPetition,
		"Make every new bus carry two wheelchair spaces": &ids.sponsoring,
	})
	if ids.commented == 0 || ids.awaiting == 0 || ids.answeredPetition == 0 || ids.sponsoring == 0 || ids.sponsorToken == "" {
		t.Fatalf("demo proposals not found: %+v", ids)
	}
	return ids
}

// TestProposalStaffPagesAxe runs axe-core on the staff pages of boards,
// proposals and petition fraud controls, and on the petition signing
// pages, in English and Welsh, in both brands: GET pages, then the pages
// that follow a form (errors, the merge and invalidation confirmations).
func TestProposalStaffPagesAxe(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("axe", "axe.min.js"))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core is required in CI: %v (run `make assets`)", err)
		}
		t.Skipf("skipping: %v (run `make assets`)", err)
	}
	shots := screenshotDir(t)
	for _, brand := range []string{"govuk", "neutral"} {
		t.Run(brand, func(t *testing.T) {
			t.Parallel()
			needBrowser(t)
			s := startSite(t, siteOptions{brand: brand})
			d := demoProposals(t, s)
			id := func(n int64) string { return fmt.Sprint(n) }
			council, dept := "/staff/"+d.councilSlug, "/staff/"+d.deptSlug
			phases := []struct {
				who   string
				paths []string
				forms []staffForm
			}{
				{"", []string{
					"/proposals/" + id(d.answeredPetition) + "/sign",
					"/proposals/" + id(d.answeredPetition) + "/sign/check-email",
					"/sponsor/" + d.sponsorToken,
				}, []staffForm{
					{name: "sign-errors", path: "/proposals/" + id(d.answeredPetition) + "/sign", submit: `main form button[type="submit"]`, until: hasErrors},
				}},
				{d.councilAdmin, []string{
					council + "/boards",
					council + "/boards/new",
					council + "/boards/new?kind=ideas",
					council + "/boards/" + id(d.ideas),
					council + "/proposals",
					council + "/proposals/" + id(d.commented),
					council + "/proposals/" + id(d.awaiting),
				}, []staffForm{
					{name: "board-errors", path: council + "/boards/new", submit: `main form button[type="submit"]`, until: hasErrors},
					{name: "merge-confirm", path: council + "/proposals/" + id(d.awaiting),
						fill: map[string]string{"#into_number": id(d.commented)}, submit: `form[action$="/merge"] button[type="submit"]`, until: pathEnds("/merge")},
				}},
				{d.deptAdmin, []string{
					dept + "/proposals",
					dept + "/proposals/" + id(d.answeredPetition),
					dept + "/petitions/fraud",
					dept + "/petitions/areas",
				}, []staffForm{
					{name: "invalidate-preview", path: dept + "/petitions/fraud",
						fill: map[string]string{"#domain": "example.net", "#reason": "A test of the preview"}, submit: `form[action$="/invalidate"] button[type="submit"]`,
						until: pathEnds("/invalidate")},
					{name: "block-errors", path: dept + "/petitions/fraud", submit: `form[action$="/blocks"] button[type="submit"]`, until: hasErrors},
				}},
			}
			for _, ph := range phases {
				ctx := tabFor(t, 4*time.Minute)
				call(t, ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
				if ph.who != "" {
					signIn(t, ctx, s, ph.who)
				}
				for _, lang := range []string{"en", "cy"} {
					for _, path := range ph.paths {
						t.Run(lang+path, func(t *testing.T) {
							axePath(t, ctx, s, path, lang, src, shots, brand)
						})
					}
					for _, f := range ph.forms {
						t.Run(lang+"/"+f.name, func(t *testing.T) {
							axeForm(t, ctx, s, f, lang, src, shots, brand)
						})
					}
				}
			}
		})
	}
}

// staffForm is a form to send on a page before checking the page that follows.
type staffForm struct {
	name, path string
	fill       map[string]string // CSS selector → text to type
	submit     string            // the button to press
	until      func(view) bool   // true once the page that follows is shown
}

// hasErrors is true on a page whose title says it has errors ("Error: …", "Gwall: …").
func hasErrors(v view) bool { return strings.Contains(v.Title, ":") }

// pathEnds is true once the browser is at a path ending in suffix.
func pathEnds(suffix string) func(view) bool {
	return func(v view) bool { return strings.HasSuffix(v.Path, suffix) }
}

// axePath opens path in lang, checks it answers 200 in that language, runs
// axe-core on it and, when screenshots are on, takes one in English.
// axeForm sends a form (filled in as f says) and checks the page it
// leads to, usually the form again with its errors.
func axeForm(t *testing.T, ctx context.Context, s *site, f staffForm, lang string, axeSrc []byte, shots, brand string) {
	t.Helper()
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	do(t, pctx, "open "+f.path, chromedp.Navigate(s.base+f.path+"?lang="+lang))
	waitPath(t, pctx, f.path)
	for sel, v := range f.fill {
		do(t, pctx, "fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), v))
	}
	leave(t, pctx, "send "+f.name, chromedp.Click(chromedp.CSS(f.submit)))
	got := waitFor(t, pctx, f.name, func(v view) bool { return v.Ready && v.Lang == lang && f.until(v) })
	axeCheck(t, pctx, got.Path+" ("+f.name+")", axeSrc)
	if shots != "" && lang == "en" {
		screenshot(t, pctx, filepath.Join(shots, brand+"-"+f.name+".png"))
	}
}

func axePath(t *testing.T, ctx context.Context, s *site, path, lang string, axeSrc []byte, shots, brand string) {
	t.Helper()
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	r, err := chromedp.Run(pctx, chromedp.NavigateResponse(s.base+path+sep+"lang="+lang))
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	got := waitFor(t, pctx, path, func(view) bool { return true })
	if r.Status != 200 || got.Lang != lang {
		t.Errorf("%s: status %d, lang %q", path, r.Status, got.Lang)
	}
	axeCheck(t, pctx, got.Path, axeSrc)
	if shots != "" && lang == "en" {
		name := strings.NewReplacer("/", "-", "?", "-", "=", "-", "+", "-").Replace(strings.Trim(path, "/"))
		screenshot(t, pctx, filepath.Join(shots, brand+"-"+name+".png"))
	}
}
