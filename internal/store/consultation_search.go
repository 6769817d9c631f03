package store

import (
	"strings"
	"unicode"
)

// Full-text search over free-text answers: SQLite's FTS5 index and
// PostgreSQL's text search differ in syntax, so the SQL is built here.

// searchQuery turns the words a user typed into the query the database
// takes. Each word becomes a quoted FTS5 phrase (quotes inside doubled), so
// nothing typed can be read as FTS syntax (NEAR, *, -, ^, column filters);
// words without a letter or digit are dropped. ok is false when no word is
// left.
func (s *Store) searchQuery(text string) (q string, ok bool) {
	var words []string
	for _, w := range strings.Fields(text) {
		if !strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
			continue
		}
		if len(words) == 32 {
			break // a pasted essay is not a search; the first words decide
		}
		words = append(words, w)
	}
	if len(words) == 0 {
		return "", false
	}
	if s.dialect == Postgres {
		// plainto_tsquery reads plain words and ignores punctuation.
		return strings.Join(words, " "), true
	}
	for i, w := range words {
		words[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return strings.Join(words, " "), true
}

// searchAnswers returns a subquery of the IDs of responses with a free-text
// answer containing every word of the query in placeholder p.
func (s *Store) searchAnswers(p string) string {
	if s.dialect == Postgres {
		return `SELECT a.response_id FROM consultation_answers a WHERE to_tsvector('simple', a.text) @@ plainto_tsquery('simple', ` + p + `)`
	}
	return `SELECT a.response_id FROM consultation_answers a WHERE a.id IN
		(SELECT rowid FROM consultation_answers_fts WHERE consultation_answers_fts MATCH ` + p + `)`
}
