package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"parley/internal/apperr"
	"parley/internal/measure"
	"parley/internal/org"
)

// MeasureWhatIfPage is the channel-shift calculator: a GET form, so it
// works without JavaScript and its answer can be linked to.
type MeasureWhatIfPage struct {
	Base
	Org       OrgItem
	Staff     bool
	Dashboard string // back to the dashboard, filter kept
	Action    string // the calculator's own path
	Period    string
	Hidden    []HiddenField // the dashboard's filter, carried through the form
	From      SelectField
	To        SelectField
	Percent   Field
	Result    *WhatIfView
}

// HiddenField is a form field carried through unchanged.
type HiddenField struct {
	Name, Value string
}

// WhatIfView is the calculator's answer, written out.
type WhatIfView struct {
	Summary   string
	Moved     string
	CostNow   string
	CostAfter string
	Saving    string
	Negative  bool
	Valid     bool
	Note      string
}

// whatIfInput reads the calculator's fields; asked is false when the form
// has not been sent yet (the page then shows it empty).
func whatIfInput(q map[string][]string, channels []measure.Channel) (w measure.WhatIf, percent string, asked bool, errs apperr.Fields) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	w.From, w.To, percent = get("move_from"), get("move_to"), get("percent")
	asked = w.From != "" || w.To != "" || percent != ""
	if !asked {
		return w, percent, false, errs
	}
	known := channelIndex(channels)
	if _, ok := known[w.From]; !ok {
		errs.Add("move_from", "measures.whatif.error.from")
	}
	if _, ok := known[w.To]; !ok {
		errs.Add("move_to", "measures.whatif.error.to")
	} else if w.To == w.From {
		errs.Add("move_to", "measures.whatif.error.same")
	}
	p, err := strconv.ParseFloat(strings.TrimSuffix(percent, "%"), 64)
	if err != nil || p < 0 || p > 100 || math.IsNaN(p) {
		errs.Add("percent", "measures.whatif.error.percent")
	}
	w.Percent = p
	return w, percent, true, errs
}

// whatIf serves the calculator for o, public or staff, under prefix.
func (s *Server) whatIf(w http.ResponseWriter, r *http.Request, o org.Organisation, staff bool, prefix string) error {
	rep, f, _, err := s.orgReport(r, o)
	if err != nil {
		return err
	}
	in, percent, asked, errs := whatIfInput(r.URL.Query(), rep.Channels)
	page := MeasureWhatIfPage{Base: s.orgBase(r, "", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))}, Staff: staff,
		Dashboard: withQuery(prefix, f.values()), Action: prefix + "/what-if"}
	page.Title = page.T("measures.whatif.title_of", "Org", page.Org.Name)
	page.Period = periodText(page, page.Lang, rep.Query.Period)
	filterErrors(&page.Base, f)
	if err := errs.Err(); err != nil {
		ae := err.(*apperr.Error)
		page.withErrors(ae.Order, ae.Fields)
	}
	for k, v := range f.values() {
		page.Hidden = append(page.Hidden, HiddenField{Name: k, Value: v[0]})
	}
	sortHidden(page.Hidden)
	page.From = channelSelect(page.Base, "move_from", "measures.whatif.from", in.From, rep.Channels)
	page.To = channelSelect(page.Base, "move_to", "measures.whatif.to", in.To, rep.Channels)
	page.Percent = newField(page, "percent", "measures.whatif.percent", "measures.whatif.percent_hint", percent)
	status := filterStatus(f)
	if asked && len(errs.Order()) == 0 {
		res := measure.Shift(rep.Figures, rep.Costs, in)
		page.Result = whatIfView(page.Base, in, res, rep.Channels)
	} else if len(errs.Order()) > 0 {
		status = http.StatusBadRequest
	}
	return s.render(w, r, status, "measures-what-if", page)
}

func sortHidden(h []HiddenField) {
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && h[j].Name < h[j-1].Name; j-- {
			h[j], h[j-1] = h[j-1], h[j]
		}
	}
}

// channelSelect is a select of the organisation's channels.
func channelSelect(b Base, name, label, value string, channels []measure.Channel) SelectField {
	sf := SelectField{Name: name, Label: b.T(label), Error: b.ErrorFor(name), Prefix: b.T("error.prefix"),
		Options: []SelectOption{{Value: "", Label: b.T("measures.whatif.choose"), Selected: value == ""}}}
	for _, c := range channels {
		sf.Options = append(sf.Options, SelectOption{Value: c.Key, Label: channelName(b.Lang, c), Selected: c.Key == value})
	}
	return sf
}

func whatIfView(b Base, in measure.WhatIf, res measure.WhatIfResult, channels []measure.Channel) *WhatIfView {
	byKey := channelIndex(channels)
	v := &WhatIfView{Moved: formatCount(res.Moved), CostNow: moneyText(b, res.CostNow), CostAfter: moneyText(b, res.CostAfter),
		Valid: res.Valid, Note: moneyNote(b, res.CostNow)}
	v.Summary = b.T("measures.whatif.summary", "Percent", strconv.FormatFloat(in.Percent, 'f', -1, 64),
		"From", channelName(b.Lang, byKey[in.From]), "To", channelName(b.Lang, byKey[in.To]), "Moved", v.Moved)
	if res.Valid {
		v.Saving, v.Negative = formatPounds(res.Saving), res.Saving < 0
	}
	return v
}
