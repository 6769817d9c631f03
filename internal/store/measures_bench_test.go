package store_test

import (
	"fmt"
	"testing"

	"parley/internal/measure"
	"parley/internal/org"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// BenchmarkIngestRecords writes batches of 5,000 new records with _ids,
// spread over services, channels and two years of days, then replaces
// them: records/s for each, on each database.
func BenchmarkIngestRecords(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			s := storetest.Open(b, d, nil)
			o, err := s.CreateOrg(ctx, org.Organisation{Slug: "bench", NameEN: "Bench"}, 0)
			if err != nil {
				b.Fatal(err)
			}
			_, ds, err := s.CreateDataset(ctx, measure.Dataset{OrgID: o.ID, Name: "Bench"}, 0)
			if err != nil {
				b.Fatal(err)
			}
			const batch = 5000
			services := []string{"Council tax", "Parking permits", "Bulky waste", "Planning comments"}
			channels := []string{"web", "phone", "post", "face_to_face", "email"}
			rs := make([]measure.Record, batch)
			b.ResetTimer()
			for i := range b.N {
				for j := range rs {
					n := i*batch + j
					day := measure.DayOf(measure.Month(202501).First().AddDate(0, 0, n%730))
					rs[j] = measure.Record{ExtID: fmt.Sprint("r", n), Service: services[n%4], Channel: channels[n%5], Day: day, Contacts: 3, Transactions: 2}
				}
				if _, err := s.IngestRecords(ctx, ds.ID, rs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
