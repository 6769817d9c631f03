package moderation

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Ordinary civic writing that no signal may fire on.
var ordinary = []string{
	"The bus stop on Mill Lane floods every winter; please fix the drain.",
	"Mae'r arhosfan bws ar Lôn y Felin yn gorlifo bob gaeaf; trwsiwch y draen os gwelwch yn dda.",
	"I agree. The council's 2.5 km cycle path (e.g. along the river) would help, i.e. fewer cars at 8.30 a.m.",
	"The plan is at https://www.example.gov.uk/plans/mill-lane and I think the second option is better for the school.",
	"Rwy'n cytuno â'r cynnig hwn. Dylai'r cyngor wario mwy ar lwybrau beicio diogel i'r ysgol.",
	"NHS and A&E waiting times in the Vale are far too long for older people.",
	"# Heading\n\n----------\n\nA paragraph under a rule, with a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |",
	"Contact me at jane@example.org if you want to help plant trees on the green.",
}

func TestOrdinaryFiresNothing(t *testing.T) {
	recent := []string{
		"Please mend the potholes on the high street before someone gets hurt.",
		"We need more benches in the park for older residents to rest on.",
	}
	for _, text := range ordinary {
		s := Submission{
			Text: text, AuthorName: "Jane Jones", AuthorEmail: "jane@example.org",
			AccountAge: 400 * 24 * time.Hour, RecentByAuthor: 1,
			Words:  []string{"scam", "idiot", "buy now"},
			Recent: append(recent, text),
		}
		if tx, nm := Screen(s); tx != nil || nm != nil {
			t.Errorf("Screen(%q) = %v, %v; want nothing", text, tx, nm)
		}
	}
}

func TestLinkCount(t *testing.T) {
	for _, c := range []struct {
		text string
		want int
	}{
		{"", 0},
		{"no links here at all", 0},
		{"see http://example.com", 1},
		{"see HTTPS://Example.com/a?b=c#d.", 1},
		{"www.example.com and www.example.co.uk/path", 2},
		{"example.com, example.org/path; shop.ru", 3},
		{"[text](https://example.com) <a href=\"http://x.io\">x</a>", 2},
		{"e.g. i.e. a.m. p.m. etc. U.K. Ph.D.", 0},
		{"2.5 3.14159 v1.2.3 No.5 8.30", 0},
		{"winter.It was cold.Then it rained.", 0},
		{"jane@example.org", 0},
		{"http:// https://", 0},
		{"and/or 24/7 km/h", 0},
		{"-bad-.com example-.com", 0},
		{"my-site.co.uk/page", 1},
	} {
		if got := LinkCount(c.text); got != c.want {
			t.Errorf("LinkCount(%q) = %d, want %d", c.text, got, c.want)
		}
	}
}

func TestLinkSpam(t *testing.T) {
	long := "The bus stop on Mill Lane floods every winter and the council should fix the drain soon."
	for _, c := range []struct {
		text   string
		detail string // "" when it must not fire
	}{
		{"Cheap pills http://a.com http://b.com http://c.com", "links=3 words=2"},
		{long + " http://a.com http://b.com http://c.com", "links=3 words=17"},
		{"See https://example.com", "links=1 words=1"},
		{"https://example.com", "links=1 words=0"},
		{long + " https://example.com", ""},
		{long + " https://a.com https://b.com", ""}, // 8.5 words a link
		{"Please fix the drain on Mill Lane https://a.com https://b.com", "links=2 words=7"},
		{long + " " + long + " https://a.com https://b.com", ""},
		{long, ""},
	} {
		tx, _ := Screen(Submission{Text: c.text})
		got := ""
		if f := find(tx, LinkSpam); f != nil {
			got = f.Detail
		}
		if got != c.detail {
			t.Errorf("link spam on %q: %q, want %q", c.text, got, c.detail)
		}
	}
}

func TestRepetition(t *testing.T) {
	for _, c := range []struct {
		text   string
		fire   bool
		detail string
	}{
		{"spam spam spam spam spam eggs and spam", true, "score=0.75 word=spam share=0.75"},
		{"buy buy buy", false, ""}, // too few words to measure a share
		{"one two three four one two three four", false, ""},
		{"a b c d e f g h a a a", false, ""}, // 4 of 11
		{"a b c d e f g a a a", true, "score=0.40 word=a share=0.40"},
		{"a b c d e f a a a a", true, "score=0.50 word=a share=0.50"},
		{"Great idea!!!!!!!!!!", true, "score=0.40 run=10"},
		{"Great idea!!!!!!!!!", false, ""},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true, "score=1.00 run=48"},
		{"THE COUNCIL MUST ACT NOW ON THIS", true, "score=1.00 capitals=26"},
		{"THE COUNCIL MUST ACT", false, ""}, // 17 letters
		{"THE COUNCIL MUST ACT NOW ON this drain", false, ""},
		{"1000000000000 and ----------- and ===========", false, ""},
		{ordinary[0], false, ""},
		{ordinary[1], false, ""},
	} {
		tx, _ := Screen(Submission{Text: c.text})
		f := find(tx, Repetition)
		if (f != nil) != c.fire {
			t.Errorf("repetition on %q: fired %v (score %.3f), want %v", c.text, f != nil, RepetitionScore(c.text), c.fire)
			continue
		}
		if f != nil && f.Detail != c.detail {
			t.Errorf("repetition on %q: detail %q, want %q", c.text, f.Detail, c.detail)
		}
		if sc := RepetitionScore(c.text); (sc >= RepetitionThreshold) != c.fire || sc < 0 || sc > 1 {
			t.Errorf("RepetitionScore(%q) = %v", c.text, sc)
		}
	}
}

func TestVelocity(t *testing.T) {
	for _, c := range []struct {
		age    time.Duration
		recent int
		detail string
	}{
		{2 * time.Hour, 3, "recent=3 age=2h"},
		{30 * time.Minute, 5, "recent=5 age=30m"},
		{2 * time.Hour, 2, ""},
		{23*time.Hour + 59*time.Minute, 3, "recent=3 age=23h"},
		{24 * time.Hour, 3, ""},
		{0, 3, ""}, // anonymous: no account age
		{0, 10, "recent=10 age=0"},
		{90 * 24 * time.Hour, 9, ""},
		{90 * 24 * time.Hour, 10, "recent=10 age=90d"},
		{36 * time.Hour, 12, "recent=12 age=36h"},
	} {
		tx, _ := Screen(Submission{Text: "A fine idea.", AccountAge: c.age, RecentByAuthor: c.recent})
		got := ""
		if f := find(tx, NewAccount); f != nil {
			got = f.Detail
		}
		if got != c.detail {
			t.Errorf("velocity age %v recent %d: %q, want %q", c.age, c.recent, got, c.detail)
		}
	}
}

func TestWordList(t *testing.T) {
	words := []string{"scam", "idiot", "buy now", "crème brûlée", "£££", "don't"}
	for _, c := range []struct {
		text   string
		detail string
	}{
		{"This is a SCAM!", "words=scam"},
		{"Scampi and chips", ""},
		{"You idiot, it's a scam.", "words=scam,idiot"},
		{"Buy   NOW, before it goes", "words=buy now"},
		{"buy it now", ""},
		{"CREME BRULEE for all", "words=crème brûlée"},
		{"Win £££ today", "words=£££"},
		{"I dont know", "words=don't"},
		{"I do not know", ""},
		{ordinary[0], ""},
		{ordinary[1], ""},
	} {
		tx, _ := Screen(Submission{Text: c.text, Words: words})
		got := ""
		if f := find(tx, WordList); f != nil {
			got = f.Detail
		}
		if got != c.detail {
			t.Errorf("word list on %q: %q, want %q", c.text, got, c.detail)
		}
	}
	if tx, _ := Screen(Submission{Text: "This is a scam"}); tx != nil {
		t.Errorf("no word list fired %v", tx)
	}
}

func TestFlood(t *testing.T) {
	msg := "Stop the new housing estate on the green belt north of the village before it is too late for all of us"
	variants := []string{
		msg + " now",
		strings.Replace(msg, "village", "town", 1),
		msg + " please",
		strings.Replace(msg, "Stop", "Please stop", 1),
	}
	other := []string{
		"The bus stop on Mill Lane floods every winter; please fix the drain.",
		"We need more benches in the park for older residents to rest on.",
	}
	for _, c := range []struct {
		recent []string
		want   int
	}{
		{nil, 0},
		{other, 0},
		{append(slices.Clone(other), variants[:2]...), 2},
		{append(slices.Clone(other), variants[:3]...), 3},
		{append(slices.Clone(other), variants...), 4},
	} {
		got := FloodCount(msg, c.recent)
		if got != c.want {
			t.Errorf("FloodCount with %d recent = %d, want %d", len(c.recent), got, c.want)
		}
		tx, _ := Screen(Submission{Text: msg, Recent: c.recent})
		f := find(tx, Flood)
		if (f != nil) != (c.want >= FloodCopies) {
			t.Errorf("flood with %d similar: fired %v", c.want, f != nil)
		}
		if f != nil && f.Detail != "similar="+strconv.Itoa(c.want) {
			t.Errorf("flood detail %q", f.Detail)
		}
	}
	// Short texts never match, however often repeated.
	if n := FloodCount("I agree", []string{"I agree", "I agree", "I agree", "I agree"}); n != 0 {
		t.Errorf("short texts matched %d", n)
	}
}

func TestIsDisposable(t *testing.T) {
	for _, c := range []struct {
		email string
		want  bool
	}{
		{"someone@mailinator.com", true},
		{"Someone@MAILINATOR.COM", true},
		{"x@sub.mailinator.com", true},
		{"x@guerrillamail.com", true},
		{"x@yopmail.com ", true},
		{"x@mailinator.com.", true},
		{"x@10minutemail.com", true},
		{"jane@example.org", false},
		{"jane@gmail.com", false},
		{"jane@notmailinator.org", false},
		{"jane@mailinator.com.example.org", false},
		{"mailinator.com", false},
		{"", false},
		{"x@", false},
		{"x@com", false},
	} {
		if got := IsDisposable(c.email); got != c.want {
			t.Errorf("IsDisposable(%q) = %v, want %v", c.email, got, c.want)
		}
	}
	tx, _ := Screen(Submission{Text: "A fine idea.", AuthorEmail: "x@a.b.trashmail.com"})
	if f := find(tx, DisposableEmail); f == nil || f.Detail != "domain=trashmail.com" {
		t.Errorf("disposable flag %v", tx)
	}
}

func TestDisposableList(t *testing.T) {
	list := disposableDomains()
	if n := len(list); n < 100 || n > 300 {
		t.Errorf("%d disposable domains", n)
	}
	n := 0
	for _, line := range strings.Split(disposableList, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		if line != strings.ToLower(line) || strings.ContainsAny(line, " @/") || !strings.Contains(line, ".") {
			t.Errorf("bad entry %q", line)
		}
		for _, lb := range strings.Split(line, ".") {
			if !validLabel(lb) {
				t.Errorf("bad entry %q", line)
			}
		}
	}
	if n != len(list) {
		t.Errorf("%d lines but %d domains: repeats", n, len(list))
	}
	for _, d := range []string{"gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "proton.me", "protonmail.com", "btinternet.com", "gov.uk", "gov.wales"} {
		if list[d] {
			t.Errorf("%s is listed", d)
		}
	}
}

func TestScreenOrder(t *testing.T) {
	text := "SCAM SCAM SCAM SCAM SCAM SCAM SCAM SCAM HTTP://A.COM HTTP://B.COM HTTP://C.COM"
	s := Submission{
		Text:           text,
		AuthorName:     "scam http://spam.example.com",
		AuthorEmail:    "a@mailinator.com",
		AccountAge:     time.Hour,
		RecentByAuthor: 5,
		Words:          []string{"scam"},
		Recent:         []string{text, text, text},
	}
	tx, nm := Screen(s)
	want := []Reason{LinkSpam, Repetition, NewAccount, WordList, Flood, DisposableEmail}
	if got := reasons(tx); !slices.Equal(got, want) {
		t.Errorf("text reasons %v, want %v", got, want)
	}
	if got := reasons(nm); !slices.Equal(got, []Reason{LinkSpam, WordList}) {
		t.Errorf("name reasons %v", got)
	}
	// Whatever fires, the order is that of Reasons.
	all := append(tx, nm...)
	for _, f := range all {
		if !f.Reason.Signal() || f.Detail == "" {
			t.Errorf("flag %+v", f)
		}
	}
	if !slices.IsSortedFunc(tx, func(a, b Flag) int { return slices.Index(Reasons, a.Reason) - slices.Index(Reasons, b.Reason) }) {
		t.Errorf("not in order of Reasons: %v", reasons(tx))
	}
}

func TestScreenName(t *testing.T) {
	// Only link spam and the word list look at the name.
	_, nm := Screen(Submission{Text: "A fine idea.", AuthorName: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Words: []string{"idiot"}})
	if nm != nil {
		t.Errorf("name flags %v", nm)
	}
	_, nm = Screen(Submission{Text: "A fine idea.", AuthorName: "Idiot", Words: []string{"idiot"}})
	if f := find(nm, WordList); f == nil || f.Detail != "words=idiot" {
		t.Errorf("name flags %v", nm)
	}
	_, nm = Screen(Submission{Text: "A fine idea.", AuthorName: "Jane cheap-pills.com"})
	if f := find(nm, LinkSpam); f == nil {
		t.Errorf("name flags %v", nm)
	}
}

func find(fs []Flag, r Reason) *Flag {
	for i := range fs {
		if fs[i].Reason == r {
			return &fs[i]
		}
	}
	return nil
}

func reasons(fs []Flag) []Reason {
	var out []Reason
	for _, f := range fs {
		out = append(out, f.Reason)
	}
	return out
}
