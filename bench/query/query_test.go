package querybench

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"parley/internal/query"
)

const (
	nRules = 1000
	nItems = 2000
	nVocab = 20000
)

// corpus is generated once, from fixed seeds, so every run sees the same
// rules and items.
type corpus struct {
	vocab   []string // by frequency rank
	sources []string
	authors []string
	rules   []query.Rule
	items   []query.Item
}

var syllables = strings.Fields("ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge go ha he hi ho la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so ta te ti to tu va ve vi wa we wy dd ll ch th st tr pl gr an en in on un ar er or ur al el il ol")

func newCorpus() *corpus {
	r := rand.New(rand.NewPCG(2026, 7))
	c := &corpus{}
	seen := map[string]bool{}
	for len(c.vocab) < nVocab {
		n := 1 + r.IntN(4)
		var b strings.Builder
		for range n {
			b.WriteString(syllables[r.IntN(len(syllables))])
		}
		w := b.String()
		if r.IntN(50) == 0 { // some Welsh and French accents
			w = strings.Replace(w, "w", "ŵ", 1)
			w = strings.Replace(w, "e", "é", 1)
		}
		if len(w) < 2 || seen[w] {
			continue
		}
		seen[w] = true
		c.vocab = append(c.vocab, w)
	}
	title := func(w string) string { return strings.ToUpper(w[:1]) + w[1:] }
	for i := range 60 {
		c.sources = append(c.sources, title(c.vocab[200+i])+" "+[]string{"News", "Online", "Gazette", "Post", "Reddit", "Mastodon"}[i%6])
	}
	for i := range 300 {
		c.authors = append(c.authors, title(c.vocab[1000+i])+" "+title(c.vocab[3000+i]))
	}
	zipf := rand.NewZipf(r, 1.07, 2, nVocab-1)
	word := func() string { return c.vocab[zipf.Uint64()] }
	topic := func() string { return c.vocab[100+r.IntN(4900)] } // mid-frequency: what rules name
	sentence := func(n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = word()
		}
		ws[0] = title(ws[0])
		return strings.Join(ws, " ")
	}
	for range nItems {
		var text []string
		for n := 0; n < 100; {
			k := 8 + r.IntN(14)
			text = append(text, sentence(k)+[]string{".", ",", "!", "?", ":"}[r.IntN(5)])
			n += k
		}
		c.items = append(c.items, query.Item{
			Title:  sentence(6 + r.IntN(7)),
			Text:   strings.Join(text, " "),
			Source: c.sources[r.IntN(len(c.sources))],
			Author: c.authors[r.IntN(len(c.authors))],
		})
	}
	prefix := func() string { // the stem of a longer word: transp*
		rs := []rune(topic())
		for len(rs) < 6 {
			rs = []rune(topic())
		}
		return string(rs[:4+r.IntN(len(rs)-5)]) + "*"
	}
	phrase := func() string { return `"` + topic() + " " + word() + `"` }
	term := func() string {
		switch r.IntN(5) {
		case 0:
			return phrase()
		case 1:
			return prefix()
		}
		return topic()
	}
	or := func(n int) string {
		ts := make([]string, n)
		for i := range ts {
			ts[i] = term()
		}
		return "(" + strings.Join(ts, " OR ") + ")"
	}
	for i := range nRules {
		var s string
		switch k := r.IntN(100); {
		case k < 25:
			s = topic()
		case k < 38:
			s = phrase()
		case k < 50:
			s = prefix()
		case k < 62:
			s = or(2+r.IntN(4)) + " " + term()
		case k < 70:
			s = or(2+r.IntN(3)) + " AND " + or(2+r.IntN(3))
		case k < 80:
			s = term() + " NOT " + or(2+r.IntN(2))
		case k < 86:
			s = "title:" + or(2+r.IntN(3))
		case k < 91:
			s = fmt.Sprintf(`source:%q %s`, c.sources[r.IntN(len(c.sources))], term())
		case k < 95:
			s = fmt.Sprintf(`author:%q`, c.authors[r.IntN(len(c.authors))])
		case k < 99:
			s = fmt.Sprintf(`source:%q NOT %s`, c.sources[r.IntN(len(c.sources))], or(2))
		default: // a rule with no required term: evaluated for every item
			s = "NOT " + topic() + " AND NOT title:" + topic()
		}
		q, err := query.Parse(s)
		if err != nil {
			panic(fmt.Sprintf("rule %q: %v", s, err))
		}
		c.rules = append(c.rules, query.Rule{ID: int64(i + 1), Query: q})
	}
	return c
}

var shared = newCorpus()

// cpuTime is the process's user + system time: on a shared machine it
// moves less than wall time when other work takes the cores.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSet is the compiled set: one op is one item against all rules.
func BenchmarkSet(b *testing.B) {
	set := query.Compile(shared.rules)
	var dst []int64
	matches, n := 0, 0
	cpu := cpuTime()
	for b.Loop() {
		dst = set.AppendMatch(dst[:0], shared.items[n%nItems])
		matches += len(dst)
		n++
	}
	b.ReportMetric(float64(n)/(cpuTime()-cpu).Seconds(), "items/cpu-s")
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(matches)/float64(n), "matches/item")
}

// BenchmarkSetParallel is the same on every core (GOMAXPROCS goroutines).
func BenchmarkSetParallel(b *testing.B) {
	set := query.Compile(shared.rules)
	b.RunParallel(func(pb *testing.PB) {
		var dst []int64
		n := 0
		for pb.Next() {
			dst = set.AppendMatch(dst[:0], shared.items[n%nItems])
			n++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkEach is the baseline: every rule's Query.Match on its own.
func BenchmarkEach(b *testing.B) {
	matches, n := 0, 0
	cpu := cpuTime()
	for b.Loop() {
		it := shared.items[n%nItems]
		for _, rule := range shared.rules {
			if rule.Query.Match(it) {
				matches++
			}
		}
		n++
	}
	b.ReportMetric(float64(n)/(cpuTime()-cpu).Seconds(), "items/cpu-s")
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(matches)/float64(n), "matches/item")
}

// BenchmarkCompile is the cost of building the set from the parsed rules.
func BenchmarkCompile(b *testing.B) {
	for b.Loop() {
		query.Compile(shared.rules)
	}
}

// TestSetAgreesWithEach guards the benchmark: the two sides compute the
// same thing.
func TestSetAgreesWithEach(t *testing.T) {
	set := query.Compile(shared.rules)
	total := 0
	for _, it := range shared.items[:300] {
		got := set.Match(it)
		var want []int64
		for _, rule := range shared.rules {
			if rule.Query.Match(it) {
				want = append(want, rule.ID)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("set %v, each %v", got, want)
		}
		total += len(want)
	}
	t.Logf("%.1f matching rules per item", float64(total)/300)
}
