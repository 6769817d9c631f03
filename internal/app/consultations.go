package app

import (
	"context"
	"log/slog"
	"strconv"

	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/jobs"
	"parley/internal/outbox"
)

// scheduleConsultations opens scheduled consultations whose opening time
// has come and closes those whose closing time has passed.
func (a *App) scheduleConsultations(ctx context.Context, _ jobs.Job) error {
	opened, closed, err := a.Store.RunConsultationSchedule(ctx)
	if err != nil {
		return err
	}
	if len(opened)+len(closed) > 0 {
		a.Log.Info("consultations scheduled", slog.Int("opened", len(opened)), slog.Int("closed", len(closed)))
	}
	return nil
}

// consultationOutcome emails everyone who responded and asked to hear
// back, in the language of the consultation page they responded on
// (English unless they gave the Welsh version).
func (a *App) consultationOutcome(ctx context.Context, j jobs.Job) error {
	var p consultation.OutcomeArgs
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	n, err := a.Store.SendOutcomeEmails(ctx, p.ConsultationID, func(c consultation.Consultation, r consultation.Response) (outbox.Message, bool) {
		return outcomeEmail(a, c, r), true
	})
	if apperr.Is(err, apperr.NotFound) {
		return jobs.Permanent(err)
	}
	if err == nil && n > 0 {
		a.Runner.Wake()
	}
	return err
}

func outcomeEmail(a *App, c consultation.Consultation, r consultation.Response) outbox.Message {
	lang := "en"
	if r.Lang == "cy" {
		lang = "cy"
	}
	p := a.Catalogue.Printer(lang)
	link := a.Config.BaseURL + "/consultations/" + strconv.FormatInt(c.ID, 10)
	body := p.T("email.consultation.outcome.body", "Title", c.Title(lang), "Link", link, "Site", a.Config.SiteName) +
		"\n\n" + c.OutcomeSummary(lang) + "\n\n" + p.T("email.consultation.outcome.decision") + "\n\n" + c.Decision(lang) + "\n"
	return outbox.Message{Kind: "consultation-outcome", To: r.Email,
		Subject: p.T("email.consultation.outcome.subject", "Title", c.Title(lang)), Body: body}
}
