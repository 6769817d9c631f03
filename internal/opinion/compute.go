package opinion

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Defaults from Polis.
const (
	DefaultBaseClusters = 100
	maxGroups           = 5
	kBuffer             = 4 // a new k must be best this many runs in a row
	minVotes            = 7 // votes a participant needs to be clustered
	greedyParticipants  = 15
	z90                 = 1.2816 // one-sided 90% significance
	maxRepresentative   = 5
)

// Options tune Compute. The zero value is usable.
type Options struct {
	Seed         uint64 // drives every random choice; same seed, same result
	BaseClusters int    // 0 means DefaultBaseClusters
	// Previous is the State of the last run on this conversation, or nil. It
	// warm-starts the PCA and the clusterings, keeps group IDs stable, and
	// makes a change in the number of groups wait until the new number has
	// won kBuffer runs in a row.
	Previous *State
	// Excluded marks statements moderated out (it may be shorter than the
	// number of statements). They take no part in the groups,
	// representativeness or consensus, and their priority is 0 so Pick never
	// offers them. As in Polis, which zeroes their columns, votes on them
	// still count towards the votes a participant needs to be clustered, and
	// on the map everyone counts as having passed on them.
	Excluded []bool
}

// Result is everything a conversation shows. Indices are the dense indices
// of the Matrix.
type Result struct {
	K            int              `json:"k"`            // number of groups
	Groups       []Group          `json:"groups"`       // by ID, 0 … K-1
	Participants []Placement      `json:"participants"` // one per participant
	Consensus    []Consensus      `json:"consensus"`    // best first
	GroupAware   []float64        `json:"group_aware"`  // per statement: Π over groups of (A+1)/(S+2)
	Statements   []StatementStats `json:"statements"`   // per statement
	State        State            `json:"state"`        // pass as Options.Previous next time
}

// Group is one opinion group.
type Group struct {
	ID             int        `json:"id"`
	Size           int        `json:"size"`   // participants
	Centre         [2]float64 `json:"centre"` // on the map
	Representative []Repness  `json:"representative"`
}

// Placement is a participant on the opinion map.
type Placement struct {
	X         float64 `json:"x"`
	Y         float64 `json:"y"`
	Group     int     `json:"group"`     // group ID, or -1 if not clustered
	Clustered bool    `json:"clustered"` // voted enough to be clustered
	Votes     int     `json:"votes"`     // votes cast, excluded statements included
}

// Consensus is a statement most participants answer the same way.
type Consensus struct {
	Statement int     `json:"statement"`
	Direction Vote    `json:"direction"` // Agree or Disagree
	P         float64 `json:"p"`         // (n+1)/(S+2), n the votes in Direction
	Test      float64 `json:"test"`      // one-proportion z
}

// Repness says how well a statement represents a group. P is the smoothed
// share of the group voting in Direction, PRest the same for everyone
// clustered outside the group, Ratio = P / PRest, Test the one-proportion z
// of P against one half, RepTest the two-proportion z of the group against
// the rest, and Score = Ratio·RepTest·P·Test, the order of the list.
type Repness struct {
	Statement int     `json:"statement"`
	Direction Vote    `json:"direction"`
	PA        float64 `json:"p"`
	PRest     float64 `json:"p_rest"`
	Ratio     float64 `json:"ratio"`
	Test      float64 `json:"test"`
	RepTest   float64 `json:"rep_test"`
	Score     float64 `json:"score"`
	Agree     int     `json:"agree"`
	Disagree  int     `json:"disagree"`
	Seen      int     `json:"seen"` // votes in the group, passes included
	// BestAgree marks the statement the group agrees on most: it comes
	// first even when it does not pass the two-proportion test.
	BestAgree bool `json:"best_agree,omitempty"`
}

// StatementStats are a statement's totals over every participant.
type StatementStats struct {
	Agree     int     `json:"agree"`
	Disagree  int     `json:"disagree"`
	Pass      int     `json:"pass"`
	Extremity float64 `json:"extremity"` // distance from the centre of a lone agree vote, on the map
	Priority  float64 `json:"priority"`  // routing weight for Pick
}

// State carries what one run passes to the next.
type State struct {
	Components  [2][]float64 `json:"components"`    // principal components, one entry per statement
	BaseCentres [][2]float64 `json:"base_centres"`  // base clusters
	Groups      [][2]float64 `json:"group_centres"` // centre of group ID i
	Clusterings []Clustering `json:"clusterings"`   // last clustering for every k tried
	K           int          `json:"k"`             // number of groups in use
	LastK       int          `json:"last_k"`        // best k of the last run
	LastKCount  int          `json:"last_k_count"`  // runs in a row LastK has been best
}

// Clustering is the centres of the groups for one k.
type Clustering struct {
	K       int          `json:"k"`
	Centres [][2]float64 `json:"centres"`
}

// Compute runs the whole analysis on m.
func Compute(m *Matrix, opt Options) (Result, error) {
	if m == nil {
		return Result{}, errNilMatrix
	}
	n, d := m.participants, m.statements
	if len(opt.Excluded) > d {
		return Result{}, fmt.Errorf("opinion: %d exclusion flags for %d statements", len(opt.Excluded), d)
	}
	base := opt.BaseClusters
	if base == 0 {
		base = DefaultBaseClusters
	}
	if base < 0 {
		return Result{}, errors.New("opinion: negative number of base clusters")
	}
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15))
	excluded := make([]bool, d)
	copy(excluded, opt.Excluded)

	// Who votes on what.
	votes := make([]int, n)
	votesIn := make([]int, n)
	for p := range n {
		votes[p] = m.start[p+1] - m.start[p]
		for _, s := range m.cols[m.start[p]:m.start[p+1]] {
			if !excluded[s] {
				votesIn[p]++
			}
		}
	}
	clustered := chooseClustered(votes, d)

	// The map: PCA over everyone who voted (as Polis does), then each
	// participant projected from their own votes only.
	var voters []int32
	for p := range n {
		if votesIn[p] > 0 {
			voters = append(voters, int32(p))
		}
	}
	mu := columnMeans(m, voters, excluded)
	var warm [2][]float64
	if opt.Previous != nil {
		warm = opt.Previous.Components
	}
	comps := principal(m, voters, mu, excluded, warm, rng)
	xy := project(m, mu, comps, excluded, votesIn)

	// Base clusters, then groups.
	pts := make([][2]float64, len(clustered))
	for i, p := range clustered {
		pts[i] = xy[p]
	}
	var prevBase [][2]float64
	if opt.Previous != nil {
		prevBase = opt.Previous.BaseCentres
	}
	bc := baseClusters(pts, base, prevBase, rng)
	g := chooseGroups(bc, opt.Previous, rng)

	res := Result{
		K:            g.k,
		Participants: make([]Placement, n),
		Statements:   make([]StatementStats, d),
		GroupAware:   make([]float64, d),
	}
	for p := range n {
		res.Participants[p] = Placement{X: xy[p][0], Y: xy[p][1], Group: -1, Votes: votes[p]}
	}
	groupOf := make([]int32, n) // group ID per participant, -1 if none
	for p := range groupOf {
		groupOf[p] = -1
	}
	for i, p := range clustered {
		id := g.id[g.label[bc.label[i]]]
		groupOf[p] = int32(id)
		res.Participants[p].Group = id
		res.Participants[p].Clustered = true
	}
	res.Groups = make([]Group, g.k)
	for c := range g.k {
		id := g.id[c]
		res.Groups[id] = Group{ID: id, Size: g.size[c], Centre: g.centres[c]}
	}

	t := tally(m, groupOf, g.k)
	for id := range res.Groups {
		res.Groups[id].Representative = representative(t, id, excluded)
	}
	res.Consensus = consensus(t, excluded)
	for s := range d {
		st := &res.Statements[s]
		st.Agree, st.Disagree, st.Pass = int(t.agree[s]), int(t.disagree[s]), int(t.pass[s])
		ga := 1.0
		for id := range g.k {
			ga *= float64(t.gAgree[id][s]+1) / float64(t.gSeen[id][s]+2)
		}
		if excluded[s] {
			continue
		}
		if g.k > 0 {
			res.GroupAware[s] = ga
		}
		// Extremity as Polis computes it: the map position of someone who
		// agreed with this statement alone.
		st.Extremity = math.Abs(1-mu[s]) * math.Sqrt(float64(d)) * math.Hypot(comps[0][s], comps[1][s])
		st.Priority = Priority(st.Agree, st.Pass, st.Agree+st.Disagree+st.Pass, st.Extremity)
	}

	res.State = State{
		Components:  comps,
		BaseCentres: bc.centres,
		Groups:      make([][2]float64, g.k),
		Clusterings: g.clusterings,
		K:           g.k,
		LastK:       g.lastK,
		LastKCount:  g.lastKCount,
	}
	for c := range g.k {
		res.State.Groups[g.id[c]] = g.centres[c]
	}
	return res, nil
}

// chooseClustered returns the participants to cluster, in index order: those
// with at least min(7, statements) votes, topped up with the most active
// voters to at least 15.
func chooseClustered(votes []int, statements int) []int32 {
	need := max(1, min(minVotes, statements))
	var out []int32
	in := make([]bool, len(votes))
	for p, v := range votes {
		if v >= need {
			out = append(out, int32(p))
			in[p] = true
		}
	}
	if len(out) < greedyParticipants {
		var rest []int32
		for p, v := range votes {
			if !in[p] && v > 0 {
				rest = append(rest, int32(p))
			}
		}
		slices.SortStableFunc(rest, func(a, b int32) int { return cmp.Compare(votes[b], votes[a]) })
		for _, p := range rest[:min(len(rest), greedyParticipants-len(out))] {
			in[p] = true
		}
		out = out[:0]
		for p := range votes {
			if in[p] {
				out = append(out, int32(p))
			}
		}
	}
	return out
}

// Priority is the routing weight Polis gives a statement with A agrees, P
// passes and S votes in all, and the given extremity: statements that people
// do not pass on, that divide the map and that are agreed with come up often,
// and new statements come up first (a statement with no votes has 5.0625).
func Priority(agree, pass, seen int, extremity float64) float64 {
	p := float64(pass+1) / float64(seen+2)
	a := float64(agree+1) / float64(seen+2)
	importance := (1 - p) * (extremity + 1) * a
	v := importance * (1 + 8*math.Exp2(-float64(seen)/5))
	return v * v
}
