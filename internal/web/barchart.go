package web

import "parley/internal/listening"

// BarChart is a horizontal bar chart drawn on the server as SVG: a bar a
// row, its label on the left and its figure after it. Pages show the same
// figures in a table, and Desc says them in words, so the chart is never
// the only way to read them.
type BarChart struct {
	ID     string // prefix of the title and desc element IDs
	Title  string
	Desc   string
	Width  int
	Height int
	AxisX  int
	Bars   []ChartBar
}

// ChartBar is one bar, in SVG units.
type ChartBar struct {
	Label  string // shortened to fit; the table has it whole
	Value  string
	LabelX int
	TextY  int
	X, Y   int
	W, H   int
	ValueX int
}

// chartRow is one figure to draw.
type chartRow struct {
	Label string
	Count int
	Value string // as written beside the bar, e.g. "12.5%"
}

const (
	chartWidth      = 640
	chartLabelWidth = 230 // room for the labels, right-aligned against the axis
	chartValueWidth = 70  // room for the figure after the longest bar
	chartBarHeight  = 22
	chartGap        = 10
	chartLabelChars = 30
)

// newBarChart lays rows out with the longest bar filling the space, so
// the bars compare with each other rather than with the total.
func newBarChart(id, title, desc string, rows []chartRow) *BarChart {
	c := &BarChart{ID: id, Title: title, Desc: desc, Width: chartWidth, AxisX: chartLabelWidth,
		Height: chartGap + len(rows)*(chartBarHeight+chartGap)}
	top := 0
	for _, r := range rows {
		top = max(top, r.Count)
	}
	span := chartWidth - chartLabelWidth - chartValueWidth
	for i, r := range rows {
		y := chartGap + i*(chartBarHeight+chartGap)
		w := 0
		if top > 0 {
			w = r.Count * span / top
		}
		if r.Count > 0 && w < 2 {
			w = 2 // a small count still shows
		}
		c.Bars = append(c.Bars, ChartBar{Label: listening.Clip(r.Label, chartLabelChars), Value: r.Value,
			LabelX: chartLabelWidth - 8, TextY: y + chartBarHeight/2,
			X: chartLabelWidth, Y: y, W: w, H: chartBarHeight, ValueX: chartLabelWidth + w + 6})
	}
	return c
}
