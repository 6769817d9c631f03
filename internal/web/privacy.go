package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"parley/internal/apperr"
)

// exportPerUser bounds downloads of one's own data: each gathers from
// every table.
var exportPerUser = rule{burst: 5, every: time.Minute}

// myData downloads everything Parley holds about the signed-in person.
func (s *Server) myData(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := s.limits.allow("my-data:"+strconv.FormatInt(p.User.ID, 10), exportPerUser); err != nil {
		return err
	}
	d, err := s.Store.PersonalData(r.Context(), p.User.ID, int(s.MentionRetention/(24*time.Hour)))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="my-data-`+d.GeneratedAt.Format("2006-01-02")+`.json"`)
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// DeleteAccountPage asks a person to confirm erasing their account, and
// says what goes and what stays.
type DeleteAccountPage struct {
	Base
	Email string
	Staff bool // staff are removed from their organisations first
}

func (s *Server) deleteAccountForm(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	page := DeleteAccountPage{Base: s.base(r, "privacy.delete.title"), Email: p.User.Email, Staff: p.IsStaff()}
	return s.render(w, r, http.StatusOK, "account-delete", page)
}

func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	if err := s.Store.EraseUser(r.Context(), p.User.ID); apperr.Is(err, apperr.Conflict) {
		page := DeleteAccountPage{Base: s.base(r, "privacy.delete.title"), Email: p.User.Email, Staff: true}
		page.withErrors([]string{"confirm"}, map[string]string{"confirm": "error.account.erase.staff"})
		return s.render(w, r, http.StatusConflict, "account-delete", page)
	} else if err != nil {
		return err
	}
	// Sign out here; sessions elsewhere end because the account no longer
	// loads.
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "privacy.delete.done")
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
