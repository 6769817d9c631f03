package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"parley/internal/jobs"
	"parley/internal/measure"
)

// TestDemoMeasures checks the demo's measurement story: every demo
// organisation publishes two years of figures with a visible shift to the
// web, North Shire has its own unit costs, the open API ranks them, and
// the collection job is registered and idempotent.
func TestDemoMeasures(t *testing.T) {
	a := openApp(t)
	ctx := context.Background()
	start := time.Now()
	if _, err := a.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo seeded in %v", time.Since(start))

	now := time.Now()
	var slugs []string
	for _, sh := range demoShifts {
		slugs = append(slugs, sh.slug)
		o, err := a.Store.OrgBySlug(ctx, sh.slug)
		if err != nil {
			t.Fatal(err)
		}
		st, err := a.Store.MeasureSettings(ctx, o.ID)
		if err != nil || !st.Public || len(st.Baseline) != len(measure.AgeBands) {
			t.Errorf("%s settings %+v, %v", sh.slug, st, err)
		}
		first := measure.Period{From: measure.MonthOf(now).Add(-23), To: measure.MonthOf(now).Add(-18)}
		last := measure.Period{From: measure.MonthOf(now).Add(-6), To: measure.MonthOf(now).Add(-1)}
		var takeUp [2]float64
		for i, p := range []measure.Period{first, last} {
			rep, err := measure.OrgReport(ctx, a.Store, o.ID, measure.Query{Period: p}, now)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Figures.DigitalTakeUp.Valid || rep.Figures.Transactions == 0 {
				t.Fatalf("%s %v: no figures", sh.slug, p)
			}
			takeUp[i] = rep.Figures.DigitalTakeUp.Value
		}
		if takeUp[1] < takeUp[0]+0.05 {
			t.Errorf("%s: digital take-up %.2f → %.2f, want a visible shift", sh.slug, takeUp[0], takeUp[1])
		}
	}
	council, _ := a.Store.OrgBySlug(ctx, "north-shire-council")
	costs, err := a.Store.UnitCosts(ctx, council.ID)
	if err != nil || len(costs) < len(demoOwnCosts) || costs[0].Source == "" {
		t.Errorf("North Shire's own unit costs: %+v, %v", costs, err)
	}

	// The open comparison lists them all.
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/measures/organisations", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("comparison: %d %s", rec.Code, rec.Body)
	}
	var cmp struct {
		Items []struct {
			Organisation struct{ Slug string } `json:"organisation"`
			Index        struct {
				Index *float64 `json:"index"`
				Rank  *int     `json:"rank"`
			} `json:"engagement_index"`
		} `json:"items"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &cmp); err != nil {
		t.Fatal(err)
	}
	var listed []string
	rank := map[string]int{}
	for _, it := range cmp.Items {
		listed = append(listed, it.Organisation.Slug)
		if it.Index.Rank != nil {
			rank[it.Organisation.Slug] = *it.Index.Rank
			t.Logf("%d. %s: %.1f", *it.Index.Rank, it.Organisation.Slug, *it.Index.Index)
		}
	}
	for _, s := range slugs {
		if !slices.Contains(listed, s) {
			t.Errorf("%s missing from the comparison %v", s, listed)
		}
	}
	// The story: Harbour City leads, West Dale trails, Upland (no
	// engagements on Parley) is listed unranked.
	if rank["harbour-city-council"] != 1 || rank["west-dale-borough-council"] != 4 || rank["upland-district-council"] != 0 {
		t.Errorf("ranks %v", rank)
	}

	// The collection job is registered and collecting again changes nothing.
	if !slices.Contains(a.Runner.Kinds(), measureCollectJob) {
		t.Errorf("%s not registered", measureCollectJob)
	}
	if err := a.collectMeasures(ctx, jobs.Job{Kind: measureCollectJob}); err != nil {
		t.Fatal(err)
	}
	if n, err := a.Store.CollectActivity(ctx); err != nil || n != 0 {
		t.Errorf("collecting again changed %d records, %v", n, err)
	}
}
