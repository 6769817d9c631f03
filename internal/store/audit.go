package store

import (
	"context"
	"database/sql"

	"parley/internal/account"
)

// audit records a staff action inside the transaction that makes it.
func audit(ctx context.Context, tx *sql.Tx, e account.AuditEntry) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO audit_log (at, actor_id, org_id, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.At, sql.NullInt64{Int64: e.ActorID, Valid: e.ActorID != 0}, sql.NullInt64{Int64: e.OrgID, Valid: e.OrgID != 0},
		e.Action, e.Target, e.Detail)
	return err
}

// AuditLog lists the newest entries for an organisation (0: platform-wide entries too).
func (s *Store) AuditLog(ctx context.Context, orgID int64, limit int) ([]account.AuditEntry, error) {
	q := `SELECT id, at, actor_id, org_id, action, target, detail FROM audit_log WHERE org_id = $1 ORDER BY id DESC LIMIT $2`
	args := []any{orgID, limit}
	if orgID == 0 {
		q = `SELECT id, at, actor_id, org_id, action, target, detail FROM audit_log ORDER BY id DESC LIMIT $1`
		args = []any{limit}
	}
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.AuditEntry
	for rows.Next() {
		var e account.AuditEntry
		var actor, org sql.NullInt64
		if err := rows.Scan(&e.ID, &e.At, &actor, &org, &e.Action, &e.Target, &e.Detail); err != nil {
			return nil, err
		}
		e.ActorID, e.OrgID, e.At = actor.Int64, org.Int64, e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
