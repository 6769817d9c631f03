// Package markdown turns the markdown staff write (a consultation's
// description, an outcome) into safe HTML styled with GOV.UK classes.
// Raw HTML in the source is dropped and the result is sanitised again, so
// nothing a staff member pastes can run script or load content from
// elsewhere on a citizen's page.
package markdown

import (
	"bytes"
	"html/template"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Renderer renders markdown; it is safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New returns a Renderer. Goldmark's default leaves raw HTML out (it is
// not built WithUnsafe); the bluemonday policy is the second line: only
// the elements markdown itself produces survive, links may only be http,
// https or mailto, and every link gets rel="noreferrer".
func New() *Renderer {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "strong", "em", "del", "blockquote", "ul", "ol", "li",
		"h2", "h3", "h4", "hr", "code", "pre", "table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.AllowAttrs("class").Matching(govukClass).Globally()
	p.AllowAttrs("scope").Matching(regexp.MustCompile(`^(col|row)$`)).OnElements("th")
	return &Renderer{
		md:     goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify)),
		policy: p,
	}
}

// govukClass admits only the classes Render adds.
var govukClass = regexp.MustCompile(`^govuk-[a-z0-9_-]+( govuk-[a-z0-9_-]+)*$`)

// classes maps the plain tags goldmark writes to their GOV.UK styles.
var classes = []struct{ from, to []byte }{
	{[]byte("<p>"), []byte(`<p class="govuk-body">`)},
	// Deepest first, so a heading moved down is not moved again.
	{[]byte("<h6>"), []byte(`<h4 class="govuk-heading-s">`)},
	{[]byte("</h6>"), []byte(`</h4>`)},
	{[]byte("<h5>"), []byte(`<h4 class="govuk-heading-s">`)},
	{[]byte("</h5>"), []byte(`</h4>`)},
	{[]byte("<h4>"), []byte(`<h4 class="govuk-heading-s">`)},
	{[]byte("<h3>"), []byte(`<h4 class="govuk-heading-s">`)},
	{[]byte("</h3>"), []byte(`</h4>`)},
	{[]byte("<h2>"), []byte(`<h3 class="govuk-heading-m">`)},
	{[]byte("</h2>"), []byte(`</h3>`)},
	{[]byte("<h1>"), []byte(`<h3 class="govuk-heading-m">`)},
	{[]byte("</h1>"), []byte(`</h3>`)},
	{[]byte("<ul>"), []byte(`<ul class="govuk-list govuk-list--bullet">`)},
	{[]byte("<ol>"), []byte(`<ol class="govuk-list govuk-list--number">`)},
	{[]byte("<a href="), []byte(`<a class="govuk-link" href=`)},
	{[]byte("<table>"), []byte(`<table class="govuk-table">`)},
	{[]byte("<tr>"), []byte(`<tr class="govuk-table__row">`)},
	{[]byte("<th>"), []byte(`<th scope="col" class="govuk-table__header">`)},
	{[]byte("<td>"), []byte(`<td class="govuk-table__cell">`)},
	{[]byte("<blockquote>"), []byte(`<blockquote class="govuk-inset-text">`)},
	{[]byte("<hr>"), []byte(`<hr class="govuk-section-break govuk-section-break--m govuk-section-break--visible">`)},
}

// MaxSource bounds what Render reads; longer input is cut, so a pasted
// book cannot stall a page.
const MaxSource = 200000

// Render returns src as sanitised HTML. Headings start at h3: the text
// always sits under the page's h1 and a section's h2 ("About this
// consultation", "What we decided").
func (r *Renderer) Render(src string) template.HTML {
	if len(src) > MaxSource {
		src = src[:MaxSource]
	}
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		// Goldmark fails only when writing to buf fails, which it cannot;
		// show the text escaped rather than nothing.
		return template.HTML(template.HTMLEscapeString(src)) //nolint:gosec // escaped
	}
	out := buf.Bytes()
	for _, c := range classes {
		out = bytes.ReplaceAll(out, c.from, c.to)
	}
	// The output is the policy's: everything else is escaped or dropped.
	return template.HTML(r.policy.SanitizeBytes(out)) //nolint:gosec // sanitised
}
