package web

import (
	"testing"
	"time"
)

// TestExpiredPageIsRenderedOnce: when a page expires, the first reader
// renders it and the others get the old copy meanwhile.
func TestExpiredPageIsRenderedOnce(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	c := newPageCache(5*time.Second, func() time.Time { return now })
	if _, ok := c.get("k"); ok {
		t.Fatal("a page before any was put")
	}
	c.put("k", []byte("v1"), "text/html", "n")
	if p, ok := c.get("k"); !ok || string(p.body) != "v1" {
		t.Fatalf("fresh page: %q %v", p.body, ok)
	}
	now = now.Add(6 * time.Second)
	if _, ok := c.get("k"); ok {
		t.Fatal("the first reader after expiry must render")
	}
	for range 3 {
		if p, ok := c.get("k"); !ok || string(p.body) != "v1" {
			t.Fatalf("readers while it renders: %q %v", p.body, ok)
		}
	}
	c.put("k", []byte("v2"), "text/html", "n")
	if p, _ := c.get("k"); string(p.body) != "v2" {
		t.Errorf("after the render: %q", p.body)
	}
	// A render that fails lets the next reader try.
	now = now.Add(6 * time.Second)
	c.get("k")
	c.drop("k")
	if _, ok := c.get("k"); ok {
		t.Error("after a failed render the next reader must render")
	}
	// A render that never ends stops holding readers to the old page.
	now = now.Add(staleFor + time.Second)
	if _, ok := c.get("k"); ok {
		t.Error("a page long past its time was served")
	}
}
