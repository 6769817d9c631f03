package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/org"
)

// staffConsultationAnalysisRoutes registers the analyst's pages of a
// consultation: figures, campaigns, themes, and the outcome.
func (s *Server) staffConsultationAnalysisRoutes(mux *http.ServeMux) {
	const c = "/staff/{org}/consultations/{id}"
	s.staff(mux, "GET", c+"/analysis", account.PermAnalyse, s.analysisPage)
	s.staff(mux, "GET", c+"/analysis/campaigns", account.PermAnalyse, s.campaignsPage)
	s.staff(mux, "POST", c+"/analysis/campaigns/theme", account.PermAnalyse, s.campaignTheme)
	s.staff(mux, "GET", c+"/themes", account.PermAnalyse, s.themesPage)
	s.staff(mux, "POST", c+"/themes", account.PermAnalyse, s.addTheme)
	s.staff(mux, "POST", c+"/themes/accept", account.PermAnalyse, s.acceptTheme)
	s.staff(mux, "POST", c+"/themes/assign", account.PermAnalyse, s.assignBySearch)
	s.staff(mux, "POST", c+"/themes/{theme}/rename", account.PermAnalyse, s.renameTheme)
	s.staff(mux, "POST", c+"/themes/{theme}/merge", account.PermAnalyse, s.mergeTheme)
	s.staff(mux, "POST", c+"/themes/{theme}/split", account.PermAnalyse, s.splitTheme)
	s.staff(mux, "POST", c+"/themes/{theme}/delete", account.PermAnalyse, s.deleteTheme)
	s.staff(mux, "POST", c+"/responses/{response}/themes", account.PermAnalyse, s.responseThemes)
	s.staff(mux, "GET", c+"/outcome", account.PermEdit, s.outcomeForm)
	s.staff(mux, "POST", c+"/outcome", account.PermEdit, s.publishOutcome)
}

// AnalysisHead is the top of every analysis page: whose consultation it
// is, and the links between the pages.
type AnalysisHead struct {
	Org     OrgItem
	ID      int64
	Title   string
	Status  string
	URL     string // the consultation's staff page; the analysis pages hang below it
	CanEdit bool
	Current string // the page shown: analysis, campaigns, themes or outcome
}

func analysisHead(o org.Organisation, p *account.Principal, c consultation.Consultation, lang, current string) AnalysisHead {
	return AnalysisHead{Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)}, ID: c.ID, Title: c.Title(lang), Status: string(c.Status),
		URL: staffConsultationPath(o, c.ID), CanEdit: p.Can(o.ID, account.PermEdit), Current: current}
}

func staffConsultationPath(o org.Organisation, id int64) string {
	return "/staff/" + o.Slug + "/consultations/" + strconv.FormatInt(id, 10)
}

func staffResponsePath(o org.Organisation, consultationID, responseID int64) string {
	return staffConsultationPath(o, consultationID) + "/responses/" + strconv.FormatInt(responseID, 10)
}

// analysisConsultation loads the consultation named by {id}, which must be
// the organisation's.
func (s *Server) analysisConsultation(r *http.Request, o org.Organisation) (consultation.Consultation, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return consultation.Consultation{}, errNotFound
	}
	c, err := s.Store.Consultation(r.Context(), id)
	if err == nil && c.OrgID != o.ID {
		return c, errNotFound
	}
	return c, err
}

// analysisCache keeps the campaigns and candidate themes of consultations:
// on 100,000 responses they take a second or two to find, and they change
// only when responses arrive.
type analysisCache struct {
	mu      sync.Mutex
	entries map[int64]*analysisEntry
}

// analysisEntry is what was found in one version of a consultation's
// responses.
type analysisEntry struct {
	version    string
	campaigns  []consultation.Campaign
	candidates []consultation.Candidate
}

// maxAnalysisEntries bounds the cache: analysts work on a few
// consultations at a time.
const maxAnalysisEntries = 16

// themeSeed makes candidate themes the same from one view to the next.
const themeSeed = 1

// responsesVersion names a set of responses: responses are added but never
// changed in their free text or removed, so the count and the highest ID
// tell when they changed.
func responsesVersion(qs []consultation.Question, rs []consultation.Response) string {
	var top int64
	for _, r := range rs {
		top = max(top, r.ID)
	}
	return strconv.Itoa(len(qs)) + "." + strconv.Itoa(len(rs)) + "." + strconv.FormatInt(top, 10)
}

func (c *analysisCache) get(id int64, qs []consultation.Question, rs []consultation.Response) *analysisEntry {
	v := responsesVersion(qs, rs)
	c.mu.Lock()
	e := c.entries[id]
	c.mu.Unlock()
	if e != nil && e.version == v {
		return e
	}
	// Computed outside the lock: two analysts opening the page at once
	// may both compute, but neither waits for another consultation.
	e = &analysisEntry{version: v, campaigns: consultation.Campaigns(qs, rs), candidates: consultation.CandidateThemes(qs, rs, themeSeed)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[int64]*analysisEntry{}
	}
	if _, ok := c.entries[id]; !ok && len(c.entries) >= maxAnalysisEntries {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[id] = e
	return e
}

// analysed is a consultation's questions, submitted responses and what
// was found in them.
type analysed struct {
	questions []consultation.Question
	responses []consultation.Response
	*analysisEntry
}

func (s *Server) analyse(ctx context.Context, id int64) (analysed, error) {
	qs, err := s.Store.Questions(ctx, id)
	if err != nil {
		return analysed{}, err
	}
	rs, err := s.Store.Responses(ctx, id, consultation.ResponseFilter{})
	if err != nil {
		return analysed{}, err
	}
	return analysed{questions: qs, responses: rs, analysisEntry: s.analysisCache.get(id, qs, rs)}, nil
}

// AnalysisPage shows a consultation's figures, filterable by channel and
// by individual or organisation.
type AnalysisPage struct {
	Base
	Head         AnalysisHead
	Channel      string
	Respondent   string
	Channels     []AnalysisOption
	Respondents  []AnalysisOption
	Filtered     bool
	All          int // responses before the filter
	Responses    int
	FirstAt      time.Time
	LastAt       time.Time
	ByChannel    []AnalysisRow
	ChannelChart *BarChart
	ByKind       []AnalysisRow
	Questions    []AnalysisQuestion
	// Campaigns found among all responses, and the responses in them.
	Campaigns         int
	CampaignResponses int
	ResponsesURL      string
}

// AnalysisOption is an option of a select.
type AnalysisOption struct {
	Value, Label string
	Selected     bool
}

// AnalysisRow is one line of a figures table.
type AnalysisRow struct {
	Label   string
	Count   int
	Percent string
}

// AnalysisQuestion is the figures of one question.
type AnalysisQuestion struct {
	ID       int64
	Position int
	Text     string
	Kind     string
	Answered int
	Rows     []AnalysisRow
	Chart    *BarChart
	Mean     string // scale questions
}

func percentText(p float64) string { return strconv.FormatFloat(p, 'f', 1, 64) }

func (s *Server) analysisPage(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.analysisConsultation(r, o)
	if err != nil {
		return err
	}
	a, err := s.analyse(r.Context(), c.ID)
	if err != nil {
		return err
	}
	lang := langOf(r)
	page := AnalysisPage{Base: s.orgBase(r, "analysis.title", o), Head: analysisHead(o, p, c, lang, "analysis"), All: len(a.responses)}
	page.Title = page.T("analysis.title") + ": " + page.Head.Title
	page.ResponsesURL = page.Head.URL + "/responses"

	// Unknown filter values are ignored rather than refused: the form
	// offers only known ones, and a hand-edited link still shows figures.
	var f consultation.Filter
	if ch := r.URL.Query().Get("channel"); consultation.ValidChannel(ch) {
		f.Channel = ch
	}
	switch k := consultation.Respondent(r.URL.Query().Get("respondent")); k {
	case consultation.Individual, consultation.Organisation:
		f.Respondent = k
	}
	page.Channel, page.Respondent = f.Channel, string(f.Respondent)
	page.Filtered = f != consultation.Filter{}
	page.Channels = append(page.Channels, AnalysisOption{Value: "", Label: page.T("analysis.filter.any_channel"), Selected: f.Channel == ""})
	for _, ch := range consultation.Channels {
		page.Channels = append(page.Channels, AnalysisOption{Value: ch, Label: page.T("analysis.channel." + ch), Selected: f.Channel == ch})
	}
	page.Respondents = []AnalysisOption{
		{Value: "", Label: page.T("analysis.filter.anyone"), Selected: f.Respondent == ""},
		{Value: string(consultation.Individual), Label: page.T("analysis.respondent.individual"), Selected: f.Respondent == consultation.Individual},
		{Value: string(consultation.Organisation), Label: page.T("analysis.respondent.organisation"), Selected: f.Respondent == consultation.Organisation},
	}

	fig := consultation.Analyse(a.questions, a.responses, f)
	page.Responses, page.FirstAt, page.LastAt = fig.Responses, fig.FirstAt, fig.LastAt
	var chRows []chartRow
	for _, k := range fig.ByChannel {
		row := AnalysisRow{Label: page.T("analysis.channel." + k.Key), Count: k.Count, Percent: percentText(k.Percent)}
		page.ByChannel = append(page.ByChannel, row)
		chRows = append(chRows, chartRow{Label: row.Label, Count: row.Count, Value: row.Percent + "%"})
	}
	if len(chRows) > 0 {
		page.ChannelChart = newBarChart("chart-channels", page.T("analysis.by_channel"), chartDesc(page.Base, page.Responses, page.ByChannel), chRows)
	}
	for _, k := range fig.ByKind {
		page.ByKind = append(page.ByKind, AnalysisRow{Label: page.T("analysis.respondent." + k.Key), Count: k.Count, Percent: percentText(k.Percent)})
	}
	for _, qf := range fig.Questions {
		q := qf.Question
		aq := AnalysisQuestion{ID: q.ID, Position: q.Position, Text: q.Text(lang), Kind: string(q.Kind), Answered: qf.Answered}
		if q.Choice() {
			var rows []chartRow
			for j, k := range qf.Options {
				label := k.Label
				if j < len(q.Options) {
					label = q.Options[j].Label(lang)
				}
				row := AnalysisRow{Label: label, Count: k.Count, Percent: percentText(k.Percent)}
				aq.Rows = append(aq.Rows, row)
				rows = append(rows, chartRow{Label: label, Count: k.Count, Value: row.Percent + "%"})
			}
			id := "chart-q" + strconv.FormatInt(q.ID, 10)
			aq.Chart = newBarChart(id, page.T("analysis.question_chart", "Position", q.Position), chartDesc(page.Base, qf.Answered, aq.Rows), rows)
			if q.Kind == consultation.Scale && qf.Answered > 0 {
				aq.Mean = strconv.FormatFloat(qf.Mean, 'f', 2, 64)
			}
		}
		page.Questions = append(page.Questions, aq)
	}
	page.Campaigns = len(a.campaigns)
	for _, k := range a.campaigns {
		page.CampaignResponses += k.Size
	}
	return s.render(w, r, http.StatusOK, "consultation-analysis", page)
}

// chartDesc says in words what a chart's bars show, for screen readers.
func chartDesc(b Base, total int, rows []AnalysisRow) string {
	parts := []string{b.T("analysis.chart.total", "Count", total)}
	for _, row := range rows {
		parts = append(parts, b.T("analysis.chart.bar", "Label", row.Label, "Count", row.Count, "Percent", row.Percent))
	}
	return strings.Join(parts, " ")
}

// CampaignsPage lists the form-letter campaigns among the responses.
type CampaignsPage struct {
	Base
	Head      AnalysisHead
	Total     int // submitted responses
	Responses int // responses in campaigns
	Campaigns []CampaignView
	Themes    []ThemeChoice
}

// CampaignView is one campaign: its template, its members and what each added.
type CampaignView struct {
	Key         int64 // the template response's ID: names the campaign in forms and links
	Number      int
	Size        int
	Added       int
	Template    string
	TemplateURL string
	Members     []CampaignMemberView
	Hidden      int    // members not listed
	AllURL      string // the page listing every member of this campaign
	Name        string // the new theme's name, prefilled
	Theme       string // the theme chosen, refilled after an error
}

// CampaignMemberView is a response of a campaign.
type CampaignMemberView struct {
	ID    int64
	URL   string
	Added string
}

// campaignMembersShown caps the members listed per campaign, so a page of
// campaigns of thousands stays small; a link lists all of one campaign.
const campaignMembersShown = 25

func (s *Server) campaignsPage(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.analysisConsultation(r, o)
	if err != nil {
		return err
	}
	page, err := s.campaignsView(r, o, p, c)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "consultation-analysis-campaigns", page)
}

func (s *Server) campaignsView(r *http.Request, o org.Organisation, p *account.Principal, c consultation.Consultation) (CampaignsPage, error) {
	lang := langOf(r)
	page := CampaignsPage{Base: s.orgBase(r, "analysis.campaigns.title", o), Head: analysisHead(o, p, c, lang, "campaigns")}
	page.Title = page.T("analysis.campaigns.title") + ": " + page.Head.Title
	a, err := s.analyse(r.Context(), c.ID)
	if err != nil {
		return page, err
	}
	if page.Themes, err = s.themeChoices(r.Context(), c.ID, nil); err != nil {
		return page, err
	}
	page.Total = len(a.responses)
	show, _ := strconv.ParseInt(r.URL.Query().Get("all"), 10, 64)
	base := page.Head.URL + "/analysis/campaigns"
	for i, k := range a.campaigns {
		page.Responses += k.Size
		v := CampaignView{Key: k.TemplateID, Number: i + 1, Size: k.Size, Added: k.Added, Template: k.Template,
			TemplateURL: staffResponsePath(o, c.ID, k.TemplateID),
			AllURL:      base + "?all=" + strconv.FormatInt(k.TemplateID, 10) + "#campaign-" + strconv.FormatInt(k.TemplateID, 10),
			Name:        page.T("analysis.campaigns.default_name", "Start", clipWords(k.Template, 8))}
		members := k.Members
		if show != k.TemplateID && len(members) > campaignMembersShown {
			v.Hidden = len(members) - campaignMembersShown
			members = members[:campaignMembersShown]
		}
		for _, m := range members {
			v.Members = append(v.Members, CampaignMemberView{ID: m.ResponseID, URL: staffResponsePath(o, c.ID, m.ResponseID), Added: m.Added})
		}
		page.Campaigns = append(page.Campaigns, v)
	}
	return page, nil
}

// campaignTheme puts every member of a campaign in a theme, new or existing.
func (s *Server) campaignTheme(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.analysisConsultation(r, o)
	if err != nil {
		return err
	}
	key, _ := strconv.ParseInt(r.PostFormValue("campaign"), 10, 64)
	a, err := s.analyse(r.Context(), c.ID)
	if err != nil {
		return err
	}
	var members []int64
	for _, k := range a.campaigns {
		if k.TemplateID == key {
			for _, m := range k.Members {
				members = append(members, m.ResponseID)
			}
		}
	}
	back := staffConsultationPath(o, c.ID) + "/analysis/campaigns"
	if len(members) == 0 {
		// New responses changed the campaigns since the page was drawn.
		s.sessions.Put(r.Context(), "flash", "analysis.flash.stale")
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	field := "name-" + strconv.FormatInt(key, 10)
	choice, name := r.PostFormValue("theme"), r.PostFormValue("name")
	if err := s.putInTheme(r.Context(), c.ID, choice, name, members, p.User.ID); err != nil {
		page, perr := s.campaignsView(r, o, p, c)
		if perr != nil {
			return perr
		}
		if !formErrors(&page.Base, err, map[string]string{"name": field, "theme": "theme-" + strconv.FormatInt(key, 10)}) {
			return err
		}
		for i := range page.Campaigns {
			if page.Campaigns[i].Key == key {
				page.Campaigns[i].Name, page.Campaigns[i].Theme = name, choice
			}
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "consultation-analysis-campaigns", page)
	}
	s.sessions.Put(r.Context(), "flash", "analysis.flash.assigned")
	http.Redirect(w, r, back+"#campaign-"+strconv.FormatInt(key, 10), http.StatusSeeOther)
	return nil
}

// putInTheme assigns responses to the theme chosen by a form: "new" (or
// nothing) creates one with the name given, otherwise a theme's ID.
func (s *Server) putInTheme(ctx context.Context, consultationID int64, choice, name string, members []int64, actorID int64) error {
	if choice == "" || choice == "new" {
		name, err := consultation.CleanThemeName(name)
		if err != nil {
			return err
		}
		_, err = s.Store.CreateTheme(ctx, consultation.Theme{ConsultationID: consultationID, Name: name}, members, actorID)
		return err
	}
	id, err := strconv.ParseInt(choice, 10, 64)
	if err != nil {
		return fieldError("theme", "error.analysis.theme.unknown")
	}
	t, err := s.Store.Theme(ctx, id)
	if apperr.Is(err, apperr.NotFound) || (err == nil && t.ConsultationID != consultationID) {
		return fieldError("theme", "error.analysis.theme.unknown")
	}
	if err != nil {
		return err
	}
	_, err = s.Store.AssignTheme(ctx, id, members, false, actorID)
	return err
}

func fieldError(field, msg string) error {
	var f apperr.Fields
	f.Add(field, msg)
	return f.Err()
}

// formErrors puts an Invalid error's messages on the page, renaming the
// store's field names to those of the form that failed (a page with many
// forms names each form's fields apart). It reports false for any other
// error.
func formErrors(b *Base, err error, rename map[string]string) bool {
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Kind != apperr.Invalid {
		return false
	}
	order, fields := ae.Order, ae.Fields
	if len(order) == 0 {
		order, fields = []string{"name"}, map[string]string{"name": ae.Msg}
	}
	var named []string
	renamed := map[string]string{}
	for _, f := range order {
		to := f
		if n, ok := rename[f]; ok {
			to = n
		}
		if _, dup := renamed[to]; !dup {
			named = append(named, to)
			renamed[to] = fields[f]
		}
	}
	b.withErrors(named, renamed)
	return true
}

// ThemeChoice is a theme offered in a select or as a checkbox.
type ThemeChoice struct {
	ID      int64
	Name    string
	Checked bool
}

// themeChoices lists the consultation's themes, checking those in checked.
func (s *Server) themeChoices(ctx context.Context, consultationID int64, checked map[int64]bool) ([]ThemeChoice, error) {
	themes, err := s.Store.Themes(ctx, consultationID)
	if err != nil {
		return nil, err
	}
	out := make([]ThemeChoice, 0, len(themes))
	for _, t := range themes {
		out = append(out, ThemeChoice{ID: t.ID, Name: t.Name, Checked: checked[t.ID]})
	}
	return out, nil
}
