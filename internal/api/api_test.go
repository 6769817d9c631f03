package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/org"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

const base = "https://parley.example"

var ctx = context.Background()

// fixture is an API on a real store with one staff member and their token.
type fixture struct {
	t     *testing.T
	s     *store.Store
	h     http.Handler
	user  account.User
	tok   account.APIToken
	token string
}

func setup(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	o := mustOrg(t, s, "north-shire", "North Shire Council", "Cyngor Gogledd Sir")
	u, err := s.AddStaff(ctx, o.ID, "officer@north-shire.example", account.RoleAdmin, 0)
	if err != nil {
		t.Fatal(err)
	}
	plain, tok, err := s.CreateAPIToken(ctx, u.ID, "integration", time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, s: s, h: New(s, nil, base+"/").Handler(), user: u, tok: tok, token: plain}
}

func mustOrg(t *testing.T, s *store.Store, slug, en, cy string) org.Organisation {
	t.Helper()
	o, err := s.CreateOrg(ctx, org.Organisation{Slug: slug, NameEN: en, NameCY: cy}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// get requests target with the token (none when token is "").
func (f *fixture) get(target, token string) *httptest.ResponseRecorder {
	return f.do(http.MethodGet, target, token)
}

func (f *fixture) do(method, target, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

// decode checks the response is JSON with the status and decodes it.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder, status int) T {
	t.Helper()
	var v T
	if rec.Code != status {
		t.Fatalf("status = %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	wantType := "application/json; charset=utf-8"
	if status >= 400 {
		wantType = "application/problem+json"
	}
	if ct := rec.Header().Get("Content-Type"); ct != wantType {
		t.Errorf("Content-Type = %q, want %q", ct, wantType)
	}
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %T: %v", v, err)
	}
	return v
}

// checkProblem checks a problem response's status, instance and fields.
func checkProblem(t *testing.T, rec *httptest.ResponseRecorder, status int, instance string, fields ...string) problem {
	t.Helper()
	p := decode[problem](t, rec, status)
	if p.Type != "about:blank" || p.Status != status || p.Title != http.StatusText(status) || p.Detail == "" || p.Instance != instance {
		t.Errorf("problem = %+v", p)
	}
	if strings.Contains(p.Detail, "error.") {
		t.Errorf("detail is a message ID, not English: %q", p.Detail)
	}
	var got []string
	for k, v := range p.Errors {
		got = append(got, k)
		if strings.HasPrefix(v, "error.") {
			t.Errorf("field %s message is an ID: %q", k, v)
		}
	}
	slices.Sort(got)
	if strings.Join(got, ",") != strings.Join(fields, ",") {
		t.Errorf("problem fields = %v, want %v", got, fields)
	}
	return p
}

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

func TestAuthentication(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, c *storetest.Clock) {
		f := setup(t, s)
		revoked, rt, err := s.CreateAPIToken(ctx, f.user.ID, "old", time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeAPIToken(ctx, rt.ID, 0); err != nil {
			t.Fatal(err)
		}
		expired, _, err := s.CreateAPIToken(ctx, f.user.ID, "short", c.T.Add(time.Hour), 0)
		if err != nil {
			t.Fatal(err)
		}
		c.Advance(2 * time.Hour)

		for _, path := range []string{"/api/v1/organisations", "/api/v1/organisations/north-shire", "/api/v1/me"} {
			for _, tc := range []struct {
				name, header, challenge string
			}{
				{"no token", "", `Bearer realm="parley"`},
				{"other scheme", "Basic b2ZmaWNlcjpzZWNyZXQ=", `Bearer realm="parley"`},
				{"empty bearer", "Bearer ", `Bearer realm="parley"`},
				{"not a token", "Bearer hello", `Bearer realm="parley", error="invalid_token"`},
				{"wrong token", "Bearer " + f.token + "x", `Bearer realm="parley", error="invalid_token"`},
				{"revoked", "Bearer " + revoked, `Bearer realm="parley", error="invalid_token"`},
				{"expired", "Bearer " + expired, `Bearer realm="parley", error="invalid_token"`},
			} {
				t.Run(path+" "+tc.name, func(t *testing.T) {
					req := httptest.NewRequest(http.MethodGet, path, nil)
					if tc.header != "" {
						req.Header.Set("Authorization", tc.header)
					}
					rec := httptest.NewRecorder()
					f.h.ServeHTTP(rec, req)
					checkProblem(t, rec, http.StatusUnauthorized, path)
					if got := rec.Header().Get("WWW-Authenticate"); got != tc.challenge {
						t.Errorf("WWW-Authenticate = %q, want %q", got, tc.challenge)
					}
					if got := rec.Header().Get("Cache-Control"); got != "no-store" {
						t.Errorf("Cache-Control = %q", got)
					}
				})
			}
			t.Run(path+" with token", func(t *testing.T) {
				rec := f.get(path, f.token)
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				if got := rec.Header().Get("Cache-Control"); got != "no-store" {
					t.Errorf("Cache-Control = %q", got)
				}
				if got := rec.Header().Get("Content-Type"); got != "application/json; charset=utf-8" {
					t.Errorf("Content-Type = %q", got)
				}
			})
		}
		// The scheme name is case-insensitive.
		req := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
		req.Header.Set("Authorization", "bearer "+f.token)
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Errorf("lower-case scheme: status %d", rec.Code)
		}
	})
}

func TestOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		plain := mustOrg(t, s, "dept-x", "Department X", "")
		if _, err := s.CreateOrg(ctx, org.Organisation{Slug: "gov-dept", NameEN: "Gov Dept", Brand: "govuk"}, 0); err != nil {
			t.Fatal(err)
		}
		got := decode[orgJSON](t, f.get("/api/v1/organisations/dept-x", f.token), http.StatusOK)
		want := orgJSON{
			Slug:      "dept-x",
			Name:      nameJSON{EN: "Department X", CY: "Department X"},
			CreatedAt: plain.CreatedAt.UTC().Format(time.RFC3339),
			Links:     orgLinks{Self: base + "/api/v1/organisations/dept-x", HTML: base + "/organisations/dept-x"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("organisation (-want +got):\n%s", diff)
		}
		if got := decode[orgJSON](t, f.get("/api/v1/organisations/gov-dept", f.token), http.StatusOK); got.Brand != "govuk" {
			t.Errorf("brand = %q", got.Brand)
		}
		if got := decode[orgJSON](t, f.get("/api/v1/organisations/north-shire", f.token), http.StatusOK); got.Name.CY != "Cyngor Gogledd Sir" {
			t.Errorf("Welsh name = %q", got.Name.CY)
		}
		p := checkProblem(t, f.get("/api/v1/organisations/nowhere", f.token), http.StatusNotFound, "/api/v1/organisations/nowhere")
		if p.Detail != messages["error.org.not_found"] {
			t.Errorf("detail = %q", p.Detail)
		}
	})
}

func TestPagination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s) // north-shire
		for _, slug := range []string{"echo", "alpha", "delta", "bravo"} {
			mustOrg(t, s, slug, "Org "+slug, "")
		}
		want := []string{"alpha", "bravo", "delta", "echo", "north-shire"}

		var got []string
		target := "/api/v1/organisations?limit=2"
		for pages := 0; target != ""; pages++ {
			if pages > len(want) {
				t.Fatalf("more pages than organisations: %v", got)
			}
			rec := f.get(target, f.token)
			link := rec.Header().Get("Link")
			pg := decode[list[orgJSON]](t, rec, http.StatusOK)
			if len(pg.Items) == 0 || len(pg.Items) > 2 {
				t.Fatalf("page of %d items", len(pg.Items))
			}
			for _, o := range pg.Items {
				got = append(got, o.Slug)
			}
			if pg.NextCursor == "" {
				if link != "" {
					t.Errorf("Link on the last page: %q", link)
				}
				break
			}
			wantLink := "<" + base + "/api/v1/organisations?cursor=" + pg.NextCursor + "&limit=2>; rel=\"next\""
			if link != wantLink {
				t.Fatalf("Link = %q, want %q", link, wantLink)
			}
			u, err := url.Parse(strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`))
			if err != nil {
				t.Fatal(err)
			}
			target = u.RequestURI()
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("slugs visited (-want +got):\n%s", diff)
		}

		// Without a limit, one page holds everything; an exact fit has no next page.
		if pg := decode[list[orgJSON]](t, f.get("/api/v1/organisations", f.token), http.StatusOK); len(pg.Items) != 5 || pg.NextCursor != "" {
			t.Errorf("default page: %d items, next %q", len(pg.Items), pg.NextCursor)
		}
		if pg := decode[list[orgJSON]](t, f.get("/api/v1/organisations?limit=5", f.token), http.StatusOK); len(pg.Items) != 5 || pg.NextCursor != "" {
			t.Errorf("exact page: %d items, next %q", len(pg.Items), pg.NextCursor)
		}
		// Past the end: an empty list, not null.
		rec := f.get("/api/v1/organisations?cursor="+encodeCursor("zzz"), f.token)
		if body := strings.TrimSpace(rec.Body.String()); body != `{"items":[]}` {
			t.Errorf("past the end: %s", body)
		}
	})
}

func TestBadPageParameters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		for _, tc := range []struct{ query, field string }{
			{"limit=0", "limit"},
			{"limit=-1", "limit"},
			{"limit=201", "limit"},
			{"limit=abc", "limit"},
			{"limit=1.5", "limit"},
			{"limit=%2B5", "limit"},
			{"limit=1e2", "limit"},
			{"limit=99999999999999999999", "limit"},
			{"cursor=!!!", "cursor"},
			{"cursor=YWxwaGE%3D", "cursor"}, // padded
			{"cursor=YWxwaGF", "cursor"},    // non-zero trailing bits
			{"cursor=" + encodeCursor("a\x00b"), "cursor"},
			{"cursor=" + encodeCursor("\xff\xfe"), "cursor"},
			{"cursor=" + encodeCursor(strings.Repeat("a", maxCursorKey+1)), "cursor"},
		} {
			t.Run(tc.query, func(t *testing.T) {
				checkProblem(t, f.get("/api/v1/organisations?"+tc.query, f.token), http.StatusBadRequest, "/api/v1/organisations", tc.field)
			})
		}
	})
}

func TestMe(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		other := mustOrg(t, s, "east-borough", "East Borough", "")
		if _, err := s.AddStaff(ctx, other.ID, f.user.Email, account.RoleAnalyst, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.SetDisplayName(ctx, f.user.ID, "Olive Officer"); err != nil {
			t.Fatal(err)
		}
		expires := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second)
		plain, tok, err := s.CreateAPIToken(ctx, f.user.ID, "reporting", expires, 0)
		if err != nil {
			t.Fatal(err)
		}
		expiresAt := expires.Format(time.RFC3339)
		want := meJSON{
			ID:          f.user.ID,
			Email:       "officer@north-shire.example",
			DisplayName: "Olive Officer",
			Memberships: []membershipJSON{
				{OrgSlug: "east-borough", Role: "analyst", Links: membershipLinks{Organisation: base + "/api/v1/organisations/east-borough"}},
				{OrgSlug: "north-shire", Role: "admin", Links: membershipLinks{Organisation: base + "/api/v1/organisations/north-shire"}},
			},
			Token: tokenJSON{ID: tok.ID, Name: "reporting", CreatedAt: timestamp(tok.CreatedAt), ExpiresAt: &expiresAt},
		}
		got := decode[meJSON](t, f.get("/api/v1/me", plain), http.StatusOK)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("me (-want +got):\n%s", diff)
		}

		// A token that never expires says so with null, and a user with no
		// memberships has an empty list.
		citizen, err := s.EnsureUser(ctx, "citizen@example.org")
		if err != nil {
			t.Fatal(err)
		}
		plain, _, err = s.CreateAPIToken(ctx, citizen.ID, "mine", time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		rec := f.get("/api/v1/me", plain)
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
			t.Fatal(err)
		}
		if string(raw["memberships"]) != "[]" || !strings.Contains(string(raw["token"]), `"expires_at":null`) {
			t.Errorf("citizen: %s", rec.Body)
		}
	})
}

func TestUnmatched(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		for _, path := range []string{"/api/v1/", "/api/v1/nothing", "/api/v1/organisations/x/y", "/api/v1/organisations/"} {
			checkProblem(t, f.get(path, f.token), http.StatusNotFound, path)
			checkProblem(t, f.get(path, ""), http.StatusNotFound, path)
		}
		for _, tc := range []struct{ method, path, allow string }{
			{http.MethodPost, "/api/v1/me", "GET, HEAD"},
			{http.MethodDelete, "/api/v1/organisations/north-shire", "GET, HEAD"},
			{http.MethodPut, "/api/v1/openapi.json", "GET, HEAD"},
		} {
			rec := f.do(tc.method, tc.path, f.token)
			checkProblem(t, rec, http.StatusMethodNotAllowed, tc.path)
			if got := rec.Header().Get("Allow"); got != tc.allow {
				t.Errorf("%s %s: Allow = %q, want %q", tc.method, tc.path, got, tc.allow)
			}
		}
	})
}

// stubStore fails in the ways a real store can, for the error adapter.
// Methods these tests do not reach come from the nil Store and would panic.
type stubStore struct {
	Store
	err error
}

func (s stubStore) Orgs(context.Context, string, int) ([]org.Organisation, error) { return nil, s.err }
func (s stubStore) OrgBySlug(context.Context, string) (org.Organisation, error) {
	return org.Organisation{}, s.err
}
func (s stubStore) PrincipalByToken(context.Context, string) (*account.Principal, account.APIToken, error) {
	return &account.Principal{}, account.APIToken{}, nil
}

func TestErrorKinds(t *testing.T) {
	for _, tc := range []struct {
		err         error
		status      int
		header      string
		detail      string
		fields      []string
		logContains string
	}{
		{apperr.New(apperr.NotFound, "error.not_found"), 404, "", messages["error.org.not_found"], nil, ""},
		{apperr.New(apperr.Invalid, "Plain English stays."), 422, "", "Plain English stays.", nil, ""},
		{apperr.New(apperr.Forbidden, "error.forbidden"), 403, "", messages["error.forbidden"], nil, ""},
		{apperr.New(apperr.Conflict, "error.never.heard.of"), 409, "", kindText[apperr.Conflict], nil, ""},
		{apperr.New(apperr.Unavailable, ""), 503, "Retry-After: 30", kindText[apperr.Unavailable], nil, ""},
		{apperr.New(apperr.TooMany, ""), 429, "Retry-After: 60", kindText[apperr.TooMany], nil, ""},
		{(&org.Organisation{Slug: "X"}).Validate(), 422, "", messages["error.summary"], []string{"name_en", "slug"}, ""},
		{errors.New("disk on fire at row 7"), 500, "", "", nil, "disk on fire"},
		{&http.MaxBytesError{Limit: maxBody}, 413, "", "", nil, ""},
	} {
		t.Run(tc.err.Error(), func(t *testing.T) {
			var logs strings.Builder
			h := New(stubStore{err: tc.err}, slogTo(&logs), base).Handler()
			req := httptest.NewRequest(http.MethodGet, "/api/v1/organisations/x", nil)
			req.Header.Set("Authorization", "Bearer pat_secret")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			p := checkProblem(t, rec, tc.status, "/api/v1/organisations/x", tc.fields...)
			if tc.detail != "" && p.Detail != tc.detail {
				t.Errorf("detail = %q, want %q", p.Detail, tc.detail)
			}
			if name, value, ok := strings.Cut(tc.header, ": "); ok && rec.Header().Get(name) != value {
				t.Errorf("%s = %q, want %q", name, rec.Header().Get(name), value)
			}
			if tc.status == 500 && strings.Contains(p.Detail, "fire") {
				t.Errorf("500 detail shows the cause: %q", p.Detail)
			}
			if !strings.Contains(logs.String(), tc.logContains) {
				t.Errorf("log %q lacks %q", logs.String(), tc.logContains)
			}
			if strings.Contains(logs.String(), "pat_secret") {
				t.Errorf("log shows the token: %s", logs.String())
			}
		})
	}
}

func TestRequestBodyIsBounded(t *testing.T) {
	var read error
	a := New(stubStore{}, nil, base)
	h := a.serve(func(w http.ResponseWriter, r *http.Request) error {
		_, read = io.Copy(io.Discard, r.Body)
		return read
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/x", strings.NewReader(strings.Repeat("x", maxBody+1))))
	checkProblem(t, rec, http.StatusRequestEntityTooLarge, "/api/v1/x")
}
