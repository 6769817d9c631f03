package listening

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"parley/internal/jobs"
)

// Webhook is an address an organisation's systems listen at: every new
// mention is POSTed to it as JSON, signed with the webhook's secret.
type Webhook struct {
	ID        int64
	OrgID     int64
	URL       string
	Secret    string // shown once, when the webhook is made
	CreatedAt time.Time
}

// WebhookKind is the job that delivers one mention to one webhook; the job
// queue retries it with backoff when the receiver fails.
const WebhookKind = "feed.webhook"

// WebhookArgs is the payload of a webhook delivery job.
type WebhookArgs struct {
	WebhookID int64 `json:"webhook_id"`
	MentionID int64 `json:"mention_id"`
}

// WebhookJob delivers a mention to a webhook.
func WebhookJob(webhookID, mentionID int64, now time.Time) jobs.New {
	return jobs.New{Kind: WebhookKind, Payload: WebhookArgs{WebhookID: webhookID, MentionID: mentionID}, RunAt: now, MaxAttempts: 8}
}

// Signature headers of a delivery. The receiver recomputes the signature
// over the timestamp, a full stop and the raw body, compares it in
// constant time, and refuses old timestamps (replays).
const (
	HeaderTimestamp = "Parley-Timestamp" // Unix seconds
	HeaderSignature = "Parley-Signature" // "v1=" + hex HMAC-SHA256
)

// Sign returns the signature header value for a body sent at ts.
func Sign(secret string, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a delivery's signature, for receivers written in Go and
// for tests.
func Verify(secret, timestamp, signature string, body []byte) bool {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	want := Sign(secret, time.Unix(sec, 0), body)
	return hmac.Equal([]byte(want), []byte(signature))
}
