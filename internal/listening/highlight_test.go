package listening

import "testing"

func TestHighlight(t *testing.T) {
	m := NewMatcher([]Rule{{ID: 1, Query: `"bus lane"`}, {ID: 2, Query: "tram*"}, {ID: 3, Query: "(broken"}})
	title, text := m.Highlight(Mention{Title: "New bus lane", Excerpt: "Trams and a Bus Lane.", RuleIDs: []int64{1, 2, 3}})
	if got := render(title); got != "New [bus lane]" {
		t.Errorf("title %q", got)
	}
	if got := render(text); got != "[Trams] and a [Bus Lane]." {
		t.Errorf("text %q", got)
	}
	ms, marks, err := Preview("tram*", []Mention{{Title: "Trams"}, {Title: "Buses"}})
	if err != nil || len(ms) != 1 || render(marks[0][0]) != "[Trams]" {
		t.Errorf("preview %v %v %v", ms, marks, err)
	}
	if _, _, err := Preview("(", nil); err == nil {
		t.Error("bad query previewed")
	}
}

func render(segs []Segment) string {
	s := ""
	for _, g := range segs {
		if g.Mark {
			s += "[" + g.Text + "]"
		} else {
			s += g.Text
		}
	}
	return s
}
