package store

import (
	"context"
	"database/sql"
	"time"

	"parley/internal/account"
)

// audit records a staff action inside the transaction that makes it, as
// the next link of its organisation's chain. Bumping the chain's head row
// first makes a concurrent writer of the same chain wait for this
// transaction, and on PostgreSQL its bump then reads this entry's hash: the
// chain never forks.
func audit(ctx context.Context, tx *sql.Tx, e account.AuditEntry) error {
	e.At = e.At.UTC().Truncate(time.Microsecond)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_heads (chain, hash, entries) VALUES ($1, '', 0) ON CONFLICT (chain) DO NOTHING`, e.OrgID); err != nil {
		return err
	}
	var prev string
	if err := tx.QueryRowContext(ctx, `UPDATE audit_heads SET entries = entries + 1 WHERE chain = $1 RETURNING hash`, e.OrgID).Scan(&prev); err != nil {
		return err
	}
	e.PrevHash, e.Hash = prev, e.ChainHash(prev)
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO audit_log (at, actor_id, org_id, action, target, detail, before_state, after_state, prev_hash, hash)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.At, sql.NullInt64{Int64: e.ActorID, Valid: e.ActorID != 0}, sql.NullInt64{Int64: e.OrgID, Valid: e.OrgID != 0},
		e.Action, e.Target, e.Detail, e.Before, e.After, e.PrevHash, e.Hash); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE audit_heads SET hash = $1 WHERE chain = $2`, e.Hash, e.OrgID)
	return err
}

const auditColumns = `id, at, actor_id, org_id, action, target, detail, before_state, after_state, prev_hash, hash`

func scanAudit(rows *sql.Rows) (account.AuditEntry, error) {
	var e account.AuditEntry
	var actor, org sql.NullInt64
	err := rows.Scan(&e.ID, &e.At, &actor, &org, &e.Action, &e.Target, &e.Detail, &e.Before, &e.After, &e.PrevHash, &e.Hash)
	e.ActorID, e.OrgID, e.At = actor.Int64, org.Int64, e.At.UTC()
	return e, err
}

// AuditLog lists the newest entries for an organisation (0: every entry).
func (s *Store) AuditLog(ctx context.Context, orgID int64, limit int) ([]account.AuditEntry, error) {
	q := `SELECT ` + auditColumns + ` FROM audit_log WHERE org_id = $1 ORDER BY id DESC LIMIT $2`
	args := []any{orgID, limit}
	if orgID == 0 {
		q = `SELECT ` + auditColumns + ` FROM audit_log ORDER BY id DESC LIMIT $1`
		args = []any{limit}
	}
	return s.auditRows(ctx, q, args...)
}

// AuditChain lists up to limit entries of one chain (an organisation's;
// 0: the platform's) after the entry ID given, oldest first: for exports
// and for checking the chain.
func (s *Store) AuditChain(ctx context.Context, orgID, afterID int64, limit int) ([]account.AuditEntry, error) {
	if orgID == 0 {
		return s.auditRows(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE org_id IS NULL AND id > $1 ORDER BY id LIMIT $2`, afterID, limit)
	}
	return s.auditRows(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3`, orgID, afterID, limit)
}

// CheckAuditChain checks a whole chain, a page at a time.
func (s *Store) CheckAuditChain(ctx context.Context, orgID int64) (account.ChainCheck, error) {
	var total account.ChainCheck
	var after int64
	for {
		page, err := s.AuditChain(ctx, orgID, after, 5000)
		if err != nil || len(page) == 0 {
			return total, err
		}
		c := account.CheckChain(total.Head, page)
		total.Entries += c.Entries
		total.Head, total.BrokenAt = c.Head, c.BrokenAt
		if !c.Intact() {
			return total, nil
		}
		after = page[len(page)-1].ID
	}
}

// chainOldAudit gives the entries written before the chain existed their
// hashes, oldest first, continuing each chain's head. Migrate runs it; it
// does nothing once every entry is chained.
func (s *Store) chainOldAudit(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		old, err := collect(ctx, tx, `SELECT `+auditColumns+` FROM audit_log WHERE hash = '' ORDER BY id`, nil, scanAudit)
		if err != nil {
			return err
		}
		heads := map[int64]string{}
		for _, e := range old {
			if _, ok := heads[e.OrgID]; !ok {
				var h string
				err := tx.QueryRowContext(ctx, `SELECT hash FROM audit_heads WHERE chain = $1`, e.OrgID).Scan(&h)
				if err != nil && err != sql.ErrNoRows {
					return err
				}
				heads[e.OrgID] = h
			}
			prev := heads[e.OrgID]
			hash := e.ChainHash(prev)
			if _, err := tx.ExecContext(ctx, `UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE id = $3`, prev, hash, e.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO audit_heads (chain, hash, entries) VALUES ($1, $2, 1)
				ON CONFLICT (chain) DO UPDATE SET hash = excluded.hash, entries = audit_heads.entries + 1`, e.OrgID, hash); err != nil {
				return err
			}
			heads[e.OrgID] = hash
		}
		return nil
	})
}

func (s *Store) auditRows(ctx context.Context, q string, args ...any) ([]account.AuditEntry, error) {
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
