package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"parley/internal/jobs"
	"parley/internal/outbox"
)

// enqueueEmail saves an email and the job that sends it, in the caller's transaction.
func enqueueEmail(ctx context.Context, tx *sql.Tx, m outbox.Message, now time.Time) (int64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRowContext(ctx,
		`INSERT INTO outbox (kind, to_address, subject, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		m.Kind, m.To, m.Subject, m.Body, now).Scan(&id); err != nil {
		return 0, err
	}
	return id, enqueueJob(ctx, tx, jobs.New{Kind: outbox.JobKind, Payload: map[string]int64{"message_id": id}, RunAt: now}, now)
}

// SendEmail puts one email in the outbox.
func (s *Store) SendEmail(ctx context.Context, m outbox.Message) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) (err error) {
		id, err = enqueueEmail(ctx, tx, m, s.clock())
		return err
	})
	return id, err
}

const outboxColumns = "id, kind, to_address, subject, body, created_at, sent_at, attempts, last_error"

func scanMessage(row interface{ Scan(...any) error }) (outbox.Message, error) {
	var m outbox.Message
	var sent sql.NullTime
	err := row.Scan(&m.ID, &m.Kind, &m.To, &m.Subject, &m.Body, &m.CreatedAt, &sent, &m.Attempts, &m.LastError)
	m.SentAt, m.CreatedAt = timeOf(sent), m.CreatedAt.UTC()
	return m, err
}

// OutboxMessage returns one email.
func (s *Store) OutboxMessage(ctx context.Context, id int64) (outbox.Message, error) {
	m, err := scanMessage(s.read.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = $1`, id))
	return m, mapErr(err)
}

// Outbox lists the newest emails, for the development outbox viewer.
func (s *Store) Outbox(ctx context.Context, limit int) ([]outbox.Message, error) {
	return s.OutboxTo(ctx, "", limit)
}

// OutboxTo lists the newest emails to one address ("" for everyone): in
// the demo, jobs email hundreds of people, and a person looks for theirs.
func (s *Store) OutboxTo(ctx context.Context, to string, limit int) ([]outbox.Message, error) {
	return collect(ctx, s.read, `SELECT `+outboxColumns+` FROM outbox WHERE $1 = '' OR LOWER(to_address) = LOWER($1) ORDER BY id DESC LIMIT $2`,
		[]any{strings.TrimSpace(to), limit}, func(rows *sql.Rows) (outbox.Message, error) { return scanMessage(rows) })
}

// MarkOutboxSent records that an email went.
func (s *Store) MarkOutboxSent(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return expectOne(tx.ExecContext(ctx, `UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = '' WHERE id = $2`, s.clock(), id))
	})
}

// MarkOutboxFailed records why sending an email failed.
func (s *Store) MarkOutboxFailed(ctx context.Context, id int64, reason string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return expectOne(tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE id = $2`, truncate(reason, 500), id))
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// enqueueBulkEmails saves many emails in the caller's transaction with no
// job each: the recurring bulk sweep sends them in batches. This is how a
// spike of signatures, or a status change to every supporter, queues its
// mail without one job row per email. Invalid messages are an error and
// nothing is saved.
func (s *Store) enqueueBulkEmails(ctx context.Context, tx *sql.Tx, ms []outbox.Message, now time.Time) error {
	const perStatement = 500 // 5 bind variables a row: far below both databases' limits
	for start := 0; start < len(ms); start += perStatement {
		chunk := ms[start:min(start+perStatement, len(ms))]
		var q strings.Builder
		q.Grow(100 + len(chunk)*40)
		q.WriteString(`INSERT INTO outbox (kind, to_address, subject, body, created_at, bulk) VALUES `)
		args := make([]any, 0, 5*len(chunk))
		for i, m := range chunk {
			if err := m.Validate(); err != nil {
				return err
			}
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			q.WriteString(s.bindVars(len(args)+1, 5))
			q.WriteString(", TRUE)")
			args = append(args, m.Kind, m.To, m.Subject, m.Body, now)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}
