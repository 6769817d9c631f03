package textsim

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalisation makes comparison blind to case, accents and punctuation:
// each rune is decomposed (NFKD, so "ﬁ" is "fi" and "Ｆ" is "f"), its
// combining marks are dropped (so "ŵ", "w\u0302" and "W" are all "w"), and it
// is lower-cased. Words are maximal runs of letters and digits; apostrophes
// are dropped inside them ("don't" is "dont", Welsh "i'r" is "ir"); anything
// else separates words. Scripts written without spaces (Han, kana, Thai, …)
// give one word per character, so shingles still mean something for them.

// Normalise returns the normalised words of s separated by single spaces.
func Normalise(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	scan(s, nil, func(tok []byte, _, _ int) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.Write(tok)
	})
	return b.String()
}

// Tokens returns the normalised words of s.
func Tokens(s string) []string {
	var out []string
	scan(s, nil, func(tok []byte, _, _ int) { out = append(out, string(tok)) })
	return out
}

// scan calls emit for each normalised word of text, with the byte span
// [start, end) it came from. tok is only valid during the call. buf is
// scratch space, returned (maybe grown) for reuse.
func scan(text string, buf []byte, emit func(tok []byte, start, end int)) []byte {
	buf = buf[:0]
	start, end := -1, -1
	flush := func() {
		if len(buf) > 0 {
			emit(buf, start, end)
		}
		buf = buf[:0]
		start = -1
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				if start < 0 {
					start = i
				}
				buf = append(buf, c)
				end = i + 1
			case 'A' <= c && c <= 'Z':
				if start < 0 {
					start = i
				}
				buf = append(buf, c+'a'-'A')
				end = i + 1
			case c == '\'':
				// Dropped, word goes on.
			default:
				flush()
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\u2019' || r == '\u2018' || r == '\u02bc':
			// Typographic apostrophes, dropped like '.
		case unspaced(r):
			flush()
			start, end = i, i+size
			buf = utf8.AppendRune(buf, r)
			flush()
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
			// A combining mark belongs to the word it follows and adds nothing.
			if start >= 0 {
				end = i + size
			}
		default:
			n := len(buf)
			buf = fold(buf, text[i:], r)
			if len(buf) > n {
				if start < 0 {
					start = i
				}
				end = i + size
			} else {
				flush()
			}
		}
		i += size
	}
	flush()
	return buf
}

// fold appends the folded form of r (the first rune of s) to buf, or nothing
// if r is not part of a word.
func fold(buf []byte, s string, r rune) []byte {
	if f, ok := special(r); ok {
		return append(buf, f...)
	}
	if unicode.Is(unicode.Hangul, r) {
		// NFKD would split syllables into jamo; keep them whole.
		return utf8.AppendRune(buf, r)
	}
	d := norm.NFKD.PropertiesString(s).Decomposition()
	if d == nil {
		return appendLetter(buf, r)
	}
	for len(d) > 0 {
		x, n := utf8.DecodeRune(d)
		d = d[n:]
		if f, ok := special(x); ok {
			buf = append(buf, f...)
			continue
		}
		if unicode.Is(unicode.Mn, x) {
			continue
		}
		buf = appendLetter(buf, x)
	}
	return buf
}

func appendLetter(buf []byte, r rune) []byte {
	r = unicode.ToLower(r)
	if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mc, r) {
		return utf8.AppendRune(buf, r)
	}
	return buf
}

// special returns the folded form of letters that NFKD does not decompose.
func special(r rune) (string, bool) {
	switch r {
	case 'ß', 'ẞ':
		return "ss", true
	case 'æ', 'Æ':
		return "ae", true
	case 'œ', 'Œ':
		return "oe", true
	case 'ø', 'Ø':
		return "o", true
	case 'đ', 'Đ', 'ð', 'Ð':
		return "d", true
	case 'ł', 'Ł':
		return "l", true
	case 'þ', 'Þ':
		return "th", true
	case 'ı':
		return "i", true
	}
	return "", false
}

// unspaced reports whether r belongs to a script written without spaces
// between words, where each character is taken as a word.
func unspaced(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana,
		unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}
