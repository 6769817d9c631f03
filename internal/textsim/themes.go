package textsim

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ThemeOptions tune Themes. The zero value means the defaults.
type ThemeOptions struct {
	// K is the number of themes sought before merging and dropping
	// (default √(n/20), between 2 and 40).
	K int
	// Seed makes the result reproducible: the same seed and documents
	// give the same themes.
	Seed uint64
	// MinDF drops terms in fewer documents (default max(2, n/2000));
	// MaxDF drops terms in more than this share of them (default 0.5).
	MinDF int
	MaxDF float64
	// MaxTerms caps the vocabulary, most frequent first (default 20,000).
	MaxTerms int
	// Iterations caps the k-means rounds (default 30).
	Iterations int
	// MinSize drops smaller themes (default 5; 2 under 500 documents).
	MinSize int
	// Merge joins two themes whose centres have a cosine similarity of at
	// least this (default 0.5), so the set has no near-duplicates.
	Merge float64
	// LabelTerms is the number of terms in a label (default 4), Quotes
	// the number of representative quotes (default 3).
	LabelTerms, Quotes int
	// Workers is the number of goroutines (default GOMAXPROCS). Results do
	// not depend on it.
	Workers int
}

// Theme is a candidate theme for analysts to review, rename and edit.
type Theme struct {
	Label   string   // its top terms, joined by ", "
	Terms   []string // the same terms: words and two-word phrases
	Members []string // IDs of the documents in it, in input order
	Quotes  []Quote  // the documents closest to its centre, each with its most typical sentence
}

// Quote is a sentence traceable to its document.
type Quote struct {
	ID       string
	Sentence string
}

func (o ThemeOptions) withDefaults(n int) ThemeOptions {
	if o.K < 1 {
		o.K = min(40, max(2, int(math.Sqrt(float64(n)/20))))
	}
	if o.MinDF < 1 {
		o.MinDF = max(2, n/2000)
	}
	if !(o.MaxDF > 0 && o.MaxDF <= 1) {
		o.MaxDF = 0.5
	}
	if o.MaxTerms < 1 {
		o.MaxTerms = 20000
	}
	if o.Iterations < 1 {
		o.Iterations = 30
	}
	if o.MinSize < 1 {
		o.MinSize = 5
		if n < 500 {
			o.MinSize = 2
		}
	}
	if !(o.Merge > 0) {
		o.Merge = 0.5
	}
	if o.LabelTerms < 1 {
		o.LabelTerms = 4
	}
	if o.Quotes < 1 {
		o.Quotes = 3
	}
	if o.Workers < 1 {
		o.Workers = Options{}.withDefaults().Workers
	}
	return o
}

// Themes proposes candidate themes for a set of free-text answers, largest
// first, with no outside service. Terms are the answers' words and
// two-word phrases less English and Welsh stop words, weighted by TF-IDF;
// answers are grouped by spherical k-means (k-means++ seeding from Seed)
// on those vectors; themes whose centres are alike are merged and small
// ones dropped. An answer is in at most one theme; answers with no
// remaining terms are in none.
func Themes(docs []Doc, opt ThemeOptions) []Theme {
	n := len(docs)
	opt = opt.withDefaults(n)
	stop := map[uint64]bool{}
	for w := range stopSet() {
		stop[hashToken([]byte(w))] = true
	}
	// Terms per document, as sorted (hash, count) pairs.
	terms := make([][]termCount, n)
	parallel(opt.Workers, n, 1024, func(lo, hi int) {
		var t termScanner
		for i := lo; i < hi; i++ {
			terms[i] = t.terms(docs[i].Text, stop)
		}
	})
	df := map[uint64]int32{}
	for _, ts := range terms {
		for _, t := range ts {
			df[t.h]++
		}
	}
	maxDF := int32(opt.MaxDF * float64(n))
	var vocab []uint64
	for h, c := range df {
		if c >= int32(opt.MinDF) && c <= maxDF {
			vocab = append(vocab, h)
		}
	}
	slices.SortFunc(vocab, func(a, b uint64) int { return cmp.Or(cmp.Compare(df[b], df[a]), cmp.Compare(a, b)) })
	vocab = vocab[:min(len(vocab), opt.MaxTerms)]
	col := make(map[uint64]int32, len(vocab))
	for i, h := range vocab {
		col[h] = int32(i)
	}
	// TF-IDF vectors, sublinear tf, L2-normalised.
	vecs := make([]sparse, n)
	parallel(opt.Workers, n, 1024, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			var v sparse
			for _, t := range terms[i] {
				c, ok := col[t.h]
				if !ok {
					continue
				}
				idf := math.Log(float64(1+n)/float64(1+df[t.h])) + 1
				v.idx = append(v.idx, c)
				v.val = append(v.val, float32((1+math.Log(float64(t.n)))*idf))
			}
			v.normalise()
			vecs[i] = v
		}
	})
	terms, df = nil, nil
	var live []int32
	for i, v := range vecs {
		if len(v.idx) > 0 {
			live = append(live, int32(i))
		}
	}
	if len(live) == 0 {
		return nil
	}
	km := kmeans{vecs: vecs, live: live, dim: len(vocab), workers: opt.Workers}
	km.run(min(opt.K, len(live)), opt.Iterations, opt.Seed)
	km.merge(opt.Merge)

	type found struct {
		centre  []float32
		members []int32
	}
	var fs []found
	for c := range km.centres {
		var ms []int32
		for _, d := range live {
			if km.assign[d] == int32(c) {
				ms = append(ms, d)
			}
		}
		if len(ms) >= opt.MinSize {
			fs = append(fs, found{km.centres[c], ms})
		}
	}
	slices.SortStableFunc(fs, func(a, b found) int {
		return cmp.Or(cmp.Compare(len(b.members), len(a.members)), cmp.Compare(a.members[0], b.members[0]))
	})
	// Labels: top terms of each centre; their text is recovered by
	// scanning documents for the hashes wanted.
	tops := make([][]int32, len(fs))
	want := map[uint64]string{}
	for i, f := range fs {
		tops[i] = topTerms(f.centre, 3*opt.LabelTerms)
		for _, c := range tops[i] {
			want[vocab[c]] = ""
		}
	}
	nameTerms(docs, stop, want)
	out := make([]Theme, len(fs))
	for i, f := range fs {
		th := Theme{Members: make([]string, len(f.members))}
		for j, d := range f.members {
			th.Members[j] = docs[d].ID
		}
		th.Terms = label(tops[i], vocab, want, opt.LabelTerms)
		th.Label = strings.Join(th.Terms, ", ")
		th.Quotes = quotes(docs, vecs, f.members, f.centre, col, stop, opt.Quotes)
		out[i] = th
	}
	return out
}

type termCount struct {
	h uint64
	n int32
}

// termScanner finds a text's terms: words that are not stop words, not
// numbers and longer than one letter, and pairs of such words next to each
// other.
type termScanner struct {
	buf   []byte
	words []uint64 // 0 marks a dropped word, which breaks pairs
	all   []uint64
}

func (t *termScanner) scanWords(text string, stop map[uint64]bool) {
	t.words = t.words[:0]
	t.buf = scan(text, t.buf, func(tok []byte, _, _ int) {
		h := hashToken(tok)
		if stop[h] || !wordLike(tok) {
			h = 0
		}
		t.words = append(t.words, h)
	})
}

func (t *termScanner) terms(text string, stop map[uint64]bool) []termCount {
	t.scanWords(text, stop)
	t.all = t.all[:0]
	for i, h := range t.words {
		if h == 0 {
			continue
		}
		t.all = append(t.all, h)
		if i > 0 && t.words[i-1] != 0 {
			t.all = append(t.all, pairHash(t.words[i-1], h))
		}
	}
	slices.Sort(t.all)
	var out []termCount
	for i := 0; i < len(t.all); {
		j := i + 1
		for j < len(t.all) && t.all[j] == t.all[i] {
			j++
		}
		out = append(out, termCount{t.all[i], int32(j - i)})
		i = j
	}
	return out
}

func pairHash(a, b uint64) uint64 { return mix64(mix64(a^0x5bd1e995) ^ b) }

// wordLike reports whether a normalised word can be a term: two or more
// characters (or one of a script without spaces) and not all digits.
func wordLike(tok []byte) bool {
	if utf8.RuneCount(tok) < 2 {
		r, _ := utf8.DecodeRune(tok)
		return unspaced(r)
	}
	for _, c := range tok {
		if c < '0' || c > '9' {
			return true
		}
	}
	return false
}

// sparse is an L2-normalised document vector.
type sparse struct {
	idx []int32
	val []float32
}

func (v *sparse) normalise() {
	s := 0.0
	for _, x := range v.val {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		v.idx, v.val = nil, nil
		return
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v.val {
		v.val[i] *= inv
	}
}

func (v sparse) dot(c []float32) float32 {
	var s float32
	for i, j := range v.idx {
		s += v.val[i] * c[j]
	}
	return s
}

// kmeans is spherical k-means: centres are unit vectors, similarity is the
// dot product.
type kmeans struct {
	vecs    []sparse
	live    []int32 // documents with a vector
	dim     int
	workers int
	centres [][]float32
	assign  []int32 // per document; -1 for none
	sim     []float32
}

func (km *kmeans) run(k, iterations int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x7465787473696d)) // "textsim"
	n := len(km.vecs)
	km.assign = make([]int32, n)
	km.sim = make([]float32, n)
	for i := range km.assign {
		km.assign[i] = -1
	}
	// k-means++: each next centre is a document drawn with probability
	// proportional to its distance (1 - cosine) from the nearest centre.
	dist := make([]float64, len(km.live))
	for i := range dist {
		dist[i] = 1
	}
	first := km.live[rng.IntN(len(km.live))]
	km.centres = append(km.centres, km.dense(first))
	for len(km.centres) < k {
		c := km.centres[len(km.centres)-1]
		total := 0.0
		for i, d := range km.live {
			dist[i] = min(dist[i], max(0, 1-float64(km.vecs[d].dot(c))))
			total += dist[i]
		}
		if total <= 1e-9 {
			break // every document is on a centre already
		}
		r := rng.Float64() * total
		pick := len(km.live) - 1
		for i, x := range dist {
			if r -= x; r < 0 {
				pick = i
				break
			}
		}
		km.centres = append(km.centres, km.dense(km.live[pick]))
	}
	for range iterations {
		if !km.step() {
			break
		}
	}
}

func (km *kmeans) dense(d int32) []float32 {
	c := make([]float32, km.dim)
	v := km.vecs[d]
	for i, j := range v.idx {
		c[j] = v.val[i]
	}
	return c
}

// step assigns every document to its nearest centre and moves the centres
// to the normalised means; it reports whether more than one document in a
// thousand changed centre. The centres are first laid out term by term,
// so that a document's terms each read k adjacent weights instead of one
// weight from each of k far-apart vectors.
func (km *kmeans) step() bool {
	k := len(km.centres)
	byTerm := make([]float32, km.dim*k)
	for c, centre := range km.centres {
		for j, x := range centre {
			byTerm[j*k+c] = x
		}
	}
	changed := make([]bool, len(km.live))
	parallel(km.workers, len(km.live), 1024, func(lo, hi int) {
		scores := make([]float32, k)
		for i := lo; i < hi; i++ {
			d := km.live[i]
			clear(scores)
			v := km.vecs[d]
			for t, j := range v.idx {
				w := v.val[t]
				row := byTerm[int(j)*k : int(j)*k+k]
				for c, x := range row {
					scores[c] += w * x
				}
			}
			best := int32(0)
			for c, s := range scores {
				if s > scores[best] {
					best = int32(c)
				}
			}
			changed[i] = km.assign[d] != best
			km.assign[d], km.sim[d] = best, scores[best]
		}
	})
	moved := 0
	for _, c := range changed {
		if c {
			moved++
		}
	}
	km.recentre()
	return moved > len(km.live)/1000
}

// recentre recomputes every centre from its members, in document order so
// the sums do not depend on the schedule. A centre with no members moves to
// the document least like its own centre.
func (km *kmeans) recentre() {
	counts := make([]int, len(km.centres))
	for _, c := range km.centres {
		clear(c)
	}
	for _, d := range km.live {
		a := km.assign[d]
		counts[a]++
		v := km.vecs[d]
		for i, j := range v.idx {
			km.centres[a][j] += v.val[i]
		}
	}
	for c, centre := range km.centres {
		if counts[c] == 0 {
			worst, worstSim := int32(-1), float32(2)
			for _, d := range km.live {
				if counts[km.assign[d]] > 1 && km.sim[d] < worstSim {
					worst, worstSim = d, km.sim[d]
				}
			}
			if worst < 0 {
				continue
			}
			counts[km.assign[worst]]--
			km.assign[worst] = int32(c)
			km.sim[worst] = 1
			copy(centre, km.dense(worst))
			counts[c] = 1
			continue
		}
		unit(centre)
	}
}

func unit(c []float32) {
	s := 0.0
	for _, x := range c {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range c {
		c[i] *= inv
	}
}

// merge joins the two most alike centres while their cosine similarity is
// at least threshold, and drops centres left with no members.
func (km *kmeans) merge(threshold float64) {
	for {
		bi, bj, best := -1, -1, threshold
		for i := range km.centres {
			for j := i + 1; j < len(km.centres); j++ {
				var s float64
				for t, x := range km.centres[i] {
					s += float64(x) * float64(km.centres[j][t])
				}
				if s >= best {
					bi, bj, best = i, j, s
				}
			}
		}
		if bi < 0 {
			break
		}
		for _, d := range km.live {
			if km.assign[d] == int32(bj) {
				km.assign[d] = int32(bi)
			} else if km.assign[d] > int32(bj) {
				km.assign[d]--
			}
		}
		km.centres = slices.Delete(km.centres, bj, bj+1)
		km.recentre()
	}
}

// topTerms returns the columns of a centre's m largest weights.
func topTerms(centre []float32, m int) []int32 {
	var cols []int32
	for j, x := range centre {
		if x > 0 {
			cols = append(cols, int32(j))
		}
	}
	slices.SortFunc(cols, func(a, b int32) int { return cmp.Or(cmp.Compare(centre[b], centre[a]), cmp.Compare(a, b)) })
	return cols[:min(len(cols), m)]
}

// nameTerms fills in the text of the wanted term hashes, scanning documents
// in order until all are found.
func nameTerms(docs []Doc, stop map[uint64]bool, want map[uint64]string) {
	missing := len(want)
	var t termScanner
	var words []string
	for _, d := range docs {
		if missing == 0 {
			return
		}
		words = words[:0]
		t.buf = scan(d.Text, t.buf, func(tok []byte, _, _ int) { words = append(words, string(tok)) })
		prev := uint64(0)
		for i, w := range words {
			h := hashToken([]byte(w))
			if stop[h] || !wordLike([]byte(w)) {
				prev = 0
				continue
			}
			if s, ok := want[h]; ok && s == "" {
				want[h] = w
				missing--
			}
			if prev != 0 {
				p := pairHash(prev, h)
				if s, ok := want[p]; ok && s == "" {
					want[p] = words[i-1] + " " + w
					missing--
				}
			}
			prev = h
		}
	}
}

// label picks up to m terms from the ranked columns. A phrase replaces
// its words if they were chosen; a word inside a chosen phrase is skipped.
func label(cols []int32, vocab []uint64, names map[uint64]string, m int) []string {
	var out []string
	for _, c := range cols {
		if len(out) == m {
			break
		}
		name := names[vocab[c]]
		if name == "" || slices.ContainsFunc(out, func(o string) bool { return slices.Contains(strings.Fields(o), name) }) {
			continue
		}
		if parts := strings.Fields(name); len(parts) == 2 {
			out = slices.DeleteFunc(out, func(o string) bool { return o == parts[0] || o == parts[1] })
		}
		out = append(out, name)
	}
	return out
}

// quotes returns up to m quotes from the members most like the centre,
// each that member's sentence scoring highest against the centre; a
// sentence already quoted (as copies in a campaign would be) is skipped.
func quotes(docs []Doc, vecs []sparse, members []int32, centre []float32, col map[uint64]int32, stop map[uint64]bool, m int) []Quote {
	ranked := slices.Clone(members)
	sims := make(map[int32]float32, len(ranked))
	for _, d := range ranked {
		sims[d] = vecs[d].dot(centre)
	}
	slices.SortStableFunc(ranked, func(a, b int32) int { return cmp.Compare(sims[b], sims[a]) })
	var out []Quote
	seen := map[string]bool{}
	var t termScanner
	for _, d := range ranked {
		if len(out) == m {
			break
		}
		best, bestScore := "", -1.0
		for _, s := range sentences(docs[d].Text) {
			score, n := 0.0, 0
			for _, tc := range t.terms(s, stop) {
				n++
				if c, ok := col[tc.h]; ok {
					score += float64(centre[c])
				}
			}
			if n == 0 {
				continue
			}
			if score /= math.Sqrt(float64(n)); score > bestScore {
				best, bestScore = s, score
			}
		}
		key := Normalise(best)
		if best == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, Quote{ID: docs[d].ID, Sentence: best})
	}
	return out
}

// sentences splits text after '.', '!', '?' (and their CJK forms) followed
// by a space or the end, and at line breaks; each sentence is trimmed.
func sentences(text string) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	start := 0
	for i, r := range text {
		end := -1
		switch r {
		case '\n', '。', '！', '？':
			end = i + utf8.RuneLen(r)
		case '.', '!', '?':
			next, _ := utf8.DecodeRuneInString(text[i+1:])
			if i+1 == len(text) || unicode.IsSpace(next) {
				end = i + 1
			}
		}
		if end > start {
			add(text[start:end])
			start = end
		}
	}
	add(text[start:])
	return out
}
