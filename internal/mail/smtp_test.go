package mail

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"parley/internal/jobs"
	"parley/internal/mail/smtptest"
	"parley/internal/outbox"
)

func newTestSMTP(t *testing.T, srv *smtptest.Server, mod func(*SMTPConfig)) *SMTP {
	t.Helper()
	cfg := SMTPConfig{
		Host:    srv.Host(),
		Port:    srv.Port(),
		From:    "Parley <no-reply@parley.example>",
		TLS:     TLSNone,
		Timeout: 5 * time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testMessage() outbox.Message {
	return outbox.Message{
		ID:        42,
		Kind:      "sign-in",
		To:        "citizen@example.org",
		Subject:   "Sign in to Parley",
		Body:      "Use this link to sign in:\nhttps://parley.example/sign-in/abc\n",
		CreatedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
	}
}

func TestSMTPSend(t *testing.T) {
	long := strings.Repeat("a very long line of consultation text ", 40)
	tests := []struct {
		name    string
		subject string
		body    string
		auth    bool
	}{
		{name: "plain ASCII", subject: "Sign in to Parley", body: "Hello\nSecond line\n"},
		{name: "Welsh and symbols", subject: "Mewngofnodi i Parley – £8.62 café", body: "Diolch am eich ymateb – ŵ ŷ â €\n"},
		{name: "leading dots and long lines", subject: "Dots", body: ".\n..hidden?\n." + long + "\nend"},
		{name: "with AUTH PLAIN", subject: "Auth", body: "authenticated\n", auth: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []smtptest.Option
			if tt.auth {
				opts = append(opts, smtptest.WithAuth("parley", "s3cret"))
			}
			srv := smtptest.Start(t, opts...)
			s := newTestSMTP(t, srv, func(c *SMTPConfig) {
				if tt.auth {
					c.Username, c.Password = "parley", "s3cret"
				}
			})
			m := testMessage()
			m.Subject, m.Body = tt.subject, tt.body
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.WaitFor(t, 1, 5*time.Second)[0]
			body, err := got.Text()
			if err != nil {
				t.Fatalf("Text: %v", err)
			}
			wantAuth := ""
			if tt.auth {
				wantAuth = "parley"
			}
			type summary struct {
				From, Auth, Subject, Body, HeaderFrom, HeaderTo, AutoSubmitted, MessageID string
				To                                                                        []string
			}
			wantBody := tt.body
			if !strings.HasSuffix(wantBody, "\n") {
				wantBody += "\n" // on the wire, content ends with a line break
			}
			want := summary{
				From: "no-reply@parley.example", To: []string{m.To}, Auth: wantAuth,
				Subject: tt.subject, Body: wantBody,
				HeaderFrom: `"Parley" <no-reply@parley.example>`, HeaderTo: "<citizen@example.org>",
				AutoSubmitted: "auto-generated", MessageID: "<parley.42." + strconv.FormatInt(m.CreatedAt.UnixNano(), 36) + "@parley.example>",
			}
			if diff := cmp.Diff(want, summary{
				From: got.From, To: got.To, Auth: got.Auth, Subject: got.Subject(), Body: body,
				HeaderFrom: got.Header("From"), HeaderTo: got.Header("To"),
				AutoSubmitted: got.Header("Auto-Submitted"), MessageID: got.Header("Message-ID"),
			}); diff != "" {
				t.Errorf("received (-want +got):\n%s", diff)
			}
			if _, err := time.Parse(time.RFC1123Z, got.Header("Date")); err != nil {
				t.Errorf("Date header %q: %v", got.Header("Date"), err)
			}
			if ct := got.Header("Content-Type"); !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
				t.Errorf("Content-Type = %q, want UTF-8 text", ct)
			}
			for _, line := range strings.Split(string(got.Data), "\r\n") {
				if len(line) > 998 {
					t.Errorf("line of %d octets exceeds RFC 5322's limit", len(line))
				}
			}
		})
	}
}

func TestSMTPErrors(t *testing.T) {
	tests := []struct {
		name      string
		stage     smtptest.Stage
		code      int
		text      string
		mod       func(*SMTPConfig)
		srvOpts   []smtptest.Option
		down      bool
		permanent bool
	}{
		{name: "RCPT 550", stage: smtptest.RcptTo, code: 550, text: "5.1.1 <citizen@example.org>: user unknown", permanent: true},
		{name: "RCPT 451", stage: smtptest.RcptTo, code: 451, text: "4.3.0 try later, citizen@example.org", permanent: false},
		{name: "MAIL 550", stage: smtptest.MailFrom, code: 550, text: "5.7.1 sender refused", permanent: true},
		{name: "MAIL 421", stage: smtptest.MailFrom, code: 421, text: "4.3.2 shutting down", permanent: false},
		{name: "DATA 554", stage: smtptest.Data, code: 554, text: "5.3.0 no", permanent: true},
		{name: "end of data 552", stage: smtptest.EndOfData, code: 552, text: "5.3.4 too big", permanent: true},
		{name: "end of data 451", stage: smtptest.EndOfData, code: 451, text: "4.7.1 greylisted", permanent: false},
		{name: "server down", down: true, permanent: false},
		{
			name:    "wrong password",
			srvOpts: []smtptest.Option{smtptest.WithAuth("parley", "right")},
			mod:     func(c *SMTPConfig) { c.Username, c.Password = "parley", "wrong" },
		},
		{
			name: "STARTTLS required but not offered",
			mod:  func(c *SMTPConfig) { c.TLS = TLSStartTLS },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t, tt.srvOpts...)
			if tt.code != 0 {
				srv.SetReply(tt.stage, tt.code, tt.text)
			}
			s := newTestSMTP(t, srv, tt.mod)
			if tt.down {
				srv.Close()
			}
			err := s.Send(context.Background(), testMessage())
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			t.Logf("error: %v", err)
			if got := jobs.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent = %v, want %v (error: %v)", got, tt.permanent, err)
			}
			if strings.Contains(err.Error(), "@") {
				t.Errorf("error text holds an address: %v", err)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("%d messages arrived, want none", n)
			}
		})
	}
}

// TestSMTPTimeout checks that a relay that accepts the connection and then
// says nothing does not hold the sender beyond its context.
func TestSMTPTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // silent until the test ends
		}
	}()
	addr := ln.Addr().(*net.TCPAddr)
	s, err := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: addr.Port, From: "p@parley.example", TLS: TLSNone, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.Send(ctx, testMessage())
	if err == nil || jobs.IsPermanent(err) {
		t.Fatalf("got %v, want a retryable error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send returned after %v, want about 300ms", d)
	}
}

func TestNewSMTP(t *testing.T) {
	tests := []struct {
		name     string
		cfg      SMTPConfig
		wantPort int
		wantErr  bool
	}{
		{name: "defaults to STARTTLS on 587", cfg: SMTPConfig{Host: "smtp.example", From: "a@example.org"}, wantPort: 587},
		{name: "implicit TLS on 465", cfg: SMTPConfig{Host: "smtp.example", From: "a@example.org", TLS: TLSImplicit}, wantPort: 465},
		{name: "none on 25", cfg: SMTPConfig{Host: "smtp.example", From: "a@example.org", TLS: TLSNone}, wantPort: 25},
		{name: "explicit port", cfg: SMTPConfig{Host: "smtp.example", From: "a@example.org", Port: 2525}, wantPort: 2525},
		{name: "no host", cfg: SMTPConfig{From: "a@example.org"}, wantErr: true},
		{name: "bad from", cfg: SMTPConfig{Host: "smtp.example", From: "not an address"}, wantErr: true},
		{name: "bad TLS mode", cfg: SMTPConfig{Host: "smtp.example", From: "a@example.org", TLS: "ssl"}, wantErr: true},
		{name: "bad port", cfg: SMTPConfig{Host: "smtp.example", From: "a@example.org", Port: 70000}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSMTP(tt.cfg)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && s.cfg.Port != tt.wantPort {
				t.Errorf("port = %d, want %d", s.cfg.Port, tt.wantPort)
			}
		})
	}
}

func TestSMTPRefusesBadMessage(t *testing.T) {
	srv := smtptest.Start(t)
	s := newTestSMTP(t, srv, nil)
	for _, m := range []outbox.Message{
		func() outbox.Message { m := testMessage(); m.To = "not an address"; return m }(),
		func() outbox.Message { m := testMessage(); m.Subject = "a\r\nBcc: x@example.org"; return m }(),
	} {
		err := s.Send(context.Background(), m)
		if !jobs.IsPermanent(err) {
			t.Errorf("got %v, want a permanent error", err)
		}
	}
}
