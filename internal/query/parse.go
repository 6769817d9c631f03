package query

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SyntaxError says where and why a query could not be parsed.
type SyntaxError struct {
	Pos int    // byte offset into the query
	Col int    // 1-based column, counted in runes
	Msg string // for people: what is wrong and how to put it right
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("query: column %d: %s", e.Col, e.Msg)
}

// maxDepth bounds the nesting of parentheses and NOTs, so that a hostile
// query cannot exhaust the stack.
const maxDepth = 100

type lexKind uint8

const (
	lexEOF lexKind = iota
	lexWord
	lexPhrase
	lexOpen
	lexClose
)

// lexeme is a word, a phrase (text without its quotes), or a parenthesis;
// pos and end are byte offsets of the whole lexeme in the query.
type lexeme struct {
	kind     lexKind
	text     string
	pos, end int
}

func isQuote(r rune) bool { return r == '"' || r == '“' || r == '”' || r == '„' }

type parser struct {
	src  string
	lex  []lexeme
	next int
}

// Parse reads a query. The language:
//
//	word                 the word, in title or text
//	"a phrase"           the words in this order, next to each other
//	transp*              a word that starts with transp
//	a b, a AND b         both
//	a OR b               either
//	NOT a, -a            not a
//	( … )                grouping; AND and OR may not be mixed without it
//	title:a              a in the title; also source: and author:, before a
//	                     word, a "phrase" or a ( group )
//
// Operators are upper-case; lower-case and, or, not are words. Matching
// ignores case and accents.
func Parse(s string) (*Query, error) {
	p := &parser{src: s}
	if err := p.scan(); err != nil {
		return nil, err
	}
	if len(p.lex) == 1 {
		return nil, p.errAt(len(s), "empty query: write at least one word")
	}
	n, err := p.parseSeq(0, 0, nil)
	if err != nil {
		return nil, err
	}
	return &Query{root: n}, nil
}

func (p *parser) errAt(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: pos, Col: p.col(pos), Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) col(pos int) int {
	if pos > len(p.src) {
		pos = len(p.src)
	}
	return utf8.RuneCountInString(p.src[:pos]) + 1
}

func (p *parser) scan() error {
	s := p.src
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '(':
			p.lex = append(p.lex, lexeme{kind: lexOpen, pos: i, end: i + 1})
			i++
		case r == ')':
			p.lex = append(p.lex, lexeme{kind: lexClose, pos: i, end: i + 1})
			i++
		case isQuote(r):
			j := i + size
			for j < len(s) {
				q, qs := utf8.DecodeRuneInString(s[j:])
				if isQuote(q) {
					break
				}
				j += qs
			}
			if j >= len(s) {
				return p.errAt(i, "expected a closing quote for the phrase that starts at column %d", p.col(i))
			}
			_, qs := utf8.DecodeRuneInString(s[j:])
			p.lex = append(p.lex, lexeme{kind: lexPhrase, text: s[i+size : j], pos: i, end: j + qs})
			i = j + qs
		default:
			j := i
			for j < len(s) {
				q, qs := utf8.DecodeRuneInString(s[j:])
				if unicode.IsSpace(q) || q == '(' || q == ')' || isQuote(q) {
					break
				}
				j += qs
			}
			p.lex = append(p.lex, lexeme{kind: lexWord, text: s[i:j], pos: i, end: j})
			i = j
		}
	}
	p.lex = append(p.lex, lexeme{kind: lexEOF, pos: len(s), end: len(s)})
	return nil
}

func (p *parser) peek() lexeme { return p.lex[p.next] }

func (p *parser) take() lexeme {
	l := p.lex[p.next]
	if l.kind != lexEOF {
		p.next++
	}
	return l
}

func isOp(l lexeme, op string) bool { return l.kind == lexWord && l.text == op }

// ends reports whether l cannot start an operand.
func ends(l lexeme) bool {
	return l.kind == lexEOF || l.kind == lexClose || isOp(l, "AND") || isOp(l, "OR")
}

// parseSeq reads operands joined by AND, OR or juxtaposition, up to a ')'
// or the end. open is the '(' this sequence follows, if any.
func (p *parser) parseSeq(depth int, scope Field, open *lexeme) (*node, error) {
	if depth > maxDepth {
		return nil, p.errAt(p.peek().pos, "the query is nested too deeply (more than %d levels)", maxDepth)
	}
	var (
		operands []*node
		joiner   op // opAnd or opOr once known
		pending  *lexeme
	)
	mixed := func(at int) error {
		return p.errAt(at, "AND and OR cannot be mixed without parentheses (a space between terms means AND): write (a AND b) OR c, or a AND (b OR c)")
	}
	for {
		l := p.peek()
		switch {
		case l.kind == lexEOF || l.kind == lexClose:
			if pending != nil {
				return nil, p.errAt(pending.pos, "nothing after %s: it needs a term on each side", pending.text)
			}
			if l.kind == lexClose && open == nil {
				return nil, p.errAt(l.pos, "unbalanced parenthesis: the ) at column %d has no matching (", p.col(l.pos))
			}
			if l.kind == lexEOF && open != nil {
				return nil, p.errAt(open.pos, "unbalanced parenthesis: the ( at column %d is never closed", p.col(open.pos))
			}
			if len(operands) == 0 {
				return nil, p.errAt(open.pos, "empty parentheses at column %d", p.col(open.pos))
			}
			return combine(joiner, operands), nil
		case isOp(l, "AND") || isOp(l, "OR"):
			p.take()
			if len(operands) == 0 {
				return nil, p.errAt(l.pos, "nothing before %s: it needs a term on each side", l.text)
			}
			if pending != nil {
				return nil, p.errAt(l.pos, "%s straight after %s: put a term between them", l.text, pending.text)
			}
			o := opAnd
			if l.text == "OR" {
				o = opOr
			}
			if joiner != 0 && joiner != o {
				return nil, mixed(l.pos)
			}
			joiner = o
			pending = &l
		default:
			if pending == nil && len(operands) > 0 {
				if joiner == opOr {
					return nil, mixed(l.pos)
				}
				joiner = opAnd
			}
			n, err := p.parseUnary(depth, scope)
			if err != nil {
				return nil, err
			}
			operands = append(operands, n)
			pending = nil
		}
	}
}

// combine joins operands with o, flattening nested groups of the same kind,
// so that (a AND b) AND c and a AND b AND c are the same query.
func combine(o op, operands []*node) *node {
	if len(operands) == 1 {
		return operands[0]
	}
	n := &node{op: o}
	for _, k := range operands {
		if k.op == o {
			n.kids = append(n.kids, k.kids...)
		} else {
			n.kids = append(n.kids, k)
		}
	}
	return n
}

func (p *parser) parseUnary(depth int, scope Field) (*node, error) {
	if depth > maxDepth {
		return nil, p.errAt(p.peek().pos, "the query is nested too deeply (more than %d levels)", maxDepth)
	}
	l := p.take()
	switch {
	case isOp(l, "NOT"):
		if ends(p.peek()) {
			return nil, p.errAt(l.pos, "nothing after NOT: write NOT and the word, phrase or group to leave out")
		}
		k, err := p.parseUnary(depth+1, scope)
		if err != nil {
			return nil, err
		}
		return &node{op: opNot, kids: []*node{k}}, nil
	case l.kind == lexWord && strings.HasPrefix(l.text, "-"):
		if l.text == "-" {
			nx := p.peek()
			if (nx.kind == lexOpen || nx.kind == lexPhrase) && nx.pos == l.end {
				k, err := p.parseUnary(depth+1, scope)
				if err != nil {
					return nil, err
				}
				return &node{op: opNot, kids: []*node{k}}, nil
			}
			return nil, p.errAt(l.pos, "nothing after '-': write -word to leave a word out")
		}
		rest := lexeme{kind: lexWord, text: l.text[1:], pos: l.pos + 1, end: l.end}
		k, err := p.parseWord(rest, depth+1, scope)
		if err != nil {
			return nil, err
		}
		return &node{op: opNot, kids: []*node{k}}, nil
	}
	return p.parsePrimary(l, depth, scope)
}

func (p *parser) parsePrimary(l lexeme, depth int, scope Field) (*node, error) {
	switch l.kind {
	case lexOpen:
		n, err := p.parseSeq(depth+1, scope, &l)
		if err != nil {
			return nil, err
		}
		p.take() // the ')' parseSeq stopped at
		return n, nil
	case lexPhrase:
		return p.phrase(l, scope)
	case lexWord:
		return p.parseWord(l, depth, scope)
	case lexClose:
		return nil, p.errAt(l.pos, "unbalanced parenthesis: the ) at column %d has no matching (", p.col(l.pos))
	}
	return nil, p.errAt(l.pos, "expected a word, a phrase or a (")
}

var fieldNames = map[string]Field{"title": FieldTitle, "source": FieldSource, "author": FieldAuthor}

func (p *parser) parseWord(l lexeme, depth int, scope Field) (*node, error) {
	if i := strings.IndexByte(l.text, ':'); i > 0 && isLetters(l.text[:i]) {
		name := strings.ToLower(l.text[:i])
		f, ok := fieldNames[name]
		if !ok {
			return nil, p.errAt(l.pos, "unknown field '%s' — use title, source or author (or put the word in quotes)", l.text[:i])
		}
		if scope != 0 && scope != f {
			return nil, p.errAt(l.pos, "%s: is inside %s: — a term can only be in one field", name, scope)
		}
		rest := l.text[i+1:]
		if rest == "" {
			nx := p.peek()
			if (nx.kind != lexOpen && nx.kind != lexPhrase) || nx.pos != l.end {
				return nil, p.errAt(l.pos, "nothing after '%s:': write %s:word, %s:\"a phrase\" or %s:(…)", name, name, name, name)
			}
			return p.parsePrimary(p.take(), depth+1, f)
		}
		if strings.HasPrefix(rest, "-") {
			return nil, p.errAt(l.pos+i+1, "put NOT before the field: NOT %s:word", name)
		}
		return p.parseWord(lexeme{kind: lexWord, text: rest, pos: l.pos + i + 1, end: l.end}, depth+1, f)
	}
	switch l.text {
	case "AND", "OR":
		return nil, p.errAt(l.pos, "nothing before %s: it needs a term on each side", l.text)
	case "NOT":
		return nil, p.errAt(l.pos, "NOT must come before the term it leaves out, not after a field")
	}
	text, prefix := l.text, false
	if star := strings.IndexByte(text, '*'); star >= 0 {
		if star != len(text)-1 {
			return nil, p.errAt(l.pos+star, "a * can only end a word, to search for words that start with it, as in transp*")
		}
		text, prefix = text[:star], true
	}
	toks := tokens(text)
	if len(toks) == 0 {
		if prefix {
			return nil, p.errAt(l.pos, "a * needs letters before it, as in transp*")
		}
		return nil, p.errAt(l.pos, "'%s' has no letters or digits to search for", l.text)
	}
	if prefix && endsWithSep(text) {
		return nil, p.errAt(l.pos+len(text), "a * can only end a word, to search for words that start with it, as in transp*")
	}
	return &node{op: opTerm, field: scope, toks: toks, prefix: prefix}, nil
}

func (p *parser) phrase(l lexeme, scope Field) (*node, error) {
	text := strings.TrimRightFunc(l.text, unicode.IsSpace)
	prefix := false
	if strings.HasSuffix(text, "*") {
		t := strings.TrimSuffix(text, "*")
		if !endsWithSep(t) && t != "" {
			text, prefix = t, true
		}
	}
	toks := tokens(text)
	if len(toks) == 0 {
		return nil, p.errAt(l.pos, "the phrase at column %d has no letters or digits to search for", p.col(l.pos))
	}
	return &node{op: opTerm, field: scope, toks: toks, prefix: prefix}, nil
}

// endsWithSep reports whether the last character of s separates tokens, so
// a * after it would not extend a word.
func endsWithSep(s string) bool {
	if s == "" {
		return true
	}
	var d doc
	d.add(FieldText, s)
	return len(d.toks) == 0 || int(d.toks[len(d.toks)-1].end) != len(s)
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
