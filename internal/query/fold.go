package query

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Field names a part of an item. The values are bits so that a term can
// search several fields at once: an unscoped term searches FieldTitle|FieldText.
type Field uint8

// The fields of an Item.
const (
	FieldTitle Field = 1 << iota
	FieldText
	FieldSource
	FieldAuthor

	fieldDefault = FieldTitle | FieldText
	fieldAll     = FieldTitle | FieldText | FieldSource | FieldAuthor
)

func (f Field) String() string {
	switch f {
	case FieldTitle:
		return "title"
	case FieldText:
		return "text"
	case FieldSource:
		return "source"
	case FieldAuthor:
		return "author"
	}
	return "title+text"
}

// Folding makes matching blind to case and accents: a rune is lower-cased,
// decomposed (NFKD, so "ﬁ" is "fi" and "Ｆ" is "f"), and its combining
// marks dropped, so "É", "é" and "e\u0301" all become "e" and the Welsh "ŵ"
// becomes "w". A few letters that carry no decomposable mark are mapped by
// hand. Tokens are maximal runs of letters, digits and spacing marks;
// everything else separates them, except non-spacing marks, which are part
// of the token they follow but leave nothing in its folded form.

const (
	kindSep  uint8 = iota // ends a token
	kindMark              // continues a token, adds nothing
	kindWord              // continues a token, adds its folded form
)

type folded struct {
	s    string
	kind uint8
}

// special holds letters whose folded form NFKD does not give.
var special = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l",
	'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th",
	'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ı': "i", 'ħ': "h", 'Ħ': "h",
}

// foldOnce folds one rune without consulting the table.
func foldOnce(r rune) folded {
	if s, ok := special[r]; ok {
		return folded{s, kindWord}
	}
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me):
		return folded{"", kindMark}
	case !isWordRune(r):
		return folded{"", kindSep}
	}
	var b strings.Builder
	for _, d := range norm.NFKD.String(string(unicode.ToLower(r))) {
		if s, ok := special[d]; ok {
			b.WriteString(s)
			continue
		}
		if isWordRune(d) {
			b.WriteRune(unicode.ToLower(d))
		}
	}
	if b.Len() == 0 {
		return folded{"", kindMark}
	}
	return folded{b.String(), kindWord}
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mc, r)
}

// foldRune folds r to a fixed point, so that folding a folded token again
// changes nothing (Query.String relies on it).
func foldRune(r rune) folded {
	f := foldOnce(r)
	if f.kind != kindWord {
		return f
	}
	for range 3 {
		var b strings.Builder
		for _, d := range f.s {
			g := foldOnce(d)
			b.WriteString(g.s)
		}
		if b.String() == f.s {
			return f
		}
		f.s = b.String()
		if f.s == "" {
			return folded{"", kindMark}
		}
	}
	return f
}

// The table covers the blocks that European text (Latin, Greek, Cyrillic,
// and Latin Extended Additional, where Welsh ẁ ẃ ẅ ỳ live) draws from.
const (
	tabLo1, tabHi1 = 0x80, 0x600
	tabLo2, tabHi2 = 0x1E00, 0x2000
)

var foldTable = sync.OnceValue(func() []folded {
	t := make([]folded, (tabHi1-tabLo1)+(tabHi2-tabLo2))
	for r := rune(tabLo1); r < tabHi1; r++ {
		t[r-tabLo1] = foldRune(r)
	}
	for r := rune(tabLo2); r < tabHi2; r++ {
		t[(tabHi1-tabLo1)+r-tabLo2] = foldRune(r)
	}
	return t
})

// lookupFold folds a non-ASCII rune. Outside the table, a lower-case letter
// with no decomposition (most of CJK, Arabic, Indic) is itself, found
// without allocating.
func lookupFold(r rune, scratch []byte) folded {
	switch {
	case r >= tabLo1 && r < tabHi1:
		return foldTable()[r-tabLo1]
	case r >= tabLo2 && r < tabHi2:
		return foldTable()[(tabHi1-tabLo1)+r-tabLo2]
	}
	if _, ok := special[r]; !ok && unicode.IsLetter(r) && !unicode.IsUpper(r) && unicode.ToLower(r) == r {
		n := utf8.EncodeRune(scratch, r)
		if norm.NFKD.Properties(scratch[:n]).Decomposition() == nil {
			return folded{"", kindWord} // the rune itself: see doc.add
		}
	}
	return foldRune(r)
}

// byteClass sorts the bytes of UTF-8 text for the tokenizer.
const (
	clSep      = iota // ASCII other than letters and digits
	clLower           // a-z, 0-9
	clUpper           // A-Z
	clNonASCII        // a byte of a multi-byte rune
)

var byteClass = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = clLower
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = clLower
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = clUpper
	}
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = clNonASCII
	}
	return t
}()

// tok is one token of a doc: its folded form is buf[a:b]; start and end are
// byte offsets into the field's original text.
type tok struct {
	a, b       int32
	start, end int32
	field      Field
}

// doc is an item cut into folded tokens, field after field.
type doc struct {
	buf     []byte
	toks    []tok
	scratch [utf8.UTFMax]byte
}

func (d *doc) reset() {
	d.buf = d.buf[:0]
	d.toks = d.toks[:0]
}

func (d *doc) text(t tok) []byte { return d.buf[t.a:t.b] }

func (d *doc) addItem(it Item) {
	d.add(FieldTitle, it.Title)
	d.add(FieldText, it.Text)
	d.add(FieldSource, it.Source)
	d.add(FieldAuthor, it.Author)
}

// add appends the tokens of s, tagged with f. ASCII text, most of what it
// sees, is copied a run of lower-case letters and digits at a time. (The
// slices are kept in locals so the loop does not store to *d.)
func (d *doc) add(f Field, s string) {
	buf, toks := d.buf, d.toks
	open := false
	var cur tok
	for i := 0; i < len(s); {
		c := s[i]
		switch byteClass[c] {
		case clLower:
			if !open {
				open = true
				cur = tok{a: int32(len(buf)), start: int32(i), field: f}
			}
			j := i + 1
			for j < len(s) && byteClass[s[j]] == clLower {
				j++
			}
			buf = append(buf, s[i:j]...)
			i = j
			continue
		case clUpper:
			if !open {
				open = true
				cur = tok{a: int32(len(buf)), start: int32(i), field: f}
			}
			buf = append(buf, c+('a'-'A'))
			i++
			continue
		case clSep:
			if open {
				if cur.b, cur.end = int32(len(buf)), int32(i); cur.b > cur.a {
					toks = append(toks, cur)
				}
				open = false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		fr := lookupFold(r, d.scratch[:])
		switch fr.kind {
		case kindSep:
			if open {
				if cur.b, cur.end = int32(len(buf)), int32(i); cur.b > cur.a {
					toks = append(toks, cur)
				}
				open = false
			}
		case kindMark:
			// part of the open token, if any; a stray mark is ignored
		case kindWord:
			if !open {
				open = true
				cur = tok{a: int32(len(buf)), start: int32(i), field: f}
			}
			if fr.s == "" {
				buf = append(buf, s[i:i+size]...)
			} else {
				buf = append(buf, fr.s...)
			}
		}
		i += size
	}
	if open {
		if cur.b, cur.end = int32(len(buf)), int32(len(s)); cur.b > cur.a {
			toks = append(toks, cur)
		}
	}
	d.buf, d.toks = buf, toks
}

// tokens folds s and returns its tokens as strings (for query terms).
func tokens(s string) []string {
	var d doc
	d.add(FieldText, s)
	out := make([]string, len(d.toks))
	for i, t := range d.toks {
		out[i] = string(d.text(t))
	}
	return out
}

// Fold returns s folded for matching: lower-cased, without accents, with
// every run of non-word characters turned into one space.
func Fold(s string) string {
	return strings.Join(tokens(s), " ")
}
