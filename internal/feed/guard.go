package feed

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"syscall"
)

// Feeds are URLs typed in by staff and found in pages, so a fetch must not
// become a way into the platform's own network (SSRF). The check runs in
// net.Dialer's Control hook on the address actually being connected to,
// after DNS resolution and for every redirect hop, so neither a name that
// resolves to 10.0.0.1 nor one that changes its answer between a check and
// the dial (DNS rebinding) gets through. No proxy is used: a proxy would
// make the dialed address the proxy's.

var blocked = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this-network"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.0.0.0/24"), "reserved"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local NAT64"},
	{netip.MustParsePrefix("100::/64"), "discard"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("fc00::/7"), "unique-local"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// checkAddr returns an *AddressError if a is not a public unicast address.
// IPv4 addresses embedded in IPv6 (mapped, NAT64, 6to4) are checked as
// IPv4.
func checkAddr(a netip.Addr) error {
	a = a.Unmap()
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64.Contains(a):
			if err := checkAddr(netip.AddrFrom4([4]byte(b[12:16]))); err != nil {
				return err
			}
		case sixToFour.Contains(a):
			if err := checkAddr(netip.AddrFrom4([4]byte(b[2:6]))); err != nil {
				return err
			}
		}
	}
	for _, p := range blocked {
		if p.prefix.Contains(a) {
			return &AddressError{Addr: a, Reason: p.reason}
		}
	}
	if a.Is4() && a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return &AddressError{Addr: a, Reason: "broadcast"}
	}
	return nil
}

// control is net.Dialer.ControlContext: it sees the resolved address.
func (f *Fetcher) control(ctx context.Context, network, address string, c syscall.RawConn) error {
	if f.opts.AllowPrivate {
		return nil
	}
	return PublicOnly(ctx, network, address, c)
}

// PublicOnly is a net.Dialer.ControlContext that refuses any address that
// is not public unicast (loopback, private, link-local, CGNAT, multicast,
// documentation, IPv4 inside IPv6 …) with an *AddressError. It runs on the
// address actually dialled, so neither DNS nor a redirect can get round it.
// Other outbound clients (webhooks) use it too.
func PublicOnly(_ context.Context, _, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &AddressError{Reason: "unparsable (" + address + ")"}
	}
	return checkAddr(ap.Addr().WithZone(""))
}

// dial resolves with Options.LookupHost when set (the benchmark maps many
// host names to loopback), else leaves resolution to the dialer. Either
// way every address is checked by control.
func (f *Fetcher) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if f.opts.LookupHost == nil {
		return f.dialer.DialContext(ctx, network, addr)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return f.dialer.DialContext(ctx, network, addr)
	}
	addrs, err := f.opts.LookupHost(ctx, host)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	var first error
	for _, a := range addrs {
		c, err := f.dialer.DialContext(ctx, network, net.JoinHostPort(a, port))
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}

// hostLimiter bounds the requests in flight to each host, across all the
// goroutines sharing a Fetcher.
type hostLimiter struct {
	limit int
	mu    sync.Mutex
	hosts map[string]*hostSlots
}

type hostSlots struct {
	ch   chan struct{}
	refs int // holders and waiters; the entry goes when it drops to 0
}

// acquire waits for a slot for host, or for ctx to end.
func (l *hostLimiter) acquire(ctx context.Context, host string) (release func(), err error) {
	l.mu.Lock()
	s := l.hosts[host]
	if s == nil {
		s = &hostSlots{ch: make(chan struct{}, l.limit)}
		l.hosts[host] = s
	}
	s.refs++
	l.mu.Unlock()
	select {
	case s.ch <- struct{}{}:
	case <-ctx.Done():
		l.unref(host, s)
		return nil, ctx.Err()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-s.ch
			l.unref(host, s)
		})
	}, nil
}

func (l *hostLimiter) unref(host string, s *hostSlots) {
	l.mu.Lock()
	if s.refs--; s.refs == 0 {
		delete(l.hosts, host)
	}
	l.mu.Unlock()
}

// hostKey names the host a request counts against: lower-case name and
// port.
func hostKey(scheme, host string) string {
	h := strings.ToLower(host)
	if _, _, err := net.SplitHostPort(h); err != nil {
		if scheme == "https" {
			return h + ":443"
		}
		return h + ":80"
	}
	return h
}

// heldKey marks a request context with the host whose slot the fetch
// already holds, so the transport does not wait for a second one.
type heldKey struct{}

// limitTransport takes a host slot for each hop of a redirect chain that
// goes to a host other than the first, and gives it back when the body is
// closed (net/http closes a redirect's body before following it).
type limitTransport struct {
	hosts *hostLimiter
	next  http.RoundTripper
}

func (t *limitTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	key := hostKey(r.URL.Scheme, r.URL.Host)
	if held, _ := r.Context().Value(heldKey{}).(string); held == key {
		return t.next.RoundTrip(r)
	}
	release, err := t.hosts.acquire(r.Context(), key)
	if err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		release()
		return nil, err
	}
	resp.Body = &releaseBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

type releaseBody struct {
	io.ReadCloser
	release func()
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}
