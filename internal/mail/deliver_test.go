package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"parley/internal/apperr"
	"parley/internal/jobs"
	"parley/internal/mail/smtptest"
	"parley/internal/outbox"
)

// fakeOutbox keeps messages in memory and records what the Deliverer does.
type fakeOutbox struct {
	mu       sync.Mutex
	msgs     map[int64]outbox.Message
	loadErr  error
	markErr  error
	failures []string
}

func newFakeOutbox(msgs ...outbox.Message) *fakeOutbox {
	o := &fakeOutbox{msgs: map[int64]outbox.Message{}}
	for _, m := range msgs {
		o.msgs[m.ID] = m
	}
	return o
}

func (o *fakeOutbox) OutboxMessage(ctx context.Context, id int64) (outbox.Message, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.loadErr != nil {
		return outbox.Message{}, o.loadErr
	}
	m, ok := o.msgs[id]
	if !ok {
		return outbox.Message{}, apperr.New(apperr.NotFound, "no such message")
	}
	return m, nil
}

func (o *fakeOutbox) MarkOutboxSent(ctx context.Context, id int64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.markErr != nil {
		return o.markErr
	}
	m := o.msgs[id]
	m.SentAt = time.Date(2026, 3, 1, 9, 1, 0, 0, time.UTC)
	m.Attempts++
	o.msgs[id] = m
	return nil
}

func (o *fakeOutbox) MarkOutboxFailed(ctx context.Context, id int64, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := o.msgs[id]
	m.Attempts++
	m.LastError = reason
	o.msgs[id] = m
	o.failures = append(o.failures, reason)
	return nil
}

// fakeSender records the IDs it was asked to send and returns err.
type fakeSender struct {
	mu   sync.Mutex
	sent []int64
	err  error
}

func (s *fakeSender) Send(ctx context.Context, m outbox.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, m.ID)
	return s.err
}

func job(payload string) jobs.Job {
	return jobs.Job{ID: 7, Kind: outbox.JobKind, Payload: []byte(payload), Attempts: 1, MaxAttempts: jobs.DefaultMaxAttempts}
}

func TestDeliverer(t *testing.T) {
	sent := testMessage()
	sent.SentAt = time.Date(2026, 3, 1, 9, 0, 30, 0, time.UTC)
	invalid := testMessage()
	invalid.To = "not-an-address"

	tests := []struct {
		name         string
		msg          outbox.Message
		job          jobs.Job
		sendErr      error
		loadErr      error
		markErr      error
		wantErr      bool
		permanent    bool
		wantSent     []int64 // IDs handed to the sender
		wantSentAt   bool
		wantFailures []string
	}{
		{name: "sends and marks sent", msg: testMessage(), job: job(`{"message_id":42}`), wantSent: []int64{42}, wantSentAt: true},
		{name: "already sent: nothing to do", msg: sent, job: job(`{"message_id":42}`), wantSentAt: true},
		{name: "message gone: nothing to do", msg: testMessage(), job: job(`{"message_id":99}`)},
		{
			name: "invalid message is permanent", msg: invalid, job: job(`{"message_id":42}`),
			wantErr: true, permanent: true,
			wantFailures: []string{"invalid: error.summary; to: error.email.format"},
		},
		{
			name: "retryable send failure is recorded", msg: testMessage(), job: job(`{"message_id":42}`),
			sendErr: errors.New("mail: SMTP 451: 4.7.1 greylisted"), wantErr: true,
			wantSent: []int64{42}, wantFailures: []string{"mail: SMTP 451: 4.7.1 greylisted"},
		},
		{
			name: "permanent send failure stays permanent", msg: testMessage(), job: job(`{"message_id":42}`),
			sendErr: jobs.Permanent(errors.New("mail: SMTP 550: 5.1.1 unknown user")), wantErr: true, permanent: true,
			wantSent: []int64{42}, wantFailures: []string{"mail: SMTP 550: 5.1.1 unknown user"},
		},
		{
			name: "a careless sender's address is scrubbed", msg: testMessage(), job: job(`{"message_id":42}`),
			sendErr: fmt.Errorf("rejected <%s>", testMessage().To), wantErr: true,
			wantSent: []int64{42}, wantFailures: []string{"rejected <[recipient]>"},
		},
		{name: "store down is retried", msg: testMessage(), job: job(`{"message_id":42}`), loadErr: errors.New("database is locked"), wantErr: true},
		{
			name: "marking sent fails: retried", msg: testMessage(), job: job(`{"message_id":42}`), markErr: errors.New("database is locked"),
			wantErr: true, wantSent: []int64{42},
		},
		{name: "bad payload", msg: testMessage(), job: job(`{"message_id":"x"}`), wantErr: true, permanent: true},
		{name: "no message ID", msg: testMessage(), job: job(`{}`), wantErr: true, permanent: true},
		{
			name: "wrong job kind", msg: testMessage(), wantErr: true, permanent: true,
			job: jobs.Job{ID: 7, Kind: "feed.poll", Payload: []byte(`{"message_id":42}`)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newFakeOutbox(tt.msg)
			o.loadErr, o.markErr = tt.loadErr, tt.markErr
			s := &fakeSender{err: tt.sendErr}
			var logs bytes.Buffer
			d := NewDeliverer(o, s, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))

			err := d.Handle(context.Background(), tt.job)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Handle: %v, wantErr %v", err, tt.wantErr)
			}
			if got := jobs.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent = %v, want %v (%v)", got, tt.permanent, err)
			}
			if diff := cmp.Diff(tt.wantSent, s.sent); diff != "" {
				t.Errorf("sent (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantFailures, o.failures); diff != "" {
				t.Errorf("failures recorded (-want +got):\n%s", diff)
			}
			if got := !o.msgs[tt.msg.ID].SentAt.IsZero(); got != tt.wantSentAt {
				t.Errorf("sent = %v, want %v", got, tt.wantSentAt)
			}
			// Personal data stays out of logs and errors.
			for what, text := range map[string]string{"logs": logs.String(), "error": fmt.Sprint(err)} {
				for _, secret := range []string{tt.msg.To, tt.msg.Body, "@"} {
					if secret != "" && strings.Contains(text, secret) {
						t.Errorf("%s contain %q:\n%s", what, secret, text)
					}
				}
			}
		})
	}
}

// TestDelivererIdempotent runs the same job twice, as happens when a worker
// dies after sending: the message goes out once.
func TestDelivererIdempotent(t *testing.T) {
	o := newFakeOutbox(testMessage())
	s := &fakeSender{}
	d := NewDeliverer(o, s, nil)
	for range 2 {
		if err := d.Handle(context.Background(), job(`{"message_id":42}`)); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]int64{42}, s.sent); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
}

// TestDelivererSMTP drains an outbox through the real SMTP sender into the
// test server.
func TestDelivererSMTP(t *testing.T) {
	srv := smtptest.Start(t)
	msgs := []outbox.Message{testMessage(), testMessage()}
	msgs[1].ID, msgs[1].To, msgs[1].Subject = 43, "other@example.org", "Your petition"
	o := newFakeOutbox(msgs...)
	d := NewDeliverer(o, newTestSMTP(t, srv, nil), nil)
	for _, id := range []int64{42, 43, 42} {
		if err := d.Handle(context.Background(), job(fmt.Sprintf(`{"message_id":%d}`, id))); err != nil {
			t.Fatalf("message %d: %v", id, err)
		}
	}
	got := srv.WaitFor(t, 2, 5*time.Second)
	var subjects []string
	for _, m := range got {
		subjects = append(subjects, m.To[0]+" "+m.Subject())
	}
	if diff := cmp.Diff([]string{"citizen@example.org Sign in to Parley", "other@example.org Your petition"}, subjects); diff != "" {
		t.Errorf("received (-want +got):\n%s", diff)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("%d messages arrived, want 2", n)
	}

	// A refusal by the relay is recorded on the message and buries the job.
	srv.SetReply(smtptest.RcptTo, 550, "5.1.1 <citizen@example.org> unknown")
	o.msgs[42] = testMessage()
	err := d.Handle(context.Background(), job(`{"message_id":42}`))
	if !jobs.IsPermanent(err) {
		t.Fatalf("got %v, want a permanent error", err)
	}
	if le := o.msgs[42].LastError; !strings.Contains(le, "550") || strings.Contains(le, "@") {
		t.Errorf("LastError = %q, want the 550 reply without the address", le)
	}
}

func TestDev(t *testing.T) {
	var logs bytes.Buffer
	d := NewDev(slog.New(slog.NewTextHandler(&logs, nil)))
	m := testMessage()
	if err := d.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "message_id=42") || !strings.Contains(logs.String(), "kind=sign-in") {
		t.Errorf("log lacks the message ID and kind: %s", logs.String())
	}
	if strings.Contains(logs.String(), m.To) || strings.Contains(logs.String(), "sign-in/abc") {
		t.Errorf("log holds personal data: %s", logs.String())
	}
}
