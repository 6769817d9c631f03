package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"parley/internal/apperr"
	"parley/internal/measure"
)

// maxPeriodMonths bounds a period: ten years of monthly figures is more
// than any page needs, and a bound keeps a silly query cheap.
const maxPeriodMonths = 120

// measureFilter is what a dashboard's query string asks for, read and
// checked, with the text as typed so the form shows it again.
type measureFilter struct {
	Query                  measure.Query
	From, To               string
	BaselineFrom           string
	BaselineTo             string
	Service, Channel       string
	errs                   apperr.Fields
	customPeriod, customBl bool
}

// defaultPeriods are the last 12 months up to now and the 12 before them.
func defaultPeriods(now time.Time) (period, baseline measure.Period) {
	period = measure.LastMonths(now, 12)
	baseline = measure.Period{From: period.From.Add(-12), To: period.From.Add(-1)}
	return period, baseline
}

// parseMeasureFilter reads from, to, baseline_from, baseline_to, service
// and channel. A bad value is reported against its field and the default
// used instead, so the page still shows figures beside the error.
func parseMeasureFilter(q url.Values, now time.Time) measureFilter {
	period, baseline := defaultPeriods(now)
	f := measureFilter{From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")),
		BaselineFrom: strings.TrimSpace(q.Get("baseline_from")), BaselineTo: strings.TrimSpace(q.Get("baseline_to")),
		Service: strings.TrimSpace(q.Get("service")), Channel: strings.TrimSpace(q.Get("channel"))}
	f.Query.Period, f.customPeriod = f.period("from", "to", f.From, f.To, period)
	f.Query.Baseline, f.customBl = f.period("baseline_from", "baseline_to", f.BaselineFrom, f.BaselineTo, baseline)
	if !f.customBl && f.customPeriod {
		// A period of one's own is compared with as many months before it.
		n := len(f.Query.Period.Months())
		f.Query.Baseline = measure.Period{From: f.Query.Period.From.Add(-n), To: f.Query.Period.From.Add(-1)}
	}
	if len(f.Service) > 200 {
		f.errs.Add("service", "measures.error.service")
		f.Service = ""
	}
	if len(f.Channel) > 60 {
		f.errs.Add("channel", "measures.error.channel")
		f.Channel = ""
	}
	f.Query.Service, f.Query.Channel = f.Service, f.Channel
	return f
}

// period reads a pair of months; either may be left out (the default's
// end stands in). ok says the pair was given and good.
func (f *measureFilter) period(fromField, toField, from, to string, def measure.Period) (measure.Period, bool) {
	if from == "" && to == "" {
		return def, false
	}
	p := def
	if from != "" {
		m, err := measure.ParseMonth(from)
		if err != nil || !m.Valid() {
			f.errs.Add(fromField, "measures.error.month")
			return def, false
		}
		p.From = m
	}
	if to != "" {
		m, err := measure.ParseMonth(to)
		if err != nil || !m.Valid() {
			f.errs.Add(toField, "measures.error.month")
			return def, false
		}
		p.To = m
	}
	if from == "" {
		p.From = p.To.Add(-11)
	}
	if to == "" {
		p.To = p.From.Add(11)
	}
	switch {
	case p.To.Before(p.From):
		f.errs.Add(toField, "measures.error.order")
		return def, false
	case len(p.Months()) > maxPeriodMonths:
		f.errs.Add(toField, "measures.error.too_long")
		return def, false
	}
	return p, true
}

// checkChoices reports a service or channel that is not one of the
// known ones, and drops it.
func (f *measureFilter) checkChoices(services []string, channels []measure.Channel) {
	if f.Service != "" && !contains(services, f.Service) {
		f.errs.Add("service", "measures.error.service")
		f.Service, f.Query.Service = "", ""
	}
	if f.Channel != "" {
		ok := false
		for _, c := range channels {
			ok = ok || c.Key == f.Channel
		}
		if !ok {
			f.errs.Add("channel", "measures.error.channel")
			f.Channel, f.Query.Channel = "", ""
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// values writes the filter back as a query string, for links that keep it
// (downloads, the calculator). Only what was given is written.
func (f measureFilter) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"from": f.From, "to": f.To, "baseline_from": f.BaselineFrom,
		"baseline_to": f.BaselineTo, "service": f.Service, "channel": f.Channel} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// withQuery adds a query string to a path when there is one.
func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// FilterForm is the filter form as the "measure-filters" partial draws it.
type FilterForm struct {
	Action       string
	From, To     Field
	BaselineFrom Field
	BaselineTo   Field
	Baseline     bool // show the baseline fields
	Service      SelectField
	Channel      SelectField
	Apply        string
	Reset        string
	Legend       string
	BaselineText string
}

// SelectField is a GOV.UK select.
type SelectField struct {
	Name, Label, Error, Prefix string
	Options                    []SelectOption
}

// SelectOption is one option of a select.
type SelectOption struct {
	Value, Label string
	Selected     bool
}

// filterForm builds the form from the filter and what may be chosen.
func filterForm(page Base, action string, f measureFilter, baseline bool, services []string, channels []measure.Channel) FilterForm {
	form := FilterForm{Action: action, Baseline: baseline, Apply: page.T("measures.filter.apply"), Reset: page.T("measures.filter.reset"),
		Legend: page.T("measures.filter.legend"), BaselineText: page.T("measures.filter.baseline_legend"),
		From:         newField(page, "from", "measures.filter.from", "measures.filter.month_hint", f.From),
		To:           newField(page, "to", "measures.filter.to", "measures.filter.month_hint", f.To),
		BaselineFrom: newField(page, "baseline_from", "measures.filter.baseline_from", "measures.filter.month_hint", f.BaselineFrom),
		BaselineTo:   newField(page, "baseline_to", "measures.filter.baseline_to", "measures.filter.month_hint", f.BaselineTo),
	}
	form.Service = SelectField{Name: "service", Label: page.T("measures.filter.service"), Error: page.ErrorFor("service"), Prefix: page.T("error.prefix"),
		Options: []SelectOption{{Value: "", Label: page.T("measures.filter.all_services"), Selected: f.Service == ""}}}
	for _, sv := range services {
		form.Service.Options = append(form.Service.Options, SelectOption{Value: sv, Label: serviceName(page, sv), Selected: sv == f.Service})
	}
	form.Channel = SelectField{Name: "channel", Label: page.T("measures.filter.channel"), Error: page.ErrorFor("channel"), Prefix: page.T("error.prefix"),
		Options: []SelectOption{{Value: "", Label: page.T("measures.filter.all_channels"), Selected: f.Channel == ""}}}
	for _, c := range channels {
		form.Channel.Options = append(form.Channel.Options, SelectOption{Value: c.Key, Label: channelName(page.Lang, c), Selected: c.Key == f.Channel})
	}
	return form
}

// filterErrors puts the filter's problems in the page's error summary.
func filterErrors(b *Base, f measureFilter) {
	if err := f.errs.Err(); err != nil {
		ae := err.(*apperr.Error)
		b.withErrors(ae.Order, ae.Fields)
	}
}

// filterStatus is the status of a page whose filter had problems: 400,
// though the page still shows the default figures.
func filterStatus(f measureFilter) int {
	if len(f.errs.Order()) > 0 {
		return http.StatusBadRequest
	}
	return http.StatusOK
}
