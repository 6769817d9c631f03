package opinion

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOpinionNewMatrix(t *testing.T) {
	m, err := NewMatrix(3, 4, []Entry{
		{2, 3, Agree}, {0, 1, Agree}, {0, 0, Disagree}, {0, 1, Disagree}, // (0,1) twice: the last wins
		{2, 0, Pass}, {0, 1, Pass}, {2, 3, Disagree},
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.Participants() != 3 || m.Statements() != 4 || m.Len() != 4 {
		t.Fatalf("size %d × %d with %d votes, want 3 × 4 with 4", m.Participants(), m.Statements(), m.Len())
	}
	type row struct {
		S []int32
		V []Vote
	}
	var got []row
	for p := range 3 {
		s, v := m.Row(p)
		got = append(got, row{s, v})
	}
	want := []row{
		{[]int32{0, 1}, []Vote{Disagree, Pass}},
		{[]int32{}, []Vote{}},
		{[]int32{0, 3}, []Vote{Pass, Disagree}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	for _, c := range []struct {
		p, s int
		v    Vote
		ok   bool
	}{{0, 1, Pass, true}, {2, 3, Disagree, true}, {1, 0, 0, false}, {0, 2, 0, false}, {-1, 0, 0, false}, {0, 9, 0, false}} {
		if v, ok := m.At(c.p, c.s); v != c.v || ok != c.ok {
			t.Errorf("At(%d, %d) = %v, %v; want %v, %v", c.p, c.s, v, ok, c.v, c.ok)
		}
	}
}

func TestOpinionNewMatrixErrors(t *testing.T) {
	for _, c := range []struct {
		name    string
		p, s    int
		entries []Entry
		want    string
	}{
		{"participant high", 2, 2, []Entry{{2, 0, Agree}}, "entry 0: participant 2 out of range"},
		{"participant negative", 2, 2, []Entry{{0, 0, Agree}, {-1, 0, Agree}}, "entry 1: participant -1 out of range"},
		{"statement high", 2, 2, []Entry{{0, 2, Agree}}, "entry 0: statement 2 out of range"},
		{"vote", 2, 2, []Entry{{0, 0, 2}}, "entry 0: invalid vote 2"},
		{"size", -1, 2, nil, "negative size"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewMatrix(c.p, c.s, c.entries)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestOpinionVoteJSON(t *testing.T) {
	b, err := json.Marshal([]Vote{Agree, Disagree, Pass})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `["agree","disagree","pass"]` {
		t.Errorf("got %s", b)
	}
	var back []Vote
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]Vote{Agree, Disagree, Pass}, back); d != "" {
		t.Error(d)
	}
	if err := json.Unmarshal([]byte(`["maybe"]`), &back); err == nil {
		t.Error("unmarshalled an unknown vote")
	}
	if _, err := json.Marshal(Vote(3)); err == nil {
		t.Error("marshalled an invalid vote")
	}
}
