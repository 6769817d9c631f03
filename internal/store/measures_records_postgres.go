package store

import (
	"context"
	"database/sql"
	"time"

	"parley/internal/measure"
)

// PostgreSQL forms of the record writes: each passes a batch as one array
// per column and unnests them, rather than binding thousands of values
// (parsing and binding 13 × 1,000 parameters costs several times the
// INSERT itself). The row order of the arrays is kept, so rows are still
// locked in the order the caller sorted them.

func (s *Store) pgStoredRecords(ctx context.Context, tx *sql.Tx, datasetID int64, exts []string) (map[string]stored, error) {
	out := make(map[string]stored, len(exts))
	if len(exts) == 0 {
		return out, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, ext_id, org_id, service, channel, day, contacts, transactions, started, completed, satisfied, rated
		FROM measure_records WHERE dataset_id = $1 AND ext_id = ANY($2::text[]) ORDER BY id FOR UPDATE`, datasetID, exts)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		ext, o, err := scanStored(rows)
		if err != nil {
			return nil, err
		}
		out[ext] = o
	}
	return out, rows.Err()
}

func (s *Store) pgDeleteRecords(ctx context.Context, tx *sql.Tx, ids []int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM measure_records WHERE id = ANY($1::bigint[])`, ids)
	return err
}

// recordArrays are records as one array per column.
type recordArrays struct {
	ids                                                          []int64
	exts, services, channels                                     []string
	days                                                         []int32
	contacts, transactions, started, completed, satisfied, rated []int64
}

func arraysOf(rs []measure.Record) recordArrays {
	a := recordArrays{}
	for _, r := range rs {
		a.ids = append(a.ids, r.ID)
		a.exts = append(a.exts, r.ExtID)
		a.services = append(a.services, r.Service)
		a.channels = append(a.channels, r.Channel)
		a.days = append(a.days, int32(r.Day))
		a.contacts = append(a.contacts, r.Contacts)
		a.transactions = append(a.transactions, r.Transactions)
		a.started = append(a.started, r.Started)
		a.completed = append(a.completed, r.Completed)
		a.satisfied = append(a.satisfied, r.Satisfied)
		a.rated = append(a.rated, r.Rated)
	}
	return a
}

// pgInsertRecords inserts records of one dataset; a record whose ExtID a
// concurrent batch has meanwhile written is not inserted but returned (the
// INSERT waits for that batch to end rather than failing).
func (s *Store) pgInsertRecords(ctx context.Context, tx *sql.Tx, rs []measure.Record, now time.Time) ([]measure.Record, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	a := arraysOf(rs)
	rows, err := tx.QueryContext(ctx, `INSERT INTO measure_records (dataset_id, ext_id, org_id, service, channel, day,
		contacts, transactions, started, completed, satisfied, rated, received_at)
		SELECT $1, NULLIF(u.ext, ''), $2, u.service, u.channel, u.day, u.contacts, u.transactions, u.started, u.completed, u.satisfied, u.rated, $3
		FROM unnest($4::text[], $5::text[], $6::text[], $7::integer[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[])
			AS u(ext, service, channel, day, contacts, transactions, started, completed, satisfied, rated)
		ON CONFLICT (dataset_id, ext_id) DO NOTHING RETURNING ext_id`,
		rs[0].DatasetID, rs[0].OrgID, now, a.exts, a.services, a.channels, a.days, a.contacts, a.transactions, a.started, a.completed, a.satisfied, a.rated)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	written := make(map[string]bool, len(rs))
	n := 0
	for rows.Next() {
		var ext sql.NullString
		if err := rows.Scan(&ext); err != nil {
			return nil, err
		}
		written[ext.String] = true
		n++
	}
	if err := rows.Err(); err != nil || n == len(rs) {
		return nil, err
	}
	var raced []measure.Record
	for _, r := range rs {
		if r.ExtID != "" && !written[r.ExtID] {
			raced = append(raced, r)
		}
	}
	return raced, nil
}

func (s *Store) pgUpdateRecords(ctx context.Context, tx *sql.Tx, rs []measure.Record, now time.Time) error {
	if len(rs) == 0 {
		return nil
	}
	a := arraysOf(rs)
	_, err := tx.ExecContext(ctx, `UPDATE measure_records AS r SET service = u.service, channel = u.channel, day = u.day,
		contacts = u.contacts, transactions = u.transactions, started = u.started, completed = u.completed,
		satisfied = u.satisfied, rated = u.rated, received_at = $1
		FROM unnest($2::bigint[], $3::text[], $4::text[], $5::integer[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[])
			AS u(id, service, channel, day, contacts, transactions, started, completed, satisfied, rated)
		WHERE r.id = u.id`,
		now, a.ids, a.services, a.channels, a.days, a.contacts, a.transactions, a.started, a.completed, a.satisfied, a.rated)
	return err
}

// pgMoveMonthly adds the deltas in the order of keys (sorted by the caller).
func (s *Store) pgMoveMonthly(ctx context.Context, tx *sql.Tx, keys []monthKey, deltas map[monthKey]*counts) error {
	if len(keys) == 0 {
		return nil
	}
	var months []int32
	var orgs []int64
	var services, channels []string
	var c [6][]int64
	for _, k := range keys {
		d := deltas[k]
		months, orgs, services, channels = append(months, int32(k.month)), append(orgs, k.orgID), append(services, k.service), append(channels, k.channel)
		for i, v := range []int64{d.contacts, d.transactions, d.started, d.completed, d.satisfied, d.rated} {
			c[i] = append(c[i], v)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO measure_monthly (month, org_id, service, channel, contacts, transactions, started, completed, satisfied, rated)
		SELECT * FROM unnest($1::integer[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
		ON CONFLICT (month, org_id, service, channel) DO UPDATE SET
		contacts = measure_monthly.contacts + excluded.contacts, transactions = measure_monthly.transactions + excluded.transactions,
		started = measure_monthly.started + excluded.started, completed = measure_monthly.completed + excluded.completed,
		satisfied = measure_monthly.satisfied + excluded.satisfied, rated = measure_monthly.rated + excluded.rated`,
		months, orgs, services, channels, c[0], c[1], c[2], c[3], c[4], c[5])
	return err
}
