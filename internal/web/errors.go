package web

import (
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"

	"parley/internal/apperr"
)

// handler is an HTTP handler that returns its error instead of writing it.
type handler func(w http.ResponseWriter, r *http.Request) error

// ErrorPage is the page for 4xx and 5xx responses.
type ErrorPage struct {
	Base
	Status  int
	Heading string
	Message string
	// Link, when set, is where to go next, with LinkText.
	Link, LinkText string
}

// h adapts a handler: errors become GOV.UK-style error pages by kind, and
// so does a panic (as a 500), logged with its stack.
func (s *Server) h(fn handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				s.Log.Error("panic", "request_id", requestIDOf(r), "route", r.Pattern, "panic", p, "stack", string(debug.Stack()))
				s.fail(w, r, fmt.Errorf("panic: %v", p))
			}
		}()
		// Parse forms here, once, so a body that is too large or malformed is
		// an error, not a form whose fields read as empty.
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				var mbe *http.MaxBytesError
				if !errors.As(err, &mbe) {
					err = apperr.Wrap(apperr.Invalid, err, "error.400.title")
				}
				s.fail(w, r, err)
				return
			}
		}
		if err := checkFormText(r); err != nil {
			s.fail(w, r, err)
			return
		}
		if err := fn(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = apperr.New(apperr.Invalid, "error.too_large")
	}
	kind := apperr.KindOf(err)
	status, heading, msg := http.StatusInternalServerError, "error.500.title", "error.500.body"
	switch kind {
	case apperr.NotFound:
		status, heading, msg = http.StatusNotFound, "error.404.title", "error.404.body"
	case apperr.Forbidden:
		status, heading, msg = http.StatusForbidden, "error.403.title", "error.403.body"
		if apperr.Message(err) == "error.moderation.blocked" {
			// An author a moderator stopped: say so, and where to appeal.
			status, heading, msg = http.StatusForbidden, "moderation.public.blocked.title", "moderation.public.blocked.body"
			s.errorPageLink(w, r, status, heading, msg, "/account/moderation", "moderation.public.blocked.link")
			return
		}
	case apperr.Unauthenticated:
		// Send the visitor to sign in and bring them back afterwards.
		if r.Method == http.MethodGet {
			s.sessions.Put(r.Context(), "return_to", r.URL.RequestURI())
			http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
			return
		}
		status, heading, msg = http.StatusUnauthorized, "error.401.title", apperr.Message(err)
	case apperr.Invalid:
		status, heading, msg = http.StatusBadRequest, "error.400.title", apperr.Message(err)
	case apperr.Conflict:
		status, heading, msg = http.StatusConflict, "error.409.title", apperr.Message(err)
	case apperr.TooMany:
		w.Header().Set("Retry-After", "60")
		status, heading, msg = http.StatusTooManyRequests, "error.429.title", "error.429.body"
	case apperr.Unavailable:
		w.Header().Set("Retry-After", "30")
		status, heading, msg = http.StatusServiceUnavailable, "error.503.title", "error.503.body"
	default:
		s.Log.Error("request failed", "request_id", requestIDOf(r), "route", r.Pattern, "err", err)
	}
	s.errorPage(w, r, status, heading, msg)
}

// errorPage renders an error page, falling back to plain text if even that fails.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	s.errorPageLink(w, r, status, heading, msg, "", "")
}

// errorPageLink renders an error page with a link to what to do next.
func (s *Server) errorPageLink(w http.ResponseWriter, r *http.Request, status int, heading, msg, link, linkText string) {
	b := s.base(r, heading)
	page := ErrorPage{Base: b, Status: status, Heading: b.T(heading), Message: b.T(msg), Link: link}
	if linkText != "" {
		page.LinkText = b.T(linkText)
	}
	if err := s.render(w, r, status, "error", page); err != nil {
		s.Log.Error("rendering error page failed", "request_id", requestIDOf(r), "err", err)
		http.Error(w, http.StatusText(status), status)
	}
}

var errNotFound = apperr.New(apperr.NotFound, "error.404.body")
