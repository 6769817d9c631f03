package opinion

import "math"

// NewStatementPriority is the priority of a statement nobody has voted on,
// Priority(0, 0, 0, 0): (½·½·(1+8))².
const NewStatementPriority = 5.0625

// Pick chooses the next statement to show a participant among
// 0 … statements-1, at random with probability proportional to priority,
// never one for which seen reports true, nor one whose priority is zero,
// negative or not a number (moderated-out statements have priority 0).
// priority may be shorter than statements: statements added since it was
// computed count as new (NewStatementPriority). u is a uniform random
// number in [0, 1). It reports false when nothing is left to show.
func Pick(priority []float64, statements int, seen func(s int) bool, u float64) (int, bool) {
	weight := func(s int) float64 {
		if s >= len(priority) {
			return NewStatementPriority
		}
		switch w := priority[s]; {
		case math.IsInf(w, 1):
			return math.MaxFloat64 / float64(statements+1)
		case w > 0:
			return w
		}
		return 0
	}
	var cands []int
	var cum []float64
	total := 0.0
	for s := range statements {
		w := weight(s)
		if w == 0 || seen(s) {
			continue
		}
		total += w
		cands = append(cands, s)
		cum = append(cum, total)
	}
	if len(cands) == 0 {
		return -1, false
	}
	if !(u >= 0) {
		u = 0
	}
	r := min(u, 1) * total
	// First candidate whose running total passes r.
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cum[mid] > r {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return cands[lo], true
}
