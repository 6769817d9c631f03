package web

import "testing"

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
	// Two columns' segments (three, as February has no phone) and two legend swatches.
	if len(c.Rects) != 5 {
		t.Fatalf("%d rects", len(c.Rects))
	}
	// January's 40 fills the 40-high axis: its two segments reach the top.
	if top := c.Rects[1].Y; top != plotTop {
		t.Errorf("January's top at %d, want %d", top, plotTop)
	}
	if c.Rects[0].H+c.Rects[1].H != plotHeight {
		t.Errorf("January's column is %d high, want %d", c.Rects[0].H+c.Rects[1].H, plotHeight)
	}
}

func TestPercentLineChartLeavesGaps(t *testing.T) {
	c := newPercentLineChart("c", "t", "d", []linePoint{{Label: "a", Value: 0.5, Valid: true}, {Label: "b"}, {Label: "c", Value: 1, Valid: true}})
	if len(c.Points) != 2 || c.Points[1].Y != plotTop {
		t.Errorf("points %+v", c.Points)
	}
}
