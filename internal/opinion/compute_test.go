package opinion

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// The hand-made conversations of the golden tests.
var goldenCases = []struct {
	name     string
	rows     []string
	excluded []bool
}{
	{
		// Two camps of 8 who answer statements 0–7 in opposite ways and all
		// agree with 8; 9 is a coin toss. The last participant voted on
		// too little to be clustered.
		name: "two-groups",
		rows: []string{
			"aaaaddddap", "aaaadddda.", "aaa.ddddad", "aaaaddd.aa", "aaaaddddap", "a.aaddddad", "aaaad.ddaa", "aaaaddddap",
			"ddddaaaaap", "ddddaaaaad", "dddd.aaaaa", "ddd.aaaaap", "ddddaaaa.d", "ddddaaaaaa", "d.ddaaaaap", "ddddaaaaad",
			"a...d.....",
		},
	},
	{
		// Three camps of 6, each agreeing with its own three statements and
		// disagreeing with the others'; everyone disagrees with 9.
		name: "three-groups",
		rows: []string{
			"aaaddddddd", "aaadddddd.", "aa.ddddddd", "aaaddd.ddd", "aaadddddd.", "aaaddddddd",
			"dddaaadddd", "ddda.adddd", "dddaaadddd", "dd.aaadddd", "dddaaaddd.", "dddaaadddd",
			"ddddddaaad", "ddddddaaad", "ddd.ddaaad", "ddddddaa.d", "ddddddaaad", "dddddd.aad",
		},
	},
	{
		// Fewer than 15 participants with 7 votes: the most active are
		// clustered anyway, down to 2 votes.
		name: "greedy",
		rows: []string{"aadd", "aad.", "dda.", "ddaa", "a.d.", "d..."},
	},
	{
		// As two-groups, but statement 0, the most divisive, is moderated
		// out: it must not be representative, consensual or shown.
		name:     "excluded",
		rows:     []string{"aaaaddddap", "aaaadddda.", "aaa.ddddad", "aaaaddd.aa", "aaaaddddap", "a.aaddddad", "aaaad.ddaa", "aaaaddddap", "ddddaaaaap", "ddddaaaaad", "dddd.aaaaa", "ddd.aaaaap", "ddddaaaa.d", "ddddaaaaaa", "d.ddaaaaap", "ddddaaaaad"},
		excluded: []bool{true},
	},
}

func TestOpinionGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			m := grid(t, c.rows...)
			r, err := Compute(m, Options{Seed: 1, Excluded: c.excluded})
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, m, r, c.excluded)
			got := describe(r)
			file := filepath.Join("testdata", c.name+".golden")
			if *update {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Errorf("%s differs (-want +got); run with -update if the change is right:\n%s", file, d)
			}
		})
	}
}

// describe prints a Result for people to read in a golden file.
func describe(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "k %d\n", r.K)
	for _, g := range r.Groups {
		var members []int
		for p, pl := range r.Participants {
			if pl.Group == g.ID {
				members = append(members, p)
			}
		}
		fmt.Fprintf(&b, "group %d: size %d, participants %v\n", g.ID, g.Size, members)
		for _, rep := range g.Representative {
			best := ""
			if rep.BestAgree {
				best = " (best agree)"
			}
			fmt.Fprintf(&b, "  statement %d %s: p %.4f, p rest %.4f, ratio %.4f, test %.4f, rep test %.4f, score %.4f, %d/%d/%d%s\n",
				rep.Statement, rep.Direction, rep.PA, rep.PRest, rep.Ratio, rep.Test, rep.RepTest, rep.Score, rep.Agree, rep.Disagree, rep.Seen, best)
		}
	}
	var out []int
	for p, pl := range r.Participants {
		if pl.Group < 0 {
			out = append(out, p)
		}
	}
	fmt.Fprintf(&b, "not clustered: %v\n", out)
	for _, c := range r.Consensus {
		fmt.Fprintf(&b, "consensus statement %d %s: p %.4f, test %.4f\n", c.Statement, c.Direction, c.P, c.Test)
	}
	for s, st := range r.Statements {
		fmt.Fprintf(&b, "statement %d: %d agree, %d disagree, %d pass, group-aware %.4f, extremity %.3f, priority %.3f\n",
			s, st.Agree, st.Disagree, st.Pass, r.GroupAware[s], st.Extremity, st.Priority)
	}
	return b.String()
}

// checkInvariants holds for every result.
func checkInvariants(t *testing.T, m *Matrix, r Result, excluded []bool) {
	t.Helper()
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("result does not marshal (NaN?): %v", err)
	}
	if len(r.Participants) != m.Participants() || len(r.Statements) != m.Statements() || len(r.GroupAware) != m.Statements() {
		t.Fatalf("lengths %d, %d, %d for %d × %d", len(r.Participants), len(r.Statements), len(r.GroupAware), m.Participants(), m.Statements())
	}
	if r.K != len(r.Groups) || r.K != r.State.K || len(r.State.Groups) != r.K {
		t.Fatalf("k %d with %d groups, state k %d with %d centres", r.K, len(r.Groups), r.State.K, len(r.State.Groups))
	}
	isExcluded := func(s int) bool { return s < len(excluded) && excluded[s] }
	sizes := make([]int, r.K)
	clustered := 0
	for p, pl := range r.Participants {
		cols, _ := m.Row(p)
		if pl.Votes != len(cols) {
			t.Errorf("participant %d: %d votes, want %d", p, pl.Votes, len(cols))
		}
		if pl.Group < -1 || pl.Group >= r.K || (pl.Group >= 0) != pl.Clustered && r.K > 0 {
			t.Errorf("participant %d: group %d, clustered %v, k %d", p, pl.Group, pl.Clustered, r.K)
		}
		if pl.Clustered {
			clustered++
			if pl.Votes == 0 {
				t.Errorf("participant %d clustered with no votes", p)
			}
		}
		if pl.Group >= 0 {
			sizes[pl.Group]++
		}
	}
	for id, g := range r.Groups {
		if g.ID != id || g.Size != sizes[id] || g.Size == 0 {
			t.Errorf("group %d: id %d size %d, counted %d", id, g.ID, g.Size, sizes[id])
		}
		if len(g.Representative) > maxRepresentative {
			t.Errorf("group %d: %d representative statements", id, len(g.Representative))
		}
		seenDisagree := false
		for _, rep := range g.Representative {
			if rep.Statement < 0 || rep.Statement >= m.Statements() || isExcluded(rep.Statement) {
				t.Errorf("group %d: representative statement %d", id, rep.Statement)
			}
			if rep.Direction == Disagree {
				seenDisagree = true
			} else if seenDisagree {
				t.Errorf("group %d: an agree after a disagree", id)
			}
		}
	}
	if r.K > 0 && sum(sizes) != clustered {
		t.Errorf("groups hold %d participants, %d clustered", sum(sizes), clustered)
	}
	for i, c := range r.Consensus {
		if c.P <= 0.5 || c.Test <= z90 || isExcluded(c.Statement) {
			t.Errorf("consensus %+v", c)
		}
		if i > 0 && r.Consensus[i-1].P*r.Consensus[i-1].Test < c.P*c.Test {
			t.Errorf("consensus out of order at %d", i)
		}
	}
	for s, st := range r.Statements {
		if isExcluded(s) && (st.Priority != 0 || r.GroupAware[s] != 0) {
			t.Errorf("excluded statement %d has priority %v, group-aware %v", s, st.Priority, r.GroupAware[s])
		}
		if !isExcluded(s) && !(st.Priority > 0) {
			t.Errorf("statement %d has priority %v", s, st.Priority)
		}
	}
}

func TestOpinionArithmetic(t *testing.T) {
	// A group of 10 who all agree, against 10 others who all disagree.
	r := stat(0, Agree, 10, 0, 10, 10, 0, 10)
	want := Repness{
		Direction: Agree, Agree: 10, Seen: 10,
		PA:      11.0 / 12,
		PRest:   1.0 / 12,
		Ratio:   11,
		Test:    math.Sqrt(11),                                                                         // 2·√11·(11/11 − ½)
		RepTest: (1 - 1.0/11) / math.Sqrt(12.0/22*(10.0/22)*(2.0/11)),                                  // p1 = 1, p2 = 1/11, π = 12/22
		Score:   11 * ((1 - 1.0/11) / math.Sqrt(12.0/22*(10.0/22)*(2.0/11))) * 11 / 12 * math.Sqrt(11), // ≈ 143.19
	}
	if d := cmp.Diff(want, r, cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-12 })); d != "" {
		t.Errorf("stat (-want +got):\n%s", d)
	}
	if math.Abs(r.Score-143.19) > 0.01 {
		t.Errorf("score %v, want about 143.19", r.Score)
	}
	if got := twoPropTest(5, 5, 5, 5); got != 0 {
		t.Errorf("two-proportion test of equal groups = %v", got)
	}
	for _, c := range []struct {
		a, p, s int
		e, want float64
	}{
		{0, 0, 0, 0, 5.0625},
		{10, 0, 10, 1, math.Pow((11.0/12)*2*(11.0/12)*3, 2)}, // (1−p)(E+1)a·(1+8·2^−2)
		{0, 10, 10, 0, math.Pow((1-11.0/12)*(1.0/12)*3, 2)},
	} {
		if got := Priority(c.a, c.p, c.s, c.e); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Priority(%d, %d, %d, %v) = %v, want %v", c.a, c.p, c.s, c.e, got, c.want)
		}
	}
	if Priority(0, 0, 0, 0) != NewStatementPriority {
		t.Errorf("NewStatementPriority is not Priority(0, 0, 0, 0)")
	}
}

func TestOpinionPlantedGroups(t *testing.T) {
	for _, c := range []struct {
		sizes []int
		seen  float64
	}{
		{[]int{120, 80}, 0.5},
		{[]int{100, 70, 50}, 0.5},
		{[]int{150, 100, 60}, 0.3},
	} {
		t.Run(fmt.Sprint(c.sizes), func(t *testing.T) {
			m, label := planted(t, 3, c.sizes, 60, c.seen)
			r, err := Compute(m, Options{Seed: 5})
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, m, r, nil)
			if r.K != len(c.sizes) {
				t.Errorf("k = %d, want %d", r.K, len(c.sizes))
			}
			if ari := AdjustedRandIndex(label, groupsOf(r)); ari < 0.95 {
				t.Errorf("adjusted Rand index %.3f against the planted groups", ari)
			}
			for _, g := range r.Groups[1:] {
				if g.Size > r.Groups[0].Size {
					t.Errorf("group %d (%d) is larger than group 0 (%d)", g.ID, g.Size, r.Groups[0].Size)
				}
			}
		})
	}
}

func TestOpinionDeterministic(t *testing.T) {
	m, _ := planted(t, 11, []int{300, 200, 150}, 80, 0.4)
	first, err := Compute(m, Options{Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 5} {
		runtime.GOMAXPROCS(procs)
		again, err := Compute(m, Options{Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(first, again); d != "" {
			t.Errorf("GOMAXPROCS %d: result differs (-first +again):\n%s", procs, d)
		}
	}
	// A different seed may move the odd participant, not the groups.
	other, err := Compute(m, Options{Seed: 10})
	if err != nil {
		t.Fatal(err)
	}
	if ari := AdjustedRandIndex(groupsOf(first), groupsOf(other)); ari < 0.95 {
		t.Errorf("seeds 9 and 10 agree with adjusted Rand index %.3f", ari)
	}
}

func TestOpinionWarmStart(t *testing.T) {
	m, _ := planted(t, 21, []int{200, 120, 90}, 50, 0.5)
	cold, err := Compute(m, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// The state survives JSON, as the store keeps it.
	b, err := json.Marshal(cold.State)
	if err != nil {
		t.Fatal(err)
	}
	var state State
	if err := json.Unmarshal(b, &state); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(cold.State, state); d != "" {
		t.Fatalf("state JSON round trip (-want +got):\n%s", d)
	}
	// The same votes again, warm: the same map, groups and IDs, even with
	// another seed.
	warm, err := Compute(m, Options{Seed: 2, Previous: &state})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(groupsOf(cold), groupsOf(warm)); d != "" {
		t.Errorf("groups moved on a warm start (-cold +warm):\n%s", d)
	}
	for c := range 2 {
		if d := dot(cold.State.Components[c], warm.State.Components[c]); d < 1-1e-6 {
			t.Errorf("component %d turned: cos %v", c, d)
		}
	}
	// More votes and more statements: group IDs follow the groups.
	m2, _ := planted(t, 21, []int{200, 120, 90}, 60, 0.6)
	next, err := Compute(m2, Options{Seed: 3, Previous: &warm.State})
	if err != nil {
		t.Fatal(err)
	}
	if next.K != warm.K {
		t.Fatalf("k went from %d to %d", warm.K, next.K)
	}
	same := 0
	for p := range warm.Participants {
		if warm.Participants[p].Group == next.Participants[p].Group {
			same++
		}
	}
	if frac := float64(same) / float64(len(warm.Participants)); frac < 0.95 {
		t.Errorf("only %.0f%% of participants kept their group ID", 100*frac)
	}
}

func TestOpinionKStability(t *testing.T) {
	m, _ := planted(t, 4, []int{100, 80, 60}, 40, 0.6)
	r, err := Compute(m, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.K != 3 {
		t.Fatalf("k = %d, want 3", r.K)
	}
	// Pretend two groups had been the answer for a while: three must win
	// four runs in a row before it replaces two.
	state := r.State
	state.K, state.LastK, state.LastKCount = 2, 2, 7
	state.Groups = state.Groups[:2]
	var ks []int
	for range 6 {
		r, err := Compute(m, Options{Seed: 1, Previous: &state})
		if err != nil {
			t.Fatal(err)
		}
		ks = append(ks, r.K)
		state = r.State
	}
	if d := cmp.Diff([]int{2, 2, 2, 3, 3, 3}, ks); d != "" {
		t.Errorf("k over runs (-want +got):\n%s", d)
	}
}

func TestOpinionComputeErrors(t *testing.T) {
	m := grid(t, "aa", "dd")
	if _, err := Compute(nil, Options{}); err == nil {
		t.Error("nil matrix accepted")
	}
	if _, err := Compute(m, Options{Excluded: make([]bool, 3)}); err == nil {
		t.Error("too many exclusion flags accepted")
	}
	if _, err := Compute(m, Options{BaseClusters: -1}); err == nil {
		t.Error("negative base clusters accepted")
	}
	// Degenerate inputs give empty but valid results.
	for _, m := range []*Matrix{grid(t), grid(t, "", ""), grid(t, "aaaa"), grid(t, "a", "a", "a")} {
		r, err := Compute(m, Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, m, r, nil)
	}
	// A previous state of another shape (fewer statements, junk numbers).
	prev := State{Components: [2][]float64{{math.NaN(), 1}, {math.Inf(1)}}, BaseCentres: [][2]float64{{math.NaN(), 0}}, K: 9, LastK: 9}
	r, err := Compute(grid(t, "aad", "dda", "aap"), Options{Previous: &prev})
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, grid(t, "aad", "dda", "aap"), r, nil)
}

func TestOpinionPick(t *testing.T) {
	priority := []float64{1, 0, 3, math.NaN(), -2, 4}
	seen := map[int]bool{5: true}
	// Walking u over [0, 1) visits statements in proportion to priority:
	// 0 (1), 2 (3), and 6, 7 beyond the list (new: 5.0625 each).
	counts := map[int]int{}
	const steps = 100000
	for i := range steps {
		s, ok := Pick(priority, 8, func(s int) bool { return seen[s] }, (float64(i)+0.5)/steps)
		if !ok {
			t.Fatal("nothing picked")
		}
		counts[s]++
	}
	total := 1 + 3 + 2*NewStatementPriority
	for s, w := range map[int]float64{0: 1, 2: 3, 6: NewStatementPriority, 7: NewStatementPriority} {
		if got := float64(counts[s]) / steps; math.Abs(got-w/total) > 1e-3 {
			t.Errorf("statement %d picked %.4f of the time, want %.4f", s, got, w/total)
		}
	}
	if len(counts) != 4 {
		t.Errorf("picked %v: seen, zero, negative or NaN priority picked", counts)
	}
	if s, ok := Pick(priority, 3, func(s int) bool { return s != 1 }, 0.5); ok {
		t.Errorf("picked %d when all with priority were seen", s)
	}
	if s, ok := Pick(nil, 0, func(int) bool { return false }, 0.5); ok {
		t.Errorf("picked %d from nothing", s)
	}
	for _, u := range []float64{-1, 0, 0.999999, 1, 7, math.NaN()} {
		s, ok := Pick(priority, 6, func(s int) bool { return s == 0 || s == 5 }, u)
		if !ok || s != 2 {
			t.Errorf("u = %v: picked %d, %v; want 2", u, s, ok)
		}
	}
}

func TestOpinionAdjustedRandIndex(t *testing.T) {
	for _, c := range []struct {
		a, b []int
		want float64
	}{
		{[]int{0, 0, 1, 1}, []int{5, 5, 3, 3}, 1},
		{[]int{0, 0, 1, 1, 2, 2}, []int{0, 0, 1, 1, 2, 2}, 1},
		{[]int{0, 0, 0, 1, 1, 1}, []int{0, 0, 1, 1, 2, 2}, 0.24242424242424243}, // sklearn's adjusted_rand_score
		{[]int{0, 0, 1, 1}, []int{0, 1, 0, 1}, -0.5},
		{[]int{0, -1, 1, 1}, []int{0, 0, 1, 1}, 1},
	} {
		if got := AdjustedRandIndex(c.a, c.b); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("ARI(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// TestPure keeps the package free of I/O and of the rest of the project
// (DESIGN.md: pure engines import nothing of the project).
func TestOpinionPure(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{`"os"`, `"net/http"`, `"database/sql"`} {
			if slices.Contains(strings.Fields(string(b)), bad) {
				t.Errorf("%s imports %s", f, bad)
			}
		}
		if strings.Contains(string(b), `"parley/`) {
			t.Errorf("%s imports a package of the project", f)
		}
	}
}
