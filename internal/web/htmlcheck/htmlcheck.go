// Package htmlcheck lets tests query HTML with CSS selectors.
package htmlcheck

import (
	"strings"
	"testing"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// Doc is a parsed HTML document.
type Doc struct {
	t    testing.TB
	root *html.Node
}

// Parse parses an HTML page or fails the test.
func Parse(t testing.TB, body string) *Doc {
	t.Helper()
	n, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return &Doc{t: t, root: n}
}

// All returns the nodes matching a selector.
func (d *Doc) All(sel string) []*html.Node {
	d.t.Helper()
	s, err := cascadia.Compile(sel)
	if err != nil {
		d.t.Fatalf("selector %q: %v", sel, err)
	}
	return s.MatchAll(d.root)
}

// Count is the number of nodes matching a selector.
func (d *Doc) Count(sel string) int { return len(d.All(sel)) }

// Text returns the whitespace-collapsed text of the first match, or "".
func (d *Doc) Text(sel string) string {
	nodes := d.All(sel)
	if len(nodes) == 0 {
		return ""
	}
	return TextOf(nodes[0])
}

// Attr returns an attribute of the first match, or "".
func (d *Doc) Attr(sel, name string) string {
	nodes := d.All(sel)
	if len(nodes) == 0 {
		return ""
	}
	for _, a := range nodes[0].Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// TextOf returns a node's text with whitespace collapsed.
func TextOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}
