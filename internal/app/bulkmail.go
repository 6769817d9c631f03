package app

import (
	"context"
	"time"

	"parley/internal/jobs"
	"parley/internal/mail"
	"parley/internal/outbox"
)

// bulkMailJob is the recurring sweep that sends bulk emails (outbox rows
// with bulk set and no job of their own: a spike's confirmation links).
const bulkMailJob = "bulkmail.sweep"

// Bulk sweep pacing: every bulkMailEvery it sends batches of bulkMailBatch
// while full batches keep coming, for at most bulkMailBudget, so a spike's
// backlog drains without one job holding a worker for long.
const (
	bulkMailEvery  = 2 * time.Second
	bulkMailBatch  = 500
	bulkMailBudget = 20 * time.Second
)

// registerBulkMail registers the recurring sweep that sends bulk emails.
func (a *App) registerBulkMail(runner *jobs.Runner, sender mail.Sender) {
	runner.Handle(bulkMailJob, func(ctx context.Context, _ jobs.Job) error {
		_, err := sweepBulkMail(ctx, a.Store, sender, bulkMailBatch, bulkMailBudget)
		return err
	})
	runner.Every(bulkMailJob, bulkMailEvery)
}

// bulkSweeper is the part of the store the sweep needs.
type bulkSweeper interface {
	SweepBulkOutbox(ctx context.Context, limit int, send func(outbox.Message) error) (int, error)
}

// sweepBulkMail sends batches until one comes back short or the budget is spent.
func sweepBulkMail(ctx context.Context, st bulkSweeper, sender mail.Sender, batch int, budget time.Duration) (int, error) {
	deadline := time.Now().Add(budget)
	total := 0
	for {
		n, err := st.SweepBulkOutbox(ctx, batch, func(m outbox.Message) error { return sender.Send(ctx, m) })
		total += n
		if err != nil || n < batch || time.Now().After(deadline) || ctx.Err() != nil {
			return total, err
		}
	}
}
