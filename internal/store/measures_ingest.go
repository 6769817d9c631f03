package store

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/measure"
)

// Records are written in batches of up to measure.MaxBatch: one
// transaction, multi-row statements, the monthly totals moved by the sum
// of the batch's differences. The sizes below keep every statement well
// under SQLite's 32,766 bind variables and PostgreSQL's 65,535.
const (
	recordsPerInsert = 1000 // × 13 columns
	monthsPerUpsert  = 2000 // × 10 columns
	idsPerLookup     = 1000
)

// IngestRecords writes a batch into a dataset in one transaction: a record
// with an ExtID already in the dataset replaces it (the monthly totals move
// by the difference), others are added. All or nothing.
func (s *Store) IngestRecords(ctx context.Context, datasetID int64, rs []measure.Record) (measure.IngestResult, error) {
	if len(rs) > measure.MaxBatch {
		return measure.IngestResult{}, apperr.New(apperr.Invalid, "error.measure.batch.too_big")
	}
	var res measure.IngestResult
	err := s.txRetry(ctx, func(tx *sql.Tx) error {
		d, err := scanDataset(tx.QueryRowContext(ctx, `SELECT `+datasetColumns+` FROM measure_datasets WHERE id = $1`, datasetID))
		if err == sql.ErrNoRows || (err == nil && d.Kind != measure.KindAPI) {
			return apperr.New(apperr.NotFound, "error.measure.dataset.not_found")
		}
		if err != nil {
			return err
		}
		if !d.RevokedAt.IsZero() {
			return apperr.New(apperr.Unauthenticated, "error.token.invalid")
		}
		if err := checkRecords(ctx, tx, d.OrgID, rs); err != nil {
			return err
		}
		res, err = s.writeRecords(ctx, tx, d, rs, nil)
		return err
	})
	return res, err
}

// ImportRecords adds a staff CSV import to the organisation's CSV dataset
// (created on first use) in one transaction, audited; all or nothing.
// Records with an ExtID replace the CSV dataset's record with that ExtID.
// It returns how many records were written.
func (s *Store) ImportRecords(ctx context.Context, orgID int64, rs []measure.Record, actorID int64) (int, error) {
	if len(rs) == 0 {
		return 0, apperr.New(apperr.Invalid, "error.measure.import.empty")
	}
	var n int
	err := s.txRetry(ctx, func(tx *sql.Tx) error {
		if err := checkRecords(ctx, tx, orgID, rs); err != nil {
			return err
		}
		d, err := s.ownDataset(ctx, tx, orgID, measure.KindCSV)
		if err != nil {
			return err
		}
		res, err := s.writeRecords(ctx, tx, d, rs, nil)
		if err != nil {
			return err
		}
		n = res.Created + res.Replaced
		detail := strconv.Itoa(res.Created) + " records added, " + strconv.Itoa(res.Replaced) + " replaced"
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: orgID,
			Action: "measure.import", Target: datasetTarget(d.ID), Detail: detail})
	})
	return n, err
}

// checkRecords refuses records that the parsers should never have let
// through: a last line of defence for callers other than the parsers.
func checkRecords(ctx context.Context, tx *sql.Tx, orgID int64, rs []measure.Record) error {
	channels, err := measureChannels(ctx, tx, orgID)
	if err != nil {
		return err
	}
	known := make(map[string]bool, len(channels))
	for _, c := range channels {
		known[c.Key] = true
	}
	for _, r := range rs {
		ok := known[r.Channel] && r.Service != "" && len([]rune(r.Service)) <= measure.MaxText && len([]rune(r.ExtID)) <= measure.MaxText && validDay(r.Day)
		for _, n := range []int64{r.Contacts, r.Transactions, r.Started, r.Completed, r.Satisfied, r.Rated} {
			ok = ok && n >= 0 && n <= measure.MaxCount
		}
		if !ok {
			return apperr.New(apperr.Invalid, "error.measure.record.invalid")
		}
	}
	return nil
}

// validDay says d is a real calendar day.
func validDay(d measure.Day) bool {
	return d > 0 && measure.DayOf(d.Time()) == d
}

// counts are a record's or a total's figures.
type counts struct {
	contacts, transactions, started, completed, satisfied, rated int64
}

func countsOf(r measure.Record) counts {
	return counts{r.Contacts, r.Transactions, r.Started, r.Completed, r.Satisfied, r.Rated}
}

func (c *counts) add(o counts, sign int64) {
	c.contacts += sign * o.contacts
	c.transactions += sign * o.transactions
	c.started += sign * o.started
	c.completed += sign * o.completed
	c.satisfied += sign * o.satisfied
	c.rated += sign * o.rated
}

// monthKey is a row of measure_monthly.
type monthKey struct {
	month   measure.Month
	orgID   int64
	service string
	channel string
}

func (k monthKey) less(o monthKey) bool {
	if k.month != o.month {
		return k.month < o.month
	}
	if k.orgID != o.orgID {
		return k.orgID < o.orgID
	}
	if k.service != o.service {
		return k.service < o.service
	}
	return k.channel < o.channel
}

// stored is a record already in a dataset, as a replacement finds it.
type stored struct {
	id  int64
	key monthKey
	n   counts
}

// writeRecords writes rs into dataset d and deletes the records with the
// ExtIDs in remove, moving the monthly totals by the difference. Within rs
// a later record with an ExtID replaces an earlier one with the same.
func (s *Store) writeRecords(ctx context.Context, tx *sql.Tx, d measure.Dataset, rs []measure.Record, remove []string) (measure.IngestResult, error) {
	var res measure.IngestResult
	batch := dedupe(d, rs)
	var exts []string
	for _, r := range batch {
		if r.ExtID != "" {
			exts = append(exts, r.ExtID)
		}
	}
	exts = append(exts, remove...)
	old, err := s.storedRecords(ctx, tx, d.ID, exts)
	if err != nil {
		return res, err
	}
	inBatch := make(map[string]bool, len(batch))
	for _, r := range batch {
		inBatch[r.ExtID] = true
	}
	var gone []int64
	for _, ext := range remove {
		if o, ok := old[ext]; ok && !inBatch[ext] {
			gone = append(gone, o.id)
		}
	}
	if err := s.deleteRecords(ctx, tx, gone); err != nil {
		return res, err
	}
	// A replacement updates the record in place: a concurrent batch
	// waiting for its lock then reads the new version, not nothing.
	fresh := s.placeRecords(batch, old)
	raced, err := s.insertRecords(ctx, tx, fresh, s.clock())
	if err != nil {
		return res, err
	}
	// On PostgreSQL another batch may have added records with some of
	// these ExtIDs after the lookup and committed: they are replacements
	// after all.
	for round := 0; len(raced) > 0; round++ {
		if round == 10 {
			return res, errRaced
		}
		var again []string
		for _, r := range raced {
			again = append(again, r.ExtID)
		}
		more, err := s.storedRecords(ctx, tx, d.ID, again)
		if err != nil {
			return res, err
		}
		for ext, o := range more {
			old[ext] = o
		}
		if raced, err = s.insertRecords(ctx, tx, s.placeRecords(raced, more), s.clock()); err != nil {
			return res, err
		}
	}
	var replace []measure.Record
	for _, r := range batch {
		if o, ok := old[r.ExtID]; ok && r.ExtID != "" {
			r.ID = o.id
			replace = append(replace, r)
		}
	}
	if err := s.updateRecords(ctx, tx, replace, s.clock()); err != nil {
		return res, err
	}
	deltas := map[monthKey]*counts{}
	move := func(k monthKey, n counts, sign int64) {
		c := deltas[k]
		if c == nil {
			c = &counts{}
			deltas[k] = c
		}
		c.add(n, sign)
	}
	for _, r := range batch {
		if o, ok := old[r.ExtID]; ok && r.ExtID != "" {
			move(o.key, o.n, -1)
			res.Replaced++
		} else {
			res.Created++
		}
		move(monthKey{r.Day.Month(), d.OrgID, r.Service, r.Channel}, countsOf(r), 1)
	}
	for _, ext := range remove {
		if o, ok := old[ext]; ok && !inBatch[ext] {
			move(o.key, o.n, -1)
		}
	}
	if err := s.moveMonthly(ctx, tx, deltas); err != nil {
		return res, err
	}
	// Last, so that concurrent batches into one dataset hold this row's
	// lock for as short a time as possible.
	if diff := res.Created - len(gone); diff != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE measure_datasets SET records = records + $1 WHERE id = $2`, diff, d.ID); err != nil {
			return res, err
		}
	}
	return res, nil
}

// dedupe returns the batch as it will be stored: in d, normalised, one
// record per ExtID (the later wins, in the earlier one's place), sorted by
// ExtID so that concurrent batches meet each other's rows in one order.
func dedupe(d measure.Dataset, rs []measure.Record) []measure.Record {
	out := make([]measure.Record, 0, len(rs))
	at := map[string]int{}
	for _, r := range rs {
		r.DatasetID, r.OrgID, r.ID = d.ID, d.OrgID, 0
		r.Normalise() // a transaction is a contact
		if r.ExtID != "" {
			if i, ok := at[r.ExtID]; ok {
				out[i] = r
				continue
			}
			at[r.ExtID] = len(out)
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ExtID < out[j].ExtID })
	return out
}

// storedRecords finds the dataset's records with the ExtIDs given. On
// PostgreSQL it locks them, in id order, until the transaction ends, so a
// concurrent batch replacing one of them waits and then reads what this
// one wrote. (SQLite has one writer at a time.)
func (s *Store) storedRecords(ctx context.Context, tx *sql.Tx, datasetID int64, exts []string) (map[string]stored, error) {
	if s.dialect == Postgres {
		return s.pgStoredRecords(ctx, tx, datasetID, exts)
	}
	out := make(map[string]stored, len(exts))
	for from := 0; from < len(exts); from += idsPerLookup {
		part := exts[from:min(from+idsPerLookup, len(exts))]
		args := make([]any, 0, len(part)+1)
		args = append(args, datasetID)
		for _, e := range part {
			args = append(args, e)
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, ext_id, org_id, service, channel, day, contacts, transactions, started, completed, satisfied, rated
			FROM measure_records WHERE dataset_id = $1 AND ext_id IN (`+s.bindVars(2, len(part))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			ext, o, err := scanStored(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[ext] = o
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanStored(rows *sql.Rows) (string, stored, error) {
	var o stored
	var ext string
	var day measure.Day
	err := rows.Scan(&o.id, &ext, &o.key.orgID, &o.key.service, &o.key.channel, &day,
		&o.n.contacts, &o.n.transactions, &o.n.started, &o.n.completed, &o.n.satisfied, &o.n.rated)
	o.key.month = day.Month()
	return ext, o, err
}

// placeRecords returns the records of rs that are not in old: those to insert.
func (s *Store) placeRecords(rs []measure.Record, old map[string]stored) []measure.Record {
	var fresh []measure.Record
	for _, r := range rs {
		if _, ok := old[r.ExtID]; !ok || r.ExtID == "" {
			fresh = append(fresh, r)
		}
	}
	return fresh
}

// updateRecords rewrites records in place (r.ID says which) with one
// multi-row UPDATE per chunk.
func (s *Store) updateRecords(ctx context.Context, tx *sql.Tx, rs []measure.Record, now time.Time) error {
	if s.dialect == Postgres {
		return s.pgUpdateRecords(ctx, tx, rs, now)
	}
	const cols = 10
	for from := 0; from < len(rs); from += recordsPerInsert {
		part := rs[from:min(from+recordsPerInsert, len(rs))]
		args := make([]any, 0, 1+len(part)*cols)
		args = append(args, now)
		var b strings.Builder
		n := 2
		for i, r := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j, typ := range []string{"BIGINT", "TEXT", "TEXT", "INTEGER", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT"} {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString("CAST(")
				s.bindVar(&b, n)
				b.WriteString(" AS " + typ + ")")
				n++
			}
			b.WriteByte(')')
			args = append(args, r.ID, r.Service, r.Channel, int(r.Day), r.Contacts, r.Transactions, r.Started, r.Completed, r.Satisfied, r.Rated)
		}
		var first strings.Builder
		s.bindVar(&first, 1)
		q := `UPDATE measure_records SET service = v.column2, channel = v.column3, day = v.column4, contacts = v.column5,
			transactions = v.column6, started = v.column7, completed = v.column8, satisfied = v.column9, rated = v.column10,
			received_at = ` + first.String() + ` FROM (VALUES ` + b.String() + `) AS v WHERE measure_records.id = v.column1`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) deleteRecords(ctx context.Context, tx *sql.Tx, ids []int64) error {
	if s.dialect == Postgres {
		if len(ids) == 0 {
			return nil
		}
		return s.pgDeleteRecords(ctx, tx, ids)
	}
	for from := 0; from < len(ids); from += idsPerLookup {
		part := ids[from:min(from+idsPerLookup, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM measure_records WHERE id IN (`+s.bindVars(1, len(part))+`)`, args...); err != nil {
			return err
		}
	}
	return nil
}

// insertRecords writes records with multi-row INSERTs (a full chunk's
// statement text is the same each time). It returns the records it could
// not insert because a concurrent batch wrote their ExtIDs meanwhile:
// only PostgreSQL has concurrent batches (see pgInsertRecords).
func (s *Store) insertRecords(ctx context.Context, tx *sql.Tx, rs []measure.Record, now time.Time) ([]measure.Record, error) {
	if s.dialect == Postgres {
		return s.pgInsertRecords(ctx, tx, rs, now)
	}
	const cols = 13
	q := func(rows int) string {
		return `INSERT INTO measure_records (dataset_id, ext_id, org_id, service, channel, day, contacts, transactions, started, completed, satisfied, rated, received_at) VALUES ` +
			s.valueRows(rows, cols)
	}
	full := chunkStmt{tx: tx, q: q(recordsPerInsert)}
	defer full.close()
	for from := 0; from < len(rs); from += recordsPerInsert {
		part := rs[from:min(from+recordsPerInsert, len(rs))]
		args := make([]any, 0, len(part)*cols)
		for _, r := range part {
			args = append(args, r.DatasetID, sql.NullString{String: r.ExtID, Valid: r.ExtID != ""}, r.OrgID, r.Service, r.Channel, int(r.Day),
				r.Contacts, r.Transactions, r.Started, r.Completed, r.Satisfied, r.Rated, now)
		}
		var err error
		if len(part) == recordsPerInsert {
			err = full.exec(ctx, args)
		} else {
			_, err = tx.ExecContext(ctx, q(len(part)), args...)
		}
		if err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// chunkStmt is the statement of a full chunk, prepared on first use and
// reused for the rest of the batch: parsing a statement of thousands of
// bind variables is a good part of writing it.
type chunkStmt struct {
	tx   *sql.Tx
	q    string
	stmt *sql.Stmt
}

func (c *chunkStmt) exec(ctx context.Context, args []any) error {
	if c.stmt == nil {
		st, err := c.tx.PrepareContext(ctx, c.q)
		if err != nil {
			return err
		}
		c.stmt = st
	}
	_, err := c.stmt.ExecContext(ctx, args...)
	return err
}

func (c *chunkStmt) close() {
	if c.stmt != nil {
		_ = c.stmt.Close()
	}
}

// moveMonthly adds the deltas to the monthly totals in key order, so two
// batches touching the same months lock their rows in the same order and
// cannot deadlock.
func (s *Store) moveMonthly(ctx context.Context, tx *sql.Tx, deltas map[monthKey]*counts) error {
	keys := make([]monthKey, 0, len(deltas))
	for k, c := range deltas {
		if *c != (counts{}) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(keys[j]) })
	if s.dialect == Postgres {
		return s.pgMoveMonthly(ctx, tx, keys, deltas)
	}
	const cols = 10
	for from := 0; from < len(keys); from += monthsPerUpsert {
		part := keys[from:min(from+monthsPerUpsert, len(keys))]
		args := make([]any, 0, len(part)*cols)
		for _, k := range part {
			c := deltas[k]
			args = append(args, int(k.month), k.orgID, k.service, k.channel, c.contacts, c.transactions, c.started, c.completed, c.satisfied, c.rated)
		}
		q := `INSERT INTO measure_monthly (month, org_id, service, channel, contacts, transactions, started, completed, satisfied, rated) VALUES ` +
			s.valueRows(len(part), cols) + ` ON CONFLICT (month, org_id, service, channel) DO UPDATE SET
			contacts = measure_monthly.contacts + excluded.contacts, transactions = measure_monthly.transactions + excluded.transactions,
			started = measure_monthly.started + excluded.started, completed = measure_monthly.completed + excluded.completed,
			satisfied = measure_monthly.satisfied + excluded.satisfied, rated = measure_monthly.rated + excluded.rated`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// valueRows writes "(…), (…)" for rows of cols bind variables each.
func (s *Store) valueRows(rows, cols int) string {
	var b strings.Builder
	b.Grow(rows * cols * 7)
	n := 1
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			s.bindVar(&b, n)
			n++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// txRetry is tx for writes that may meet a concurrent one on PostgreSQL:
// a deadlock, a serialization failure, or a record with the same ExtID
// committed by another batch meanwhile (a unique violation) rolls back
// and runs fn again, which then sees the other batch's rows.
func (s *Store) txRetry(ctx context.Context, fn func(tx *sql.Tx) error) error {
	for attempt := 1; ; attempt++ {
		tx, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			return mapErr(err)
		}
		err = fn(tx)
		if err != nil {
			_ = tx.Rollback()
		} else {
			err = tx.Commit()
		}
		if err == nil || attempt == 10 || !retryable(err) {
			return mapErr(err)
		}
		// Step aside for a moment, longer each time, so the batches that
		// collided do not collide again in step.
		time.Sleep(time.Duration(attempt*attempt) * time.Millisecond)
	}
}

// errRaced is a batch that met other batches writing its ExtIDs twice
// over: the transaction starts again.
var errRaced = errors.New("store: records written concurrently")

func retryable(err error) bool {
	if errors.Is(err, errRaced) {
		return true
	}
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return false
	}
	switch pg.Code {
	case "40001", "40P01", "23505": // serialization_failure, deadlock_detected, unique_violation
		return true
	}
	return false
}
