// Package store holds all of Parley's SQL. One Store serves SQLite (the
// default, a file in the data directory) and PostgreSQL; queries use $n
// placeholders that both drivers understand, and dialect-specific SQL lives
// only where the two must differ. Each public method is one transaction.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"parley/internal/apperr"
)

// Dialect names the database in use.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

//go:embed migrations
var migrations embed.FS

// Store is the database of one Parley deployment.
type Store struct {
	dialect Dialect
	// read serves queries; write serves transactions that change data. On
	// SQLite write is a single connection that begins IMMEDIATE transactions,
	// so writers queue in Go instead of failing with SQLITE_BUSY; on
	// PostgreSQL both are the same pool.
	read  *sql.DB
	write *sql.DB
	now   func() time.Time
	// path is the SQLite file ("" on PostgreSQL), for the migration lock.
	path string
	// group shares one transaction among writes that arrive together.
	group *groupCommit
	// sigs writes petition signatures and confirmations in batches
	// (proposal_signatures.go); naiveSignatures replaces it, for the
	// submissions, with the baseline of the benchmarks.
	sigs            *sigBatcher
	naiveSignatures bool
	// floodCache indexes each organisation's recent writing for the
	// moderation signals (moderation_screen.go).
	floodCache floodCache
}

// Options says which database to open.
type Options struct {
	DatabaseURL string // postgres://…; empty means SQLite at SQLitePath
	SQLitePath  string
	Now         func() time.Time // the clock; time.Now when nil
	// SignatureQueue is how many signature writes may wait for the
	// batcher before more are refused as Unavailable (0: DefaultSignatureQueue).
	SignatureQueue int
	// NaiveSignatures stores each signature in a transaction of its own
	// that also updates one counter row per petition: the baseline of
	// bench/signatures.sh, never for real use.
	NaiveSignatures bool
}

// Open connects to the database. It does not migrate: call Migrate.
func Open(ctx context.Context, o Options) (*Store, error) {
	s := &Store{now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if o.DatabaseURL != "" {
		db, err := sql.Open("pgx", o.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(20)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s.dialect, s.read, s.write = Postgres, db, db
	} else {
		if err := os.MkdirAll(filepath.Dir(o.SQLitePath), 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		// synchronous(FULL) makes every acknowledged commit durable across a
		// power cut, not just a crash of the process.
		// busy_timeout comes first: the pragmas run in order when a
		// connection opens, and switching to WAL while another process
		// holds a lock (several instances starting at once) must wait for
		// it, not fail with SQLITE_BUSY at once.
		// temp_store(memory) keeps statement journals in memory: a
		// multi-row INSERT (the signature batcher's) otherwise writes one
		// to a temporary file as it goes. A larger cache and WAL between
		// checkpoints (~40 MB instead of ~4 MB) let a write spike rewrite
		// its hot index pages in memory and copy each to the database
		// once per checkpoint, not once every few batches: about 10–15%
		// more signatures a second in bench/signatures.sh.
		pragmas := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)" +
			"&_pragma=temp_store(memory)&_pragma=cache_size(-32768)&_pragma=wal_autocheckpoint(10000)&_time_format=sqlite"
		read, err := sql.Open("sqlite", "file:"+o.SQLitePath+pragmas)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		write, err := sql.Open("sqlite", "file:"+o.SQLitePath+pragmas+"&_txlock=immediate")
		if err != nil {
			read.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		read.SetMaxOpenConns(8)
		read.SetMaxIdleConns(8)
		write.SetMaxOpenConns(1)
		s.dialect, s.read, s.write, s.path = SQLite, read, write, o.SQLitePath
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.write.PingContext(pingCtx); err != nil {
		s.Close()
		return nil, apperr.Wrap(apperr.Unavailable, err, "database unreachable")
	}
	s.group = newGroupCommit(s.write)
	s.sigs = newSigBatcher(s, o.SignatureQueue)
	if o.NaiveSignatures {
		s.naiveSignatures = true
		if _, err := s.write.ExecContext(ctx, naiveCounterTable); err != nil {
			s.Close()
			return nil, fmt.Errorf("naive signature counters: %w", err)
		}
	}
	return s, nil
}

// Dialect reports which database the store uses.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close closes the database connections.
func (s *Store) Close() error {
	if s.sigs != nil {
		s.sigs.close()
	}
	if s.group != nil {
		s.group.close()
	}
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return apperr.Wrap(apperr.Unavailable, err, "database unreachable")
	}
	return nil
}

func (s *Store) migrationFS() fs.FS {
	sub, err := fs.Sub(migrations, "migrations/"+string(s.dialect))
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// tx runs fn in a write transaction and commits it when fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return mapErr(err)
	}
	return mapErr(tx.Commit())
}

// clock returns the time once per operation, in UTC and rounded to the
// microsecond that both databases keep.
func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// mapErr turns constraint violations into Conflict errors by their codes,
// never by message text.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Wrap(apperr.NotFound, err, "error.not_found")
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505", "23503": // unique_violation, foreign_key_violation
			return apperr.Wrap(apperr.Conflict, err, "error.conflict")
		}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return apperr.Wrap(apperr.Conflict, err, "error.conflict")
		}
	}
	return err
}

// nullTime turns the zero time into NULL.
func nullTime(t time.Time) sql.NullTime {
	return sql.NullTime{Time: t.UTC(), Valid: !t.IsZero()}
}

// timeOf returns the time in n, or the zero time for NULL.
func timeOf(n sql.NullTime) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return n.Time.UTC()
}

// querier is a database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// each runs a query (on the database, or inside a transaction) and hands
// each row to fn: the loop every reading method would otherwise write out
// again.
func each(ctx context.Context, db querier, q string, args []any, fn func(rows *sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// collect runs a query and returns every row as scan reads it.
func collect[T any](ctx context.Context, db querier, q string, args []any, scan func(rows *sql.Rows) (T, error)) ([]T, error) {
	var out []T
	err := each(ctx, db, q, args, func(rows *sql.Rows) error {
		v, err := scan(rows)
		out = append(out, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// into is collect into *dst, which keeps what it held (an empty list, so
// that JSON shows [] rather than null) when there are no rows.
func into[T any](ctx context.Context, db querier, dst *[]T, q string, args []any, scan func(rows *sql.Rows) (T, error)) error {
	rows, err := collect(ctx, db, q, args, scan)
	if len(rows) > 0 {
		*dst = rows
	}
	return err
}

// bindVar writes the n-th bind variable of a statement. SQLite treats "$n"
// as a named parameter and looks every one up by name, which costs O(n²)
// in a statement with thousands of them (most of a signature batch's time,
// in profiles); its anonymous "?" are bound by position at no cost.
// PostgreSQL needs "$n".
func (s *Store) bindVar(b *strings.Builder, n int) {
	if s.dialect == SQLite {
		b.WriteByte('?')
		return
	}
	b.WriteByte('$')
	b.WriteString(strconv.Itoa(n))
}

// bindVars returns the bind variables from, from+1, … for n values, joined by commas.
func (s *Store) bindVars(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		s.bindVar(&b, from+i)
	}
	return b.String()
}
