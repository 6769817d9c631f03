package web

import (
	"fmt"
	"strconv"
	"strings"

	"parley/internal/listening"
)

// The measurement charts are drawn on the server as SVG with presentation
// attributes only (no inline styles, which the CSP forbids), each with a
// title and a description read out in place of the picture, and each
// beside a table holding the same figures: the chart is never the only
// way to read them.

// chartPalette colours the channels of a stacked chart, in channel order:
// GOV.UK colours, each at least 3:1 against white as WCAG 1.4.11 asks of
// graphics. The legend names them, so colour is not the only cue.
var chartPalette = []string{"#1d70b8", "#00703c", "#6f72af", "#d4351c", "#505a5f", "#912b88", "#b58840", "#003078", "#28a197", "#f47738"}

// chartText is the colour of every label: the GOV.UK text colour.
const chartText = "#0b0c0c"

// ChartText is a label placed in the SVG.
type ChartText struct {
	X, Y   int
	Text   string
	Anchor string // start, middle, end
}

// ChartRect is a filled box: a bar or a legend swatch.
type ChartRect struct {
	X, Y, W, H int
	Fill       string
}

// ChartPath is a filled shape of many boxes: one series of a stacked
// chart, drawn as one path to keep the page light.
type ChartPath struct {
	D    string
	Fill string
}

// ChartLine is a straight line: an axis or a gridline.
type ChartLine struct {
	X1, Y1, X2, Y2 int
	Stroke         string
}

// ChartPoint is a dot on a line chart.
type ChartPoint struct {
	X, Y int
}

// Chart is an SVG chart ready to draw: the "measure-chart" partial
// renders any mix of rectangles, lines, a polyline and texts.
type Chart struct {
	ID     string // prefix of the title and desc element IDs
	Title  string
	Desc   string
	Width  int
	Height int
	Lines  []ChartLine
	Rects  []ChartRect
	Paths  []ChartPath
	Path   string // a polyline's points, "x,y x,y …"; empty: none
	Points []ChartPoint
	Texts  []ChartText
}

// stackSeries is one channel of a stacked bar chart.
type stackSeries struct {
	Label  string
	Values []int64 // one per column
}

const (
	plotLeft   = 70  // room for the y axis labels
	plotTop    = 16  // room above the highest gridline label
	plotHeight = 220 // the plotting area
	plotWidth  = 560
	axisBelow  = 40 // month labels under the plot
	legendRow  = 24
)

// niceMax rounds a maximum up to a round figure that splits into four
// round quarters (the gridlines): 1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6 or 8 × a
// power of ten, so the tallest column fills most of the height.
func niceMax(v int64) int64 {
	switch {
	case v <= 40:
		return max(4, (v+3)/4*4)
	case v <= 100:
		return (v + 19) / 20 * 20
	}
	p := int64(100)
	for p*10 <= v {
		p *= 10
	}
	for _, m := range []int64{10, 12, 16, 20, 24, 30, 40, 50, 60, 80, 100} {
		if m*p/10 >= v {
			return m * p / 10
		}
	}
	return 10 * p
}

// newStackedChart draws a column per label (a month), each column the
// series stacked in order, with a legend under the axis. format writes a
// count for the y axis.
func newStackedChart(id, title, desc string, columns []string, series []stackSeries, format func(int64) string) *Chart {
	legendRows := (len(series) + legendColumns - 1) / legendColumns
	c := &Chart{ID: id, Title: title, Desc: desc, Width: plotLeft + plotWidth + 10,
		Height: plotTop + plotHeight + axisBelow + legendRows*legendRow + 8}
	var top int64
	for i := range columns {
		var sum int64
		for _, s := range series {
			if i < len(s.Values) {
				sum += s.Values[i]
			}
		}
		top = max(top, sum)
	}
	top = niceMax(top)
	c.gridlines(top, format)
	n := max(len(columns), 1)
	slot := plotWidth / n
	barW := max(slot*2/3, 2)
	paths := make([]strings.Builder, len(series))
	for i, col := range columns {
		x := plotLeft + i*slot + (slot-barW)/2
		y := plotTop + plotHeight
		for si, s := range series {
			if i >= len(s.Values) || s.Values[i] <= 0 {
				continue
			}
			h := max(int(s.Values[i]*plotHeight/top), 1)
			y -= h
			fmt.Fprintf(&paths[si], "M%d %dh%dv%dh-%dz", x, y, barW, h, barW)
		}
		c.columnLabel(i, n, slot, col)
	}
	for si := range series {
		if paths[si].Len() > 0 {
			c.Paths = append(c.Paths, ChartPath{D: paths[si].String(), Fill: chartPalette[si%len(chartPalette)]})
		}
	}
	c.legend(series)
	return c
}

// columnLabel writes a column's label under the axis: at most six, evenly
// spaced, so they never run into each other (the table has every month).
func (c *Chart) columnLabel(i, n, slot int, label string) {
	step := (n + 5) / 6
	if i%step != 0 {
		return
	}
	c.Texts = append(c.Texts, ChartText{X: plotLeft + i*slot + slot/2, Y: plotTop + plotHeight + 18, Text: label, Anchor: "middle"})
}

// gridlines draws the y axis: five gridlines from 0 to top, labelled.
func (c *Chart) gridlines(top int64, format func(int64) string) {
	for g := int64(0); g <= 4; g++ {
		v := top * g / 4
		y := plotTop + plotHeight - int(v*plotHeight/top)
		stroke := "#b1b4b6"
		if g == 0 {
			stroke = chartText
		}
		c.Lines = append(c.Lines, ChartLine{X1: plotLeft, Y1: y, X2: plotLeft + plotWidth, Y2: y, Stroke: stroke})
		c.Texts = append(c.Texts, ChartText{X: plotLeft - 6, Y: y + 4, Text: format(v), Anchor: "end"})
	}
}

// legendColumns is how many series the legend names a row: three leave
// room for the longest names ("Cyfryngau cymdeithasol").
const legendColumns = 3

// legend names each series beside its colour, a few to a row; a name too
// long for its place is shortened (the table has it whole).
func (c *Chart) legend(series []stackSeries) {
	y0 := plotTop + plotHeight + axisBelow
	for i, s := range series {
		x := plotLeft + (i%legendColumns)*(plotWidth/legendColumns)
		y := y0 + (i/legendColumns)*legendRow
		c.Rects = append(c.Rects, ChartRect{X: x, Y: y, W: 14, H: 14, Fill: chartPalette[i%len(chartPalette)]})
		c.Texts = append(c.Texts, ChartText{X: x + 20, Y: y + 12, Text: listening.Clip(s.Label, 24), Anchor: "start"})
	}
}

// linePoint is one month of a line chart; !Valid months leave a gap.
type linePoint struct {
	Label string
	Value float64 // 0–1
	Valid bool
}

// newPercentLineChart draws shares from 0 to 100% a column apart, joined
// by a line through the months that have a figure.
func newPercentLineChart(id, title, desc string, points []linePoint) *Chart {
	c := &Chart{ID: id, Title: title, Desc: desc, Width: plotLeft + plotWidth + 10, Height: plotTop + plotHeight + axisBelow}
	c.gridlines(100, func(v int64) string { return strconv.FormatInt(v, 10) + "%" })
	n := max(len(points), 1)
	slot := plotWidth / n
	var path []string
	for i, p := range points {
		x := plotLeft + i*slot + slot/2
		if p.Valid {
			y := plotTop + plotHeight - int(p.Value*plotHeight+0.5)
			path = append(path, strconv.Itoa(x)+","+strconv.Itoa(y))
			c.Points = append(c.Points, ChartPoint{X: x, Y: y})
		}
		c.columnLabel(i, n, slot, p.Label)
	}
	if len(path) > 1 {
		c.Path = strings.Join(path, " ")
	}
	return c
}

// pairRow is one row of a paired bar chart: a figure and what it is
// compared with (respondents' share of an age band and the population's).
type pairRow struct {
	Label        string
	Value, Other float64 // shares, 0–1
	ValueText    string
	OtherText    string
}

// newPairChart draws two horizontal bars a row, the figure above what it
// is compared with, on one scale, with a legend naming both.
func newPairChart(id, title, desc, valueName, otherName string, rows []pairRow) *Chart {
	const label, bar, gap, span = 90, 14, 12, 440
	c := &Chart{ID: id, Title: title, Desc: desc, Width: label + span + 90}
	top := 0.0
	for _, r := range rows {
		top = max(top, r.Value, r.Other)
	}
	if top == 0 {
		top = 1
	}
	y := 30
	c.Rects = append(c.Rects, ChartRect{X: label, Y: 4, W: 14, H: 14, Fill: chartPalette[0]},
		ChartRect{X: label + 200, Y: 4, W: 14, H: 14, Fill: "#505a5f"})
	c.Texts = append(c.Texts, ChartText{X: label + 20, Y: 16, Text: valueName, Anchor: "start"},
		ChartText{X: label + 220, Y: 16, Text: otherName, Anchor: "start"})
	c.Lines = append(c.Lines, ChartLine{X1: label, Y1: y - 4, X2: label, Y2: y + len(rows)*(2*bar+gap), Stroke: chartText})
	for _, r := range rows {
		c.Texts = append(c.Texts, ChartText{X: label - 8, Y: y + bar + 4, Text: r.Label, Anchor: "end"})
		for k, v := range []float64{r.Value, r.Other} {
			w := int(v / top * span)
			if v > 0 && w < 2 {
				w = 2
			}
			fill, text := chartPalette[0], r.ValueText
			if k == 1 {
				fill, text = "#505a5f", r.OtherText
			}
			by := y + k*bar
			c.Rects = append(c.Rects, ChartRect{X: label, Y: by, W: w, H: bar - 2, Fill: fill})
			c.Texts = append(c.Texts, ChartText{X: label + w + 6, Y: by + bar - 4, Text: text, Anchor: "start"})
		}
		y += 2*bar + gap
	}
	c.Height = y + 4
	return c
}
