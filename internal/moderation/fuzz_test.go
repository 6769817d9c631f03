package moderation

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func FuzzScreen(f *testing.F) {
	f.Add("The bus stop on Mill Lane floods every winter; please fix the drain.", "Jane", "jane@example.org", int64(3600), 3, "scam\nbuy now", "")
	f.Add("SCAM http://a.com www.b.com c.ru/x !!!!!!!!!!!!", "idiot.com", "x@mailinator.com", int64(60), 12, "scam,idiot", "SCAM http://a.com www.b.com c.ru/x")
	f.Add("Mae'r arhosfan bws ar Lôn y Felin yn gorlifo bob gaeaf.", "Siân", "", int64(0), 0, "", "Mae'r arhosfan bws ar Lôn y Felin yn gorlifo bob gaeaf a haf")
	f.Add("\xff\xfe e.g. 2.5 www. http:// @.", "\u0301", "@", int64(-5), -1, "£££\n\u0301", "\x00")
	f.Fuzz(func(t *testing.T, text, name, email string, ageSec int64, recent int, words, other string) {
		ws := strings.Split(words, "\n")
		s := Submission{
			Text: text, AuthorName: name, AuthorEmail: email,
			AccountAge: time.Duration(ageSec) * time.Second, RecentByAuthor: recent,
			Words:  ws,
			Recent: []string{other, text, other + " " + text, text + " " + other},
		}
		tx, nm := Screen(s)
		for _, fl := range tx {
			if !fl.Reason.Signal() || fl.Detail == "" {
				t.Fatalf("text flag %+v", fl)
			}
		}
		for _, fl := range nm {
			if fl.Reason != LinkSpam && fl.Reason != WordList || fl.Detail == "" {
				t.Fatalf("name flag %+v", fl)
			}
		}
		order := func(a, b Flag) int { return slices.Index(Reasons, a.Reason) - slices.Index(Reasons, b.Reason) }
		if !slices.IsSortedFunc(tx, order) || !slices.IsSortedFunc(nm, order) {
			t.Fatalf("order: %v %v", tx, nm)
		}
		for _, fs := range [][]Flag{tx, nm} {
			for i := 1; i < len(fs); i++ {
				if fs[i].Reason == fs[i-1].Reason {
					t.Fatalf("repeated reason: %v", fs)
				}
			}
		}
		tx2, nm2 := Screen(s)
		if !reflect.DeepEqual(tx, tx2) || !reflect.DeepEqual(nm, nm2) {
			t.Fatalf("not deterministic: %v %v / %v %v", tx, nm, tx2, nm2)
		}
		if sc := RepetitionScore(text); !(sc >= 0 && sc <= 1) {
			t.Fatalf("RepetitionScore = %v", sc)
		}
		if (RepetitionScore(text) >= RepetitionThreshold) != (find(tx, Repetition) != nil) {
			t.Fatalf("score and flag disagree")
		}
		if LinkCount(text) < 0 || FloodCount(text, s.Recent) > len(s.Recent) {
			t.Fatal("counts")
		}
	})
}

func FuzzParseWords(f *testing.F) {
	f.Add("scam\nidiot")
	f.Add("Buy  Now, buy now\r\n\r\nCrème")
	f.Add("\xff\n\u0085x\u00a0y,İ")
	f.Add(strings.Repeat("a", MaxWordLen+1))
	f.Fuzz(func(t *testing.T, s string) {
		words, err := ParseWords(s)
		if err != nil {
			return
		}
		if len(words) > MaxWords {
			t.Fatalf("%d words", len(words))
		}
		again, err := ParseWords(strings.Join(words, "\n"))
		if err != nil || !slices.Equal(words, again) {
			t.Fatalf("round trip %q: %q, %v", words, again, err)
		}
		for _, w := range words {
			if w == "" || strings.ContainsAny(w, "\n\r,") || w != strings.TrimSpace(w) {
				t.Fatalf("entry %q", w)
			}
		}
	})
}

func FuzzParseRef(f *testing.F) {
	f.Add("proposal:1")
	f.Add("display_name:007")
	f.Add("comment:+3")
	f.Add("statement:-1")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s)
		if err != nil {
			return
		}
		if !r.Kind.Valid() || r.ID <= 0 {
			t.Fatalf("ParseRef(%q) = %v", s, r)
		}
		r2, err := ParseRef(r.String())
		if err != nil || r2 != r {
			t.Fatalf("round trip %q: %v, %v", r.String(), r2, err)
		}
	})
}
