package measure

import (
	"bytes"
	"unicode/utf8"
)

// fastIngest decodes the usual shape of a batch without reflection: an
// array of flat objects whose keys are the field names as documented, in
// lower case, with plain strings (no escapes), whole numbers of up to 15
// digits, or null. At anything else it gives up (ok false) and the batch
// is decoded by encoding/json, which also names every problem; so this is
// only ever a quicker way to the same records. A test holds the two to
// the same answers.
func fastIngest(body []byte) (recs []ingestRecord, ok bool) {
	n := bytes.Count(body, []byte{'{'})
	if n > MaxBatch {
		return nil, false
	}
	p := fastScanner{b: body, s: string(body)} // one copy: every string below is a slice of it
	p.strs = make([]string, 0, 4*n)
	p.nums = make([]float64, 0, 3*n)
	recs = make([]ingestRecord, 0, n)
	p.ws()
	if !p.eat('[') {
		return nil, false
	}
	p.ws()
	if p.eat(']') {
		return recs, p.end()
	}
	for {
		p.ws()
		var ir ingestRecord
		if !p.object(&ir) {
			return nil, false
		}
		recs = append(recs, ir)
		p.ws()
		if p.eat(',') {
			continue
		}
		if p.eat(']') {
			return recs, p.end()
		}
		return nil, false
	}
}

type fastScanner struct {
	b    []byte
	s    string
	i    int
	strs []string  // backing for the records' string pointers
	nums []float64 // and for their numbers
}

func (p *fastScanner) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *fastScanner) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *fastScanner) end() bool {
	p.ws()
	return p.i == len(p.b)
}

// str reads a string with no escapes and no control characters, in
// valid UTF-8.
func (p *fastScanner) str() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start, ascii := p.i, true
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.s[start:p.i]
			p.i++
			if !ascii && !utf8.ValidString(s) {
				return "", false
			}
			return s, true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= 0x80:
			ascii = false
		}
		p.i++
	}
	return "", false
}

// num reads -?(0|[1-9][0-9]*) of at most 15 digits: exact as a float64.
func (p *fastScanner) num() (float64, bool) {
	neg := p.eat('-')
	start := p.i
	var v int64
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		v = v*10 + int64(p.b[p.i]-'0')
		p.i++
	}
	digits := p.i - start
	if digits == 0 || digits > 15 || (digits > 1 && p.b[start] == '0') {
		return 0, false
	}
	if p.i < len(p.b) {
		switch p.b[p.i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	f := float64(v)
	if neg {
		f = -f
	}
	return f, true
}

func (p *fastScanner) null() bool {
	if bytes.HasPrefix(p.b[p.i:], []byte("null")) {
		p.i += 4
		return true
	}
	return false
}

// object reads one record's fields; a repeated key's last value wins, as
// with encoding/json.
func (p *fastScanner) object(ir *ingestRecord) bool {
	if !p.eat('{') {
		return false
	}
	p.ws()
	if p.eat('}') {
		return true
	}
	for {
		p.ws()
		key, ok := p.str()
		if !ok {
			return false
		}
		p.ws()
		if !p.eat(':') {
			return false
		}
		p.ws()
		if !p.field(ir, key) {
			return false
		}
		p.ws()
		if p.eat(',') {
			continue
		}
		return p.eat('}')
	}
}

func (p *fastScanner) field(ir *ingestRecord, key string) bool {
	var sp **string
	var np **float64
	switch key {
	case "_timestamp":
		sp = &ir.Timestamp
	case "_id":
		sp = &ir.ID
	case "service":
		sp = &ir.Service
	case "channel":
		sp = &ir.Channel
	case "count":
		np = &ir.Count
	case "transactions":
		np = &ir.Transactions
	case "contacts":
		np = &ir.Contacts
	case "started":
		np = &ir.Started
	case "completed":
		np = &ir.Completed
	case "satisfied":
		np = &ir.Satisfied
	case "rated":
		np = &ir.Rated
	default:
		return false
	}
	if p.null() {
		if sp != nil {
			*sp = nil
		} else {
			*np = nil
		}
		return true
	}
	if sp != nil {
		s, ok := p.str()
		if !ok {
			return false
		}
		// A pointer into the slab stays good when append moves it: the
		// old array keeps the value.
		p.strs = append(p.strs, s)
		*sp = &p.strs[len(p.strs)-1]
		return true
	}
	f, ok := p.num()
	if !ok {
		return false
	}
	p.nums = append(p.nums, f)
	*np = &p.nums[len(p.nums)-1]
	return true
}
