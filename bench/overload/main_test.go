package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"
)

// TestLoadPastCapacity runs the generator against a server that serves
// four requests at a time, each taking 20 ms (200 a second), and sheds the
// rest: at 600 a second most are shed, every one is accounted for.
func TestLoadPastCapacity(t *testing.T) {
	inflight := make(chan struct{}, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			return
		}
		select {
		case inflight <- struct{}{}:
			defer func() { <-inflight }()
			time.Sleep(20 * time.Millisecond)
		default:
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	res := load(srv.URL+"/page", 600, time.Second, 1000, 5*time.Second, os.Getpid())
	if res.Served == 0 || res.Shed == 0 || res.Errors != 0 || res.OtherStatus != 0 {
		t.Errorf("result %+v: want some served, some shed, nothing else", res)
	}
	if got := res.Served + res.Shed + res.NotSent; got != res.Sent+res.NotSent || res.Sent < 500 {
		t.Errorf("sent %d, accounted %d", res.Sent, got)
	}
	if res.ServedPerS > 260 {
		t.Errorf("served %.0f/s from a server that can serve 200/s", res.ServedPerS)
	}
	if !res.AliveAfter || res.MaxRSSMiB <= 0 {
		t.Errorf("alive %v, max RSS %.1f", res.AliveAfter, res.MaxRSSMiB)
	}
	if err := checkLoopback("http://example.org/"); err == nil {
		t.Error("a non-loopback URL accepted")
	}
}
