package web

import (
	"context"

	"parley/internal/measure"
)

// MeasureStore is what the measurement pages need of the database. Every
// method that changes data records an audit entry.
type MeasureStore interface {
	MeasureChannels(ctx context.Context, orgID int64) ([]measure.Channel, error)
	AddMeasureChannel(ctx context.Context, c measure.Channel, actorID int64) (measure.Channel, error)
	UnitCosts(ctx context.Context, orgID int64) ([]measure.UnitCost, error)
	SetUnitCost(ctx context.Context, c measure.UnitCost, actorID int64) error
	DeleteUnitCost(ctx context.Context, orgID int64, channel string, from measure.Month, actorID int64) error
	MeasureDatasets(ctx context.Context, orgID int64) ([]measure.Dataset, error)
	MeasureDataset(ctx context.Context, id int64) (measure.Dataset, error)
	CreateDataset(ctx context.Context, d measure.Dataset, actorID int64) (string, measure.Dataset, error)
	RevokeDataset(ctx context.Context, id int64, actorID int64) error
	ImportRecords(ctx context.Context, orgID int64, rs []measure.Record, actorID int64) (int, error)
	MeasureTotals(ctx context.Context, f measure.TotalsFilter) ([]measure.Total, error)
	MeasureServices(ctx context.Context, orgID int64) ([]string, error)
	MeasureRecords(ctx context.Context, datasetID int64, afterID int64, limit int) ([]measure.Record, int64, error)
	Engagements(ctx context.Context, orgIDs []int64, p measure.Period) (map[int64][]measure.Engagement, error)
	AgeBandCounts(ctx context.Context, orgIDs []int64, p measure.Period) (map[int64]map[string]int64, error)
	MeasureSettings(ctx context.Context, orgID int64) (measure.Settings, error)
	AllMeasureSettings(ctx context.Context) (map[int64]measure.Settings, error)
	SetMeasureSettings(ctx context.Context, st measure.Settings, actorID int64) error
}
