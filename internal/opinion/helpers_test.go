package opinion

import (
	"math/rand/v2"
	"testing"
)

// grid builds a matrix from rows of letters, one row per participant, one
// column per statement: a agree, d disagree, p pass, . not seen.
func grid(t testing.TB, rows ...string) *Matrix {
	t.Helper()
	var entries []Entry
	statements := 0
	for p, row := range rows {
		statements = max(statements, len(row))
		for s, c := range row {
			var v Vote
			switch c {
			case 'a':
				v = Agree
			case 'd':
				v = Disagree
			case 'p':
				v = Pass
			case '.':
				continue
			default:
				t.Fatalf("row %d: bad letter %q", p, c)
			}
			entries = append(entries, Entry{P: int32(p), S: int32(s), V: v})
		}
	}
	m, err := NewMatrix(len(rows), statements, entries)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// planted makes a conversation with the given group sizes: on each
// statement each group leans to agree or to disagree (80%), and each
// participant sees a random share of the statements. It returns the matrix
// and each participant's planted group.
func planted(t testing.TB, seed uint64, sizes []int, statements int, seen float64) (*Matrix, []int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	lean := make([][]Vote, len(sizes))
	for g := range lean {
		lean[g] = make([]Vote, statements)
		for s := range lean[g] {
			lean[g][s] = Agree
			if rng.IntN(2) == 0 {
				lean[g][s] = Disagree
			}
		}
	}
	var entries []Entry
	var label []int
	p := int32(0)
	for g, n := range sizes {
		for range n {
			for s := range statements {
				if rng.Float64() >= seen {
					continue
				}
				v := lean[g][s]
				switch u := rng.Float64(); {
				case u < 0.1:
					v = -v
				case u < 0.2:
					v = Pass
				}
				entries = append(entries, Entry{P: p, S: int32(s), V: v})
			}
			label = append(label, g)
			p++
		}
	}
	m, err := NewMatrix(int(p), statements, entries)
	if err != nil {
		t.Fatal(err)
	}
	return m, label
}

func groupsOf(r Result) []int {
	out := make([]int, len(r.Participants))
	for i, p := range r.Participants {
		out[i] = p.Group
	}
	return out
}
