package query

import (
	"strings"
	"testing"
)

func TestParseCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{"housing", "housing"},
		{"  Housing  ", "housing"},
		{"council tax", "council AND tax"},
		{"council AND tax", "council AND tax"},
		{"bus OR tram OR train", "bus OR tram OR train"},
		{`"council tax"`, `"council tax"`},
		{`“council tax”`, `"council tax"`},
		{`"Council  Tax!"`, `"council tax"`},
		{"transp*", "transp*"},
		{"Transp*", "transp*"},
		{`"co op*"`, `"co op*"`},
		{"co-op*", `"co op*"`},
		{"covid-19", `"covid 19"`},
		{`"transp *"`, "transp"},
		{"NOT spam", "NOT spam"},
		{"-spam", "NOT spam"},
		{`-"spam eggs"`, `NOT "spam eggs"`},
		{"-(spam OR eggs)", "NOT (spam OR eggs)"},
		{"planning NOT permission", "planning AND NOT permission"},
		{"a OR NOT b", "a OR NOT b"},
		{"NOT NOT a", "NOT NOT a"},
		{"(a)", "a"},
		{"((a b) c)", "a AND b AND c"},
		{"(a AND b) AND c", "a AND b AND c"},
		{"(a OR b) c", "(a OR b) AND c"},
		{"a (b OR c)", "a AND (b OR c)"},
		{"(a b) OR c", "(a AND b) OR c"},
		{"(a OR b) OR (c OR d)", "a OR b OR c OR d"},
		{"title:flood", "title:flood"},
		{"Title:Flood", "title:flood"},
		{`title:"flood warning"`, `title:"flood warning"`},
		{"title:(flood OR flooding)", "title:flood OR title:flooding"},
		{"title:(flood rain)", "title:flood AND title:rain"},
		{"title:(a OR NOT b)", "title:a OR NOT title:b"},
		{"title:(a title:b)", "title:a AND title:b"},
		{"source:bbc author:smith", "source:bbc AND author:smith"},
		{"-title:spam", "NOT title:spam"},
		{"title:transp*", "title:transp*"},
		{"Café", "cafe"},
		{"CAFÉ", "cafe"},
		{"cafe\u0301", "cafe"},
		{"Dŵr Cymru", "dwr AND cymru"},
		{"Straße", "strasse"},
		{"Łódź", "lodz"},
		{"ﬁsh", "fish"},
		{"Ｆｕｌｌ", "full"},
		{"and or not", "and AND or AND not"},
		{`"AND"`, "and"},
		{"12:30", `"12 30"`},
		{"R&D", `"r d"`},
		{"東京", "東京"},
	}
	for _, tc := range tests {
		q, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := q.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
		q2, err := Parse(q.String())
		if err != nil {
			t.Errorf("Parse(%q) (canonical of %q): %v", q.String(), tc.in, err)
			continue
		}
		if !q2.Equal(q) {
			t.Errorf("canonical %q of %q parses to a different query %q", q.String(), tc.in, q2.String())
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in       string
		pos, col int
		msg      string
	}{
		{"", 0, 1, "empty query"},
		{"   ", 3, 4, "empty query"},
		{`flood "council tax`, 6, 7, "expected a closing quote for the phrase that starts at column 7"},
		{`é "x`, 3, 3, "starts at column 3"},
		{"titel:flood", 0, 1, "unknown field 'titel' — use title, source or author"},
		{"a OR titel:(b)", 5, 6, "unknown field 'titel'"},
		{"NOT", 0, 1, "nothing after NOT"},
		{"a AND NOT", 6, 7, "nothing after NOT"},
		{"(NOT)", 1, 2, "nothing after NOT"},
		{"(a b", 0, 1, "unbalanced parenthesis: the ( at column 1 is never closed"},
		{"a b)", 3, 4, "unbalanced parenthesis: the ) at column 4 has no matching ("},
		{")", 0, 1, "unbalanced parenthesis"},
		{"()", 0, 1, "empty parentheses"},
		{"a ( ) b", 2, 3, "empty parentheses"},
		{"OR a", 0, 1, "nothing before OR"},
		{"a AND", 2, 3, "nothing after AND"},
		{"a OR OR b", 5, 6, "OR straight after OR"},
		{"a b OR c", 4, 5, "AND and OR cannot be mixed"},
		{"a OR b c", 7, 8, "AND and OR cannot be mixed"},
		{"a AND b OR c", 8, 9, "AND and OR cannot be mixed"},
		{"a -", 2, 3, "nothing after '-'"},
		{"title: flood", 0, 1, "nothing after 'title:'"},
		{"title:", 0, 1, "nothing after 'title:'"},
		{"title:-spam", 6, 7, "put NOT before the field"},
		{"title:(source:bbc)", 7, 8, "source: is inside title:"},
		{"*", 0, 1, "a * needs letters before it"},
		{"*ransport", 0, 1, "a * can only end a word"},
		{"tr*nsport", 2, 3, "a * can only end a word"},
		{"transp**", 6, 7, "a * can only end a word"},
		{"co-*", 3, 4, "a * can only end a word"},
		{"!!!", 0, 1, "'!!!' has no letters or digits"},
		{`a "!!"`, 2, 3, "the phrase at column 3 has no letters or digits"},
		{"title:NOT", 6, 7, "NOT must come before"},
		{strings.Repeat("(", 200) + "a" + strings.Repeat(")", 200), 101, 102, "nested too deeply"},
		{strings.Repeat("NOT ", 200) + "a", 404, 405, "nested too deeply"},
	}
	for _, tc := range tests {
		_, err := Parse(tc.in)
		se, ok := err.(*SyntaxError)
		if !ok {
			t.Errorf("Parse(%q) error = %v, want a *SyntaxError", tc.in, err)
			continue
		}
		if se.Pos != tc.pos || se.Col != tc.col || !strings.Contains(se.Msg, tc.msg) {
			t.Errorf("Parse(%q) = pos %d col %d %q, want pos %d col %d containing %q", tc.in, se.Pos, se.Col, se.Msg, tc.pos, tc.col, tc.msg)
		}
		if !strings.Contains(se.Error(), se.Msg) {
			t.Errorf("Error() %q lacks the message", se.Error())
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello, World!", "hello world"},
		{"Ŵ ŵ Ŷ ŷ ẁ ẃ ẅ ỳ â ê î ô û", "w w y y w w w y a e i o u"},
		{"Ærøskøbing", "aeroskobing"},
		{"İstanbul", "istanbul"},
		{"naïve café", "naive cafe"},
		{"e\u0301 \u0301x", "e x"},
		{"ΚΑΛΗΜΈΡΑ", "καλημερα"},
		{"Привет", "привет"},
		{"l'été", "l ete"},
	}
	for _, tc := range tests {
		if got := Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if again := Fold(Fold(tc.in)); again != Fold(tc.in) {
			t.Errorf("Fold is not idempotent on %q: %q then %q", tc.in, Fold(tc.in), again)
		}
	}
}

// TestFoldIdempotent checks every rune of the table and beyond: a folded
// token must fold to itself, or canonical queries would not re-parse.
func TestFoldIdempotent(t *testing.T) {
	for r := rune(0x80); r < 0x3000; r++ {
		s := string(r) + "x"
		f := Fold(s)
		if Fold(f) != f {
			t.Errorf("U+%04X: Fold(%q) = %q, Fold again = %q", r, s, f, Fold(f))
		}
	}
}
