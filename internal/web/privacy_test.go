package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"parley/internal/account"
	"parley/internal/store"
	"parley/internal/web/htmlcheck"
)

func TestDownloadAndDeleteMyAccount(t *testing.T) {
	s := newSite(t, store.SQLite)
	c := s.client()
	if code, _, h := s.get(c, "/account/my-data.json"); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/sign-in") {
		t.Errorf("signed-out download: %d %s", code, h.Get("Location"))
	}
	s.signIn(c, "leaving@example.org")
	_, body, _ := s.get(c, "/account")
	if doc := htmlcheck.Parse(t, body); doc.Count(`a[href="/account/my-data.json"]`) != 1 || doc.Count(`a[href="/account/delete"]`) != 1 {
		t.Error("the account page links to neither the download nor deletion")
	}
	code, body, h := s.get(c, "/account/my-data.json")
	var d account.PersonalData
	if code != http.StatusOK || !strings.Contains(h.Get("Content-Disposition"), "attachment") || json.Unmarshal([]byte(body), &d) != nil || d.Account.Email != "leaving@example.org" {
		t.Fatalf("download: %d %s %q", code, h.Get("Content-Disposition"), body)
	}

	_, body, _ = s.get(c, "/account/delete")
	if doc := htmlcheck.Parse(t, body); doc.Text("h1") != "Delete your account" || doc.Count(`form[action="/account/delete"] button`) != 1 {
		t.Fatalf("confirmation page:\n%s", body)
	}
	code, _, h = s.post(c, "/account/delete", nil, "")
	if code != http.StatusSeeOther || h.Get("Location") != "/" {
		t.Fatalf("delete: %d %s", code, h.Get("Location"))
	}
	if code, _, _ := s.get(c, "/account"); code != http.StatusSeeOther {
		t.Errorf("still signed in after deletion: %d", code)
	}
	if _, err := s.store.UserByEmail(ctx, "leaving@example.org"); err == nil {
		t.Error("the account is still found by its email address")
	}

	// Staff are told to be removed first, and nothing is deleted.
	staff := s.client()
	s.store.AddStaff(ctx, s.org.ID, "officer@x.example", account.RoleEditor, 0)
	s.signIn(staff, "officer@x.example")
	code, body, _ = s.post(staff, "/account/delete", nil, "")
	if code != http.StatusConflict || !strings.Contains(htmlcheck.Parse(t, body).Text(".govuk-error-summary"), "ask an administrator") {
		t.Errorf("staff deletion: %d", code)
	}
	if _, err := s.store.UserByEmail(ctx, "officer@x.example"); err != nil {
		t.Errorf("the staff account went: %v", err)
	}
}
