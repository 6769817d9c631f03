package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/measure"
	"parley/internal/org"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// measureNow is the clock of the measurement tests: the default period is
// December 2025 to November 2026.
var measureNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// measureFixture is an API with its clock set, over a store with
// organisations that publish their figures or not.
type measureFixture struct {
	*fixture
	h       http.Handler
	own     org.Organisation // the fixture user's organisation (admin), not published
	pub     org.Organisation // published
	hidden  org.Organisation // not published, not the caller's
	dsToken string
	ds      measure.Dataset
}

func measureSetup(t *testing.T, s *store.Store) *measureFixture {
	t.Helper()
	f := setup(t, s)
	a := New(s, nil, base)
	a.now = func() time.Time { return measureNow }
	own, err := s.OrgBySlug(ctx, "north-shire")
	if err != nil {
		t.Fatal(err)
	}
	m := &measureFixture{fixture: f, h: a.Handler(), own: own,
		pub: mustOrg(t, s, "south-vale", "South Vale Council", "Cyngor De'r Fro"), hidden: mustOrg(t, s, "east-march", "East March", "")}
	for _, o := range []org.Organisation{m.own, m.pub, m.hidden} {
		st := measure.Settings{OrgID: o.ID, Public: o.ID == m.pub.ID, Population: 1000}
		if err := s.SetMeasureSettings(ctx, st, 0); err != nil {
			t.Fatal(err)
		}
	}
	m.dsToken, m.ds, err = s.CreateDataset(ctx, measure.Dataset{OrgID: m.pub.ID, Name: "Contact centre", Kind: measure.KindAPI}, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Some figures for the other two, so each has a row.
	for _, o := range []org.Organisation{m.own, m.hidden} {
		if _, err := s.ImportRecords(ctx, o.ID, []measure.Record{
			{OrgID: o.ID, Service: "Council tax", Channel: "web", Day: 20260301, Transactions: 10, Contacts: 10},
		}, 0); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// post sends body to target with the bearer token (none when "").
func (m *measureFixture) post(target, token, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	m.h.ServeHTTP(rec, req)
	return rec
}

func (m *measureFixture) get(target, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	m.h.ServeHTTP(rec, req)
	return rec
}

func (m *measureFixture) records() string {
	return fmt.Sprintf("/api/v1/measures/datasets/%d/records", m.ds.ID)
}

// sums are an organisation's totals over every month.
func sums(t *testing.T, s *store.Store, orgID int64) (contacts, transactions int64) {
	t.Helper()
	ts, err := s.MeasureTotals(ctx, measure.TotalsFilter{OrgIDs: []int64{orgID}, Period: measure.Period{From: 200001, To: 209912}})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		contacts += x.Contacts
		transactions += x.Transactions
	}
	return contacts, transactions
}

func TestMeasureIngest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		m := measureSetup(t, s)
		batch := `[
			{"_timestamp": "2026-10-01T10:00:00Z", "_id": "a", "service": "Council tax", "channel": "web", "count": 40, "contacts": 50},
			{"_timestamp": "2026-10-01", "service": "Council tax", "channel": "phone", "transactions": 10},
			{"_timestamp": "2026-10-02", "_id": "b", "service": "Parking", "channel": "face_to_face", "transactions": 5, "started": 8, "completed": 5, "rated": 4, "satisfied": 3}
		]`
		got := decode[ingestResult](t, m.post(m.records(), m.dsToken, batch), http.StatusOK)
		if got != (ingestResult{Created: 3}) {
			t.Errorf("first batch: %+v", got)
		}
		if c, tx := sums(t, s, m.pub.ID); c != 65 || tx != 55 {
			t.Errorf("after the first batch: contacts %d, transactions %d; want 65, 55", c, tx)
		}

		// The same _id again replaces: the totals move by the difference.
		// Two records with one _id in a batch: the later wins.
		again := `[
			{"_timestamp": "2026-10-01", "_id": "a", "service": "Council tax", "channel": "web", "count": 1, "contacts": 1},
			{"_timestamp": "2026-10-01", "_id": "a", "service": "Council tax", "channel": "web", "count": 30, "contacts": 35}
		]`
		got = decode[ingestResult](t, m.post(m.records(), m.dsToken, again), http.StatusOK)
		if got != (ingestResult{Replaced: 1}) {
			t.Errorf("second batch: %+v, want one replaced", got)
		}
		if c, tx := sums(t, s, m.pub.ID); c != 50 || tx != 45 {
			t.Errorf("after the replacement: contacts %d, transactions %d; want 50, 45", c, tx)
		}

		// A bad batch: every error named, nothing stored.
		bad := `[
			{"_timestamp": "2026-10-03", "_id": "c", "service": "Council tax", "channel": "web", "count": 7},
			{"_timestamp": "yesterday", "service": "Council tax", "channel": "pigeon", "count": 1},
			{"_timestamp": "2026-10-03", "service": "Council tax", "channel": "web", "count": -4}
		]`
		p := decode[problem](t, m.post(m.records(), m.dsToken, bad), http.StatusBadRequest)
		for _, field := range []string{"records[1]._timestamp", "records[1].channel", "records[2].count|records[2].transactions"} {
			msg := ""
			for _, f := range strings.Split(field, "|") {
				msg += p.Errors[f]
			}
			if msg == "" || strings.HasPrefix(msg, "error.") {
				t.Errorf("errors[%s] = %q; all errors: %v", field, msg, p.Errors)
			}
		}
		if _, ok := p.Errors["records[0]"]; ok {
			t.Errorf("the good record is named: %v", p.Errors)
		}
		if c, tx := sums(t, s, m.pub.ID); c != 50 || tx != 45 {
			t.Errorf("after the bad batch: contacts %d, transactions %d; want 50, 45 (nothing stored)", c, tx)
		}
		for _, body := range []string{`{"_timestamp": "2026-10-03"}`, `[]`, `not json`} {
			p := decode[problem](t, m.post(m.records(), m.dsToken, body), http.StatusBadRequest)
			if len(p.Errors) == 0 {
				t.Errorf("%s: no errors listed", body)
			}
		}
	})
}

func TestMeasureIngestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		m := measureSetup(t, s)
		one := `[{"_timestamp": "2026-10-01", "service": "Council tax", "channel": "web", "count": 1}]`
		otherToken, other, err := s.CreateDataset(ctx, measure.Dataset{OrgID: m.pub.ID, Name: "Other", Kind: measure.KindAPI}, 0)
		if err != nil {
			t.Fatal(err)
		}
		revokedToken, revoked, err := s.CreateDataset(ctx, measure.Dataset{OrgID: m.pub.ID, Name: "Old", Kind: measure.KindAPI}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeDataset(ctx, revoked.ID, 0); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, target, token string
			status              int
		}{
			{"no token", m.records(), "", 401},
			{"staff token", m.records(), m.token, 401},
			{"mistyped", m.records(), m.dsToken + "x", 401},
			{"revoked", fmt.Sprintf("/api/v1/measures/datasets/%d/records", revoked.ID), revokedToken, 401},
			{"another dataset's", m.records(), otherToken, 403},
			{"not an ID", "/api/v1/measures/datasets/x/records", m.dsToken, 404},
			{"its own", fmt.Sprintf("/api/v1/measures/datasets/%d/records", other.ID), otherToken, 200},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rec := m.post(tc.target, tc.token, one)
				if tc.status == 200 {
					decode[ingestResult](t, rec, 200)
					return
				}
				checkProblem(t, rec, tc.status, tc.target)
				if tc.status == 401 && rec.Header().Get("WWW-Authenticate") == "" {
					t.Error("no WWW-Authenticate")
				}
			})
		}
		if c, _ := sums(t, s, m.pub.ID); c != 1 {
			t.Errorf("contacts %d, want 1: only the dataset's own token writes", c)
		}
	})
}

func TestMeasureIngestLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		m := measureSetup(t, s)
		batch := func(n int, pad string) string {
			var b bytes.Buffer
			b.WriteByte('[')
			for i := range n {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `{"_timestamp":"2026-%02d-%02d","_id":"%s%d","service":"Council tax","channel":"web","count":1}`, i%12+1, i%28+1, pad, i)
			}
			b.WriteByte(']')
			return b.String()
		}
		// A full batch is larger than the API's usual 1 MiB limit.
		full := batch(measure.MaxBatch, strings.Repeat("x", 60))
		if len(full) <= maxBody {
			t.Fatalf("the full batch is only %d bytes", len(full))
		}
		got := decode[ingestResult](t, m.post(m.records(), m.dsToken, full), http.StatusOK)
		if got.Created != measure.MaxBatch {
			t.Errorf("full batch: %+v", got)
		}
		if _, tx := sums(t, s, m.pub.ID); tx != measure.MaxBatch {
			t.Errorf("transactions %d, want %d", tx, measure.MaxBatch)
		}
		checkProblem(t, m.post(m.records(), m.dsToken, batch(measure.MaxBatch+1, "y")), http.StatusBadRequest, m.records(), "body")
		huge := `[` + strings.Repeat(" ", maxIngestBody) + `]`
		checkProblem(t, m.post(m.records(), m.dsToken, huge), http.StatusRequestEntityTooLarge, m.records())
	})
}

// comparisonSlugs lists the slugs of a comparison, in order.
func comparisonSlugs(t *testing.T, rec *httptest.ResponseRecorder) []string {
	t.Helper()
	c := decode[comparisonJSON](t, rec, http.StatusOK)
	var out []string
	for _, it := range c.Items {
		out = append(out, it.Organisation.Slug)
	}
	return out
}

func TestMeasureFiguresAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		m := measureSetup(t, s)
		admin, err := s.AddStaff(ctx, m.hidden.ID, "admin@parley.example", account.RoleAnalyst, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetPlatformAdmin(ctx, admin.ID, true, 0); err != nil {
			t.Fatal(err)
		}
		adminToken, _, err := s.CreateAPIToken(ctx, admin.ID, "platform", time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		moderator, err := s.AddStaff(ctx, m.own.ID, "moderator@north-shire.example", account.RoleModerator, 0)
		if err != nil {
			t.Fatal(err)
		}
		modToken, _, err := s.CreateAPIToken(ctx, moderator.ID, "mod", time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}

		list := "/api/v1/measures/organisations"
		for _, tc := range []struct {
			name, token string
			want        string
		}{
			{"anyone", "", "south-vale"},
			{"staff", m.token, "north-shire,south-vale"},
			{"moderator: no analyse permission", modToken, "south-vale"},
			{"platform admin", adminToken, "east-march,north-shire,south-vale"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := comparisonSlugs(t, m.get(list, tc.token))
				slices.Sort(got)
				if strings.Join(got, ",") != tc.want {
					t.Errorf("organisations %v, want %s", got, tc.want)
				}
			})
		}
		checkProblem(t, m.get(list, "pat_nonsense"), http.StatusUnauthorized, list)

		for _, tc := range []struct {
			slug, token string
			status      int
		}{
			{"south-vale", "", 200},
			{"east-march", "", 404},
			{"north-shire", "", 404},
			{"north-shire", m.token, 200},
			{"north-shire", modToken, 404},
			{"east-march", adminToken, 200},
			{"nowhere", "", 404},
		} {
			for _, suffix := range []string{"", "/what-if?from_channel=face_to_face&percent=10"} {
				target := list + "/" + tc.slug + suffix
				rec := m.get(target, tc.token)
				if tc.status == 200 {
					if rec.Code != 200 {
						t.Errorf("%s (token %v): status %d: %s", target, tc.token != "", rec.Code, rec.Body)
					}
					continue
				}
				checkProblem(t, rec, tc.status, strings.Split(target, "?")[0])
			}
		}
	})
}

func TestMeasureQueryParameters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		m := measureSetup(t, s)
		report := "/api/v1/measures/organisations/south-vale"
		for _, tc := range []struct {
			query, field string
		}{
			{"from=2026-13", "from"},
			{"from=2026-1x", "from"},
			{"to=november", "to"},
			{"from=2026-06&to=2026-01", "to"},
			{"from=2000-01&to=2026-01", "to"},
			{"baseline_from=2026-06&baseline_to=2025-01", "baseline_to"},
			{"service=" + strings.Repeat("s", 201), "service"},
		} {
			checkProblem(t, m.get(report+"?"+tc.query, ""), http.StatusBadRequest, report, tc.field)
		}
		for _, tc := range []struct {
			query, field string
		}{
			{"percent=10", "from_channel"},
			{"from_channel=pigeon&percent=10", "from_channel"},
			{"from_channel=phone&to_channel=phone&percent=10", "to_channel"},
			{"from_channel=phone", "percent"},
			{"from_channel=phone&percent=101", "percent"},
			{"from_channel=phone&percent=NaN", "percent"},
		} {
			checkProblem(t, m.get(report+"/what-if?"+tc.query, ""), http.StatusBadRequest, report+"/what-if", tc.field)
		}

		// The defaults: the last 12 months up to now, the 12 before as baseline.
		rep := decode[reportJSON](t, m.get(report, ""), http.StatusOK)
		want := queryJSON{Period: periodJSON{"2025-12", "2026-11"}, Baseline: periodJSON{"2024-12", "2025-11"}}
		if rep.Query != want {
			t.Errorf("default query %+v, want %+v", rep.Query, want)
		}
		rep = decode[reportJSON](t, m.get(report+"?from=2026-01&to=2026-03&service=Parking&channel=web", ""), http.StatusOK)
		want = queryJSON{Period: periodJSON{"2026-01", "2026-03"}, Baseline: periodJSON{"2025-01", "2025-12"}, Service: "Parking", Channel: "web"}
		if rep.Query != want {
			t.Errorf("query %+v, want %+v", rep.Query, want)
		}
		if len(rep.Figures.ByMonth) != 3 {
			t.Errorf("%d months, want 3", len(rep.Figures.ByMonth))
		}
	})
}

// TestMeasureFigures checks the figures come through the API as the domain
// works them out, on a small dataset worked out by hand.
func TestMeasureFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		m := measureSetup(t, s)
		// Baseline (2025): 100 face to face, 100 web. Period (2026): 50 face
		// to face, 150 web, 20 by post (no unit cost).
		batch := `[
			{"_timestamp": "2025-03-01", "service": "Council tax", "channel": "face_to_face", "count": 100},
			{"_timestamp": "2025-03-01", "service": "Council tax", "channel": "web", "count": 100},
			{"_timestamp": "2026-03-01", "service": "Council tax", "channel": "face_to_face", "count": 50},
			{"_timestamp": "2026-03-01", "service": "Council tax", "channel": "web", "count": 150, "started": 200, "completed": 150, "rated": 10, "satisfied": 9},
			{"_timestamp": "2026-03-01", "service": "Council tax", "channel": "post", "count": 20}
		]`
		decode[ingestResult](t, m.post(m.records(), m.dsToken, batch), http.StatusOK)
		rep := decode[reportJSON](t, m.get("/api/v1/measures/organisations/south-vale?from=2026-01&to=2026-12&baseline_from=2025-01&baseline_to=2025-12", ""), http.StatusOK)
		f := rep.Figures
		if f.Transactions != 220 || f.Digital != 150 {
			t.Errorf("transactions %d, digital %d", f.Transactions, f.Digital)
		}
		near := func(name string, got *float64, want float64) {
			t.Helper()
			if got == nil || *got < want-1e-9 || *got > want+1e-9 {
				t.Errorf("%s = %v, want %v", name, deref(got), want)
			}
		}
		near("digital take-up", f.DigitalTakeUp, 150.0/220)
		near("completion rate", f.CompletionRate, 0.75)
		near("satisfaction", f.Satisfaction, 0.9)
		// 50 × 862p + 150 × 15p = 45,350p; post has no unit cost.
		near("total cost", f.TotalCost.Pence, 45350)
		if !f.TotalCost.Partial || f.TotalCost.UncostedContacts != 20 {
			t.Errorf("total cost %+v: want partial with 20 uncosted contacts", f.TotalCost)
		}
		// Over the costed channels' 200 transactions.
		near("cost per transaction", f.CostPerTransaction.Pence, 45350.0/200)
		// At the baseline's mix (half and half) the 200 costed contacts
		// would cost 100 × 862 + 100 × 15 = 87,700p: the shift saved 42,350p.
		if f.Saving == nil {
			t.Fatal("no saving")
		}
		near("cost at baseline mix", f.Saving.CostAtBaseline, 87700)
		near("saving", f.Saving.Saving, 42350)

		var w whatIfJSON
		if err := json.Unmarshal(m.get("/api/v1/measures/organisations/south-vale/what-if?from=2026-01&to=2026-12&from_channel=face_to_face&percent=50", "").Body.Bytes(), &w); err != nil {
			t.Fatal(err)
		}
		// 25 contacts move to the web: 25 × (862 − 15) = 21,175p saved.
		if w.Moved != 25 || w.ToChannel != "web" {
			t.Errorf("what-if: %+v", w)
		}
		near("what-if saving", w.Saving, 21175)
	})
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestMeasureResponsesMatchOpenAPI holds the measurement answers to the
// document's schemas.
func TestMeasureResponsesMatchOpenAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		m := measureSetup(t, s)
		if err := s.SetMeasureSettings(ctx, measure.Settings{OrgID: m.pub.ID, Public: true, Population: 5000,
			Baseline: map[string]float64{"16-24": 0.5, "25-34": 0.5}, BaselineSource: "Census 2021"}, 0); err != nil {
			t.Fatal(err)
		}
		decode[ingestResult](t, m.post(m.records(), m.dsToken, `[
			{"_timestamp": "2025-03-01", "service": "Council tax", "channel": "face_to_face", "count": 100},
			{"_timestamp": "2026-03-01", "service": "Council tax", "channel": "web", "count": 150, "started": 200, "completed": 150},
			{"_timestamp": "2026-03-01", "service": "Council tax", "channel": "post", "count": 20}]`), http.StatusOK)
		doc := served(t, m.h)
		for _, tc := range []struct {
			method, target, path, token, body string
			status                            int
		}{
			{"POST", m.records(), "/api/v1/measures/datasets/{id}/records", m.dsToken, `[{"_timestamp": "2026-10-01", "service": "S", "channel": "web", "count": 1}]`, 200},
			{"POST", m.records(), "/api/v1/measures/datasets/{id}/records", m.dsToken, `[{"_timestamp": "x"}]`, 400},
			{"POST", m.records(), "/api/v1/measures/datasets/{id}/records", "", `[]`, 401},
			{"GET", "/api/v1/measures/organisations", "/api/v1/measures/organisations", "", "", 200},
			{"GET", "/api/v1/measures/organisations", "/api/v1/measures/organisations", m.token, "", 200},
			{"GET", "/api/v1/measures/organisations?from=x", "/api/v1/measures/organisations", "", "", 400},
			{"GET", "/api/v1/measures/organisations/south-vale", "/api/v1/measures/organisations/{slug}", "", "", 200},
			{"GET", "/api/v1/measures/organisations/north-shire?from=2026-01", "/api/v1/measures/organisations/{slug}", m.token, "", 200},
			{"GET", "/api/v1/measures/organisations/east-march", "/api/v1/measures/organisations/{slug}", "", "", 404},
			{"GET", "/api/v1/measures/organisations/south-vale/what-if?from_channel=face_to_face&percent=20", "/api/v1/measures/organisations/{slug}/what-if", "", "", 200},
			{"GET", "/api/v1/measures/organisations/south-vale/what-if?from_channel=post&percent=20", "/api/v1/measures/organisations/{slug}/what-if", "", "", 200},
		} {
			t.Run(tc.method+" "+tc.target, func(t *testing.T) {
				var rec *httptest.ResponseRecorder
				if tc.method == "POST" {
					rec = m.post(tc.target, tc.token, tc.body)
				} else {
					rec = m.get(tc.target, tc.token)
				}
				if rec.Code != tc.status {
					t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
				}
				resp := doc.Paths[tc.path][strings.ToLower(tc.method)].Responses[fmt.Sprint(tc.status)]
				if resp.Ref != "" {
					resp = doc.Components.Responses[strings.TrimPrefix(resp.Ref, "#/components/responses/")]
				}
				media, ok := resp.Content[strings.TrimSuffix(rec.Header().Get("Content-Type"), "; charset=utf-8")]
				if !ok {
					t.Fatalf("content type %q not documented for %d", rec.Header().Get("Content-Type"), tc.status)
				}
				var v any
				if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
					t.Fatal(err)
				}
				for _, err := range conform(doc, media.Schema, v, "$") {
					t.Error(err)
				}
			})
		}
	})
}
