package web

import (
	"html/template"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"parley/internal/consultation"
	"parley/internal/markdown"
	"parley/internal/moderation"
	"parley/internal/org"
)

// consultationRoutes registers the public consultation pages and the
// respond journey. The markdown renderer is made here, once, and handed to
// the handlers that need it: the server keeps no package-level state.
func (s *Server) consultationRoutes(mux *http.ServeMux) {
	md := markdown.New()
	mux.Handle("GET /consultations/{id}", s.h(s.cached(s.consultationPage(md))))
	mux.Handle("POST /consultations/{id}/follow", s.h(s.consultationFollow(true)))
	mux.Handle("POST /consultations/{id}/unfollow", s.h(s.consultationFollow(false)))
	mux.Handle("GET /consultations/{id}/documents/{doc}", s.h(s.consultationDocument))
	mux.Handle("GET /consultations/{id}/responses", s.h(s.cached(s.publishedResponses)))
	mux.Handle("GET /feeds/organisations/{slug}/consultations.atom", s.h(s.cached(s.consultationsFeed)))

	mux.Handle("POST /consultations/{id}/respond", s.h(s.respondStart))
	mux.Handle("GET /consultations/{id}/respond/about", s.h(s.respond(s.respondAbout)))
	mux.Handle("POST /consultations/{id}/respond/about", s.h(s.respond(s.respondAboutSave)))
	mux.Handle("GET /consultations/{id}/respond/questions/{n}", s.h(s.respond(s.respondQuestion)))
	mux.Handle("POST /consultations/{id}/respond/questions/{n}", s.h(s.respond(s.respondQuestionSave)))
	mux.Handle("GET /consultations/{id}/respond/questions", s.h(s.respond(s.respondQuestions)))
	mux.Handle("POST /consultations/{id}/respond/questions", s.h(s.respond(s.respondQuestionsSave)))
	mux.Handle("GET /consultations/{id}/respond/check", s.h(s.respond(s.respondCheck)))
	mux.Handle("POST /consultations/{id}/respond/submit", s.h(s.respond(s.respondSubmit)))
	mux.Handle("GET /consultations/{id}/respond/done", s.h(s.respondDone))
	mux.Handle("GET /consultations/{id}/respond/save", s.h(s.respond(s.respondSaveForm)))
	mux.Handle("POST /consultations/{id}/respond/save", s.h(s.respond(s.respondSave)))
	mux.Handle("GET /consultations/{id}/respond/resume/{token}", s.h(s.respondResumeForm))
	mux.Handle("POST /consultations/{id}/respond/resume/{token}", s.h(s.respondResume))
}

// PublicConsultation is a consultation in the page's language, for lists
// and headings.
type PublicConsultation struct {
	ID      int64
	Title   string
	Summary string
	Status  string
	// The dates shown: when it opened (or opens), closes or closed, and
	// when the outcome was published; zero when not known.
	Opened  time.Time
	Closes  time.Time
	Closed  time.Time
	Outcome time.Time
}

func publicConsultation(c consultation.Consultation, lang string) PublicConsultation {
	p := PublicConsultation{ID: c.ID, Title: c.Title(lang), Summary: c.Summary(lang), Status: string(c.Status),
		Opened: c.OpenedAt, Closes: c.ClosesAt, Closed: c.ClosedAt, Outcome: c.OutcomeAt}
	if p.Opened.IsZero() {
		p.Opened = c.OpensAt
	}
	if c.Status == consultation.Open {
		p.Closed = time.Time{}
	} else if p.Closed.IsZero() {
		p.Closed = c.ClosesAt
	}
	return p
}

// Dated reports whether there is any date to show.
func (p PublicConsultation) Dated() bool {
	return !p.Opened.IsZero() || !p.Closes.IsZero() || !p.Closed.IsZero() || !p.Outcome.IsZero()
}

// ConsultationPage is a consultation's public page: what is proposed, the
// documents, how to respond while open, the response clock once closed,
// and "We asked, you said, we did" once the outcome is published.
type ConsultationPage struct {
	Base
	Org       OrgItem
	C         PublicConsultation
	Body      template.HTML
	Documents []PublicDocument
	// Open: how long is left ("" when no closing date is set).
	Left       string
	InProgress bool // this browser has a response under way
	// Closed: the government-response clock, as a sentence.
	Clock        string
	ClockOverdue bool
	// Outcome.
	OutcomeSummary template.HTML
	Decision       template.HTML
	Items          []YouSaidItem
	Following      bool
}

// PublicDocument is a published document as listed on the page.
type PublicDocument struct {
	URL   string
	Title string
	Type  string // "PDF", "ODT", "DOCX"
	Size  string
}

// YouSaidItem is one "You said / We did" pair in the page's language.
type YouSaidItem struct {
	Said string
	Did  string
}

// consultationFromPath loads the public consultation named by {id} and its
// organisation; drafts are not found (staff preview them elsewhere).
func (s *Server) consultationFromPath(r *http.Request) (consultation.Consultation, org.Organisation, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return consultation.Consultation{}, org.Organisation{}, errNotFound
	}
	c, err := s.Store.Consultation(r.Context(), id)
	if err != nil {
		return c, org.Organisation{}, err
	}
	if !c.Public() {
		return c, org.Organisation{}, errNotFound
	}
	o, err := s.Store.OrgByID(r.Context(), c.OrgID)
	return c, o, err
}

func consultationURL(id int64) string { return "/consultations/" + strconv.FormatInt(id, 10) }

func (s *Server) consultationPage(md *markdown.Renderer) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, o, err := s.consultationFromPath(r)
		if err != nil {
			return err
		}
		lang := langOf(r)
		page := ConsultationPage{Base: s.orgBase(r, "", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)},
			C: publicConsultation(c, lang), Body: md.Render(c.Body(lang))}
		page.Title = page.C.Title
		docs, err := s.Store.Documents(r.Context(), c.ID)
		if err != nil {
			return err
		}
		for _, d := range docs {
			if d.Scan {
				continue
			}
			page.Documents = append(page.Documents, PublicDocument{URL: consultationURL(c.ID) + "/documents/" + strconv.FormatInt(d.ID, 10),
				Title: d.Title, Type: documentType(d), Size: fileSize(d.Size)})
		}
		now := s.Now()
		switch c.Status {
		case consultation.Open:
			if !c.ClosesAt.IsZero() {
				page.Left = timeLeft(page.Base, now, c.ClosesAt)
			}
			page.InProgress = s.sessions.GetInt64(r.Context(), respondKey(c.ID)) != 0
		case consultation.Closed:
			if k, ok := c.ResponseClock(now); ok {
				page.Clock, page.ClockOverdue = clockText(page.Base, k), k.Overdue > 0
			}
		case consultation.Outcome:
			page.OutcomeSummary = md.Render(c.OutcomeSummary(lang))
			page.Decision = md.Render(c.Decision(lang))
			for _, y := range c.Result.Items {
				page.Items = append(page.Items, YouSaidItem{Said: y.Said(lang), Did: y.Did(lang)})
			}
		}
		if p := page.User; p != nil {
			if page.Following, err = s.Store.IsSubscribed(r.Context(), p.User.ID, "consultation", c.ID); err != nil {
				return err
			}
		}
		return s.render(w, r, http.StatusOK, "consultation", page)
	}
}

// timeLeft says how long an open consultation has left, in whole days.
func timeLeft(b Base, now, closes time.Time) string {
	d := calendarDays(now, closes)
	switch {
	case d <= 0:
		return b.T("consultation.public.closes_today")
	case d == 1:
		return b.T("consultation.public.one_day_left")
	}
	return b.T("consultation.public.days_left", "Days", d)
}

// clockText is the 12-week response clock as a sentence.
func clockText(b Base, k consultation.Clock) string {
	due := k.Due.UTC().Format("2 January 2006")
	switch {
	case k.Overdue == 1:
		return b.T("consultation.public.clock_overdue_one", "Date", due)
	case k.Overdue > 1:
		return b.T("consultation.public.clock_overdue", "Date", due, "Days", k.Overdue)
	case k.DaysLeft == 0:
		return b.T("consultation.public.clock_today", "Date", due)
	case k.DaysLeft == 1:
		return b.T("consultation.public.clock_left_one", "Date", due)
	}
	return b.T("consultation.public.clock_left", "Date", due, "Days", k.DaysLeft)
}

// calendarDays counts calendar days (UTC) from a to b.
func calendarDays(a, b time.Time) int {
	da := time.Date(a.UTC().Year(), a.UTC().Month(), a.UTC().Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.UTC().Year(), b.UTC().Month(), b.UTC().Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

func documentType(d consultation.Document) string {
	ext := strings.TrimPrefix(strings.ToUpper(filepath.Ext(d.FileName)), ".")
	if ext == "" {
		for e, t := range consultation.DocumentTypes {
			if t == d.ContentType {
				ext = strings.ToUpper(strings.TrimPrefix(e, "."))
			}
		}
	}
	return ext
}

func (s *Server) consultationFollow(on bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, _, err := s.consultationFromPath(r)
		if err != nil {
			return err
		}
		back := consultationURL(c.ID)
		p := principalOf(r)
		if p == nil {
			s.sessions.Put(r.Context(), "return_to", back)
			http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
			return nil
		}
		flash := "consultation.public.followed"
		if on {
			err = s.Store.Subscribe(r.Context(), p.User.ID, "consultation", c.ID)
		} else {
			err, flash = s.Store.Unsubscribe(r.Context(), p.User.ID, "consultation", c.ID), "consultation.public.unfollowed"
		}
		if err != nil {
			return err
		}
		s.sessions.Put(r.Context(), "flash", flash)
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
}

// consultationDocument serves a published document's file. Scans of
// offline responses are never served here: they hold personal data.
func (s *Server) consultationDocument(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.consultationFromPath(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("doc"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound
	}
	d, err := s.Store.Document(r.Context(), id)
	if err != nil {
		return err
	}
	if d.ConsultationID != c.ID || d.Scan {
		return errNotFound
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	return s.serveDocument(w, r, d)
}

// PublishedResponsesPage lists responses published with consent.
type PublishedResponsesPage struct {
	Base
	Org       OrgItem
	C         PublicConsultation
	Published bool // closed: responses are published; while open they are not yet
	Responses []PublishedResponse
	Next      string // the next page's URL, "" on the last page
}

// PublishedResponse is one response as published: staff redactions in
// place of the words given.
type PublishedResponse struct {
	ID      int64
	Name    string
	Date    time.Time
	Answers []AnswerView
	Report  ReportLink // none for its own author
}

// AnswerView is a question and the answer to it, for reading.
type AnswerView struct {
	Question string
	Text     string   // free text
	Choices  []string // the labels chosen
}

// responsesPerPage bounds one page of published responses.
const responsesPerPage = 50

func (s *Server) publishedResponses(w http.ResponseWriter, r *http.Request) error {
	c, o, err := s.consultationFromPath(r)
	if err != nil {
		return err
	}
	lang := langOf(r)
	page := PublishedResponsesPage{Base: s.orgBase(r, "consultation.public.responses_title", o),
		Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)}, C: publicConsultation(c, lang)}
	// Staff redact before anything is read publicly, so nothing is
	// published while responses are still coming in.
	page.Published = c.Status == consultation.Closed || c.Status == consultation.Outcome
	if !page.Published {
		return s.render(w, r, http.StatusOK, "consultation-responses", page)
	}
	var after int64
	if v := r.URL.Query().Get("after"); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			return errNotFound
		}
	}
	qs, err := s.Store.Questions(r.Context(), c.ID)
	if err != nil {
		return err
	}
	list, err := s.Store.Responses(r.Context(), c.ID, consultation.ResponseFilter{Published: true, After: after, Limit: responsesPerPage + 1})
	if err != nil {
		return err
	}
	if len(list) > responsesPerPage {
		list = list[:responsesPerPage]
		page.Next = consultationURL(c.ID) + "/responses?after=" + strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	for _, resp := range list {
		if !resp.Published() {
			continue // the filter's promise, kept twice
		}
		pr := PublishedResponse{ID: resp.ID, Name: resp.PublicName(), Date: resp.SubmittedAt}
		if pr.Name == "" {
			pr.Name = page.T("consultation.public.anonymous")
		}
		pr.Report = reportLink(page.Base, moderation.Ref{Kind: moderation.KindResponse, ID: resp.ID}, moderation.Ref{}, resp.UserID,
			page.T("moderation.public.report.response_hidden", "Name", pr.Name))
		for _, q := range qs {
			a := resp.Answer(q.ID)
			if a.Empty() {
				continue
			}
			av := AnswerView{Question: q.Text(lang), Text: a.Text, Choices: choiceLabels(q, a, lang)}
			if red, ok := resp.Redacted[q.ID]; ok && q.Kind == consultation.FreeText {
				av.Text = red
			}
			pr.Answers = append(pr.Answers, av)
		}
		page.Responses = append(page.Responses, pr)
	}
	return s.render(w, r, http.StatusOK, "consultation-responses", page)
}

// choiceLabels turns an answer's choices into their labels in lang.
func choiceLabels(q consultation.Question, a consultation.Answer, lang string) []string {
	var out []string
	for _, i := range a.Choices {
		if i >= 0 && i < len(q.Options) {
			out = append(out, q.Options[i].Label(lang))
		}
	}
	return out
}

// consultationsFeed is an Atom feed of an organisation's public
// consultations, newest first, updated as they open, close and publish
// their outcome.
func (s *Server) consultationsFeed(w http.ResponseWriter, r *http.Request) error {
	o, err := s.Store.OrgBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	list, err := s.Store.Consultations(r.Context(), o.ID, false)
	if err != nil {
		return err
	}
	lang := langOf(r)
	self := s.BaseURL + "/feeds/organisations/" + o.Slug + "/consultations.atom"
	f := atomFeed{Lang: lang, ID: self, Title: o.Name(lang) + ": " + s.Catalogue.Printer(lang).T("consultation.public.feed_title"),
		Updated: atomTime(o.CreatedAt), Author: atomAuthor{Name: o.Name(lang)},
		Links: []atomLink{{Rel: "self", Href: self, Type: "application/atom+xml"}, {Rel: "alternate", Href: s.BaseURL + "/organisations/" + o.Slug}}}
	for _, c := range list {
		if !c.Public() {
			continue
		}
		updated := latest(c.CreatedAt, c.OpenedAt, c.ClosedAt, c.OutcomeAt)
		if updated.After(parseAtom(f.Updated)) {
			f.Updated = atomTime(updated)
		}
		link := s.BaseURL + consultationURL(c.ID)
		f.Entries = append(f.Entries, atomEntry{ID: link, Title: c.Title(lang), Updated: atomTime(updated),
			Link: atomLink{Href: link}, Summary: c.Summary(lang), Cat: []atomTerm{{Term: string(c.Status)}}})
	}
	return writeAtom(w, f)
}

// orgConsultations lists an organisation's public consultations for its page.
func (s *Server) orgConsultations(r *http.Request, o org.Organisation) ([]PublicConsultation, error) {
	list, err := s.Store.Consultations(r.Context(), o.ID, false)
	if err != nil {
		return nil, err
	}
	var out []PublicConsultation
	for _, c := range list {
		if c.Public() {
			out = append(out, publicConsultation(c, langOf(r)))
		}
	}
	return out, nil
}
