package store

import (
	"context"
	"database/sql"
	"strings"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/measure"
)

const datasetColumns = `id, org_id, name, kind, created_at, revoked_at, records`

func scanDataset(row interface{ Scan(...any) error }) (measure.Dataset, error) {
	var d measure.Dataset
	var revoked sql.NullTime
	if err := row.Scan(&d.ID, &d.OrgID, &d.Name, &d.Kind, &d.CreatedAt, &revoked, &d.Records); err != nil {
		return d, err
	}
	d.CreatedAt, d.RevokedAt = d.CreatedAt.UTC(), timeOf(revoked)
	return d, nil
}

// MeasureDatasets lists an organisation's datasets with their record counts.
func (s *Store) MeasureDatasets(ctx context.Context, orgID int64) ([]measure.Dataset, error) {
	return collect(ctx, s.read, `SELECT `+datasetColumns+` FROM measure_datasets WHERE org_id = $1 ORDER BY id`,
		[]any{orgID}, func(rows *sql.Rows) (measure.Dataset, error) { return scanDataset(rows) })
}

// CreateDataset creates an API dataset and returns its ingest token in
// plain text, the only time it exists outside the caller; audited.
func (s *Store) CreateDataset(ctx context.Context, d measure.Dataset, actorID int64) (string, measure.Dataset, error) {
	d.Name, d.Kind = strings.TrimSpace(d.Name), measure.KindAPI
	var f apperr.Fields
	f.Check(d.Name != "", "name", "error.measure.dataset.name_required")
	f.Check(len(d.Name) <= 100, "name", "error.measure.dataset.name_too_long")
	if err := f.Err(); err != nil {
		return "", d, err
	}
	plain, hash := account.NewSecret(measure.TokenPrefix)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		d.CreatedAt = s.clock()
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO measure_datasets (org_id, name, kind, token_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			d.OrgID, d.Name, d.Kind, hash, d.CreatedAt).Scan(&d.ID); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: d.CreatedAt, ActorID: actorID, OrgID: d.OrgID,
			Action: "measure.dataset.create", Target: datasetTarget(d.ID), Detail: d.Name})
	})
	if err != nil {
		return "", d, err
	}
	return plain, d, nil
}

// RevokeDataset stops a dataset's token working (its records stay), audited.
func (s *Store) RevokeDataset(ctx context.Context, id int64, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		d, err := scanDataset(tx.QueryRowContext(ctx, `SELECT `+datasetColumns+` FROM measure_datasets WHERE id = $1`, id))
		if err == sql.ErrNoRows || (err == nil && d.Kind != measure.KindAPI) {
			return apperr.New(apperr.NotFound, "error.measure.dataset.not_found")
		}
		if err != nil {
			return err
		}
		if !d.RevokedAt.IsZero() {
			return nil // already revoked: nothing to do, nothing to audit
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `UPDATE measure_datasets SET revoked_at = $1 WHERE id = $2`, now, id); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: d.OrgID,
			Action: "measure.dataset.revoke", Target: datasetTarget(id), Detail: d.Name})
	})
}

// MeasureDataset returns one dataset.
func (s *Store) MeasureDataset(ctx context.Context, id int64) (measure.Dataset, error) {
	d, err := scanDataset(s.read.QueryRowContext(ctx, `SELECT `+datasetColumns+` FROM measure_datasets WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return d, apperr.Wrap(apperr.NotFound, err, "error.measure.dataset.not_found")
	}
	return d, err
}

// DatasetByToken returns the live dataset a token belongs to, or
// Unauthenticated.
func (s *Store) DatasetByToken(ctx context.Context, plain string) (measure.Dataset, error) {
	if !strings.HasPrefix(plain, measure.TokenPrefix) {
		return measure.Dataset{}, apperr.New(apperr.Unauthenticated, "error.token.invalid")
	}
	d, err := scanDataset(s.read.QueryRowContext(ctx,
		`SELECT `+datasetColumns+` FROM measure_datasets WHERE token_hash = $1`, account.HashSecret(plain)))
	if err == sql.ErrNoRows || (err == nil && (!d.RevokedAt.IsZero() || d.Kind != measure.KindAPI)) {
		return measure.Dataset{}, apperr.New(apperr.Unauthenticated, "error.token.invalid")
	}
	return d, err
}

func datasetTarget(id int64) string { return "measure_dataset:" + itoa(id) }

// ownDataset returns the organisation's dataset of a kind that is not
// the API's (its CSV imports, its activity), making it on first use.
func (s *Store) ownDataset(ctx context.Context, tx *sql.Tx, orgID int64, kind measure.DatasetKind) (measure.Dataset, error) {
	d, err := scanDataset(tx.QueryRowContext(ctx,
		`SELECT `+datasetColumns+` FROM measure_datasets WHERE org_id = $1 AND kind = $2`, orgID, kind))
	if err != sql.ErrNoRows {
		return d, err
	}
	d = measure.Dataset{OrgID: orgID, Kind: kind, Name: ownDatasetNames[kind], CreatedAt: s.clock()}
	err = tx.QueryRowContext(ctx, `INSERT INTO measure_datasets (org_id, name, kind, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		orgID, d.Name, kind, d.CreatedAt).Scan(&d.ID)
	return d, err
}

// ownDatasetNames name the datasets Parley makes itself (pages translate
// them by kind; the name is for exports and the audit log).
var ownDatasetNames = map[measure.DatasetKind]string{
	measure.KindCSV:      "CSV imports",
	measure.KindActivity: "Parley activity",
}
