// Package mail delivers the email in the outbox: a Deliverer job handler
// loads each message and hands it to a Sender — SMTP, GOV.UK Notify, or,
// when neither is configured, Dev, which leaves it in the dev outbox.
//
// Recipient addresses and bodies are personal data: nothing here logs them
// or puts them in an error, because errors end up in logs and in the job
// table. Senders scrub what remote servers say before returning it.
package mail

import (
	"context"
	"log/slog"
	"regexp"
	"strings"

	"parley/internal/outbox"
)

// Sender sends one email. An error wrapped by jobs.Permanent means that
// sending this message again cannot succeed; any other error may be
// retried.
type Sender interface {
	Send(ctx context.Context, m outbox.Message) error
}

// Dev is the Sender for when no mail service is configured: it sends
// nothing, so the message can be read in the dev outbox viewer instead.
type Dev struct {
	log *slog.Logger
}

// NewDev returns a Dev sender that notes each message in log (nil: no log).
func NewDev(log *slog.Logger) *Dev {
	return &Dev{log: orDiscard(log)}
}

// Send logs the message's ID and kind and reports success.
func (d *Dev) Send(ctx context.Context, m outbox.Message) error {
	d.log.InfoContext(ctx, "email not sent: no mail service configured; see the dev outbox",
		"message_id", m.ID, "kind", m.Kind)
	return nil
}

func orDiscard(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return log
}

// maxReason bounds the failure text kept with a message or job.
const maxReason = 500

// redact makes text from a remote server or library safe to log and store:
// it replaces each given address (in any case) and then every word that
// looks like an address, since servers often echo the recipient in their
// replies, and folds the text onto one line.
func redact(text string, addrs ...string) string {
	for _, a := range addrs {
		if a == "" {
			continue
		}
		re, err := regexp.Compile("(?i)" + regexp.QuoteMeta(a))
		if err != nil { // not UTF-8, so not a real address; match it exactly
			text = strings.ReplaceAll(text, a, "[recipient]")
			continue
		}
		text = re.ReplaceAllLiteralString(text, "[recipient]")
	}
	words := strings.Fields(text)
	for i, w := range words {
		if strings.Contains(w, "@") {
			words[i] = "[address]"
		}
	}
	text = strings.Join(words, " ")
	if len(text) > maxReason {
		text = strings.ToValidUTF8(text[:maxReason], "") + "…"
	}
	return text
}
