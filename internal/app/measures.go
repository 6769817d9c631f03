package app

import (
	"context"

	"parley/internal/jobs"
)

// measureCollectJob writes Parley's own activity (responses, signatures,
// supports, votes) into each organisation's activity dataset, by service,
// channel and day. Collecting replaces what the last run wrote, so a run
// that fails or runs twice does no harm.
const measureCollectJob = "measure-collect"

// collectMeasures runs measureCollectJob.
func (a *App) collectMeasures(ctx context.Context, _ jobs.Job) error {
	n, err := a.Store.CollectActivity(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		a.Log.InfoContext(ctx, "measurement activity collected", "records_changed", n)
	}
	return nil
}
