package query

import (
	"slices"
	"strings"
)

// Item is what a query is matched against: a mention found by listening.
type Item struct {
	Title  string
	Text   string // plain text, not HTML
	Source string // the feed or site, e.g. "BBC News"
	Author string
}

// Span is a byte range [Start, End) of Item.Title or Item.Text (by Field)
// where a term of the query matched.
type Span struct {
	Field      Field
	Start, End int
}

// Query is a parsed query. It is immutable and safe for concurrent use.
type Query struct {
	root *node
}

type op uint8

const (
	opTerm op = iota + 1
	opAnd
	opOr
	opNot
)

// node is a term or an operator. A term is one or more folded tokens that
// must appear next to each other in one field; if prefix is set, the last
// token need only start the word. field 0 means title or text.
type node struct {
	op     op
	kids   []*node
	field  Field
	toks   []string
	prefix bool
}

func (n *node) fields() Field {
	if n.field == 0 {
		return fieldDefault
	}
	return n.field
}

// String returns the query in canonical form: folded words, explicit upper-
// case operators, field scopes on each term, parentheses around every group.
// Parsing it gives the same query.
func (q *Query) String() string {
	var b strings.Builder
	q.root.write(&b)
	return b.String()
}

func (n *node) write(b *strings.Builder) {
	switch n.op {
	case opTerm:
		if n.field != 0 {
			b.WriteString(n.field.String())
			b.WriteByte(':')
		}
		star := ""
		if n.prefix {
			star = "*"
		}
		if len(n.toks) == 1 {
			b.WriteString(n.toks[0] + star)
			return
		}
		b.WriteByte('"')
		b.WriteString(strings.Join(n.toks, " ") + star)
		b.WriteByte('"')
	case opNot:
		b.WriteString("NOT ")
		n.kids[0].writeOperand(b)
	case opAnd, opOr:
		sep := " AND "
		if n.op == opOr {
			sep = " OR "
		}
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			k.writeOperand(b)
		}
	}
}

func (n *node) writeOperand(b *strings.Builder) {
	if n.op == opAnd || n.op == opOr {
		b.WriteByte('(')
		n.write(b)
		b.WriteByte(')')
		return
	}
	n.write(b)
}

// Equal reports whether q and o are the same query (the same tree).
func (q *Query) Equal(o *Query) bool {
	return q.root.equal(o.root)
}

func (n *node) equal(o *node) bool {
	if n.op != o.op || n.field != o.field || n.prefix != o.prefix ||
		!slices.Equal(n.toks, o.toks) || len(n.kids) != len(o.kids) {
		return false
	}
	for i := range n.kids {
		if !n.kids[i].equal(o.kids[i]) {
			return false
		}
	}
	return true
}

// Match reports whether the item matches the query. To match many queries
// against the same items, Compile them into a Set.
func (q *Query) Match(it Item) bool {
	var d doc
	d.addItem(it)
	return q.root.eval(&d)
}

func (n *node) eval(d *doc) bool {
	switch n.op {
	case opTerm:
		return n.find(d, func(int) bool { return true })
	case opNot:
		return !n.kids[0].eval(d)
	case opAnd:
		for _, k := range n.kids {
			if !k.eval(d) {
				return false
			}
		}
		return true
	default:
		for _, k := range n.kids {
			if k.eval(d) {
				return true
			}
		}
		return false
	}
}

// find calls yield with the index of each token where the term starts, in
// the term's fields, until yield returns false; it reports whether there
// was any.
func (n *node) find(d *doc, yield func(i int) bool) bool {
	found := false
	f := n.fields()
	for i := range d.toks {
		if d.toks[i].field&f != 0 && termAt(d, i, n.toks, n.prefix) {
			found = true
			if !yield(i) {
				break
			}
		}
	}
	return found
}

// termAt reports whether toks (the last one a prefix if prefix is set)
// occur in d from token i on, within one field.
func termAt(d *doc, i int, toks []string, prefix bool) bool {
	if i+len(toks) > len(d.toks) {
		return false
	}
	f := d.toks[i].field
	last := len(toks) - 1
	for j, want := range toks {
		t := d.toks[i+j]
		if t.field != f {
			return false
		}
		got := d.text(t)
		if j == last && prefix {
			if len(got) < len(want) || string(got[:len(want)]) != want {
				return false
			}
		} else if string(got) != want {
			return false
		}
	}
	return true
}

// Highlights returns where the query's terms occur in the item's title and
// text, sorted and merged, so a page can mark them; nil if the item does not
// match. Terms the query leaves out (under NOT) are not highlighted.
func (q *Query) Highlights(it Item) []Span {
	var d doc
	d.addItem(it)
	if !q.root.eval(&d) {
		return nil
	}
	var spans []Span
	var walk func(n *node, positive bool)
	walk = func(n *node, positive bool) {
		switch n.op {
		case opNot:
			walk(n.kids[0], !positive)
		case opAnd, opOr:
			for _, k := range n.kids {
				walk(k, positive)
			}
		case opTerm:
			if !positive || n.fields()&fieldDefault == 0 {
				return
			}
			n.find(&d, func(i int) bool {
				first, last := d.toks[i], d.toks[i+len(n.toks)-1]
				spans = append(spans, Span{Field: first.field, Start: int(first.start), End: int(last.end)})
				return true
			})
		}
	}
	walk(q.root, true)
	slices.SortFunc(spans, func(a, b Span) int {
		if a.Field != b.Field {
			return int(a.Field) - int(b.Field)
		}
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return a.End - b.End
	})
	out := spans[:0]
	for _, s := range spans {
		if n := len(out); n > 0 && out[n-1].Field == s.Field && s.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, s.End)
			continue
		}
		out = append(out, s)
	}
	return out
}
