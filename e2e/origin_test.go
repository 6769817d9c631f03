package e2e

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestCrossOriginPost checks that forms refuse POSTs from another site,
// even with the victim's session cookie, and accept them from the site
// itself. No browser: requests carry the headers a browser would send.
func TestCrossOriginPost(t *testing.T) {
	s := startSite(t, siteOptions{})
	admin, org := demoStaff(t, "admin")
	c := newClient(t)
	own := http.Header{"Origin": {s.base}, "Sec-Fetch-Site": {"same-origin"}}

	// Sign in as an admin, so the staff form gets past authorisation and
	// a refusal can only come from the origin check.
	if r := c.post(t, s.base+"/sign-in", url.Values{"email": {admin}}, own); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: status %d, want 303", r.StatusCode)
	}
	link := s.emailedLink(t, admin)
	if r := c.post(t, link, nil, own); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("using the sign-in link: status %d, want 303", r.StatusCode)
	}
	c.wantSignedIn(t, s, true)

	attacks := []struct {
		name   string
		header http.Header
	}{
		{"origin", http.Header{"Origin": {"https://attacker.example"}}},
		{"fetch-metadata", http.Header{"Origin": {"https://attacker.example"}, "Sec-Fetch-Site": {"cross-site"}}},
		{"null-origin", http.Header{"Origin": {"null"}}},
	}
	newcomer := "new.editor@example.org"
	forms := []struct {
		name string
		path string
		form url.Values
		// check runs after a refused POST (done false) and after an
		// accepted one (done true), to see whether the form took effect.
		check func(t *testing.T, done bool)
	}{
		{"sign-in", "/sign-in", url.Values{"email": {"alex.citizen@example.org"}}, nil},
		{"staff", "/staff/" + org + "/people", url.Values{"email": {newcomer}, "role": {"editor"}}, func(t *testing.T, done bool) {
			body := c.get(t, s.base+"/staff/"+org+"/people")
			if got := strings.Contains(body, newcomer); got != done {
				t.Errorf("staff list names %s = %v, want %v", newcomer, got, done)
			}
		}},
		{"sign-out", "/sign-out", nil, func(t *testing.T, done bool) { c.wantSignedIn(t, s, !done) }},
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			for _, a := range attacks {
				if r := c.post(t, s.base+f.path, f.form, a.header); r.StatusCode != http.StatusForbidden {
					t.Errorf("%s POST from another site (%s): status %d, want 403", f.path, a.name, r.StatusCode)
				}
			}
			if f.check != nil {
				f.check(t, false)
			}
			r := c.post(t, s.base+f.path, f.form, own)
			if r.StatusCode == http.StatusForbidden {
				t.Errorf("%s POST from the site itself: status 403", f.path)
			}
			if f.check != nil {
				f.check(t, true)
			}
		})
	}
}

// client is an HTTP client with a cookie jar that does not follow
// redirects, so tests see each response.
type client struct{ *http.Client }

func newClient(t *testing.T) client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return client{&http.Client{
		Jar:           jar,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (c client) post(t *testing.T, to string, form url.Values, h http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, to, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h.Clone()
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	return r
}

func (c client) get(t *testing.T, to string) string {
	t.Helper()
	r, err := c.Get(to)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", to, r.StatusCode)
	}
	return string(b)
}

// wantSignedIn checks whether the client's session is signed in: the
// account page answers, or redirects to sign in.
func (c client) wantSignedIn(t *testing.T, s *site, want bool) {
	t.Helper()
	r, err := c.Get(s.base + "/account")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if got := r.StatusCode == http.StatusOK; got != want {
		t.Errorf("signed in = %v (GET /account: %d %s), want %v", got, r.StatusCode, r.Header.Get("Location"), want)
	}
}
