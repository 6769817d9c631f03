package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Recurring is work that runs every Every, on whichever instance claims it first.
type Recurring struct {
	Kind  string
	Every time.Duration
}

// Runner claims jobs from a Queue and runs their handlers.
type Runner struct {
	Queue     Queue
	Log       *slog.Logger
	Owner     string        // this instance's name in leases
	Workers   int           // jobs run at once
	Lease     time.Duration // how long a claim lasts before another instance may take the job
	Poll      time.Duration // how often to look for due jobs when idle
	Now       func() time.Time
	handlers  map[string]Handler
	recurring []Recurring
	wake      chan struct{}
	scheduled time.Time // when recurring slots were last checked
}

// scheduleEvery bounds how often a runner asks the database whether a
// recurring slot is due: each check is a write transaction.
const scheduleEvery = 10 * time.Second

// Handle registers the handler for a kind of job.
func (r *Runner) Handle(kind string, h Handler) {
	if r.handlers == nil {
		r.handlers = map[string]Handler{}
	}
	r.handlers[kind] = h
}

// Every schedules a kind of job to recur; its handler must be registered
// too. Slots are checked every 10 seconds, so that is the finest period.
func (r *Runner) Every(kind string, every time.Duration) {
	r.recurring = append(r.recurring, Recurring{Kind: kind, Every: every})
}

// Kinds lists the registered kinds of job.
func (r *Runner) Kinds() []string {
	out := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		out = append(out, k)
	}
	return out
}

// Wake tells an idle runner to look for work now (after enqueueing, say).
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *Runner) defaults() {
	if r.Workers <= 0 {
		r.Workers = 4
	}
	if r.Lease <= 0 {
		r.Lease = 5 * time.Minute
	}
	if r.Poll <= 0 {
		r.Poll = time.Second
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
	if r.wake == nil {
		r.wake = make(chan struct{}, 1)
	}
}

// Run claims and runs jobs until ctx is cancelled, then waits for the jobs
// in hand to finish, giving them until drain is cancelled.
func (r *Runner) Run(ctx, drain context.Context) error {
	r.defaults()
	sem := make(chan struct{}, r.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	for ctx.Err() == nil {
		r.scheduleRecurring(ctx)
		free := r.Workers - len(sem)
		var claimed []Job
		if free > 0 {
			var err error
			claimed, err = r.Queue.Claim(ctx, r.Owner, free, r.Lease)
			if err != nil && ctx.Err() == nil {
				r.Log.Warn("claiming jobs failed", "err", err)
			}
		}
		for _, j := range claimed {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				r.run(drain, j)
			}()
		}
		if len(claimed) == free && free > 0 {
			continue // there may be more work waiting
		}
		select {
		case <-ctx.Done():
		case <-r.wake:
		case <-time.After(r.Poll):
		}
	}
	return nil
}

// RunDue runs every due job once, in this goroutine, until none is left;
// tests and the command line use it to drain the queue deterministically.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	r.defaults()
	n := 0
	for {
		claimed, err := r.Queue.Claim(ctx, r.Owner, r.Workers, r.Lease)
		if err != nil {
			return n, err
		}
		if len(claimed) == 0 {
			return n, nil
		}
		for _, j := range claimed {
			r.run(ctx, j)
			n++
		}
	}
}

func (r *Runner) scheduleRecurring(ctx context.Context) {
	now := r.Now()
	if len(r.recurring) == 0 || (!r.scheduled.IsZero() && now.Sub(r.scheduled) < scheduleEvery) {
		return
	}
	r.scheduled = now
	for _, rec := range r.recurring {
		if err := r.Queue.Schedule(ctx, rec.Kind, rec.Every); err != nil && ctx.Err() == nil {
			r.Log.Warn("scheduling recurring job failed", "kind", rec.Kind, "err", err)
		}
	}
}

// run does one claimed job and records the outcome.
func (r *Runner) run(ctx context.Context, j Job) {
	log := r.Log.With("job", j.ID, "kind", j.Kind, "attempt", j.Attempts)
	h, ok := r.handlers[j.Kind]
	var err error
	switch {
	case !ok:
		err = Permanent(fmt.Errorf("no handler for job kind %q", j.Kind))
	case j.Attempts > j.MaxAttempts:
		err = Permanent(fmt.Errorf("lease expired after the last attempt"))
	default:
		err = safely(ctx, h, j)
	}
	// Record the outcome even when shutting down, so the job is not run again needlessly.
	rec := context.WithoutCancel(ctx)
	switch {
	case err == nil:
		err = r.Queue.Complete(rec, j.ID, r.Owner)
		if err != nil {
			log.Warn("recording job done failed", "err", err)
		}
	case IsPermanent(err) || j.Attempts >= j.MaxAttempts:
		log.Error("job failed for good", "err", err)
		if err := r.Queue.Bury(rec, j.ID, r.Owner, err.Error()); err != nil {
			log.Warn("burying job failed", "err", err)
		}
	default:
		wait := Backoff(j.Attempts)
		log.Warn("job failed; will retry", "err", err, "in", wait)
		if err := r.Queue.Retry(rec, j.ID, r.Owner, r.Now().Add(wait), err.Error()); err != nil {
			log.Warn("scheduling retry failed", "err", err)
		}
	}
}

// safely runs h, turning a panic into an error so one bad job cannot stop the runner.
func safely(ctx context.Context, h Handler, j Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h(ctx, j)
}
