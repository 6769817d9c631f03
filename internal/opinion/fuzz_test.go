package opinion

import (
	"encoding/json"
	"testing"
)

// FuzzOpinionCompute builds a small matrix from arbitrary bytes and checks that
// NewMatrix and Compute never panic and that every result keeps its
// invariants; a second run warm-started from the first, and Pick on its
// priorities, too.
func FuzzOpinionCompute(f *testing.F) {
	f.Add([]byte{4, 3, 0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 3, 0, 1})
	f.Add([]byte{20, 8, 1, 0, 0, 1, 0, 1, 255, 5, 7, 1, 19, 7, 0, 3, 3, 2})
	f.Add([]byte{0, 0, 0})
	f.Add([]byte{1, 1, 1, 0, 0, 1, 0, 0, 255})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 3 {
			return
		}
		participants, statements := int(b[0]%40), int(b[1]%16)
		excluded := make([]bool, statements)
		for s := range excluded {
			excluded[s] = b[2]>>(s%8)&1 == 1 && s < 8
		}
		var entries []Entry
		for i := 3; i+2 < len(b); i += 3 {
			// Mostly in range, sometimes just outside, sometimes an invalid vote.
			v := Vote(b[i+2]%3) - 1
			if b[i+2] >= 250 {
				v = 2
			}
			entries = append(entries, Entry{P: int32(b[i]%byte(participants+2)) - 1, S: int32(b[i+1]%byte(statements+2)) - 1, V: v})
		}
		m, err := NewMatrix(participants, statements, entries)
		if err != nil {
			for _, e := range entries {
				if e.P < 0 || int(e.P) >= participants || e.S < 0 || int(e.S) >= statements || e.V < Disagree || e.V > Agree {
					return // a bad entry: the error is right
				}
			}
			t.Fatalf("NewMatrix refused good entries: %v", err)
		}
		// The last entry for each cell wins.
		last := map[[2]int32]Vote{}
		for _, e := range entries {
			last[[2]int32{e.P, e.S}] = e.V
		}
		if m.Len() != len(last) {
			t.Fatalf("%d votes held, %d distinct cells", m.Len(), len(last))
		}
		for c, v := range last {
			if got, ok := m.At(int(c[0]), int(c[1])); !ok || got != v {
				t.Fatalf("At(%d, %d) = %v, %v; want %v", c[0], c[1], got, ok, v)
			}
		}
		r, err := Compute(m, Options{Seed: uint64(len(b)), BaseClusters: 1 + int(b[2]%20), Excluded: excluded})
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, m, r, excluded)
		js, err := json.Marshal(r.State)
		if err != nil {
			t.Fatal(err)
		}
		var state State
		if err := json.Unmarshal(js, &state); err != nil {
			t.Fatal(err)
		}
		r2, err := Compute(m, Options{Seed: 1, Previous: &state, Excluded: excluded})
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, m, r2, excluded)
		priority := make([]float64, len(r2.Statements))
		for s, st := range r2.Statements {
			priority[s] = st.Priority
		}
		seen := func(s int) bool { return s%2 == 0 }
		if s, ok := Pick(priority, statements+1, seen, float64(b[0])/256); ok && (seen(s) || s < 0 || s > statements || s < statements && excluded[s]) {
			t.Fatalf("Pick returned %d", s)
		}
	})
}
