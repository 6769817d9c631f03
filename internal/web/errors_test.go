package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"parley/internal/apperr"
	"parley/internal/i18n"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

func TestErrorKindsBecomeGOVUKPages(t *testing.T) {
	st := storetest.Open(t, store.SQLite, nil)
	cat, _ := i18n.Load()
	s, err := New(Options{Store: st, Sessions: st.Sessions(), Catalogue: cat, Brand: "neutral", SiteName: "Parley", SessionTTL: time.Hour, MaxBodyBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		fn   handler
		code int
		h1   string
	}{
		{func(w http.ResponseWriter, r *http.Request) error { return errors.New("database on fire") }, 500, "Sorry, there is a problem with the service"},
		{func(w http.ResponseWriter, r *http.Request) error { panic("nil map") }, 500, "Sorry, there is a problem with the service"},
		{func(w http.ResponseWriter, r *http.Request) error { return apperr.New(apperr.Forbidden, "x") }, 403, "You do not have access to this page"},
		{func(w http.ResponseWriter, r *http.Request) error { return apperr.New(apperr.NotFound, "x") }, 404, "Page not found"},
		{func(w http.ResponseWriter, r *http.Request) error { return apperr.New(apperr.Unavailable, "x") }, 503, "Sorry, the service is busy"},
		{func(w http.ResponseWriter, r *http.Request) error { return apperr.New(apperr.TooMany, "x") }, 429, "Too many requests"},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/x", nil)
		s.sessions.LoadAndSave(s.h(tc.fn)).ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != tc.code || !strings.Contains(body, "<h1 class=\"govuk-heading-l\">"+tc.h1+"</h1>") {
			t.Errorf("status %d, want %d; page %q", rec.Code, tc.code, body[:min(len(body), 200)])
		}
		if strings.Contains(body, "database on fire") || strings.Contains(body, "nil map") {
			t.Error("internal error text shown to the visitor")
		}
	}
}

func TestLoadIsShedWith503(t *testing.T) {
	st := storetest.Open(t, store.SQLite, nil)
	cat, _ := i18n.Load()
	s, err := New(Options{Store: st, Sessions: st.Sessions(), Catalogue: cat, Brand: "neutral", SessionTTL: time.Hour, MaxBodyBytes: 1024, MaxInFlight: 1})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	started := make(chan struct{})
	slow := s.shed(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	}))
	go slow.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	<-started
	rec := httptest.NewRecorder()
	slow.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	close(release)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("over capacity: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
}
