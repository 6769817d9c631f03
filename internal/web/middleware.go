package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"parley/internal/account"
	"parley/internal/i18n"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyNonce
	keyLang
	keyPrincipal
	keyRoute // *string: the pattern of the route that served the request
)

func requestIDOf(r *http.Request) string { s, _ := r.Context().Value(keyRequestID).(string); return s }
func nonceOf(r *http.Request) string     { s, _ := r.Context().Value(keyNonce).(string); return s }
func principalOf(r *http.Request) *account.Principal {
	p, _ := r.Context().Value(keyPrincipal).(*account.Principal)
	return p
}
func langOf(r *http.Request) string {
	if l, ok := r.Context().Value(keyLang).(string); ok {
		return l
	}
	return "en"
}

func with(r *http.Request, k ctxKey, v any) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), k, v))
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// statusRecorder remembers the status a handler wrote, for logs and metrics.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// observe gives each request an id, logs it without personal data (the
// route pattern, never the path, which can carry sign-in and unsubscribe
// tokens; no query string, no client address), counts it, and turns panics
// into 500s.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if len(id) > 64 || strings.ContainsAny(id, " \r\n") || id == "" {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		route := "unmatched"
		r = with(with(r, keyRequestID, id), keyRoute, &route)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				s.Log.Error("panic", "request_id", id, "panic", p, "stack", string(debug.Stack()))
				if rec.status == 0 {
					http.Error(rec, "Internal Server Error", http.StatusInternalServerError)
				}
			}
			d := time.Since(start)
			if s.metrics != nil {
				s.metrics.observe(route, r.Method, rec.status, d)
			}
			level := slog.LevelInfo
			if rec.status >= 500 {
				level = slog.LevelError
			}
			s.Log.Log(r.Context(), level, "request", "request_id", id, "method", r.Method, "route", route,
				"status", rec.status, "duration_ms", d.Milliseconds())
		}()
		next.ServeHTTP(rec, r)
	})
}

// secure sets the security headers and a fresh CSP nonce for each request.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nonce := randomString(16)
		h := w.Header()
		h.Set("Content-Security-Policy", csp(nonce, s.SecureCookies))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if s.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, with(r, keyNonce, nonce))
	})
}

// csp is the Content Security Policy for a page whose inline script
// carries nonce. Over HTTPS it also upgrades any stray http: request.
func csp(nonce string, https bool) string {
	p := "default-src 'self'; script-src 'self' 'nonce-" + nonce + "'; style-src 'self'; img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	if https {
		p += "; upgrade-insecure-requests"
	}
	return p
}

// limitBody caps request bodies.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			limit := max(s.MaxBodyBytes, uploadLimit(r))
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// language picks the page language: ?lang= (remembered in a cookie), then
// the cookie, then Accept-Language.
func (s *Server) language(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := ""
		if q := r.URL.Query().Get("lang"); i18n.Supported(q) {
			lang = q
			http.SetCookie(w, &http.Cookie{Name: "parley_lang", Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
		} else if c, err := r.Cookie("parley_lang"); err == nil && i18n.Supported(c.Value) {
			lang = c.Value
		} else {
			lang = i18n.Match(r.Header.Get("Accept-Language"))
		}
		w.Header().Add("Vary", "Accept-Language, Cookie")
		next.ServeHTTP(w, with(r, keyLang, lang))
	})
}

// authenticate loads the signed-in user, if any, from the session.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := s.sessions.GetInt64(r.Context(), "user_id"); id != 0 {
			p, err := s.Store.Principal(r.Context(), id)
			if err == nil {
				r = with(r, keyPrincipal, p)
			} else {
				// The account is gone (or the database is down): treat as signed out.
				s.Log.Warn("loading signed-in user failed", "request_id", requestIDOf(r), "err", err)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// clientIP is the peer address, used only as a rate-limit key, never logged.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
