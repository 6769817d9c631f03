package web_test

import (
	"net/http"
	"strings"
	"testing"

	"parley/internal/account"
	"parley/internal/sso"
	"parley/internal/sso/ssotest"
	"parley/internal/store"
	"parley/internal/web"
	"parley/internal/web/htmlcheck"
)

// follow walks a chain of redirects across the site and the provider, as a
// browser would, and returns the last response's status and location.
func follow(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	for range 10 {
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode >= 400 || loc == "" {
			return resp.StatusCode, url
		}
		if strings.HasPrefix(loc, "/") {
			loc = url[:strings.Index(url[len("http://"):], "/")+len("http://")] + loc
		}
		url = loc
	}
	t.Fatal("too many redirects")
	return 0, ""
}

func TestSingleSignOnWithOpenIDConnect(t *testing.T) {
	idp := ssotest.Start(t, ssotest.Options{ClientID: "parley", ClientSecret: "s3cret"})
	s := newSite(t, store.SQLite, func(o *web.Options) {
		o.SSOName = "Test Login"
		o.SSO = sso.New(sso.Config{Issuer: idp.URL, ClientID: "parley", ClientSecret: "s3cret",
			RedirectURL: o.BaseURL + "/sign-in/oidc/callback"}, nil)
	})
	staff, _ := s.store.AddStaff(ctx, s.org.ID, "officer@north-shire.example", account.RoleEditor, 0)

	// The sign-in page offers the provider.
	_, body, _ := s.get(s.client(), "/sign-in")
	if htmlcheck.Parse(t, body).Attr("a[href='/sign-in/oidc']", "class") == "" {
		t.Fatal("no single sign-on button")
	}

	// A verified email links to the existing staff account.
	idp.SetUser(ssotest.User{Subject: "abc-123", Email: "Officer@north-shire.example", EmailVerified: true, Name: "Olu Officer"})
	c := s.client()
	code, last := follow(t, c, s.srv.URL+"/sign-in/oidc")
	if code != 200 || !strings.HasSuffix(last, "/account") {
		t.Fatalf("ended at %s with %d", last, code)
	}
	_, body, _ = s.get(c, "/staff/north-shire")
	if !strings.Contains(body, "North Shire Council") {
		t.Error("signed-in staff member cannot reach the staff area")
	}
	u, _ := s.store.UserByID(ctx, staff.ID)
	if u.DisplayName != "Olu Officer" {
		t.Errorf("display name not taken from the provider: %q", u.DisplayName)
	}

	// A refusal at the provider ends on a clear page, signed out.
	idp.Deny()
	c2 := s.client()
	code, _ = follow(t, c2, s.srv.URL+"/sign-in/oidc")
	if code != http.StatusUnauthorized {
		t.Errorf("denied sign-in: %d", code)
	}
	if code, _, _ := s.get(c2, "/account"); code != http.StatusSeeOther {
		t.Errorf("denied visitor reached their account: %d", code)
	}

	// A callback with no sign-in under way is refused.
	if code, _, _ := s.get(s.client(), "/sign-in/oidc/callback?code=x&state=y"); code != http.StatusBadRequest {
		t.Errorf("callback without state: %d", code)
	}
}
