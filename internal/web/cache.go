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
type pageCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	now     func() time.Time
	entries map[string]cachedPage
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
	return &pageCache{ttl: ttl, now: now, entries: map[string]cachedPage{}}
}

func (c *pageCache) get(key string) (cachedPage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.entries[key]
	if !ok || c.now().After(p.expires) {
		return cachedPage{}, false
	}
	return p, true
}

func (c *pageCache) put(key string, body []byte, contentType, nonce string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedPages {
		clear(c.entries)
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
			return err
		}
		if rec.status == http.StatusOK && w.Header().Get("Set-Cookie") == "" {
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
