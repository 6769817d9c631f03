package web

import (
	"sync"
	"time"

	"parley/internal/apperr"
)

// limiter is a set of token buckets in memory, one per key. It protects
// sign-in and other abuse-prone forms; limits are per instance.
type limiter struct {
	mu      sync.Mutex
	now     func() time.Time
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// rule allows burst requests at once, refilled at one per every.
type rule struct {
	burst int
	every time.Duration
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, buckets: map[string]*bucket{}}
}

// allow spends one token from key's bucket, or returns TooMany.
func (l *limiter) allow(key string, r rule) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.swept) > time.Minute {
		l.sweep(now)
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: float64(r.burst), last: now}
		l.buckets[key] = b
	}
	b.tokens = min(float64(r.burst), b.tokens+now.Sub(b.last).Seconds()/r.every.Seconds())
	b.last = now
	if b.tokens < 1 {
		return apperr.New(apperr.TooMany, "error.429.body")
	}
	b.tokens--
	return nil
}

// sweep forgets buckets idle for an hour, so memory stays bounded.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.last) > time.Hour {
			delete(l.buckets, k)
		}
	}
	l.swept = now
}
