package web

import (
	"net/http"
	"strings"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/moderation"
	"parley/internal/org"
)

// StaffModerationSettingsPage edits the organisation's word list and
// moderation guidelines.
type StaffModerationSettingsPage struct {
	Base
	Nav           ModerationNav
	GuidelinesURL string // the public guidelines page
	Words         string // one a line, as typed
	GuidelinesEN  string
	GuidelinesCY  string
	UpdatedAt     time.Time
	MaxWords      int
}

func (s *Server) moderationSettingsPage(r *http.Request, o org.Organisation, st moderation.Settings) (StaffModerationSettingsPage, error) {
	page := StaffModerationSettingsPage{Base: s.orgBase(r, "moderation.staff.settings.title", o), GuidelinesURL: guidelinesPath(o.Slug),
		Words: strings.Join(st.Words, "\n"), GuidelinesEN: st.GuidelinesEN, GuidelinesCY: st.GuidelinesCY, UpdatedAt: st.UpdatedAt,
		MaxWords: moderation.MaxWords}
	nav, _, err := s.moderationNav(r, o, "settings")
	page.Nav = nav
	return page, err
}

func (s *Server) moderationSettings(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	st, err := s.Store.ModerationSettings(r.Context(), o.ID)
	if err != nil {
		return err
	}
	page, err := s.moderationSettingsPage(r, o, st)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "staff-moderation-settings", page)
}

func (s *Server) saveModerationSettings(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	typed := r.PostFormValue("words")
	st := moderation.Settings{OrgID: o.ID, GuidelinesEN: strings.TrimSpace(r.PostFormValue("guidelines_en")),
		GuidelinesCY: strings.TrimSpace(r.PostFormValue("guidelines_cy"))}
	var f apperr.Fields
	words, err := moderation.ParseWords(typed)
	mergeFields(&f, err)
	st.Words = words
	mergeFields(&f, st.Validate())
	err = f.Err()
	if err == nil {
		err = s.Store.SaveModerationSettings(r.Context(), st, p.User.ID)
	}
	if apperr.Is(err, apperr.Invalid) {
		page, perr := s.moderationSettingsPage(r, o, st)
		if perr != nil {
			return perr
		}
		page.Words = typed
		showFieldErrors(&page.Base, inPageOrder(err, []string{"words", "guidelines_en", "guidelines_cy"}))
		return s.render(w, r, http.StatusUnprocessableEntity, "staff-moderation-settings", page)
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "moderation.staff.settings.saved")
	http.Redirect(w, r, staffModerationURL(o)+"/settings", http.StatusSeeOther)
	return nil
}

// StaffAuthorStanding is a trusted or blocked author.
type StaffAuthorStanding struct {
	UserID   int64
	Name     string
	Standing StaffTag
	SetBy    string
	SetAt    time.Time
}

// StaffModerationAuthorsPage lists the organisation's trusted and blocked authors.
type StaffModerationAuthorsPage struct {
	Base
	Nav     ModerationNav
	Authors []StaffAuthorStanding
}

func (s *Server) moderationAuthors(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	page := StaffModerationAuthorsPage{Base: s.orgBase(r, "moderation.staff.authors.title", o)}
	nav, _, err := s.moderationNav(r, o, "authors")
	if err != nil {
		return err
	}
	page.Nav = nav
	list, err := s.Store.Standings(r.Context(), o.ID)
	if err != nil {
		return err
	}
	names, err := s.staffNames(r, o)
	if err != nil {
		return err
	}
	for _, a := range list {
		v := StaffAuthorStanding{UserID: a.UserID, Name: a.Name, Standing: standingTag(page.Base, a.Standing), SetBy: names[a.SetBy], SetAt: a.SetAt}
		if v.Name == "" {
			v.Name = page.T("moderation.staff.authors.no_name")
		}
		if v.SetBy == "" {
			v.SetBy = page.T("moderation.staff.item.former_staff")
		}
		page.Authors = append(page.Authors, v)
	}
	return s.render(w, r, http.StatusOK, "staff-moderation-authors", page)
}

// setModerationStanding trusts, blocks or clears an author; the page's
// buttons clear.
func (s *Server) setModerationStanding(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	id, err := userFromPath(r)
	if err != nil {
		return err
	}
	st := moderation.Standing(r.PostFormValue("standing"))
	if st != moderation.Normal && st != moderation.Trusted && st != moderation.Blocked {
		return apperr.New(apperr.Invalid, "error.moderation.standing")
	}
	if err := s.Store.SetStanding(r.Context(), o.ID, id, st, p.User.ID); err != nil {
		return err
	}
	flash := "moderation.staff.authors.cleared"
	if st != moderation.Normal {
		flash = "moderation.staff.authors.set"
	}
	s.sessions.Put(r.Context(), "flash", flash)
	http.Redirect(w, r, staffModerationURL(o)+"/authors", http.StatusSeeOther)
	return nil
}
