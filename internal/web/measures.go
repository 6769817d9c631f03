package web

import (
	"net/http"
	"sort"
	"strconv"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/measure"
	"parley/internal/org"
)

// measureRoutes registers the public measurement pages: the comparison of
// organisations, how every figure is worked out, and the dashboard,
// calculator and downloads of each organisation that publishes its figures.
func (s *Server) measureRoutes(mux *http.ServeMux) {
	mux.Handle("GET /measures", s.h(s.cached(s.measuresPage)))
	mux.Handle("GET /measures.csv", s.h(s.cached(s.measuresDownload("csv"))))
	mux.Handle("GET /measures.json", s.h(s.cached(s.measuresDownload("json"))))
	mux.Handle("GET /measures/method", s.h(s.cached(s.measuresMethod)))
	mux.Handle("GET /organisations/{slug}/measures", s.h(s.cached(s.orgMeasures)))
	mux.Handle("GET /organisations/{slug}/measures/what-if", s.h(s.cached(s.orgMeasuresWhatIf)))
	mux.Handle("GET /organisations/{slug}/measures.csv", s.h(s.cached(s.orgMeasuresDownload("csv"))))
	mux.Handle("GET /organisations/{slug}/measures.json", s.h(s.cached(s.orgMeasuresDownload("json"))))
}

// mayViewMeasures says whether the visitor may see an organisation's
// figures: anyone once it publishes them, its own staff and platform
// administrators before.
func mayViewMeasures(p *account.Principal, orgID int64, st measure.Settings) bool {
	return st.Public || p.Can(orgID, account.PermStaffArea)
}

// publicMeasureOrg loads the organisation of a public measurement page and
// its settings; NotFound when the visitor may not see its figures, so an
// unpublished organisation's page does not exist for the public.
func (s *Server) publicMeasureOrg(r *http.Request) (org.Organisation, measure.Settings, error) {
	o, err := s.Store.OrgBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return o, measure.Settings{}, err
	}
	st, err := s.Store.MeasureSettings(r.Context(), o.ID)
	if err != nil {
		return o, st, err
	}
	if !mayViewMeasures(principalOf(r), o.ID, st) {
		return o, st, apperr.New(apperr.NotFound, "error.404.body")
	}
	return o, st, nil
}

// MeasuresPage is the cross-organisation dashboard.
type MeasuresPage struct {
	Base
	Period     string
	Filter     FilterForm
	Rows       []CompareRow
	Chart      *BarChart
	Components []string // the index components' names, in column order
	CSV, JSON  string
	Unranked   bool // some rows are unranked: say why
}

// CompareRow is one organisation in the comparison.
type CompareRow struct {
	Rank         string
	Name         string
	URL          string // its public dashboard; "" when not published
	Published    bool
	Index        string
	Components   []string
	Measured     int
	TakeUp       string
	CostPerTxn   string
	CostNote     string
	Transactions string
	Saving       string
	Participants string
	Outcome      string
	OnTime       string
}

// comparedOrgs is who the comparison shows the visitor: organisations that
// publish their figures, and those the visitor works for. Platform
// administrators see every organisation with settings or records: ids is
// nil for them, as measure.Compare takes it. known lists the organisations
// the filter's services are drawn from.
func (s *Server) comparedOrgs(r *http.Request) (ids, known []int64, all map[int64]measure.Settings, err error) {
	all, err = s.Store.AllMeasureSettings(r.Context())
	if err != nil {
		return nil, nil, nil, err
	}
	p := principalOf(r)
	for id, st := range all {
		if mayViewMeasures(p, id, st) {
			known = append(known, id)
		}
	}
	if p != nil && !p.User.PlatformAdmin {
		for _, m := range p.Memberships {
			if _, ok := all[m.OrgID]; !ok {
				known = append(known, m.OrgID)
			}
		}
	}
	sort.Slice(known, func(i, j int) bool { return known[i] < known[j] })
	ids = known
	if p != nil && p.User.PlatformAdmin {
		ids = nil
	} else if ids == nil {
		ids = []int64{}
	}
	return ids, known, all, nil
}

// compare works out the comparison for the request's filter.
func (s *Server) compare(r *http.Request, f measureFilter, ids []int64) ([]measure.Row, error) {
	if ids != nil && len(ids) == 0 {
		return nil, nil // nobody publishes yet
	}
	return measure.Compare(r.Context(), s.Store, ids, f.Query, s.Now())
}

func (s *Server) measuresPage(w http.ResponseWriter, r *http.Request) error {
	f := parseMeasureFilter(r.URL.Query(), s.Now())
	page := MeasuresPage{Base: s.base(r, "measures.title")}
	ids, known, _, err := s.comparedOrgs(r)
	if err != nil {
		return err
	}
	services, err := s.servicesOf(r, known)
	if err != nil {
		return err
	}
	f.checkChoices(services, measure.Builtin)
	filterErrors(&page.Base, f)
	page.Filter = filterForm(page.Base, "/measures", f, false, services, measure.Builtin)
	page.Period = periodText(page, page.Lang, f.Query.Period)
	rows, err := s.compare(r, f, ids)
	if err != nil {
		return err
	}
	names, err := s.orgNames(r, page.Lang)
	if err != nil {
		return err
	}
	for _, k := range measure.Components {
		page.Components = append(page.Components, page.T("measures.component."+k))
	}
	var bars []chartRow
	for _, row := range rows {
		o := names[row.OrgID]
		cr := compareRow(page.Base, row, o.Name)
		switch {
		case row.Public:
			cr.URL = "/organisations/" + o.Slug + "/measures"
		case page.User.Can(row.OrgID, account.PermAnalyse):
			cr.URL = "/staff/" + o.Slug + "/measures"
		}
		page.Unranked = page.Unranked || row.Score.Rank == 0
		page.Rows = append(page.Rows, cr)
		if row.Score.Index.Valid && row.Score.Rank > 0 {
			bars = append(bars, chartRow{Label: o.Name, Count: int(row.Score.Index.Value*10 + 0.5), Value: cr.Index})
		}
	}
	if len(bars) > 0 {
		page.Chart = newBarChart("chart-ranking", page.T("measures.chart.ranking_title"),
			page.T("measures.chart.ranking_desc", "Count", len(bars), "Top", bars[0].Label, "Index", bars[0].Value), bars)
	}
	v := f.values()
	page.CSV, page.JSON = withQuery("/measures.csv", v), withQuery("/measures.json", v)
	return s.render(w, r, filterStatus(f), "measures", page)
}

// compareRow writes out one organisation of the comparison.
func compareRow(b Base, row measure.Row, name string) CompareRow {
	cr := CompareRow{Name: name, Published: row.Public, Index: b.T("measures.no_data"), Measured: row.Score.Measured,
		TakeUp: ratioText(b, row.DigitalTakeUp), CostPerTxn: moneyText(b, row.CostPerTransaction), CostNote: moneyNote(b, row.CostPerTransaction),
		Transactions: formatCount(row.Transactions), Saving: b.T("measures.no_data"), Participants: formatCount(row.Engagement.Participants),
		Outcome: ratioText(b, row.Engagement.OutcomeShare), OnTime: ratioText(b, row.Engagement.OnTimeShare), Rank: b.T("measures.unranked")}
	if row.Score.Index.Valid {
		cr.Index = formatDecimal(row.Score.Index.Value)
	}
	if row.Score.Rank > 0 {
		cr.Rank = strconv.Itoa(row.Score.Rank)
	}
	if row.Saving != nil && row.Saving.Valid {
		cr.Saving = formatPounds(row.Saving.Saving)
	}
	for _, k := range measure.Components {
		cr.Components = append(cr.Components, ratioText(b, row.Score.Components[k]))
	}
	return cr
}

// orgNames maps every organisation to its slug and name in lang.
func (s *Server) orgNames(r *http.Request, lang string) (map[int64]OrgItem, error) {
	orgs, err := s.Store.Orgs(r.Context(), "", 10000)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]OrgItem, len(orgs))
	for _, o := range orgs {
		m[o.ID] = OrgItem{Slug: o.Slug, Name: o.Name(lang)}
	}
	return m, nil
}

// servicesOf lists the services of the organisations, each once, by name.
func (s *Server) servicesOf(r *http.Request, ids []int64) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		list, err := s.Store.MeasureServices(r.Context(), id)
		if err != nil {
			return nil, err
		}
		for _, sv := range list {
			if !seen[sv] {
				seen[sv] = true
				out = append(out, sv)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// MeasureMethodPage says how every figure and the index are worked out.
type MeasureMethodPage struct {
	Base
	Defaults      []CostRow
	ReachTarget   string
	MinComponents int
	Components    []ComponentRow
}

func (s *Server) measuresMethod(w http.ResponseWriter, r *http.Request) error {
	page := MeasureMethodPage{Base: s.base(r, "measures.method.title"), ReachTarget: formatShare(measure.ReachTarget),
		MinComponents: measure.MinComponents}
	for _, c := range measure.Builtin {
		for _, uc := range measure.DefaultCosts {
			if uc.Channel == c.Key {
				page.Defaults = append(page.Defaults, CostRow{Channel: channelName(page.Lang, c), Cost: formatPounds(float64(uc.Pence)), Source: uc.Source})
			}
		}
	}
	for _, k := range measure.Components {
		page.Components = append(page.Components, ComponentRow{Key: k, Name: page.T("measures.component." + k), Value: page.T("measures.method.component." + k)})
	}
	return s.render(w, r, http.StatusOK, "measures-method", page)
}

// MeasureOrgPage is an organisation's dashboard, public or in the staff
// area (Staff set: links to the settings pages and a baseline filter).
type MeasureOrgPage struct {
	Base
	Org       OrgItem
	Staff     bool
	Published bool
	Prefix    string // the dashboard's path; the calculator and downloads hang off it
	Filter    FilterForm
	D         MeasureDashboard
	WhatIf    string
	CSV, JSON string
	CanEdit   bool
	CanManage bool
	Source    string // where the population baseline came from
}

// orgReport reads an organisation's report for the request's filter.
func (s *Server) orgReport(r *http.Request, o org.Organisation) (measure.Report, measureFilter, []string, error) {
	f := parseMeasureFilter(r.URL.Query(), s.Now())
	services, err := s.Store.MeasureServices(r.Context(), o.ID)
	if err != nil {
		return measure.Report{}, f, nil, err
	}
	channels, err := s.Store.MeasureChannels(r.Context(), o.ID)
	if err != nil {
		return measure.Report{}, f, nil, err
	}
	f.checkChoices(services, channels)
	rep, err := measure.OrgReport(r.Context(), s.Store, o.ID, f.Query, s.Now())
	return rep, f, services, err
}

// measureOrgPage builds the dashboard of o at prefix.
func (s *Server) measureOrgPage(r *http.Request, o org.Organisation, staff bool, prefix string) (MeasureOrgPage, measureFilter, error) {
	rep, f, services, err := s.orgReport(r, o)
	if err != nil {
		return MeasureOrgPage{}, f, err
	}
	page := MeasureOrgPage{Base: s.orgBase(r, "", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))}, Staff: staff,
		Published: rep.Settings.Public, Prefix: prefix, Source: rep.Settings.BaselineSource}
	page.Title = page.T("measures.org.title", "Org", page.Org.Name)
	filterErrors(&page.Base, f)
	page.Filter = filterForm(page.Base, prefix, f, staff, services, rep.Channels)
	page.D = dashboard(page.Base, rep)
	v := f.values()
	page.WhatIf = withQuery(prefix+"/what-if", v)
	page.CSV, page.JSON = withQuery(prefix+".csv", v), withQuery(prefix+".json", v)
	if p := principalOf(r); p != nil {
		page.CanEdit, page.CanManage = p.Can(o.ID, account.PermEdit), p.Can(o.ID, account.PermManageStaff)
	}
	return page, f, nil
}

func (s *Server) orgMeasures(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.publicMeasureOrg(r)
	if err != nil {
		return err
	}
	page, f, err := s.measureOrgPage(r, o, false, "/organisations/"+o.Slug+"/measures")
	if err != nil {
		return err
	}
	return s.render(w, r, filterStatus(f), "measures-org", page)
}

func (s *Server) orgMeasuresWhatIf(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.publicMeasureOrg(r)
	if err != nil {
		return err
	}
	return s.whatIf(w, r, o, false, "/organisations/"+o.Slug+"/measures")
}

func (s *Server) orgMeasuresDownload(format string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		o, _, err := s.publicMeasureOrg(r)
		if err != nil {
			return err
		}
		return s.downloadOrgReport(w, r, o, format)
	}
}

func (s *Server) measuresDownload(format string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		f := parseMeasureFilter(r.URL.Query(), s.Now())
		if err := f.errs.Err(); err != nil {
			return err
		}
		ids, _, _, err := s.comparedOrgs(r)
		if err != nil {
			return err
		}
		rows, err := s.compare(r, f, ids)
		if err != nil {
			return err
		}
		names, err := s.orgNames(r, "en")
		if err != nil {
			return err
		}
		return writeComparison(w, format, f.Query, rows, names)
	}
}

// downloadOrgReport writes an organisation's figures as CSV or JSON.
func (s *Server) downloadOrgReport(w http.ResponseWriter, r *http.Request, o org.Organisation, format string) error {
	rep, f, _, err := s.orgReport(r, o)
	if err != nil {
		return err
	}
	if err := f.errs.Err(); err != nil {
		return err
	}
	return writeReport(w, format, o.Slug, rep)
}
