package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/listening"
	"parley/internal/org"
)

// ThemesPage is where analysts review themes: those accepted, with their
// counts and quotes, and those proposed from the free text.
type ThemesPage struct {
	Base
	Head       AnalysisHead
	Responses  int // submitted responses
	Assigned   int // responses in at least one theme
	Themes     []ThemeView
	Candidates []CandidateView
	Version    string // of the responses the candidates came from
	// The forms for a new theme and for assigning by search, refilled
	// after an error.
	NewName        string
	NewDescription string
	Search         string
	SearchTheme    string
	SearchName     string
	Choices        []ThemeChoice
}

// ThemeView is an accepted theme with its forms.
type ThemeView struct {
	ID          int64
	Name        string
	Description string
	Count       int
	Quotes      []QuoteView
	ListURL     string // the responses list filtered to the theme
	Others      []ThemeChoice
	NameValue   string // the rename form, refilled after an error
	DescValue   string
}

// QuoteView is a quote linking back to its response.
type QuoteView struct {
	Text string
	URL  string
}

// CandidateView is a theme proposed from the free text.
type CandidateView struct {
	Index  int // its place among the proposals of Version
	Label  string
	Size   int
	Quotes []QuoteView
	Name   string // the accept form's name, prefilled with the label
}

// maxCandidateQuotes keeps the proposals short to read.
const maxCandidateQuotes = 3

func (s *Server) themesPage(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.analysisConsultation(r, o)
	if err != nil {
		return err
	}
	page, err := s.themesView(r, o, p, c)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "consultation-themes", page)
}

func (s *Server) themesView(r *http.Request, o org.Organisation, p *account.Principal, c consultation.Consultation) (ThemesPage, error) {
	ctx := r.Context()
	lang := langOf(r)
	page := ThemesPage{Base: s.orgBase(r, "analysis.themes.title", o), Head: analysisHead(o, p, c, lang, "themes")}
	page.Title = page.T("analysis.themes.title") + ": " + page.Head.Title
	a, err := s.analyse(ctx, c.ID)
	if err != nil {
		return page, err
	}
	page.Responses, page.Version = len(a.responses), a.version
	themes, err := s.Store.Themes(ctx, c.ID)
	if err != nil {
		return page, err
	}
	assigned, err := s.Store.ResponseThemes(ctx, c.ID)
	if err != nil {
		return page, err
	}
	page.Assigned = len(assigned)
	for _, t := range themes {
		v := ThemeView{ID: t.ID, Name: t.Name, Description: t.Description, Count: t.Count,
			ListURL: staffConsultationPath(o, c.ID) + "/responses?theme=" + strconv.FormatInt(t.ID, 10), NameValue: t.Name, DescValue: t.Description}
		for _, q := range t.Quotes {
			v.Quotes = append(v.Quotes, QuoteView{Text: q.Text, URL: staffResponsePath(o, c.ID, q.ResponseID)})
		}
		for _, other := range themes {
			if other.ID != t.ID {
				v.Others = append(v.Others, ThemeChoice{ID: other.ID, Name: other.Name})
			}
		}
		page.Themes = append(page.Themes, v)
		page.Choices = append(page.Choices, ThemeChoice{ID: t.ID, Name: t.Name})
	}
	for i, k := range a.candidates {
		// A proposal most of whose responses already have a theme has been
		// dealt with: accepted, or covered by themes made another way.
		in := 0
		for _, m := range k.Members {
			if len(assigned[m]) > 0 {
				in++
			}
		}
		if 2*in >= len(k.Members) {
			continue
		}
		v := CandidateView{Index: i, Label: k.Label, Size: len(k.Members), Name: listening.Clip(k.Label, consultation.MaxThemeName)}
		for _, q := range k.Quotes[:min(len(k.Quotes), maxCandidateQuotes)] {
			v.Quotes = append(v.Quotes, QuoteView{Text: q.Text, URL: staffResponsePath(o, c.ID, q.ResponseID)})
		}
		page.Candidates = append(page.Candidates, v)
	}
	return page, nil
}

// themesError shows the themes page again with a form's errors, its
// fields renamed as the page names them.
func (s *Server) themesError(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal, c consultation.Consultation,
	err error, rename map[string]string, fill func(*ThemesPage)) error {
	page, perr := s.themesView(r, o, p, c)
	if perr != nil {
		return perr
	}
	if !formErrors(&page.Base, err, rename) {
		return err
	}
	fill(&page)
	return s.render(w, r, http.StatusUnprocessableEntity, "consultation-themes", page)
}

func themesPath(o org.Organisation, consultationID int64) string {
	return staffConsultationPath(o, consultationID) + "/themes"
}

func (s *Server) themesDone(w http.ResponseWriter, r *http.Request, o org.Organisation, c consultation.Consultation, flash, anchor string) error {
	s.sessions.Put(r.Context(), "flash", flash)
	http.Redirect(w, r, themesPath(o, c.ID)+anchor, http.StatusSeeOther)
	return nil
}

// addTheme creates an empty theme, for assigning responses one by one.
func (s *Server) addTheme(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.analysisConsultation(r, o)
	if err != nil {
		return err
	}
	name, desc := r.PostFormValue("name"), strings.TrimSpace(r.PostFormValue("description"))
	clean, err := consultation.CleanThemeName(name)
	if err == nil {
		_, err = s.Store.CreateTheme(r.Context(), consultation.Theme{ConsultationID: c.ID, Name: clean, Description: desc}, nil, p.User.ID)
	}
	if err != nil {
		return s.themesError(w, r, o, p, c, err, nil, func(pg *ThemesPage) { pg.NewName, pg.NewDescription = name, desc })
	}
	return s.themesDone(w, r, o, c, "analysis.flash.theme_added", "#themes")
}

// acceptTheme makes a proposed theme a theme, with its responses.
func (s *Server) acceptTheme(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.analysisConsultation(r, o)
	if err != nil {
		return err
	}
	a, err := s.analyse(r.Context(), c.ID)
	if err != nil {
		return err
	}
	i, err := strconv.Atoi(r.PostFormValue("candidate"))
	if err != nil || i < 0 || i >= len(a.candidates) || r.PostFormValue("version") != a.version {
		// The proposals were made again from new responses since the
		// page was drawn: the numbers no longer name the same ones.
		return s.themesDone(w, r, o, c, "analysis.flash.stale", "#candidates")
	}
	field := "name-c" + strconv.Itoa(i)
	name := r.PostFormValue("name")
	clean, err := consultation.CleanThemeName(name)
	if err == nil {
		_, err = s.Store.CreateTheme(r.Context(), consultation.Theme{ConsultationID: c.ID, Name: clean}, a.candidates[i].Members, p.User.ID)
	}
	if err != nil {
		return s.themesError(w, r, o, p, c, err, map[string]string{"name": field}, func(pg *ThemesPage) {
			for j := range pg.Candidates {
				if pg.Candidates[j].Index == i {
					pg.Candidates[j].Name = name
				}
			}
		})
	}
	return s.themesDone(w, r, o, c, "analysis.flash.accepted", "#themes")
}

// assignBySearch puts every response whose free text matches the words in
// a theme.
func (s *Server) assignBySearch(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.analysisConsultation(r, o)
	if err != nil {
		return err
	}
	words := strings.TrimSpace(r.PostFormValue("q"))
	choice, name := r.PostFormValue("theme"), r.PostFormValue("name")
	fill := func(pg *ThemesPage) { pg.Search, pg.SearchTheme, pg.SearchName = words, choice, name }
	rename := map[string]string{"name": "search-name", "theme": "search-theme"}
	if words == "" {
		return s.themesError(w, r, o, p, c, fieldError("q", "error.analysis.search.required"), nil, fill)
	}
	found, err := s.Store.Responses(r.Context(), c.ID, consultation.ResponseFilter{Search: words})
	if err != nil {
		return err
	}
	if len(found) == 0 {
		return s.themesError(w, r, o, p, c, fieldError("q", "error.analysis.search.none"), nil, fill)
	}
	ids := make([]int64, len(found))
	for i, x := range found {
		ids[i] = x.ID
	}
	if err := s.putInTheme(r.Context(), c.ID, choice, name, ids, p.User.ID); err != nil {
		return s.themesError(w, r, o, p, c, err, rename, fill)
	}
	return s.themesDone(w, r, o, c, "analysis.flash.assigned", "#themes")
}

// pathTheme loads the theme named by {theme}, which must be the consultation's.
func (s *Server) pathTheme(r *http.Request, c consultation.Consultation) (consultation.Theme, error) {
	id, err := strconv.ParseInt(r.PathValue("theme"), 10, 64)
	if err != nil || id <= 0 {
		return consultation.Theme{}, errNotFound
	}
	t, err := s.Store.Theme(r.Context(), id)
	if err == nil && t.ConsultationID != c.ID {
		return t, errNotFound
	}
	return t, err
}

// themeAction loads the consultation and theme of a POST on one theme.
func (s *Server) themeAction(r *http.Request, o org.Organisation) (consultation.Consultation, consultation.Theme, error) {
	c, err := s.analysisConsultation(r, o)
	if err != nil {
		return c, consultation.Theme{}, err
	}
	t, err := s.pathTheme(r, c)
	return c, t, err
}

func (s *Server) renameTheme(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, t, err := s.themeAction(r, o)
	if err != nil {
		return err
	}
	id := strconv.FormatInt(t.ID, 10)
	name, desc := r.PostFormValue("name"), strings.TrimSpace(r.PostFormValue("description"))
	clean, err := consultation.CleanThemeName(name)
	if err == nil {
		err = s.Store.RenameTheme(r.Context(), t.ID, clean, desc, p.User.ID)
	}
	if err != nil {
		return s.themesError(w, r, o, p, c, err, map[string]string{"name": "name-" + id, "description": "description-" + id}, func(pg *ThemesPage) {
			for i := range pg.Themes {
				if pg.Themes[i].ID == t.ID {
					pg.Themes[i].NameValue, pg.Themes[i].DescValue = name, desc
				}
			}
		})
	}
	return s.themesDone(w, r, o, c, "analysis.flash.renamed", "#theme-"+strconv.FormatInt(t.ID, 10))
}

// mergeTheme moves another theme's responses into this one and removes it.
func (s *Server) mergeTheme(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, t, err := s.themeAction(r, o)
	if err != nil {
		return err
	}
	from, err := strconv.ParseInt(r.PostFormValue("from"), 10, 64)
	var other consultation.Theme
	if err == nil {
		other, err = s.Store.Theme(r.Context(), from)
	}
	if err != nil || other.ConsultationID != c.ID || other.ID == t.ID {
		field := "from-" + strconv.FormatInt(t.ID, 10)
		return s.themesError(w, r, o, p, c, fieldError(field, "error.analysis.theme.unknown"), nil, func(*ThemesPage) {})
	}
	if err := s.Store.MergeThemes(r.Context(), t.ID, other.ID, p.User.ID); err != nil {
		return err
	}
	return s.themesDone(w, r, o, c, "analysis.flash.merged", "#theme-"+strconv.FormatInt(t.ID, 10))
}

// splitTheme proposes two themes from a theme's responses and replaces it
// by them; analysts rename them after.
func (s *Server) splitTheme(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, t, err := s.themeAction(r, o)
	if err != nil {
		return err
	}
	parts, err := s.splitParts(r.Context(), c.ID, t)
	if err != nil {
		return err
	}
	if len(parts) < 2 {
		return s.themesDone(w, r, o, c, "analysis.flash.cannot_split", "#theme-"+strconv.FormatInt(t.ID, 10))
	}
	if _, err := s.Store.SplitTheme(r.Context(), t.ID, parts, p.User.ID); err != nil {
		return err
	}
	return s.themesDone(w, r, o, c, "analysis.flash.split", "#themes")
}

// splitParts divides a theme's responses in two by their free text.
// Responses without free text cannot be told apart; they go with the first
// part rather than lose the theme.
func (s *Server) splitParts(ctx context.Context, consultationID int64, t consultation.Theme) ([]consultation.ThemePart, error) {
	qs, err := s.Store.Questions(ctx, consultationID)
	if err != nil {
		return nil, err
	}
	rs, err := s.Store.Responses(ctx, consultationID, consultation.ResponseFilter{ThemeID: t.ID})
	if err != nil {
		return nil, err
	}
	found := consultation.SplitTheme(qs, rs, themeSeed)
	if len(found) < 2 {
		return nil, nil
	}
	found = found[:2]
	placed := map[int64]bool{}
	parts := make([]consultation.ThemePart, len(found))
	for i, k := range found {
		parts[i] = consultation.ThemePart{Name: listening.Clip(t.Name+" – "+k.Label, consultation.MaxThemeName), Members: k.Members}
		for _, m := range k.Members {
			placed[m] = true
		}
	}
	for _, x := range rs {
		if !placed[x.ID] {
			parts[0].Members = append(parts[0].Members, x.ID)
		}
	}
	return parts, nil
}

func (s *Server) deleteTheme(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, t, err := s.themeAction(r, o)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteTheme(r.Context(), t.ID, p.User.ID); err != nil {
		return err
	}
	return s.themesDone(w, r, o, c, "analysis.flash.deleted", "#themes")
}

// ResponseThemeForm is what the "response-themes" partial needs: the
// themes of a response's consultation, those of the response checked. The
// staff response page has it as a field named ThemeForm (nil for staff who
// may not analyse).
type ResponseThemeForm struct {
	Action    string // where the form posts
	ThemesURL string // the themes page, to make themes when there are none
	Themes    []ThemeChoice
}

// responseThemeForm builds the partial's data for a response, or nil when
// the viewer may not assign themes.
func (s *Server) responseThemeForm(ctx context.Context, o org.Organisation, p *account.Principal, consultationID, responseID int64) (*ResponseThemeForm, error) {
	if !p.Can(o.ID, account.PermAnalyse) {
		return nil, nil
	}
	assigned, err := s.Store.ResponseThemes(ctx, consultationID)
	if err != nil {
		return nil, err
	}
	checked := map[int64]bool{}
	for _, id := range assigned[responseID] {
		checked[id] = true
	}
	themes, err := s.themeChoices(ctx, consultationID, checked)
	if err != nil {
		return nil, err
	}
	return &ResponseThemeForm{Action: staffResponsePath(o, consultationID, responseID) + "/themes",
		ThemesURL: themesPath(o, consultationID), Themes: themes}, nil
}

// responseThemes sets the themes of one response to those checked.
func (s *Server) responseThemes(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.analysisConsultation(r, o)
	if err != nil {
		return err
	}
	rid, err := strconv.ParseInt(r.PathValue("response"), 10, 64)
	if err != nil || rid <= 0 {
		return errNotFound
	}
	resp, err := s.Store.Response(r.Context(), rid)
	if err != nil {
		return err
	}
	if resp.ConsultationID != c.ID || resp.Status != consultation.Submitted {
		return errNotFound
	}
	assigned, err := s.Store.ResponseThemes(r.Context(), c.ID)
	if err != nil {
		return err
	}
	had := map[int64]bool{}
	for _, id := range assigned[rid] {
		had[id] = true
	}
	want := map[int64]bool{}
	for _, v := range r.PostForm["theme"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			want[id] = true
		}
	}
	themes, err := s.Store.Themes(r.Context(), c.ID)
	if err != nil {
		return err
	}
	// Only the consultation's own themes are touched, whatever was posted.
	for _, t := range themes {
		if want[t.ID] == had[t.ID] {
			continue
		}
		if _, err := s.Store.AssignTheme(r.Context(), t.ID, []int64{rid}, had[t.ID], p.User.ID); err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
	}
	s.sessions.Put(r.Context(), "flash", "analysis.flash.response_themes")
	http.Redirect(w, r, staffResponsePath(o, c.ID, rid)+"#themes", http.StatusSeeOther)
	return nil
}

// NamedField is a form field whose element ID differs from its name: the
// themes page has a form per theme, each with a "name" field.
type NamedField struct {
	Field
	ID string
}

// Input builds a NamedField: id names the element and its errors, name
// the form value.
func (p ThemesPage) Input(id, name, label, hint, value string) NamedField {
	f := newField(p, id, label, hint, value)
	f.Name = name
	return NamedField{Field: f, ID: id}
}
