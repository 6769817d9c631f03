package measure

import (
	"context"
	"time"
)

// Source is what reports read from storage; the store satisfies it.
type Source interface {
	MeasureChannels(ctx context.Context, orgID int64) ([]Channel, error)
	UnitCosts(ctx context.Context, orgID int64) ([]UnitCost, error)
	MeasureTotals(ctx context.Context, f TotalsFilter) ([]Total, error)
	Engagements(ctx context.Context, orgIDs []int64, p Period) (map[int64][]Engagement, error)
	AgeBandCounts(ctx context.Context, orgIDs []int64, p Period) (map[int64]map[string]int64, error)
	MeasureSettings(ctx context.Context, orgID int64) (Settings, error)
	AllMeasureSettings(ctx context.Context) (map[int64]Settings, error)
}

// Report is everything the dashboard of one organisation shows.
type Report struct {
	OrgID      int64
	Query      Query
	Settings   Settings
	Channels   []Channel
	Costs      []UnitCost // the organisation's own, then the defaults it has not replaced
	Figures    Figures
	Engagement EngagementFigures
	Score      Score // Rank 0: a report of one organisation is not ranked
}

// OrgReport reads and computes one organisation's report at now.
func OrgReport(ctx context.Context, src Source, orgID int64, q Query, now time.Time) (Report, error) {
	r := Report{OrgID: orgID, Query: q}
	var err error
	if r.Settings, err = src.MeasureSettings(ctx, orgID); err != nil {
		return r, err
	}
	in, err := readOrgs(ctx, src, []int64{orgID}, q)
	if err != nil {
		return r, err
	}
	o := in.org(orgID)
	r.Channels, r.Costs = o.channels, CostsInForce(o.costs)
	r.Figures = Compute(o.totals, o.costs, o.channels, q)
	r.Engagement = Engage(in.engagements[orgID], now)
	r.Engagement.Representativeness = Represent(in.ages[orgID], r.Settings.Baseline)
	r.Score = Rank([]IndexInput{o.indexInput(q, r.Engagement, r.Settings)})[0]
	r.Score.Rank = 0
	return r, nil
}

// CostsInForce lists an organisation's own unit costs, then the defaults
// for channels it has no row of its own for.
func CostsInForce(own []UnitCost) []UnitCost {
	out := append([]UnitCost(nil), own...)
	for _, d := range DefaultCosts {
		replaced := false
		for _, c := range own {
			if c.Channel == d.Channel {
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, d)
		}
	}
	return out
}

// Row is one organisation in the cross-organisation comparison.
type Row struct {
	OrgID              int64
	Public             bool
	Transactions       int64
	DigitalTakeUp      Ratio
	CostPerTransaction Money
	TotalCost          Money
	Saving             *Saving
	Engagement         EngagementFigures
	Score              Score
}

// Compare reads and computes the comparison of the organisations given
// (every one with settings or records when nil), ranked by the engagement
// index, best first. q.Service and q.Channel narrow the service figures
// only; the index always uses everything.
func Compare(ctx context.Context, src Source, orgIDs []int64, q Query, now time.Time) ([]Row, error) {
	settings, err := src.AllMeasureSettings(ctx)
	if err != nil {
		return nil, err
	}
	in, err := readOrgs(ctx, src, orgIDs, q)
	if err != nil {
		return nil, err
	}
	ids := orgIDs
	if ids == nil {
		ids = in.orgIDs(settings)
	}
	rows := make(map[int64]*Row, len(ids))
	inputs := make([]IndexInput, 0, len(ids))
	for _, id := range ids {
		if rows[id] != nil {
			continue
		}
		o, st := in.org(id), settings[id]
		st.OrgID = id
		f := Compute(o.totals, o.costs, o.channels, q)
		e := Engage(in.engagements[id], now)
		e.Representativeness = Represent(in.ages[id], st.Baseline)
		rows[id] = &Row{OrgID: id, Public: st.Public, Transactions: f.Transactions, DigitalTakeUp: f.DigitalTakeUp,
			CostPerTransaction: f.CostPerTransaction, TotalCost: f.TotalCost, Saving: f.Saving, Engagement: e}
		inputs = append(inputs, o.indexInput(q, e, st))
	}
	out := make([]Row, 0, len(inputs))
	for _, s := range Rank(inputs) {
		row := rows[s.OrgID]
		row.Score = s
		out = append(out, *row)
	}
	return out, nil
}
