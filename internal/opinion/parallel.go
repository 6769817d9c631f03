package opinion

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Work is cut into chunks whose number depends on the size of the data only,
// never on the machine, and partial sums are added in chunk order: the result
// is bit-for-bit the same on 1 core or 64.
const (
	chunkWork = 1 << 15 // votes (or points × centres) per chunk, at least
	maxChunks = 32
)

type span struct{ lo, hi int }

func chunkCount(work int) int {
	c := work / chunkWork
	return max(1, min(c, maxChunks))
}

// splitEven cuts [0, n) into equal spans, as many as work deserves.
func splitEven(n, work int) []span {
	c := min(chunkCount(work), max(n, 1))
	out := make([]span, c)
	for i := range out {
		out[i] = span{n * i / c, n * (i + 1) / c}
	}
	return out
}

// splitRows cuts the list rows into spans holding about the same number of
// votes each.
func splitRows(m *Matrix, rows []int32) []span {
	total := 0
	for _, p := range rows {
		total += m.start[p+1] - m.start[p]
	}
	c := min(chunkCount(total+len(rows)), max(len(rows), 1))
	out := make([]span, 0, c)
	lo, acc := 0, 0
	for i, p := range rows {
		acc += m.start[p+1] - m.start[p] + 1
		if len(out) < c-1 && acc*c >= (len(out)+1)*(total+len(rows)) {
			out = append(out, span{lo, i + 1})
			lo = i + 1
		}
	}
	return append(out, span{lo, len(rows)})
}

// parallel runs f(0), …, f(n-1) on up to GOMAXPROCS goroutines.
func parallel(n int, f func(i int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
}
