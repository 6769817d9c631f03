package web

import (
	"bytes"
	"net/http"
	"sync"
	"time"
)

// pageCache keeps public pages, as rendered for visitors who are not signed
// in, for a few seconds: a spike of readers (a petition in the news) then
// costs one render per page per language every few seconds. Pages for
// anyone with a session are never cached or served from it.
//
// When a page expires, one request renders it again while the others are
// served the page they would have had a moment before: a page that is slow
// to build (the cross-organisation figures) is never built by every reader
// at once.
type pageCache struct {
	mu         sync.Mutex
	ttl        time.Duration
	now        func() time.Time
	entries    map[string]cachedPage
	refreshing map[string]bool // expired pages being rendered again
}

type cachedPage struct {
	body        []byte
	contentType string // as the handler set it: pages, Atom feeds, JSON
	nonce       string // the CSP nonce the body's inline script carries
	expires     time.Time
}

// maxCachedPages bounds memory: past it the cache starts again empty.
const maxCachedPages = 10000

func newPageCache(ttl time.Duration, now func() time.Time) *pageCache {
	return &pageCache{ttl: ttl, now: now, entries: map[string]cachedPage{}, refreshing: map[string]bool{}}
}

// staleFor is how long past its time an expired page may still be served
// while another request renders it again.
const staleFor = time.Minute

// get returns the page to serve, if any. An expired page is returned to
// every caller but the first, which gets none and must render it (and then
// put or drop it).
func (c *pageCache) get(key string) (cachedPage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.entries[key]
	now := c.now()
	switch {
	case !ok:
		return cachedPage{}, false
	case !now.After(p.expires):
		return p, true
	case c.refreshing[key] && now.Before(p.expires.Add(staleFor)):
		return p, true
	default:
		c.refreshing[key] = true
		return cachedPage{}, false
	}
}

// drop ends a refresh that did not produce a page to keep.
func (c *pageCache) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.refreshing, key)
}

func (c *pageCache) put(key string, body []byte, contentType, nonce string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.refreshing, key)
	if len(c.entries) >= maxCachedPages {
		clear(c.entries)
		clear(c.refreshing)
	}
	c.entries[key] = cachedPage{body: body, contentType: contentType, nonce: nonce, expires: c.now().Add(c.ttl)}
}

// bodyRecorder captures a page as the handler writes it.
type bodyRecorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (b *bodyRecorder) WriteHeader(code int) {
	b.status = code
	b.ResponseWriter.WriteHeader(code)
}

func (b *bodyRecorder) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	b.buf.Write(p)
	return b.ResponseWriter.Write(p)
}

// cached serves a public GET page from the cache to visitors without a
// session, and fills the cache from successful renders for them.
func (s *Server) cached(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.cache == nil || hasSession(r) {
			return next(w, r)
		}
		key := s.Brand + "|" + langOf(r) + "|" + r.URL.RequestURI()
		if p, ok := s.cache.get(key); ok {
			h := w.Header()
			h.Set("Content-Security-Policy", csp(p.nonce, s.SecureCookies))
			h.Set("Content-Type", p.contentType)
			_, err := w.Write(p.body)
			return err
		}
		rec := &bodyRecorder{ResponseWriter: w}
		if err := next(rec, r); err != nil {
			s.cache.drop(key)
			return err
		}
		if rec.status != http.StatusOK || w.Header().Get("Set-Cookie") != "" {
			s.cache.drop(key)
		} else {
			ct := w.Header().Get("Content-Type")
			if ct == "" {
				ct = http.DetectContentType(rec.buf.Bytes())
			}
			s.cache.put(key, bytes.Clone(rec.buf.Bytes()), ct, nonceOf(r))
		}
		return nil
	}
}

// hasSession reports whether the request carries a session cookie.
func hasSession(r *http.Request) bool {
	_, err := r.Cookie("parley_session")
	return err == nil
}
