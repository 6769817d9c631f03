package listening

import (
	"sort"

	"parley/internal/query"
)

// Segment is a piece of text, marked when a rule's term matched it; pages
// draw marked pieces in <mark>.
type Segment struct {
	Text string
	Mark bool
}

// Matcher holds an organisation's rules parsed once, to highlight many
// mentions and to preview a new rule.
type Matcher struct {
	queries map[int64]*query.Query
}

// NewMatcher parses the rules; one that does not parse highlights nothing.
func NewMatcher(rules []Rule) *Matcher {
	m := &Matcher{queries: make(map[int64]*query.Query, len(rules))}
	for _, r := range rules {
		if q, err := query.Parse(r.Query); err == nil {
			m.queries[r.ID] = q
		}
	}
	return m
}

// Highlight splits a mention's title and excerpt into segments, marking
// the terms of the rules it matched.
func (m *Matcher) Highlight(mn Mention) (title, excerpt []Segment) {
	it := query.Item{Title: mn.Title, Text: mn.Excerpt}
	var spans []query.Span
	for _, id := range mn.RuleIDs {
		if q := m.queries[id]; q != nil {
			spans = append(spans, q.Highlights(it)...)
		}
	}
	return segments(mn.Title, spans, query.FieldTitle), segments(mn.Excerpt, spans, query.FieldText)
}

// segments cuts s at the spans of field, merging overlaps.
func segments(s string, spans []query.Span, field query.Field) []Segment {
	var mine []query.Span
	for _, sp := range spans {
		if sp.Field == field && sp.Start >= 0 && sp.End <= len(s) && sp.Start < sp.End {
			mine = append(mine, sp)
		}
	}
	sort.Slice(mine, func(i, j int) bool { return mine[i].Start < mine[j].Start })
	var out []Segment
	at := 0
	for _, sp := range mine {
		if sp.End <= at {
			continue
		}
		start := max(sp.Start, at)
		if start > at {
			out = append(out, Segment{Text: s[at:start]})
		}
		out = append(out, Segment{Text: s[start:sp.End], Mark: true})
		at = sp.End
	}
	if at < len(s) {
		out = append(out, Segment{Text: s[at:]})
	}
	return out
}

// Preview returns the mentions a query would match, with its terms
// marked, so staff see what a rule catches before saving it.
func Preview(text string, ms []Mention) ([]Mention, [][2][]Segment, error) {
	q, err := query.Parse(text)
	if err != nil {
		return nil, nil, err
	}
	m := &Matcher{queries: map[int64]*query.Query{-1: q}}
	var out []Mention
	var marks [][2][]Segment
	for _, mn := range ms {
		if !q.Match(query.Item{Title: mn.Title, Text: mn.Excerpt, Source: mn.FeedTitle, Author: mn.Author}) {
			continue
		}
		mn.RuleIDs = []int64{-1}
		t, x := m.Highlight(mn)
		out = append(out, mn)
		marks = append(marks, [2][]Segment{t, x})
	}
	return out, marks, nil
}
