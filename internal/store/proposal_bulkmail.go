package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"parley/internal/jobs"
	"parley/internal/outbox"
)

// Bulk emails (enqueueBulkEmails: a spike's confirmation links, a status
// change to every supporter) have no job each; SweepBulkOutbox sends them
// in batches. A sweep claims its rows first (next_try_at moves a lease into
// the future, PostgreSQL skipping rows another instance holds), sends them,
// then marks the sent ones in one transaction. A crash between sending and
// marking sends those again once the lease ends: better twice than never,
// as for the ordinary deliverer.

// Bulk retry policy: a failed email waits bulkBackoff(attempts); after
// bulkMaxAttempts failures, or a permanent one, it is given up (its
// next_try_at moves a century ahead; last_error says why).
const (
	bulkLease       = 5 * time.Minute
	bulkMaxAttempts = 8
)

func bulkBackoff(attempts int) time.Duration {
	d := 30 * time.Second << min(attempts, 10)
	return min(d, 6*time.Hour)
}

// SweepBulkOutbox sends up to limit due bulk emails with send and records
// the outcome: sent ones marked sent, failed ones retried later with a
// back-off, their last_error free of addresses. It returns how many went.
func (s *Store) SweepBulkOutbox(ctx context.Context, limit int, send func(outbox.Message) error) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	now := s.clock()
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var claimed []outbox.Message
	err := s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx,
			`UPDATE outbox SET next_try_at = $1 WHERE id IN (
			   SELECT id FROM outbox WHERE bulk AND sent_at IS NULL AND (next_try_at IS NULL OR next_try_at <= $2)
			   ORDER BY id LIMIT $3`+lock+`)
			 RETURNING `+outboxColumns, now.Add(bulkLease), now, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMessage(rows)
			if err != nil {
				return err
			}
			claimed = append(claimed, m)
		}
		return rows.Err()
	})
	if err != nil || len(claimed) == 0 {
		return 0, err
	}
	var sent []any
	type failure struct {
		id       int64
		attempts int
		reason   string
		final    bool
	}
	var failed []failure
	for _, m := range claimed {
		if ctx.Err() != nil {
			break // the rest wait for the lease to end
		}
		if err := send(m); err != nil {
			failed = append(failed, failure{m.ID, m.Attempts + 1, scrubAddresses(err.Error(), m.To),
				jobs.IsPermanent(err) || m.Attempts+1 >= bulkMaxAttempts})
			continue
		}
		sent = append(sent, m.ID)
	}
	// Record the outcome even if the caller is going away: these went.
	rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	err = s.tx(rec, func(tx *sql.Tx) error {
		done := s.clock()
		for start := 0; start < len(sent); start += sigBatchMax {
			chunk := sent[start:min(start+sigBatchMax, len(sent))]
			if _, err := tx.ExecContext(rec,
				`UPDATE outbox SET sent_at = `+s.bindVars(1, 1)+`, attempts = attempts + 1, last_error = '', next_try_at = NULL WHERE id IN (`+s.bindVars(2, len(chunk))+`)`,
				append([]any{done}, chunk...)...); err != nil {
				return err
			}
		}
		for _, f := range failed {
			next := done.Add(bulkBackoff(f.attempts))
			if f.final {
				next = done.AddDate(100, 0, 0)
			}
			if _, err := tx.ExecContext(rec, `UPDATE outbox SET attempts = $1, last_error = $2, next_try_at = $3 WHERE id = $4`,
				f.attempts, truncate(f.reason, 500), next, f.id); err != nil {
				return err
			}
		}
		return nil
	})
	return len(sent), err
}

// scrubAddresses removes the recipient and anything that looks like an
// address from a sender's error, so last_error holds no personal data.
func scrubAddresses(text, to string) string {
	if to != "" {
		text = strings.ReplaceAll(text, to, "[recipient]")
		text = strings.ReplaceAll(text, strings.ToLower(to), "[recipient]")
	}
	words := strings.Fields(text)
	for i, w := range words {
		if strings.Contains(w, "@") {
			words[i] = "[address]"
		}
	}
	return strings.Join(words, " ")
}
