package api

import (
	"maps"
	"net/url"

	"parley/internal/measure"
	"parley/internal/org"
)

// The measurement figures as JSON. A figure that cannot be worked out (a
// rate with nothing to divide by, a cost with no unit cost) is null, never
// 0, so that "none" and "no data" stay apart. Money is in pence.

type periodJSON struct {
	From string `json:"from"` // 2026-11
	To   string `json:"to"`
}

func periodOut(p measure.Period) periodJSON {
	return periodJSON{From: p.From.String(), To: p.To.String()}
}

// ratioOut is a ratio, or null.
func ratioOut(r measure.Ratio) *float64 {
	if !r.Valid {
		return nil
	}
	v := r.Value
	return &v
}

type moneyJSON struct {
	Pence            *float64 `json:"pence"` // null: nothing could be costed
	Partial          bool     `json:"partial"`
	UncostedContacts int64    `json:"uncosted_contacts"`
}

func moneyOut(m measure.Money) moneyJSON {
	out := moneyJSON{Partial: m.Partial, UncostedContacts: m.UncostedContacts}
	if m.Valid {
		v := m.Pence
		out.Pence = &v
	}
	return out
}

type measureOrgJSON struct {
	Slug  string          `json:"slug"`
	Name  nameJSON        `json:"name"`
	Links measureOrgLinks `json:"links"`
}

type measureOrgLinks struct {
	Self   string `json:"self"`    // its report in this API
	WhatIf string `json:"what_if"` // the calculator in this API
	HTML   string `json:"html"`    // its public dashboard
}

func (a *API) measureOrgOut(o org.Organisation) measureOrgJSON {
	s := url.PathEscape(o.Slug)
	return measureOrgJSON{Slug: o.Slug, Name: nameJSON{EN: o.Name("en"), CY: o.Name("cy")},
		Links: measureOrgLinks{Self: a.baseURL + "/api/v1/measures/organisations/" + s,
			WhatIf: a.baseURL + "/api/v1/measures/organisations/" + s + "/what-if",
			HTML:   a.baseURL + "/organisations/" + s + "/measures"}}
}

type savingJSON struct {
	Baseline       periodJSON         `json:"baseline"`
	BaselineMix    map[string]float64 `json:"baseline_mix"`
	CostAtBaseline *float64           `json:"cost_at_baseline_mix_pence"`
	ActualCost     *float64           `json:"actual_cost_pence"`
	Saving         *float64           `json:"saving_pence"`
}

// savingOut is the saving from shift, or nil without a baseline.
func savingOut(s *measure.Saving) *savingJSON {
	if s == nil {
		return nil
	}
	out := &savingJSON{Baseline: periodOut(s.Baseline), BaselineMix: map[string]float64{}}
	maps.Copy(out.BaselineMix, s.BaselineMix)
	if s.Valid {
		at, actual, saving := s.CostAtBaseline, s.ActualCost, s.Saving
		out.CostAtBaseline, out.ActualCost, out.Saving = &at, &actual, &saving
	}
	return out
}

type bandJSON struct {
	Band        string   `json:"band"`
	Respondents int64    `json:"respondents"`
	Share       float64  `json:"share"`
	Population  float64  `json:"population_share"`
	Ratio       *float64 `json:"ratio"`
}

type representativenessJSON struct {
	Respondents int64      `json:"respondents"`
	Index       float64    `json:"index"`
	Bands       []bandJSON `json:"bands"`
}

type engagementJSON struct {
	Engagements            int                     `json:"engagements"`
	Participants           int64                   `json:"participants"`
	Responses              int64                   `json:"responses"`
	ResponsesPerEngagement *float64                `json:"responses_per_engagement"`
	Owed                   int                     `json:"owed"`
	Answered               int                     `json:"answered"`
	OutcomeShare           *float64                `json:"outcome_share"`
	MedianDaysToAnswer     *float64                `json:"median_days_to_answer"`
	Due                    int                     `json:"due"`
	OnTime                 int                     `json:"on_time"`
	OnTimeShare            *float64                `json:"on_time_share"`
	Representativeness     *representativenessJSON `json:"representativeness"`
}

func engagementOut(e measure.EngagementFigures) engagementJSON {
	out := engagementJSON{Engagements: e.Engagements, Participants: e.Participants, Responses: e.Responses,
		ResponsesPerEngagement: ratioOut(e.ResponsesPerEngagement), Owed: e.Owed, Answered: e.Answered,
		OutcomeShare: ratioOut(e.OutcomeShare), MedianDaysToAnswer: ratioOut(e.MedianDaysToAnswer),
		Due: e.Due, OnTime: e.OnTime, OnTimeShare: ratioOut(e.OnTimeShare)}
	if rep := e.Representativeness; rep != nil {
		r := &representativenessJSON{Respondents: rep.Respondents, Index: rep.Index, Bands: []bandJSON{}}
		for _, b := range rep.Bands {
			r.Bands = append(r.Bands, bandJSON{Band: b.Band, Respondents: b.Respondents, Share: b.Share,
				Population: b.Population, Ratio: ratioOut(b.Ratio)})
		}
		out.Representativeness = r
	}
	return out
}

type scoreJSON struct {
	Index      *float64            `json:"index"`
	Rank       *int                `json:"rank"` // null: unranked (or a report of one organisation)
	Measured   int                 `json:"measured"`
	Components map[string]*float64 `json:"components"`
}

func scoreOut(s measure.Score) scoreJSON {
	out := scoreJSON{Index: ratioOut(s.Index), Measured: s.Measured, Components: map[string]*float64{}}
	if s.Rank > 0 {
		rank := s.Rank
		out.Rank = &rank
	}
	for _, c := range measure.Components {
		out.Components[c] = ratioOut(s.Components[c])
	}
	return out
}

// comparisonRowJSON is one organisation in the comparison.
type comparisonRowJSON struct {
	Organisation       measureOrgJSON `json:"organisation"`
	Public             bool           `json:"public"`
	EngagementIndex    scoreJSON      `json:"engagement_index"`
	Transactions       int64          `json:"transactions"`
	DigitalTakeUp      *float64       `json:"digital_take_up"`
	CostPerTransaction moneyJSON      `json:"cost_per_transaction"`
	TotalCost          moneyJSON      `json:"total_cost"`
	Saving             *savingJSON    `json:"saving"`
	Engagement         engagementJSON `json:"engagement"`
}

type queryJSON struct {
	Period   periodJSON `json:"period"`
	Baseline periodJSON `json:"baseline"`
	Service  string     `json:"service"` // "": every service
	Channel  string     `json:"channel"` // "": every channel
}

func queryOut(q measure.Query) queryJSON {
	return queryJSON{Period: periodOut(q.Period), Baseline: periodOut(q.Baseline), Service: q.Service, Channel: q.Channel}
}

type comparisonJSON struct {
	Query queryJSON           `json:"query"`
	Items []comparisonRowJSON `json:"items"`
}

type channelJSON struct {
	Key     string   `json:"key"`
	Name    nameJSON `json:"name"`
	Digital bool     `json:"digital"`
	Own     bool     `json:"own"` // added by the organisation, not built in
}

func channelOut(c measure.Channel) channelJSON {
	cy := c.NameCY
	if cy == "" {
		cy = c.NameEN
	}
	return channelJSON{Key: c.Key, Name: nameJSON{EN: c.NameEN, CY: cy}, Digital: c.Digital, Own: c.OrgID != 0}
}

type unitCostJSON struct {
	Channel string  `json:"channel"`
	From    *string `json:"from"` // null: from the start
	Pence   int64   `json:"pence"`
	Source  string  `json:"source"`
	Default bool    `json:"default"`
}

func unitCostOut(c measure.UnitCost) unitCostJSON {
	out := unitCostJSON{Channel: c.Channel, Pence: c.Pence, Source: c.Source, Default: c.Default}
	if c.From != 0 {
		s := c.From.String()
		out.From = &s
	}
	return out
}

type channelFiguresJSON struct {
	Channel       string    `json:"channel"`
	Contacts      int64     `json:"contacts"`
	Transactions  int64     `json:"transactions"`
	Share         *float64  `json:"share"`
	UnitCostPence *int64    `json:"unit_cost_pence"` // null: no unit cost
	Cost          moneyJSON `json:"cost"`
}

type monthFiguresJSON struct {
	Month         string           `json:"month"`
	Contacts      int64            `json:"contacts"`
	Transactions  int64            `json:"transactions"`
	Digital       int64            `json:"digital_transactions"`
	DigitalTakeUp *float64         `json:"digital_take_up"`
	Cost          moneyJSON        `json:"cost"`
	ByChannel     map[string]int64 `json:"transactions_by_channel"`
}

type serviceFiguresJSON struct {
	Service       string    `json:"service"`
	Contacts      int64     `json:"contacts"`
	Transactions  int64     `json:"transactions"`
	DigitalTakeUp *float64  `json:"digital_take_up"`
	Cost          moneyJSON `json:"cost"`
}

type serviceKPIsJSON struct {
	Contacts           int64                `json:"contacts"`
	Transactions       int64                `json:"transactions"`
	Digital            int64                `json:"digital_transactions"`
	DigitalTakeUp      *float64             `json:"digital_take_up"`
	CostPerTransaction moneyJSON            `json:"cost_per_transaction"`
	CompletionRate     *float64             `json:"completion_rate"`
	Satisfaction       *float64             `json:"user_satisfaction"`
	TotalCost          moneyJSON            `json:"total_cost"`
	ByChannel          []channelFiguresJSON `json:"by_channel"`
	ByMonth            []monthFiguresJSON   `json:"by_month"`
	ByService          []serviceFiguresJSON `json:"by_service"`
	Saving             *savingJSON          `json:"saving"`
}

func serviceKPIsOut(f measure.Figures) serviceKPIsJSON {
	out := serviceKPIsJSON{Contacts: f.Contacts, Transactions: f.Transactions, Digital: f.Digital,
		DigitalTakeUp: ratioOut(f.DigitalTakeUp), CostPerTransaction: moneyOut(f.CostPerTransaction),
		CompletionRate: ratioOut(f.CompletionRate), Satisfaction: ratioOut(f.Satisfaction), TotalCost: moneyOut(f.TotalCost),
		ByChannel: []channelFiguresJSON{}, ByMonth: []monthFiguresJSON{}, ByService: []serviceFiguresJSON{},
		Saving: savingOut(f.Saving)}
	for _, c := range f.ByChannel {
		cf := channelFiguresJSON{Channel: c.Channel.Key, Contacts: c.Contacts, Transactions: c.Transactions,
			Share: ratioOut(c.Share), Cost: moneyOut(c.Cost)}
		if c.Costed {
			p := c.UnitCost.Pence
			cf.UnitCostPence = &p
		}
		out.ByChannel = append(out.ByChannel, cf)
	}
	for _, m := range f.ByMonth {
		by := map[string]int64{}
		maps.Copy(by, m.ByChannel)
		out.ByMonth = append(out.ByMonth, monthFiguresJSON{Month: m.Month.String(), Contacts: m.Contacts,
			Transactions: m.Transactions, Digital: m.Digital, DigitalTakeUp: ratioOut(m.DigitalTakeUp),
			Cost: moneyOut(m.Cost), ByChannel: by})
	}
	for _, s := range f.ByService {
		out.ByService = append(out.ByService, serviceFiguresJSON{Service: s.Service, Contacts: s.Contacts,
			Transactions: s.Transactions, DigitalTakeUp: ratioOut(s.DigitalTakeUp), Cost: moneyOut(s.Cost)})
	}
	return out
}

type settingsJSON struct {
	Population     *int64             `json:"population"` // null: not given
	AgeBaseline    map[string]float64 `json:"age_baseline"`
	BaselineSource string             `json:"age_baseline_source"`
}

func settingsOut(s measure.Settings) settingsJSON {
	out := settingsJSON{AgeBaseline: map[string]float64{}, BaselineSource: s.BaselineSource}
	if s.Population > 0 {
		p := s.Population
		out.Population = &p
	}
	maps.Copy(out.AgeBaseline, s.Baseline)
	return out
}

// reportJSON is one organisation's figures.
type reportJSON struct {
	Organisation    measureOrgJSON  `json:"organisation"`
	Public          bool            `json:"public"`
	Query           queryJSON       `json:"query"`
	Settings        settingsJSON    `json:"settings"`
	Channels        []channelJSON   `json:"channels"`
	UnitCosts       []unitCostJSON  `json:"unit_costs"`
	Figures         serviceKPIsJSON `json:"figures"`
	Engagement      engagementJSON  `json:"engagement"`
	EngagementIndex scoreJSON       `json:"engagement_index"`
}

func (a *API) reportOut(o org.Organisation, rep measure.Report) reportJSON {
	out := reportJSON{Organisation: a.measureOrgOut(o), Public: rep.Settings.Public, Query: queryOut(rep.Query),
		Settings: settingsOut(rep.Settings), Channels: []channelJSON{}, UnitCosts: []unitCostJSON{},
		Figures: serviceKPIsOut(rep.Figures), Engagement: engagementOut(rep.Engagement), EngagementIndex: scoreOut(rep.Score)}
	for _, c := range rep.Channels {
		out.Channels = append(out.Channels, channelOut(c))
	}
	for _, c := range rep.Costs {
		out.UnitCosts = append(out.UnitCosts, unitCostOut(c))
	}
	return out
}

// whatIfJSON is the channel-shift calculator's answer.
type whatIfJSON struct {
	Organisation measureOrgJSON `json:"organisation"`
	Query        queryJSON      `json:"query"`
	FromChannel  string         `json:"from_channel"`
	ToChannel    string         `json:"to_channel"`
	Percent      float64        `json:"percent"`
	Moved        int64          `json:"moved_contacts"`
	CostNow      moneyJSON      `json:"cost_now"`
	CostAfter    moneyJSON      `json:"cost_after"`
	Saving       *float64       `json:"saving_pence"` // null: a channel has no unit cost
}
