package api

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"unicode"
	"unicode/utf8"
)

const (
	defaultLimit = 50
	maxLimit     = 200
	maxCursorKey = 256 // bytes of the key inside a cursor
)

// cursorEncoding is strict so each key has exactly one cursor.
var cursorEncoding = base64.RawURLEncoding.Strict()

// page is a request for one page of a list.
type page struct {
	limit int
	after string // the sort key of the last item of the previous page; "" for the first page
}

// list is one page of a list in a response.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// parsePage reads ?limit= and ?cursor=. An absent or empty parameter takes
// its default; anything else that is not valid is a 400.
func parsePage(q url.Values) (page, error) {
	p := page{limit: defaultLimit}
	if s := q.Get("limit"); s != "" {
		n, ok := digits(s)
		if !ok || n < 1 || n > maxLimit {
			return page{}, badParam("limit", "error.limit.format")
		}
		p.limit = n
	}
	if s := q.Get("cursor"); s != "" {
		key, ok := decodeCursor(s)
		if !ok {
			return page{}, badParam("cursor", "error.cursor.format")
		}
		p.after = key
	}
	return p, nil
}

// digits parses a short string of ASCII digits: no sign, space or exponent.
func digits(s string) (int, bool) {
	if len(s) > 4 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// encodeCursor makes the opaque cursor for a list's sort key.
func encodeCursor(key string) string { return cursorEncoding.EncodeToString([]byte(key)) }

// decodeCursor returns the key inside a cursor. Keys are printable UTF-8,
// so nothing a database would choke on (NUL, invalid bytes) reaches it.
func decodeCursor(s string) (string, bool) {
	if len(s) > cursorEncoding.EncodedLen(maxCursorKey) {
		return "", false
	}
	b, err := cursorEncoding.DecodeString(s)
	if err != nil || len(b) == 0 || !utf8.Valid(b) {
		return "", false
	}
	key := string(b)
	for _, r := range key {
		if !unicode.IsPrint(r) {
			return "", false
		}
	}
	return key, true
}
