package query

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

var sample = Item{
	Title:  "Council approves new tram line for Caerdydd",
	Text:   "The council's transport committee backed the £300m scheme. Campaigners at Dŵr Cymru said the co-op would object. Bus fares rise in April.",
	Source: "BBC News Wales",
	Author: "Siân Smith",
}

func TestMatch(t *testing.T) {
	tests := []struct {
		q    string
		want bool
	}{
		{"tram", true},
		{"TRAM", true},
		{"trams", false},
		{"tra*", true},
		{"transp*", true},
		{"transport*", true},
		{"transports*", false},
		{"caerdydd", true},
		{`"transport committee"`, true},
		{`"committee transport"`, false},
		{`"transport committee backed"`, true},
		{`"transport comm*"`, true},
		{`"tram line for"`, true},
		{`"caerdydd the"`, false}, // a phrase does not run from title into text
		{"tram bus", true},
		{"tram train", false},
		{"train OR bus", true},
		{"train OR plane", false},
		{"tram NOT bus", false},
		{"tram NOT plane", true},
		{"NOT plane", true},
		{"NOT tram", false},
		{"train OR NOT plane", true},
		{"title:tram", true},
		{"title:bus", false},
		{"title:(council OR bus)", true},
		{`title:"new tram"`, true},
		{"source:bbc", true},
		{`source:"news wales"`, true},
		{"source:itv", false},
		{"bbc", false}, // unscoped terms search title and text only
		{"author:sian", true},
		{"author:Siân", true},
		{"author:smi*", true},
		{"smith", false},
		{"dwr", true},
		{"Dŵr", true},
		{"DWR cymru", true},
		{"co-op", true},
		{`"co op"`, true},
		{"coop", false},
		{"council's", true},
		{"300m", true},
		{"£300m", true},
		{"(tram OR train) AND (fares OR tickets)", true},
		{"(tram OR train) AND (tickets OR prices)", false},
		{"-title:bus", true},
		{"-title:tram", false},
	}
	for _, tc := range tests {
		q, err := Parse(tc.q)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.q, err)
		}
		if got := q.Match(sample); got != tc.want {
			t.Errorf("%q.Match = %v, want %v", tc.q, got, tc.want)
		}
		if s := Compile([]Rule{{ID: 7, Query: q}}).Match(sample); (len(s) == 1) != tc.want {
			t.Errorf("Set of %q matched %v, want %v", tc.q, s, tc.want)
		}
	}
}

func TestHighlights(t *testing.T) {
	it := Item{Title: "Tram plans for Café Street", Text: "The tram café, trams and transport: tram."}
	tests := []struct {
		q    string
		want []Span
	}{
		{"tram", []Span{{FieldTitle, 0, 4}, {FieldText, 4, 8}, {FieldText, 37, 41}}},
		{"title:tram", []Span{{FieldTitle, 0, 4}}},
		{"café", []Span{{FieldTitle, 15, 20}, {FieldText, 9, 14}}},
		{`"tram café"`, []Span{{FieldText, 4, 14}}},
		{`"tram café" OR café`, []Span{{FieldTitle, 15, 20}, {FieldText, 4, 14}}},
		{"tram*", []Span{{FieldTitle, 0, 4}, {FieldText, 4, 8}, {FieldText, 16, 21}, {FieldText, 37, 41}}},
		{"tram NOT bus", []Span{{FieldTitle, 0, 4}, {FieldText, 4, 8}, {FieldText, 37, 41}}},
		{"NOT bus", nil},
		{"tram NOT café", nil}, // no match, no highlights
		{"source:x OR transport", []Span{{FieldText, 26, 35}}},
	}
	for _, tc := range tests {
		q, err := Parse(tc.q)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.q, err)
		}
		got := q.Highlights(it)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q.Highlights (-want +got):\n%s", tc.q, diff)
		}
		for _, s := range got {
			text := it.Title
			if s.Field == FieldText {
				text = it.Text
			}
			if s.Start < 0 || s.End > len(text) || s.Start >= s.End {
				t.Errorf("%q: span %v out of range", tc.q, s)
			}
		}
	}
}
