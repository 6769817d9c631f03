package web

import (
	"net/http"
	"strconv"
	"strings"

	"parley/internal/apperr"
	"parley/internal/outbox"
)

// OutboxPage lists what would have been emailed. It exists only when no
// email sender is configured (development and the demo), so sign-in links
// can be followed without a mail server.
type OutboxPage struct {
	Base
	To       string // the address asked for; "" for everyone
	Messages []outbox.Message
}

func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request) error {
	to := strings.TrimSpace(r.URL.Query().Get("to"))
	msgs, err := s.Store.OutboxTo(r.Context(), to, 100)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "outbox", OutboxPage{Base: s.base(r, "outbox.title"), To: to, Messages: msgs})
}

// OutboxMessagePage shows one email.
type OutboxMessagePage struct {
	Base
	Message outbox.Message
	Links   []string // links in the body, made local so they work on any host
}

func (s *Server) outboxMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "error.404.body")
	}
	m, err := s.Store.OutboxMessage(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	page := OutboxMessagePage{Base: s.base(r, "outbox.message_title"), Message: m}
	for _, f := range strings.Fields(m.Body) {
		if strings.HasPrefix(f, s.BaseURL+"/") {
			page.Links = append(page.Links, strings.TrimPrefix(f, s.BaseURL))
		}
	}
	return s.render(w, r, http.StatusOK, "outbox-message", page)
}
