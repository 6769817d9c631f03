package web

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"sort"
	"strconv"

	"parley/internal/measure"
)

// Downloads carry every figure a dashboard shows, in English field names
// and plain units (pence, fractions 0–1, counts), so they are open data a
// spreadsheet or a program reads without guessing. A figure with no data
// is empty in CSV and null in JSON.

// figureRow is one figure of an organisation's report in the long CSV:
// one row a figure, so every figure fits one shape.
type figureRow struct {
	Figure  string
	Month   string // yyyy-mm, or "" for the whole period
	Service string
	Channel string
	Value   string
	Unit    string // count, pence, fraction, days, index
	Note    string
}

var reportCSVHeader = []string{"organisation", "period_from", "period_to", "figure", "month", "service", "channel", "value", "unit", "note"}

func ratioCell(r measure.Ratio) string {
	if !r.Valid {
		return ""
	}
	return strconv.FormatFloat(r.Value, 'f', -1, 64)
}

func moneyCell(m measure.Money) (string, string) {
	if !m.Valid {
		return "", ""
	}
	note := ""
	if m.Partial {
		note = "excludes " + strconv.FormatInt(m.UncostedContacts, 10) + " contacts on channels with no unit cost"
	}
	return strconv.FormatFloat(math.Round(m.Pence*100)/100, 'f', -1, 64), note
}

func countCell(n int64) string { return strconv.FormatInt(n, 10) }

// reportFigures lists every figure of a report as rows.
func reportFigures(rep measure.Report) []figureRow {
	f := rep.Figures
	var rows []figureRow
	add := func(r figureRow) { rows = append(rows, r) }
	money := func(figure, month, service, channel string, m measure.Money) {
		v, note := moneyCell(m)
		add(figureRow{Figure: figure, Month: month, Service: service, Channel: channel, Value: v, Unit: "pence", Note: note})
	}
	add(figureRow{Figure: "contacts", Value: countCell(f.Contacts), Unit: "count"})
	add(figureRow{Figure: "transactions", Value: countCell(f.Transactions), Unit: "count"})
	add(figureRow{Figure: "digital_transactions", Value: countCell(f.Digital), Unit: "count"})
	add(figureRow{Figure: "digital_take_up", Value: ratioCell(f.DigitalTakeUp), Unit: "fraction"})
	money("cost_per_transaction", "", "", "", f.CostPerTransaction)
	add(figureRow{Figure: "completion_rate", Value: ratioCell(f.CompletionRate), Unit: "fraction"})
	add(figureRow{Figure: "user_satisfaction", Value: ratioCell(f.Satisfaction), Unit: "fraction"})
	money("total_cost", "", "", "", f.TotalCost)
	for _, c := range f.ByChannel {
		add(figureRow{Figure: "contacts", Channel: c.Channel.Key, Value: countCell(c.Contacts), Unit: "count"})
		add(figureRow{Figure: "transactions", Channel: c.Channel.Key, Value: countCell(c.Transactions), Unit: "count"})
		add(figureRow{Figure: "transaction_share", Channel: c.Channel.Key, Value: ratioCell(c.Share), Unit: "fraction"})
		if c.Costed {
			add(figureRow{Figure: "unit_cost", Channel: c.Channel.Key, Value: countCell(c.UnitCost.Pence), Unit: "pence", Note: c.UnitCost.Source})
		}
		money("cost", "", "", c.Channel.Key, c.Cost)
	}
	for _, m := range f.ByMonth {
		month := m.Month.String()
		add(figureRow{Figure: "contacts", Month: month, Value: countCell(m.Contacts), Unit: "count"})
		add(figureRow{Figure: "transactions", Month: month, Value: countCell(m.Transactions), Unit: "count"})
		add(figureRow{Figure: "digital_take_up", Month: month, Value: ratioCell(m.DigitalTakeUp), Unit: "fraction"})
		money("cost", month, "", "", m.Cost)
		keys := make([]string, 0, len(m.ByChannel))
		for k := range m.ByChannel {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			add(figureRow{Figure: "transactions", Month: month, Channel: k, Value: countCell(m.ByChannel[k]), Unit: "count"})
		}
	}
	for _, sv := range f.ByService {
		add(figureRow{Figure: "contacts", Service: sv.Service, Value: countCell(sv.Contacts), Unit: "count"})
		add(figureRow{Figure: "transactions", Service: sv.Service, Value: countCell(sv.Transactions), Unit: "count"})
		add(figureRow{Figure: "digital_take_up", Service: sv.Service, Value: ratioCell(sv.DigitalTakeUp), Unit: "fraction"})
		money("cost", "", sv.Service, "", sv.Cost)
	}
	if s := f.Saving; s != nil && s.Valid {
		note := "baseline " + s.Baseline.From.String() + " to " + s.Baseline.To.String()
		add(figureRow{Figure: "cost_at_baseline_mix", Value: pence(s.CostAtBaseline), Unit: "pence", Note: note})
		add(figureRow{Figure: "saving_from_shift", Value: pence(s.Saving), Unit: "pence", Note: note})
	}
	e := rep.Engagement
	add(figureRow{Figure: "engagements", Value: strconv.Itoa(e.Engagements), Unit: "count"})
	add(figureRow{Figure: "participants", Value: countCell(e.Participants), Unit: "count", Note: "summed over engagements"})
	add(figureRow{Figure: "responses", Value: countCell(e.Responses), Unit: "count"})
	add(figureRow{Figure: "responses_per_engagement", Value: ratioCell(e.ResponsesPerEngagement), Unit: "count"})
	add(figureRow{Figure: "answers_owed", Value: strconv.Itoa(e.Owed), Unit: "count"})
	add(figureRow{Figure: "answers_published", Value: strconv.Itoa(e.Answered), Unit: "count"})
	add(figureRow{Figure: "outcome_share", Value: ratioCell(e.OutcomeShare), Unit: "fraction"})
	add(figureRow{Figure: "median_days_to_answer", Value: ratioCell(e.MedianDaysToAnswer), Unit: "days"})
	add(figureRow{Figure: "answers_due", Value: strconv.Itoa(e.Due), Unit: "count"})
	add(figureRow{Figure: "answers_on_time", Value: strconv.Itoa(e.OnTime), Unit: "count"})
	add(figureRow{Figure: "on_time_share", Value: ratioCell(e.OnTimeShare), Unit: "fraction"})
	if r := e.Representativeness; r != nil {
		add(figureRow{Figure: "representativeness_index", Value: strconv.FormatFloat(r.Index, 'f', -1, 64), Unit: "fraction"})
		for _, b := range r.Bands {
			add(figureRow{Figure: "respondents_share", Channel: "", Service: "", Note: "age " + b.Band, Value: strconv.FormatFloat(b.Share, 'f', -1, 64), Unit: "fraction"})
			add(figureRow{Figure: "population_share", Note: "age " + b.Band, Value: strconv.FormatFloat(b.Population, 'f', -1, 64), Unit: "fraction"})
		}
	}
	add(figureRow{Figure: "engagement_index", Value: ratioCell(rep.Score.Index), Unit: "index"})
	for _, k := range measure.Components {
		add(figureRow{Figure: "index_" + k, Value: ratioCell(rep.Score.Components[k]), Unit: "fraction"})
	}
	return rows
}

func pence(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

// writeReport writes an organisation's report as CSV (one row a figure)
// or JSON.
func writeReport(w http.ResponseWriter, format, slug string, rep measure.Report) error {
	name := slug + "-measures-" + rep.Query.Period.From.String() + "-to-" + rep.Query.Period.To.String()
	if format == "json" {
		return writeJSONDownload(w, name+".json", reportJSON(slug, rep))
	}
	setDownload(w, "text/csv; charset=utf-8", name+".csv")
	cw := csv.NewWriter(w)
	_ = cw.Write(reportCSVHeader)
	from, to := rep.Query.Period.From.String(), rep.Query.Period.To.String()
	for _, r := range reportFigures(rep) {
		_ = cw.Write([]string{slug, from, to, r.Figure, r.Month, spreadsheetSafe(r.Service), spreadsheetSafe(r.Channel), r.Value, r.Unit, spreadsheetSafe(r.Note)})
	}
	cw.Flush()
	return cw.Error()
}

func setDownload(w http.ResponseWriter, contentType, name string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
}

func writeJSONDownload(w http.ResponseWriter, name string, v any) error {
	setDownload(w, "application/json", name)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// The JSON download's shapes: plain units, nulls for figures with no data.

type jsonPeriod struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type jsonMoney struct {
	Pence            *float64 `json:"pence"`
	Partial          bool     `json:"partial"`
	UncostedContacts int64    `json:"uncosted_contacts"`
}

type jsonChannel struct {
	Channel        string    `json:"channel"`
	Digital        bool      `json:"digital"`
	Contacts       int64     `json:"contacts"`
	Transactions   int64     `json:"transactions"`
	Share          *float64  `json:"share"`
	UnitCostPence  *int64    `json:"unit_cost_pence"`
	UnitCostSource string    `json:"unit_cost_source,omitempty"`
	Cost           jsonMoney `json:"cost"`
}

type jsonMonth struct {
	Month         string           `json:"month"`
	Contacts      int64            `json:"contacts"`
	Transactions  int64            `json:"transactions"`
	Digital       int64            `json:"digital_transactions"`
	DigitalTakeUp *float64         `json:"digital_take_up"`
	Cost          jsonMoney        `json:"cost"`
	ByChannel     map[string]int64 `json:"transactions_by_channel"`
}

type jsonService struct {
	Service       string    `json:"service"`
	Contacts      int64     `json:"contacts"`
	Transactions  int64     `json:"transactions"`
	DigitalTakeUp *float64  `json:"digital_take_up"`
	Cost          jsonMoney `json:"cost"`
}

type jsonSaving struct {
	Baseline       jsonPeriod         `json:"baseline"`
	BaselineMix    map[string]float64 `json:"baseline_mix"`
	CostAtBaseline float64            `json:"cost_at_baseline_mix_pence"`
	ActualCost     float64            `json:"actual_cost_pence"`
	Saving         float64            `json:"saving_pence"`
}

type jsonBand struct {
	Band        string   `json:"band"`
	Respondents int64    `json:"respondents"`
	Share       float64  `json:"share"`
	Population  float64  `json:"population_share"`
	Ratio       *float64 `json:"ratio"`
}

type jsonRepresent struct {
	Index       float64    `json:"index"`
	Respondents int64      `json:"respondents"`
	Bands       []jsonBand `json:"bands"`
}

type jsonEngagement struct {
	Engagements            int            `json:"engagements"`
	Participants           int64          `json:"participants"`
	Responses              int64          `json:"responses"`
	ResponsesPerEngagement *float64       `json:"responses_per_engagement"`
	Owed                   int            `json:"answers_owed"`
	Answered               int            `json:"answers_published"`
	OutcomeShare           *float64       `json:"outcome_share"`
	MedianDaysToAnswer     *float64       `json:"median_days_to_answer"`
	Due                    int            `json:"answers_due"`
	OnTime                 int            `json:"answers_on_time"`
	OnTimeShare            *float64       `json:"on_time_share"`
	Representativeness     *jsonRepresent `json:"representativeness"`
}

type jsonScore struct {
	Index      *float64            `json:"index"`
	Rank       *int                `json:"rank"`
	Measured   int                 `json:"components_measured"`
	Components map[string]*float64 `json:"components"`
}

type jsonReport struct {
	Organisation       string          `json:"organisation"`
	Period             jsonPeriod      `json:"period"`
	Service            string          `json:"service,omitempty"`
	Channel            string          `json:"channel,omitempty"`
	Contacts           int64           `json:"contacts"`
	Transactions       int64           `json:"transactions"`
	Digital            int64           `json:"digital_transactions"`
	DigitalTakeUp      *float64        `json:"digital_take_up"`
	CostPerTransaction jsonMoney       `json:"cost_per_transaction"`
	CompletionRate     *float64        `json:"completion_rate"`
	Satisfaction       *float64        `json:"user_satisfaction"`
	TotalCost          jsonMoney       `json:"total_cost"`
	Channels           []jsonChannel   `json:"channels"`
	Months             []jsonMonth     `json:"months"`
	Services           []jsonService   `json:"services"`
	Saving             *jsonSaving     `json:"saving"`
	Engagement         jsonEngagement  `json:"engagement"`
	Score              jsonScore       `json:"engagement_index"`
	UnitCosts          []jsonUnitCosts `json:"unit_costs"`
}

type jsonUnitCosts struct {
	Channel string `json:"channel"`
	From    string `json:"from,omitempty"`
	Pence   int64  `json:"pence"`
	Source  string `json:"source"`
	Default bool   `json:"default"`
}

func ratioPtr(r measure.Ratio) *float64 {
	if !r.Valid {
		return nil
	}
	v := r.Value
	return &v
}

func moneyJSON(m measure.Money) jsonMoney {
	j := jsonMoney{Partial: m.Partial, UncostedContacts: m.UncostedContacts}
	if m.Valid {
		v := math.Round(m.Pence*100) / 100
		j.Pence = &v
	}
	return j
}

func periodJSON(p measure.Period) jsonPeriod {
	return jsonPeriod{From: p.From.String(), To: p.To.String()}
}

func reportJSON(slug string, rep measure.Report) jsonReport {
	f := rep.Figures
	j := jsonReport{Organisation: slug, Period: periodJSON(rep.Query.Period), Service: rep.Query.Service, Channel: rep.Query.Channel,
		Contacts: f.Contacts, Transactions: f.Transactions, Digital: f.Digital, DigitalTakeUp: ratioPtr(f.DigitalTakeUp),
		CostPerTransaction: moneyJSON(f.CostPerTransaction), CompletionRate: ratioPtr(f.CompletionRate), Satisfaction: ratioPtr(f.Satisfaction),
		TotalCost: moneyJSON(f.TotalCost), Channels: []jsonChannel{}, Months: []jsonMonth{}, Services: []jsonService{}, UnitCosts: []jsonUnitCosts{}}
	for _, c := range f.ByChannel {
		jc := jsonChannel{Channel: c.Channel.Key, Digital: c.Channel.Digital, Contacts: c.Contacts, Transactions: c.Transactions,
			Share: ratioPtr(c.Share), Cost: moneyJSON(c.Cost)}
		if c.Costed {
			p := c.UnitCost.Pence
			jc.UnitCostPence, jc.UnitCostSource = &p, c.UnitCost.Source
		}
		j.Channels = append(j.Channels, jc)
	}
	for _, m := range f.ByMonth {
		by := m.ByChannel
		if by == nil {
			by = map[string]int64{}
		}
		j.Months = append(j.Months, jsonMonth{Month: m.Month.String(), Contacts: m.Contacts, Transactions: m.Transactions, Digital: m.Digital,
			DigitalTakeUp: ratioPtr(m.DigitalTakeUp), Cost: moneyJSON(m.Cost), ByChannel: by})
	}
	for _, sv := range f.ByService {
		j.Services = append(j.Services, jsonService{Service: sv.Service, Contacts: sv.Contacts, Transactions: sv.Transactions,
			DigitalTakeUp: ratioPtr(sv.DigitalTakeUp), Cost: moneyJSON(sv.Cost)})
	}
	if s := f.Saving; s != nil && s.Valid {
		j.Saving = &jsonSaving{Baseline: periodJSON(s.Baseline), BaselineMix: s.BaselineMix, CostAtBaseline: math.Round(s.CostAtBaseline*100) / 100,
			ActualCost: math.Round(s.ActualCost*100) / 100, Saving: math.Round(s.Saving*100) / 100}
	}
	j.Engagement = engagementJSON(rep.Engagement)
	j.Score = scoreJSON(rep.Score)
	for _, uc := range rep.Costs {
		ju := jsonUnitCosts{Channel: uc.Channel, Pence: uc.Pence, Source: uc.Source, Default: uc.Default}
		if uc.From.Valid() {
			ju.From = uc.From.String()
		}
		j.UnitCosts = append(j.UnitCosts, ju)
	}
	return j
}

func engagementJSON(e measure.EngagementFigures) jsonEngagement {
	j := jsonEngagement{Engagements: e.Engagements, Participants: e.Participants, Responses: e.Responses,
		ResponsesPerEngagement: ratioPtr(e.ResponsesPerEngagement), Owed: e.Owed, Answered: e.Answered, OutcomeShare: ratioPtr(e.OutcomeShare),
		MedianDaysToAnswer: ratioPtr(e.MedianDaysToAnswer), Due: e.Due, OnTime: e.OnTime, OnTimeShare: ratioPtr(e.OnTimeShare)}
	if r := e.Representativeness; r != nil {
		jr := &jsonRepresent{Index: r.Index, Respondents: r.Respondents, Bands: []jsonBand{}}
		for _, b := range r.Bands {
			jr.Bands = append(jr.Bands, jsonBand{Band: b.Band, Respondents: b.Respondents, Share: b.Share, Population: b.Population, Ratio: ratioPtr(b.Ratio)})
		}
		j.Representativeness = jr
	}
	return j
}

func scoreJSON(s measure.Score) jsonScore {
	j := jsonScore{Index: ratioPtr(s.Index), Measured: s.Measured, Components: map[string]*float64{}}
	if s.Rank > 0 {
		r := s.Rank
		j.Rank = &r
	}
	for _, k := range measure.Components {
		j.Components[k] = ratioPtr(s.Components[k])
	}
	return j
}

// jsonCompareRow is one organisation of the comparison download.
type jsonCompareRow struct {
	Organisation       string         `json:"organisation"`
	Name               string         `json:"name"`
	Published          bool           `json:"published"`
	Transactions       int64          `json:"transactions"`
	DigitalTakeUp      *float64       `json:"digital_take_up"`
	CostPerTransaction jsonMoney      `json:"cost_per_transaction"`
	TotalCost          jsonMoney      `json:"total_cost"`
	Saving             *float64       `json:"saving_pence"`
	Engagement         jsonEngagement `json:"engagement"`
	Score              jsonScore      `json:"engagement_index"`
}

type jsonComparison struct {
	Period        jsonPeriod       `json:"period"`
	Baseline      jsonPeriod       `json:"baseline"`
	Service       string           `json:"service,omitempty"`
	Channel       string           `json:"channel,omitempty"`
	Organisations []jsonCompareRow `json:"organisations"`
}

var comparisonCSVHeader = []string{"rank", "organisation", "name", "published", "period_from", "period_to", "engagement_index",
	"index_loop", "index_times", "index_reach", "index_digital", "components_measured", "transactions", "digital_take_up",
	"cost_per_transaction_pence", "total_cost_pence", "uncosted_contacts", "saving_pence", "engagements", "participants",
	"responses", "outcome_share", "median_days_to_answer", "on_time_share", "representativeness_index"}

// writeComparison writes the cross-organisation comparison as CSV (one
// row an organisation, best first) or JSON.
func writeComparison(w http.ResponseWriter, format string, q measure.Query, rows []measure.Row, names map[int64]OrgItem) error {
	name := "measures-" + q.Period.From.String() + "-to-" + q.Period.To.String()
	if format == "json" {
		j := jsonComparison{Period: periodJSON(q.Period), Baseline: periodJSON(q.Baseline), Service: q.Service, Channel: q.Channel,
			Organisations: []jsonCompareRow{}}
		for _, r := range rows {
			o := names[r.OrgID]
			jr := jsonCompareRow{Organisation: o.Slug, Name: o.Name, Published: r.Public, Transactions: r.Transactions,
				DigitalTakeUp: ratioPtr(r.DigitalTakeUp), CostPerTransaction: moneyJSON(r.CostPerTransaction), TotalCost: moneyJSON(r.TotalCost),
				Engagement: engagementJSON(r.Engagement), Score: scoreJSON(r.Score)}
			if r.Saving != nil && r.Saving.Valid {
				v := math.Round(r.Saving.Saving*100) / 100
				jr.Saving = &v
			}
			j.Organisations = append(j.Organisations, jr)
		}
		return writeJSONDownload(w, name+".json", j)
	}
	setDownload(w, "text/csv; charset=utf-8", name+".csv")
	cw := csv.NewWriter(w)
	_ = cw.Write(comparisonCSVHeader)
	for _, r := range rows {
		o := names[r.OrgID]
		rank := ""
		if r.Score.Rank > 0 {
			rank = strconv.Itoa(r.Score.Rank)
		}
		cpt, _ := moneyCell(r.CostPerTransaction)
		total, _ := moneyCell(r.TotalCost)
		saving := ""
		if r.Saving != nil && r.Saving.Valid {
			saving = pence(r.Saving.Saving)
		}
		rep := ""
		if r.Engagement.Representativeness != nil {
			rep = strconv.FormatFloat(r.Engagement.Representativeness.Index, 'f', -1, 64)
		}
		rec := []string{rank, o.Slug, spreadsheetSafe(o.Name), strconv.FormatBool(r.Public), q.Period.From.String(), q.Period.To.String(),
			ratioCell(r.Score.Index)}
		for _, k := range measure.Components {
			rec = append(rec, ratioCell(r.Score.Components[k]))
		}
		e := r.Engagement
		rec = append(rec, strconv.Itoa(r.Score.Measured), countCell(r.Transactions), ratioCell(r.DigitalTakeUp), cpt, total,
			countCell(r.TotalCost.UncostedContacts), saving, strconv.Itoa(e.Engagements), countCell(e.Participants), countCell(e.Responses),
			ratioCell(e.OutcomeShare), ratioCell(e.MedianDaysToAnswer), ratioCell(e.OnTimeShare), rep)
		_ = cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}
