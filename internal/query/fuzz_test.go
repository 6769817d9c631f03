package query

import (
	"slices"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"housing", `"council tax" OR rates`, "transp* -bus", "title:(flood OR flooding) NOT source:ads",
		"(a OR b) (c OR NOT d)", "author:siân", `-"x y*"`, "a OR b c", "((a)", "titel:x", `"open`,
		"Dŵr Cymru", "12:30", "co-op*", "- -a", "title:", "“smart quotes”",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			se, ok := err.(*SyntaxError)
			if !ok {
				t.Fatalf("Parse(%q) error %T, want *SyntaxError", s, err)
			}
			if se.Pos < 0 || se.Pos > len(s) || se.Col != utf8.RuneCountInString(s[:se.Pos])+1 || se.Msg == "" {
				t.Fatalf("Parse(%q): bad error %+v", s, se)
			}
			return
		}
		c := q.String()
		q2, err := Parse(c)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", c, s, err)
		}
		if !q2.Equal(q) {
			t.Fatalf("canonical %q of %q parses to %q", c, s, q2.String())
		}
		if q2.String() != c {
			t.Fatalf("String is not stable: %q then %q", c, q2.String())
		}
	})
}

func FuzzMatch(f *testing.F) {
	f.Add("tram OR title:bus*", "Tram news", "The bus and tram", "BBC", "Siân")
	f.Add(`"co op" NOT source:x`, "Co-op", "co\u0301-op", "x", "")
	f.Add("NOT a", "", "", "", "")
	f.Fuzz(func(t *testing.T, qs, title, text, source, author string) {
		q, err := Parse(qs)
		if err != nil {
			return
		}
		it := Item{Title: title, Text: text, Source: source, Author: author}
		m := q.Match(it)
		set := Compile([]Rule{{ID: 1, Query: q}, {ID: 2, Query: q}})
		got := set.Match(it)
		if want := map[bool][]int64{true: {1, 2}}[m]; !slices.Equal(got, want) {
			t.Fatalf("%q on %+v: Match %v, Set %v", qs, it, m, got)
		}
		hs := q.Highlights(it)
		if !m && hs != nil {
			t.Fatalf("highlights %v for an item that does not match", hs)
		}
		for _, h := range hs {
			field := title
			if h.Field == FieldText {
				field = text
			} else if h.Field != FieldTitle {
				t.Fatalf("highlight in field %v", h.Field)
			}
			if h.Start < 0 || h.End > len(field) || h.Start >= h.End {
				t.Fatalf("highlight %+v out of range", h)
			}
		}
	})
}
