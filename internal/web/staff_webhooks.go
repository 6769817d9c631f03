package web

import (
	"errors"
	"net/http"
	"strings"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/listening"
	"parley/internal/org"
)

// Webhooks: editors point the organisation's own systems at Parley, which
// POSTs each new mention to them signed with a secret (listening.Sign).

// webhookSecretKey is the session key that carries a new webhook's secret
// to the list page after the redirect: the secret is shown once, there.
const webhookSecretKey = "listening_webhook_secret"

// ListeningWebhooksPage lists the webhooks and, to editors, the add form.
type ListeningWebhooksPage struct {
	Base
	Nav      ListeningNav
	CanEdit  bool
	Webhooks []listening.Webhook
	URL      string // the add form, refilled after an error
	// Secret is a webhook's secret just after it was made, shown once.
	Secret string
}

func (s *Server) webhooksPage(r *http.Request, o org.Organisation, p *account.Principal) (ListeningWebhooksPage, error) {
	page := ListeningWebhooksPage{Base: s.orgBase(r, "listening.webhooks.title", o), Nav: listeningNav(o, langOf(r), "webhooks"),
		CanEdit: p.Can(o.ID, account.PermEdit)}
	hooks, err := s.Store.Webhooks(r.Context(), o.ID)
	page.Webhooks = hooks
	return page, err
}

func (s *Server) listeningWebhooks(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	page, err := s.webhooksPage(r, o, p)
	if err != nil {
		return err
	}
	page.Secret = s.sessions.PopString(r.Context(), webhookSecretKey)
	return s.render(w, r, http.StatusOK, "listening-webhooks", page)
}

func (s *Server) addWebhook(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	raw := strings.TrimSpace(r.PostFormValue("url"))
	var err error
	var hook listening.Webhook
	if raw == "" {
		err = fieldErr("url", "error.listening.webhook.url.required")
	} else {
		hook, err = s.Store.CreateWebhook(r.Context(), listening.Webhook{OrgID: o.ID, URL: raw}, p.User.ID)
	}
	if apperr.Is(err, apperr.Invalid) {
		page, perr := s.webhooksPage(r, o, p)
		if perr != nil {
			return perr
		}
		page.URL = raw
		var ae *apperr.Error
		errors.As(err, &ae)
		page.withErrors(ae.Order, ae.Fields)
		return s.render(w, r, http.StatusUnprocessableEntity, "listening-webhooks", page)
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), webhookSecretKey, hook.Secret)
	s.sessions.Put(r.Context(), "flash", "listening.webhooks.added")
	http.Redirect(w, r, "/staff/"+o.Slug+"/listening/webhooks", http.StatusSeeOther)
	return nil
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	hook, err := s.Store.Webhook(r.Context(), idParam(r.PathValue("id")))
	if err != nil || hook.OrgID != o.ID {
		return errNotFound
	}
	if err := s.Store.DeleteWebhook(r.Context(), hook.ID, p.User.ID); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "listening.webhooks.deleted")
	http.Redirect(w, r, "/staff/"+o.Slug+"/listening/webhooks", http.StatusSeeOther)
	return nil
}
