// Command feedbench times a full poll round of listening's feed fetcher
// (internal/feed) against a loopback server that plays many sites.
//
// The server serves -feeds feeds spread over -hosts virtual hosts
// (h000.feeds.test … mapped to 127.0.0.1 by the fetcher's LookupHost, so
// each is a separate host to the per-host limit): RSS 2.0 and Atom, sizes
// spread log-uniformly over 5–100 KB, gzip-compressed for half the hosts.
// A share of the feeds (-unchanged) were fetched before: the round sends
// their ETag and the server answers 304. The server counts requests in
// flight per host and reports the most it ever saw, which must not pass the
// fetcher's limit.
//
// Each round builds a fresh Fetcher (cold connections) and polls every feed
// once, in random order (or -order clustered: host by host, the worst case
// for a per-host limit), with -workers goroutines. Rounds alternate the
// polite fetcher (-limit per host) with the same fetcher with no per-host
// limit, the baseline, so noise falls on both alike.
//
// Usage:
//
//	go run ./bench/feed [-feeds 10000 -hosts 500 -workers 64 -rounds 5 -limit 2 -unchanged 0.3 -latency 0]
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"parley/internal/feed"
)

var (
	nFeeds    = flag.Int("feeds", 10000, "feeds in the round")
	nHosts    = flag.Int("hosts", 500, "virtual hosts the feeds are spread over")
	workers   = flag.Int("workers", 64, "fetching goroutines")
	rounds    = flag.Int("rounds", 5, "rounds of each mode")
	limit     = flag.Int("limit", feed.DefaultPerHostLimit, "per-host limit of the polite fetcher")
	unchanged = flag.Float64("unchanged", 0.3, "share of feeds that answer 304 to their ETag")
	latency   = flag.Duration("latency", 0, "server think time per request (a far-away site)")
	ordering  = flag.String("order", "random", "order of the round: random, or clustered (all of a host's feeds together: the worst case for a per-host limit)")
	cpuprof   = flag.String("cpuprofile", "", "write a CPU profile of the whole run here")
)

const domain = ".feeds.test"

func main() {
	flag.Parse()
	if *cpuprof != "" {
		pf, err := os.Create(*cpuprof)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(pf)
		defer pprof.StopCPUProfile()
	}
	bodies := makeBodies(64)
	srv := newServer(bodies)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	port := ln.Addr().(*net.TCPAddr).Port

	var sizes []int
	for _, b := range bodies {
		sizes = append(sizes, len(b.plain))
	}
	slices.Sort(sizes)
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("feeds %d over %d hosts (%d each), %s order, workers %d, unchanged %.0f%%, latency %v, GOMAXPROCS %d\n",
		*nFeeds, *nHosts, *nFeeds / *nHosts, *ordering, *workers, *unchanged*100, *latency, runtime.GOMAXPROCS(0))
	fmt.Printf("bodies: %d, %d–%d bytes, median %d; load average %s", len(bodies), sizes[0], sizes[len(sizes)-1], sizes[len(sizes)/2], load)

	type result struct {
		secs, cpu     float64
		maxPerHost    int32
		ok, nm, fails int64
	}
	var polite, free []result
	for r := range *rounds {
		for _, mode := range []string{"polite", "unlimited"} {
			if r%2 == 1 { // alternate which goes first
				mode = map[string]string{"polite": "unlimited", "unlimited": "polite"}[mode]
			}
			lim := *limit
			if mode == "unlimited" {
				lim = 1 << 20
			}
			srv.reset()
			runtime.GC()
			secs, ok, nm, fails := round(port, lim, int64(r))
			res := result{secs, cpuSecs, srv.maxPerHost.Load(), ok, nm, fails}
			fmt.Printf("round %d %-9s %6.2f s  %7.0f feeds/s  CPU %6.2f s  200: %d  304: %d  errors: %d  max in flight per host: %d\n",
				r+1, mode, secs, float64(*nFeeds)/secs, res.cpu, ok, nm, fails, res.maxPerHost)
			if mode == "polite" {
				polite = append(polite, res)
			} else {
				free = append(free, res)
			}
		}
	}
	med := func(rs []result, cpu bool) float64 {
		s := make([]float64, len(rs))
		for i, r := range rs {
			s[i] = r.secs
			if cpu {
				s[i] = r.cpu
			}
		}
		slices.Sort(s)
		return s[len(s)/2]
	}
	maxHost := int32(0)
	for _, r := range polite {
		maxHost = max(maxHost, r.maxPerHost)
	}
	load, _ = os.ReadFile("/proc/loadavg")
	fmt.Printf("median polite %.2f s (%.0f feeds/s, CPU %.2f s), unlimited %.2f s (CPU %.2f s); polite/unlimited time ratio %.2f; max in flight per host (polite) %d, limit %d; load average %s",
		med(polite, false), float64(*nFeeds)/med(polite, false), med(polite, true), med(free, false), med(free, true), med(polite, false)/med(free, false), maxHost, *limit, load)
	if maxHost > int32(*limit) {
		fmt.Println("FAIL: the per-host limit was exceeded")
		os.Exit(1)
	}
}

// round polls every feed once and returns the wall time and the counts.
func round(port, perHost int, seed int64) (secs float64, ok, notModified, fails int64) {
	f := feed.New(feed.Options{
		UserAgent:    feed.UserAgent("bench", "http://localhost"),
		PerHostLimit: perHost,
		AllowPrivate: true, // the sites are all on loopback
		LookupHost: func(ctx context.Context, host string) ([]string, error) {
			if strings.HasSuffix(host, domain) {
				return []string{"127.0.0.1"}, nil
			}
			return nil, fmt.Errorf("unknown host %s", host)
		},
	})
	defer f.Close()
	defer func(c0 time.Duration) { cpuSecs = (cpuTime() - c0).Seconds() }(cpuTime())
	rng := rand.New(rand.NewPCG(uint64(seed), 99))
	order := rng.Perm(*nFeeds)
	if *ordering == "clustered" {
		slices.SortStableFunc(order, func(a, b int) int { return a%*nHosts - b%*nHosts })
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	var firstErr atomic.Value
	start := time.Now()
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range jobs {
				req := feed.Request{URL: fmt.Sprintf("http://h%03d%s:%d/f/%d", id%*nHosts, domain, port, id)}
				if isUnchanged(id) {
					req.ETag = etag(id)
				}
				resp, err := f.Fetch(context.Background(), req)
				switch {
				case err != nil:
					atomic.AddInt64(&fails, 1)
					firstErr.CompareAndSwap(nil, err.Error())
				case resp.NotModified:
					atomic.AddInt64(&notModified, 1)
				default:
					atomic.AddInt64(&ok, 1)
				}
			}
		}()
	}
	for _, id := range order {
		jobs <- id
	}
	close(jobs)
	wg.Wait()
	if e := firstErr.Load(); e != nil {
		fmt.Println("first error:", e)
	}
	return time.Since(start).Seconds(), ok, notModified, fails
}

// cpuSecs is the CPU time of the last round, server and client together.
var cpuSecs float64

// cpuTime is the process's user + system time: on a shared machine it
// moves less than wall time when other work takes the cores.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func isUnchanged(id int) bool {
	return float64((id*7919)%1000) < *unchanged*1000
}

func etag(id int) string { return `"v1-` + strconv.Itoa(id) + `"` }

type body struct {
	plain, gz []byte
	ctype     string
}

// makeBodies writes n feeds, half RSS and half Atom, their sizes spread
// log-uniformly over 5–100 KB, made of items of news-like text.
func makeBodies(n int) []body {
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("council transport tram bus planning consultation residents flood housing budget library school road repairs petition meeting cabinet community health parking waste recycling climate energy park bridge museum grant funding scheme report minister local public services Cardiff Swansea Newport Wrexham")
	text := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		return b.String()
	}
	var out []body
	for i := range n {
		target := int(5000 * math.Pow(20, float64(i)/float64(n-1))) // 5 KB … 100 KB
		var b bytes.Buffer
		atom := i%2 == 1
		if atom {
			b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<feed xmlns="http://www.w3.org/2005/Atom"><title>` + text(4) + `</title><link href="https://site.example/"/><id>urn:x:` + strconv.Itoa(i) + `</id><updated>2026-03-02T10:00:00Z</updated>` + "\n")
		} else {
			b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<rss version="2.0"><channel><title>` + text(4) + `</title><link>https://site.example/</link><description>` + text(10) + `</description><ttl>60</ttl>` + "\n")
		}
		for item := 0; b.Len() < target-400; item++ {
			t := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC).Add(-time.Duration(item) * time.Hour)
			para := "&lt;p&gt;" + text(20+rng.IntN(200)) + "&lt;/p&gt;"
			if atom {
				fmt.Fprintf(&b, "<entry><title>%s</title><link href=\"https://site.example/%d\"/><id>urn:x:%d:%d</id><updated>%s</updated><author><name>%s</name></author><content type=\"html\">%s</content></entry>\n",
					text(8), item, i, item, t.Format(time.RFC3339), text(2), para)
			} else {
				fmt.Fprintf(&b, "<item><title>%s</title><link>https://site.example/%d</link><guid>urn:x:%d:%d</guid><pubDate>%s</pubDate><description>%s</description></item>\n",
					text(8), item, i, item, t.Format(time.RFC1123Z), para)
			}
		}
		ctype := "application/rss+xml; charset=utf-8"
		if atom {
			b.WriteString("</feed>\n")
			ctype = "application/atom+xml"
		} else {
			b.WriteString("</channel></rss>\n")
		}
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(b.Bytes())
		zw.Close()
		out = append(out, body{plain: b.Bytes(), gz: z.Bytes(), ctype: ctype})
	}
	return out
}

// server plays every site. It counts the requests in flight per host from
// the start of the handler until just before the last byte of the answer
// is written: the client holds its host slot over all of that span, so a
// count above the limit can only be the fetcher's fault.
type server struct {
	bodies     []body
	inFlight   []atomic.Int32
	maxPerHost atomic.Int32
}

func newServer(bodies []body) *server {
	return &server{bodies: bodies, inFlight: make([]atomic.Int32, *nHosts)}
}

func (s *server) reset() { s.maxPerHost.Store(0) }

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.Host)
	h, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(host, "h"), domain))
	id, err2 := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/f/"))
	if err != nil || err2 != nil || h < 0 || h >= len(s.inFlight) {
		http.NotFound(w, r)
		return
	}
	n := s.inFlight[h].Add(1)
	for m := s.maxPerHost.Load(); n > m && !s.maxPerHost.CompareAndSwap(m, n); m = s.maxPerHost.Load() {
	}
	done := func() { s.inFlight[h].Add(-1) }
	if *latency > 0 {
		time.Sleep(*latency)
	}
	if isUnchanged(id) && r.Header.Get("If-None-Match") == etag(id) {
		done()
		w.WriteHeader(http.StatusNotModified)
		return
	}
	b := s.bodies[id%len(s.bodies)]
	w.Header().Set("Content-Type", b.ctype)
	w.Header().Set("ETag", etag(id))
	w.Header().Set("Cache-Control", "max-age=1800")
	data := b.plain
	if h%2 == 0 && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		data = b.gz
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data[:len(data)-1])
	done()
	w.Write(data[len(data)-1:])
}
