package store_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"parley/internal/apperr"
	"parley/internal/measure"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// rec is a record of the service "Council tax".
func rec(ext, channel string, day measure.Day, contacts, transactions int64) measure.Record {
	return measure.Record{ExtID: ext, Service: "Council tax", Channel: channel, Day: day, Contacts: contacts, Transactions: transactions}
}

// totals reads an organisation's totals as "channel month" → contacts/transactions.
func totals(t *testing.T, s *store.Store, orgID int64) map[string][2]int64 {
	t.Helper()
	ts, err := s.MeasureTotals(ctx, measure.TotalsFilter{OrgIDs: []int64{orgID}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][2]int64{}
	for _, x := range ts {
		out[x.Service+" "+x.Channel+" "+x.Month.String()] = [2]int64{x.Contacts, x.Transactions}
	}
	return out
}

// recordSums adds up a dataset's records the same way, as a check that the
// monthly totals are in step with them.
func recordSums(t *testing.T, s *store.Store, datasetID int64) (map[string][2]int64, int) {
	t.Helper()
	out := map[string][2]int64{}
	n := 0
	for after := int64(0); ; {
		rs, next, err := s.MeasureRecords(ctx, datasetID, after, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			k := r.Service + " " + r.Channel + " " + r.Day.Month().String()
			v := out[k]
			out[k] = [2]int64{v[0] + r.Contacts, v[1] + r.Transactions}
			n++
		}
		if next == 0 {
			return out, n
		}
		after = next
	}
}

func newDataset(t *testing.T, s *store.Store, orgID int64) (string, measure.Dataset) {
	t.Helper()
	token, d, err := s.CreateDataset(ctx, measure.Dataset{OrgID: orgID, Name: "Contact centre"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	return token, d
}

func TestIngestIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "north")
		propStaff(t, s)
		_, d := newDataset(t, s, o.ID)
		ingest := func(rs ...measure.Record) measure.IngestResult {
			t.Helper()
			res, err := s.IngestRecords(ctx, d.ID, rs)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		// A record without _id is always new; contacts are at least transactions.
		res := ingest(rec("a", "web", 20260115, 10, 8), rec("b", "phone", 20260115, 5, 5), rec("", "web", 20260210, 0, 3))
		if res != (measure.IngestResult{Created: 3}) {
			t.Errorf("first batch %+v", res)
		}
		want := map[string][2]int64{"Council tax web 2026-01": {10, 8}, "Council tax phone 2026-01": {5, 5}, "Council tax web 2026-02": {3, 3}}
		if got := totals(t, s, o.ID); !cmp.Equal(got, want) {
			t.Errorf("totals %s", cmp.Diff(want, got))
		}
		// The same _id again replaces: within a batch the later wins, and
		// the totals move by the difference.
		res = ingest(rec("a", "web", 20260116, 4, 4), rec("c", "post", 20260120, 2, 2), rec("a", "web", 20260116, 6, 6))
		if res != (measure.IngestResult{Created: 1, Replaced: 1}) {
			t.Errorf("second batch %+v", res)
		}
		want["Council tax web 2026-01"] = [2]int64{6, 6}
		want["Council tax post 2026-01"] = [2]int64{2, 2}
		if got := totals(t, s, o.ID); !cmp.Equal(got, want) {
			t.Errorf("after replacing %s", cmp.Diff(want, got))
		}
		// Sending the very same batch again changes nothing.
		res = ingest(rec("a", "web", 20260116, 6, 6), rec("c", "post", 20260120, 2, 2))
		if res != (measure.IngestResult{Replaced: 2}) {
			t.Errorf("repeat %+v", res)
		}
		if got := totals(t, s, o.ID); !cmp.Equal(got, want) {
			t.Errorf("after repeating %s", cmp.Diff(want, got))
		}
		// A replacement may move a record to another month and channel.
		ingest(rec("a", "phone", 20260301, 6, 6))
		delete(want, "Council tax web 2026-01")
		want["Council tax phone 2026-03"] = [2]int64{6, 6}
		if got := totals(t, s, o.ID); !cmp.Equal(got, want) {
			t.Errorf("after moving %s", cmp.Diff(want, got))
		}
		sums, n := recordSums(t, s, d.ID)
		if !cmp.Equal(sums, want) || n != 4 {
			t.Errorf("records %d %s", n, cmp.Diff(want, sums))
		}
		ds, err := s.MeasureDatasets(ctx, o.ID)
		if err != nil || len(ds) != 1 || ds[0].Records != 4 || ds[0].Kind != measure.KindAPI || ds[0].Name != "Contact centre" {
			t.Errorf("datasets %+v %v", ds, err)
		}
		// Filters: a service, a channel, a period.
		ts, err := s.MeasureTotals(ctx, measure.TotalsFilter{Period: measure.Period{From: 202602, To: 202603}, Channel: "phone"})
		if err != nil || len(ts) != 1 || ts[0].Month != 202603 || ts[0].OrgID != o.ID || ts[0].Transactions != 6 {
			t.Errorf("filtered %+v %v", ts, err)
		}
		if ts, _ := s.MeasureTotals(ctx, measure.TotalsFilter{Service: "Parking"}); len(ts) != 0 {
			t.Errorf("other service %+v", ts)
		}
		if ts, _ := s.MeasureTotals(ctx, measure.TotalsFilter{OrgIDs: []int64{}}); len(ts) != 0 {
			t.Errorf("no organisations %+v", ts)
		}
		if svcs, err := s.MeasureServices(ctx, o.ID); err != nil || !cmp.Equal(svcs, []string{"Council tax"}) {
			t.Errorf("services %v %v", svcs, err)
		}
	})
}

func TestIngestIsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "north")
		propStaff(t, s)
		_, d := newDataset(t, s, o.ID)
		if _, err := s.IngestRecords(ctx, d.ID, []measure.Record{rec("a", "web", 20260115, 1, 1)}); err != nil {
			t.Fatal(err)
		}
		before := totals(t, s, o.ID)
		for name, bad := range map[string]measure.Record{
			"unknown channel": rec("z", "pigeon", 20260115, 1, 1),
			"no service":      {ExtID: "z", Channel: "web", Day: 20260115, Contacts: 1},
			"impossible day":  rec("z", "web", 20260231, 1, 1),
			"negative":        rec("z", "web", 20260115, -1, 0),
		} {
			_, err := s.IngestRecords(ctx, d.ID, []measure.Record{rec("a", "web", 20260115, 9, 9), rec("b", "phone", 20260115, 1, 1), bad})
			if !apperr.Is(err, apperr.Invalid) {
				t.Errorf("%s: %v", name, err)
			}
		}
		big := make([]measure.Record, measure.MaxBatch+1)
		for i := range big {
			big[i] = rec(fmt.Sprint(i), "web", 20260115, 1, 1)
		}
		if _, err := s.IngestRecords(ctx, d.ID, big); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("too big: %v", err)
		}
		if got := totals(t, s, o.ID); !cmp.Equal(got, before) {
			t.Errorf("a bad batch moved the totals %s", cmp.Diff(before, got))
		}
		if ds, _ := s.MeasureDatasets(ctx, o.ID); ds[0].Records != 1 {
			t.Errorf("records %d", ds[0].Records)
		}
		// An organisation's own channel is accepted once it exists.
		if _, err := s.AddMeasureChannel(ctx, measure.Channel{OrgID: o.ID, Key: "kiosk", NameEN: "Kiosk", Digital: true}, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.IngestRecords(ctx, d.ID, []measure.Record{rec("k", "kiosk", 20260115, 1, 1)}); err != nil {
			t.Errorf("own channel: %v", err)
		}
	})
}

func TestDatasetTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "north")
		propStaff(t, s)
		if _, _, err := s.CreateDataset(ctx, measure.Dataset{OrgID: o.ID, Name: "  "}, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("no name: %v", err)
		}
		token, d := newDataset(t, s, o.ID)
		if len(token) < 40 || token[:len(measure.TokenPrefix)] != measure.TokenPrefix {
			t.Errorf("token %q", token)
		}
		got, err := s.DatasetByToken(ctx, token)
		if err != nil || got.ID != d.ID || got.OrgID != o.ID || got.Kind != measure.KindAPI {
			t.Fatalf("by token %+v %v", got, err)
		}
		if one, err := s.MeasureDataset(ctx, d.ID); err != nil || one.Name != "Contact centre" || !one.RevokedAt.IsZero() {
			t.Errorf("dataset %+v %v", one, err)
		}
		for _, wrong := range []string{"", token + "x", "pat_" + token[4:], measure.TokenPrefix} {
			if _, err := s.DatasetByToken(ctx, wrong); !apperr.Is(err, apperr.Unauthenticated) {
				t.Errorf("%q: %v", wrong, err)
			}
		}
		if err := s.RevokeDataset(ctx, d.ID, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DatasetByToken(ctx, token); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("revoked token: %v", err)
		}
		if _, err := s.IngestRecords(ctx, d.ID, []measure.Record{rec("a", "web", 20260115, 1, 1)}); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("ingest into a revoked dataset: %v", err)
		}
		if err := s.RevokeDataset(ctx, 9999, 1); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("revoke unknown: %v", err)
		}
		if _, err := s.MeasureDataset(ctx, 9999); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown: %v", err)
		}
		if one, _ := s.MeasureDataset(ctx, d.ID); one.RevokedAt.IsZero() {
			t.Error("not marked revoked")
		}
		log, _ := s.AuditLog(ctx, o.ID, 2)
		if len(log) != 2 || log[0].Action != "measure.dataset.revoke" || log[1].Action != "measure.dataset.create" {
			t.Errorf("audit %+v", log)
		}
	})
}

func TestImportRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "north")
		propStaff(t, s)
		if _, err := s.ImportRecords(ctx, o.ID, nil, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("empty: %v", err)
		}
		n, err := s.ImportRecords(ctx, o.ID, []measure.Record{rec("", "phone", 20250401, 100, 80), rec("", "face_to_face", 20250401, 20, 20)}, 1)
		if err != nil || n != 2 {
			t.Fatalf("import %d %v", n, err)
		}
		n, err = s.ImportRecords(ctx, o.ID, []measure.Record{rec("", "phone", 20250402, 50, 50)}, 1)
		if err != nil || n != 1 {
			t.Fatalf("second import %d %v", n, err)
		}
		if _, err := s.ImportRecords(ctx, o.ID, []measure.Record{rec("", "phone", 20250402, 50, 50), rec("", "pigeon", 20250402, 1, 1)}, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("bad row: %v", err)
		}
		want := map[string][2]int64{"Council tax phone 2025-04": {150, 130}, "Council tax face_to_face 2025-04": {20, 20}}
		if got := totals(t, s, o.ID); !cmp.Equal(got, want) {
			t.Errorf("totals %s", cmp.Diff(want, got))
		}
		ds, _ := s.MeasureDatasets(ctx, o.ID)
		if len(ds) != 1 || ds[0].Kind != measure.KindCSV || ds[0].Records != 3 {
			t.Errorf("datasets %+v", ds)
		}
		// A CSV dataset has no token and takes no ingest.
		if _, err := s.IngestRecords(ctx, ds[0].ID, []measure.Record{rec("", "web", 20250401, 1, 1)}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("ingest into the CSV dataset: %v", err)
		}
		log, _ := s.AuditLog(ctx, o.ID, 2)
		if len(log) != 2 || log[0].Action != "measure.import" || log[0].Detail != "1 records added, 0 replaced" || log[1].Action != "measure.import" {
			t.Errorf("audit %+v", log)
		}
	})
}

// TestConcurrentIngest sends overlapping batches at once: the same _ids
// in different orders with different counts. However they interleave, the
// monthly totals end equal to the sum of the records that won.
func TestConcurrentIngest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "north")
		propStaff(t, s)
		_, d := newDataset(t, s, o.ID)
		const writers, batches, ids = 6, 4, 300
		channels := []string{"web", "phone", "post"}
		var wg sync.WaitGroup
		errs := make(chan error, writers*batches)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rnd := rand.New(rand.NewPCG(uint64(w), 7))
				for range batches {
					rs := make([]measure.Record, 0, ids)
					for _, i := range rnd.Perm(ids) {
						day := measure.Day(20260101 + 100*rnd.IntN(3) + rnd.IntN(28))
						n := int64(rnd.IntN(50))
						rs = append(rs, rec(fmt.Sprint("r", i), channels[rnd.IntN(3)], day, n, n))
					}
					if _, err := s.IngestRecords(ctx, d.ID, rs); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		sums, n := recordSums(t, s, d.ID)
		got := totals(t, s, o.ID)
		if n != ids || !cmp.Equal(sums, got) {
			t.Errorf("%d records; totals differ from them (-records +totals):\n%s", n, cmp.Diff(sums, got))
		}
		if ds, _ := s.MeasureDatasets(ctx, o.ID); ds[0].Records != ids {
			t.Errorf("records counter %d", ds[0].Records)
		}
	})
}
