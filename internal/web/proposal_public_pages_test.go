package web

import "testing"

// The public pages of boards and proposals, for the template check.
func init() {
	pageTypes["board"] = BoardPage{}
	pageTypes["proposal"] = ProposalPage{}
	pageTypes["proposal-propose"] = ProposePage{}
	pageTypes["proposal-propose-check"] = ProposeCheckPage{}
	pageTypes["proposal-propose-closed"] = ProposeClosedPage{}
}

func TestBodySummaryIsPlainText(t *testing.T) {
	for in, want := range map[string]string{
		"Some **bold** and `code`.\n\n- one\n- two":       "Some bold and code. one two",
		"## Heading\n\nSee [the map](https://x.example).": "Heading See the map.",
		"1. First\n2) Second\n> quoted":                   "First Second quoted",
	} {
		if got := bodySummary(in, 200); got != want {
			t.Errorf("bodySummary(%q) = %q, want %q", in, got, want)
		}
	}
	if got := bodySummary("one two three four five six", 12); got != "one two…" {
		t.Errorf("cut: %q", got)
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -12345: "-12,345"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q", n, got)
		}
	}
}
