package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"parley/internal/jobs"
	"parley/internal/outbox"
)

// TLS modes of SMTPConfig.TLS.
const (
	TLSStartTLS = "starttls" // plain connection upgraded by STARTTLS, which must be offered
	TLSImplicit = "tls"      // TLS from the first byte ("SMTPS", port 465)
	TLSNone     = "none"     // no encryption: only for relays on the same host or network, and tests
)

// DefaultTimeout bounds one delivery attempt.
const DefaultTimeout = 30 * time.Second

// SMTPConfig holds the settings of an SMTP relay.
type SMTPConfig struct {
	Host     string
	Port     int    // 0: 587 for starttls, 465 for tls, 25 for none
	Username string // empty: no authentication
	Password string
	From     string        // sender, e.g. "Parley <no-reply@example.gov.uk>"
	TLS      string        // TLSStartTLS (default when empty), TLSImplicit or TLSNone
	Timeout  time.Duration // per message; 0: DefaultTimeout
}

// SMTP sends email through an SMTP relay, one connection per message.
type SMTP struct {
	cfg    SMTPConfig
	from   *netmail.Address
	domain string // of the From address, for Message-IDs
	tls    *tls.Config
}

// NewSMTP checks cfg and returns a sender that uses it.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, errors.New("mail: SMTP host is required")
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = TLSStartTLS
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, fmt.Errorf("mail: SMTP TLS mode %q: want starttls, tls or none", cfg.TLS)
	}
	if cfg.Port == 0 {
		cfg.Port = map[string]int{TLSStartTLS: 587, TLSImplicit: 465, TLSNone: 25}[cfg.TLS]
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("mail: SMTP port %d out of range", cfg.Port)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP from address %q: %w", cfg.From, err)
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	return &SMTP{
		cfg:    cfg,
		from:   from,
		domain: domain,
		tls:    &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12},
	}, nil
}

// Send delivers m. Replies of 5xx to the mail transaction (MAIL, RCPT,
// DATA) are permanent; 4xx replies, network failures and failures before
// the transaction (greeting, STARTTLS, AUTH: the relay or our settings,
// not this message) may be retried.
func (s *SMTP) Send(ctx context.Context, m outbox.Message) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()

	msg, err := s.message(m)
	if err != nil {
		return err
	}

	// go-mail applies ctx to dialling only; closing the connection when ctx
	// ends makes cancellation and the timeout cover the whole conversation.
	var stop func() bool
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		var conn net.Conn
		var err error
		d := &net.Dialer{}
		if s.cfg.TLS == TLSImplicit {
			conn, err = (&tls.Dialer{NetDialer: d, Config: s.tls}).DialContext(dctx, network, addr)
		} else {
			conn, err = d.DialContext(dctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		stop = context.AfterFunc(ctx, func() { conn.Close() })
		return conn, nil
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(s.cfg.Timeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithTLSConfig(s.tls),
	}
	// Implicit TLS is done by dial, so go-mail must not try STARTTLS on top.
	if s.cfg.TLS == TLSStartTLS {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.Username != "" {
		mechs := []gomail.SMTPAuthType{gomail.SMTPAuthPlain, gomail.SMTPAuthLogin}
		if s.cfg.TLS == TLSNone {
			// The operator chose an unencrypted relay; go-mail would
			// otherwise refuse to send the password in the clear.
			mechs = []gomail.SMTPAuthType{gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc}
		}
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(mechs...),
			gomail.WithUsername(s.cfg.Username),
			gomail.WithPassword(s.cfg.Password))
	}
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("mail: SMTP client: %w", err)
	}
	err = client.DialAndSendWithContext(ctx, msg)
	if stop != nil {
		stop()
	}
	if msg.IsDelivered() {
		// The relay took the message; a failure after that (RSET, QUIT)
		// must not cause it to be sent twice.
		return nil
	}
	if err == nil {
		return errors.New("mail: SMTP: message not delivered")
	}
	return smtpError(ctx, err, m.To)
}

// message builds the MIME message for m: plain text in UTF-8, quoted-
// printable so that long lines and non-ASCII text survive any relay.
func (s *SMTP) message(m outbox.Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(
		gomail.WithCharset(gomail.CharsetUTF8),
		gomail.WithEncoding(gomail.EncodingQP),
		gomail.WithNoDefaultUserAgent(),
	)
	if err := msg.FromFormat(s.from.Name, s.from.Address); err != nil {
		return nil, fmt.Errorf("mail: from address: %w", err)
	}
	// go-mail's error would quote the address.
	if strings.ContainsAny(m.To, "\r\n") || msg.To(m.To) != nil {
		return nil, jobs.Permanent(errors.New("mail: invalid recipient address"))
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, jobs.Permanent(errors.New("mail: subject contains a line break"))
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(s.messageID(m))
	msg.SetDateWithValue(time.Now())
	// RFC 3834: tells auto-responders not to reply to us.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	return msg, nil
}

// messageID is stable across retries of one outbox message, so a receiver
// that got a message twice (relay accepted, we crashed before marking it
// sent) can tell.
func (s *SMTP) messageID(m outbox.Message) string {
	return "parley." + strconv.FormatInt(m.ID, 10) + "." +
		strconv.FormatInt(m.CreatedAt.UnixNano(), 36) + "@" + s.domain
}

// smtpError classifies a go-mail error and rewrites its text without
// personal data (go-mail lists the recipients; servers echo them).
func smtpError(ctx context.Context, err error, to string) error {
	reason := redact(err.Error(), to)
	if ctx.Err() != nil {
		return fmt.Errorf("mail: SMTP: %w: %s", context.Cause(ctx), reason)
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		e := fmt.Errorf("mail: SMTP %d: %s", code, reason)
		if code >= 500 && code <= 599 {
			return jobs.Permanent(e)
		}
		return e
	}
	return fmt.Errorf("mail: SMTP: %s", reason)
}
