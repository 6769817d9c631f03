package feed

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults of Options, after Miniflux's practice.
const (
	DefaultMaxBodySize  = 15 << 20
	DefaultTimeout      = 20 * time.Second
	DefaultMaxRedirects = 5
	DefaultPerHostLimit = 2
	DefaultMinInterval  = 60 * time.Minute
	DefaultMaxInterval  = 24 * time.Hour
	DefaultParkAfter    = 3
)

// Options configure a Fetcher. The zero value of each field means its
// default.
type Options struct {
	UserAgent    string        // see UserAgent; default "Parley (feed fetcher)"
	MaxBodySize  int64         // bytes after decompression; default 15 MiB
	Timeout      time.Duration // the whole fetch, body included; default 20 s
	MaxRedirects int           // default 5; negative: follow none
	PerHostLimit int           // requests in flight to one host; default 2
	AllowPrivate bool          // allow loopback, private, link-local… addresses (tests only)
	MinInterval  time.Duration // NextCheck and Backoff floor; default 60 min
	MaxInterval  time.Duration // NextCheck and Backoff ceiling; default 24 h
	ParkAfter    int           // consecutive errors before parking; default 3; negative: never

	// LookupHost, if set, resolves host names instead of the system
	// resolver (the benchmark maps many names to loopback with it). The
	// addresses it returns are checked like any others.
	LookupHost func(ctx context.Context, host string) ([]string, error)
	// Now is the clock for NextCheck; default time.Now.
	Now func() time.Time
}

// UserAgent is the User-Agent a deployment should send: it names Parley and
// where to find out who is fetching.
func UserAgent(version, baseURL string) string {
	return fmt.Sprintf("Parley/%s (+%s; feed fetcher)", version, baseURL)
}

// Fetcher fetches feeds politely: conditional requests, a per-host limit,
// bounded time and size, and a schedule that honours what the server says.
// It is safe for concurrent use; share one per process so the per-host
// limit holds across all workers.
type Fetcher struct {
	opts      Options
	dialer    *net.Dialer
	transport *http.Transport
	client    *http.Client
	hosts     *hostLimiter
}

// New returns a Fetcher with opts, defaults filled in.
func New(opts Options) *Fetcher {
	if opts.UserAgent == "" {
		opts.UserAgent = "Parley (feed fetcher)"
	}
	if opts.MaxBodySize <= 0 {
		opts.MaxBodySize = DefaultMaxBodySize
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	switch {
	case opts.MaxRedirects == 0:
		opts.MaxRedirects = DefaultMaxRedirects
	case opts.MaxRedirects < 0:
		opts.MaxRedirects = 0
	}
	if opts.PerHostLimit <= 0 {
		opts.PerHostLimit = DefaultPerHostLimit
	}
	if opts.MinInterval <= 0 {
		opts.MinInterval = DefaultMinInterval
	}
	if opts.MaxInterval <= 0 {
		opts.MaxInterval = DefaultMaxInterval
	}
	opts.MaxInterval = max(opts.MaxInterval, opts.MinInterval)
	if opts.ParkAfter == 0 {
		opts.ParkAfter = DefaultParkAfter
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	f := &Fetcher{opts: opts, hosts: &hostLimiter{limit: opts.PerHostLimit, hosts: map[string]*hostSlots{}}}
	f.dialer = &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, ControlContext: f.control}
	f.transport = &http.Transport{
		Proxy:                  nil, // see guard.go
		DialContext:            f.dial,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    10 * time.Second,
		MaxIdleConns:           200,
		MaxIdleConnsPerHost:    opts.PerHostLimit,
		IdleConnTimeout:        60 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		// Accept-Encoding is left to the transport, which then asks for
		// gzip and decompresses it; the size limit applies to what it
		// hands us, so a gzip bomb stops at MaxBodySize.
	}
	f.client = &http.Client{
		Transport:     &limitTransport{hosts: f.hosts, next: f.transport},
		CheckRedirect: f.checkRedirect,
	}
	return f
}

// Close closes idle connections.
func (f *Fetcher) Close() { f.transport.CloseIdleConnections() }

func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > f.opts.MaxRedirects {
		return &redirectError{fmt.Sprintf("stopped after %d redirects", f.opts.MaxRedirects)}
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return &redirectError{fmt.Sprintf("redirected to %q, which is not an http or https URL", req.URL)}
	}
	for _, v := range via {
		if v.URL.String() == req.URL.String() {
			return &redirectError{fmt.Sprintf("redirect loop back to %s", req.URL)}
		}
	}
	return nil
}

// Request is one feed to fetch, with the validators saved from the last
// good fetch.
type Request struct {
	URL          string
	ETag         string
	LastModified string
}

// Response is the outcome of a fetch.
//
// ETag and LastModified are set only when Fetch returns no error: the
// caller saves them then and only then, so a feed that fails to parse is
// fetched in full next time rather than answered 304 forever.
type Response struct {
	StatusCode   int
	URL          string // after redirects
	NotModified  bool   // 304: Feed is nil, nothing changed
	Feed         *Feed
	ETag         string
	LastModified string
	// NextCheck is when to fetch again: from RSS <ttl>, Cache-Control
	// max-age, Expires and (on 429 and 503) Retry-After, the longest of
	// them, clamped to [MinInterval, MaxInterval]; MinInterval from now if
	// the server said nothing. On error it is set only for 429 and 503
	// (else zero): schedule the later of it and now + Backoff(errors).
	NextCheck time.Time
}

// fetched is a response read by do.
type fetched struct {
	status int
	header http.Header
	body   []byte // 2xx only
	url    string
}

// do GETs rawURL holding a slot for its host (waiting for it is not timed),
// and reads a 2xx body within the limits.
func (f *Fetcher) do(ctx context.Context, rawURL string, header http.Header) (*fetched, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Error{Kind: KindBadURL, URL: rawURL, Err: fmt.Errorf("not an http or https URL")}
	}
	parent := ctx
	key := hostKey(u.Scheme, u.Host)
	release, err := f.hosts.acquire(ctx, key)
	if err != nil {
		return nil, classify(parent, rawURL, err)
	}
	defer release()
	ctx, cancel := context.WithTimeout(context.WithValue(ctx, heldKey{}, key), f.opts.Timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{Kind: KindBadURL, URL: rawURL, Err: err}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.wrap(parent, rawURL, err)
	}
	defer resp.Body.Close()
	out := &fetched{status: resp.StatusCode, header: resp.Header, url: resp.Request.URL.String()}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		io.CopyN(io.Discard, resp.Body, 4<<10) // lets a short body's connection be reused
		return out, nil
	}
	if resp.ContentLength > f.opts.MaxBodySize {
		return nil, &Error{Kind: KindTooLarge, URL: rawURL, Err: &tooLargeError{f.opts.MaxBodySize}}
	}
	out.body, err = io.ReadAll(io.LimitReader(resp.Body, f.opts.MaxBodySize+1))
	if err != nil {
		return nil, f.wrap(parent, rawURL, err)
	}
	if int64(len(out.body)) > f.opts.MaxBodySize {
		return nil, &Error{Kind: KindTooLarge, URL: rawURL, Err: &tooLargeError{f.opts.MaxBodySize}}
	}
	return out, nil
}

func (f *Fetcher) wrap(parent context.Context, rawURL string, err error) *Error {
	e := classify(parent, rawURL, err)
	if e.Kind == KindTimeout {
		e.Err = fmt.Errorf("timed out after %s", f.opts.Timeout)
	}
	return e
}

const accept = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"

// Fetch fetches and parses one feed. It sends If-None-Match and
// If-Modified-Since from req; a 304 is a success with NotModified set.
// Errors are *Error; see Kind and Temporary. Waiting for a host slot does
// not count against Options.Timeout.
func (f *Fetcher) Fetch(ctx context.Context, req Request) (Response, error) {
	h := http.Header{"Accept": {accept}}
	if req.ETag != "" {
		h.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		h.Set("If-Modified-Since", req.LastModified)
	}
	got, err := f.do(ctx, req.URL, h)
	if err != nil {
		return Response{}, err
	}
	now := f.opts.Now()
	r := Response{StatusCode: got.status, URL: got.url}
	switch {
	case got.status == http.StatusNotModified:
		r.NotModified = true
		// A 304 need not repeat the validators; the old ones still hold.
		r.ETag = firstNonEmpty(got.header.Get("ETag"), req.ETag)
		r.LastModified = firstNonEmpty(got.header.Get("Last-Modified"), req.LastModified)
		r.NextCheck = f.nextCheck(now, got, 0)
		return r, nil
	case got.status >= 200 && got.status <= 299:
		feed, ttl, err := parse(got.body, got.header.Get("Content-Type"), got.url)
		if err != nil {
			return r, &Error{Kind: KindParse, URL: req.URL, Err: err}
		}
		r.Feed = feed
		r.ETag = got.header.Get("ETag")
		r.LastModified = got.header.Get("Last-Modified")
		r.NextCheck = f.nextCheck(now, got, ttl)
		return r, nil
	}
	if got.status == http.StatusTooManyRequests || got.status == http.StatusServiceUnavailable {
		r.NextCheck = f.nextCheck(now, got, 0)
	}
	return r, &Error{Kind: KindStatus, URL: req.URL, StatusCode: got.status}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// nextCheck takes the longest of the intervals the feed and the server
// ask for, within [MinInterval, MaxInterval].
func (f *Fetcher) nextCheck(now time.Time, got *fetched, ttl time.Duration) time.Time {
	d := ttl
	h := got.header
	// The server's own clock, where it gives one, for Expires and a
	// Retry-After date, so a skewed clock on either side does not matter.
	base := now
	if t, err := http.ParseTime(h.Get("Date")); err == nil {
		base = t
	}
	if ma, ok := maxAge(h.Get("Cache-Control")); ok {
		d = max(d, ma)
	}
	if t, err := http.ParseTime(h.Get("Expires")); err == nil {
		d = max(d, t.Sub(base))
	}
	if got.status == http.StatusTooManyRequests || got.status == http.StatusServiceUnavailable {
		if ra, ok := retryAfter(h.Get("Retry-After"), base); ok {
			d = max(d, ra)
		}
	}
	d = min(max(d, f.opts.MinInterval), f.opts.MaxInterval)
	return now.Add(d)
}

// maxAge reads max-age from a Cache-Control header.
func maxAge(cc string) (time.Duration, bool) {
	for _, dir := range strings.Split(cc, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(dir), "=")
		if ok && strings.EqualFold(k, "max-age") {
			if n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64); err == nil && n >= 0 {
				return seconds(n), true
			}
		}
	}
	return 0, false
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP-date.
func retryAfter(v string, base time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return seconds(max(n, 0)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(base), 0), true
	}
	return 0, false
}

// seconds converts without overflowing on absurd values.
func seconds(n int64) time.Duration {
	const limit = int64(100 * 365 * 24 * 3600)
	return time.Duration(min(n, limit)) * time.Second
}

// Backoff is how long to wait after errorCount consecutive errors:
// MinInterval, doubling with each further error, at most MaxInterval.
func (f *Fetcher) Backoff(errorCount int) time.Duration {
	if errorCount <= 0 {
		return 0
	}
	d := f.opts.MinInterval
	for i := 1; i < errorCount && d < f.opts.MaxInterval; i++ {
		d *= 2
	}
	return min(d, f.opts.MaxInterval)
}

// ShouldPark reports whether a feed with errorCount consecutive errors
// should stop being polled until someone refreshes it by hand.
func (f *Fetcher) ShouldPark(errorCount int) bool {
	return f.opts.ParkAfter > 0 && errorCount >= f.opts.ParkAfter
}
