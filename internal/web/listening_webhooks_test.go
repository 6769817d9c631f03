package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"parley/internal/account"
	"parley/internal/store"
	"parley/internal/web/htmlcheck"
)

// TestListeningWebhooksPage: an editor adds a webhook and sees its secret
// once; a bad address is an error on the field; analysts only read;
// deleting stops it.
func TestListeningWebhooksPage(t *testing.T) {
	s := newSite(t, store.SQLite)
	editor, analyst := s.client(), s.client()
	s.store.AddStaff(ctx, s.org.ID, "editor@x.example", account.RoleEditor, 0)
	s.store.AddStaff(ctx, s.org.ID, "analyst@x.example", account.RoleAnalyst, 0)
	s.signIn(editor, "editor@x.example")
	s.signIn(analyst, "analyst@x.example")
	base := "/staff/north-shire/listening/webhooks"

	for _, bad := range []string{"", "not a url", "ftp://files.example/x"} {
		code, body, _ := s.post(editor, base, url.Values{"url": {bad}}, "")
		if doc := htmlcheck.Parse(t, body); code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#url']") != 1 {
			t.Fatalf("%q: %d\n%s", bad, code, body)
		}
	}
	if code, _, _ := s.post(editor, base, url.Values{"url": {"https://cases.example/hooks/parley"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("add: %d", code)
	}
	hooks, _ := s.store.Webhooks(ctx, s.org.ID)
	if len(hooks) != 1 {
		t.Fatalf("webhooks %+v", hooks)
	}
	full, _ := s.store.Webhook(ctx, hooks[0].ID)
	_, body, _ := s.get(editor, base)
	if doc := htmlcheck.Parse(t, body); doc.Text(".govuk-panel__body code") != full.Secret || !strings.HasPrefix(full.Secret, "whsec_") {
		t.Errorf("secret not shown once after adding:\n%s", body)
	}
	_, body, _ = s.get(editor, base)
	if strings.Contains(body, full.Secret) {
		t.Errorf("secret shown a second time")
	}
	code, body, _ := s.get(analyst, base)
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusOK || !strings.Contains(doc.Text("tbody"), "https://cases.example/hooks/parley") || doc.Count("form[action^='"+base+"']") != 0 {
		t.Errorf("analyst: %d, sees the editors' forms\n%s", code, body)
	}
	if code, _, _ := s.post(analyst, base+"/"+itoa(full.ID)+"/delete", nil, ""); code != http.StatusForbidden {
		t.Errorf("analyst delete: %d", code)
	}
	if code, _, _ := s.post(editor, base+"/"+itoa(full.ID)+"/delete", nil, ""); code != http.StatusSeeOther {
		t.Errorf("delete: %d", code)
	}
	if hooks, _ := s.store.Webhooks(ctx, s.org.ID); len(hooks) != 0 {
		t.Errorf("left %+v", hooks)
	}
}
