package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// result is what a load run did.
type result struct {
	records      int64 // acknowledged
	transactions int64 // in the acknowledged records
	requests     int64
	retries      int64
	replaced     int64 // records the server said it replaced (retries of a batch it had stored)
	elapsed      time.Duration
	latencies    []time.Duration
}

func (r result) rate() float64 { return float64(r.records) / r.elapsed.Seconds() }

func (r result) String() string {
	slices.Sort(r.latencies)
	q := func(p float64) float64 {
		if len(r.latencies) == 0 {
			return 0
		}
		i := int(p*float64(len(r.latencies))+0.5) - 1
		return float64(r.latencies[max(0, min(i, len(r.latencies)-1))].Microseconds()) / 1000
	}
	return fmt.Sprintf("%d records in %d requests in %.1fs: %.0f records/s; per request p50 %.1f ms, p99 %.1f ms; %d retries, %d replaced",
		r.records, r.requests, r.elapsed.Seconds(), r.rate(), q(0.50), q(0.99), r.retries, r.replaced)
}

func newClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 5 * time.Minute,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			DisableCompression:  true,
		},
	}
}

// post sends one batch, retrying what the server sheds (503) or a
// connection lost: the _ids make a repeat harmless. It returns the
// server's count of records replaced.
func post(ctx context.Context, c *http.Client, endpoint, token string, body []byte, retries *int64) (int64, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				var out struct {
					Created  int64 `json:"created"`
					Replaced int64 `json:"replaced"`
				}
				if err := json.Unmarshal(b, &out); err != nil {
					return 0, fmt.Errorf("answer %q: %w", b, err)
				}
				return out.Replaced, nil
			}
			if resp.StatusCode != http.StatusServiceUnavailable && resp.StatusCode != http.StatusTooManyRequests {
				if len(b) > 500 {
					b = b[:500]
				}
				return 0, fmt.Errorf("status %d: %s", resp.StatusCode, b)
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		if ctx.Err() != nil || attempt == 20 {
			return 0, err
		}
		atomic.AddInt64(retries, 1)
		time.Sleep(time.Duration(50*(attempt+1)) * time.Millisecond)
	}
}

// ingestAll sends records records spread evenly over the targets, in
// batches, from conns workers. It returns the run and, per target, the
// records and transactions acknowledged.
func ingestAll(ctx context.Context, c *http.Client, base string, ts []target, records int64, batch, conns int) (result, []int64, []int64, error) {
	n := int64(len(ts))
	perOrg := make([]int64, n)
	for i := range perOrg {
		perOrg[i] = records / n
		if int64(i) < records%n {
			perOrg[i]++
		}
	}
	batches := (perOrg[0] + int64(batch) - 1) / int64(batch) * n // batch g: target g%n, its batch g/n
	gen := newGenerator(time.Now())
	var next atomic.Int64
	acked := make([]atomic.Int64, n)
	ackedTx := make([]atomic.Int64, n)
	var res result
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			var requests, retries, replaced int64
			buf := make([]byte, 0, batch*220)
			defer func() {
				mu.Lock()
				res.latencies = append(res.latencies, lat...)
				res.requests += requests
				res.retries += retries
				res.replaced += replaced
				mu.Unlock()
			}()
			for ctx.Err() == nil {
				g := next.Add(1) - 1
				if g >= batches {
					return
				}
				t, local := g%n, g/n
				from := local * int64(batch)
				to := min(from+int64(batch), perOrg[t])
				if from >= to {
					continue
				}
				buf = append(buf[:0], '[')
				var tx int64
				for j := from; j < to; j++ {
					if j > from {
						buf = append(buf, ',')
					}
					var x int64
					buf, x = gen.record(buf, "r", j)
					tx += x
				}
				buf = append(buf, ']')
				endpoint := base + "/api/v1/measures/datasets/" + strconv.FormatInt(ts[t].datasetID, 10) + "/records"
				t0 := time.Now()
				rep, err := post(ctx, c, endpoint, ts[t].token, buf, &retries)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("batch %d of %s: %w", local, ts[t].slug, err)
					}
					mu.Unlock()
					cancel()
					return
				}
				lat = append(lat, time.Since(t0))
				requests++
				replaced += rep
				acked[t].Add(to - from)
				ackedTx[t].Add(tx)
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	recs, txs := make([]int64, n), make([]int64, n)
	for i := range acked {
		recs[i], txs[i] = acked[i].Load(), ackedTx[i].Load()
		res.records += recs[i]
		res.transactions += txs[i]
	}
	return res, recs, txs, firstErr
}

// ingestFor is the baseline: one record per request, each with its own
// _id, from conns workers for d.
func ingestFor(ctx context.Context, c *http.Client, base string, t target, conns int, d time.Duration) (result, error) {
	gen := newGenerator(time.Now())
	endpoint := base + "/api/v1/measures/datasets/" + strconv.FormatInt(t.datasetID, 10) + "/records"
	var next atomic.Int64
	var res result
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			var requests, retries, replaced, records, txs int64
			buf := make([]byte, 0, 256)
			defer func() {
				mu.Lock()
				res.latencies = append(res.latencies, lat...)
				res.requests += requests
				res.retries += retries
				res.replaced += replaced
				res.records += records
				res.transactions += txs
				mu.Unlock()
			}()
			for time.Now().Before(deadline) {
				j := next.Add(1) - 1
				var tx int64
				buf, tx = gen.record(append(buf[:0], '['), "s", j)
				buf = append(buf, ']')
				t0 := time.Now()
				rep, err := post(ctx, c, endpoint, t.token, buf, &retries)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("single record %d: %w", j, err)
					}
					mu.Unlock()
					return
				}
				lat = append(lat, time.Since(t0))
				requests++
				replaced += rep
				records++
				txs += tx
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res, firstErr
}
