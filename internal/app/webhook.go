package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"parley/internal/apperr"
	"parley/internal/feed"
	"parley/internal/jobs"
	"parley/internal/listening"
)

// webhookTimeout bounds one delivery; a slow receiver is retried later.
const webhookTimeout = 10 * time.Second

// newWebhookClient returns the client that delivers webhooks. Like the
// feed fetcher it refuses private, loopback and link-local addresses
// (checked on the address actually dialled, so DNS cannot smuggle one in)
// unless the operator allows them, and it follows no redirects.
func newWebhookClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if !allowPrivate {
		dialer.ControlContext = feed.PublicOnly
	}
	return &http.Client{
		Timeout:       webhookTimeout,
		Transport:     &http.Transport{DialContext: dialer.DialContext, Proxy: nil, MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Minute},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// webhookBody is what a receiver gets: the event and the mention, as the
// API shows mentions.
type webhookBody struct {
	Event   string         `json:"event"`
	Mention webhookMention `json:"mention"`
}

type webhookMention struct {
	ID           int64   `json:"id"`
	Organisation string  `json:"organisation"`
	Source       string  `json:"source"`
	RuleIDs      []int64 `json:"rule_ids"`
	Link         string  `json:"link"`
	Title        string  `json:"title"`
	Excerpt      string  `json:"excerpt"`
	Author       string  `json:"author"`
	Published    string  `json:"published,omitempty"`
	CreatedAt    string  `json:"created_at"`
}

// deliverWebhook POSTs one mention to one webhook, signed. A failure is
// returned so the queue retries it with backoff; a webhook or mention that
// is gone ends the job.
func (a *App) deliverWebhook(ctx context.Context, j jobs.Job) error {
	var p listening.WebhookArgs
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	w, err := a.Store.Webhook(ctx, p.WebhookID)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	m, err := a.Store.Mention(ctx, p.MentionID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && m.OrgID != w.OrgID) {
		return nil
	}
	if err != nil {
		return err
	}
	o, err := a.Store.OrgByID(ctx, m.OrgID)
	if err != nil {
		return err
	}
	wm := webhookMention{ID: m.ID, Organisation: o.Slug, Source: m.FeedTitle, RuleIDs: m.RuleIDs, Link: m.Link, Title: m.Title,
		Excerpt: m.Excerpt, Author: m.Author, CreatedAt: m.CreatedAt.Format(time.RFC3339)}
	if wm.RuleIDs == nil {
		wm.RuleIDs = []int64{}
	}
	if !m.Published.IsZero() {
		wm.Published = m.Published.Format(time.RFC3339)
	}
	body, err := json.Marshal(webhookBody{Event: "mention.created", Mention: wm})
	if err != nil {
		return jobs.Permanent(err)
	}
	ctx, cancel := context.WithTimeout(ctx, webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return jobs.Permanent(err)
	}
	now := time.Now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Parley webhooks (+"+a.Config.BaseURL+")")
	req.Header.Set(listening.HeaderTimestamp, fmt.Sprint(now.Unix()))
	req.Header.Set(listening.HeaderSignature, listening.Sign(w.Secret, now, body))
	resp, err := a.webhooks.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %d: delivery failed", w.ID) // not the URL: it may carry a token
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook %d: HTTP %d", w.ID, resp.StatusCode)
	}
	return nil
}
