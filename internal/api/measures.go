package api

import (
	"context"

	"parley/internal/measure"
)

// MeasureStore is what the measurement endpoints need of the database.
type MeasureStore interface {
	DatasetByToken(ctx context.Context, plain string) (measure.Dataset, error)
	IngestRecords(ctx context.Context, datasetID int64, rs []measure.Record) (measure.IngestResult, error)
	MeasureChannels(ctx context.Context, orgID int64) ([]measure.Channel, error)
	UnitCosts(ctx context.Context, orgID int64) ([]measure.UnitCost, error)
	MeasureTotals(ctx context.Context, f measure.TotalsFilter) ([]measure.Total, error)
	Engagements(ctx context.Context, orgIDs []int64, p measure.Period) (map[int64][]measure.Engagement, error)
	AgeBandCounts(ctx context.Context, orgIDs []int64, p measure.Period) (map[int64]map[string]int64, error)
	MeasureSettings(ctx context.Context, orgID int64) (measure.Settings, error)
	AllMeasureSettings(ctx context.Context) (map[int64]measure.Settings, error)
}

// measureRoutes registers the measurement endpoints.
func (a *API) measureRoutes() {}
