package web

import (
	"net/http"
	"strconv"
	"strings"

	"parley/internal/account"
	"parley/internal/consultation"
	"parley/internal/i18n"
	"parley/internal/org"
)

// OutcomeFormPage is where staff write and publish the outcome: "We
// asked, you said, we did".
type OutcomeFormPage struct {
	Base
	Head       AnalysisHead
	CanPublish bool // the consultation is closed
	Published  bool // the outcome is out; the page shows it
	PublicURL  string
	SummaryEN  string
	SummaryCY  string
	DecisionEN string
	DecisionCY string
	Rows       []OutcomeRow
	Summary    []string // the published summary, by paragraph
	Decision   []string
}

// OutcomeRow is one "You said / We did" item of the form.
type OutcomeRow struct {
	N      int // 1-based: names the row's fields
	SaidEN string
	DidEN  string
	SaidCY string
	DidCY  string
	Themes []ThemeChoice // Checked marks the theme the item is tied to
}

// blankOutcomeRows is how many empty items the form offers beyond those
// written: without JavaScript, rows cannot be added on the page.
const blankOutcomeRows = 5

func (s *Server) outcomeForm(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.analysisConsultation(r, o)
	if err != nil {
		return err
	}
	page, themes, err := s.outcomeView(r, o, p, c)
	if err != nil {
		return err
	}
	if page.CanPublish {
		a, err := s.analyse(r.Context(), c.ID)
		if err != nil {
			return err
		}
		all, err := s.Store.Themes(r.Context(), c.ID)
		if err != nil {
			return err
		}
		fig := consultation.Analyse(a.questions, a.responses, consultation.Filter{})
		page.SummaryEN = outcomeSummary(s.Catalogue.Printer("en"), fig, a.campaigns, all)
		page.SummaryCY = outcomeSummary(s.Catalogue.Printer("cy"), fig, a.campaigns, all)
		page.Rows = outcomeRows(nil, themes)
	}
	return s.render(w, r, http.StatusOK, "consultation-outcome", page)
}

func (s *Server) outcomeView(r *http.Request, o org.Organisation, p *account.Principal, c consultation.Consultation) (OutcomeFormPage, []consultation.Theme, error) {
	lang := langOf(r)
	page := OutcomeFormPage{Base: s.orgBase(r, "analysis.outcome.title", o), Head: analysisHead(o, p, c, lang, "outcome"),
		CanPublish: c.Status == consultation.Closed, Published: c.Status == consultation.Outcome,
		PublicURL: "/consultations/" + strconv.FormatInt(c.ID, 10)}
	page.Title = page.T("analysis.outcome.title") + ": " + page.Head.Title
	if page.Published {
		page.Summary, page.Decision = paragraphs(c.OutcomeSummary(lang)), paragraphs(c.Decision(lang))
		for i, y := range c.Result.Items {
			page.Rows = append(page.Rows, OutcomeRow{N: i + 1, SaidEN: y.Said(lang), DidEN: y.Did(lang)})
		}
	}
	themes, err := s.Store.Themes(r.Context(), c.ID)
	return page, themes, err
}

// outcomeRows lays out the items given and blank ones after them, each
// with the themes to tie it to.
func outcomeRows(items []consultation.YouSaid, themes []consultation.Theme) []OutcomeRow {
	rows := make([]OutcomeRow, 0, len(items)+blankOutcomeRows)
	for i := range len(items) + blankOutcomeRows {
		row := OutcomeRow{N: i + 1}
		var themeID int64
		if i < len(items) {
			y := items[i]
			row.SaidEN, row.DidEN, row.SaidCY, row.DidCY, themeID = y.SaidEN, y.DidEN, y.SaidCY, y.DidCY, y.ThemeID
		}
		for _, t := range themes {
			row.Themes = append(row.Themes, ThemeChoice{ID: t.ID, Name: t.Name, Checked: t.ID == themeID})
		}
		rows = append(rows, row)
	}
	return rows
}

// maxOutcomeRows bounds the rows read from a form.
const maxOutcomeRows = consultation.MaxYouSaid + blankOutcomeRows

func (s *Server) publishOutcome(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.analysisConsultation(r, o)
	if err != nil {
		return err
	}
	page, themes, err := s.outcomeView(r, o, p, c)
	if err != nil {
		return err
	}
	if !page.CanPublish {
		return s.render(w, r, http.StatusConflict, "consultation-outcome", page)
	}
	known := map[int64]bool{}
	for _, t := range themes {
		known[t.ID] = true
	}
	f := r.PostForm
	res := consultation.Result{SummaryEN: strings.TrimSpace(f.Get("summary_en")), SummaryCY: strings.TrimSpace(f.Get("summary_cy")),
		DecisionEN: strings.TrimSpace(f.Get("decision_en")), DecisionCY: strings.TrimSpace(f.Get("decision_cy"))}
	var posted []consultation.YouSaid // every row, blank ones too, to show the form again
	for n := 1; n <= maxOutcomeRows; n++ {
		k := strconv.Itoa(n)
		if _, ok := f["said_en_"+k]; !ok {
			break
		}
		y := consultation.YouSaid{SaidEN: strings.TrimSpace(f.Get("said_en_" + k)), DidEN: strings.TrimSpace(f.Get("did_en_" + k)),
			SaidCY: strings.TrimSpace(f.Get("said_cy_" + k)), DidCY: strings.TrimSpace(f.Get("did_cy_" + k))}
		if id, err := strconv.ParseInt(f.Get("theme_"+k), 10, 64); err == nil && known[id] {
			y.ThemeID = id
		}
		posted = append(posted, y)
		if y.SaidEN != "" || y.DidEN != "" || y.SaidCY != "" || y.DidCY != "" {
			res.Items = append(res.Items, y)
		}
	}
	ev := consultation.OutcomeEvent(c, res)
	err = s.Store.PublishOutcome(r.Context(), c.ID, res, ev, p.User.ID)
	if formErrors(&page.Base, err, nil) {
		page.SummaryEN, page.SummaryCY, page.DecisionEN, page.DecisionCY = res.SummaryEN, res.SummaryCY, res.DecisionEN, res.DecisionCY
		// Show the rows as posted, blanks included, so nothing moves.
		page.Rows = outcomeRows(trimBlankRows(posted), themes)
		return s.render(w, r, http.StatusUnprocessableEntity, "consultation-outcome", page)
	}
	if err != nil {
		return err
	}
	s.WakeJobs()
	s.sessions.Put(r.Context(), "flash", "analysis.flash.published")
	http.Redirect(w, r, staffConsultationPath(o, c.ID)+"/outcome", http.StatusSeeOther)
	return nil
}

// trimBlankRows drops the blank rows at the end: the form adds its own.
func trimBlankRows(items []consultation.YouSaid) []consultation.YouSaid {
	for len(items) > 0 {
		y := items[len(items)-1]
		if y.SaidEN != "" || y.DidEN != "" || y.SaidCY != "" || y.DidCY != "" {
			break
		}
		items = items[:len(items)-1]
	}
	return items
}

// outcomeSummary writes a summary of the responses from the figures, in
// the printer's language, for staff to edit before publishing.
func outcomeSummary(p i18n.Printer, fig consultation.Figures, campaigns []consultation.Campaign, themes []consultation.Theme) string {
	if fig.Responses == 0 {
		return p.T("analysis.summary.none")
	}
	var paras []string
	var channels []string
	for _, k := range fig.ByChannel {
		channels = append(channels, p.T("analysis.summary.channel."+k.Key, "Count", k.Count, "Percent", percentText(k.Percent)))
	}
	paras = append(paras, p.T("analysis.summary.total", "Count", fig.Responses, "Channels", strings.Join(channels, "; ")))
	kinds := map[string]int{}
	for _, k := range fig.ByKind {
		kinds[k.Key] = k.Count
	}
	paras = append(paras, p.T("analysis.summary.kinds", "Individuals", kinds[string(consultation.Individual)],
		"Organisations", kinds[string(consultation.Organisation)]))
	if len(campaigns) > 0 {
		n := 0
		for _, k := range campaigns {
			n += k.Size
		}
		paras = append(paras, p.T("analysis.summary.campaigns", "Responses", n, "Campaigns", len(campaigns)))
	}
	for _, qf := range fig.Questions {
		q := qf.Question
		if !q.Choice() || qf.Answered == 0 {
			continue
		}
		top := 0
		for j, k := range qf.Options {
			if k.Count > qf.Options[top].Count {
				top = j
			}
		}
		line := p.T("analysis.summary.question", "Position", q.Position, "Question", q.Text(p.Lang),
			"Option", q.Options[top].Label(p.Lang), "Percent", percentText(qf.Options[top].Percent), "Answered", qf.Answered)
		if q.Kind == consultation.Scale {
			line += " " + p.T("analysis.summary.mean", "Mean", strconv.FormatFloat(qf.Mean, 'f', 2, 64), "Points", len(q.Options))
		}
		paras = append(paras, line)
	}
	if len(themes) > 0 {
		var list []string
		for _, t := range topThemes(themes, 5) {
			list = append(list, p.T("analysis.summary.theme", "Name", t.Name, "Count", t.Count))
		}
		paras = append(paras, p.T("analysis.summary.themes", "List", strings.Join(list, "; ")))
	}
	return strings.Join(paras, "\n\n")
}

// topThemes returns the n themes with the most responses, most first.
func topThemes(themes []consultation.Theme, n int) []consultation.Theme {
	out := append([]consultation.Theme(nil), themes...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Count > out[j-1].Count; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out[:min(n, len(out))]
}
