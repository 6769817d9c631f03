package web

import (
	"context"
	"net/http"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/org"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.Store.Ping(ctx); err != nil {
		s.Log.Warn("not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unreachable\n"))
		return nil
	}
	_, _ = w.Write([]byte("ready\n"))
	return nil
}

// shed answers 503 with Retry-After once too many requests are in hand,
// so an overload slows nobody already being served.
func (s *Server) shed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case s.inflight <- struct{}{}:
			defer func() { <-s.inflight }()
			next.ServeHTTP(w, r)
		default:
			w.Header().Set("Retry-After", "5")
			http.Error(w, "Service busy: please try again in a few seconds.", http.StatusServiceUnavailable)
		}
	})
}

// HomePage lists the organisations.
type HomePage struct {
	Base
	Orgs []OrgItem
}

// OrgItem is an organisation in the page's language.
type OrgItem struct {
	Slug string
	Name string
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	orgs, err := s.Store.Orgs(r.Context(), "", 500)
	if err != nil {
		return err
	}
	page := HomePage{Base: s.base(r, "home.title")}
	for _, o := range orgs {
		page.Orgs = append(page.Orgs, OrgItem{Slug: o.Slug, Name: o.Name(page.Lang)})
	}
	return s.render(w, r, http.StatusOK, "home", page)
}

// OrgPage is an organisation's public page.
type OrgPage struct {
	Base
	Org           OrgItem
	OtherName     string // the name in the other language, if different
	Following     bool
	IsStaff       bool
	Conversations []ConversationItem
	Consultations []PublicConsultation
	Boards        []BoardItem
	Measures      bool // it publishes its channel shift and engagement figures
}

func (s *Server) orgPage(w http.ResponseWriter, r *http.Request) error {
	o, err := s.Store.OrgBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	page := OrgPage{Base: s.orgBase(r, "", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))}}
	page.Title = page.Org.Name
	if other := o.Name(page.OtherLang()); other != page.Org.Name {
		page.OtherName = other
	}
	list, err := s.Store.Conversations(r.Context(), o.ID, false)
	if err != nil {
		return err
	}
	for _, c := range list {
		page.Conversations = append(page.Conversations, conversationItem(c, page.Lang))
	}
	if page.Consultations, err = s.orgConsultations(r, o); err != nil {
		return err
	}
	if page.Boards, err = s.orgBoards(r, o); err != nil {
		return err
	}
	st, err := s.Store.MeasureSettings(r.Context(), o.ID)
	if err != nil {
		return err
	}
	page.Measures = st.Public
	if p := page.User; p != nil {
		if page.Following, err = s.Store.IsSubscribed(r.Context(), p.User.ID, "org", o.ID); err != nil {
			return err
		}
		page.IsStaff = p.Can(o.ID, account.PermStaffArea)
	}
	return s.render(w, r, http.StatusOK, "org", page)
}

func (s *Server) follow(w http.ResponseWriter, r *http.Request) error {
	return s.setFollowing(w, r, true)
}

func (s *Server) unfollow(w http.ResponseWriter, r *http.Request) error {
	return s.setFollowing(w, r, false)
}

func (s *Server) setFollowing(w http.ResponseWriter, r *http.Request, on bool) error {
	p := principalOf(r)
	o, err := s.Store.OrgBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	if p == nil {
		s.sessions.Put(r.Context(), "return_to", "/organisations/"+o.Slug)
		http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
		return nil
	}
	flash := "org.followed"
	if on {
		err = s.Store.Subscribe(r.Context(), p.User.ID, "org", o.ID)
	} else {
		err, flash = s.Store.Unsubscribe(r.Context(), p.User.ID, "org", o.ID), "org.unfollowed"
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", flash)
	http.Redirect(w, r, "/organisations/"+o.Slug, http.StatusSeeOther)
	return nil
}

// InfoPage is a page of fixed text: accessibility, privacy, cookies.
type InfoPage struct {
	Base
}

func (s *Server) info(name, title string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.render(w, r, http.StatusOK, name, InfoPage{Base: s.base(r, title)})
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return apperr.New(apperr.NotFound, "error.404.body")
}

// orgBase is base for an organisation's own pages, in its brand if it has one.
func (s *Server) orgBase(r *http.Request, title string, o org.Organisation) Base {
	b := s.base(r, title)
	if o.Brand != "" {
		b.Brand = o.Brand
	}
	return b
}

// orgFromPath loads the organisation named by the {org} path segment.
func (s *Server) orgFromPath(r *http.Request) (org.Organisation, error) {
	return s.Store.OrgBySlug(r.Context(), r.PathValue("org"))
}
