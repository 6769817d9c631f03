package web_test

import (
	"net/http"
	"strings"
	"testing"

	"parley/internal/store"
	"parley/internal/web/htmlcheck"
)

// The account page shows what the person agreed to, when and to which
// wording, and withdraws email updates from there; in Welsh too.
func TestAccountShowsWhatYouAgreedTo(t *testing.T) {
	s := newSite(t, store.SQLite)
	c := s.client()
	s.signIn(c, "casey@example.org")
	_, body, _ := s.get(c, "/account")
	doc := htmlcheck.Parse(t, body)
	if got := doc.Text(".govuk-summary-list:nth-of-type(2)"); !strings.Contains(body, "What you have agreed to") || !strings.Contains(got, "Privacy notice") ||
		!strings.Contains(got, "2026-11") {
		t.Fatalf("after signing in, the account page shows %q", got)
	}
	if code, _, _ := s.post(c, "/organisations/north-shire/follow", nil, ""); code != http.StatusSeeOther {
		t.Fatalf("follow: %d", code)
	}
	_, body, _ = s.get(c, "/account")
	doc = htmlcheck.Parse(t, body)
	if n := doc.Count(`form[action="/organisations/north-shire/unfollow"]`); n != 1 {
		t.Fatalf("%d withdraw forms for the followed organisation:\n%s", n, body)
	}
	if !strings.Contains(doc.Text(".govuk-summary-list:nth-of-type(2)"), "Email updates") {
		t.Errorf("email updates not listed: %q", doc.Text(".govuk-summary-list:nth-of-type(2)"))
	}
	if code, _, _ := s.post(c, "/organisations/north-shire/unfollow", nil, ""); code != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", code)
	}
	_, body, _ = s.get(c, "/account")
	doc = htmlcheck.Parse(t, body)
	if doc.Count(`form[action="/organisations/north-shire/unfollow"]`) != 0 || !strings.Contains(body, "Withdrawn on") {
		t.Errorf("after withdrawing, the account page still offers it:\n%s", body)
	}
	_, body, _ = s.get(c, "/account?lang=cy")
	if !strings.Contains(body, "Yr hyn rydych wedi cytuno iddo") || !strings.Contains(body, "Tynnwyd yn ôl ar") {
		t.Errorf("the Welsh account page lacks the records of consent:\n%s", body)
	}
}
