package api

import (
	"sync"
	"time"
)

// figureTTL is how long computed figures are served before they are
// worked out again. Figures are monthly; a minute-old comparison is as
// good as a fresh one, and working it out reads every organisation's
// monthly totals (tens of milliseconds once there are many).
const figureTTL = 30 * time.Second

// maxCached bounds the cache: past it, expired entries go, and if that is
// not enough, everything does.
const maxCached = 512

// figureCache keeps recently computed figures by request (the query and
// the organisations the caller may see), computing each at most once at a
// time however many requests ask for it together. A batch ingested
// through this API empties it, so a sender reads its own writes.
type figureCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string]*cacheEntry
}

type cacheEntry struct {
	gen   uint64
	at    time.Time
	ready chan struct{} // closed when val and err are set
	val   any
	err   error
}

// get returns the cached value for key, or computes it.
func (c *figureCache) get(key string, now time.Time, compute func() (any, error)) (any, error) {
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]*cacheEntry{}
	}
	e, ok := c.entries[key]
	if ok && e.gen == c.gen && now.Sub(e.at) < figureTTL {
		c.mu.Unlock()
		<-e.ready
		if e.err != nil {
			// The request computing it failed (or went away): try ourselves.
			return compute()
		}
		return e.val, nil
	}
	if len(c.entries) >= maxCached {
		c.evict(now)
	}
	e = &cacheEntry{gen: c.gen, at: now, ready: make(chan struct{})}
	c.entries[key] = e
	c.mu.Unlock()

	e.val, e.err = compute()
	close(e.ready)
	if e.err != nil {
		// Errors are not kept: the next request tries again.
		c.mu.Lock()
		if c.entries[key] == e {
			delete(c.entries, key)
		}
		c.mu.Unlock()
	}
	return e.val, e.err
}

// evict drops expired entries, or all when none has expired. Called with
// mu held.
func (c *figureCache) evict(now time.Time) {
	for k, e := range c.entries {
		if e.gen != c.gen || now.Sub(e.at) >= figureTTL {
			delete(c.entries, k)
		}
	}
	if len(c.entries) >= maxCached {
		clear(c.entries)
	}
}

// changed empties the cache: figures have moved.
func (c *figureCache) changed() {
	c.mu.Lock()
	c.gen++
	clear(c.entries)
	c.mu.Unlock()
}
