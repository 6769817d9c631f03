package api

import (
	"errors"
	"net/url"
	"testing"

	"parley/internal/apperr"
)

// FuzzParsePage feeds parsePage arbitrary query strings: it must not panic,
// must answer either a page within bounds or a 400 Invalid error, and must
// accept exactly the cursors it makes.
func FuzzParsePage(f *testing.F) {
	for _, seed := range []string{
		"", "limit=2", "limit=0", "limit=200", "limit=201", "limit=-1", "limit=%2B5", "limit=1e3",
		"cursor=" + encodeCursor("alpha"), "cursor=YWxwaGE=", "cursor=%00", "cursor=__", "limit=5&cursor=YQ",
		"limit=&cursor=", "limit=1&limit=2",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return // the server's r.URL.Query() drops what does not parse
		}
		p, err := parsePage(q)
		if err != nil {
			var re requestError
			if !apperr.Is(err, apperr.Invalid) || !errors.As(err, &re) || len(apperr.FieldsOf(err)) != 1 {
				t.Fatalf("parsePage(%q) error %v is not a 400 with one field", raw, err)
			}
			return
		}
		if p.limit < 1 || p.limit > maxLimit {
			t.Fatalf("parsePage(%q) limit = %d", raw, p.limit)
		}
		if c := q.Get("cursor"); c != "" {
			if encodeCursor(p.after) != c {
				t.Fatalf("cursor %q decodes to %q, which encodes to %q", c, p.after, encodeCursor(p.after))
			}
		} else if p.after != "" {
			t.Fatalf("parsePage(%q) after = %q without a cursor", raw, p.after)
		}
		// What the API makes, it accepts.
		if p.after != "" {
			if key, ok := decodeCursor(encodeCursor(p.after)); !ok || key != p.after {
				t.Fatalf("round trip of %q: %q %v", p.after, key, ok)
			}
		}
	})
}
