package textsim

import (
	"cmp"
	"slices"
	"sync"
)

// Index answers "is this new text a near-duplicate of one seen before?" as
// texts stream in: listening's duplicate mentions, moderation's floods of
// one message. It is safe for concurrent use.
//
// It keeps, per text, its shingle fingerprints and one LSH key per band
// (about 4 bytes per word plus 40 bytes per band). Lookups cost one
// exact comparison per distinct candidate.
type Index struct {
	opt Options

	mu    sync.RWMutex
	ids   []string
	sets  [][]uint32
	heads []map[uint64]int32 // per band: key → newest text with it
	prev  [][]int32          // per band, per text: the previous text with its key, or -1
	arena arena
	p     *profiler // guarded by mu (write)
	keys  []uint64
}

// Match is an indexed text similar to the one looked up.
type Match struct {
	ID         string
	Similarity float64 // Jaccard index of the shingle sets
}

// NewIndex returns an empty index. Options.Threshold and Workers do not
// apply to it.
func NewIndex(opt Options) *Index {
	opt = opt.withDefaults()
	x := &Index{
		opt:   opt,
		heads: make([]map[uint64]int32, opt.Bands),
		prev:  make([][]int32, opt.Bands),
		p:     newProfiler(opt),
		keys:  make([]uint64, opt.Bands),
	}
	for b := range x.heads {
		x.heads[b] = map[uint64]int32{}
	}
	return x
}

// Add indexes text under id. A text of fewer than Options.MinWords words is
// counted but never matched. IDs are not checked for repeats.
func (x *Index) Add(id, text string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	d := int32(len(x.ids))
	x.ids = append(x.ids, id)
	set, ok := x.p.profile(text, x.keys)
	if !ok {
		x.sets = append(x.sets, nil)
		for b := range x.prev {
			x.prev[b] = append(x.prev[b], -1)
		}
		return
	}
	x.sets = append(x.sets, x.arena.keep(set))
	for b, k := range x.keys {
		p, ok := x.heads[b][k]
		if !ok {
			p = -1
		}
		x.prev[b] = append(x.prev[b], p)
		x.heads[b][k] = d
	}
}

// Len returns the number of texts added.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.ids)
}

// Similar returns the indexed texts whose Jaccard index with text is at
// least threshold, most similar first (ties oldest first). It finds a
// text with probability 1-(1-j^Rows)^Bands for Jaccard index j (see
// Options), so thresholds under about 0.3 miss many.
func (x *Index) Similar(text string, threshold float64) []Match {
	p := newProfiler(x.opt)
	keys := make([]uint64, x.opt.Bands)
	set, ok := p.profile(text, keys)
	if !ok {
		return nil
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	seen := map[int32]bool{}
	type hit struct {
		d int32
		j float64
	}
	var hits []hit
	for b, k := range keys {
		d, ok := x.heads[b][k]
		for ok && d >= 0 {
			if !seen[d] {
				seen[d] = true
				if j := jaccard32(set, x.sets[d]); j >= threshold {
					hits = append(hits, hit{d, j})
				}
			}
			d = x.prev[b][d]
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(b.j, a.j), cmp.Compare(a.d, b.d))
	})
	out := make([]Match, len(hits))
	for i, h := range hits {
		out[i] = Match{ID: x.ids[h.d], Similarity: h.j}
	}
	return out
}
