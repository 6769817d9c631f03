package textsim

import (
	"cmp"
	"math/bits"
	"slices"
	"strings"
)

// Cluster is a campaign: texts that are copies of one template, each
// perhaps edited and with words of its own added.
type Cluster struct {
	Size    int
	Members []string // IDs in input order
	// TemplateID and Template are the member closest to the shingles most
	// members share: the form letter as sent with the fewest changes.
	TemplateID string
	Template   string
	// Added maps a member's ID to what it says beyond the template: its
	// words not covered by any of the template's shingles, as runs of the
	// original text joined by " … ". Members that added nothing are absent.
	Added map[string]string
}

// Campaigns finds clusters of two or more near-duplicate texts, largest
// first (ties in input order of their first member). Every text in a
// cluster has a Jaccard index of at least opt.Threshold with the cluster's
// template (computed on 32-bit shingle fingerprints), so unrelated texts
// are never chained together through a run of partial overlaps.
//
// How: each text is profiled (shingle set and LSH band keys) in parallel;
// within each band, texts with equal keys are compared exactly against up
// to four bucket leaders and linked at two thirds of the threshold; linked
// components are then split around a representative (the member closest
// to the shingles shared by most of the component), keeping those at the
// threshold and re-splitting the rest.
func Campaigns(docs []Doc, opt Options) []Cluster {
	opt = opt.withDefaults()
	e := newEngine(docs, opt)
	groups := e.groups()
	out := make([]Cluster, len(groups))
	parallel(opt.Workers, len(groups), 1, func(lo, hi int) {
		for g := lo; g < hi; g++ {
			out[g] = e.describe(groups[g])
		}
	})
	return out
}

// engine is one batch run of near-duplicate detection.
type engine struct {
	docs    []Doc
	opt     Options
	sets    [][]uint32 // fingerprint sets; nil for texts too short to cluster
	keys    [][]uint64 // per band, per text: band key (high bits) | text index
	idxBits uint
}

type edge struct{ a, b int32 }

// group is a cluster found by the engine, by text index.
type group struct {
	rep     int32
	members []int32 // ascending
}

func newEngine(docs []Doc, opt Options) *engine {
	n := len(docs)
	e := &engine{docs: docs, opt: opt, sets: make([][]uint32, n)}
	e.idxBits = uint(max(1, bits.Len(uint(n))))
	e.keys = make([][]uint64, opt.Bands)
	for b := range e.keys {
		e.keys[b] = make([]uint64, n)
	}
	mask := uint64(1)<<e.idxBits - 1
	parallel(opt.Workers, n, 2048, func(lo, hi int) {
		p := newProfiler(opt)
		var a arena
		keys := make([]uint64, opt.Bands)
		for i := lo; i < hi; i++ {
			set, ok := p.profile(docs[i].Text, keys)
			for b := range keys {
				k := ^uint64(0)
				if ok {
					k = keys[b]
				}
				e.keys[b][i] = k&^mask | uint64(i)
			}
			if ok {
				e.sets[i] = a.keep(set)
			}
		}
	})
	return e
}

// groups returns the clusters of two or more texts, largest first.
func (e *engine) groups() []group {
	n := len(e.docs)
	perBand := make([][]edge, e.opt.Bands)
	spare := make(chan []uint64, e.opt.Workers) // sort buffers, one per worker
	parallel(e.opt.Workers, e.opt.Bands, 1, func(lo, hi int) {
		var tmp []uint64
		select {
		case tmp = <-spare:
		default:
			tmp = make([]uint64, n)
		}
		for b := lo; b < hi; b++ {
			sorted := radixSort(e.keys[b], tmp)
			perBand[b] = e.bandEdges(sorted)
			tmp = e.keys[b]
			e.keys[b] = nil // let the memory go as soon as a band is done
		}
		spare <- tmp
	})
	uf := newUnionFind(n)
	var edges []edge
	for _, es := range perBand {
		for _, ed := range es {
			uf.union(ed.a, ed.b)
		}
		edges = append(edges, es...)
	}
	comps, compEdges := components(uf, edges)
	found := make([][]group, len(comps))
	parallel(e.opt.Workers, len(comps), 1, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			found[c] = e.split(comps[c], compEdges[c])
		}
	})
	var out []group
	for _, gs := range found {
		out = append(out, gs...)
	}
	slices.SortFunc(out, func(x, y group) int {
		return cmp.Or(cmp.Compare(len(y.members), len(x.members)), cmp.Compare(x.members[0], y.members[0]))
	})
	return out
}

// maxLeaders bounds the exact comparisons a text costs in one LSH bucket.
const maxLeaders = 4

// bandEdges takes one band's sorted keys and, within each bucket of equal keys,
// links each text to the first of the bucket's leaders it is similar to;
// a text similar to none becomes a leader while there are fewer than
// maxLeaders. A bucket of a thousand copies costs a thousand comparisons,
// not half a million.
func (e *engine) bandEdges(ks []uint64) []edge {
	mask := uint64(1)<<e.idxBits - 1
	edgeT := e.opt.edgeThreshold()
	var out []edge
	var leaders []int32
	for i := 0; i < len(ks); {
		j := i + 1
		for j < len(ks) && ks[j]&^mask == ks[i]&^mask {
			j++
		}
		if j-i < 2 {
			i = j
			continue
		}
		leaders = leaders[:0]
		for _, k := range ks[i:j] {
			x := int32(k & mask)
			if e.sets[x] == nil {
				continue
			}
			linked := false
			for _, l := range leaders {
				if similar(e.sets[l], e.sets[x], edgeT) {
					out = append(out, edge{l, x})
					linked = true
					break
				}
			}
			if !linked && len(leaders) < maxLeaders {
				leaders = append(leaders, x)
			}
		}
		i = j
	}
	return out
}

// radixSort sorts ks into tmp (of the same length) and returns it: one
// pass to distribute by the top 16 bits, then a sort within each bucket,
// which for random keys holds a handful. Three times as fast as sorting
// the whole.
func radixSort(ks, tmp []uint64) []uint64 {
	const bits = 16
	count := make([]int, 1<<bits+1)
	for _, k := range ks {
		count[k>>(64-bits)+1]++
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	next := slices.Clone(count[:1<<bits])
	for _, k := range ks {
		b := k >> (64 - bits)
		tmp[next[b]] = k
		next[b]++
	}
	for b := range 1 << bits {
		bucket := tmp[count[b]:count[b+1]]
		if len(bucket) > 32 {
			slices.Sort(bucket)
			continue
		}
		for i := 1; i < len(bucket); i++ {
			for j := i; j > 0 && bucket[j] < bucket[j-1]; j-- {
				bucket[j], bucket[j-1] = bucket[j-1], bucket[j]
			}
		}
	}
	return tmp
}

// split breaks a linked component into clusters whose every member is at
// the threshold with the cluster's representative. Members left over are
// re-split by the links among themselves, so a chain A–B–C–D of partial
// overlaps becomes separate clusters rather than one.
//
// Each round costs a pass over what is left, so a component that peels a
// few members a round would cost quadratic time; past a budget of rounds,
// what is left is clustered around leaders instead (each member joins the
// first of up to 16 leaders it is at the threshold with, or leads), which
// keeps the guarantee at a bounded cost.
func (e *engine) split(members []int32, edges []edge) []group {
	var out []group
	todo := [][]int32{members}
	budget := 64 * len(members)
	for len(todo) > 0 {
		ms := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if len(ms) < 2 {
			continue
		}
		if budget < 0 {
			out = append(out, e.leaders(ms)...)
			continue
		}
		budget -= len(ms) + sampleSize
		rep := e.representative(ms)
		var in, rest []int32
		for _, x := range ms {
			if x == rep || similar(e.sets[rep], e.sets[x], e.opt.Threshold) {
				in = append(in, x)
			} else {
				rest = append(rest, x)
			}
		}
		if len(in) >= 2 {
			out = append(out, group{rep: rep, members: in})
		}
		if len(rest) >= 2 {
			todo = append(todo, subComponents(rest, edges)...)
		}
	}
	return out
}

// leaders clusters ms (ascending) around leaders taken in order.
func (e *engine) leaders(ms []int32) []group {
	const most = 16
	var gs []group
	for _, x := range ms {
		joined := false
		for i := range gs {
			if similar(e.sets[gs[i].rep], e.sets[x], e.opt.Threshold) {
				gs[i].members = append(gs[i].members, x)
				joined = true
				break
			}
		}
		if !joined && len(gs) < most {
			gs = append(gs, group{rep: x, members: []int32{x}})
		}
	}
	return slices.DeleteFunc(gs, func(g group) bool { return len(g.members) < 2 })
}

// sampleSize bounds the members used to find a component's shared core.
const sampleSize = 256

// representative picks the member closest (by Jaccard index) to the core of
// the component: the shingles at least half of the members have. That is
// the template with the fewest edits and additions. A component with no
// such core (a chain) falls back to its medoid.
func (e *engine) representative(ms []int32) int32 {
	sample := ms
	if len(ms) > sampleSize {
		sample = make([]int32, sampleSize)
		for i := range sample {
			sample[i] = ms[i*len(ms)/sampleSize]
		}
	}
	counts := map[uint32]int32{}
	for _, x := range sample {
		for _, f := range e.sets[x] {
			counts[f]++
		}
	}
	need := max(2, int32(len(sample)+1)/2)
	core := 0
	for _, c := range counts {
		if c >= need {
			core++
		}
	}
	if core == 0 {
		return e.medoid(sample)
	}
	best, bestScore := sample[0], -1.0
	for _, x := range sample {
		in := 0
		for _, f := range e.sets[x] {
			if counts[f] >= need {
				in++
			}
		}
		if s := float64(in) / float64(len(e.sets[x])+core-in); s > bestScore {
			best, bestScore = x, s
		}
	}
	return best
}

// medoid returns the member with the greatest total similarity to the
// others, among the first 64.
func (e *engine) medoid(ms []int32) int32 {
	ms = ms[:min(len(ms), 64)]
	best, bestScore := ms[0], -1.0
	for _, x := range ms {
		s := 0.0
		for _, y := range ms {
			if x != y {
				s += jaccard32(e.sets[x], e.sets[y])
			}
		}
		if s > bestScore {
			best, bestScore = x, s
		}
	}
	return best
}

// describe turns a group into a Cluster: IDs, template and added text.
func (e *engine) describe(g group) Cluster {
	c := Cluster{
		Size:       len(g.members),
		Members:    make([]string, len(g.members)),
		TemplateID: e.docs[g.rep].ID,
		Template:   e.docs[g.rep].Text,
		Added:      map[string]string{},
	}
	var sc addScratch
	for i, x := range g.members {
		c.Members[i] = e.docs[x].ID
		if x == g.rep {
			continue
		}
		if a := sc.added(e.docs[x].Text, e.sets[g.rep], e.opt.Shingle); a != "" {
			c.Added[e.docs[x].ID] = a
		}
	}
	return c
}

// addScratch is reusable space for added.
type addScratch struct {
	buf     []byte
	words   []uint64
	spans   [][2]int
	covered []bool
}

// AddedSeparator joins the separate runs of text a member added.
const AddedSeparator = " … "

// added returns the runs of text's words that no shingle of the template
// covers: what the writer added or changed. A word substituted in the
// middle of the template comes out alone; a sentence added at the end comes
// out whole.
func (s *addScratch) added(text string, template []uint32, k int) string {
	s.words, s.spans = s.words[:0], s.spans[:0]
	s.buf = scan(text, s.buf, func(tok []byte, start, end int) {
		s.words = append(s.words, hashToken(tok))
		s.spans = append(s.spans, [2]int{start, end})
	})
	n := len(s.words)
	if n == 0 {
		return ""
	}
	k = min(k, n)
	s.covered = slices.Grow(s.covered[:0], n)[:n]
	clear(s.covered)
	for i := 0; i+k <= n; i++ {
		if _, ok := slices.BinarySearch(template, fingerprint(shingleHash(s.words[i:i+k]))); ok {
			for j := i; j < i+k; j++ {
				s.covered[j] = true
			}
		}
	}
	var b strings.Builder
	for i := 0; i < n; {
		if s.covered[i] {
			i++
			continue
		}
		j := i
		for j+1 < n && !s.covered[j+1] {
			j++
		}
		if b.Len() > 0 {
			b.WriteString(AddedSeparator)
		}
		b.WriteString(text[s.spans[i][0]:s.spans[j][1]])
		i = j + 1
	}
	return b.String()
}

// unionFind is a disjoint-set forest over text indexes.
type unionFind struct{ parent, size []int32 }

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int32, n), size: make([]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
		u.size[i] = 1
	}
	return u
}

func (u *unionFind) find(x int32) int32 {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

// union joins the sets of a and b, reporting whether they were apart.
func (u *unionFind) union(a, b int32) bool {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return false
	}
	if u.size[ra] < u.size[rb] || u.size[ra] == u.size[rb] && ra > rb {
		ra, rb = rb, ra
	}
	u.parent[rb] = ra
	u.size[ra] += u.size[rb]
	return true
}

// components returns the sets of two or more (members ascending, sets in
// order of their smallest member) and the edges within each.
func components(u *unionFind, edges []edge) ([][]int32, [][]edge) {
	n := len(u.parent)
	id := make([]int32, n) // root → component number + 1
	var comps [][]int32
	for x := range int32(n) {
		r := u.find(x)
		if u.size[r] < 2 {
			continue
		}
		if id[r] == 0 {
			comps = append(comps, make([]int32, 0, u.size[r]))
			id[r] = int32(len(comps))
		}
		c := id[r] - 1
		comps[c] = append(comps[c], x)
	}
	compEdges := make([][]edge, len(comps))
	for _, ed := range edges {
		c := id[u.find(ed.a)] - 1
		compEdges[c] = append(compEdges[c], ed)
	}
	return comps, compEdges
}

// subComponents splits ms (ascending) into the parts of two or more that
// edges among them connect, each ascending.
func subComponents(ms []int32, edges []edge) [][]int32 {
	pos := make(map[int32]int32, len(ms))
	for i, x := range ms {
		pos[x] = int32(i)
	}
	u := newUnionFind(len(ms))
	for _, ed := range edges {
		a, okA := pos[ed.a]
		b, okB := pos[ed.b]
		if okA && okB {
			u.union(a, b)
		}
	}
	local, _ := components(u, nil)
	for _, c := range local {
		for i, p := range c {
			c[i] = ms[p]
		}
	}
	return local
}
