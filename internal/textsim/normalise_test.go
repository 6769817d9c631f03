package textsim

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalise(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"...!!! -- ", ""},
		{"Hello, World!", "hello world"},
		{"Don't STOP: we can’t wait", "dont stop we cant wait"},
		{"naïve café, Straße, Œuvre, smørrebrød", "naive cafe strasse oeuvre smorrebrod"},
		{"e\u0301te\u0301", "ete"},            // already decomposed
		{"ﬁne ＦＵＬＬ width", "fine full width"}, // compatibility forms
		{"Mae'r ŵyn yn y caeau ger Llanelli.", "maer wyn yn y caeau ger llanelli"},
		{"Rydw i'n byw yng Nghymru – â chroeso!", "rydw in byw yng nghymru a chroeso"},
		{"Ŷ ŵ Â ê î ô û ï", "y w a e i o u i"},
		{"1,000 people; 2.5%", "1 000 people 2 5"},
		{"tabs\tand\nnew\r\nlines", "tabs and new lines"},
		{"東京に行く", "東 京 に 行 く"},
		{"안녕 하세요", "안녕 하세요"},
		{"Привет, МИР", "привет мир"},
		{"\xff\xfe bad \xc3", "bad"},
	} {
		if got := Normalise(tc.in); got != tc.want {
			t.Errorf("Normalise(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTokensMatchNormalise(t *testing.T) {
	s := "Mae'r cyngor yn cynnig: Cau'r llyfrgell? NO way!"
	if got, want := strings.Join(Tokens(s), " "), Normalise(s); got != want {
		t.Errorf("Tokens = %q, Normalise = %q", got, want)
	}
	if Tokens("  ,, ") != nil {
		t.Error("Tokens of punctuation should be nil")
	}
}

func TestScanSpans(t *testing.T) {
	s := "  Héllo, wörld’s   end. "
	var got []string
	scan(s, nil, func(tok []byte, start, end int) { got = append(got, string(tok)+"="+s[start:end]) })
	want := []string{"hello=Héllo", "worlds=wörld’s", "end=end"}
	if !slices.Equal(got, want) {
		t.Errorf("spans %q, want %q", got, want)
	}
}

func TestShingles(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		k    int
		want int
	}{
		{"empty", "", 4, 0},
		{"short text is one shingle", "too short", 4, 1},
		{"exactly k", "one two three four", 4, 1},
		{"n-k+1", "one two three four five six", 4, 3},
		{"repeats collapse", "a b a b a b a b", 2, 2},
		{"k below 1 means default", "one two three four five", 0, 2},
	} {
		if got := len(Shingles(tc.text, tc.k)); got != tc.want {
			t.Errorf("%s: %d shingles, want %d", tc.name, got, tc.want)
		}
	}
	a := Shingles("The council's plan — for buses!", 3)
	b := Shingles("the COUNCILS plan for Buses", 3)
	if !slices.Equal(a, b) {
		t.Error("shingles differ for texts that normalise alike")
	}
	if !slices.IsSorted(a) {
		t.Error("shingles not sorted")
	}
	if slices.Equal(Shingles("a b c d", 4), Shingles("d c b a", 4)) {
		t.Error("shingles ignore word order")
	}
}

func TestJaccard(t *testing.T) {
	for _, tc := range []struct {
		a, b []uint64
		want float64
	}{
		{nil, nil, 0},
		{[]uint64{1, 2}, nil, 0},
		{[]uint64{1, 2, 3}, []uint64{1, 2, 3}, 1},
		{[]uint64{1, 2, 3, 4}, []uint64{3, 4, 5, 6}, 2.0 / 6},
		{[]uint64{1}, []uint64{2}, 0},
	} {
		if got := Jaccard(tc.a, tc.b); got != tc.want {
			t.Errorf("Jaccard(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestMinHashEstimatesJaccard checks the sketch against the exact index
// for pairs of sets with planted overlaps, from small (fewer shingles than
// bins, where densification does the work) to large.
func TestMinHashEstimatesJaccard(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{20, 80, 400} {
		for _, want := range []float64{0, 0.2, 0.5, 0.8, 1} {
			// Average over a few independent pairs: one OPH estimate has
			// a standard error of up to ~0.05 with 128 bins.
			const pairs = 8
			var sumExact, sumEst float64
			for range pairs {
				shared := int(math.Round(want * 2 * float64(size) / (1 + want)))
				a := make([]uint64, 0, size)
				b := make([]uint64, 0, size)
				for i := range size {
					x := rng.Uint64()
					a = append(a, x)
					if i < shared {
						b = append(b, x)
					} else {
						b = append(b, rng.Uint64())
					}
				}
				slices.Sort(a)
				slices.Sort(b)
				sumExact += Jaccard(a, b)
				sumEst += MinHash(a, 128).Jaccard(MinHash(b, 128))
			}
			exact, est := sumExact/pairs, sumEst/pairs
			if math.Abs(exact-est) > 0.06 {
				t.Errorf("size %d: exact %.3f, MinHash %.3f", size, exact, est)
			}
		}
	}
	if MinHash(nil, 128) != nil || Signature(nil).Jaccard(nil) != 0 {
		t.Error("empty set should have a nil signature and 0 similarity")
	}
	if (Signature{1, 2}).Jaccard(Signature{1}) != 0 {
		t.Error("signatures of different sizes should compare as 0")
	}
}

func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"", "Hello, World!", "Mae'r ŵyn", "東京に行く", "e\u0301", "\xff", "ﬁ ß Œ", "a'b'c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalise(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalise(%q) = %q: not UTF-8", s, n)
		}
		if strings.Contains(n, "  ") || strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") {
			t.Fatalf("Normalise(%q) = %q: bad spacing", s, n)
		}
		if again := Normalise(n); again != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, again)
		}
		if got := len(Tokens(s)); got != len(strings.Fields(n)) {
			t.Fatalf("Tokens(%q) has %d words, Normalise %d", s, got, len(strings.Fields(n)))
		}
		var last int
		scan(s, nil, func(tok []byte, start, end int) {
			if start < last || end <= start || end > len(s) {
				t.Fatalf("bad span [%d,%d) after %d in %q", start, end, last, s)
			}
			last = end
		})
	})
}

// TestSimilarAgreesWithJaccard checks the early-exit comparison against
// the plain one, at and around the thresholds.
func TestSimilarAgreesWithJaccard(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	set := func(n int, pool uint32) []uint32 {
		s := make([]uint32, n)
		for i := range s {
			s[i] = rng.Uint32N(pool)
		}
		slices.Sort(s)
		return slices.Compact(s)
	}
	for range 5000 {
		a, b := set(rng.IntN(120), 200), set(rng.IntN(120), 200)
		j := jaccard32(a, b)
		for _, th := range []float64{0.05, 0.2, 0.3, 0.5, 0.9, 1, j} {
			if got := similar(a, b, th); got != (j >= th && len(a)+len(b) > 0) {
				t.Fatalf("similar(%d, %d elements, %v) = %v, Jaccard %v", len(a), len(b), th, got, j)
			}
		}
	}
}

func TestSortSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	p := newProfiler(Options{}.withDefaults())
	for _, n := range []int{0, 1, 63, 64, 65, 300} {
		p.fp = p.fp[:0]
		for range n {
			p.fp = append(p.fp, rng.Uint32())
		}
		want := slices.Clone(p.fp)
		slices.Sort(want)
		p.sortSet()
		if !slices.Equal(p.fp, want) {
			t.Errorf("n=%d: not sorted", n)
		}
	}
}
