package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/measure"
	"parley/internal/org"
)

// MeasureSettingsPage sets whether the organisation publishes its figures,
// the population it serves (for reach) and the population's shares by age
// band (for representativeness), with their source.
type MeasureSettingsPage struct {
	Base
	Org        OrgItem
	Public     bool
	Population Field
	Bands      []BandField
	Source     Field
}

// BandField is one age band's share, in per cent.
type BandField struct {
	Field
	Band string
}

// bandFieldName is the form field of the i-th age band: band names hold
// characters ("+") that make awkward IDs.
func bandFieldName(i int) string { return "band_" + strconv.Itoa(i) }

// measureSettingsForm builds the form from the settings, or from what was
// sent (fromForm) with err's messages against the fields.
func (s *Server) measureSettingsForm(r *http.Request, o org.Organisation, st measure.Settings, fromForm bool, err error) MeasureSettingsPage {
	page := MeasureSettingsPage{Base: s.orgBase(r, "measures.settings.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))}, Public: st.Public}
	if err != nil {
		measureFormErrors(&page.Base, err, "population")
	}
	pop, source := "", st.BaselineSource
	if st.Population > 0 {
		pop = strconv.FormatInt(st.Population, 10)
	}
	if fromForm {
		pop, source, page.Public = r.PostFormValue("population"), r.PostFormValue("source"), r.PostFormValue("public") == "yes"
	}
	page.Population = newField(page, "population", "measures.settings.population", "measures.settings.population_hint", pop)
	page.Source = newField(page, "source", "measures.settings.source", "measures.settings.source_hint", source)
	for i, band := range measure.AgeBands {
		v := ""
		if share, ok := st.Baseline[band]; ok {
			v = strconv.FormatFloat(math.Round(share*1000)/10, 'f', -1, 64)
		}
		if fromForm {
			v = r.PostFormValue(bandFieldName(i))
		}
		f := newField(page, bandFieldName(i), "", "", v)
		f.Label = bandName(page.Base, band)
		page.Bands = append(page.Bands, BandField{Field: f, Band: band})
	}
	return page
}

func (s *Server) measureSettingsPage(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	st, err := s.Store.MeasureSettings(r.Context(), o.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "measures-settings", s.measureSettingsForm(r, o, st, false, nil))
}

// readMeasureSettings reads and checks the settings form. Shares are typed
// in per cent and must add up to 100 (give or take rounding), or all be
// left empty for no baseline.
func readMeasureSettings(r *http.Request, orgID int64) (measure.Settings, error) {
	st := measure.Settings{OrgID: orgID, Public: r.PostFormValue("public") == "yes", BaselineSource: strings.TrimSpace(r.PostFormValue("source"))}
	var fields apperr.Fields
	if v := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("population")), ",", ""); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		fields.Check(err == nil && n > 0 && n <= 2_000_000_000, "population", "measures.settings.error.population")
		st.Population = n
	}
	var sum float64
	given := 0
	for i, band := range measure.AgeBands {
		v := strings.TrimSuffix(strings.TrimSpace(r.PostFormValue(bandFieldName(i))), "%")
		if v == "" {
			continue
		}
		given++
		share, err := strconv.ParseFloat(v, 64)
		if err != nil || share < 0 || share > 100 || math.IsNaN(share) {
			fields.Add(bandFieldName(i), "measures.settings.error.share")
			continue
		}
		if st.Baseline == nil {
			st.Baseline = map[string]float64{}
		}
		st.Baseline[band] = share / 100
		sum += share
	}
	if given > 0 && len(fields.Order()) == 0 && math.Abs(sum-100) > 0.5 {
		fields.Add(bandFieldName(0), "measures.settings.error.sum")
	}
	fields.Check(utf8.RuneCountInString(st.BaselineSource) <= 300, "source", "measures.settings.error.source_long")
	if given > 0 && st.BaselineSource == "" {
		fields.Add("source", "measures.settings.error.source")
	}
	return st, fields.Err()
}

func (s *Server) measureSettingsSave(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	st, err := readMeasureSettings(r, o.ID)
	if err == nil {
		err = s.Store.SetMeasureSettings(r.Context(), st, p.User.ID)
	}
	if apperr.Is(err, apperr.Invalid) {
		page := s.measureSettingsForm(r, o, st, true, err)
		return s.render(w, r, http.StatusUnprocessableEntity, "measures-settings", page)
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "measures.settings.saved")
	http.Redirect(w, r, "/staff/"+o.Slug+"/measures/settings", http.StatusSeeOther)
	return nil
}
