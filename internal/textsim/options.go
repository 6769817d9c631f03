package textsim

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Doc is one text to analyse. IDs are the caller's and should be unique.
type Doc struct {
	ID   string
	Text string
}

// Options tune near-duplicate detection. The zero value means the defaults.
type Options struct {
	// Shingle is the number of words per shingle (default 4).
	Shingle int
	// Threshold is the least Jaccard index between a member and its
	// cluster's template (default 0.3). Form letters edited by hand and
	// with a personal sentence or two added keep 0.5–0.9 of the template's
	// shingles; unrelated answers on the same subject share under 0.05.
	Threshold float64
	// MinWords: texts with fewer normalised words are never clustered
	// (default 6), so that "Yes" and "I agree" are not campaigns.
	MinWords int
	// Bands and Rows shape the LSH: Bands×Rows MinHash bins, and two texts
	// become candidates when they agree on all Rows bins of some band
	// (default 42 bands of 3 rows). A pair with Jaccard index j is a
	// candidate with probability 1-(1-j^Rows)^Bands: 0.68 at 0.3, 0.996 at
	// 0.5 for the defaults.
	Bands, Rows int
	// Workers is the number of goroutines (default GOMAXPROCS). Results do
	// not depend on it.
	Workers int
}

// Defaults for Options.
const (
	DefaultThreshold = 0.3
	DefaultMinWords  = 6
	DefaultBands     = 42
	DefaultRows      = 3
)

func (o Options) withDefaults() Options {
	if o.Shingle < 1 {
		o.Shingle = DefaultShingle
	}
	if !(o.Threshold > 0) { // also NaN
		o.Threshold = DefaultThreshold
	}
	o.Threshold = min(o.Threshold, 1)
	if o.MinWords < 1 {
		o.MinWords = DefaultMinWords
	}
	if o.Bands < 1 || o.Rows < 1 {
		o.Bands, o.Rows = DefaultBands, DefaultRows
	}
	o.Bands, o.Rows = min(o.Bands, 1024), min(o.Rows, 64)
	if o.Workers < 1 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// edgeThreshold is the Jaccard index a candidate pair must reach to link
// two texts before clusters are checked against their templates. It is
// lower than Threshold because two members of a campaign each differ from
// the template in their own ways, so they are less like each other than
// either is like the template.
func (o Options) edgeThreshold() float64 { return o.Threshold * 2 / 3 }

// parallel runs fn over [0, n) in blocks, on up to workers goroutines.
// Blocks are handed out dynamically; fn must write only to slots of its own
// block so that the result does not depend on the schedule.
func parallel(workers, n, block int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	blocks := (n + block - 1) / block
	workers = max(1, min(workers, blocks))
	if workers == 1 {
		fn(0, n)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				b := int(next.Add(1) - 1)
				if b >= blocks {
					return
				}
				fn(b*block, min(n, (b+1)*block))
			}
		})
	}
	wg.Wait()
}
