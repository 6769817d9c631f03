package opinion

import (
	"math"
	"math/rand/v2"
)

const (
	pcaMaxIter = 100  // Polis's pca-iters
	pcaTol     = 1e-9 // stop when 1 − |cos| between iterates is below this (≈ 4e-5 rad)
)

// columnMeans is each statement's mean vote over the given participants;
// missing votes are imputed with it, so after centring they are exactly 0.
func columnMeans(m *Matrix, rows []int32, excluded []bool) []float64 {
	sum := make([]float64, m.statements)
	cnt := make([]int, m.statements)
	for _, p := range rows {
		lo, hi := m.start[p], m.start[p+1]
		for k, s := range m.cols[lo:hi] {
			sum[s] += float64(m.vals[lo+k])
			cnt[s]++
		}
	}
	for s := range sum {
		if cnt[s] > 0 && !excluded[s] {
			sum[s] /= float64(cnt[s])
		} else {
			sum[s] = 0
		}
	}
	return sum
}

type column struct{ mu, w1, w2 float64 }
type pair struct{ a, b float64 }

// principal finds the first two principal components of the centred,
// mean-imputed matrix X (rows: the given participants) by subspace
// iteration with a Rayleigh–Ritz step: Y = XᵀX·W computed from the votes
// alone (a missing cell of X is 0), rotated to the eigenvectors of WᵀY, and
// orthonormalised. Power iteration with deflation converges to the same
// vectors; doing both at once halves the passes over the votes.
func principal(m *Matrix, rows []int32, mu []float64, excluded []bool, warm [2][]float64, rng *rand.Rand) [2][]float64 {
	d := m.statements
	comps := [2][]float64{make([]float64, d), make([]float64, d)}
	if d == 0 || len(rows) == 0 {
		return comps
	}
	w := [2][]float64{make([]float64, d), make([]float64, d)}
	for c := range 2 {
		copy(w[c], warm[c])
	}
	for c := range 2 {
		for s := range d {
			if excluded[s] || math.IsNaN(w[c][s]) || math.IsInf(w[c][s], 0) {
				w[c][s] = 0
			}
		}
	}
	// Fill what the warm start lacks with random directions.
	if norm(w[0]) == 0 {
		randomise(w[0], excluded, rng)
	}
	if !orthonormalise(w[0], w[1]) {
		randomise(w[1], excluded, rng)
		if !orthonormalise(w[0], w[1]) {
			clear(w[1])
		}
	}

	chunks := splitRows(m, rows)
	ys := make([][]pair, len(chunks))
	for c := range ys {
		ys[c] = make([]pair, d)
	}
	cols := make([]column, d)
	for s := range d {
		cols[s].mu = mu[s]
	}
	y := [2][]float64{make([]float64, d), make([]float64, d)}
	old := [2][]float64{make([]float64, d), make([]float64, d)}
	for iter := 0; iter < pcaMaxIter; iter++ {
		for s := range d {
			cols[s].w1, cols[s].w2 = w[0][s], w[1][s]
		}
		parallel(len(chunks), func(c int) {
			covTimes(m, rows[chunks[c].lo:chunks[c].hi], cols, ys[c])
		})
		for s := range d {
			var a, b float64
			for c := range ys {
				a += ys[c][s].a
				b += ys[c][s].b
			}
			if excluded[s] {
				a, b = 0, 0
			}
			y[0][s], y[1][s] = a, b
		}
		// Rayleigh–Ritz: rotate within span(W) to the eigenvectors of WᵀXᵀXW.
		h11, h12, h22 := dot(w[0], y[0]), dot(w[0], y[1]), dot(w[1], y[1])
		theta := 0.5 * math.Atan2(2*h12, h11-h22)
		cs, sn := math.Cos(theta), math.Sin(theta)
		copy(old[0], w[0])
		copy(old[1], w[1])
		for s := range d {
			a, b := y[0][s], y[1][s]
			w[0][s], w[1][s] = cs*a+sn*b, -sn*a+cs*b
		}
		if norm(w[0]) == 0 {
			return comps // the centred matrix is zero: no direction at all
		}
		if !orthonormalise(w[0], w[1]) {
			clear(w[1]) // rank one: there is no second direction
		}
		if 1-math.Abs(dot(w[0], old[0])) < pcaTol && (norm(w[1]) == 0 || 1-math.Abs(dot(w[1], old[1])) < pcaTol) {
			break
		}
	}
	// A component's sign is arbitrary: keep the previous run's, or else make
	// its largest entry positive, so the map does not flip between runs.
	for c := range 2 {
		flip := false
		if p := dotPrefix(w[c], warm[c]); p != 0 {
			flip = p < 0
		} else {
			big := 0
			for s := range w[c] {
				if math.Abs(w[c][s]) > math.Abs(w[c][big]) {
					big = s
				}
			}
			flip = w[c][big] < 0
		}
		for s := range w[c] {
			comps[c][s] = w[c][s]
			if flip {
				comps[c][s] = -w[c][s]
			}
		}
	}
	return comps
}

// covTimes adds XᵀX·W for the given rows to y: for each row x (centred,
// missing cells 0), y += x·(x·W). Only the row's votes are visited.
func covTimes(m *Matrix, rows []int32, cols []column, y []pair) {
	clear(y)
	for _, p := range rows {
		lo, hi := m.start[p], m.start[p+1]
		ss, vs := m.cols[lo:hi], m.vals[lo:hi]
		vs = vs[:len(ss)]
		var t1, t2 float64
		for k, s := range ss {
			c := &cols[s]
			z := float64(vs[k]) - c.mu
			t1 += z * c.w1
			t2 += z * c.w2
		}
		for k, s := range ss {
			z := float64(vs[k]) - cols[s].mu
			y[s].a += z * t1
			y[s].b += z * t2
		}
	}
}

// project places every participant: x·W over their own votes only, scaled
// by sqrt(statements / votes) so that people who voted on little are not
// all drawn in to the centre. Excluded statements count as votes (passes)
// for everyone, as they do in Polis, whose matrix has them zeroed.
func project(m *Matrix, mu []float64, comps [2][]float64, excluded []bool, votesIn []int) [][2]float64 {
	out := make([][2]float64, m.participants)
	nExcluded := 0
	for _, x := range excluded {
		if x {
			nExcluded++
		}
	}
	for p := range out {
		if votesIn[p] == 0 {
			continue
		}
		lo, hi := m.start[p], m.start[p+1]
		var a, b float64
		for k, s := range m.cols[lo:hi] {
			if excluded[s] {
				continue
			}
			z := float64(m.vals[lo+k]) - mu[s]
			a += z * comps[0][s]
			b += z * comps[1][s]
		}
		scale := math.Sqrt(float64(m.statements) / float64(votesIn[p]+nExcluded))
		out[p] = [2]float64{a * scale, b * scale}
	}
	return out
}

func randomise(v []float64, excluded []bool, rng *rand.Rand) {
	for s := range v {
		if !excluded[s] {
			v[s] = rng.NormFloat64()
		}
	}
}

// orthonormalise normalises a and makes b a unit vector orthogonal to it
// (Gram–Schmidt, twice for accuracy). It reports false if b is (nearly) in
// the span of a.
func orthonormalise(a, b []float64) bool {
	na := norm(a)
	if na == 0 {
		return false
	}
	scale(a, 1/na)
	nb := norm(b)
	if nb == 0 {
		return false
	}
	for range 2 {
		p := dot(a, b)
		for s := range b {
			b[s] -= p * a[s]
		}
	}
	nb2 := norm(b)
	if nb2 <= 1e-10*nb {
		return false
	}
	scale(b, 1/nb2)
	return true
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// dotPrefix is the dot product over the entries both vectors have.
func dotPrefix(a, b []float64) float64 {
	n := min(len(a), len(b))
	var s float64
	for i := range n {
		if !math.IsNaN(b[i]) && !math.IsInf(b[i], 0) {
			s += a[i] * b[i]
		}
	}
	return s
}

func norm(a []float64) float64 { return math.Sqrt(dot(a, a)) }

func scale(a []float64, f float64) {
	for i := range a {
		a[i] *= f
	}
}
