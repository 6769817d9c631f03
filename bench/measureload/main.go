// Command measureload measures the measurement ingest API: it sends
// -records channel records to a running `parley serve` through
// POST /api/v1/measures/datasets/{id}/records in batches of -batch, from
// -c workers, and prints records/s. With -single it first runs the
// baseline: one record per request for -single-d, the same workers.
//
// It prepares what it needs in the server's own database (like
// bench/signload): -orgs organisations named bench-measures-N, published,
// each with an API dataset whose ingest token it keeps in memory only.
// After the run it checks in the database that every dataset holds exactly
// the records acknowledged and that the monthly totals add up to the
// transactions sent: nothing lost, nothing counted twice.
//
// Usage:
//
//	measureload -url http://127.0.0.1:8080 -db sqlite:DATA/parley.db -records 10000000 -batch 5000 -c 4 [-orgs 6] [-single -single-d 20s]
//
// The records: each organisation's cover 730 days up to yesterday, seven
// channels and eight services, with a shift from face to face, phone and
// post to web over the two years; each has an _id (so the store checks for
// replacements, the expensive case) and about one in five a started,
// completed, satisfied and rated count. Days repeat (a record is, say, one
// office's count for a day), so the monthly totals stay the size real
// organisations have.
//
// It refuses any URL that is not on loopback.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"parley/internal/store"
)

type opts struct {
	base     string
	db       string
	records  int64
	batch    int
	conns    int
	orgs     int
	single   bool
	singleD  time.Duration
	maxD     time.Duration
	noVerify bool
}

func main() {
	var o opts
	fs := flag.NewFlagSet("measureload", flag.ExitOnError)
	fs.StringVar(&o.base, "url", "http://127.0.0.1:8080", "the site (loopback only)")
	fs.StringVar(&o.db, "db", "", "the server's database: sqlite:PATH or a postgres:// URL")
	fs.Int64Var(&o.records, "records", 1_000_000, "records to send in batches")
	fs.IntVar(&o.batch, "batch", 5000, "records per request (1 to 10,000)")
	fs.IntVar(&o.conns, "c", 4, "concurrent workers")
	fs.IntVar(&o.orgs, "orgs", 6, "organisations (one dataset each) the records are spread over")
	fs.BoolVar(&o.single, "single", false, "first run the baseline: one record per request for -single-d")
	fs.DurationVar(&o.singleD, "single-d", 20*time.Second, "how long the baseline runs")
	fs.DurationVar(&o.maxD, "max-d", 2*time.Hour, "refuse to run longer than this")
	fs.BoolVar(&o.noVerify, "no-verify", false, "skip the database check at the end")
	_ = fs.Parse(os.Args[1:])
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "measureload:", err)
		os.Exit(1)
	}
}

func run(o opts) error {
	if err := loopback(o.base); err != nil {
		return err
	}
	if o.batch < 1 || o.batch > 10000 || o.conns < 1 || o.orgs < 1 || o.records < 0 {
		return errors.New("want 1 ≤ -batch ≤ 10000, -c ≥ 1, -orgs ≥ 1, -records ≥ 0")
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.maxD)
	defer cancel()
	st, err := openStore(ctx, o.db)
	if err != nil {
		return err
	}
	defer st.Close()
	targets, err := prepare(ctx, st, o.orgs, "bench-measures", "Bench measures")
	if err != nil {
		return err
	}
	client := newClient(o.conns)
	base := strings.TrimRight(o.base, "/")

	var singleRate float64
	if o.single {
		bt, err := prepare(ctx, st, 1, "bench-measures-single", "Bench measures, one record per request")
		if err != nil {
			return err
		}
		res, err := ingestFor(ctx, client, base, bt[0], o.conns, o.singleD)
		if err != nil {
			return err
		}
		singleRate = res.rate()
		fmt.Printf("single: %s\n", res)
		if !o.noVerify {
			if err := verify(ctx, st, bt, []int64{res.records}, []int64{res.transactions}); err != nil {
				return fmt.Errorf("single: %w", err)
			}
			fmt.Println("single: check ok: the dataset holds exactly the records acknowledged")
		}
	}

	res, perOrg, perOrgTx, err := ingestAll(ctx, client, base, targets, o.records, o.batch, o.conns)
	if err != nil {
		return err
	}
	fmt.Printf("batch: %s\n", res)
	if o.single && singleRate > 0 {
		fmt.Printf("ratio: batches of %d ÷ one per request = %.0f× (%.0f ÷ %.0f records/s)\n",
			o.batch, res.rate()/singleRate, res.rate(), singleRate)
	}
	if !o.noVerify {
		start := time.Now()
		if err := verify(ctx, st, targets, perOrg, perOrgTx); err != nil {
			return err
		}
		fmt.Printf("check ok (%.1fs): each dataset holds exactly the records acknowledged; monthly totals = transactions sent\n",
			time.Since(start).Seconds())
	}
	return nil
}

func openStore(ctx context.Context, spec string) (*store.Store, error) {
	switch {
	case strings.HasPrefix(spec, "sqlite:"):
		return store.Open(ctx, store.Options{SQLitePath: strings.TrimPrefix(spec, "sqlite:")})
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		return store.Open(ctx, store.Options{DatabaseURL: spec})
	}
	return nil, errors.New("-db: want sqlite:PATH or postgres://…")
}

func loopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return errors.New("the URL must be a loopback address")
	}
	return nil
}
