package web

import (
	"net/http"

	"parley/internal/account"
	"parley/internal/apperr"
)

// AccountPage shows a signed-in person their details and what they follow.
type AccountPage struct {
	Base
	Email       string
	DisplayName string
	Following   []OrgItem
	Consents    []ConsentItem // what they have agreed to
}

// requireUser returns the signed-in principal or an Unauthenticated error.
func requireUser(r *http.Request) (*account.Principal, error) {
	p := principalOf(r)
	if p == nil {
		return nil, apperr.New(apperr.Unauthenticated, "error.sign_in_required")
	}
	return p, nil
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	page, err := s.account(r, p)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "account", page)
}

func (s *Server) account(r *http.Request, p *account.Principal) (AccountPage, error) {
	page := AccountPage{Base: s.base(r, "account.title"), Email: p.User.Email, DisplayName: p.User.DisplayName}
	orgs, err := s.Store.FollowedOrgs(r.Context(), p.User.ID)
	if err != nil {
		return page, err
	}
	for _, o := range orgs {
		page.Following = append(page.Following, OrgItem{Slug: o.Slug, Name: o.Name(page.Lang)})
	}
	page.Consents, err = s.consentItems(r.Context(), p.User.ID, page.Base)
	return page, err
}

func (s *Server) accountName(w http.ResponseWriter, r *http.Request) error {
	p, err := requireUser(r)
	if err != nil {
		return err
	}
	name := r.PostFormValue("display_name")
	if err := s.Store.SetDisplayName(r.Context(), p.User.ID, name); apperr.Is(err, apperr.Invalid) {
		page, perr := s.account(r, p)
		if perr != nil {
			return perr
		}
		page.DisplayName = name
		page.withErrors([]string{"display_name"}, apperr.FieldsOf(err))
		return s.render(w, r, http.StatusUnprocessableEntity, "account", page)
	} else if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "account.name_saved")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

// UnsubscribePage confirms an unsubscribe link: a scanner following the
// link must not unsubscribe anyone by itself.
type UnsubscribePage struct {
	Base
	Token string
	Done  bool
}

func (s *Server) unsubscribeForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "unsubscribe", UnsubscribePage{Base: s.base(r, "unsubscribe.title"), Token: r.PathValue("token")})
}

func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.Store.UnsubscribeByToken(r.Context(), r.PathValue("token")); err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	// Already unsubscribed and unknown tokens get the same answer: nothing to reveal.
	return s.render(w, r, http.StatusOK, "unsubscribe", UnsubscribePage{Base: s.base(r, "unsubscribe.title"), Done: true})
}
