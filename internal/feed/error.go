package feed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
)

// Kind says what went wrong with a fetch, so the caller can decide what
// to do: retry soon, back off, park the feed, or tell its owner.
type Kind int

// The kinds of failure.
const (
	KindNetwork  Kind = iota + 1 // no connection, or it broke
	KindTimeout                  // the whole fetch took longer than Options.Timeout
	KindStatus                   // the server answered with an error status
	KindTooLarge                 // the body, once decompressed, is over Options.MaxBodySize
	KindParse                    // the body is not a feed we can read
	KindRedirect                 // too many redirects, a loop, or a redirect off HTTP(S)
	KindBlocked                  // the address is private, loopback and so on, and AllowPrivate is off
	KindBadURL                   // the URL is not an http or https URL
	KindCanceled                 // the caller's context was canceled: not the feed's fault
)

func (k Kind) String() string {
	switch k {
	case KindNetwork:
		return "network"
	case KindTimeout:
		return "timeout"
	case KindStatus:
		return "status"
	case KindTooLarge:
		return "too large"
	case KindParse:
		return "parse"
	case KindRedirect:
		return "redirect"
	case KindBlocked:
		return "blocked address"
	case KindBadURL:
		return "bad url"
	case KindCanceled:
		return "canceled"
	}
	return "unknown"
}

// Error is the error of Fetch and Discover.
type Error struct {
	Kind       Kind
	URL        string
	StatusCode int // for KindStatus
	Err        error
}

func (e *Error) Error() string {
	switch e.Kind {
	case KindStatus:
		return fmt.Sprintf("feed %s: the server answered %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	case KindCanceled:
		return fmt.Sprintf("feed %s: canceled", e.URL)
	}
	return fmt.Sprintf("feed %s: %v", e.URL, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether the same request may succeed later with nobody
// changing anything: timeouts, broken connections, 408, 425, 429 and 5xx.
// Everything else (404, 410, 401, 403, a body that is not a feed, a blocked
// address) needs someone to act; the caller still backs off and parks such
// a feed after ParkAfter errors, and may park it at once.
func (e *Error) Temporary() bool {
	switch e.Kind {
	case KindNetwork, KindTimeout, KindCanceled:
		return true
	case KindStatus:
		switch c := e.StatusCode; {
		case c == http.StatusRequestTimeout, c == http.StatusTooEarly, c == http.StatusTooManyRequests, c >= 500:
			return true
		}
	}
	return false
}

// IsTemporary reports whether err is an *Error that is Temporary.
func IsTemporary(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Temporary()
}

// KindOf returns the Kind of err, or 0 if it is not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// AddressError is the refusal to connect to a non-public address.
type AddressError struct {
	Addr   netip.Addr
	Reason string // "loopback", "private", …
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("refused to connect to %s, a %s address (only public addresses are fetched)", e.Addr, e.Reason)
}

// redirectError is CheckRedirect's refusal.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }

// tooLargeError is a body over the limit.
type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("the response is larger than %s", size(e.limit))
}

func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// classify wraps a transport or read error as an *Error. parent is the
// caller's context: its cancelation is KindCanceled, any other deadline
// (ours or the caller's) KindTimeout.
func classify(parent context.Context, url string, err error) *Error {
	e := &Error{URL: url, Err: err}
	var (
		addr   *AddressError
		redir  *redirectError
		large  *tooLargeError
		netErr net.Error
	)
	switch {
	case errors.As(err, &addr):
		e.Kind, e.Err = KindBlocked, addr
	case errors.As(err, &redir):
		e.Kind, e.Err = KindRedirect, redir
	case errors.As(err, &large):
		e.Kind, e.Err = KindTooLarge, large
	case errors.Is(parent.Err(), context.Canceled):
		e.Kind = KindCanceled
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		e.Kind, e.Err = KindTimeout, errors.New("timed out")
	default:
		e.Kind = KindNetwork
	}
	return e
}
