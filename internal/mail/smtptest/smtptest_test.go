package smtptest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// step sends one or more lines and expects a reply code; code 0 expects none.
type step struct {
	send string
	code int
}

func plain(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
}

func TestSession(t *testing.T) {
	tests := []struct {
		name  string
		opts  []Option
		steps []step
		want  []Message
	}{
		{
			name: "delivery with dot-unstuffing",
			steps: []step{
				{"EHLO client.example", 250},
				{"MAIL FROM:<from@example.org> BODY=8BITMIME SMTPUTF8", 250},
				{"RCPT TO:<a@example.net>", 250},
				{"rcpt to: <b@example.net>", 250},
				{"DATA", 354},
				{"Subject: hi\r\n\r\n..leading dot\r\n...\r\nend\r\n.", 250},
				{"QUIT", 221},
			},
			want: []Message{{
				From: "from@example.org",
				To:   []string{"a@example.net", "b@example.net"},
				Data: []byte("Subject: hi\r\n\r\n.leading dot\r\n..\r\nend\r\n"),
			}},
		},
		{
			name: "HELO, null sender and source route",
			steps: []step{
				{"HELO client", 250},
				{"MAIL FROM:<>", 250},
				{"RCPT TO:<@relay.example:c@example.net>", 250},
				{"DATA", 354},
				{"x\r\n.", 250},
			},
			want: []Message{{From: "", To: []string{"c@example.net"}, Data: []byte("x\r\n")}},
		},
		{
			name: "commands out of order",
			steps: []step{
				{"MAIL FROM:<a@example.org>", 503},
				{"EHLO c", 250},
				{"RCPT TO:<b@example.org>", 503},
				{"DATA", 503},
				{"MAIL FROM:<a@example.org>", 250},
				{"MAIL FROM:<a@example.org>", 503},
				{"DATA", 554},
				{"RSET", 250},
				{"RCPT TO:<b@example.org>", 503},
			},
		},
		{
			name: "syntax errors",
			steps: []step{
				{"EHLO", 501},
				{"EHLO c", 250},
				{"MAIL FROM:a@example.org", 501},
				{"MAIL TO:<a@example.org>", 501},
				{"MAIL FROM:<a@example.org>x", 501},
				{"MAIL FROM:<a@example.org> =bad", 501},
				{"MAIL FROM:<a@example.org>", 250},
				{"RCPT TO:<>", 501},
				{"RCPT TO:<nodomain>", 501},
				{"DATA now", 501},
				{"", 500},
				{"STARTTLS", 502},
				{"AUTH PLAIN", 502},
				{"NOOP", 250},
				{"VRFY x", 252},
				{"HELP", 214},
			},
		},
		{
			name: "authentication required",
			opts: []Option{WithAuth("user", "secret")},
			steps: []step{
				{"EHLO c", 250},
				{"MAIL FROM:<a@example.org>", 530},
				{"AUTH LOGIN", 504},
				{"AUTH PLAIN " + plain("user", "wrong"), 535},
				{"AUTH PLAIN !!!", 501},
				{"AUTH PLAIN", 334},
				{"*", 501},
				{"AUTH PLAIN", 334},
				{plain("user", "secret"), 235},
				{"AUTH PLAIN " + plain("user", "secret"), 503},
				{"MAIL FROM:<a@example.org>", 250},
				{"RCPT TO:<b@example.org>", 250},
				{"DATA", 354},
				{"hello\r\n.", 250},
			},
			want: []Message{{From: "a@example.org", To: []string{"b@example.org"}, Auth: "user", Data: []byte("hello\r\n")}},
		},
		{
			name: "overlong command line",
			steps: []step{
				{"EHLO " + strings.Repeat("x", maxCommandLine+10), 500},
				{"NOOP", 250},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := Start(t, tt.opts...)
			c, err := textproto.Dial("tcp", srv.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, _, err := c.ReadResponse(220); err != nil {
				t.Fatalf("greeting: %v", err)
			}
			for _, s := range tt.steps {
				if err := c.PrintfLine("%s", s.send); err != nil {
					t.Fatal(err)
				}
				code, msg, err := c.ReadResponse(0)
				var perr textproto.ProtocolError
				if errors.As(err, &perr) {
					t.Fatalf("%q: %v", s.send, err)
				}
				if code != s.code {
					t.Errorf("%.40q: got %d %s, want %d", s.send, code, msg, s.code)
				}
			}
			if tt.want == nil {
				tt.want = []Message{}
			}
			if diff := cmp.Diff(tt.want, srv.Messages()); diff != "" {
				t.Errorf("messages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSetReply(t *testing.T) {
	tests := []struct {
		stage Stage
		code  int
	}{
		{MailFrom, 550},
		{MailFrom, 421},
		{RcptTo, 550},
		{RcptTo, 451},
		{Data, 554},
		{Data, 451},
		{EndOfData, 552},
		{EndOfData, 450},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %d", tt.stage, tt.code), func(t *testing.T) {
			srv := Start(t)
			srv.SetReply(tt.stage, tt.code, "x.y.z refused")
			err := send(srv.Addr(), "a@example.org", "b@example.org", "Subject: s\r\n\r\nbody\r\n")
			var terr *textproto.Error
			if !errors.As(err, &terr) || terr.Code != tt.code {
				t.Fatalf("got %v, want code %d", err, tt.code)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("%d messages recorded, want 0", n)
			}
			srv.SetReply(tt.stage, 0, "")
			if err := send(srv.Addr(), "a@example.org", "b@example.org", "Subject: s\r\n\r\nbody\r\n"); err != nil {
				t.Fatalf("after reset: %v", err)
			}
			if n := len(srv.Messages()); n != 1 {
				t.Errorf("%d messages recorded, want 1", n)
			}
		})
	}
}

// send delivers one message with the standard library's client, which is
// independent of the code under test elsewhere.
func send(addr, from, to, data string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, data); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func TestAuthWithStandardClient(t *testing.T) {
	srv := Start(t, WithAuth("me", "pw"))
	auth := smtp.PlainAuth("", "me", "pw", srv.Host())
	if err := smtp.SendMail(srv.Addr(), auth, "a@example.org", []string{"b@example.org"}, []byte("Subject: x\r\n\r\ny\r\n")); err != nil {
		t.Fatal(err)
	}
	msgs := srv.WaitFor(t, 1, time.Second)
	if msgs[0].Auth != "me" {
		t.Errorf("Auth = %q, want me", msgs[0].Auth)
	}
	bad := smtp.PlainAuth("", "me", "nope", srv.Host())
	err := smtp.SendMail(srv.Addr(), bad, "a@example.org", []string{"b@example.org"}, []byte("x\r\n"))
	var terr *textproto.Error
	if !errors.As(err, &terr) || terr.Code != 535 {
		t.Errorf("wrong password: got %v, want 535", err)
	}
}

func TestWaitForAndClose(t *testing.T) {
	srv := Start(t)
	go func() {
		time.Sleep(50 * time.Millisecond)
		for range 3 {
			send(srv.Addr(), "a@example.org", "b@example.org", "Subject: s\r\n\r\nbody\r\n")
		}
	}()
	if got := srv.WaitFor(t, 3, 5*time.Second); len(got) != 3 {
		t.Fatalf("WaitFor returned %d messages, want 3", len(got))
	}
	srv.Reset()
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("after Reset: %d messages", n)
	}

	// An idle client must not keep Close from returning.
	idle, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	done := make(chan error, 1)
	go func() { done <- srv.Close() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	srv.Close() // twice is fine
	if _, err := net.DialTimeout("tcp", srv.Addr(), time.Second); err == nil {
		t.Error("server still accepts connections after Close")
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name, data string
		subject    string
		text       string
		wantErr    bool
	}{
		{
			name:    "plain 7bit",
			data:    "Subject: Hello\r\n\r\nline one\r\nline two\r\n",
			subject: "Hello",
			text:    "line one\nline two\n",
		},
		{
			name: "quoted-printable UTF-8 with soft breaks",
			data: "Subject: =?UTF-8?q?Caf=C3=A9?= =?UTF-8?q?_ar_agor?=\r\n" +
				"Content-Type: text/plain; charset=UTF-8\r\n" +
				"Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
				"Croeso i=E2=80=99r caf=C3=A9, this is a long line that was wra=\r\npped.\r\n",
			subject: "Café ar agor",
			text:    "Croeso i’r café, this is a long line that was wrapped.\n",
		},
		{
			name: "base64 with folded lines",
			data: "Subject: =?utf-8?b?w6nDqQ==?=\r\n" +
				"Content-Type: text/plain; charset=utf-8\r\n" +
				"Content-Transfer-Encoding: base64\r\n\r\n" +
				"aMOpbGxvIHdv\r\ncmxk\r\n",
			subject: "éé",
			text:    "héllo world",
		},
		{
			name: "multipart mixed with alternative",
			data: "Subject: m\r\nMIME-Version: 1.0\r\n" +
				"Content-Type: multipart/mixed; boundary=outer\r\n\r\n" +
				"--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n" +
				"--inner\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n" +
				"--inner\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nplain =3D text\r\n" +
				"--inner--\r\n--outer--\r\n",
			subject: "m",
			text:    "plain = text",
		},
		{
			name:    "no text part",
			data:    "Subject: h\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n",
			subject: "h",
			wantErr: true,
		},
		{
			name:    "unsupported charset",
			data:    "Subject: h\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nx\r\n",
			subject: "h",
			wantErr: true,
		},
		{
			name:    "no header",
			data:    "garbage",
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Message{Data: []byte(tt.data)}
			if got := m.Subject(); got != tt.subject {
				t.Errorf("Subject() = %q, want %q", got, tt.subject)
			}
			got, err := m.Text()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Text() error = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.text {
				t.Errorf("Text() = %q, want %q", got, tt.text)
			}
		})
	}
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{
		"FROM:<a@example.org>", "FROM:<> BODY=8BITMIME SMTPUTF8", "TO:<\"a b>\"@example.org>",
		"TO:<@r1,@r2:x@y>", "from: <a@b> SIZE=10", "TO:<a\\\"@b>", "FROM:<a@b>junk", "TO:<a@b> =x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		for _, kw := range []string{"FROM:", "TO:"} {
			addr, params, err := parsePath(arg, kw)
			if err != nil {
				continue
			}
			if strings.ContainsAny(addr, "\r\n\x00") {
				t.Fatalf("address %q holds a control character", addr)
			}
			// What was accepted reads back the same when written canonically.
			canon := kw + "<" + addr + ">"
			if len(params) > 0 {
				canon += " " + strings.Join(params, " ")
			}
			addr2, params2, err := parsePath(canon, kw)
			if err != nil {
				t.Fatalf("canonical %q rejected: %v", canon, err)
			}
			if addr2 != addr || !cmp.Equal(params, params2) {
				t.Fatalf("canonical %q read as %q %q, want %q %q", canon, addr2, params2, addr, params)
			}
		}
		parseCommand(arg)
	})
}

// FuzzReadData checks that dot-stuffed content (as the standard library
// writes it) reads back unchanged.
func FuzzReadData(f *testing.F) {
	for _, s := range []string{"", "a\r\n", ".\r\n", "..\r\n.x\r\n", "no newline", "a\nb\r\n\r\n.", "\r\n.\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\r") {
			t.Skip("DotWriter treats a lone CR as a line end")
		}
		var buf bytes.Buffer
		w := textproto.NewWriter(bufio.NewWriter(&buf))
		dw := w.DotWriter()
		io.WriteString(dw, body)
		dw.Close()
		got, err := readData(bufio.NewReader(&buf), maxMessageSize)
		if err != nil {
			if errors.Is(err, errTooBig) {
				return
			}
			t.Fatalf("readData: %v", err)
		}
		// DotWriter turns every line end into CRLF and ends the content with one.
		want := strings.ReplaceAll(body, "\r\n", "\n")
		want = strings.ReplaceAll(want, "\n", "\r\n")
		if !strings.HasSuffix(want, "\r\n") {
			want += "\r\n"
		}
		if string(got) != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}

// FuzzSession drives a whole session with arbitrary client input: the
// server must neither panic nor hang.
func FuzzSession(f *testing.F) {
	f.Add([]byte("EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSubject: x\r\n\r\n..y\r\n.\r\nQUIT\r\n"))
	f.Add([]byte("EHLO c\r\nAUTH PLAIN\r\n" + plain("u", "p") + "\r\nMAIL FROM:<>\r\n"))
	f.Add([]byte("HELO\r\nRSET\r\nNOOP\r\n\r\n\x00\xff\r\nDATA\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		srv := newServer(WithAuth("u", "p"))
		c := &fakeConn{r: bytes.NewReader(in)}
		ss := &session{srv: srv, conn: c, r: bufio.NewReader(c), w: bufio.NewWriter(io.Discard)}
		ss.run()
		for _, m := range srv.Messages() {
			m.Subject()
			m.Text()
		}
	})
}

func FuzzText(f *testing.F) {
	f.Add([]byte("Subject: =?UTF-8?q?a?=\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\nYQ==\r\n--b--\r\n"))
	f.Add([]byte("Content-Transfer-Encoding: quoted-printable\r\n\r\na=3D=\r\nb\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := Message{Data: data}
		m.Subject()
		m.Text()
	})
}

// fakeConn feeds a session from a reader and discards what it writes.
type fakeConn struct {
	net.Conn
	r io.Reader
}

func (c *fakeConn) Read(p []byte) (int, error)         { return c.r.Read(p) }
func (c *fakeConn) Write(p []byte) (int, error)        { return len(p), nil }
func (c *fakeConn) Close() error                       { return nil }
func (c *fakeConn) SetDeadline(time.Time) error        { return nil }
func (c *fakeConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *fakeConn) SetWriteDeadline(t time.Time) error { return nil }
