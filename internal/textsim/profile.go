package textsim

import (
	"slices"
)

// profiler turns texts into what the near-duplicate engines keep: the
// sorted set of 32-bit shingle fingerprints and one LSH key per band. It
// holds scratch space, so each goroutine has its own.
type profiler struct {
	opt    Options
	buf    []byte
	words  []uint64
	sh     []uint64
	fp     []uint32
	sig    []uint32
	filled []bool
	table  []uint32 // densifyTable
	count  []int    // sortSet scratch
	tmp    []uint32
}

func newProfiler(opt Options) *profiler {
	return &profiler{
		opt:    opt,
		sig:    make([]uint32, opt.Bands*opt.Rows),
		filled: make([]bool, opt.Bands*opt.Rows),
		table:  densifyTable(opt.Bands * opt.Rows),
		count:  make([]int, 257),
	}
}

// profile computes text's fingerprint set (valid until the next call) and
// writes its band keys to keys, which has one slot per band. It reports
// false, and computes nothing, for a text of fewer than MinWords words.
func (p *profiler) profile(text string, keys []uint64) ([]uint32, bool) {
	p.words = p.words[:0]
	p.buf = scan(text, p.buf, func(tok []byte, _, _ int) {
		p.words = append(p.words, hashToken(tok))
	})
	if len(p.words) < p.opt.MinWords {
		return nil, false
	}
	p.sh = shingleHashes(p.sh[:0], p.words, p.opt.Shingle)
	sketch(p.sh, p.sig, p.filled, p.table)
	bandKeys(p.sig, p.opt.Rows, keys)
	p.fp = p.fp[:0]
	for _, h := range p.sh {
		p.fp = append(p.fp, fingerprint(h))
	}
	p.sortSet()
	p.fp = slices.Compact(p.fp)
	return p.fp, true
}

// sortSet sorts p.fp. Fingerprints are uniform, so spreading them over 256
// buckets by their top byte leaves the slice nearly sorted, and one
// insertion-sort pass finishes it: linear time, where a comparison sort of
// a hundred elements costs several times more.
func (p *profiler) sortSet() {
	fp := p.fp
	if len(fp) < 64 {
		slices.Sort(fp)
		return
	}
	count := p.count
	clear(count)
	for _, x := range fp {
		count[x>>24+1]++
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	p.tmp = slices.Grow(p.tmp[:0], len(fp))[:len(fp)]
	for _, x := range fp {
		p.tmp[count[x>>24]] = x
		count[x>>24]++
	}
	for i := 1; i < len(p.tmp); i++ {
		for j := i; j > 0 && p.tmp[j] < p.tmp[j-1]; j-- {
			p.tmp[j], p.tmp[j-1] = p.tmp[j-1], p.tmp[j]
		}
	}
	p.fp, p.tmp = p.tmp, fp
}

// arena hands out slices carved from large blocks, so that a million small
// sets cost a few hundred allocations.
type arena struct{ buf []uint32 }

const arenaBlock = 1 << 14

func (a *arena) keep(s []uint32) []uint32 {
	if cap(a.buf)-len(a.buf) < len(s) {
		a.buf = make([]uint32, 0, max(arenaBlock, len(s)))
	}
	i := len(a.buf)
	a.buf = append(a.buf, s...)
	return a.buf[i:len(a.buf):len(a.buf)]
}
