package web

import (
	"sort"
	"strconv"

	"parley/internal/measure"
)

// KPI is one headline figure with its definition beside it.
type KPI struct {
	ID         string
	Name       string
	Value      string
	Definition string
	Note       string // what the figure leaves out, or ""
}

// ChannelRow is one channel in the channel table.
type ChannelRow struct {
	Name         string
	Digital      bool
	Contacts     string
	Transactions string
	Share        string
	UnitCost     string
	Cost         string
}

// MonthRow is one month in the table beside the charts.
type MonthRow struct {
	Month        string
	Contacts     string
	Transactions string
	ByChannel    []string // transactions, in the order of MeasureDashboard.ChannelNames
	TakeUp       string
	Cost         string
}

// ServiceRow is one service in the service table.
type ServiceRow struct {
	Name         string
	Contacts     string
	Transactions string
	TakeUp       string
	Cost         string
}

// SavingView is the saving from shift against the baseline.
type SavingView struct {
	Baseline       string
	Valid          bool
	CostAtBaseline string
	ActualCost     string
	Saving         string
	Negative       bool // the mix costs more now
	Mix            []MixRow
}

// MixRow is one channel's share of costed contacts in the baseline.
type MixRow struct {
	Channel string
	Share   string
}

// EngagementView is the engagement figures, written out.
type EngagementView struct {
	Engagements  string
	Participants string
	Responses    string
	PerEngage    string
	Owed         string
	Answered     string
	Outcome      string
	MedianDays   string
	Due          string
	OnTime       string
	OnTimeShare  string
	Represent    *RepresentView
	HasBaseline  bool
	Respondents  string
	IndexDefined bool
}

// RepresentView compares respondents' age bands with the population's.
type RepresentView struct {
	Index       string
	Respondents string
	Chart       *Chart
	Bands       []BandRow
}

// BandRow is one age band.
type BandRow struct {
	Band        string
	Respondents string
	Share       string
	Population  string
	Ratio       string
	Verdict     string // under- or over-represented, or ""
}

// ScoreView is an organisation's engagement index and its components.
type ScoreView struct {
	Index      string
	Rank       string
	Measured   int
	Components []ComponentRow
}

// ComponentRow is one component of the engagement index.
type ComponentRow struct {
	Key   string
	Name  string
	Value string
}

// MeasureDashboard is what an organisation's dashboard shows, public or
// staff: the KPIs, the charts with their tables, engagement and the index.
type MeasureDashboard struct {
	Period       string
	KPIs         []KPI
	Contacts     string
	Transactions string
	TotalCost    string
	CostNote     string
	HasData      bool
	Volume       *Chart
	TakeUp       *Chart
	ChannelNames []string
	Channels     []ChannelRow
	Months       []MonthRow
	Services     []ServiceRow
	Saving       *SavingView
	Engagement   EngagementView
	Score        ScoreView
	Costs        []CostRow
}

// CostRow is a unit cost in force, with its source.
type CostRow struct {
	Channel string
	Key     string
	From    string
	FromKey string // yyyy-mm, for the delete form; "" from the start
	Cost    string
	Source  string
	Default bool
	InForce bool
}

// channelIndex finds a channel by key among the organisation's.
func channelIndex(chs []measure.Channel) map[string]measure.Channel {
	m := make(map[string]measure.Channel, len(chs))
	for _, c := range chs {
		m[c.Key] = c
	}
	return m
}

// dashboard writes out a report for a page in its language.
func dashboard(b Base, rep measure.Report) MeasureDashboard {
	f := rep.Figures
	d := MeasureDashboard{Period: periodText(b, b.Lang, rep.Query.Period), Contacts: formatCount(f.Contacts),
		Transactions: formatCount(f.Transactions), TotalCost: moneyText(b, f.TotalCost), CostNote: moneyNote(b, f.TotalCost),
		HasData: f.Contacts > 0 || f.Transactions > 0}
	d.KPIs = []KPI{
		{ID: "take-up", Name: b.T("measures.kpi.take_up"), Value: ratioText(b, f.DigitalTakeUp), Definition: b.T("measures.kpi.take_up_def")},
		{ID: "cost-per-transaction", Name: b.T("measures.kpi.cost_per_transaction"), Value: moneyText(b, f.CostPerTransaction),
			Definition: b.T("measures.kpi.cost_per_transaction_def"), Note: moneyNote(b, f.CostPerTransaction)},
		{ID: "completion", Name: b.T("measures.kpi.completion"), Value: ratioText(b, f.CompletionRate), Definition: b.T("measures.kpi.completion_def")},
		{ID: "satisfaction", Name: b.T("measures.kpi.satisfaction"), Value: ratioText(b, f.Satisfaction), Definition: b.T("measures.kpi.satisfaction_def")},
	}
	byKey := channelIndex(rep.Channels)
	// The channels in the charts and month table: every channel with
	// transactions in some month, in the order of the organisation's channels.
	used := map[string]bool{}
	for _, m := range f.ByMonth {
		for k, n := range m.ByChannel {
			if n > 0 {
				used[k] = true
			}
		}
	}
	var keys []string
	for _, c := range rep.Channels {
		if used[c.Key] {
			keys = append(keys, c.Key)
			delete(used, c.Key)
		}
	}
	var rest []string
	for k := range used {
		rest = append(rest, k)
	}
	sort.Strings(rest)
	keys = append(keys, rest...)
	for _, k := range keys {
		c, ok := byKey[k]
		if !ok {
			c = measure.Channel{Key: k}
		}
		d.ChannelNames = append(d.ChannelNames, channelName(b.Lang, c))
	}
	series := make([]stackSeries, len(keys))
	for i := range keys {
		series[i].Label = d.ChannelNames[i]
	}
	var columns []string
	var points []linePoint
	for _, m := range f.ByMonth {
		row := MonthRow{Month: monthName(b.Lang, m.Month), Contacts: formatCount(m.Contacts), Transactions: formatCount(m.Transactions),
			TakeUp: ratioText(b, m.DigitalTakeUp), Cost: moneyText(b, m.Cost)}
		for i, k := range keys {
			row.ByChannel = append(row.ByChannel, formatCount(m.ByChannel[k]))
			series[i].Values = append(series[i].Values, m.ByChannel[k])
		}
		d.Months = append(d.Months, row)
		columns = append(columns, monthShort(b.Lang, m.Month))
		points = append(points, linePoint{Label: monthShort(b.Lang, m.Month), Value: m.DigitalTakeUp.Value, Valid: m.DigitalTakeUp.Valid})
	}
	if d.HasData {
		d.Volume = newStackedChart("chart-volume", b.T("measures.chart.volume_title"),
			b.T("measures.chart.volume_desc", "Period", d.Period, "Transactions", d.Transactions, "Channels", len(keys)), columns, series, formatCount)
		d.TakeUp = newPercentLineChart("chart-take-up", b.T("measures.chart.take_up_title"),
			b.T("measures.chart.take_up_desc", "Period", d.Period, "TakeUp", ratioText(b, f.DigitalTakeUp)), points)
	}
	for _, cf := range f.ByChannel {
		row := ChannelRow{Name: channelName(b.Lang, cf.Channel), Digital: cf.Channel.Digital, Contacts: formatCount(cf.Contacts),
			Transactions: formatCount(cf.Transactions), Share: ratioText(b, cf.Share), Cost: moneyText(b, cf.Cost)}
		if cf.Costed {
			row.UnitCost = formatPounds(float64(cf.UnitCost.Pence))
		} else {
			row.UnitCost = b.T("measures.no_unit_cost")
		}
		d.Channels = append(d.Channels, row)
	}
	for _, sf := range f.ByService {
		d.Services = append(d.Services, ServiceRow{Name: serviceName(b, sf.Service), Contacts: formatCount(sf.Contacts),
			Transactions: formatCount(sf.Transactions), TakeUp: ratioText(b, sf.DigitalTakeUp), Cost: moneyText(b, sf.Cost)})
	}
	if s := f.Saving; s != nil {
		d.Saving = savingView(b, *s, byKey)
	}
	d.Engagement = engagementView(b, rep.Engagement, len(rep.Settings.Baseline) > 0)
	d.Score = scoreView(b, rep.Score)
	d.Costs = costRows(b, rep.Costs, rep.Channels, rep.Query.Period.To)
	return d
}

func savingView(b Base, s measure.Saving, byKey map[string]measure.Channel) *SavingView {
	v := &SavingView{Baseline: periodText(b, b.Lang, s.Baseline), Valid: s.Valid}
	if !s.Valid {
		return v
	}
	v.CostAtBaseline, v.ActualCost = formatPounds(s.CostAtBaseline), formatPounds(s.ActualCost)
	v.Saving, v.Negative = formatPounds(s.Saving), s.Saving < 0
	var keys []string
	for k := range s.BaselineMix {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c, ok := byKey[k]
		if !ok {
			c = measure.Channel{Key: k}
		}
		v.Mix = append(v.Mix, MixRow{Channel: channelName(b.Lang, c), Share: formatShare(s.BaselineMix[k])})
	}
	return v
}

func engagementView(b Base, e measure.EngagementFigures, baseline bool) EngagementView {
	v := EngagementView{Engagements: formatCount(int64(e.Engagements)), Participants: formatCount(e.Participants),
		Responses: formatCount(e.Responses), Owed: formatCount(int64(e.Owed)), Answered: formatCount(int64(e.Answered)),
		Outcome: ratioText(b, e.OutcomeShare), Due: formatCount(int64(e.Due)), OnTime: formatCount(int64(e.OnTime)),
		OnTimeShare: ratioText(b, e.OnTimeShare), HasBaseline: baseline}
	v.PerEngage = b.T("measures.no_data")
	if e.ResponsesPerEngagement.Valid {
		v.PerEngage = formatDecimal(e.ResponsesPerEngagement.Value)
	}
	v.MedianDays = b.T("measures.no_data")
	if e.MedianDaysToAnswer.Valid {
		v.MedianDays = b.T("measures.days", "Days", formatDecimal(e.MedianDaysToAnswer.Value))
	}
	if r := e.Representativeness; r != nil {
		v.Represent = representView(b, *r)
	}
	return v
}

func representView(b Base, r measure.Representativeness) *RepresentView {
	v := &RepresentView{Index: formatDecimal(r.Index * 100), Respondents: formatCount(r.Respondents)}
	var rows []pairRow
	for _, band := range r.Bands {
		row := BandRow{Band: bandName(b, band.Band), Respondents: formatCount(band.Respondents), Share: formatShare(band.Share),
			Population: formatShare(band.Population), Ratio: b.T("measures.no_data")}
		if band.Ratio.Valid {
			row.Ratio = formatDecimal(band.Ratio.Value)
			switch {
			case band.Ratio.Value < 0.8:
				row.Verdict = b.T("measures.represent.under")
			case band.Ratio.Value > 1.25:
				row.Verdict = b.T("measures.represent.over")
			}
		}
		v.Bands = append(v.Bands, row)
		rows = append(rows, pairRow{Label: row.Band, Value: band.Share, Other: band.Population, ValueText: row.Share, OtherText: row.Population})
	}
	v.Chart = newPairChart("chart-represent", b.T("measures.chart.represent_title"),
		b.T("measures.chart.represent_desc", "Index", v.Index, "Respondents", v.Respondents),
		b.T("measures.represent.respondents"), b.T("measures.represent.population"), rows)
	return v
}

// bandName writes an age band: "75+" and "16-24" read the same in both
// languages but for the word "and over".
func bandName(b Base, band string) string {
	if band == measure.PreferNotToSay {
		return b.T("measures.represent.prefer_not")
	}
	if len(band) > 1 && band[len(band)-1] == '+' {
		return b.T("measures.represent.and_over", "Age", band[:len(band)-1])
	}
	return band
}

func scoreView(b Base, s measure.Score) ScoreView {
	v := ScoreView{Index: b.T("measures.no_data"), Measured: s.Measured}
	if s.Index.Valid {
		v.Index = formatDecimal(s.Index.Value)
	}
	if s.Rank > 0 {
		v.Rank = strconv.Itoa(s.Rank)
	}
	for _, k := range measure.Components {
		v.Components = append(v.Components, ComponentRow{Key: k, Name: b.T("measures.component." + k), Value: ratioText(b, s.Components[k])})
	}
	return v
}

// costRows lists the organisation's unit costs with their sources, marking
// the one in force for each channel at month at.
func costRows(b Base, costs []measure.UnitCost, channels []measure.Channel, at measure.Month) []CostRow {
	byKey := channelIndex(channels)
	inForce := map[string]measure.UnitCost{}
	for _, c := range channels {
		if uc, ok := measure.CostAt(costs, c.Key, at); ok {
			inForce[c.Key] = uc
		}
	}
	var rows []CostRow
	for _, uc := range costs {
		c, ok := byKey[uc.Channel]
		if !ok {
			c = measure.Channel{Key: uc.Channel}
		}
		row := CostRow{Channel: channelName(b.Lang, c), Key: uc.Channel, Cost: formatPounds(float64(uc.Pence)), Source: uc.Source, Default: uc.Default}
		if uc.From.Valid() {
			row.From, row.FromKey = monthName(b.Lang, uc.From), uc.From.String()
		} else {
			row.From = b.T("measures.costs.from_start")
		}
		cur, ok := inForce[uc.Channel]
		row.InForce = ok && cur.From == uc.From && cur.Default == uc.Default && cur.Pence == uc.Pence
		rows = append(rows, row)
	}
	return rows
}
