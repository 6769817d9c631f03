package listening

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"

	"parley/internal/query"
)

// PlainText turns a feed item's HTML (or text) into plain text of at most
// max runes: tags dropped, entities decoded, whitespace collapsed. Only
// text is kept, so nothing of the source's markup reaches a page.
func PlainText(s string, max int) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // inside script or style
	for b.Len() < max*4+64 {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		switch tt {
		case html.StartTagToken, html.EndTagToken:
			name, _ := z.TagName()
			if n := string(name); n == "script" || n == "style" {
				if tt == html.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			}
			b.WriteByte(' ') // block and line breaks separate words
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		}
	}
	return Clip(strings.Join(strings.Fields(b.String()), " "), max)
}

// Clip shortens s to at most max runes, ending in "…" when cut.
func Clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max-1]
	return strings.TrimSpace(string(r)) + "…"
}

// SearchText is what the inbox search looks in: the mention's title,
// excerpt and author folded as rules fold them (lower case, no accents),
// so that a search for "cafe" finds "Café" on both databases (SQLite's
// LOWER knows only ASCII).
func SearchText(m Mention) string {
	return query.Fold(m.Title + " " + m.Excerpt + " " + m.Author)
}

// SearchWords folds a search typed into the inbox into the words to look for.
func SearchWords(s string) []string { return strings.Fields(query.Fold(s)) }
