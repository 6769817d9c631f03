// Package opinion is the arithmetic of conversations: from a sparse matrix of
// agree / disagree / pass votes it finds opinion groups, the statements that
// represent each group, the statements with consensus, and how often each
// statement should be shown next.
//
// It follows the method Pol.is publishes (compdemocracy/polis, math/) so that
// results can be compared with Polis's own: participants with at least
// min(7, statements) votes are clustered; two principal components of the
// mean-imputed, centred vote matrix place them on a map; k-means makes about
// 100 base clusters and then 2 to 5 groups chosen by silhouette; statements are
// ranked with Polis's proportion tests. The work is proportional to the number
// of votes, never to participants × statements, and the result is the same for
// the same input and seed whatever the number of CPUs.
//
// The package is pure: no I/O, no globals, safe for concurrent use.
package opinion

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Vote is one participant's answer to one statement. The values follow the
// Polis open-data exports (not Polis's internal coding, which flips the sign).
type Vote int8

// The three answers.
const (
	Disagree Vote = -1
	Pass     Vote = 0
	Agree    Vote = 1
)

func (v Vote) String() string {
	switch v {
	case Agree:
		return "agree"
	case Disagree:
		return "disagree"
	case Pass:
		return "pass"
	}
	return fmt.Sprintf("Vote(%d)", int8(v))
}

// MarshalText makes a Vote read "agree", "disagree" or "pass" in JSON.
func (v Vote) MarshalText() ([]byte, error) {
	if v < Disagree || v > Agree {
		return nil, fmt.Errorf("opinion: invalid vote %d", int8(v))
	}
	return []byte(v.String()), nil
}

// UnmarshalText reads what MarshalText writes.
func (v *Vote) UnmarshalText(b []byte) error {
	switch string(b) {
	case "agree":
		*v = Agree
	case "disagree":
		*v = Disagree
	case "pass":
		*v = Pass
	default:
		return fmt.Errorf("opinion: invalid vote %q", b)
	}
	return nil
}

// Entry is one vote in dense coordinates: P is the participant's index and S
// the statement's, both counted from 0.
type Entry struct {
	P, S int32
	V    Vote
}

// Matrix holds votes sparsely, row by participant, each row sorted by
// statement. It is read-only once made and safe to share between goroutines.
type Matrix struct {
	participants, statements int
	start                    []int // row p is cols[start[p]:start[p+1]]
	cols                     []int32
	vals                     []Vote
}

// NewMatrix builds a matrix of the given size. A repeated (P, S) keeps the
// entry that comes last in entries, so votes in the order cast give each
// participant's latest answer. Out-of-range indices and votes other than
// -1, 0 and 1 are errors.
func NewMatrix(participants, statements int, entries []Entry) (*Matrix, error) {
	if participants < 0 || statements < 0 {
		return nil, fmt.Errorf("opinion: negative size %d × %d", participants, statements)
	}
	if participants > math.MaxInt32 || statements > math.MaxInt32 {
		return nil, fmt.Errorf("opinion: size %d × %d is too large", participants, statements)
	}
	m := &Matrix{participants: participants, statements: statements, start: make([]int, participants+1)}
	// Count per row, checking every entry on the way.
	for i, e := range entries {
		if e.P < 0 || int(e.P) >= participants {
			return nil, fmt.Errorf("opinion: entry %d: participant %d out of range [0, %d)", i, e.P, participants)
		}
		if e.S < 0 || int(e.S) >= statements {
			return nil, fmt.Errorf("opinion: entry %d: statement %d out of range [0, %d)", i, e.S, statements)
		}
		if e.V < Disagree || e.V > Agree {
			return nil, fmt.Errorf("opinion: entry %d: invalid vote %d", i, e.V)
		}
		m.start[e.P+1]++
	}
	for p := 0; p < participants; p++ {
		m.start[p+1] += m.start[p]
	}
	// Stable counting sort by participant: within a row, entries keep their
	// input order, which is what "last wins" needs.
	m.cols = make([]int32, len(entries))
	m.vals = make([]Vote, len(entries))
	next := slices.Clone(m.start[:participants])
	for _, e := range entries {
		k := next[e.P]
		m.cols[k], m.vals[k] = e.S, e.V
		next[e.P]++
	}
	next = nil
	// Sort each row by statement and drop repeats, in parallel; rows shrink
	// in place and are compacted afterwards.
	length := make([]int32, participants)
	chunks := splitEven(participants, len(entries))
	parallel(len(chunks), func(c int) {
		var keys []uint64
		var tmp []Vote
		for p := chunks[c].lo; p < chunks[c].hi; p++ {
			lo, hi := m.start[p], m.start[p+1]
			length[p] = int32(sortRow(m.cols[lo:hi], m.vals[lo:hi], &keys, &tmp))
		}
	})
	w := 0
	for p := 0; p < participants; p++ {
		lo, n := m.start[p], int(length[p])
		if w != lo {
			copy(m.cols[w:], m.cols[lo:lo+n])
			copy(m.vals[w:], m.vals[lo:lo+n])
		}
		m.start[p] = w
		w += n
	}
	m.start[participants] = w
	if w < len(entries) {
		m.cols = slices.Clip(m.cols[:w])
		m.vals = slices.Clip(m.vals[:w])
	}
	return m, nil
}

// sortRow sorts one row by statement, keeping the last of repeated
// statements, and returns the new length. keys and tmp are scratch space.
func sortRow(cols []int32, vals []Vote, keys *[]uint64, tmp *[]Vote) int {
	sorted := true
	for k := 1; k < len(cols); k++ {
		if cols[k] <= cols[k-1] {
			sorted = false
			break
		}
	}
	if sorted {
		return len(cols)
	}
	ks := (*keys)[:0]
	for k, s := range cols {
		ks = append(ks, uint64(s)<<32|uint64(k))
	}
	slices.Sort(ks)
	t := append((*tmp)[:0], vals...)
	n := 0
	for i, key := range ks {
		s := int32(key >> 32)
		if i+1 < len(ks) && int32(ks[i+1]>>32) == s {
			continue // a later entry for the same statement wins
		}
		cols[n], vals[n] = s, t[uint32(key)]
		n++
	}
	*keys, *tmp = ks, t
	return n
}

// Participants is the number of rows.
func (m *Matrix) Participants() int { return m.participants }

// Statements is the number of columns.
func (m *Matrix) Statements() int { return m.statements }

// Len is the number of votes held (after repeats were dropped).
func (m *Matrix) Len() int { return len(m.cols) }

// Row returns participant p's votes: statements in increasing order and the
// vote on each. The slices belong to the matrix and must not be changed.
func (m *Matrix) Row(p int) ([]int32, []Vote) {
	lo, hi := m.start[p], m.start[p+1]
	return m.cols[lo:hi:hi], m.vals[lo:hi:hi]
}

// At returns participant p's vote on statement s, and whether there is one.
func (m *Matrix) At(p, s int) (Vote, bool) {
	if p < 0 || p >= m.participants || s < 0 || s >= m.statements {
		return 0, false
	}
	cols, vals := m.Row(p)
	k, ok := slices.BinarySearch(cols, int32(s))
	if !ok {
		return 0, false
	}
	return vals[k], true
}

var errNilMatrix = errors.New("opinion: nil matrix")
