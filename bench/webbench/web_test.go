package webbench

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"parley/internal/app"
	"parley/internal/config"
)

// targets are the pages measured, baseline first: the static file goes
// through the same middleware (sessions, CSP nonce, metrics, logging) as
// the pages, so page/static is the cost of the page's own work.
// org-cookie is the org page from a visitor holding a session cookie that
// the store does not know (expired, say): the session middleware then reads
// the session table, which an anonymous request skips.
var targets = []struct{ name, path, cookie string }{
	{"static", "/static/robots.txt", ""},
	{"healthz", "/healthz", ""},
	{"home", "/", ""},
	{"org", "/organisations/north-shire-council", ""},
	{"org-cookie", "/organisations/north-shire-council", "parley_session=bench0000000000000000000000000000000000000000"},
}

// backends: SQLite always; PostgreSQL when PARLEY_BENCH_DATABASE_URL is set
// (use a database of its own: the demo is seeded into it).
func backends() []struct{ name, url string } {
	b := []struct{ name, url string }{{"sqlite", ""}}
	if u := os.Getenv("PARLEY_BENCH_DATABASE_URL"); u != "" {
		b = append(b, struct{ name, url string }{"postgres", u})
	}
	return b
}

// open serves the app in-process with the demo data, logging at warn like
// the load tests, to io.Discard.
func open(b *testing.B, databaseURL string) http.Handler {
	b.Helper()
	args := []string{"--data-dir", b.TempDir(), "--log-level", "warn", "--addr", "127.0.0.1:0"}
	if databaseURL != "" {
		args = append(args, "--database-url", databaseURL)
	}
	cfg, err := config.Load("serve", args, func(string) string { return "" }, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	if _, err := a.SeedDemo(ctx); err != nil {
		b.Fatal(err)
	}
	return a.Handler()
}

// discard is a minimal ResponseWriter, cheaper than httptest.ResponseRecorder
// so the recorder's own copying does not blur small responses.
type discard struct {
	h      http.Header
	status int
	n      int
}

func (d *discard) Header() http.Header { return d.h }
func (d *discard) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}
func (d *discard) Write(p []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	d.n += len(p)
	return len(p), nil
}

func serveOnce(b *testing.B, h http.Handler, path, cookie string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = "127.0.0.1:40000"
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	w := &discard{h: http.Header{}}
	h.ServeHTTP(w, req)
	if w.status != http.StatusOK {
		b.Fatalf("GET %s: status %d", path, w.status)
	}
}

// BenchmarkPublic is one goroutine at a time: the cost of one request
// (ns/op, B/op, allocs/op).
func BenchmarkPublic(b *testing.B) {
	for _, be := range backends() {
		b.Run("db="+be.name, func(b *testing.B) {
			h := open(b, be.url)
			for _, t := range targets {
				b.Run("page="+t.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						serveOnce(b, h, t.path, t.cookie)
					}
				})
			}
		})
	}
}

// BenchmarkPublicParallel runs GOMAXPROCS goroutines at once: throughput
// on all cores, and contention (database pool, locks) that one goroutine
// does not show. ns/op here is wall time divided by requests.
func BenchmarkPublicParallel(b *testing.B) {
	for _, be := range backends() {
		b.Run("db="+be.name, func(b *testing.B) {
			h := open(b, be.url)
			for _, t := range targets {
				b.Run("page="+t.name, func(b *testing.B) {
					b.ReportAllocs()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							serveOnce(b, h, t.path, t.cookie)
						}
					})
				})
			}
		})
	}
}

// BenchmarkRatio alternates a baseline request (the static file) with each
// page's request in one loop, timing each, so machine noise falls on both
// alike; it reports the page's and the baseline's ns per request and their
// ratio (page/static), the figure bench/README.md quotes. ns/op is the
// pair's time.
func BenchmarkRatio(b *testing.B) {
	for _, be := range backends() {
		b.Run("db="+be.name, func(b *testing.B) {
			h := open(b, be.url)
			base := targets[0]
			for _, t := range targets[1:] {
				b.Run("page="+t.name, func(b *testing.B) {
					var tBase, tPage time.Duration
					n := 0
					for b.Loop() {
						t0 := time.Now()
						serveOnce(b, h, base.path, base.cookie)
						t1 := time.Now()
						serveOnce(b, h, t.path, t.cookie)
						t2 := time.Now()
						tBase += t1.Sub(t0)
						tPage += t2.Sub(t1)
						n++
					}
					b.ReportMetric(float64(tBase.Nanoseconds())/float64(n), "static-ns/req")
					b.ReportMetric(float64(tPage.Nanoseconds())/float64(n), "page-ns/req")
					b.ReportMetric(float64(tPage)/float64(tBase), "page/static")
				})
			}
		})
	}
}
