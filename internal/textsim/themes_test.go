package textsim

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// topicCorpus writes answers on three planted topics, each answer two or
// three sentences from its topic's phrases with the same filler around
// them, plus some answers in Welsh on the first topic.
func topicCorpus(seed uint64, perTopic int) (docs []Doc, topic map[string]int) {
	rng := rand.New(rand.NewPCG(seed, 5))
	topics := [][]string{
		{"the bus service is unreliable", "bus fares are too expensive", "the number 12 bus never runs on time",
			"we need more bus routes to the hospital", "rural bus services have been cut", "bus timetables keep changing"},
		{"the library opening hours are too short", "library books and computers matter", "keep the library open on saturdays",
			"the children's library is excellent", "library staff help older people online", "closing the library would hurt students"},
		{"potholes on the roads damage cars", "road repairs take far too long", "the potholes on high street are dangerous",
			"cyclists are hurt by potholes", "fix the roads before building new ones", "road surface repairs are patchy"},
	}
	filler := []string{"I think", "In my view", "Honestly", "As a resident", "For what it is worth", "Overall"}
	topic = map[string]int{}
	for t, phrases := range topics {
		for i := range perTopic {
			var s []string
			for range 2 + rng.IntN(2) {
				s = append(s, filler[rng.IntN(len(filler))]+" "+phrases[rng.IntN(len(phrases))]+".")
			}
			id := fmt.Sprintf("t%d-%d", t, i)
			topic[id] = t
			docs = append(docs, Doc{id, strings.Join(s, " ")})
		}
	}
	welsh := []string{"Mae'r gwasanaeth bws yn annibynadwy iawn.", "Mae prisiau'r bws yn rhy ddrud.", "Mae angen mwy o lwybrau bws i'r ysbyty."}
	for i := range perTopic / 4 {
		id := fmt.Sprintf("cy-%d", i)
		topic[id] = 3
		docs = append(docs, Doc{id, welsh[i%3] + " " + welsh[(i+1)%3]})
	}
	rng.Shuffle(len(docs), func(i, j int) { docs[i], docs[j] = docs[j], docs[i] })
	return docs, topic
}

func TestThemesFindPlantedTopics(t *testing.T) {
	docs, topic := topicCorpus(1, 60)
	got := Themes(docs, ThemeOptions{K: 4, Seed: 7})
	if len(got) < 3 {
		t.Fatalf("%d themes, want at least 3: %v", len(got), labels(got))
	}
	keyword := []string{"bus", "library", "road|pothole"}
	for want := range 3 {
		ok := false
		for _, th := range got {
			count := 0
			for _, m := range th.Members {
				if topic[m] == want {
					count++
				}
			}
			pure := float64(count) / float64(len(th.Members))
			if count >= 54 && pure >= 0.9 {
				ok = true
				if !matchesAny(th.Label, keyword[want]) {
					t.Errorf("topic %d theme labelled %q", want, th.Label)
				}
				if len(th.Quotes) == 0 {
					t.Errorf("topic %d theme has no quotes", want)
				}
				for _, q := range th.Quotes {
					if !slices.Contains(th.Members, q.ID) {
						t.Errorf("quote from non-member %s", q.ID)
					}
					if !strings.Contains(textOf(docs, q.ID), q.Sentence) {
						t.Errorf("quote %q is not in %s", q.Sentence, q.ID)
					}
				}
			}
		}
		if !ok {
			t.Errorf("topic %d (%s) not found as a theme: %v", want, keyword[want], labels(got))
		}
	}
	seen := map[string]bool{}
	for _, th := range got {
		for _, m := range th.Members {
			if seen[m] {
				t.Errorf("%s in two themes", m)
			}
			seen[m] = true
		}
	}
}

func TestThemesDeterministic(t *testing.T) {
	docs, _ := topicCorpus(2, 80)
	want := Themes(docs, ThemeOptions{K: 5, Seed: 3, Workers: 1})
	for _, w := range []int{2, 4} {
		if got := Themes(docs, ThemeOptions{K: 5, Seed: 3, Workers: w}); !reflect.DeepEqual(got, want) {
			t.Errorf("Workers %d differs from Workers 1:\n%v\n%v", w, labels(got), labels(want))
		}
	}
	if got := Themes(docs, ThemeOptions{K: 5, Seed: 3}); !reflect.DeepEqual(got, want) {
		t.Error("same seed, different themes")
	}
}

func TestThemesEdgeCases(t *testing.T) {
	if got := Themes(nil, ThemeOptions{}); got != nil {
		t.Errorf("no docs: %v", got)
	}
	stopOnly := []Doc{{"a", "the and of"}, {"b", "yn y mae'r"}, {"c", "1 2 3"}}
	if got := Themes(stopOnly, ThemeOptions{}); got != nil {
		t.Errorf("stop words only: %v", labels(got))
	}
}

func TestSentences(t *testing.T) {
	got := sentences("First one. Second? Third!\nFourth 2.5 stays whole… Fifth")
	want := []string{"First one.", "Second?", "Third!", "Fourth 2.5 stays whole… Fifth"}
	if !slices.Equal(got, want) {
		t.Errorf("sentences = %q, want %q", got, want)
	}
}

func FuzzThemes(f *testing.F) {
	f.Add("buses are late\nbuses are late again\nlibrary hours\nlibrary hours are short", uint64(1), uint8(2))
	f.Fuzz(func(t *testing.T, in string, seed uint64, k uint8) {
		var docs []Doc
		for i, line := range strings.Split(in, "\n") {
			docs = append(docs, Doc{fmt.Sprint(i), line})
		}
		got := Themes(docs, ThemeOptions{K: int(k % 6), Seed: seed, MinSize: 1, MinDF: 1})
		seen := map[string]bool{}
		for _, th := range got {
			if len(th.Members) == 0 {
				t.Fatal("empty theme")
			}
			for _, m := range th.Members {
				if seen[m] {
					t.Fatalf("%s in two themes", m)
				}
				seen[m] = true
			}
			for _, q := range th.Quotes {
				if !slices.Contains(th.Members, q.ID) {
					t.Fatalf("quote from non-member %s", q.ID)
				}
			}
		}
	})
}

func labels(ts []Theme) []string {
	var out []string
	for _, th := range ts {
		out = append(out, fmt.Sprintf("%s (%d)", th.Label, len(th.Members)))
	}
	return out
}

func matchesAny(s, alternatives string) bool {
	for _, a := range strings.Split(alternatives, "|") {
		if strings.Contains(s, a) {
			return true
		}
	}
	return false
}

func textOf(docs []Doc, id string) string {
	for _, d := range docs {
		if d.ID == id {
			return d.Text
		}
	}
	return ""
}
