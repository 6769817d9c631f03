package web_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"parley/internal/measure"
	"parley/internal/store"
)

// routeMeasures holds what the route-by-role test acts on for the staff
// measurement pages: a dataset to revoke and download, and a unit cost to
// delete; each is put back by restore.
type routeMeasures struct {
	st      *store.Store
	orgID   int64
	dataset int64
	n       int
}

func newRouteMeasures(t testing.TB, st *store.Store, orgID int64) *routeMeasures {
	t.Helper()
	f := &routeMeasures{st: st, orgID: orgID}
	f.newDataset(t)
	f.newCost(t)
	return f
}

func (f *routeMeasures) newDataset(t testing.TB) {
	f.n++
	_, d, err := f.st.CreateDataset(ctx, measure.Dataset{OrgID: f.orgID, Name: "Feed " + strconv.Itoa(f.n), Kind: measure.KindAPI}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.dataset = d.ID
}

func (f *routeMeasures) newCost(t testing.TB) {
	if err := f.st.SetUnitCost(ctx, measure.UnitCost{OrgID: f.orgID, Channel: measure.Email, From: 202601, Pence: 40, Source: "Test"}, 0); err != nil {
		t.Fatal(err)
	}
}

// owns reports whether a staff route is one of the measurement pages.
func (f *routeMeasures) owns(pattern string) bool {
	return strings.HasPrefix(pattern, "/staff/{org}/measures")
}

// id picks what {id} names in a route: the dataset.
func (f *routeMeasures) id(string) int64 { return f.dataset }

// fill completes the test's harmless form for a measurement route.
func (f *routeMeasures) fill(form url.Values, pattern string) {
	f.n++
	switch pattern {
	case "/staff/{org}/measures/costs", "/staff/{org}/measures/costs/delete":
		form.Set("channel", measure.Email)
		form.Set("from", "2026-01")
		form.Set("cost", "0.40")
		form.Set("source", "Test")
	case "/staff/{org}/measures/channels":
		form.Set("key", "channel_"+strconv.Itoa(f.n))
		form.Set("name_en", "Channel")
		form.Set("digital", "no")
	case "/staff/{org}/measures/settings":
		form.Set("population", "1000")
	}
}

// restore puts back what a successful POST consumed.
func (f *routeMeasures) restore(t testing.TB, pattern string) {
	switch pattern {
	case "/staff/{org}/measures/datasets/{id}/revoke":
		f.newDataset(t)
	case "/staff/{org}/measures/costs/delete":
		f.newCost(t)
	}
}
