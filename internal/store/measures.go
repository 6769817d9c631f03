package store

import (
	"context"
	"errors"

	"parley/internal/measure"
)

// errTodo marks the measurement store methods still being written.
var errTodo = errors.New("store: measurement not written yet")

// MeasureChannels returns the built-in channels then the organisation's own, by key.
func (s *Store) MeasureChannels(ctx context.Context, orgID int64) ([]measure.Channel, error) {
	return nil, errTodo
}

// AddMeasureChannel adds an organisation's own channel (key unique across
// built-in and own: Conflict otherwise), audited.
func (s *Store) AddMeasureChannel(ctx context.Context, c measure.Channel, actorID int64) (measure.Channel, error) {
	return c, errTodo
}

// UnitCosts returns the organisation's own unit costs by channel then month
// (not the defaults: measure.CostAt adds those).
func (s *Store) UnitCosts(ctx context.Context, orgID int64) ([]measure.UnitCost, error) {
	return nil, errTodo
}

// SetUnitCost saves a unit cost for (org, channel, from month), replacing
// one there, audited with before and after.
func (s *Store) SetUnitCost(ctx context.Context, c measure.UnitCost, actorID int64) error {
	return errTodo
}

// DeleteUnitCost removes the organisation's unit cost for a channel and month, audited.
func (s *Store) DeleteUnitCost(ctx context.Context, orgID int64, channel string, from measure.Month, actorID int64) error {
	return errTodo
}

// MeasureDatasets lists an organisation's datasets with their record counts.
func (s *Store) MeasureDatasets(ctx context.Context, orgID int64) ([]measure.Dataset, error) {
	return nil, errTodo
}

// CreateDataset creates an API dataset and returns its ingest token in
// plain text, the only time it exists outside the caller; audited.
func (s *Store) CreateDataset(ctx context.Context, d measure.Dataset, actorID int64) (string, measure.Dataset, error) {
	return "", d, errTodo
}

// RevokeDataset stops a dataset's token working (its records stay), audited.
func (s *Store) RevokeDataset(ctx context.Context, id int64, actorID int64) error {
	return errTodo
}

// MeasureDataset returns one dataset.
func (s *Store) MeasureDataset(ctx context.Context, id int64) (measure.Dataset, error) {
	return measure.Dataset{}, errTodo
}

// DatasetByToken returns the live dataset a token belongs to, or
// Unauthenticated.
func (s *Store) DatasetByToken(ctx context.Context, plain string) (measure.Dataset, error) {
	return measure.Dataset{}, errTodo
}

// IngestRecords writes a batch into a dataset in one transaction: a record
// with an ExtID already in the dataset replaces it (the monthly totals move
// by the difference), others are added. All or nothing.
func (s *Store) IngestRecords(ctx context.Context, datasetID int64, rs []measure.Record) (measure.IngestResult, error) {
	return measure.IngestResult{}, errTodo
}

// ImportRecords adds a staff CSV import to the organisation's CSV dataset
// (created on first use) in one transaction, audited; all or nothing.
func (s *Store) ImportRecords(ctx context.Context, orgID int64, rs []measure.Record, actorID int64) (int, error) {
	return 0, errTodo
}

// CollectActivity writes Parley's own activity (submitted responses by
// channel, confirmed signatures, supports, votes) as records of each
// organisation's activity dataset, one per service, channel and day, with
// ExtIDs so that collecting again replaces rather than adds. It returns how
// many records changed.
func (s *Store) CollectActivity(ctx context.Context) (int, error) {
	return 0, errTodo
}

// MeasureTotals returns monthly totals matching f, by organisation,
// service, channel and month.
func (s *Store) MeasureTotals(ctx context.Context, f measure.TotalsFilter) ([]measure.Total, error) {
	return nil, errTodo
}

// MeasureServices lists the services an organisation has records for, by name.
func (s *Store) MeasureServices(ctx context.Context, orgID int64) ([]string, error) {
	return nil, errTodo
}

// MeasureRecords lists up to limit of a dataset's records after the record
// id given, for downloads.
func (s *Store) MeasureRecords(ctx context.Context, datasetID int64, afterID int64, limit int) ([]measure.Record, int64, error) {
	return nil, 0, errTodo
}

// Engagements returns the engagements of the organisations (nil: all) that
// were running at some time in the period, by organisation.
func (s *Store) Engagements(ctx context.Context, orgIDs []int64, p measure.Period) (map[int64][]measure.Engagement, error) {
	return nil, errTodo
}

// AgeBandCounts counts submitted consultation responses in the period by
// the age band respondents gave, by organisation (nil: all).
func (s *Store) AgeBandCounts(ctx context.Context, orgIDs []int64, p measure.Period) (map[int64]map[string]int64, error) {
	return nil, errTodo
}

// MeasureSettings returns an organisation's settings (zero ones when unset).
func (s *Store) MeasureSettings(ctx context.Context, orgID int64) (measure.Settings, error) {
	return measure.Settings{OrgID: orgID}, errTodo
}

// AllMeasureSettings returns every organisation's settings, by organisation.
func (s *Store) AllMeasureSettings(ctx context.Context) (map[int64]measure.Settings, error) {
	return nil, errTodo
}

// SetMeasureSettings saves an organisation's settings, audited.
func (s *Store) SetMeasureSettings(ctx context.Context, st measure.Settings, actorID int64) error {
	return errTodo
}
