package feed

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestCheckAddr(t *testing.T) {
	tests := []struct {
		addr, reason string // reason "" = allowed
	}{
		{"93.184.215.14", ""},
		{"2606:2800:21f:cb07:6820:80da:af6b:8b2c", ""},
		{"8.8.8.8", ""},
		{"127.0.0.1", "loopback"},
		{"127.255.0.9", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"},
		{"10.1.2.3", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"172.32.0.1", ""},
		{"192.168.1.1", "private"},
		{"169.254.169.254", "link-local"}, // cloud metadata
		{"fe80::1", "link-local"},
		{"fc00::1", "unique-local"},
		{"fd12:3456::1", "unique-local"},
		{"0.0.0.0", "this-network"},
		{"::", "unspecified"},
		{"224.0.0.1", "multicast"},
		{"ff02::1", "multicast"},
		{"100.64.0.1", "carrier-grade NAT"},
		{"100.127.255.255", "carrier-grade NAT"},
		{"100.128.0.1", ""},
		{"255.255.255.255", "reserved"},
		{"64:ff9b::a00:1", "private"},   // NAT64 of 10.0.0.1
		{"64:ff9b::808:808", ""},        // NAT64 of 8.8.8.8
		{"2002:7f00:1::", "loopback"},   // 6to4 of 127.0.0.1
		{"2002:c0a8:101::1", "private"}, // 6to4 of 192.168.1.1
		{"192.0.2.1", "documentation"},
	}
	for _, tc := range tests {
		err := checkAddr(netip.MustParseAddr(tc.addr))
		switch {
		case tc.reason == "" && err != nil:
			t.Errorf("%s: refused (%v), want allowed", tc.addr, err)
		case tc.reason != "" && (err == nil || err.(*AddressError).Reason != tc.reason):
			t.Errorf("%s: %v, want refused as %s", tc.addr, err, tc.reason)
		}
	}
}

// TestPrivateRefused: with AllowPrivate off (the default), loopback is
// refused at dial time, whether named by IP, by a name that resolves to
// it, or by a name a custom resolver maps to a private address.
func TestPrivateRefused(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write(file(t, "rss091.xml"))
	}))
	u, _ := url.Parse(srv.URL)
	_, port, _ := net.SplitHostPort(u.Host)

	f := New(Options{}) // AllowPrivate false
	defer f.Close()
	for _, target := range []string{srv.URL, "http://localhost:" + port + "/", "http://[::1]:" + port + "/"} {
		_, err := f.Fetch(context.Background(), Request{URL: target})
		if KindOf(err) != KindBlocked || IsTemporary(err) || !strings.Contains(err.Error(), "loopback address") {
			t.Errorf("%s: err = %v, want a blocked loopback address", target, err)
		}
	}
	if _, err := f.Discover(context.Background(), srv.URL); KindOf(err) != KindBlocked {
		t.Errorf("Discover: err = %v, want blocked", err)
	}

	// A name that resolves to a private address: refused before any
	// connection is made (nothing listens on 10.255.255.1).
	g := New(Options{LookupHost: func(ctx context.Context, host string) ([]string, error) {
		return []string{"10.255.255.1"}, nil
	}})
	defer g.Close()
	if _, err := g.Fetch(context.Background(), Request{URL: "http://intranet.example/feed"}); KindOf(err) != KindBlocked || !strings.Contains(err.Error(), "private") {
		t.Errorf("name → 10.255.255.1: err = %v, want blocked", err)
	}

	if n := hits.Load(); n != 0 {
		t.Errorf("the server was reached %d times", n)
	}
}

// TestRedirectToPrivateRefused: the check runs at every hop. The first
// host is served from loopback with AllowPrivate on for it only (by the
// resolver), and redirects to a host that resolves to a private address.
func TestRedirectToPrivateRefused(t *testing.T) {
	srv := serve(t, http.RedirectHandler("http://internal.example/secret", http.StatusFound))
	u, _ := url.Parse(srv.URL)
	_, port, _ := net.SplitHostPort(u.Host)
	f := New(Options{LookupHost: func(ctx context.Context, host string) ([]string, error) {
		if host == "internal.example" {
			return []string{"192.168.0.10"}, nil
		}
		return []string{"127.0.0.1"}, nil
	}})
	defer f.Close()
	// The fetcher refuses loopback too, so allow exactly the test
	// server's address by wrapping control.
	f.dialer.ControlContext = func(ctx context.Context, network, address string, c syscall.RawConn) error {
		if address == "127.0.0.1:"+port {
			return nil
		}
		return f.control(ctx, network, address, c)
	}
	_, err := f.Fetch(context.Background(), Request{URL: "http://public.example:" + port + "/feed"})
	if KindOf(err) != KindBlocked || !strings.Contains(err.Error(), "192.168.0.10") {
		t.Errorf("err = %v, want the redirect target blocked", err)
	}
}

// TestPerHostLimit counts requests in flight on the server side, per
// Host header: never more than the limit per host, while several hosts
// are served at once.
func TestPerHostLimit(t *testing.T) {
	var (
		mu       sync.Mutex
		inFlight = map[string]int{}
		maxSeen  = map[string]int{}
		total    int
		maxTotal int
	)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight[r.Host]++
		total++
		maxSeen[r.Host] = max(maxSeen[r.Host], inFlight[r.Host])
		maxTotal = max(maxTotal, total)
		mu.Unlock()
		time.Sleep(30 * time.Millisecond)
		mu.Lock()
		inFlight[r.Host]--
		total--
		mu.Unlock()
		w.Write(file(t, "rss091.xml"))
	}))
	u, _ := url.Parse(srv.URL)
	_, port, _ := net.SplitHostPort(u.Host)
	for _, limit := range []int{1, 2, 3} {
		clear(maxSeen)
		maxTotal = 0
		f := newFetcher(t, Options{PerHostLimit: limit, LookupHost: func(ctx context.Context, host string) ([]string, error) {
			return []string{"127.0.0.1"}, nil
		}})
		var wg sync.WaitGroup
		hosts := []string{"a.example", "b.example", "c.example"}
		for i := range 36 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				target := "http://" + hosts[i%len(hosts)] + ":" + port + "/feed"
				if _, err := f.Fetch(context.Background(), Request{URL: target}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		mu.Lock()
		for _, h := range hosts {
			if got := maxSeen[h+":"+port]; got != limit {
				t.Errorf("limit %d: host %s saw at most %d requests at once, want exactly %d", limit, h, got, limit)
			}
		}
		if maxTotal <= limit {
			t.Errorf("limit %d: at most %d requests at once over all hosts: the limit must be per host", limit, maxTotal)
		}
		mu.Unlock()
		if n := len(f.hosts.hosts); n != 0 {
			t.Errorf("limit %d: %d host entries left behind", limit, n)
		}
	}
}
