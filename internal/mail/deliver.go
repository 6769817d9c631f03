package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"parley/internal/apperr"
	"parley/internal/jobs"
	"parley/internal/outbox"
)

// Outbox is the part of the store the Deliverer needs.
type Outbox interface {
	// OutboxMessage returns the message; an apperr.NotFound error if there is none.
	OutboxMessage(ctx context.Context, id int64) (outbox.Message, error)
	MarkOutboxSent(ctx context.Context, id int64) error
	// MarkOutboxFailed counts a failed attempt and records why.
	MarkOutboxFailed(ctx context.Context, id int64, reason string) error
}

// payload is the JSON payload of an outbox.JobKind job.
type payload struct {
	MessageID int64 `json:"message_id"`
}

// markTimeout bounds the bookkeeping after a send, which runs even when the
// job's context has ended: a message that went out must be marked sent.
const markTimeout = 10 * time.Second

// Deliverer is the job handler that sends outbox messages.
type Deliverer struct {
	outbox Outbox
	sender Sender
	log    *slog.Logger
}

// NewDeliverer returns a handler that sends messages from o with s and
// logs their IDs and kinds to log (nil: no log).
func NewDeliverer(o Outbox, s Sender, log *slog.Logger) *Deliverer {
	return &Deliverer{outbox: o, sender: s, log: orDiscard(log)}
}

// Handle sends the message named by job j, a jobs.Handler for
// outbox.JobKind. It is idempotent: a message already sent is not sent
// again. Returned errors carry no personal data; those wrapped by
// jobs.Permanent should not be retried.
func (d *Deliverer) Handle(ctx context.Context, j jobs.Job) error {
	if j.Kind != outbox.JobKind {
		return jobs.Permanent(fmt.Errorf("mail: job kind %q, want %q", j.Kind, outbox.JobKind))
	}
	var p payload
	if err := j.Decode(&p); err != nil || p.MessageID <= 0 {
		return jobs.Permanent(fmt.Errorf("mail: job %d: bad payload, want {\"message_id\": N}", j.ID))
	}
	id := p.MessageID
	m, err := d.outbox.OutboxMessage(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		// Erased (for example when its recipient asked to be forgotten):
		// nothing left to send.
		d.log.WarnContext(ctx, "email gone from the outbox before sending", "message_id", id)
		return nil
	}
	if err != nil {
		return fmt.Errorf("mail: loading message %d: %w", id, err)
	}
	log := d.log.With("message_id", id, "kind", m.Kind)
	if !m.SentAt.IsZero() {
		log.DebugContext(ctx, "email already sent")
		return nil
	}
	if err := m.Validate(); err != nil {
		// The validation error names fields and message IDs, never values.
		d.fail(ctx, log, m, err)
		return jobs.Permanent(fmt.Errorf("mail: message %d: %w", id, err))
	}

	err = d.sender.Send(ctx, m)
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if err != nil {
		err = scrub(err, m.To)
		d.fail(bg, log, m, err)
		return err
	}
	if err := d.outbox.MarkOutboxSent(bg, id); err != nil {
		// The retry will send the message a second time; better twice than never.
		return fmt.Errorf("mail: marking message %d sent: %w", id, err)
	}
	// Debug, not Info: the sender has its say (Dev logs that nothing went out).
	log.DebugContext(ctx, "email handed to the sender", "attempts", m.Attempts+1)
	return nil
}

// fail records a failed attempt on the message and in the log.
func (d *Deliverer) fail(ctx context.Context, log *slog.Logger, m outbox.Message, err error) {
	reason := err.Error()
	log.WarnContext(ctx, "email not sent", "error", reason, "permanent", jobs.IsPermanent(err))
	if merr := d.outbox.MarkOutboxFailed(ctx, m.ID, reason); merr != nil {
		log.ErrorContext(ctx, "recording email failure", "error", merr)
	}
}

// scrub returns err with the recipient's address and anything that looks
// like an address removed from its text, keeping whether it is permanent.
// Senders here already do this; scrub guards against one that does not.
func scrub(err error, to string) error {
	e := errors.New(redact(err.Error(), to))
	if jobs.IsPermanent(err) {
		return jobs.Permanent(e)
	}
	return e
}
