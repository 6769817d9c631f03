package feed

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// clock is the fixed "now" of tests that check NextCheck.
var clock = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func newFetcher(t *testing.T, o Options) *Fetcher {
	t.Helper()
	o.AllowPrivate = true // httptest listens on loopback
	if o.Now == nil {
		o.Now = func() time.Time { return clock }
	}
	f := New(o)
	t.Cleanup(f.Close)
	return f
}

func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func file(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fixed(ctype string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		w.Write(body)
	}
}

func TestFetchFormats(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/rss091", fixed("application/rss+xml", file(t, "rss091.xml")))
	mux.Handle("/rss2", fixed("application/rss+xml; charset=utf-8", file(t, "rss2.xml")))
	mux.Handle("/rss1", fixed("application/rdf+xml", file(t, "rss1.rdf")))
	mux.Handle("/atom", fixed("application/atom+xml", file(t, "atom.xml")))
	mux.Handle("/json", fixed("application/feed+json", file(t, "feed.json")))
	srv := serve(t, mux)
	f := newFetcher(t, Options{})

	tests := []struct {
		path string
		want Feed
	}{
		{"/rss091", Feed{Title: "North Shire Gazette", SiteURL: "https://gazette.example/", Items: []Item{{
			GUID: "https://gazette.example/news/bypass", URL: "https://gazette.example/news/bypass",
			Title: "Bypass plans go on show", Content: "The council's plans for the bypass are on show at the library.",
		}}}},
		{"/rss2", Feed{Title: "Cardiff Post", SiteURL: srv.URL + "/", Items: []Item{{
			GUID: "post-1234", URL: srv.URL + "/news/tram", Title: "Tram line approved",
			Content: "<p>The <b>tram</b> line was approved.</p>", Author: "Siân Evans",
			Published: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC),
		}, {
			GUID: "https://post.example/news/no-guid", URL: "https://post.example/news/no-guid",
			Title: "No guid here", Content: "Plain text body.", Author: "The Editor",
		}}}},
		{"/rss1", Feed{Title: "Alerts", SiteURL: "https://alerts.example/", Items: []Item{{
			GUID: "https://alerts.example/1", URL: "https://alerts.example/1", Title: "Council tax rise", Content: "Council tax to rise by 5%",
		}}}},
		{"/atom", Feed{Title: "Parliament petitions", SiteURL: "https://petitions.example/", Items: []Item{{
			GUID: "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", URL: "https://petitions.example/p/1", Title: "Fund rural buses",
			Content: "<p>Rural <em>buses</em></p>", Author: "Alex Jones", Published: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
		}}}},
		{"/json", Feed{Title: "Mastodon #northshire", SiteURL: "https://social.example/tags/northshire", Items: []Item{{
			GUID: "109", URL: "https://social.example/@jo/109", Content: "Flooding on the high street again #northshire",
			Author: "Jo", Published: time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC),
		}}}},
	}
	for _, tc := range tests {
		resp, err := f.Fetch(context.Background(), Request{URL: srv.URL + tc.path})
		if err != nil {
			t.Errorf("%s: %v", tc.path, err)
			continue
		}
		if diff := cmp.Diff(&tc.want, resp.Feed); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.path, diff)
		}
	}
}

func TestConditionalGet(t *testing.T) {
	const etag, lastMod = `"v1"`, "Mon, 02 Mar 2026 09:00:00 GMT"
	var (
		mu             sync.Mutex
		sawINM, sawIMS []string
		omitETag304    bool
	)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sawINM = append(sawINM, r.Header.Get("If-None-Match"))
		sawIMS = append(sawIMS, r.Header.Get("If-Modified-Since"))
		omit := omitETag304
		mu.Unlock()
		if r.Header.Get("If-None-Match") == etag {
			if !omit {
				w.Header().Set("ETag", etag)
			}
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		w.Write(file(t, "rss2.xml"))
	}))
	f := newFetcher(t, Options{})

	first, err := f.Fetch(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if first.NotModified || first.Feed == nil || first.ETag != etag || first.LastModified != lastMod {
		t.Fatalf("first fetch: %+v", first)
	}
	second, err := f.Fetch(context.Background(), Request{URL: srv.URL, ETag: first.ETag, LastModified: first.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	if !second.NotModified || second.Feed != nil || second.StatusCode != 304 || second.ETag != etag || second.LastModified != lastMod {
		t.Fatalf("second fetch: %+v", second)
	}
	if !second.NextCheck.After(clock) {
		t.Errorf("NextCheck %v not after now", second.NextCheck)
	}
	mu.Lock()
	omitETag304 = true
	mu.Unlock()
	third, err := f.Fetch(context.Background(), Request{URL: srv.URL, ETag: etag, LastModified: lastMod})
	if err != nil || !third.NotModified || third.ETag != etag {
		t.Fatalf("a 304 without an ETag must keep the old one: %+v, %v", third, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]string{"", etag, etag}, sawINM); diff != "" {
		t.Errorf("If-None-Match sent (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"", lastMod, lastMod}, sawIMS); diff != "" {
		t.Errorf("If-Modified-Since sent (-want +got):\n%s", diff)
	}
}

// TestValidatorsOnlyAfterGoodParse: a feed that fails to parse must not
// hand back its ETag, or the caller would save it and get 304 for ever.
func TestValidatorsOnlyAfterGoodParse(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"broken"`)
		w.Header().Set("Last-Modified", "Mon, 02 Mar 2026 09:00:00 GMT")
		w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>cut off`))
	}))
	f := newFetcher(t, Options{})
	resp, err := f.Fetch(context.Background(), Request{URL: srv.URL})
	if KindOf(err) != KindParse {
		t.Fatalf("err = %v, want a parse error", err)
	}
	if resp.ETag != "" || resp.LastModified != "" {
		t.Errorf("validators returned with an error: %+v", resp)
	}
	if IsTemporary(err) {
		t.Errorf("a parse error is not temporary")
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		body, want string
	}{
		{`<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>cut off`, "not a well-formed feed"},
		{`<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><title>y`, "not a well-formed feed"},
		{`<!DOCTYPE html><html><head><title>Home</title></head><body>hi</body></html>`, "web page, not a feed"},
		{``, "empty"},
		{`hello`, "not an RSS, Atom or JSON feed"},
		{`{"version": "https://jsonfeed.org/version/1", "items": [}`, "not a well-formed feed"},
	}
	for _, tc := range tests {
		srv := serve(t, fixed("application/xml", []byte(tc.body)))
		_, err := newFetcher(t, Options{}).Fetch(context.Background(), Request{URL: srv.URL})
		if KindOf(err) != KindParse || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want a parse error saying %q", tc.body, err, tc.want)
		}
		if err != nil && !strings.Contains(err.Error(), srv.URL) {
			t.Errorf("error %q does not name the feed", err)
		}
	}
}

func TestNextCheck(t *testing.T) {
	rssTTL := func(min int) []byte {
		return fmt.Appendf(nil, `<rss version="2.0"><channel><title>t</title><ttl>%d</ttl></channel></rss>`, min)
	}
	plain := []byte(`<rss version="2.0"><channel><title>t</title></channel></rss>`)
	date := clock.Add(-time.Hour) // the server's clock runs an hour behind ours
	tests := []struct {
		name   string
		status int
		header map[string]string
		body   []byte
		want   time.Duration
	}{
		{"nothing said", 200, nil, plain, time.Hour},
		{"ttl", 200, nil, rssTTL(180), 3 * time.Hour},
		{"ttl below the floor", 200, nil, rssTTL(5), time.Hour},
		{"ttl above the ceiling", 200, nil, rssTTL(100000), 24 * time.Hour},
		{"max-age", 200, map[string]string{"Cache-Control": "public, max-age=7200"}, plain, 2 * time.Hour},
		{"max-age below the floor", 200, map[string]string{"Cache-Control": "max-age=60"}, plain, time.Hour},
		{"Expires, against the server's Date", 200, map[string]string{"Expires": date.Add(5 * time.Hour).Format(http.TimeFormat)}, plain, 5 * time.Hour},
		{"the longest wins", 200, map[string]string{"Cache-Control": "max-age=7200"}, rssTTL(240), 4 * time.Hour},
		{"304 with max-age", 304, map[string]string{"Cache-Control": "max-age=10800"}, nil, 3 * time.Hour},
		{"429 Retry-After seconds", 429, map[string]string{"Retry-After": "7200"}, nil, 2 * time.Hour},
		{"503 Retry-After date", 503, map[string]string{"Retry-After": date.Add(3 * time.Hour).Format(http.TimeFormat)}, nil, 3 * time.Hour},
		{"429 Retry-After short", 429, map[string]string{"Retry-After": "10"}, nil, time.Hour},
		{"429 Retry-After huge", 429, map[string]string{"Retry-After": "99999999999"}, nil, 24 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Date", date.Format(http.TimeFormat))
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				w.Write(tc.body)
			}))
			resp, err := newFetcher(t, Options{}).Fetch(context.Background(), Request{URL: srv.URL, ETag: `"x"`})
			if tc.status >= 400 {
				if KindOf(err) != KindStatus || !IsTemporary(err) {
					t.Fatalf("err = %v, want a temporary status error", err)
				}
				var e *Error
				if errors.As(err, &e); e.StatusCode != tc.status {
					t.Errorf("StatusCode = %d, want %d", e.StatusCode, tc.status)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got := resp.NextCheck.Sub(clock); got != tc.want {
				t.Errorf("NextCheck = now + %v, want now + %v", got, tc.want)
			}
		})
	}
}

func TestIntervalOptions(t *testing.T) {
	srv := serve(t, fixed("application/rss+xml", []byte(`<rss version="2.0"><channel><title>t</title><ttl>600</ttl></channel></rss>`)))
	f := newFetcher(t, Options{MinInterval: 15 * time.Minute, MaxInterval: 2 * time.Hour})
	resp, err := f.Fetch(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.NextCheck.Sub(clock); got != 2*time.Hour {
		t.Errorf("NextCheck = now + %v, want the 2h ceiling", got)
	}
	if got := f.Backoff(1); got != 15*time.Minute {
		t.Errorf("Backoff(1) = %v, want the 15m floor", got)
	}
}

func TestStatusErrors(t *testing.T) {
	tests := []struct {
		status    int
		temporary bool
	}{
		{404, false}, {410, false}, {401, false}, {403, false}, {400, false},
		{408, true}, {429, true}, {500, true}, {502, true}, {503, true}, {504, true},
	}
	for _, tc := range tests {
		srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no", tc.status)
		}))
		resp, err := newFetcher(t, Options{}).Fetch(context.Background(), Request{URL: srv.URL})
		if KindOf(err) != KindStatus || IsTemporary(err) != tc.temporary || resp.StatusCode != tc.status {
			t.Errorf("%d: err %v (temporary %v), status %d; want temporary %v", tc.status, err, IsTemporary(err), resp.StatusCode, tc.temporary)
		}
		if err != nil && !strings.Contains(err.Error(), fmt.Sprint(tc.status)) {
			t.Errorf("%d: error %q does not say the status", tc.status, err)
		}
	}
}

// TestBackoffAndPark follows a feed that keeps failing, as the caller
// would: back off exponentially, park after the third error.
func TestBackoffAndPark(t *testing.T) {
	f := newFetcher(t, Options{})
	want := []time.Duration{0, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 16 * time.Hour, 24 * time.Hour, 24 * time.Hour}
	for n, w := range want {
		if got := f.Backoff(n); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, w)
		}
	}
	if f.Backoff(1000) != 24*time.Hour {
		t.Errorf("Backoff(1000) = %v", f.Backoff(1000))
	}

	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	errorsInRow, parkedAt := 0, 0
	var delays []time.Duration
	for attempt := 1; attempt <= 10 && parkedAt == 0; attempt++ {
		resp, err := f.Fetch(context.Background(), Request{URL: srv.URL})
		if err == nil {
			t.Fatal("want an error")
		}
		errorsInRow++
		next := clock.Add(f.Backoff(errorsInRow))
		if resp.NextCheck.After(next) {
			next = resp.NextCheck
		}
		delays = append(delays, next.Sub(clock))
		if f.ShouldPark(errorsInRow) {
			parkedAt = attempt
		}
	}
	if parkedAt != 3 {
		t.Errorf("parked after %d errors, want 3", parkedAt)
	}
	if diff := cmp.Diff([]time.Duration{time.Hour, 2 * time.Hour, 4 * time.Hour}, delays); diff != "" {
		t.Errorf("delays (-want +got):\n%s", diff)
	}

	if g := newFetcher(t, Options{ParkAfter: 5}); g.ShouldPark(4) || !g.ShouldPark(5) {
		t.Error("ParkAfter: 5 not honoured")
	}
	if g := newFetcher(t, Options{ParkAfter: -1}); g.ShouldPark(1000) {
		t.Error("ParkAfter: -1 must never park")
	}
}

func TestRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/feed", fixed("application/rss+xml", file(t, "rss091.xml")))
	mux.Handle("/a", http.RedirectHandler("/b", http.StatusMovedPermanently))
	mux.Handle("/b", http.RedirectHandler("/feed", http.StatusFound))
	mux.Handle("/loop1", http.RedirectHandler("/loop2", http.StatusFound))
	mux.Handle("/loop2", http.RedirectHandler("/loop1", http.StatusFound))
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		if n == 0 {
			http.Redirect(w, r, "/feed", http.StatusFound)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusFound)
	})
	mux.Handle("/ftp", http.RedirectHandler("ftp://example.com/feed", http.StatusFound))
	srv := serve(t, mux)
	f := newFetcher(t, Options{})

	resp, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/a"})
	if err != nil || resp.URL != srv.URL+"/feed" || resp.Feed == nil {
		t.Fatalf("two redirects: %+v, %v", resp, err)
	}
	if _, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/chain/4"}); err != nil {
		t.Errorf("5 redirects (the limit): %v", err)
	}
	tests := []struct{ path, want string }{
		{"/loop1", "redirect loop"},
		{"/chain/5", "stopped after 5 redirects"},
		{"/ftp", "not an http or https URL"},
	}
	for _, tc := range tests {
		_, err := f.Fetch(context.Background(), Request{URL: srv.URL + tc.path})
		if KindOf(err) != KindRedirect || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want a redirect error saying %q", tc.path, err, tc.want)
		}
	}
	if _, err := newFetcher(t, Options{MaxRedirects: -1}).Fetch(context.Background(), Request{URL: srv.URL + "/b"}); KindOf(err) != KindRedirect {
		t.Errorf("MaxRedirects -1: err = %v, want a redirect error", err)
	}
}

func TestTimeout(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/headers", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	mux.HandleFunc("/body", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<rss version="2.0"><channel><title>slow`))
		w.(http.Flusher).Flush()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
				w.Write([]byte(" "))
				w.(http.Flusher).Flush()
			}
		}
	})
	srv := serve(t, mux)
	f := newFetcher(t, Options{Timeout: 300 * time.Millisecond})
	for _, path := range []string{"/headers", "/body"} {
		start := time.Now()
		_, err := f.Fetch(context.Background(), Request{URL: srv.URL + path})
		if KindOf(err) != KindTimeout || !IsTemporary(err) || !strings.Contains(err.Error(), "timed out after 300ms") {
			t.Errorf("%s: err = %v, want a temporary timeout", path, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %v", path, d)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := newFetcher(t, Options{}).Fetch(ctx, Request{URL: srv.URL + "/headers"}); KindOf(err) != KindCanceled {
		t.Errorf("canceled: err = %v, want KindCanceled", err)
	}
}

func gzipped(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return buf.Bytes()
}

func TestSizeLimit(t *testing.T) {
	big := append([]byte(`<rss version="2.0"><channel><title>big</title><description>`), bytes.Repeat([]byte("a"), 2<<20)...)
	big = append(big, "</description></channel></rss>"...)
	feed := file(t, "rss2.xml")
	// a gzip bomb: 24 MiB of spaces inside a feed, about 24 KB compressed
	bomb := gzipped(t, append(append([]byte(`<rss version="2.0"><channel><title>`), bytes.Repeat([]byte(" "), 24<<20)...), "</title></channel></rss>"...))
	gzFeed := gzipped(t, feed)
	var sawGzip atomic.Bool
	mux := http.NewServeMux()
	mux.Handle("/big", fixed("application/rss+xml", big))
	mux.HandleFunc("/big-chunked", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < len(big); i += 32 << 10 {
			w.Write(big[i:min(i+32<<10, len(big))])
			w.(http.Flusher).Flush()
		}
	})
	gz := func(body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				http.Error(w, "gzip only", http.StatusNotAcceptable)
				return
			}
			sawGzip.Store(true)
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write(body)
		}
	}
	mux.HandleFunc("/bomb", gz(bomb))
	mux.HandleFunc("/gzip", gz(gzFeed))
	srv := serve(t, mux)
	t.Logf("bomb: %d bytes compressed, 24 MiB inflated", len(bomb))

	small := newFetcher(t, Options{MaxBodySize: 1 << 20})
	for _, path := range []string{"/big", "/big-chunked"} {
		_, err := small.Fetch(context.Background(), Request{URL: srv.URL + path})
		if KindOf(err) != KindTooLarge || !strings.Contains(err.Error(), "larger than 1 MiB") {
			t.Errorf("%s: err = %v, want too large", path, err)
		}
	}
	f := newFetcher(t, Options{}) // the default 15 MiB
	if _, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/bomb"}); KindOf(err) != KindTooLarge || !strings.Contains(err.Error(), "15 MiB") {
		t.Errorf("gzip bomb: err = %v, want too large", err)
	}
	resp, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/gzip"})
	if err != nil || resp.Feed == nil || resp.Feed.Title != "Cardiff Post" {
		t.Errorf("gzipped feed: %+v, %v", resp, err)
	}
	if !sawGzip.Load() {
		t.Error("the fetcher did not ask for gzip")
	}
}

func TestLegacyEncodings(t *testing.T) {
	// "Café £5 — naïve" in ISO-8859-1 / windows-1252 bytes (0x97 is the
	// em dash in windows-1252 only)
	latin1 := "Caf\xe9 \xa35 na\xefve"
	cp1252 := "Caf\xe9 \xa35 \x97 na\xefve"
	rss := func(prolog, title string) []byte {
		return []byte(prolog + `<rss version="2.0"><channel><title>` + title + `</title><item><title>` + title + `</title><guid>1</guid></item></channel></rss>`)
	}
	utf16 := func(s string) []byte {
		out := []byte{0xFE, 0xFF}
		for _, r := range s {
			out = append(out, byte(r>>8), byte(r))
		}
		return out
	}
	tests := []struct {
		name, ctype string
		body        []byte
		want        string
	}{
		{"ISO-8859-1 in the prolog", "text/xml", rss(`<?xml version="1.0" encoding="ISO-8859-1"?>`, latin1), "Café £5 naïve"},
		{"windows-1252 in the prolog", "application/rss+xml", rss(`<?xml version='1.0' encoding='windows-1252' ?>`, cp1252), "Café £5 — naïve"},
		{"charset in Content-Type only", "application/rss+xml; charset=ISO-8859-1", rss(`<?xml version="1.0"?>`, latin1), "Café £5 naïve"},
		{"the prolog wins over a wrong Content-Type", "text/xml; charset=utf-8", rss(`<?xml version="1.0" encoding="iso-8859-1"?>`, latin1), "Café £5 naïve"},
		{"undeclared and not UTF-8", "application/xml", rss("", cp1252), "Café £5 — naïve"},
		{"UTF-8", "application/xml", rss(`<?xml version="1.0" encoding="UTF-8"?>`, "Café £5 naïve Dŵr"), "Café £5 naïve Dŵr"},
		{"UTF-8 with a BOM", "application/xml", append([]byte{0xEF, 0xBB, 0xBF}, rss(`<?xml version="1.0" encoding="utf-8"?>`, "Café")...), "Café"},
		{"UTF-16 with a BOM", "application/xml", utf16(`<?xml version="1.0" encoding="UTF-16"?><rss version="2.0"><channel><title>Café £5</title></channel></rss>`), "Café £5"},
		{"control characters", "application/xml", rss("", "Caf\u00e9\x0c \x01£5"), "Café £5"},
	}
	for _, tc := range tests {
		srv := serve(t, fixed(tc.ctype, tc.body))
		resp, err := newFetcher(t, Options{}).Fetch(context.Background(), Request{URL: srv.URL})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if resp.Feed.Title != tc.want {
			t.Errorf("%s: title %q, want %q", tc.name, resp.Feed.Title, tc.want)
		}
		if len(resp.Feed.Items) > 0 && resp.Feed.Items[0].Title != tc.want {
			t.Errorf("%s: item title %q, want %q", tc.name, resp.Feed.Items[0].Title, tc.want)
		}
	}
}

func TestUserAgent(t *testing.T) {
	var got atomic.Value
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("User-Agent"))
		w.Write(file(t, "rss091.xml"))
	}))
	ua := UserAgent("1.2.0", "https://parley.example.gov.uk")
	if ua != "Parley/1.2.0 (+https://parley.example.gov.uk; feed fetcher)" {
		t.Errorf("UserAgent = %q", ua)
	}
	if _, err := newFetcher(t, Options{UserAgent: ua}).Fetch(context.Background(), Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if got.Load() != ua {
		t.Errorf("server saw User-Agent %q", got.Load())
	}
}

func TestBadURL(t *testing.T) {
	f := newFetcher(t, Options{})
	for _, u := range []string{"", "ftp://example.com/feed", "example.com/feed", "http://", "http://a b/"} {
		if _, err := f.Fetch(context.Background(), Request{URL: u}); KindOf(err) != KindBadURL {
			t.Errorf("%q: err = %v, want KindBadURL", u, err)
		}
	}
}
