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
	panic("measure.OrgReport: not written yet")
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
	panic("measure.Compare: not written yet")
}
