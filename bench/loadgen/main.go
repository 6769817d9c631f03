// Command loadgen is Parley's small HTTP load generator for the benchmarks
// in bench/. It keeps -c keep-alive connections busy against one loopback
// URL for a bounded time (closed loop: each connection sends its next
// request when the previous answer has been read), records the latency of
// every request and reports requests/s, p50/p90/p99/max, errors and
// non-2xx answers as text or JSON.
//
// It refuses any URL that is not on the loopback interface, and any
// duration over -max-d, so a mistyped command cannot load someone else's
// server or run forever.
//
// Usage:
//
//	go run ./bench/loadgen -url http://127.0.0.1:8080/healthz -c 64 -d 10s -warmup 1s [-json]
//
// Being closed-loop, it under-reports latency when the server stalls
// (coordinated omission), as wrk does: read p99 as "at least".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"
)

// Result is one run's report; the JSON form is what bench/orgpage.sh reads.
type Result struct {
	URL         string  `json:"url"`
	Connections int     `json:"connections"`
	DurationS   float64 `json:"duration_s"`
	Requests    int     `json:"requests"`
	RPS         float64 `json:"rps"`
	P50ms       float64 `json:"p50_ms"`
	P90ms       float64 `json:"p90_ms"`
	P99ms       float64 `json:"p99_ms"`
	Maxms       float64 `json:"max_ms"`
	Errors      int     `json:"errors"`
	Non2xx      int     `json:"non_2xx"`
	BytesRead   int64   `json:"bytes_read"`
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	target := fs.String("url", "", "URL to load (loopback only: 127.0.0.0/8, ::1 or localhost)")
	conns := fs.Int("c", 64, "connections (each one request at a time)")
	dur := fs.Duration("d", 10*time.Second, "measured duration")
	warmup := fs.Duration("warmup", time.Second, "unmeasured load before the measured part")
	maxDur := fs.Duration("max-d", 5*time.Minute, "refuse -d + -warmup longer than this")
	timeout := fs.Duration("timeout", 10*time.Second, "per-request timeout (counted as an error)")
	asJSON := fs.Bool("json", false, "print the result as one JSON object instead of text")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := checkLoopback(*target); err != nil {
		return err
	}
	switch {
	case *conns < 1 || *conns > 10000:
		return errors.New("-c: want 1..10000")
	case *dur <= 0:
		return errors.New("-d: want > 0")
	case *warmup < 0:
		return errors.New("-warmup: want >= 0")
	case *dur+*warmup > *maxDur:
		return fmt.Errorf("-d + -warmup = %s exceeds -max-d %s", *dur+*warmup, *maxDur)
	}
	res, err := load(*target, *conns, *dur, *warmup, *timeout)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(res)
	}
	_, err = fmt.Fprintf(stdout, "%s  c=%d  %.1fs\n  requests %d  %.0f req/s\n  latency p50 %.2fms  p90 %.2fms  p99 %.2fms  max %.2fms\n  errors %d  non-2xx %d  read %d bytes\n",
		res.URL, res.Connections, res.DurationS, res.Requests, res.RPS, res.P50ms, res.P90ms, res.P99ms, res.Maxms, res.Errors, res.Non2xx, res.BytesRead)
	return err
}

// checkLoopback refuses URLs that would send load off this machine.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return fmt.Errorf("-url %q: want an absolute http:// URL", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("-url %q: want http or https", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-url %q: refusing a non-loopback host (use 127.0.0.1, ::1 or localhost)", raw)
	}
	return nil
}

// worker is one connection's loop; it keeps its own latencies so no lock is
// taken per request.
type worker struct {
	lat    []time.Duration
	errs   int
	non2xx int
	bytes  int64
}

func load(target string, conns int, dur, warmup, timeout time.Duration) (Result, error) {
	tr := &http.Transport{
		Proxy:               nil, // never send loopback load through a proxy
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true, // like wrk: no Accept-Encoding, bodies as served
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		return Result{}, err
	}
	// One probe first, so a wrong URL fails fast instead of as a run of errors.
	if err := once(client, req, nil); err != nil {
		return Result{}, fmt.Errorf("probe %s: %w", target, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), warmup+dur)
	defer cancel()
	start := time.Now()
	measureFrom := start.Add(warmup)
	workers := make([]*worker, conns)
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{lat: make([]time.Duration, 0, 1<<14)}
		workers[i] = w
		wg.Go(func() {
			r := req.WithContext(ctx)
			for ctx.Err() == nil {
				t0 := time.Now()
				err := once(client, r, w)
				t1 := time.Now()
				if ctx.Err() != nil {
					return // cut off by the end of the run: not the server's fault
				}
				if t0.Before(measureFrom) {
					continue
				}
				if err != nil {
					w.errs++
					continue
				}
				w.lat = append(w.lat, t1.Sub(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(measureFrom)
	if elapsed <= 0 {
		elapsed = dur
	}

	res := Result{URL: target, Connections: conns, DurationS: elapsed.Seconds()}
	var all []time.Duration
	for _, w := range workers {
		all = append(all, w.lat...)
		res.Errors += w.errs
		res.Non2xx += w.non2xx
		res.BytesRead += w.bytes
	}
	slices.Sort(all)
	res.Requests = len(all)
	res.RPS = float64(len(all)) / elapsed.Seconds()
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	if len(all) > 0 {
		res.P50ms = ms(quantile(all, 0.50))
		res.P90ms = ms(quantile(all, 0.90))
		res.P99ms = ms(quantile(all, 0.99))
		res.Maxms = ms(all[len(all)-1])
	}
	return res, nil
}

// once sends one request and reads the whole body; w, if not nil, counts
// the bytes and non-2xx answers.
func once(client *http.Client, req *http.Request, w *worker) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if w != nil {
		w.bytes += n
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			w.non2xx++
		}
	} else if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}

// quantile is the nearest-rank quantile of sorted latencies.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}
