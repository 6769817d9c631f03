package main

import (
	"context"
	"fmt"
	"time"

	"parley/internal/apperr"
	"parley/internal/measure"
	"parley/internal/org"
	"parley/internal/store"
)

// target is one dataset the load writes to.
type target struct {
	slug      string
	orgID     int64
	datasetID int64
	token     string
	txBefore  int64 // the organisation's transactions before the run
}

// everything is a period wide enough for every record the load sends.
var everything = measure.Period{From: 200001, To: 209912}

// prepare makes n published organisations slug-1…slug-n (or finds them)
// and a fresh API dataset in each.
func prepare(ctx context.Context, st *store.Store, n int, slug, name string) ([]target, error) {
	var out []target
	stamp := time.Now().UTC().Format("20060102-150405")
	for i := 1; i <= n; i++ {
		s := fmt.Sprintf("%s-%d", slug, i)
		o, err := st.OrgBySlug(ctx, s)
		if apperr.Is(err, apperr.NotFound) {
			o, err = st.CreateOrg(ctx, org.Organisation{Slug: s, NameEN: fmt.Sprintf("%s %d", name, i)}, 0)
		}
		if err != nil {
			return nil, fmt.Errorf("organisation %s: %w", s, err)
		}
		set := measure.Settings{OrgID: o.ID, Public: true, Population: int64(50_000 * i),
			Baseline:       map[string]float64{"16-24": 0.14, "25-34": 0.16, "35-44": 0.15, "45-54": 0.17, "55-64": 0.15, "65-74": 0.12, "75+": 0.11},
			BaselineSource: "Bench figures"}
		if err := st.SetMeasureSettings(ctx, set, 0); err != nil {
			return nil, fmt.Errorf("settings of %s: %w", s, err)
		}
		token, ds, err := st.CreateDataset(ctx, measure.Dataset{OrgID: o.ID, Name: "measureload " + stamp, Kind: measure.KindAPI}, 0)
		if err != nil {
			return nil, fmt.Errorf("dataset of %s: %w", s, err)
		}
		before, err := transactions(ctx, st, o.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, target{slug: s, orgID: o.ID, datasetID: ds.ID, token: token, txBefore: before})
	}
	return out, nil
}

// transactions sums an organisation's monthly totals.
func transactions(ctx context.Context, st *store.Store, orgID int64) (int64, error) {
	ts, err := st.MeasureTotals(ctx, measure.TotalsFilter{OrgIDs: []int64{orgID}, Period: everything})
	if err != nil {
		return 0, fmt.Errorf("totals: %w", err)
	}
	var n int64
	for _, t := range ts {
		n += t.Transactions
	}
	return n, nil
}

// verify checks each dataset holds exactly the records acknowledged and
// its organisation's totals grew by exactly the transactions sent.
func verify(ctx context.Context, st *store.Store, ts []target, records, tx []int64) error {
	for i, t := range ts {
		dss, err := st.MeasureDatasets(ctx, t.orgID)
		if err != nil {
			return err
		}
		found := false
		for _, d := range dss {
			if d.ID == t.datasetID {
				found = true
				if d.Records != records[i] {
					return fmt.Errorf("%s: dataset holds %d records, %d acknowledged", t.slug, d.Records, records[i])
				}
			}
		}
		if !found {
			return fmt.Errorf("%s: dataset %d not found", t.slug, t.datasetID)
		}
		after, err := transactions(ctx, st, t.orgID)
		if err != nil {
			return err
		}
		if after-t.txBefore != tx[i] {
			return fmt.Errorf("%s: totals grew by %d transactions, %d sent and acknowledged", t.slug, after-t.txBefore, tx[i])
		}
	}
	return nil
}
