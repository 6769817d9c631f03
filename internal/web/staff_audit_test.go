package web_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/store"
	"parley/internal/web"
	"parley/internal/web/htmlcheck"
)

func TestAuditLogChainAndExport(t *testing.T) {
	s := newSite(t, store.SQLite)
	s.store.AddStaff(ctx, s.org.ID, "boss@x.example", account.RoleAdmin, 0)
	s.store.AddStaff(ctx, s.org.ID, "reader@x.example", account.RoleAnalyst, 0)
	c := s.client()
	s.signIn(c, "boss@x.example")

	_, body, _ := s.get(c, "/staff/north-shire/audit")
	doc := htmlcheck.Parse(t, body)
	if txt := doc.Text(".govuk-inset-text"); !strings.Contains(txt, "The log is intact") {
		t.Errorf("chain status: %q", txt)
	}

	code, body, h := s.get(c, "/staff/north-shire/audit.json")
	if code != http.StatusOK || h.Get("Content-Type") != "application/json" {
		t.Fatalf("json export: %d %s", code, h.Get("Content-Type"))
	}
	var rows []struct {
		ID       int64  `json:"id"`
		Action   string `json:"action"`
		PrevHash string `json:"prev_hash"`
		Hash     string `json:"hash"`
	}
	if err := json.Unmarshal([]byte(body), &rows); err != nil {
		t.Fatalf("json export does not parse: %v\n%s", err, body)
	}
	if len(rows) < 2 || rows[0].PrevHash != "" || rows[1].PrevHash != rows[0].Hash || rows[0].ID > rows[1].ID {
		t.Errorf("json export is not the chain, oldest first: %+v", rows)
	}

	code, body, _ = s.get(c, "/staff/north-shire/audit.csv")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if code != http.StatusOK || err != nil || len(recs) != len(rows)+1 || recs[0][0] != "id" {
		t.Fatalf("csv export: %d %v %d rows", code, err, len(recs))
	}
	if last := recs[len(recs)-1]; last[len(last)-1] != rows[len(rows)-1].Hash {
		t.Errorf("csv and json disagree on the last hash: %v", last)
	}

	// Analysts may not read the log.
	a := s.client()
	s.store.AddStaff(ctx, s.org.ID, "analyst@x.example", account.RoleAnalyst, 0)
	s.signIn(a, "analyst@x.example")
	if code, _, _ := s.get(a, "/staff/north-shire/audit.json"); code != http.StatusForbidden {
		t.Errorf("analyst export: %d", code)
	}
}

func TestSecurityTxt(t *testing.T) {
	s := newSite(t, store.SQLite, func(o *web.Options) { o.SecurityContact = "mailto:security@council.example" })
	code, body, h := s.get(s.client(), "/.well-known/security.txt")
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Fatalf("security.txt: %d %s", code, h.Get("Content-Type"))
	}
	var expires time.Time
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if v, ok := strings.CutPrefix(line, "Expires: "); ok {
			expires, _ = time.Parse(time.RFC3339, v)
		}
	}
	if !strings.Contains(body, "Contact: mailto:security@council.example\n") || time.Until(expires) < 300*24*time.Hour {
		t.Errorf("security.txt:\n%s", body)
	}
}
