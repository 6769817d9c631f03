package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"parley/internal/apperr"
	"parley/internal/markdown"
	"parley/internal/moderation"
	"parley/internal/org"
	"parley/internal/proposal"
)

// The citizen's side of moderation: reporting anything a citizen wrote to
// the organisation's moderators, and reading the organisation's
// guidelines. What an author sees of decisions about their own writing is
// in account_moderation.go.

// moderationPublicRoutes registers the report form, its confirmation, the
// guidelines and the author's moderation pages.
func (s *Server) moderationPublicRoutes(mux *http.ServeMux) {
	md := markdown.New()
	mux.Handle("GET /report/sent", s.h(s.reportSent))
	mux.Handle("GET /report/{kind}/{id}", s.h(s.reportForm))
	mux.Handle("POST /report/{kind}/{id}", s.h(s.reportSubmit))
	mux.Handle("GET /organisations/{slug}/guidelines", s.h(s.cached(s.guidelinesPage(md))))
	mux.Handle("GET /account/moderation", s.h(s.accountModeration))
	mux.Handle("GET /account/moderation/{id}/appeal", s.h(s.appealForm))
	mux.Handle("POST /account/moderation/{id}/appeal", s.h(s.appealSubmit))
}

// reportPath is the report form of a thing; where, for a display name, is
// the contribution it was seen on.
func reportPath(ref, where moderation.Ref) string {
	p := "/report/" + string(ref.Kind) + "/" + strconv.FormatInt(ref.ID, 10)
	if ref.Kind == moderation.KindDisplayName && where.ID != 0 {
		p += "?on=" + where.String() // "kind:id": nothing to escape
	}
	return p
}

// guidelinesPath is an organisation's moderation guidelines.
func guidelinesPath(slug string) string {
	return "/organisations/" + url.PathEscape(slug) + "/guidelines"
}

// ReportLink is a small "Report" link with words for screen readers
// saying what it reports.
type ReportLink struct {
	URL    string
	Text   string
	Hidden string
}

// reportLink builds the link to report ref, or none for its own author.
func reportLink(base Base, ref, where moderation.Ref, authorID int64, hidden string) ReportLink {
	if u := base.User; u != nil && authorID != 0 && u.User.ID == authorID {
		return ReportLink{}
	}
	return ReportLink{URL: reportPath(ref, where), Text: base.T("moderation.public.report.link"), Hidden: hidden}
}

// nameReportLink builds the "Report this name" link beside an author's
// name, or none when no name is shown or the viewer is the author.
func nameReportLink(base Base, authorID int64, name string, where moderation.Ref) ReportLink {
	if authorID == 0 || strings.TrimSpace(name) == "" {
		return ReportLink{}
	}
	l := reportLink(base, moderation.Ref{Kind: moderation.KindDisplayName, ID: authorID}, where, authorID, "“"+name+"”")
	if l.URL != "" {
		l.Text = base.T("moderation.public.report.name_link")
	}
	return l
}

// ReportChoice is one category on the report form.
type ReportChoice struct {
	ID      string // the radio's id: the first is "category", for the error summary
	Value   string
	Label   string
	Hint    string
	Checked bool
}

// ReportPage asks why something should be looked at by a moderator.
type ReportPage struct {
	Base
	Org        OrgItem
	Heading    string
	KindLabel  string   // what is reported: "comment", "name"…
	Author     string   // who wrote it, "" for a name
	Where      string   // the engagement it is on
	Quote      []string // what is reported, its lines
	Action     string
	Back       string
	Guidelines string // the organisation's guidelines
	Choices    []ReportChoice
	Detail     string
	DetailMax  int
	MaxText    string // DetailMax in words
}

// reportTarget reads the thing a report is about from the path. ok is
// false when the visitor was sent to sign in first.
func (s *Server) reportTarget(w http.ResponseWriter, r *http.Request) (ReportPage, moderation.Report, bool, error) {
	var rep moderation.Report
	kind := moderation.Kind(r.PathValue("kind"))
	id, err := pathInt64(r, "id")
	if err != nil || !kind.Valid() {
		return ReportPage{}, rep, false, errNotFound
	}
	rep.Ref = moderation.Ref{Kind: kind, ID: id}
	if kind == moderation.KindDisplayName {
		where, err := moderation.ParseRef(r.URL.Query().Get("on"))
		if err != nil || where.Kind == moderation.KindDisplayName {
			return ReportPage{}, rep, false, errNotFound
		}
		rep.Where = where
	}
	ctx := r.Context()
	it, err := s.Store.ModerationTarget(ctx, rep.Ref, rep.Where)
	if err != nil {
		return ReportPage{}, rep, false, err
	}
	action := reportPath(rep.Ref, rep.Where)
	u := principalOf(r)
	if u == nil {
		// Reports are kept one per person, so reporting needs an account.
		s.signInFirst(w, r, action)
		return ReportPage{}, rep, false, nil
	}
	rep.ReporterID = u.User.ID
	o, err := s.Store.OrgByID(ctx, it.OrgID)
	if err != nil {
		return ReportPage{}, rep, false, err
	}
	base := s.orgBase(r, "moderation.public.report.title."+string(kind), o)
	page := ReportPage{Base: base, Org: OrgItem{Slug: o.Slug, Name: o.Name(base.Lang)}, Heading: base.Title,
		KindLabel: base.T("moderation.kind." + string(kind)), Author: it.AuthorName, Where: it.WhereTitle,
		Quote: lines(it.Text), Action: action, Guidelines: guidelinesPath(o.Slug), DetailMax: moderation.MaxReport,
		MaxText: groupDigits(moderation.MaxReport)}
	if kind == moderation.KindDisplayName {
		page.Author = ""
		// Back to, and named by, the contribution the name was seen on.
		if seen, err := s.Store.ModerationTarget(ctx, rep.Where, moderation.Ref{}); err == nil {
			page.Back = backFor(seen, rep.Where, o)
			page.Where = seen.WhereTitle
		}
	} else if page.Author == "" {
		page.Author = base.T("moderation.public.anonymous")
	}
	if page.Back == "" {
		page.Back = backFor(it, rep.Ref, o)
	}
	w.Header().Set("Cache-Control", "no-store")
	return page, rep, true, nil
}

// backFor is the public page a reported thing is on.
func backFor(it moderation.Item, ref moderation.Ref, o org.Organisation) string {
	id := strconv.FormatInt(ref.ID, 10)
	switch ref.Kind {
	case moderation.KindProposal:
		return proposalPath(ref.ID)
	case moderation.KindComment:
		if it.WhereID != 0 {
			return proposalPath(it.WhereID) + "#comment-" + id
		}
	case moderation.KindStatement:
		if it.WhereID != 0 {
			return "/conversations/" + strconv.FormatInt(it.WhereID, 10)
		}
	case moderation.KindResponse:
		if it.WhereID != 0 {
			return consultationURL(it.WhereID) + "/responses#response-" + id
		}
	}
	return "/organisations/" + url.PathEscape(o.Slug)
}

// choices lists the report categories as radios, with chosen checked.
func reportChoices(base Base, chosen string) []ReportChoice {
	var out []ReportChoice
	for i, c := range moderation.ReportCategories {
		id := "category"
		if i > 0 {
			id = "category-" + string(c)
		}
		out = append(out, ReportChoice{ID: id, Value: string(c), Label: base.T("moderation.category." + string(c)),
			Hint: base.T("moderation.public.report.hint." + string(c)), Checked: chosen == string(c)})
	}
	return out
}

func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) error {
	page, _, ok, err := s.reportTarget(w, r)
	if !ok {
		return err
	}
	page.Choices = reportChoices(page.Base, "")
	return s.render(w, r, http.StatusOK, "report", page)
}

func (s *Server) reportSubmit(w http.ResponseWriter, r *http.Request) error {
	page, rep, ok, err := s.reportTarget(w, r)
	if !ok {
		return err
	}
	rep.Category = moderation.ReportCategory(r.PostFormValue("category"))
	rep.Detail = strings.TrimSpace(r.PostFormValue("detail"))
	err = rep.Validate()
	if err == nil {
		if err = s.limits.allow("report:"+strconv.FormatInt(rep.ReporterID, 10), reportPerUser); err != nil {
			return err
		}
		err = s.Store.Report(r.Context(), rep)
	}
	if f := apperr.FieldsOf(err); apperr.Is(err, apperr.Invalid) && len(f) > 0 {
		var order []string
		for _, k := range []string{"category", "detail"} {
			if f[k] != "" {
				order = append(order, k)
			}
		}
		page.withErrors(order, f)
		page.Choices = reportChoices(page.Base, string(rep.Category))
		page.Detail = r.PostFormValue("detail")
		return s.render(w, r, http.StatusUnprocessableEntity, "report", page)
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "report_back", page.Back)
	http.Redirect(w, r, "/report/sent", http.StatusSeeOther)
	return nil
}

// ReportSentPage thanks a citizen for a report.
type ReportSentPage struct {
	Base
	Back string
}

// reportSent is the confirmation after a report, with a way back to where
// the citizen was (kept in the session, never taken from the address).
func (s *Server) reportSent(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireUser(r); err != nil {
		return err
	}
	back := s.sessions.GetString(r.Context(), "report_back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.HasPrefix(back, "/\\") {
		back = "/"
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "report-sent", ReportSentPage{Base: s.base(r, "moderation.public.report.sent_title"), Back: back})
}

// GuidelinesPage is an organisation's moderation guidelines: its own, or
// the platform's default text.
type GuidelinesPage struct {
	Base
	Org      OrgItem
	Custom   template.HTML // the organisation's own text; empty for the default
	TextLang string        // the custom text's language when not the page's
}

func (s *Server) guidelinesPage(md *markdown.Renderer) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		o, err := s.Store.OrgBySlug(r.Context(), r.PathValue("slug"))
		if err != nil {
			return err
		}
		st, err := s.Store.ModerationSettings(r.Context(), o.ID)
		if err != nil {
			return err
		}
		base := s.orgBase(r, "moderation.public.guidelines.title", o)
		page := GuidelinesPage{Base: base, Org: OrgItem{Slug: o.Slug, Name: o.Name(base.Lang)}}
		own, other := st.GuidelinesEN, st.GuidelinesCY
		if base.Lang == "cy" {
			own, other = other, own
		}
		switch {
		case strings.TrimSpace(own) != "":
			page.Custom = liftHeadings(md.Render(own))
		case strings.TrimSpace(other) != "":
			// Better the organisation's rules in the other language than
			// the platform's general ones.
			page.Custom, page.TextLang = liftHeadings(md.Render(other)), base.OtherLang()
		}
		return s.render(w, r, http.StatusOK, "guidelines", page)
	}
}

// proposalReportLinks are the links to report a published proposal and
// its author's name; none for its author.
func proposalReportLinks(base Base, p proposal.Proposal) (ReportLink, ReportLink) {
	ref := moderation.Ref{Kind: moderation.KindProposal, ID: p.ID}
	return reportLink(base, ref, moderation.Ref{}, p.AuthorID, base.T("moderation.public.report.proposal_hidden", "Title", p.Title)),
		nameReportLink(base, p.AuthorID, p.AuthorName, ref)
}

// threadComment is a comment as the viewer sees it in a thread: its
// author is not offered to report it, and sees it while a moderator has
// yet to check it; everyone else sees that it waits.
func threadComment(base Base, proposalID int64, c proposal.Comment) CommentView {
	mine := base.User != nil && c.AuthorID != 0 && base.User.User.ID == c.AuthorID
	held := c.State == proposal.CommentHidden && c.Reason == ""
	if held && mine {
		c.State = proposal.CommentVisible
	}
	v := commentView(base, proposalID, c)
	switch {
	case held && mine:
		v.Waiting = base.T("moderation.public.comment.waiting")
	case held:
		v.RemovedText = base.T("moderation.public.comment.held_public")
	}
	if v.Removed {
		return v
	}
	if mine {
		v.ReportURL = ""
		return v
	}
	v.NameReport = nameReportLink(base, c.AuthorID, c.AuthorName, moderation.Ref{Kind: moderation.KindComment, ID: c.ID})
	return v
}

// headingsUp moves the renderer's headings, which start at h3 for text
// under a page's own sections, up one level: the guidelines are the whole
// page, under its h1.
var headingsUp = strings.NewReplacer(
	`<h3 class="govuk-heading-m">`, `<h2 class="govuk-heading-m">`, `</h3>`, `</h2>`,
	`<h4 class="govuk-heading-s">`, `<h3 class="govuk-heading-s">`, `</h4>`, `</h3>`)

// liftHeadings applies headingsUp to sanitised HTML, whose text cannot
// hold a tag.
func liftHeadings(h template.HTML) template.HTML {
	return template.HTML(headingsUp.Replace(string(h)))
}
