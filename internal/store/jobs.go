package store

import (
	"context"
	"database/sql"
	"time"

	"parley/internal/apperr"
	"parley/internal/jobs"
)

// enqueueJob adds a job in the caller's transaction; a job whose key an
// unfinished job already holds is dropped.
func enqueueJob(ctx context.Context, tx *sql.Tx, n jobs.New, now time.Time) error {
	if n.Kind == "" {
		return apperr.New(apperr.Invalid, "job kind required")
	}
	payload, err := n.Encode()
	if err != nil {
		return err
	}
	if n.RunAt.IsZero() {
		n.RunAt = now
	}
	if n.MaxAttempts <= 0 {
		n.MaxAttempts = jobs.DefaultMaxAttempts
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO jobs (kind, payload, unique_key, run_at, max_attempts, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		n.Kind, string(payload), sql.NullString{String: n.Key, Valid: n.Key != ""}, n.RunAt.UTC(), n.MaxAttempts, now)
	return err
}

// Enqueue adds a job to the queue.
func (s *Store) Enqueue(ctx context.Context, n jobs.New) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return enqueueJob(ctx, tx, n, s.clock()) })
}

// Claim leases due jobs to owner. A running job whose lease ran out (its
// worker died) is due again.
func (s *Store) Claim(ctx context.Context, owner string, limit int, lease time.Duration) ([]jobs.Job, error) {
	var out []jobs.Job
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED" // several instances claim different jobs without waiting
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		rows, err := tx.QueryContext(ctx,
			`UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2, attempts = attempts + 1
			 WHERE id IN (SELECT id FROM jobs
			              WHERE (state = 'ready' AND run_at <= $3) OR (state = 'running' AND lease_until < $3)
			              ORDER BY run_at, id LIMIT $4`+lock+`)
			 RETURNING id, kind, payload, COALESCE(unique_key, ''), run_at, attempts, max_attempts, last_error`,
			owner, now.Add(lease), now, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j := jobs.Job{State: jobs.Running}
			var payload string
			if err := rows.Scan(&j.ID, &j.Kind, &payload, &j.Key, &j.RunAt, &j.Attempts, &j.MaxAttempts, &j.LastError); err != nil {
				return err
			}
			j.Payload, j.RunAt = []byte(payload), j.RunAt.UTC()
			out = append(out, j)
		}
		return rows.Err()
	})
	return out, err
}

// finish changes a job claimed by owner; set's parameters start at $3. A
// job whose lease passed to another owner is left alone (NotFound).
func (s *Store) finish(ctx context.Context, id int64, owner, set string, args ...any) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		all := append([]any{id, owner}, args...)
		return expectOne(tx.ExecContext(ctx, `UPDATE jobs SET `+set+` WHERE id = $1 AND lease_owner = $2 AND state = 'running'`, all...))
	})
}

// Complete marks a job done.
func (s *Store) Complete(ctx context.Context, id int64, owner string) error {
	return s.finish(ctx, id, owner, `state = 'done', finished_at = $3, lease_until = NULL`, s.clock())
}

// Retry makes a job ready again at a later time.
func (s *Store) Retry(ctx context.Context, id int64, owner string, at time.Time, reason string) error {
	return s.finish(ctx, id, owner, `state = 'ready', run_at = $3, last_error = $4, lease_until = NULL, lease_owner = ''`, at.UTC(), truncate(reason, 500))
}

// Bury moves a job to the dead-letter state.
func (s *Store) Bury(ctx context.Context, id int64, owner string, reason string) error {
	return s.finish(ctx, id, owner, `state = 'dead', finished_at = $3, last_error = $4, lease_until = NULL`, s.clock(), truncate(reason, 500))
}

// JobCounts returns the number of jobs in each state.
func (s *Store) JobCounts(ctx context.Context) (map[jobs.State]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT state, COUNT(*) FROM jobs GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[jobs.State]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[jobs.State(st)] = n
	}
	return out, rows.Err()
}

// JobsByKind lists jobs of a kind, newest first, for inspection and tests.
func (s *Store) JobsByKind(ctx context.Context, kind string, limit int) ([]jobs.Job, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT id, kind, payload, COALESCE(unique_key, ''), run_at, attempts, max_attempts, state, last_error FROM jobs WHERE kind = $1 ORDER BY id DESC LIMIT $2`, kind, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []jobs.Job
	for rows.Next() {
		var j jobs.Job
		var payload, state string
		if err := rows.Scan(&j.ID, &j.Kind, &payload, &j.Key, &j.RunAt, &j.Attempts, &j.MaxAttempts, &state, &j.LastError); err != nil {
			return nil, err
		}
		j.Payload, j.State, j.RunAt = []byte(payload), jobs.State(state), j.RunAt.UTC()
		out = append(out, j)
	}
	return out, rows.Err()
}

// PurgeFinishedJobs deletes done jobs finished before the cutoff; dead jobs stay for inspection.
func (s *Store) PurgeFinishedJobs(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM jobs WHERE state = 'done' AND finished_at < $1`, before.UTC())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// Schedule enqueues a recurring job when its slot is due. The conditional
// update claims the slot for exactly one caller across instances.
func (s *Store) Schedule(ctx context.Context, kind string, every time.Duration) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO job_schedule (kind, next_run) VALUES ($1, $2) ON CONFLICT (kind) DO NOTHING`, kind, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx,
			`UPDATE job_schedule SET next_run = $1 WHERE kind = $2 AND next_run <= $3`, now.Add(every), kind, now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return enqueueJob(ctx, tx, jobs.New{Kind: kind, Key: "every:" + kind, MaxAttempts: 3}, now)
	})
}
