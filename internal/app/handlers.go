package app

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/conversation"
	"parley/internal/jobs"
	"parley/internal/org"
	"parley/internal/outbox"
	"parley/internal/store"
)

const cleanupJob = "maintenance.cleanup"

// fanOut turns an event into one email per follower, each with its own
// unsubscribe link and a footer in the follower's language.
func (a *App) fanOut(ctx context.Context, j jobs.Job) error {
	var p struct {
		EventID int64 `json:"event_id"`
	}
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	var target *org.Organisation            // looked up once, for the first follower
	var followed *consultation.Consultation // likewise, for a consultation's followers
	_, err := a.Store.FanOut(ctx, p.EventID, func(ev outbox.Event, sub account.Subscription, u account.User) outbox.Message {
		printer := a.Catalogue.Printer(u.Lang)
		if target == nil && ev.TargetKind == "org" {
			o, err := a.Store.OrgByID(ctx, ev.TargetID)
			if err != nil {
				o = org.Organisation{NameEN: ev.TargetKind}
			}
			target = &o
		}
		if followed == nil && ev.TargetKind == "consultation" {
			c, err := a.Store.Consultation(ctx, ev.TargetID)
			if err != nil {
				c = consultation.Consultation{TitleEN: ev.TargetKind}
			}
			followed = &c
		}
		name := ev.TargetKind
		switch {
		case target != nil:
			name = target.Name(u.Lang)
		case followed != nil:
			name = followed.Title(u.Lang)
		}
		link := a.Config.BaseURL + "/unsubscribe/" + sub.Token
		body := ev.Body + "\n\n"
		if ev.URL != "" {
			body += a.Config.BaseURL + ev.URL + "\n\n"
		}
		body += "--\n" + printer.T("email.update.footer", "Name", name, "Site", a.Config.SiteName, "Link", link)
		return outbox.Message{Kind: "update", To: u.Email, Subject: ev.Subject, Body: body}
	})
	if err == nil {
		a.Runner.Wake()
	}
	return err
}

// cleanup removes what has expired: sessions, sign-in links, mentions past
// their retention period, old finished jobs.
func (a *App) cleanup(ctx context.Context, _ jobs.Job) error {
	if _, err := a.Store.Sessions().DeleteExpired(ctx); err != nil {
		return err
	}
	if _, err := a.Store.DeleteExpiredSignInLinks(ctx); err != nil {
		return err
	}
	if _, err := a.Store.PurgeMentions(ctx, time.Now().Add(-a.Config.MentionRetention)); err != nil {
		return err
	}
	if _, err := a.Store.PurgePersonalData(ctx, time.Now()); err != nil {
		return err
	}
	_, err := a.Store.PurgeFinishedJobs(ctx, time.Now().Add(-7*24*time.Hour))
	return err
}

// jobCollector reports the queue's size by state at each scrape.
type jobCollector struct {
	st   *store.Store
	desc *prometheus.Desc
}

func newJobCollector(st *store.Store) *jobCollector {
	return &jobCollector{st: st, desc: prometheus.NewDesc("parley_jobs", "Jobs in the queue by state.", []string{"state"}, nil)}
}

func (c *jobCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *jobCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.st.JobCounts(ctx)
	if err != nil {
		return
	}
	for _, s := range []jobs.State{jobs.Ready, jobs.Running, jobs.Done, jobs.Dead} {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[s]), string(s))
	}
}

// recompute runs the opinion math for a conversation and saves the
// result. Votes that arrived while it ran had their own enqueue dropped
// (this job held the key), so it asks for a follow-up run for them.
func (a *App) recompute(ctx context.Context, j jobs.Job) error {
	var p conversation.RecomputeArgs
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	started := time.Now()
	if err := a.Recompute(ctx, p.ConversationID); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return jobs.Permanent(err)
		}
		return err
	}
	more, err := a.Store.VotesSince(ctx, p.ConversationID, started.Add(-time.Second))
	if err != nil || !more {
		return err
	}
	return a.Store.RequestFollowUp(ctx, p.ConversationID, j.Key)
}

// Recompute runs the opinion math for a conversation now.
func (a *App) Recompute(ctx context.Context, convID int64) error {
	return conversation.Recompute(ctx, a.Store, convID)
}
