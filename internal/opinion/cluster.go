package opinion

import (
	"math"
	"math/rand/v2"
	"slices"
)

const (
	kmeansMaxIter = 100 // Polis's base-iters and group-iters
	groupRestarts = 8   // fresh k-means++ starts per k for the groups
)

type point = [2]float64

func dist2(a, b point) float64 {
	dx, dy := a[0]-b[0], a[1]-b[1]
	return dx*dx + dy*dy
}

func finite(p point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
}

// seedPlusPlus adds centres to the given ones, up to k, by k-means++: each
// new centre is a point drawn with probability proportional to its weight
// times its squared distance to the nearest centre so far. It stops early
// when every point sits on a centre. w nil means unit weights.
func seedPlusPlus(pts []point, w []float64, centres []point, k int, rng *rand.Rand) []point {
	if len(centres) >= k || len(pts) == 0 {
		return centres
	}
	weight := func(i int) float64 {
		if w == nil {
			return 1
		}
		return w[i]
	}
	d2 := make([]float64, len(pts))
	for i, p := range pts {
		d2[i] = math.Inf(1)
		for _, c := range centres {
			d2[i] = min(d2[i], dist2(p, c))
		}
	}
	for len(centres) < k {
		mass := func(i int) float64 {
			if len(centres) == 0 {
				return weight(i)
			}
			return weight(i) * d2[i]
		}
		var total float64
		for i := range pts {
			total += mass(i)
		}
		if !(total > 0) || math.IsInf(total, 1) {
			break
		}
		r := rng.Float64() * total
		pick, acc := -1, 0.0
		for i := range pts {
			m := mass(i)
			if m <= 0 {
				continue
			}
			pick = i
			acc += m
			if acc > r {
				break
			}
		}
		c := pts[pick]
		centres = append(centres, c)
		for i, p := range pts {
			d2[i] = min(d2[i], dist2(p, c))
		}
	}
	return centres
}

type sums struct{ x, y, w float64 }

// lloyd runs k-means from the given centres until no point changes cluster
// (or maxIter rounds). Clusters left empty are dropped. It returns the
// centres, each point's cluster and the weighted sum of squared distances.
//
// It is Lloyd's algorithm with Hamerly's bounds: each point keeps an upper
// bound on the distance to its centre and a lower bound on the distance to
// any other, so after the first rounds most points are settled without
// computing a distance. The assignments are those of plain Lloyd (ties go
// to the lower centre index on a full scan).
func lloyd(pts []point, w []float64, centres []point, maxIter int) ([]point, []int32, float64) {
	centres = slices.Clone(centres)
	n := len(pts)
	labels := make([]int32, n)
	upper := make([]float64, n)
	lower := make([]float64, n)
	for i := range labels {
		labels[i] = -1
	}
	chunks := splitEven(n, n*max(len(centres), 1))
	part := make([][]sums, len(chunks))
	changed := make([]int, len(chunks))
	half := make([]float64, len(centres)) // half the distance to the nearest other centre
	moved := make([]float64, len(centres))
	for iter := 0; iter < maxIter && len(centres) > 0; iter++ {
		k := len(centres)
		for j := range k {
			half[j] = math.Inf(1)
			for j2 := range k {
				if j2 != j {
					half[j] = min(half[j], dist2(centres[j], centres[j2]))
				}
			}
			half[j] = math.Sqrt(half[j]) / 2
		}
		parallel(len(chunks), func(c int) {
			acc := part[c]
			if cap(acc) < k {
				acc = make([]sums, k)
			}
			acc = acc[:k]
			clear(acc)
			nc := 0
			for i := chunks[c].lo; i < chunks[c].hi; i++ {
				p := pts[i]
				a := labels[i]
				if a >= 0 {
					bound := max(half[a], lower[i])
					if upper[i] > bound {
						upper[i] = math.Sqrt(dist2(p, centres[a]))
					}
					if upper[i] > bound {
						a = -1
					}
				}
				if a < 0 {
					// Full scan: nearest and second nearest.
					best, bd, second := int32(0), math.Inf(1), math.Inf(1)
					for j, q := range centres {
						d := dist2(p, q)
						if d < bd {
							best, bd, second = int32(j), d, bd
						} else if d < second {
							second = d
						}
					}
					upper[i], lower[i] = math.Sqrt(bd), math.Sqrt(second)
					if labels[i] != best {
						labels[i] = best
						nc++
					}
					a = best
				}
				wi := 1.0
				if w != nil {
					wi = w[i]
				}
				acc[a].x += wi * p[0]
				acc[a].y += wi * p[1]
				acc[a].w += wi
			}
			part[c], changed[c] = acc, nc
		})
		total := 0
		for _, c := range changed {
			total += c
		}
		if total == 0 {
			break
		}
		// New centres from the chunk sums, added in chunk order; drop the
		// empty ones.
		remap := make([]int32, k)
		kept := make([]point, 0, k)
		var far, far2 float64 // the two largest moves
		for j := range k {
			var s sums
			for c := range part {
				s.x += part[c][j].x
				s.y += part[c][j].y
				s.w += part[c][j].w
			}
			if s.w <= 0 {
				remap[j] = -1
				continue
			}
			np := point{s.x / s.w, s.y / s.w}
			d := math.Sqrt(dist2(np, centres[j]))
			moved[len(kept)] = d
			if d > far {
				far, far2 = d, far
			} else if d > far2 {
				far2 = d
			}
			remap[j] = int32(len(kept))
			kept = append(kept, np)
		}
		if len(kept) < k {
			for i, l := range labels {
				labels[i] = remap[l]
			}
		}
		centres = kept
		// Move the bounds with the centres.
		parallel(len(chunks), func(c int) {
			for i := chunks[c].lo; i < chunks[c].hi; i++ {
				a := labels[i]
				upper[i] += moved[a]
				if moved[a] == far {
					lower[i] -= far2
				} else {
					lower[i] -= far
				}
			}
		})
	}
	var sse float64
	for i, p := range pts {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		if labels[i] >= 0 {
			sse += wi * dist2(p, centres[labels[i]])
		}
	}
	return centres, labels, sse
}

type baseResult struct {
	centres []point
	size    []int
	label   []int32 // per clustered participant
}

// baseClusters groups the participants' positions into up to k base
// clusters, warm-started from the previous run's centres.
func baseClusters(pts []point, k int, prev []point, rng *rand.Rand) baseResult {
	var r baseResult
	if len(pts) == 0 || k == 0 {
		return r
	}
	var start []point
	for _, c := range prev {
		if finite(c) && len(start) < k {
			start = append(start, c)
		}
	}
	centres := seedPlusPlus(pts, nil, start, k, rng)
	centres, labels, _ := lloyd(pts, nil, centres, kmeansMaxIter)
	if len(centres) < k {
		// Some clusters emptied: top up from the data once, as Polis's
		// clean start does with its most distant points.
		more := seedPlusPlus(pts, nil, centres, k, rng)
		if len(more) > len(centres) {
			centres, labels, _ = lloyd(pts, nil, more, kmeansMaxIter)
		}
	}
	r.centres, r.label = centres, labels
	r.size = make([]int, len(centres))
	for _, l := range labels {
		r.size[l]++
	}
	return r
}

type groupResult struct {
	k           int
	label       []int   // base cluster → group (index into centres)
	centres     []point // per group
	size        []int   // participants per group
	id          []int   // stable ID per group
	clusterings []Clustering
	lastK       int
	lastKCount  int
}

// chooseGroups clusters the base clusters (weighted by size) for every k
// from 2 to min(5, 2 + bases/12), keeps the k with the best silhouette, and
// holds on to the previous k until a new one has won kBuffer runs in a row.
func chooseGroups(bc baseResult, prev *State, rng *rand.Rand) groupResult {
	nb := len(bc.centres)
	var g groupResult
	if nb == 0 {
		return g
	}
	w := make([]float64, nb)
	for i, s := range bc.size {
		w[i] = float64(s)
	}
	if nb == 1 {
		g.k, g.label, g.centres, g.size = 1, []int{0}, []point{bc.centres[0]}, []int{bc.size[0]}
		g.id = matchIDs(g.centres, g.size, prev)
		g.lastK, g.lastKCount = 1, 1
		return g
	}
	maxK := min(maxGroups, 2+nb/12, nb)
	dist := make([]float64, nb*nb)
	for i := range nb {
		for j := range nb {
			dist[i*nb+j] = math.Sqrt(dist2(bc.centres[i], bc.centres[j]))
		}
	}
	type option struct {
		centres []point
		labels  []int32
		sil     float64
	}
	options := map[int]option{}
	bestK, bestSil := 0, math.Inf(-1)
	for k := 2; k <= maxK; k++ {
		var best option
		bestSSE := math.Inf(1)
		if prev != nil {
			for _, c := range prev.Clusterings {
				if c.K != k {
					continue
				}
				var start []point
				for _, p := range c.Centres {
					if finite(p) && len(start) < k {
						start = append(start, p)
					}
				}
				start = seedPlusPlus(bc.centres, w, start, k, rng)
				cs, ls, sse := lloyd(bc.centres, w, start, kmeansMaxIter)
				if len(cs) == k {
					// The warm start keeps its place unless a fresh start
					// is clearly better.
					best, bestSSE = option{centres: cs, labels: ls}, sse*0.99
				}
			}
		}
		for range groupRestarts {
			start := seedPlusPlus(bc.centres, w, nil, k, rng)
			cs, ls, sse := lloyd(bc.centres, w, start, kmeansMaxIter)
			if len(cs) == k && sse < bestSSE {
				best, bestSSE = option{centres: cs, labels: ls}, sse
			}
		}
		if best.centres == nil {
			continue
		}
		best.sil = silhouette(dist, w, best.labels, k)
		options[k] = best
		g.clusterings = append(g.clusterings, Clustering{K: k, Centres: best.centres})
		if best.sil > bestSil {
			bestK, bestSil = k, best.sil
		}
	}
	if bestK == 0 {
		// Fewer than two distinct base positions: one group.
		g.k, g.centres = 1, []point{weightedMean(bc.centres, w)}
		g.label = make([]int, nb)
		g.size = []int{sum(bc.size)}
		g.id = matchIDs(g.centres, g.size, prev)
		g.lastK, g.lastKCount = 1, 1
		return g
	}
	g.lastK, g.lastKCount = bestK, 1
	k := bestK
	if prev != nil {
		if prev.LastK == bestK {
			g.lastKCount = prev.LastKCount + 1
		}
		if _, ok := options[prev.K]; ok && g.lastKCount < kBuffer {
			k = prev.K
		}
	}
	o := options[k]
	g.k, g.centres = k, o.centres
	g.label = make([]int, nb)
	g.size = make([]int, k)
	for i, l := range o.labels {
		g.label[i] = int(l)
		g.size[l] += bc.size[i]
	}
	g.id = matchIDs(g.centres, g.size, prev)
	return g
}

// silhouette is the mean silhouette of the participants, each base cluster
// standing for its members at its centre: a member's distance to its own
// group averages over the other members of the group.
func silhouette(dist []float64, w []float64, labels []int32, k int) float64 {
	nb := len(w)
	gw := make([]float64, k)
	for i, l := range labels {
		gw[l] += w[i]
	}
	var total, weight float64
	to := make([]float64, k)
	for i := range nb {
		clear(to)
		for j := range nb {
			to[labels[j]] += w[j] * dist[i*nb+j]
		}
		own := labels[i]
		weight += w[i]
		if gw[own] <= 1 {
			continue // a lone participant scores 0
		}
		a := to[own] / (gw[own] - 1)
		b := math.Inf(1)
		for c := range k {
			if int32(c) != own && gw[c] > 0 {
				b = min(b, to[c]/gw[c])
			}
		}
		if m := max(a, b); m > 0 && !math.IsInf(b, 1) {
			total += w[i] * (b - a) / m
		}
	}
	if weight == 0 {
		return 0
	}
	return total / weight
}

// matchIDs gives the groups IDs 0 … k-1, each group the ID of the nearest
// previous group where possible (the assignment with the least total
// distance); without a previous run, the largest group is 0.
func matchIDs(centres []point, size []int, prev *State) []int {
	k := len(centres)
	ids := make([]int, k)
	if prev == nil || len(prev.Groups) == 0 {
		order := make([]int, k)
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int {
			if size[a] != size[b] {
				return size[b] - size[a]
			}
			if centres[a][0] != centres[b][0] {
				return cmpFloat(centres[a][0], centres[b][0])
			}
			return cmpFloat(centres[a][1], centres[b][1])
		})
		for id, c := range order {
			ids[c] = id
		}
		return ids
	}
	// At most 5! = 120 assignments: try them all.
	const unmatched = 1e12
	cost := func(c, id int) float64 {
		if id < len(prev.Groups) && finite(prev.Groups[id]) {
			return math.Sqrt(dist2(centres[c], prev.Groups[id]))
		}
		return unmatched
	}
	perm := make([]int, k)
	for i := range perm {
		perm[i] = i
	}
	best := math.Inf(1)
	var walk func(i int, used uint, acc float64)
	walk = func(i int, used uint, acc float64) {
		if acc >= best {
			return
		}
		if i == k {
			best = acc
			copy(ids, perm)
			return
		}
		for id := range k {
			if used&(1<<id) == 0 {
				perm[i] = id
				walk(i+1, used|1<<id, acc+cost(i, id))
			}
		}
	}
	walk(0, 0, 0)
	return ids
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

func weightedMean(pts []point, w []float64) point {
	var x, y, t float64
	for i, p := range pts {
		x += w[i] * p[0]
		y += w[i] * p[1]
		t += w[i]
	}
	if t == 0 {
		return point{}
	}
	return point{x / t, y / t}
}

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}
