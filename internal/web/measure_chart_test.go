package web

import (
	"fmt"
	"strings"
	"testing"
)

func TestNiceMax(t *testing.T) {
	for _, tc := range []struct{ in, want int64 }{
		{0, 4}, {3, 4}, {7, 8}, {40, 40}, {41, 60}, {99, 100}, {101, 120}, {2950, 3000}, {3100, 4000}, {19925, 20000}, {20126, 24000}, {49000, 50000}, {81000, 100000},
	} {
		if got := niceMax(tc.in); got != tc.want {
			t.Errorf("niceMax(%d) = %d, want %d", tc.in, got, tc.want)
		}
		if got := niceMax(tc.in); got%4 != 0 || got < tc.in {
			t.Errorf("niceMax(%d) = %d: not a multiple of 4 at least the value", tc.in, got)
		}
	}
}

func TestStackedChartFitsItsColumns(t *testing.T) {
	c := newStackedChart("c", "t", "d", []string{"Jan", "Feb"},
		[]stackSeries{{Label: "Web", Values: []int64{30, 10}}, {Label: "Phone", Values: []int64{10, 0}}}, func(n int64) string { return "" })
	// A path a series, and two legend swatches.
	if len(c.Paths) != 2 || len(c.Rects) != 2 {
		t.Fatalf("%d paths, %d rects", len(c.Paths), len(c.Rects))
	}
	// January's 40 fills the 40-high axis: web from the bottom up 30/40 of
	// the height, phone on top of it reaching the top.
	if want := fmt.Sprintf("M%d %dh", plotLeft+(plotWidth/2-plotWidth/2*2/3)/2, plotTop); !strings.HasPrefix(c.Paths[1].D, want) {
		t.Errorf("phone path %q, want it to start %q", c.Paths[1].D, want)
	}
}

func TestPercentLineChartLeavesGaps(t *testing.T) {
	c := newPercentLineChart("c", "t", "d", []linePoint{{Label: "a", Value: 0.5, Valid: true}, {Label: "b"}, {Label: "c", Value: 1, Valid: true}})
	if len(c.Points) != 2 || c.Points[1].Y != plotTop {
		t.Errorf("points %+v", c.Points)
	}
}
