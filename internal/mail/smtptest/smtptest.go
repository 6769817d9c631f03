// Package smtptest runs a small but real SMTP server on the loopback
// interface for tests: the code under test talks RFC 5321 over TCP exactly
// as it would to a production relay, and the test reads back what arrived.
//
//	srv := smtptest.Start(t)
//	// … point the sender at srv.Host() and srv.Port(), TLS mode "none" …
//	msgs := srv.WaitFor(t, 1, 5*time.Second)
//	body, err := msgs[0].Text()
//
// The server speaks greeting, EHLO/HELO, AUTH PLAIN (when WithAuth is
// given), MAIL, RCPT, DATA, RSET, NOOP, VRFY, HELP and QUIT. It offers no
// TLS. SetReply makes it refuse a stage with a chosen code, to test how
// clients treat temporary (4xx) and permanent (5xx) failures.
package smtptest

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Limits that keep a misbehaving client from exhausting a test's memory.
const (
	maxCommandLine = 4096     // RFC 5321 allows 512; clients with long parameters get some slack
	maxDataLine    = 64 << 10 // RFC 5321 allows 1000; be lenient, this is a test server
	maxMessageSize = 10 << 20
	idleTimeout    = time.Minute
)

// Stage names a point in the mail transaction whose reply SetReply overrides.
type Stage int

const (
	MailFrom  Stage = iota + 1 // the reply to MAIL FROM
	RcptTo                     // the reply to each RCPT TO
	Data                       // the reply to the DATA command, before any content
	EndOfData                  // the reply after the content's final "."
)

func (s Stage) String() string {
	switch s {
	case MailFrom:
		return "MAIL FROM"
	case RcptTo:
		return "RCPT TO"
	case Data:
		return "DATA"
	case EndOfData:
		return "end of data"
	}
	return "stage(" + strconv.Itoa(int(s)) + ")"
}

// Option configures a Server.
type Option func(*Server)

// WithAuth makes the server advertise AUTH PLAIN and require a successful
// login with these credentials before MAIL FROM.
func WithAuth(username, password string) Option {
	return func(s *Server) { s.user, s.pass, s.auth = username, password, true }
}

type reply struct {
	code int
	text string
}

// Server is a running SMTP server. Its methods are safe for concurrent use.
type Server struct {
	ln         net.Listener
	auth       bool
	user, pass string
	wg         sync.WaitGroup
	mu         sync.Mutex
	msgs       []Message
	replies    map[Stage]reply
	conns      map[net.Conn]struct{}
	closed     bool
	changed    chan struct{} // closed and replaced whenever a message arrives
	closeOnce  sync.Once
	domain     string
}

// Start starts a server on 127.0.0.1 and a free port; it is closed when the
// test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Listen(opts...)
	if err != nil {
		t.Fatalf("smtptest: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Listen starts a server on 127.0.0.1 and a free port, for use outside a
// test function (a TestMain, a benchmark harness); the caller must Close it.
func Listen(opts ...Option) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := newServer(opts...)
	s.ln = ln
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

func newServer(opts ...Option) *Server {
	s := &Server{
		replies: map[Stage]reply{},
		conns:   map[net.Conn]struct{}{},
		changed: make(chan struct{}),
		domain:  "smtptest.localhost",
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Addr returns the server's address as host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Host returns the server's IP address.
func (s *Server) Host() string { return s.ln.Addr().(*net.TCPAddr).IP.String() }

// Port returns the server's TCP port.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// SetReply makes the server answer stage with code and text (text may carry
// an enhanced status code, e.g. "5.1.1 no such user") until told otherwise.
// A code below 400 is sent as given but the stage still succeeds; code 0
// restores the normal reply.
func (s *Server) SetReply(stage Stage, code int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.replies, stage)
		return
	}
	s.replies[stage] = reply{code, text}
}

func (s *Server) override(stage Stage) (reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.replies[stage]
	return r, ok
}

// Messages returns a copy of the messages accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.msgs))
	for i, m := range s.msgs {
		out[i] = m.clone()
	}
	return out
}

// Reset forgets the messages received so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
}

// WaitFor waits until at least n messages have arrived and returns them
// all; the test fails if that takes longer than timeout.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, ch := len(s.msgs), s.changed
		s.mu.Unlock()
		if got >= n {
			return s.Messages()
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("smtptest: got %d messages after %v, want %d", got, timeout, n)
			return nil
		}
	}
}

// Close stops accepting connections, ends the open sessions and waits for
// them to finish. It is safe to call more than once.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		err = s.ln.Close()
		s.wg.Wait()
	})
	return err
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return // listener closed
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			(&session{srv: s, conn: c, r: bufio.NewReader(c), w: bufio.NewWriter(c)}).run()
		}()
	}
}

func (s *Server) deliver(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

// session is one client connection.
type session struct {
	srv    *Server
	conn   net.Conn
	r      *bufio.Reader
	w      *bufio.Writer
	helo   bool
	authed string // user name after a successful AUTH
	inMail bool
	from   string
	to     []string
}

func (ss *session) reply(code int, lines ...string) error {
	if len(lines) == 0 {
		lines = []string{""}
	}
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		fmt.Fprintf(ss.w, "%d%s%s\r\n", code, sep, l)
	}
	return ss.w.Flush()
}

func (ss *session) resetTx() {
	ss.inMail, ss.from, ss.to = false, "", nil
}

func (ss *session) run() {
	if ss.reply(220, ss.srv.domain+" ESMTP smtptest ready") != nil {
		return
	}
	for {
		ss.conn.SetDeadline(time.Now().Add(idleTimeout))
		line, err := readLine(ss.r, maxCommandLine)
		if errors.Is(err, errLineTooLong) {
			if ss.reply(500, "5.5.2 line too long") != nil {
				return
			}
			continue
		}
		if err != nil {
			return
		}
		verb, arg := parseCommand(line)
		if done := ss.command(verb, arg); done {
			return
		}
	}
}

// command handles one command and reports whether the session is over.
func (ss *session) command(verb, arg string) bool {
	var err error
	switch verb {
	case "EHLO", "HELO":
		err = ss.hello(verb, arg)
	case "AUTH":
		err = ss.authenticate(arg)
	case "MAIL":
		err = ss.mail(arg)
	case "RCPT":
		err = ss.rcpt(arg)
	case "DATA":
		err = ss.data(arg)
	case "RSET":
		ss.resetTx()
		err = ss.reply(250, "2.0.0 OK")
	case "NOOP":
		err = ss.reply(250, "2.0.0 OK")
	case "VRFY":
		err = ss.reply(252, "2.5.0 cannot verify, but will accept")
	case "HELP":
		err = ss.reply(214, "2.0.0 see RFC 5321")
	case "QUIT":
		ss.reply(221, "2.0.0 bye")
		return true
	case "":
		err = ss.reply(500, "5.5.2 empty command")
	default:
		err = ss.reply(502, "5.5.1 command not implemented")
	}
	return err != nil
}

func (ss *session) hello(verb, arg string) error {
	if arg == "" {
		return ss.reply(501, "5.5.4 "+verb+" needs a domain")
	}
	ss.helo = true
	ss.resetTx()
	if verb == "HELO" {
		return ss.reply(250, ss.srv.domain)
	}
	lines := []string{ss.srv.domain + " greets " + arg, "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8"}
	if ss.srv.auth {
		lines = append(lines, "AUTH PLAIN")
	}
	lines = append(lines, "HELP")
	return ss.reply(250, lines...)
}

func (ss *session) authenticate(arg string) error {
	switch {
	case !ss.srv.auth:
		return ss.reply(502, "5.5.1 AUTH not offered")
	case !ss.helo:
		return ss.reply(503, "5.5.1 EHLO first")
	case ss.authed != "":
		return ss.reply(503, "5.5.1 already authenticated")
	case ss.inMail:
		return ss.reply(503, "5.5.1 AUTH not allowed during a mail transaction")
	}
	mech, initial, _ := strings.Cut(arg, " ")
	if !strings.EqualFold(mech, "PLAIN") {
		return ss.reply(504, "5.5.4 unrecognised authentication mechanism")
	}
	resp := strings.TrimSpace(initial)
	if resp == "" {
		if err := ss.reply(334, ""); err != nil {
			return err
		}
		line, err := readLine(ss.r, maxCommandLine)
		if err != nil {
			return err
		}
		resp = line
	}
	if resp == "*" {
		return ss.reply(501, "5.0.0 authentication cancelled")
	}
	user, pass, ok := parsePlain(resp)
	if !ok {
		return ss.reply(501, "5.5.2 cannot decode AUTH PLAIN response")
	}
	if user != ss.srv.user || pass != ss.srv.pass {
		return ss.reply(535, "5.7.8 authentication credentials invalid")
	}
	ss.authed = user
	return ss.reply(235, "2.7.0 authentication successful")
}

// parsePlain decodes a SASL PLAIN response (RFC 4616): base64 of
// authzid NUL authcid NUL passwd; "=" stands for an empty response.
func parsePlain(resp string) (user, pass string, ok bool) {
	if resp == "=" {
		resp = ""
	}
	b, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		return "", "", false
	}
	parts := strings.Split(string(b), "\x00")
	if len(parts) != 3 || parts[1] == "" {
		return "", "", false
	}
	return parts[1], parts[2], true
}

func (ss *session) mail(arg string) error {
	switch {
	case !ss.helo:
		return ss.reply(503, "5.5.1 EHLO first")
	case ss.srv.auth && ss.authed == "":
		return ss.reply(530, "5.7.0 authentication required")
	case ss.inMail:
		return ss.reply(503, "5.5.1 nested MAIL command")
	}
	from, _, err := parsePath(arg, "FROM:")
	if err != nil {
		return ss.reply(501, "5.5.4 "+err.Error())
	}
	r, ok := ss.srv.override(MailFrom)
	if !ok {
		r = reply{250, "2.1.0 OK"}
	}
	if r.code < 400 {
		ss.inMail, ss.from = true, from
	}
	return ss.reply(r.code, r.text)
}

func (ss *session) rcpt(arg string) error {
	if !ss.inMail {
		return ss.reply(503, "5.5.1 MAIL first")
	}
	to, _, err := parsePath(arg, "TO:")
	if err != nil {
		return ss.reply(501, "5.5.4 "+err.Error())
	}
	if to == "" {
		return ss.reply(501, "5.1.3 empty recipient")
	}
	if len(ss.to) >= 100 {
		return ss.reply(452, "4.5.3 too many recipients")
	}
	r, ok := ss.srv.override(RcptTo)
	if !ok {
		r = reply{250, "2.1.5 OK"}
	}
	if r.code < 400 {
		ss.to = append(ss.to, to)
	}
	return ss.reply(r.code, r.text)
}

func (ss *session) data(arg string) error {
	switch {
	case arg != "":
		return ss.reply(501, "5.5.4 DATA takes no parameters")
	case !ss.inMail:
		return ss.reply(503, "5.5.1 MAIL first")
	case len(ss.to) == 0:
		return ss.reply(554, "5.5.1 no valid recipients")
	}
	if r, ok := ss.srv.override(Data); ok && r.code >= 400 {
		return ss.reply(r.code, r.text)
	}
	if err := ss.reply(354, "end data with <CR><LF>.<CR><LF>"); err != nil {
		return err
	}
	data, err := readData(ss.r, maxMessageSize)
	tooBig := errors.Is(err, errTooBig)
	if err != nil && !tooBig {
		return err
	}
	m := Message{From: ss.from, To: ss.to, Auth: ss.authed, Data: data}
	ss.resetTx()
	if tooBig {
		return ss.reply(552, "5.3.4 message too big")
	}
	if r, ok := ss.srv.override(EndOfData); ok && r.code >= 400 {
		return ss.reply(r.code, r.text)
	}
	ss.srv.deliver(m)
	return ss.reply(250, "2.0.0 OK queued")
}
