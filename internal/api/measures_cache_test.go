package api

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestFigureCache(t *testing.T) {
	var c figureCache
	var calls atomic.Int32
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	slow := func() (any, error) {
		calls.Add(1)
		time.Sleep(20 * time.Millisecond)
		return "figures", nil
	}
	// Requests that arrive together share one computation.
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, err := c.get("k", now, slow); v != "figures" || err != nil {
				t.Errorf("got %v, %v", v, err)
			}
		}()
	}
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("%d computations for 8 requests together, want 1", n)
	}
	c.get("k", now.Add(figureTTL-time.Second), slow)
	if n := calls.Load(); n != 1 {
		t.Errorf("recomputed within the TTL: %d", n)
	}
	c.get("k", now.Add(figureTTL), slow)
	if n := calls.Load(); n != 2 {
		t.Errorf("not recomputed after the TTL: %d", n)
	}
	c.changed()
	c.get("k", now.Add(figureTTL), slow)
	if n := calls.Load(); n != 3 {
		t.Errorf("not recomputed after a change: %d", n)
	}
	// Errors are not kept.
	boom := errors.New("boom")
	if _, err := c.get("e", now, func() (any, error) { return nil, boom }); err != boom {
		t.Errorf("err %v", err)
	}
	if v, err := c.get("e", now, func() (any, error) { return 1, nil }); v != 1 || err != nil {
		t.Errorf("after an error: %v, %v", v, err)
	}
	// The cache stays bounded.
	for i := range 3 * maxCached {
		c.get(string(rune('a'+i%26))+time.Duration(i).String(), now, func() (any, error) { return i, nil })
	}
	if len(c.entries) > maxCached {
		t.Errorf("%d entries, bound %d", len(c.entries), maxCached)
	}
}
