package smtptest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"unicode/utf8"
)

// Message is one message the server accepted.
type Message struct {
	From string   // envelope sender (MAIL FROM); "" for the null path
	To   []string // envelope recipients (RCPT TO)
	Auth string   // user name the client authenticated as; "" if none
	Data []byte   // the content as received: header and body, dot-unstuffed, CRLF line ends
}

func (m Message) clone() Message {
	m.To = slices.Clone(m.To)
	m.Data = bytes.Clone(m.Data)
	return m
}

// Header returns the value of the named header field with RFC 2047
// encoded-words decoded, or "" when the field is absent or the message has
// no readable header.
func (m Message) Header(name string) string {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return ""
	}
	v := msg.Header.Get(name)
	dec := new(mime.WordDecoder)
	if d, err := dec.DecodeHeader(v); err == nil {
		return d
	}
	return v
}

// Subject returns the decoded Subject header.
func (m Message) Subject() string { return m.Header("Subject") }

// errNoText means a message or part holds no text/plain content.
var errNoText = errors.New("smtptest: no text/plain part")

// maxDepth bounds multipart nesting.
const maxDepth = 8

// Text returns the message's plain-text body, decoded from quoted-printable
// or base64 and with CRLF line ends turned into "\n". In a multipart
// message it is the first text/plain part. Only UTF-8 (and its subset
// US-ASCII) is understood.
func (m Message) Text() (string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return "", fmt.Errorf("smtptest: reading message: %w", err)
	}
	return text(textproto.MIMEHeader(msg.Header), msg.Body, 0)
}

func text(h textproto.MIMEHeader, body io.Reader, depth int) (string, error) {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain; charset=us-ascii"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", fmt.Errorf("smtptest: Content-Type: %w", err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		if depth >= maxDepth {
			return "", errors.New("smtptest: multipart nested too deeply")
		}
		if params["boundary"] == "" {
			return "", errors.New("smtptest: multipart without boundary")
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return "", errNoText
			}
			if err != nil {
				return "", fmt.Errorf("smtptest: multipart: %w", err)
			}
			s, err := text(p.Header, p, depth+1)
			if errors.Is(err, errNoText) {
				continue
			}
			return s, err
		}
	}
	if mt != "text/plain" {
		return "", errNoText
	}
	switch cs := strings.ToLower(params["charset"]); cs {
	case "", "utf-8", "utf8", "us-ascii":
	default:
		return "", fmt.Errorf("smtptest: unsupported charset %q", cs)
	}
	var r io.Reader
	switch cte := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))); cte {
	case "", "7bit", "8bit", "binary":
		r = body
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body) // skips CR and LF
	default:
		return "", fmt.Errorf("smtptest: unsupported Content-Transfer-Encoding %q", cte)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("smtptest: decoding body: %w", err)
	}
	if !utf8.Valid(b) {
		return "", errors.New("smtptest: body is not valid UTF-8")
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}
