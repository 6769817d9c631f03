package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"parley/internal/account"
	"parley/internal/org"
)

// AuditPage lists the organisation's staff actions and says whether its
// hash chain is intact.
type AuditPage struct {
	Base
	Org     OrgItem
	Entries []account.AuditEntry
	Check   account.ChainCheck
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	entries, err := s.Store.AuditLog(r.Context(), o.ID, 200)
	if err != nil {
		return err
	}
	check, err := s.Store.CheckAuditChain(r.Context(), o.ID)
	if err != nil {
		return err
	}
	page := AuditPage{Base: s.orgBase(r, "audit.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))}, Entries: entries, Check: check}
	return s.render(w, r, http.StatusOK, "audit", page)
}

// auditEntryJSON is an entry as exported: every field the hash covers, so
// anyone holding the export can check the chain (docs/audit.md).
type auditEntryJSON struct {
	ID       int64  `json:"id"`
	At       string `json:"at"`
	ActorID  int64  `json:"actor"`
	OrgID    int64  `json:"org"`
	Action   string `json:"action"`
	Target   string `json:"target"`
	Detail   string `json:"detail"`
	Before   string `json:"before"`
	After    string `json:"after"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

func auditRow(e account.AuditEntry) auditEntryJSON {
	return auditEntryJSON{ID: e.ID, At: e.At.UTC().Format("2006-01-02T15:04:05.000000Z"), ActorID: e.ActorID, OrgID: e.OrgID,
		Action: e.Action, Target: e.Target, Detail: e.Detail, Before: e.Before, After: e.After, PrevHash: e.PrevHash, Hash: e.Hash}
}

// auditExport streams the organisation's whole chain, oldest first, as
// JSON (an array, the form to check the chain from) or CSV (for reading:
// cells that a spreadsheet would run as formulas are quoted), a page at a time so a long log never sits in
// memory whole.
func (s *Server) auditExport(format string) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
		name := o.Slug + "-audit-" + time.Now().UTC().Format("2006-01-02") + "." + format
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		var cw *csv.Writer
		if format == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			cw = csv.NewWriter(w)
			_ = cw.Write([]string{"id", "at", "actor", "org", "action", "target", "detail", "before", "after", "prev_hash", "hash"})
		} else {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte("["))
		}
		enc := json.NewEncoder(w)
		var after int64
		first := true
		for {
			page, err := s.Store.AuditChain(r.Context(), o.ID, after, 1000)
			if err != nil {
				return err // headers are out: the download ends short, as it must
			}
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				row := auditRow(e)
				if cw != nil {
					_ = cw.Write([]string{strconv.FormatInt(row.ID, 10), row.At, strconv.FormatInt(row.ActorID, 10), strconv.FormatInt(row.OrgID, 10),
						spreadsheetSafe(row.Action), spreadsheetSafe(row.Target), spreadsheetSafe(row.Detail), spreadsheetSafe(row.Before), spreadsheetSafe(row.After), row.PrevHash, row.Hash})
					continue
				}
				if !first {
					_, _ = w.Write([]byte(","))
				}
				first = false
				_ = enc.Encode(row)
			}
			after = page[len(page)-1].ID
		}
		if cw != nil {
			cw.Flush()
			return cw.Error()
		}
		_, err := w.Write([]byte("]\n"))
		return err
	}
}
