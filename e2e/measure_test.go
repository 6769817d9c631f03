package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"parley/internal/app"
)

// TestMeasurePagesAxe runs axe-core (and the reflow check) on every
// measurement page, public and staff, in English and Welsh, in both
// brands: GET pages, then the pages that answer a form (errors, a new
// dataset's token).
func TestMeasurePagesAxe(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("axe", "axe.min.js"))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core is required in CI: %v (run `make assets`)", err)
		}
		t.Skipf("skipping: %v (run `make assets`)", err)
	}
	shots := screenshotDir(t)
	council := app.DemoOrgs[1].Slug
	admin, _ := demoStaff(t, "admin")
	public := "/organisations/" + council + "/measures"
	staff := "/staff/" + council + "/measures"
	for _, brand := range []string{"govuk", "neutral"} {
		t.Run(brand, func(t *testing.T) {
			t.Parallel()
			needBrowser(t)
			s := startSite(t, siteOptions{brand: brand})
			phases := []struct {
				who   string
				paths []string
				forms []staffForm
			}{
				{"", []string{
					"/measures",
					"/measures?service=Council+tax",
					"/measures/method",
					public,
					public + "?from=2025-01&to=2025-06&channel=web",
					public + "/what-if",
					public + "/what-if?move_from=face_to_face&move_to=web&percent=25",
				}, []staffForm{
					{name: "measures-filter-errors", path: "/measures", fill: map[string]string{"#from": "soon"},
						submit: `main form button[type="submit"]`, until: hasErrors},
					{name: "measures-what-if-errors", path: public + "/what-if", fill: map[string]string{"#percent": "150"},
						submit: `main form button[type="submit"]`, until: hasErrors},
				}},
				{admin, []string{
					staff,
					staff + "/what-if?move_from=phone&move_to=web&percent=10",
					staff + "/costs",
					staff + "/channels",
					staff + "/import",
					staff + "/datasets",
					staff + "/settings",
				}, []staffForm{
					{name: "measures-cost-errors", path: staff + "/costs", fill: map[string]string{"#cost": "lots"},
						submit: `form[action$="/measures/costs"] button[type="submit"]`, until: hasErrors},
					{name: "measures-channel-errors", path: staff + "/channels", fill: map[string]string{"#key": "Web Chat"},
						submit: `form[action$="/measures/channels"] button[type="submit"]`, until: hasErrors},
					{name: "measures-import-errors", path: staff + "/import",
						submit: `form[action$="/measures/import"] button[type="submit"]`, until: hasErrors},
					{name: "measures-settings-errors", path: staff + "/settings", fill: map[string]string{"#band_0": "150"},
						submit: `form[action$="/measures/settings"] button[type="submit"]`, until: hasErrors},
					{name: "measures-dataset-token", path: staff + "/datasets", fill: map[string]string{"#name": "Contact centre"},
						submit: `form[action$="/measures/datasets"] button[type="submit"]`,
						until: func(v view) bool {
							return strings.Contains(v.Text, "pds_") || strings.Contains(v.Text, "Copïwch") || strings.Contains(v.Text, "Copy the token")
						}},
				}},
			}
			for _, ph := range phases {
				ctx := tabFor(t, 5*time.Minute)
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

// TestMeasureJourneys goes from the cross-organisation ranking to an
// organisation's dashboard, filters it, and works out a channel shift in
// the calculator, by keyboard only and with JavaScript off.
func TestMeasureJourneys(t *testing.T) {
	for _, mode := range []string{byKeyboard, noScript} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			needBrowser(t)
			s := startSite(t, siteOptions{})
			ctx := tabFor(t, 2*time.Minute)
			j := &journey{t: t, ctx: ctx, site: s, mode: mode}
			measureJourney(j)
		})
	}
}

func measureJourney(j *journey) {
	t, ctx := j.t, j.ctx
	council := app.DemoOrgs[1]
	dashboard := "/organisations/" + council.Slug + "/measures"
	if j.mode == noScript {
		call(t, ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	}
	if j.mode == byKeyboard {
		call(t, ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
	}
	do(t, ctx, "open the home page", chromedp.Navigate(j.site.base+"/?lang=en"))
	j.at("/")
	j.activate("the Measures link", isLink("Measures", "/measures"), `//nav//a[normalize-space(.)="Measures"]`)
	ranking := j.at("/measures")
	if !strings.Contains(ranking.Text, "Ranking on the engagement index") || !strings.Contains(ranking.Text, council.NameEN) {
		t.Fatalf("the ranking does not list %s:\n%s", council.NameEN, ranking.Text)
	}
	if j.mode == byKeyboard {
		// The table of figures scrolls sideways on a phone, so it takes focus.
		j.tabTo("the ranking table", func(f focus) bool { return f.Tag == "DIV" && strings.Contains(f.Class, "parley-table-scroll") })
	}
	j.activate("the council's link", isLink(council.NameEN, dashboard), `//main//table//a[normalize-space(.)="`+council.NameEN+`"]`)
	d := j.at(dashboard)
	for _, want := range []string{"Digital take-up", "Cost per transaction", "Saving from channel shift", "Engagement index", "Transactions by channel and month"} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("the dashboard does not show %q", want)
		}
	}

	// Filter to one service and a period.
	if j.mode == byKeyboard {
		j.tabTo("the from month", func(f focus) bool { return f.ID == "from" })
		j.key("2026-01")
		j.tabTo("the to month", func(f focus) bool { return f.ID == "to" })
		j.key("2026-06")
		j.tabTo("the service", func(f focus) bool { return f.ID == "service" })
		j.key("Council tax")
	} else {
		do(t, ctx, "fill the filters", chromedp.SendKeys(chromedp.CSS("#from"), "2026-01"), chromedp.SendKeys(chromedp.CSS("#to"), "2026-06"),
			chromedp.SetValue(chromedp.CSS("#service"), "Council tax"))
	}
	j.activate("the filter button", isButton("Apply filters"), `//main//button[normalize-space(.)="Apply filters"]`)
	filtered := waitFor(t, ctx, "the filtered dashboard", func(v view) bool { return strings.Contains(v.Path, "from=2026-01") })
	j.checkScript(filtered)
	if !strings.Contains(filtered.Path, "from=2026-01") || !strings.Contains(filtered.Path, "service=Council+tax") ||
		!strings.Contains(filtered.Text, "Figures for January 2026 to June 2026") {
		t.Errorf("filters not applied: %s\n%s", filtered.Path, filtered.Text)
	}

	// The calculator keeps the filters and answers without JavaScript.
	j.activate("the calculator link", isLink("What if more contact moved online? Try the calculator", ""), `//main//a[contains(., "Try the calculator")]`)
	calc := j.at(dashboard + "/what-if")
	if !strings.Contains(calc.Text, "January 2026 to June 2026") {
		t.Errorf("the calculator lost the period:\n%s", calc.Text)
	}
	if j.mode == byKeyboard {
		j.tabTo("the from channel", func(f focus) bool { return f.ID == "move_from" })
		j.key("Face")
		j.tabTo("the to channel", func(f focus) bool { return f.ID == "move_to" })
		j.key("Web")
		j.tabTo("the percentage", func(f focus) bool { return f.ID == "percent" })
		j.key("25")
	} else {
		do(t, ctx, "fill the calculator", chromedp.SetValue(chromedp.CSS("#move_from"), "face_to_face"),
			chromedp.SetValue(chromedp.CSS("#move_to"), "web"), chromedp.SendKeys(chromedp.CSS("#percent"), "25"))
	}
	j.activate("the calculate button", isButton("Work out the cost"), `//main//button[normalize-space(.)="Work out the cost"]`)
	res := waitFor(t, ctx, "the calculator's answer", func(v view) bool { return strings.Contains(v.Text, "Contacts moved") })
	for _, want := range []string{"move_from=face_to_face", "move_to=web", "percent=25", "service=Council+tax", "from=2026-01"} {
		if !strings.Contains(res.Path, want) {
			t.Errorf("the answer's address %s lacks %s", res.Path, want)
		}
	}
	if !strings.Contains(res.Text, "Saving") || !strings.Contains(res.Text, "Moving 25% of Face to face contacts to Web") {
		t.Errorf("the calculator's answer:\n%s", res.Text)
	}
	if j.mode == noScript && res.JS {
		t.Error("the page's script ran with JavaScript off")
	}
}
