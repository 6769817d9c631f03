package smtptest

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"unicode/utf8"
)

var (
	errLineTooLong = errors.New("line too long")
	errTooBig      = errors.New("message too big")
)

// readLine reads one line of at most max bytes (without its ending) and
// strips CRLF or a bare LF. An overlong line is consumed whole, so the
// session stays in step with the client, and reported as errLineTooLong.
func readLine(r *bufio.Reader, max int) (string, error) {
	var buf []byte
	tooLong := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > max+2 {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			return "", err
		}
		break
	}
	if tooLong {
		return "", errLineTooLong
	}
	buf = bytes.TrimSuffix(buf, []byte("\n"))
	buf = bytes.TrimSuffix(buf, []byte("\r"))
	if len(buf) > max {
		return "", errLineTooLong
	}
	return string(buf), nil
}

// readData reads message content up to the line holding a single ".",
// undoing dot-stuffing (RFC 5321 §4.5.2) and ending every line with CRLF.
// Past max bytes it reads on to the end and returns errTooBig.
func readData(r *bufio.Reader, max int) ([]byte, error) {
	var b bytes.Buffer
	tooBig := false
	for {
		line, err := readLine(r, maxDataLine)
		if errors.Is(err, errLineTooLong) {
			tooBig = true
			continue
		}
		if err != nil {
			return nil, err
		}
		if line == "." {
			break
		}
		line = strings.TrimPrefix(line, ".")
		if tooBig {
			continue
		}
		if b.Len()+len(line)+2 > max {
			tooBig = true
			b.Reset()
			continue
		}
		b.WriteString(line)
		b.WriteString("\r\n")
	}
	if tooBig {
		return nil, errTooBig
	}
	return b.Bytes(), nil
}

// parseCommand splits a command line into its upper-cased verb and the
// argument after it.
func parseCommand(line string) (verb, arg string) {
	line = strings.TrimLeft(line, " ")
	verb, arg, _ = strings.Cut(line, " ")
	return strings.ToUpper(verb), strings.Trim(arg, " ")
}

// parsePath parses the argument of MAIL or RCPT: keyword ("FROM:" or
// "TO:", any case), a path in angle brackets, then ESMTP parameters. It
// returns the address without brackets and source route; the null path
// "<>" gives "".
func parsePath(arg, keyword string) (addr string, params []string, err error) {
	if len(arg) < len(keyword) || !strings.EqualFold(arg[:len(keyword)], keyword) {
		return "", nil, errors.New("syntax: want " + keyword + "<address>")
	}
	rest := strings.TrimLeft(arg[len(keyword):], " ")
	if !utf8.ValidString(rest) {
		return "", nil, errors.New("invalid UTF-8")
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c < 0x20 || c == 0x7f {
			return "", nil, errors.New("control character in path")
		}
	}
	if !strings.HasPrefix(rest, "<") {
		return "", nil, errors.New("address must be in angle brackets")
	}
	end, quoted := -1, false
scan:
	for i := 1; i < len(rest); i++ {
		switch c := rest[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == ' ' && !quoted:
			return "", nil, errors.New("space in address")
		case c == '>' && !quoted:
			end = i
			break scan
		}
	}
	if end < 0 {
		return "", nil, errors.New("unterminated address")
	}
	addr = rest[1:end]
	if strings.HasPrefix(addr, "@") {
		// An obsolete source route ("@relay,@relay:user@host"); RFC 5321
		// says to accept and ignore it.
		_, mailbox, ok := strings.Cut(addr, ":")
		if !ok {
			return "", nil, errors.New("bad source route")
		}
		addr = mailbox
	}
	if at := strings.LastIndex(addr, "@"); addr != "" && (at <= 0 || at == len(addr)-1 || addr[0] == '@') {
		return "", nil, errors.New("want local-part@domain")
	}
	tail := rest[end+1:]
	if tail != "" && tail[0] != ' ' {
		return "", nil, errors.New("junk after address")
	}
	params = strings.Fields(tail)
	for _, p := range params {
		if !validParam(p) {
			return "", nil, errors.New("bad parameter")
		}
	}
	return addr, params, nil
}

// validParam checks an ESMTP parameter: keyword ["=" value] (RFC 5321 §4.1.2).
func validParam(p string) bool {
	key, value, hasValue := strings.Cut(p, "=")
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		alnum := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '-') {
			return false
		}
	}
	if hasValue {
		if value == "" {
			return false
		}
		for _, c := range value {
			if c == '=' || c == ' ' || c < 0x21 || c == 0x7f {
				return false
			}
		}
	}
	return true
}
