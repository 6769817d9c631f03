// Package jobs runs background work from a durable queue kept in the
// database: jobs are claimed under a lease, retried with backoff, buried in
// a dead-letter state after too many failures, and scheduled to recur. The
// queue's SQL lives in the store; this package holds the rules and the
// runner, so several Parley instances can share one queue.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// State is where a job is in its life.
type State string

const (
	Ready   State = "ready"   // waiting for its run time
	Running State = "running" // claimed under a lease
	Done    State = "done"
	Dead    State = "dead" // failed too often, or permanently; kept for inspection
)

// Job is one unit of background work. Payloads carry IDs, never personal data.
type Job struct {
	ID          int64
	Kind        string
	Payload     []byte // JSON
	Key         string // when set, at most one unfinished job has it
	RunAt       time.Time
	Attempts    int // attempts started, including the current one
	MaxAttempts int
	State       State
	LastError   string
}

// New describes a job to enqueue.
type New struct {
	Kind        string
	Payload     any    // marshalled to JSON
	Key         string // optional de-duplication key
	RunAt       time.Time
	MaxAttempts int // 0: DefaultMaxAttempts
}

// DefaultMaxAttempts is how often a job runs before it is buried.
const DefaultMaxAttempts = 8

// Encode returns the JSON payload of n.
func (n New) Encode() ([]byte, error) {
	if n.Payload == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(n.Payload)
}

// Decode unmarshals the job's payload into v.
func (j Job) Decode(v any) error { return json.Unmarshal(j.Payload, v) }

// Queue is the durable store of jobs; the store implements it on both databases.
type Queue interface {
	// Enqueue adds a job; with a Key that an unfinished job holds, it does nothing.
	Enqueue(ctx context.Context, n New) error
	// Claim leases up to limit due jobs to owner until now+lease, counting an
	// attempt for each; jobs whose lease ran out are due again.
	Claim(ctx context.Context, owner string, limit int, lease time.Duration) ([]Job, error)
	// Complete marks a claimed job done.
	Complete(ctx context.Context, id int64, owner string) error
	// Retry makes a claimed job ready again at the given time.
	Retry(ctx context.Context, id int64, owner string, at time.Time, reason string) error
	// Bury moves a claimed job to the dead state.
	Bury(ctx context.Context, id int64, owner string, reason string) error
	// Schedule enqueues a job of the kind when its recurring slot is due,
	// once across all instances, and moves the slot on by every.
	Schedule(ctx context.Context, kind string, every time.Duration) error
}

// Handler does one job. It must be idempotent: after a crash a job may run
// again even though its work was done.
type Handler func(ctx context.Context, j Job) error

// permanent marks an error that retrying cannot fix.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps err so the job is buried at once instead of retried.
func Permanent(err error) error { return permanent{err} }

// IsPermanent reports whether err was wrapped by Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// Backoff is the wait before attempt n+1 after n failed attempts:
// 10 s, 40 s, 2.7 min, … doubling twice each time, at most 6 hours.
func Backoff(attempts int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < attempts && d < 6*time.Hour; i++ {
		d *= 4
	}
	return min(d, 6*time.Hour)
}
