package markdown

import (
	"regexp"
	"strings"
	"testing"
)

var (
	tagPattern  = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>`)
	attrPattern = regexp.MustCompile(`([a-zA-Z-]+)="([^"]*)"`)
	safeHref    = regexp.MustCompile(`^(?i)(https?:|mailto:|[^:]*$)`)
)

func TestRender(t *testing.T) {
	r := New()
	tests := []struct {
		name, src   string
		want, never []string
	}{
		{"paragraph", "Hello *world*", []string{`<p class="govuk-body">Hello <em>world</em></p>`}, nil},
		{"heading starts at h3", "# Big\n\n## Also big\n\n### Small", []string{`<h3 class="govuk-heading-m">Big</h3>`, `<h3 class="govuk-heading-m">Also big</h3>`, `<h4 class="govuk-heading-s">Small</h4>`}, []string{"<h1", "<h2"}},
		{"list", "- one\n- two", []string{`<ul class="govuk-list govuk-list--bullet">`, "<li>one</li>"}, nil},
		{"link", "[site](https://example.org/a)", []string{`<a class="govuk-link" href="https://example.org/a" rel="noreferrer">site</a>`}, nil},
		{"script dropped", "<script>alert(1)</script>\n\ntext", []string{"text"}, []string{"<script", "alert(1)</script>"}},
		{"inline html dropped", `<img src=x onerror=alert(1)> hi`, []string{"hi"}, []string{"<img", "onerror"}},
		{"javascript link", "[x](javascript:alert(1))", nil, []string{"javascript:"}},
		{"data link", "[x](data:text/html;base64,PHNjcmlwdD4=)", nil, []string{"data:"}},
		{"class smuggled", `<p class="x">a</p>`, nil, []string{`class="x"`}},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", []string{`<table class="govuk-table">`, `<th scope="col" class="govuk-table__header">a</th>`, `<td class="govuk-table__cell">1</td>`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(r.Render(tt.src))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Render(%q) = %q, want it to contain %q", tt.src, got, w)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(got, n) {
					t.Errorf("Render(%q) = %q, must not contain %q", tt.src, got, n)
				}
			}
		})
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"# h\n\ntext", "<script>x</script>", "[a](javascript:x)", "| a |\n|---|\n| b |", "> quote\n\n1. one", "<a href=\"x\" onclick=\"y\">z</a>"} {
		f.Add(s)
	}
	r := New()
	allowedTag := map[string]bool{}
	for _, t := range strings.Fields("p br strong em del blockquote ul ol li h2 h3 h4 hr code pre table thead tbody tr th td a") {
		allowedTag[t] = true
	}
	allowedAttr := map[string]bool{"class": true, "href": true, "rel": true, "scope": true}
	f.Fuzz(func(t *testing.T, src string) {
		got := string(r.Render(src))
		// Every tag in the output is one markdown makes, with only the
		// attributes Render sets; links are never script.
		for _, m := range tagPattern.FindAllStringSubmatch(got, -1) {
			if !allowedTag[strings.ToLower(m[1])] {
				t.Fatalf("Render(%q) = %q has tag %q", src, got, m[1])
			}
			for _, a := range attrPattern.FindAllStringSubmatch(m[2], -1) {
				if !allowedAttr[strings.ToLower(a[1])] {
					t.Fatalf("Render(%q) = %q has attribute %q", src, got, a[1])
				}
				if strings.EqualFold(a[1], "href") && !safeHref.MatchString(a[2]) {
					t.Fatalf("Render(%q) = %q has link %q", src, got, a[2])
				}
			}
		}
	})
}
