package store

import (
	"context"
	"database/sql"
	"strings"

	"parley/internal/measure"
)

// MeasureTotals returns monthly totals matching f, by organisation,
// service, channel and month. A zero period matches every month; totals
// that are all zero (every record in them replaced away) are left out.
func (s *Store) MeasureTotals(ctx context.Context, f measure.TotalsFilter) ([]measure.Total, error) {
	if f.OrgIDs != nil && len(f.OrgIDs) == 0 {
		return nil, nil
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		var b strings.Builder
		s.bindVar(&b, len(args))
		return b.String()
	}
	if f.Period != (measure.Period{}) {
		where = append(where, "month >= "+arg(int(f.Period.From))+" AND month <= "+arg(int(f.Period.To)))
	}
	if f.OrgIDs != nil {
		where = append(where, "org_id IN ("+s.bindVars(len(args)+1, len(f.OrgIDs))+")")
		for _, id := range f.OrgIDs {
			args = append(args, id)
		}
	}
	if f.Service != "" {
		where = append(where, "service = "+arg(f.Service))
	}
	if f.Channel != "" {
		where = append(where, "channel = "+arg(f.Channel))
	}
	where = append(where, "(contacts <> 0 OR transactions <> 0 OR started <> 0 OR completed <> 0 OR satisfied <> 0 OR rated <> 0)")
	q := `SELECT org_id, service, channel, month, contacts, transactions, started, completed, satisfied, rated
		FROM measure_monthly WHERE ` + strings.Join(where, " AND ") + ` ORDER BY org_id, service, channel, month`
	return collect(ctx, s.read, q, args, func(rows *sql.Rows) (measure.Total, error) {
		var t measure.Total
		err := rows.Scan(&t.OrgID, &t.Service, &t.Channel, &t.Month, &t.Contacts, &t.Transactions, &t.Started, &t.Completed, &t.Satisfied, &t.Rated)
		return t, err
	})
}

// MeasureServices lists the services an organisation has records for, by name.
func (s *Store) MeasureServices(ctx context.Context, orgID int64) ([]string, error) {
	return collect(ctx, s.read, `SELECT DISTINCT service FROM measure_monthly WHERE org_id = $1 ORDER BY service`,
		[]any{orgID}, func(rows *sql.Rows) (string, error) {
			var v string
			err := rows.Scan(&v)
			return v, err
		})
}

// MeasureRecords lists up to limit of a dataset's records after the record
// id given, for downloads, and the id to pass next: 0 when there are no more.
func (s *Store) MeasureRecords(ctx context.Context, datasetID int64, afterID int64, limit int) ([]measure.Record, int64, error) {
	if limit <= 0 {
		return nil, 0, nil
	}
	rs, err := collect(ctx, s.read, `SELECT id, dataset_id, ext_id, org_id, service, channel, day, contacts, transactions, started, completed, satisfied, rated
		FROM measure_records WHERE dataset_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		[]any{datasetID, afterID, limit + 1}, func(rows *sql.Rows) (measure.Record, error) {
			var r measure.Record
			var ext sql.NullString
			err := rows.Scan(&r.ID, &r.DatasetID, &ext, &r.OrgID, &r.Service, &r.Channel, &r.Day,
				&r.Contacts, &r.Transactions, &r.Started, &r.Completed, &r.Satisfied, &r.Rated)
			r.ExtID = ext.String
			return r, err
		})
	if err != nil || len(rs) <= limit {
		return rs, 0, err
	}
	rs = rs[:limit]
	return rs, rs[limit-1].ID, nil
}
