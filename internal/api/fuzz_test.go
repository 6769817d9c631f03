package api

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"parley/internal/apperr"
	"parley/internal/consultation"
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

// FuzzResponseIn decodes arbitrary JSON as a keyed-in response, as the
// responses endpoint does, and turns it into a domain response: no panic;
// and when no problem is reported, the response passes the same checks the
// store makes, so the API never hands the store what the rules refuse.
func FuzzResponseIn(f *testing.F) {
	for _, seed := range []string{
		`{"channel":"post","received_at":"2026-11-01","answers":[{"position":1,"text":"Yes"},{"question":12,"choices":["Blue"]}]}`,
		`{"channel":"web","answers":[{"position":9,"choices":[1,"x",{}]}]}`,
		`{"channel":"email","received_at":"2026-13-45","respondent":"organisation","consent":"named","hear_back":true}`,
		`{"channel":"phone","received_at":"2026-11-01T10:00:00Z","answers":[{"position":2,"choices":[-1]},{"position":2,"text":"dup"}]}`,
	} {
		f.Add(seed)
	}
	qs := []consultation.Question{
		{ID: 11, Position: 1, Kind: consultation.FreeText, TextEN: "Why?", MaxLength: 50},
		{ID: 12, Position: 2, Kind: consultation.Single, TextEN: "Which?", Options: []consultation.Option{{EN: "Red", CY: "Coch"}, {EN: "Blue"}}},
		{ID: 13, Position: 3, Kind: consultation.Scale, TextEN: "Agree?", Options: consultation.DefaultScale},
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string) {
		var in responseIn
		if err := decodeStrict([]byte(body), &in); err != nil {
			return
		}
		var fields apperr.Fields
		r := in.response(1, qs, 9, now, "", &fields)
		if fields.Err() != nil {
			return
		}
		r.Normalise()
		if err := r.Validate(qs, now); err != nil && !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("%s: %v", body, err)
		}
	})
}
