// Package outbox describes emails waiting to be sent. Every email Parley
// sends is first saved here, in the same transaction as the change that
// caused it, and a job delivers it; so a crash loses no email and a request
// never waits for a mail server.
package outbox

import (
	"net/mail"
	"strings"
	"time"

	"parley/internal/apperr"
)

// Message is one email in the outbox.
type Message struct {
	ID        int64
	Kind      string // what it is for, e.g. "sign-in", "subscription"; safe to log
	To        string // personal data: never logged
	Subject   string
	Body      string // plain text
	CreatedAt time.Time
	SentAt    time.Time // zero until sent
	Attempts  int
	LastError string
}

// Validate checks that the message can be sent.
func (m Message) Validate() error {
	var f apperr.Fields
	if _, err := mail.ParseAddress(m.To); err != nil || strings.ContainsAny(m.To, "\r\n") {
		f.Add("to", "error.email.format")
	}
	f.Check(strings.TrimSpace(m.Subject) != "" && !strings.ContainsAny(m.Subject, "\r\n"), "subject", "error.subject.required")
	f.Check(m.Body != "", "body", "error.body.required")
	f.Check(m.Kind != "", "kind", "error.kind.required")
	return f.Err()
}

// JobKind is the kind of the job that sends one outbox message.
const JobKind = "email.send"

// Event is something that happened to a thing people follow (an
// organisation now; engagements later). Publishing it emails every
// follower through the outbox, each with their own unsubscribe link.
type Event struct {
	ID         int64
	TargetKind string
	TargetID   int64
	Subject    string
	Body       string
	URL        string // where to read more
	CreatedAt  time.Time
}

// FanOutJobKind is the kind of the job that turns an event into emails.
const FanOutJobKind = "event.fanout"

// Validate checks an event that staff write to their followers.
func (e Event) Validate() error {
	var f apperr.Fields
	subject := strings.TrimSpace(e.Subject)
	f.Check(subject != "", "subject", "error.subject.required")
	f.Check(len([]rune(subject)) <= 150 && !strings.ContainsAny(e.Subject, "\r\n"), "subject", "error.subject.too_long")
	f.Check(strings.TrimSpace(e.Body) != "", "body", "error.body.required")
	f.Check(len([]rune(e.Body)) <= 5000, "body", "error.body.too_long")
	return f.Err()
}
