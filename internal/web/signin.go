package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/outbox"
	"parley/internal/sso"
)

// signInPerEmail limits links sent to one address, so nobody can flood an
// inbox; the per-address limit is SignInBurst at once, then one a minute.
var signInPerEmail = rule{burst: 3, every: 5 * time.Minute}

func (s *Server) signInPerIP() rule { return rule{burst: s.SignInBurst, every: time.Minute} }

// SignInPage asks for an email address.
type SignInPage struct {
	Base
	Email   string
	SSOName string // empty: no single sign-on configured
}

func (s *Server) signInForm(w http.ResponseWriter, r *http.Request) error {
	if rt := safeReturn(r.URL.Query().Get("return")); rt != "" {
		s.sessions.Put(r.Context(), "return_to", rt)
	}
	return s.render(w, r, http.StatusOK, "sign-in", s.signInPage(r))
}

func (s *Server) signInPage(r *http.Request) SignInPage {
	page := SignInPage{Base: s.base(r, "sign_in.title")}
	if s.SSO != nil {
		page.SSOName = s.SSOName
	}
	return page
}

func (s *Server) signInSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := s.limits.allow("sign-in-ip:"+clientIP(r), s.signInPerIP()); err != nil {
		return err
	}
	raw := r.PostFormValue("email")
	email, err := account.NormaliseEmail(raw)
	if err != nil {
		page := s.signInPage(r)
		page.Email = raw
		page.withErrors([]string{"email"}, apperr.FieldsOf(err))
		return s.render(w, r, http.StatusUnprocessableEntity, "sign-in", page)
	}
	if err := s.limits.allow("sign-in-email:"+account.HashSecret(email), signInPerEmail); err != nil {
		return err
	}
	lang := langOf(r)
	p := s.Catalogue.Printer(lang)
	returnTo := s.sessions.GetString(r.Context(), "return_to")
	minutes := int(s.SignInLinkTTL / time.Minute)
	compose := func(to, token string) outbox.Message {
		link := s.BaseURL + "/sign-in/link/" + token + "?lang=" + lang
		return outbox.Message{
			Kind:    "sign-in",
			To:      to,
			Subject: p.T("email.sign_in.subject", "Site", s.SiteName),
			Body:    p.T("email.sign_in.body", "Site", s.SiteName, "Link", link, "Minutes", minutes),
		}
	}
	if err := s.Store.CreateSignInLink(r.Context(), email, returnTo, s.SignInLinkTTL, compose); err != nil {
		return err
	}
	s.WakeJobs()
	s.sessions.Put(r.Context(), "sign_in_email", email)
	http.Redirect(w, r, "/sign-in/check-email", http.StatusSeeOther)
	return nil
}

// CheckEmailPage tells the visitor a link is on its way.
type CheckEmailPage struct {
	Base
	Email   string
	Minutes int
}

func (s *Server) checkEmail(w http.ResponseWriter, r *http.Request) error {
	page := CheckEmailPage{Base: s.base(r, "check_email.title"), Email: s.sessions.GetString(r.Context(), "sign_in_email"),
		Minutes: int(s.SignInLinkTTL / time.Minute)}
	return s.render(w, r, http.StatusOK, "check-email", page)
}

// SignInLinkPage asks the visitor to confirm, so that mail scanners that
// follow links cannot spend a single-use link.
type SignInLinkPage struct {
	Base
	Token string
}

func (s *Server) signInLink(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "sign-in-link", SignInLinkPage{Base: s.base(r, "sign_in_link.title"), Token: r.PathValue("token")})
}

func (s *Server) signInLinkUse(w http.ResponseWriter, r *http.Request) error {
	if err := s.limits.allow("sign-in-ip:"+clientIP(r), s.signInPerIP()); err != nil {
		return err
	}
	u, returnTo, err := s.Store.UseSignInLink(r.Context(), r.PathValue("token"))
	if apperr.Is(err, apperr.Unauthenticated) {
		b := s.base(r, "sign_in_link.invalid_title")
		return s.render(w, r, http.StatusGone, "error", ErrorPage{Base: b, Status: http.StatusGone,
			Heading: b.T("sign_in_link.invalid_title"), Message: b.T("sign_in_link.invalid_body")})
	}
	if err != nil {
		return err
	}
	return s.signedIn(w, r, u, returnTo)
}

// signedIn starts a session for the user with a fresh token (so a token
// planted before sign-in is worthless) and goes where they were going.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, u account.User, returnTo string) error {
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	if u.Lang != langOf(r) {
		if err := s.Store.SetLanguage(r.Context(), u.ID, langOf(r)); err != nil {
			return err
		}
	}
	s.sessions.Remove(r.Context(), "return_to")
	s.sessions.Remove(r.Context(), "sign_in_email")
	s.sessions.Put(r.Context(), "user_id", u.ID)
	s.sessions.Put(r.Context(), "flash", "sign_in.done")
	if returnTo = safeReturn(returnTo); returnTo == "" {
		returnTo = "/account"
	}
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
	return nil
}

func (s *Server) oidcBegin(w http.ResponseWriter, r *http.Request) error {
	if s.SSO == nil {
		return apperr.New(apperr.NotFound, "error.404.body")
	}
	to, st, err := s.SSO.Begin(r.Context())
	if err != nil {
		return err
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "oidc_state", string(b))
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	if s.SSO == nil {
		return apperr.New(apperr.NotFound, "error.404.body")
	}
	var st sso.State
	raw := s.sessions.PopString(r.Context(), "oidc_state")
	if raw == "" || json.Unmarshal([]byte(raw), &st) != nil {
		return apperr.New(apperr.Invalid, "error.oidc.no_state")
	}
	claims, err := s.SSO.Finish(r.Context(), st, r.URL.Query())
	if err != nil {
		if apperr.Is(err, apperr.Unauthenticated) {
			s.Log.Info("single sign-on refused", "request_id", requestIDOf(r), "err", err)
			b := s.base(r, "error.oidc.title")
			return s.render(w, r, http.StatusUnauthorized, "error", ErrorPage{Base: b, Status: http.StatusUnauthorized,
				Heading: b.T("error.oidc.title"), Message: b.T("error.oidc.body")})
		}
		return err
	}
	u, err := s.Store.SignInWithIdentity(r.Context(), claims.Issuer, claims.Subject, claims.Email, claims.EmailVerified)
	if err != nil {
		return err
	}
	if u.DisplayName == "" && claims.Name != "" && account.ValidateDisplayName(claims.Name) == nil {
		if err := s.Store.SetDisplayName(r.Context(), u.ID, claims.Name); err != nil {
			return err
		}
	}
	return s.signedIn(w, r, u, s.sessions.GetString(r.Context(), "return_to"))
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "sign_out.done")
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// safeReturn accepts only paths on this site, so sign-in cannot be used to
// send people elsewhere.
func safeReturn(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return ""
	}
	return p
}
