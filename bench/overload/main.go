// Command overload sends requests to one loopback URL at a fixed rate,
// whatever the server's answers (an open loop, unlike bench/loadgen), so it
// can push a server past its capacity and show what it does there: how many
// requests it served, how many it shed with 503 and Retry-After, how many
// failed, how long the served ones took, and (given the server's process
// ID) the most memory the server held while it happened.
//
// It refuses non-loopback URLs and runs longer than -max-d, and it caps
// the requests outstanding at once (-max-outstanding): past that cap a
// request is counted as "not sent" rather than piling up in this process.
//
// Usage:
//
//	go run ./bench/overload -url http://127.0.0.1:8080/boards/1 -rate 4000 -d 20s -pid 1234 [-json]
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
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Result is one run's report.
type Result struct {
	URL         string  `json:"url"`
	Rate        int     `json:"rate"`
	DurationS   float64 `json:"duration_s"`
	Sent        int64   `json:"sent"`
	NotSent     int64   `json:"not_sent"` // over -max-outstanding
	Served      int64   `json:"served"`   // 2xx
	Shed        int64   `json:"shed"`     // 503 with Retry-After
	ShedNoRetry int64   `json:"shed_without_retry_after"`
	OtherStatus int64   `json:"other_status"`
	Errors      int64   `json:"errors"` // no answer: refused, reset, timed out
	ServedPerS  float64 `json:"served_per_s"`
	P50ms       float64 `json:"served_p50_ms"`
	P99ms       float64 `json:"served_p99_ms"`
	ShedP99ms   float64 `json:"shed_p99_ms"`
	MaxRSSMiB   float64 `json:"server_max_rss_mib"`
	AliveAfter  bool    `json:"server_alive_after"`
	RSSSamples  int     `json:"rss_samples"`
	StartRSSMiB float64 `json:"server_start_rss_mib"`
	FinalRSSMiB float64 `json:"server_final_rss_mib"`
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "overload:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("overload", flag.ContinueOnError)
	target := fs.String("url", "", "URL to load (loopback only)")
	rate := fs.Int("rate", 1000, "requests a second, sent whatever the answers")
	dur := fs.Duration("d", 20*time.Second, "how long to send")
	maxDur := fs.Duration("max-d", 5*time.Minute, "refuse -d longer than this")
	outstanding := fs.Int("max-outstanding", 8192, "requests in flight at once from this process")
	timeout := fs.Duration("timeout", 15*time.Second, "per-request timeout (counted as an error)")
	pid := fs.Int("pid", 0, "the server's process ID, to sample its memory (0: none)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkLoopback(*target); err != nil {
		return err
	}
	switch {
	case *rate < 1 || *rate > 200000:
		return errors.New("-rate: want 1..200000")
	case *dur <= 0 || *dur > *maxDur:
		return fmt.Errorf("-d: want 0 < d <= %s", *maxDur)
	case *outstanding < 1 || *outstanding > 60000:
		return errors.New("-max-outstanding: want 1..60000")
	}
	res := load(*target, *rate, *dur, *outstanding, *timeout, *pid)
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	_, err := fmt.Fprintf(stdout, "%s  rate %d/s for %.0fs\n  sent %d (not sent %d)  served %d (%.0f/s, p50 %.1fms p99 %.1fms)\n  shed %d with Retry-After (p99 %.1fms), %d without; other %d; errors %d\n  server RSS start %.0f MiB, max %.0f MiB, end %.0f MiB; alive after: %v\n",
		res.URL, res.Rate, res.DurationS, res.Sent, res.NotSent, res.Served, res.ServedPerS, res.P50ms, res.P99ms,
		res.Shed, res.ShedP99ms, res.ShedNoRetry, res.OtherStatus, res.Errors, res.StartRSSMiB, res.MaxRSSMiB, res.FinalRSSMiB, res.AliveAfter)
	return err
}

func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || raw == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("-url %q: want an absolute http:// URL", raw)
	}
	if u.Hostname() == "localhost" {
		return nil
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-url %q: refusing a non-loopback host", raw)
	}
	return nil
}

func load(target string, rate int, dur time.Duration, outstanding int, timeout time.Duration, pid int) Result {
	res := Result{URL: target, Rate: rate}
	tr := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: outstanding, MaxIdleConns: outstanding,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	var sent, notSent, served, shed, shedNoRetry, other, errs atomic.Int64
	var mu sync.Mutex
	var servedLat, shedLat []time.Duration
	slots := make(chan struct{}, outstanding)

	// Sample the server's memory while the load runs.
	stopRSS := make(chan struct{})
	var rssWG sync.WaitGroup
	if pid > 0 {
		res.StartRSSMiB = rssMiB(pid)
		rssWG.Go(func() {
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stopRSS:
					return
				case <-t.C:
					if v := rssMiB(pid); v > 0 {
						res.RSSSamples++
						res.MaxRSSMiB = max(res.MaxRSSMiB, v)
					}
				}
			}
		})
	}

	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; ; i++ {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		if ctx.Err() != nil {
			break
		}
		select {
		case slots <- struct{}{}:
		default:
			notSent.Add(1)
			continue
		}
		sent.Add(1)
		wg.Go(func() {
			defer func() { <-slots }()
			t0 := time.Now()
			resp, err := client.Get(target)
			if err != nil {
				errs.Add(1)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			d := time.Since(t0)
			switch {
			case resp.StatusCode >= 200 && resp.StatusCode < 300:
				served.Add(1)
				mu.Lock()
				servedLat = append(servedLat, d)
				mu.Unlock()
			case resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "":
				shed.Add(1)
				mu.Lock()
				shedLat = append(shedLat, d)
				mu.Unlock()
			case resp.StatusCode == http.StatusServiceUnavailable:
				shedNoRetry.Add(1)
			default:
				other.Add(1)
			}
		})
	}
	elapsed := time.Since(start)
	wg.Wait()
	close(stopRSS)
	rssWG.Wait()

	res.DurationS = elapsed.Seconds()
	res.Sent, res.NotSent, res.Served, res.Shed = sent.Load(), notSent.Load(), served.Load(), shed.Load()
	res.ShedNoRetry, res.OtherStatus, res.Errors = shedNoRetry.Load(), other.Load(), errs.Load()
	res.ServedPerS = float64(res.Served) / elapsed.Seconds()
	res.P50ms, res.P99ms = quantileMS(servedLat, 0.5), quantileMS(servedLat, 0.99)
	res.ShedP99ms = quantileMS(shedLat, 0.99)
	if pid > 0 {
		res.FinalRSSMiB = rssMiB(pid)
	}
	if resp, err := (&http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}).Get(healthz(target)); err == nil {
		resp.Body.Close()
		res.AliveAfter = resp.StatusCode == http.StatusOK
	}
	return res
}

func healthz(target string) string {
	u, _ := url.Parse(target)
	u.Path, u.RawQuery = "/healthz", ""
	return u.String()
}

func quantileMS(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := min(max(int(q*float64(len(ds))+0.5)-1, 0), len(ds)-1)
	return float64(ds[i]) / float64(time.Millisecond)
}

// rssMiB reads a process's resident memory from /proc (0 if unknown).
func rssMiB(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				kb, _ := strconv.ParseFloat(f[0], 64)
				return kb / 1024
			}
		}
	}
	return 0
}
