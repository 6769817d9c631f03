package textsim

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const letter = `Dear Sir or Madam, I am writing to object to the proposal to close the Central Library on
Market Street. The library is a vital resource for families, older people and students who have
nowhere else to study. Closing it would harm the most vulnerable residents of our town and save
very little money. I urge the council to keep the library open and to consult properly with the
people who use it every week.`

// corpus is a hand-made consultation: one form letter sent six times with
// hand edits and personal additions, and answers written independently on
// the same subject (which share words but not passages).
func corpus() []Doc {
	return []Doc{
		{"own-1", "I think the library should stay open because my children use it after school and the staff are wonderful."},
		{"tpl", letter},
		{"edit-1", strings.Replace(letter, "vital resource", "crucial resource", 1)},
		{"own-2", "Close the library if you must, but please keep the mobile library van running for the villages around the town."},
		{"add-end", letter + " My mother has used this library for forty years and it is her only outing."},
		{"add-start", "As a teacher at the primary school I see how much the children rely on it. " + letter},
		{"edit-2", strings.NewReplacer("older people", "pensioners", "every week", "every single day", "Market Street", "Market St").Replace(letter)},
		{"own-3", "The council has wasted money on consultants for years; the library is not the problem and closing it saves nothing."},
		{"shout", strings.ToUpper(letter)},
		{"short-1", "Keep it open."},
		{"short-2", "Keep it open."},
		{"own-4", "Students need quiet places to study, and the library on Market Street is the only one in the town centre."},
	}
}

func TestCampaignsHandMade(t *testing.T) {
	got := Campaigns(corpus(), Options{})
	if len(got) != 1 {
		t.Fatalf("%d clusters, want 1: %+v", len(got), got)
	}
	c := got[0]
	want := []string{"tpl", "edit-1", "add-end", "add-start", "edit-2", "shout"}
	if !slices.Equal(c.Members, want) {
		t.Errorf("members %v, want %v", c.Members, want)
	}
	if c.Size != len(c.Members) {
		t.Errorf("size %d for %d members", c.Size, len(c.Members))
	}
	// tpl and shout are the same letter; the first in input order wins.
	if c.TemplateID != "tpl" || c.Template != letter {
		t.Errorf("template %q, want tpl", c.TemplateID)
	}
	wantAdded := map[string]string{
		"edit-1":    "crucial",
		"add-end":   "My mother has used this library for forty years and it is her only outing",
		"add-start": "As a teacher at the primary school I see how much the children rely on it",
		"edit-2":    "St … pensioners … single day",
	}
	if !reflect.DeepEqual(c.Added, wantAdded) {
		t.Errorf("added:\n got %q\nwant %q", c.Added, wantAdded)
	}
}

func TestAdded(t *testing.T) {
	tpl := "one two three four five six seven eight nine ten"
	for _, tc := range []struct{ text, want string }{
		{tpl, ""},
		{"ONE two, three four five six seven eight nine ten!", ""},
		{tpl + ". Eleven and twelve.", "Eleven and twelve"},
		{"Zero. " + tpl, "Zero"},
		{"one two three four FIVER six seven eight nine ten", "FIVER"},
		{"one two three four six seven eight nine ten", ""}, // a deletion adds nothing
		{"nothing in common at all here", "nothing in common at all here"},
	} {
		var s addScratch
		set := fingerprints(tpl, 4)
		if got := s.added(tc.text, set, 4); got != tc.want {
			t.Errorf("added(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func fingerprints(text string, k int) []uint32 {
	var out []uint32
	for _, h := range Shingles(text, k) {
		out = append(out, fingerprint(h))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// chain returns texts where each replaces the next fifth of the previous
// one's words: neighbours are alike, the ends share nothing.
func chain(words, links int, rng *rand.Rand) []Doc {
	cur := make([]string, words)
	for i := range cur {
		cur[i] = fmt.Sprintf("w%d", rng.IntN(1_000_000))
	}
	var docs []Doc
	step := words / 5
	for l := range links {
		docs = append(docs, Doc{fmt.Sprintf("chain-%d", l), strings.Join(cur, " ")})
		next := slices.Clone(cur)
		for i := range step {
			next[(l*step+i)%words] = fmt.Sprintf("w%d", rng.IntN(1_000_000))
		}
		cur = next
	}
	return docs
}

func TestNoChaining(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	docs := chain(60, 12, rng)
	if j := Jaccard(Shingles(docs[0].Text, 4), Shingles(docs[len(docs)-1].Text, 4)); j != 0 {
		t.Fatalf("chain ends overlap: %v", j)
	}
	if j := Jaccard(Shingles(docs[0].Text, 4), Shingles(docs[1].Text, 4)); j < 0.4 {
		t.Fatalf("chain neighbours too far apart: %v", j)
	}
	opt := Options{Threshold: 0.3}
	got := Campaigns(docs, opt)
	if len(got) < 2 {
		t.Errorf("a chain of %d partial overlaps became %d cluster(s); want it split", len(docs), len(got))
	}
	checkClusters(t, docs, opt, got)
	text := map[string]string{}
	for _, d := range docs {
		text[d.ID] = d.Text
	}
	for _, c := range got {
		for _, m := range c.Members {
			if j := Jaccard(Shingles(text[m], 4), Shingles(c.Template, 4)); j < opt.Threshold {
				t.Errorf("%s is in the cluster of %s with Jaccard %.2f", m, c.TemplateID, j)
			}
		}
	}
}

// checkClusters checks the invariants every result must keep.
func checkClusters(t *testing.T, docs []Doc, opt Options, got []Cluster) {
	t.Helper()
	opt = opt.withDefaults()
	pos := map[string]int{}
	for i, d := range docs {
		pos[d.ID] = i
	}
	seen := map[string]bool{}
	for ci, c := range got {
		if c.Size < 2 || c.Size != len(c.Members) {
			t.Fatalf("cluster %d: size %d, %d members", ci, c.Size, len(c.Members))
		}
		if ci > 0 && got[ci-1].Size < c.Size {
			t.Fatalf("cluster %d larger than the one before", ci)
		}
		if !slices.Contains(c.Members, c.TemplateID) || docs[pos[c.TemplateID]].Text != c.Template {
			t.Fatalf("cluster %d: template %q is not a member", ci, c.TemplateID)
		}
		if _, ok := c.Added[c.TemplateID]; ok {
			t.Fatalf("cluster %d: the template has added text", ci)
		}
		tpl := Shingles(c.Template, opt.Shingle)
		for i, m := range c.Members {
			if seen[m] {
				t.Fatalf("%q is in two clusters", m)
			}
			seen[m] = true
			if i > 0 && pos[c.Members[i-1]] >= pos[m] {
				t.Fatalf("cluster %d: members not in input order", ci)
			}
			// 32-bit fingerprints may collide where 64-bit hashes do not.
			if j := Jaccard(Shingles(docs[pos[m]].Text, opt.Shingle), tpl); j < opt.Threshold-0.02 {
				t.Fatalf("cluster %d: %q has Jaccard %.3f with the template", ci, m, j)
			}
		}
		for id := range c.Added {
			if !slices.Contains(c.Members, id) {
				t.Fatalf("cluster %d: added text for non-member %q", ci, id)
			}
		}
	}
}

// campaignCorpus plants campaigns of edited copies among independent texts.
func campaignCorpus(seed uint64, independent, campaigns, size int) (docs []Doc, label map[string]int) {
	rng := rand.New(rand.NewPCG(seed, 9))
	vocab := make([]string, 3000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("%c%d", 'a'+rune(i%26), i)
	}
	sentence := func(n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = vocab[rng.IntN(len(vocab))]
		}
		return s
	}
	label = map[string]int{}
	for i := range independent {
		docs = append(docs, Doc{fmt.Sprintf("o%d", i), strings.Join(sentence(40+rng.IntN(60)), " ")})
	}
	for c := range campaigns {
		tpl := sentence(80)
		for m := range size {
			var w []string
			for _, x := range tpl {
				switch r := rng.Float64(); {
				case r < 0.01:
					w = append(w, vocab[rng.IntN(len(vocab))])
				case r < 0.02:
				case r < 0.03:
					w = append(w, x, vocab[rng.IntN(len(vocab))])
				default:
					w = append(w, x)
				}
			}
			if rng.IntN(2) == 0 {
				w = append(sentence(12), w...)
			}
			id := fmt.Sprintf("c%d-%d", c, m)
			label[id] = c + 1
			docs = append(docs, Doc{id, strings.Join(w, " ")})
		}
	}
	rng.Shuffle(len(docs), func(i, j int) { docs[i], docs[j] = docs[j], docs[i] })
	return docs, label
}

func TestCampaignsPlanted(t *testing.T) {
	docs, label := campaignCorpus(1, 2000, 5, 40)
	got := Campaigns(docs, Options{})
	checkClusters(t, docs, Options{}, got)
	if len(got) != 5 {
		t.Fatalf("%d clusters, want 5", len(got))
	}
	for _, c := range got {
		l := label[c.Members[0]]
		for _, m := range c.Members {
			if label[m] != l || l == 0 {
				t.Errorf("cluster of %s mixes %s (campaign %d) with campaign %d", c.TemplateID, m, label[m], l)
			}
		}
		if c.Size != 40 {
			t.Errorf("campaign %d: %d of 40 members found", l, c.Size)
		}
	}
}

func TestCampaignsDeterministic(t *testing.T) {
	docs, _ := campaignCorpus(2, 1500, 4, 30)
	want := Campaigns(docs, Options{Workers: 1})
	for _, w := range []int{2, 3, 8} {
		if got := Campaigns(docs, Options{Workers: w}); !reflect.DeepEqual(got, want) {
			t.Errorf("Workers %d gives a different result from Workers 1", w)
		}
	}
}

func TestCampaignsEdgeCases(t *testing.T) {
	if got := Campaigns(nil, Options{}); len(got) != 0 {
		t.Errorf("no docs: %v", got)
	}
	short := []Doc{{"a", "Yes"}, {"b", "Yes"}, {"c", "yes!"}}
	if got := Campaigns(short, Options{}); len(got) != 0 {
		t.Errorf("short answers clustered: %v", got)
	}
	if got := Campaigns(short, Options{MinWords: 1}); len(got) != 1 || got[0].Size != 3 {
		t.Errorf("MinWords 1: want the three short answers together, got %v", got)
	}
	same := []Doc{{"x", letter}, {"y", letter}}
	got := Campaigns(same, Options{Threshold: 1})
	if len(got) != 1 || len(got[0].Added) != 0 {
		t.Errorf("exact copies at threshold 1: %+v", got)
	}
}

func TestIndex(t *testing.T) {
	x := NewIndex(Options{})
	docs := corpus()
	for _, d := range docs {
		x.Add(d.ID, d.Text)
	}
	if x.Len() != len(docs) {
		t.Errorf("Len %d, want %d", x.Len(), len(docs))
	}
	query := strings.Replace(letter, "Dear Sir or Madam", "To whom it may concern", 1)
	got := x.Similar(query, 0.5)
	var ids []string
	for _, m := range got {
		ids = append(ids, m.ID)
		if m.Similarity < 0.5 || m.Similarity > 1 {
			t.Errorf("%s: similarity %v", m.ID, m.Similarity)
		}
	}
	if len(ids) < 5 || !slices.Contains(ids, "tpl") || !slices.Contains(ids, "shout") {
		t.Errorf("Similar found %v, want the letter's copies", ids)
	}
	if !slices.IsSortedFunc(got, func(a, b Match) int { return -cmpFloat(a.Similarity, b.Similarity) }) {
		t.Errorf("matches not most similar first: %v", got)
	}
	if got := x.Similar("Something else entirely, about bins and the collection of recycling on Tuesdays.", 0.3); len(got) != 0 {
		t.Errorf("unrelated text matched %v", got)
	}
	if got := x.Similar("Keep it open.", 0); got != nil {
		t.Errorf("a text under MinWords matched %v", got)
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func FuzzCampaigns(f *testing.F) {
	f.Add(letter+"\n"+letter+" and more\nsomething else entirely here and now ok", 0.3, uint8(4))
	f.Add("a b c d e f\na b c d e f\n\n\xff\xfe", 0.9, uint8(2))
	f.Add("東京に行く東京に行く\n東京に行く東京に行く", 0.5, uint8(3))
	f.Fuzz(func(t *testing.T, in string, threshold float64, k uint8) {
		var docs []Doc
		for i, line := range strings.Split(in, "\n") {
			docs = append(docs, Doc{fmt.Sprint(i), line})
		}
		opt := Options{Threshold: threshold, Shingle: int(k % 8), MinWords: 1}
		got := Campaigns(docs, opt)
		checkClusters(t, docs, opt, got)
	})
}

func FuzzIndex(f *testing.F) {
	f.Add("one two three four five six seven", "one two three four five six eight")
	f.Add("", "\xff")
	f.Fuzz(func(t *testing.T, a, b string) {
		x := NewIndex(Options{MinWords: 1})
		x.Add("a", a)
		x.Add("b", b)
		if len(Tokens(a)) == 0 {
			return
		}
		got := x.Similar(a, 1)
		if len(got) == 0 || got[0].ID != "a" {
			t.Fatalf("a text is not found as its own duplicate: %v", got)
		}
	})
}

// TestLeadersKeepThreshold checks the bounded fallback of split: every
// member is at the threshold with its leader, chains are not followed.
func TestLeadersKeepThreshold(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	docs := chain(60, 12, rng)
	docs = append(docs, Doc{"copy-0", docs[0].Text + " and one more thing"})
	opt := Options{Threshold: 0.3}.withDefaults()
	e := newEngine(docs, opt)
	all := make([]int32, len(docs))
	for i := range all {
		all[i] = int32(i)
	}
	gs := e.leaders(all)
	if len(gs) == 0 {
		t.Fatal("no groups")
	}
	seen := map[int32]bool{}
	for _, g := range gs {
		if len(g.members) < 2 || !slices.Contains(g.members, g.rep) {
			t.Errorf("bad group %+v", g)
		}
		for _, x := range g.members {
			if seen[x] {
				t.Errorf("%d in two groups", x)
			}
			seen[x] = true
			if j := jaccard32(e.sets[g.rep], e.sets[x]); j < opt.Threshold {
				t.Errorf("%s with leader %s: Jaccard %.2f", docs[x].ID, docs[g.rep].ID, j)
			}
		}
	}
}

func TestRadixSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 100, 100000} {
		ks := make([]uint64, n)
		for i := range ks {
			switch i % 3 {
			case 0:
				ks[i] = rng.Uint64()
			case 1:
				ks[i] = 0xdead<<48 | rng.Uint64N(1000) // a crowded bucket
			default:
				ks[i] = ^uint64(0)&^0xfffff | uint64(i)
			}
		}
		want := slices.Clone(ks)
		slices.Sort(want)
		if got := radixSort(ks, make([]uint64, n)); !slices.Equal(got, want) {
			t.Errorf("n=%d: radixSort differs from slices.Sort", n)
		}
	}
}
