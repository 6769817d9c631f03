package ssotest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const (
	verifier = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ" // 47 characters
	back     = "http://127.0.0.1:9/callback"
)

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func authParams() url.Values {
	return url.Values{
		"client_id": {"app"}, "redirect_uri": {back}, "response_type": {"code"}, "scope": {"openid email"},
		"state": {"st"}, "nonce": {"n"}, "code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"},
	}
}

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// visit requests the authorization endpoint and returns the status and,
// for a redirect, its query.
func visit(t *testing.T, s *Server, q url.Values) (int, url.Values) {
	t.Helper()
	res, err := noFollow.Get(s.URL + AuthorizePath + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	return res.StatusCode, loc.Query()
}

func TestAuthorize(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   Options
		edit   func(url.Values)
		status int
		anon   bool   // nobody signed in at the provider
		err    string // error parameter of the redirect
	}{
		{name: "ok", status: http.StatusFound},
		{name: "registered redirect", opts: Options{RedirectURIs: []string{back}}, status: http.StatusFound},
		{name: "unregistered redirect", opts: Options{RedirectURIs: []string{back + "/x"}}, status: http.StatusBadRequest},
		{name: "non-loopback redirect", edit: func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") }, status: http.StatusBadRequest},
		{name: "unknown client", edit: func(q url.Values) { q.Set("client_id", "other") }, status: http.StatusBadRequest},
		{name: "implicit flow", edit: func(q url.Values) { q.Set("response_type", "token") }, status: http.StatusFound, err: "unsupported_response_type"},
		{name: "no openid scope", edit: func(q url.Values) { q.Set("scope", "email") }, status: http.StatusFound, err: "invalid_scope"},
		{name: "no PKCE", edit: func(q url.Values) { q.Del("code_challenge") }, status: http.StatusFound, err: "invalid_request"},
		{name: "plain PKCE", edit: func(q url.Values) { q.Set("code_challenge_method", "plain") }, status: http.StatusFound, err: "invalid_request"},
		{name: "nobody signed in", anon: true, status: http.StatusFound, err: "login_required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.ClientID = "app"
			if !tc.anon {
				tc.opts.User = User{Subject: "s"}
			}
			s := Start(t, tc.opts)
			q := authParams()
			if tc.edit != nil {
				tc.edit(q)
			}
			status, got := visit(t, s, q)
			if status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
			if status != http.StatusFound {
				return
			}
			if got.Get("error") != tc.err || got.Get("state") != "st" {
				t.Errorf("redirect query %v, want error %q and state st", got, tc.err)
			}
			if tc.err == "" && got.Get("code") == "" {
				t.Error("no code")
			}
		})
	}
}

func TestToken(t *testing.T) {
	type exchange struct {
		basic    bool // client_secret_basic, else client_secret_post
		secret   string
		redirect string
		verifier string
	}
	good := exchange{basic: true, secret: "sec", redirect: back, verifier: verifier}
	for _, tc := range []struct {
		name   string
		edit   func(*exchange)
		twice  bool
		status int
		err    string
	}{
		{name: "ok", status: http.StatusOK},
		{name: "wrong secret", edit: func(e *exchange) { e.secret = "nope" }, status: http.StatusUnauthorized, err: "invalid_client"},
		{name: "wrong auth method", edit: func(e *exchange) { e.basic = false }, status: http.StatusUnauthorized, err: "invalid_client"},
		{name: "other redirect", edit: func(e *exchange) { e.redirect = back + "/x" }, status: http.StatusBadRequest, err: "invalid_grant"},
		{name: "wrong verifier", edit: func(e *exchange) { e.verifier = strings.Repeat("a", 43) }, status: http.StatusBadRequest, err: "invalid_grant"},
		{name: "code reused", twice: true, status: http.StatusBadRequest, err: "invalid_grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Start(t, Options{ClientID: "app", ClientSecret: "sec", User: User{Subject: "s", Email: "e@example.com"}})
			_, q := visit(t, s, authParams())
			e := good
			if tc.edit != nil {
				tc.edit(&e)
			}
			post := func() (int, map[string]any) {
				f := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {e.redirect}, "code_verifier": {e.verifier}}
				if !e.basic {
					f.Set("client_id", "app")
					f.Set("client_secret", e.secret)
				}
				req, _ := http.NewRequest(http.MethodPost, s.URL+TokenPath, strings.NewReader(f.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if e.basic {
					req.SetBasicAuth("app", e.secret)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				var body map[string]any
				if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
					t.Fatal(err)
				}
				return res.StatusCode, body
			}
			status, body := post()
			if tc.twice {
				status, body = post()
			}
			if status != tc.status {
				t.Fatalf("status %d, want %d: %v", status, tc.status, body)
			}
			if got, _ := body["error"].(string); got != tc.err {
				t.Errorf("error %q, want %q", got, tc.err)
			}
			if tc.err != "" {
				return
			}
			if id, _ := body["id_token"].(string); strings.Count(id, ".") != 2 {
				t.Errorf("id_token %q is not a compact JWS", id)
			}
			req, _ := http.NewRequest(http.MethodGet, s.URL+UserinfoPath, nil)
			req.Header.Set("Authorization", "Bearer "+body["access_token"].(string))
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var info map[string]any
			json.NewDecoder(res.Body).Decode(&info)
			res.Body.Close()
			if info["sub"] != "s" || info["email"] != "e@example.com" {
				t.Errorf("userinfo %v", info)
			}
		})
	}
}

func TestUserinfoNeedsToken(t *testing.T) {
	s := Start(t, Options{ClientID: "app"})
	req, _ := http.NewRequest(http.MethodGet, s.URL+UserinfoPath, nil)
	req.Header.Set("Authorization", "Bearer made-up")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", res.StatusCode)
	}
}
