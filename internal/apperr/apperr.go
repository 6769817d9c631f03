// Package apperr names the kinds of failure the whole platform speaks of, so
// that the HTML and JSON adapters can each turn one kind into one status.
package apperr

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Kind classifies an error by what the caller can do about it.
type Kind int

const (
	Internal        Kind = iota // a fault of ours; details stay in the log
	Invalid                     // the input was wrong; Fields says where
	NotFound                    // no such thing, or not visible to the caller
	Forbidden                   // signed in, but not allowed
	Unauthenticated             // must sign in (or present a token) first
	Conflict                    // clashes with what is already saved
	Unavailable                 // try again later (overload, shutdown)
	TooMany                     // rate limited
)

func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not found"
	case Forbidden:
		return "forbidden"
	case Unauthenticated:
		return "unauthenticated"
	case Conflict:
		return "conflict"
	case Unavailable:
		return "unavailable"
	case TooMany:
		return "too many requests"
	}
	return "internal"
}

// Error is an error with a kind, a message safe to show to the user, and
// optional per-field messages for forms. Messages shown to citizens are
// message IDs of the i18n catalogues (for example "error.email.required");
// the web layer translates them and shows any other text as it is.
type Error struct {
	Kind   Kind
	Msg    string
	Fields map[string]string
	Order  []string // Fields' keys in the order they were checked
	Err    error    // the cause, for logs only
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.String())
	if e.Msg != "" {
		b.WriteString(": ")
		b.WriteString(e.Msg)
	}
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "; %s: %s", k, e.Fields[k])
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of kind k with a user-facing message.
func New(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of kind k around cause.
func Wrap(k Kind, cause error, msg string) *Error {
	return &Error{Kind: k, Msg: msg, Err: cause}
}

// KindOf reports the kind of err, Internal when it carries none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is of kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// Message returns the user-facing message of err, or "" if it has none.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return ""
}

// FieldsOf returns the per-field messages carried by err.
func FieldsOf(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Fields gathers per-field validation messages in the order fields are
// checked, so the error summary lists them in page order.
type Fields struct {
	order []string
	msgs  map[string]string
}

// Add records msg for field unless the field already has a message.
func (f *Fields) Add(field, msg string) {
	if f.msgs == nil {
		f.msgs = map[string]string{}
	}
	if _, ok := f.msgs[field]; ok {
		return
	}
	f.order = append(f.order, field)
	f.msgs[field] = msg
}

// Check adds msg for field when ok is false.
func (f *Fields) Check(ok bool, field, msg string) {
	if !ok {
		f.Add(field, msg)
	}
}

// Err returns an Invalid error carrying the fields, or nil when there are none.
func (f *Fields) Err() error {
	if len(f.order) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Msg: "error.summary", Fields: f.msgs, Order: f.order}
}

// Order returns the fields in the order they were added.
func (f *Fields) Order() []string { return f.order }
