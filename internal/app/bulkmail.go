package app

import (
	"parley/internal/jobs"
	"parley/internal/mail"
)

// registerBulkMail registers the recurring sweep that sends bulk emails.
func (a *App) registerBulkMail(runner *jobs.Runner, sender mail.Sender) {}
