package store

import (
	"context"
	"database/sql"
	"sort"
	"strconv"

	"parley/internal/measure"
)

// CollectActivity writes Parley's own activity (submitted responses by
// channel, confirmed signatures, supports, votes) as records of each
// organisation's activity dataset, one per service, channel and day, with
// ExtIDs so that collecting again replaces rather than adds. It returns how
// many records changed.
//
// Everything is counted afresh each time (in SQL, by day), so a signature
// invalidated or a response deleted long after the day moves that day's
// record; only records whose counts differ are written, so a collection
// with nothing new writes nothing. The counting reads a snapshot on the
// read pool, keeping the single SQLite writer free while it runs.
func (s *Store) CollectActivity(ctx context.Context) (int, error) {
	want, err := s.activity(ctx)
	if err != nil {
		return 0, err
	}
	changed := 0
	err = s.txRetry(ctx, func(tx *sql.Tx) error {
		changed = 0
		have, datasets, err := storedActivity(ctx, tx)
		if err != nil {
			return err
		}
		orgs := map[int64]bool{}
		for org := range want {
			orgs[org] = true
		}
		for org := range have {
			orgs[org] = true
		}
		ids := make([]int64, 0, len(orgs))
		for org := range orgs {
			ids = append(ids, org)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, org := range ids {
			var write []measure.Record
			for ext, r := range want[org] {
				if old, ok := have[org][ext]; !ok || old != countsOf(r) {
					write = append(write, r)
				}
			}
			var remove []string
			for ext := range have[org] {
				if _, ok := want[org][ext]; !ok {
					remove = append(remove, ext)
				}
			}
			if len(write) == 0 && len(remove) == 0 {
				continue
			}
			d, ok := datasets[org]
			if !ok {
				if d, err = s.ownDataset(ctx, tx, org, measure.KindActivity); err != nil {
					return err
				}
			}
			sort.Strings(remove)
			if _, err := s.writeRecords(ctx, tx, d, write, remove); err != nil {
				return err
			}
			changed += len(write) + len(remove)
		}
		return nil
	})
	return changed, err
}

// activityExt is an activity record's ExtID: service/channel/yyyymmdd.
func activityExt(service, channel string, day measure.Day) string {
	return service + "/" + channel + "/" + strconv.Itoa(int(day))
}

// storedActivity reads the activity records already written, by
// organisation and ExtID, and the activity datasets by organisation.
func storedActivity(ctx context.Context, tx *sql.Tx) (map[int64]map[string]counts, map[int64]measure.Dataset, error) {
	datasets := map[int64]measure.Dataset{}
	ds, err := collect(ctx, tx, `SELECT `+datasetColumns+` FROM measure_datasets WHERE kind = 'activity'`, nil,
		func(rows *sql.Rows) (measure.Dataset, error) { return scanDataset(rows) })
	if err != nil {
		return nil, nil, err
	}
	for _, d := range ds {
		datasets[d.OrgID] = d
	}
	have := map[int64]map[string]counts{}
	rows, err := tx.QueryContext(ctx, `SELECT r.org_id, r.ext_id, r.contacts, r.transactions, r.started, r.completed, r.satisfied, r.rated
		FROM measure_records r JOIN measure_datasets d ON d.id = r.dataset_id WHERE d.kind = 'activity'`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var org int64
		var ext string
		var c counts
		if err := rows.Scan(&org, &ext, &c.contacts, &c.transactions, &c.started, &c.completed, &c.satisfied, &c.rated); err != nil {
			return nil, nil, err
		}
		if have[org] == nil {
			have[org] = map[string]counts{}
		}
		have[org][ext] = c
	}
	return have, datasets, rows.Err()
}

// dayOf is the SQL for the UTC day (yyyymmdd) of a timestamp column.
func (s *Store) dayOf(col string) string {
	if s.dialect == SQLite {
		return "CAST(strftime('%Y%m%d', " + col + ") AS INTEGER)"
	}
	return "CAST(to_char(" + col + ", 'YYYYMMDD') AS INTEGER)"
}

// activityQuery counts one kind of activity by organisation, channel and
// day: each row adds its started, completed and transactions to the
// record of the service.
type activityQuery struct {
	service string
	sql     string // selects org_id, channel, day, started, completed, transactions
}

func (s *Store) activityQueries() []activityQuery {
	respDay := s.dayOf("CASE WHEN r.status = 'submitted' THEN COALESCE(r.received_at, r.submitted_at, r.created_at) ELSE r.created_at END")
	return []activityQuery{
		// Responses: every one begun is started; submitted ones are
		// completed transactions, on the day received (keyed-in ones) or sent.
		{measure.ServiceConsultations, `SELECT c.org_id, r.channel, ` + respDay + `,
			COUNT(*), SUM(CASE WHEN r.status = 'submitted' THEN 1 ELSE 0 END), SUM(CASE WHEN r.status = 'submitted' THEN 1 ELSE 0 END)
			FROM consultation_responses r JOIN consultations c ON c.id = r.consultation_id GROUP BY 1, 2, 3`},
		// Signatures: started when made, completed when confirmed (and not
		// invalidated since).
		{measure.ServiceSignatures, `SELECT p.org_id, 'web', ` + s.dayOf("g.created_at") + `, COUNT(*), 0, 0
			FROM proposal_signatures g JOIN proposals p ON p.id = g.proposal_id GROUP BY 1, 2, 3`},
		{measure.ServiceSignatures, `SELECT p.org_id, 'web', ` + s.dayOf("g.confirmed_at") + `, 0, COUNT(*), COUNT(*)
			FROM proposal_signatures g JOIN proposals p ON p.id = g.proposal_id
			WHERE g.confirmed_at IS NOT NULL AND g.invalidated_at IS NULL GROUP BY 1, 2, 3`},
		{measure.ServiceIdeas, `SELECT p.org_id, 'web', ` + s.dayOf("u.created_at") + `, 0, 0, COUNT(*)
			FROM proposal_supports u JOIN proposals p ON p.id = u.proposal_id GROUP BY 1, 2, 3`},
		// Votes imported from another tool are not Parley's activity.
		{measure.ServiceConversations, `SELECT c.org_id, v.channel, ` + s.dayOf("v.created_at") + `, 0, 0, COUNT(*)
			FROM conversation_votes v JOIN conversations c ON c.id = v.conversation_id WHERE v.channel <> 'import' GROUP BY 1, 2, 3`},
	}
}

// activity counts Parley's own activity as records, by organisation and ExtID.
func (s *Store) activity(ctx context.Context) (map[int64]map[string]measure.Record, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	out := map[int64]map[string]measure.Record{}
	for _, aq := range s.activityQueries() {
		rows, err := tx.QueryContext(ctx, aq.sql)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var org, started, completed, transactions int64
			var channel string
			var day measure.Day
			if err := rows.Scan(&org, &channel, &day, &started, &completed, &transactions); err != nil {
				rows.Close()
				return nil, err
			}
			ext := activityExt(aq.service, channel, day)
			if out[org] == nil {
				out[org] = map[string]measure.Record{}
			}
			r := out[org][ext]
			r.ExtID, r.OrgID, r.Service, r.Channel, r.Day = ext, org, aq.service, channel, day
			r.Started += started
			r.Completed += completed
			r.Transactions += transactions
			r.Contacts = r.Transactions // each contact Parley sees is a transaction
			r.Normalise()
			out[org][ext] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	// A day whose activity has all gone (every signature invalidated) is
	// no record: leaving it out removes one written before.
	for _, recs := range out {
		for ext, r := range recs {
			if countsOf(r) == (counts{}) {
				delete(recs, ext)
			}
		}
	}
	return out, nil
}
