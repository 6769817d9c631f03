package opinion

import (
	"cmp"
	"math"
	"runtime"
	"slices"
)

// counts holds vote totals per statement: over everyone, and per group over
// the clustered participants.
type counts struct {
	agree, disagree, pass []int32   // everyone
	gAgree, gDisagree     [][]int32 // [group][statement], clustered only
	gSeen                 [][]int32
	cAgree, cDisagree     []int32 // all clustered participants
	cSeen                 []int32
}

// tally counts the votes. Integer sums do not depend on the order they are
// added in, so here the chunks follow the number of CPUs.
func tally(m *Matrix, groupOf []int32, k int) *counts {
	d := m.statements
	newCounts := func() *counts {
		c := &counts{
			agree: make([]int32, d), disagree: make([]int32, d), pass: make([]int32, d),
			gAgree: make([][]int32, k), gDisagree: make([][]int32, k), gSeen: make([][]int32, k),
		}
		for g := range k {
			c.gAgree[g], c.gDisagree[g], c.gSeen[g] = make([]int32, d), make([]int32, d), make([]int32, d)
		}
		return c
	}
	chunks := splitEven(m.participants, min(len(m.cols), chunkWork*min(4, runtime.GOMAXPROCS(0))))
	parts := make([]*counts, len(chunks))
	parallel(len(chunks), func(c int) {
		t := newCounts()
		for p := chunks[c].lo; p < chunks[c].hi; p++ {
			lo, hi := m.start[p], m.start[p+1]
			g := groupOf[p]
			for k, s := range m.cols[lo:hi] {
				switch m.vals[lo+k] {
				case Agree:
					t.agree[s]++
				case Disagree:
					t.disagree[s]++
				default:
					t.pass[s]++
				}
			}
			if g < 0 {
				continue
			}
			ga, gd, gs := t.gAgree[g], t.gDisagree[g], t.gSeen[g]
			for k, s := range m.cols[lo:hi] {
				switch m.vals[lo+k] {
				case Agree:
					ga[s]++
				case Disagree:
					gd[s]++
				}
				gs[s]++
			}
		}
		parts[c] = t
	})
	t := parts[0]
	if t == nil {
		t = newCounts()
	}
	for _, u := range parts[1:] {
		add(t.agree, u.agree)
		add(t.disagree, u.disagree)
		add(t.pass, u.pass)
		for g := range k {
			add(t.gAgree[g], u.gAgree[g])
			add(t.gDisagree[g], u.gDisagree[g])
			add(t.gSeen[g], u.gSeen[g])
		}
	}
	t.cAgree, t.cDisagree, t.cSeen = make([]int32, d), make([]int32, d), make([]int32, d)
	for g := range k {
		add(t.cAgree, t.gAgree[g])
		add(t.cDisagree, t.gDisagree[g])
		add(t.cSeen, t.gSeen[g])
	}
	return t
}

func add(dst, src []int32) {
	for i := range dst {
		dst[i] += src[i]
	}
}

// propTest is Polis's one-proportion z test, with the +1 prior:
// 2·√(n+1)·((succ+1)/(n+1) − ½).
func propTest(succ, n int32) float64 {
	s, t := float64(succ)+1, float64(n)+1
	return 2 * math.Sqrt(t) * (s/t - 0.5)
}

// twoPropTest is Polis's two-proportion z test of group 1 against group 2,
// with the +1 prior.
func twoPropTest(succ1, n1, succ2, n2 int32) float64 {
	s1, t1, s2, t2 := float64(succ1)+1, float64(n1)+1, float64(succ2)+1, float64(n2)+1
	p1, p2 := s1/t1, s2/t2
	pi := (s1 + s2) / (t1 + t2)
	if pi == 1 {
		return 0
	}
	return (p1 - p2) / math.Sqrt(pi*(1-pi)*(1/t1+1/t2))
}

// representative picks up to five statements that set group g apart:
// those where the group votes one way significantly (one-proportion test)
// and significantly more than the rest of the clustered participants
// (two-proportion test), both at z > 1.2816, ranked by
// Ratio·RepTest·P·Test. The statement the group agrees on most comes
// first, and agrees come before disagrees.
func representative(t *counts, g int, excluded []bool) []Repness {
	var pass []Repness
	var bestAgree *Repness
	for s := range t.gSeen[g] {
		if excluded[s] {
			continue
		}
		na, nd, ns := t.gAgree[g][s], t.gDisagree[g][s], t.gSeen[g][s]
		ra, rd, rs := t.cAgree[s]-na, t.cDisagree[s]-nd, t.cSeen[s]-ns
		agree := stat(s, Agree, na, nd, ns, na, ra, rs)
		disagree := stat(s, Disagree, na, nd, ns, nd, rd, rs)
		agreeOK := agree.Test > z90 && agree.RepTest > z90
		disagreeOK := disagree.Test > z90 && disagree.RepTest > z90
		switch {
		case agreeOK && (!disagreeOK || agree.RepTest > disagree.RepTest):
			pass = append(pass, agree)
		case disagreeOK:
			pass = append(pass, disagree)
		}
		if na > 0 && agree.Test > z90 && agree.Ratio > 1 && (bestAgree == nil || agree.Score > bestAgree.Score) {
			a := agree
			bestAgree = &a
		}
	}
	slices.SortStableFunc(pass, byScore)
	var out []Repness
	if bestAgree != nil {
		bestAgree.BestAgree = true
		out = append(out, *bestAgree)
	}
	for _, r := range pass {
		if len(out) == maxRepresentative {
			break
		}
		if bestAgree == nil || r.Statement != bestAgree.Statement {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b Repness) int { return cmp.Compare(b.Direction, a.Direction) })
	return out
}

func stat(s int, dir Vote, na, nd, ns, n, nRest, sRest int32) Repness {
	p := float64(n+1) / float64(ns+2)
	pRest := float64(nRest+1) / float64(sRest+2)
	r := Repness{
		Statement: s, Direction: dir,
		PA: p, PRest: pRest, Ratio: p / pRest,
		Test:    propTest(n, ns),
		RepTest: twoPropTest(n, ns, nRest, sRest),
		Agree:   int(na), Disagree: int(nd), Seen: int(ns),
	}
	r.Score = r.Ratio * r.RepTest * r.PA * r.Test
	return r
}

func byScore(a, b Repness) int {
	if c := cmp.Compare(b.Score, a.Score); c != 0 {
		return c
	}
	return cmp.Compare(a.Statement, b.Statement)
}

// consensus lists the statements that most of everyone agree with (or
// disagree with): P > ½ and the one-proportion test significant, ranked by
// P·Test.
func consensus(t *counts, excluded []bool) []Consensus {
	var out []Consensus
	for s := range t.agree {
		if excluded[s] {
			continue
		}
		seen := t.agree[s] + t.disagree[s] + t.pass[s]
		for _, c := range []struct {
			dir Vote
			n   int32
		}{{Agree, t.agree[s]}, {Disagree, t.disagree[s]}} {
			p := float64(c.n+1) / float64(seen+2)
			z := propTest(c.n, seen)
			if p > 0.5 && z > z90 {
				out = append(out, Consensus{Statement: s, Direction: c.dir, P: p, Test: z})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Consensus) int {
		if c := cmp.Compare(b.P*b.Test, a.P*a.Test); c != 0 {
			return c
		}
		return cmp.Compare(a.Statement, b.Statement)
	})
	return out
}
