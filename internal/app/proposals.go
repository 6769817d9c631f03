package app

import "parley/internal/jobs"

// registerProposalJobs registers the jobs of ideas and petitions.
func (a *App) registerProposalJobs(runner *jobs.Runner) {}
