package feed

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// feedTypes are the <link type> values that announce a feed.
var feedTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/feed+json": true,
	"application/json":      true, // JSON Feed's former type, still seen
	"application/rdf+xml":   true, // RSS 1.0
}

// Discover returns the feeds a web page announces with <link
// rel="alternate" type="application/rss+xml"> (or Atom, or JSON Feed), as
// absolute URLs in page order. If pageURL is itself a feed, it returns its
// URL (after redirects). None found is an empty result, not an error.
// The fetch has the same limits and address checks as Fetch.
func (f *Fetcher) Discover(ctx context.Context, pageURL string) ([]string, error) {
	got, err := f.do(ctx, pageURL, http.Header{"Accept": {"text/html, application/xhtml+xml, " + accept}})
	if err != nil {
		return nil, err
	}
	if got.status < 200 || got.status > 299 {
		return nil, &Error{Kind: KindStatus, URL: pageURL, StatusCode: got.status}
	}
	ct := got.header.Get("Content-Type")
	if gofeed.DetectFeedType(bytes.NewReader(toUTF8(got.body, ct))) != gofeed.FeedTypeUnknown {
		return []string{got.url}, nil
	}
	return links(got.body, ct, got.url), nil
}

// links reads the feed links of an HTML page.
func links(body []byte, contentType, pageURL string) []string {
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil
	}
	r, err := charset.NewReader(bytes.NewReader(body), contentType)
	if err != nil {
		r = bytes.NewReader(body)
	}
	var out []string
	seen := map[string]bool{}
	z := html.NewTokenizer(r)
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if !hasAttr {
				continue
			}
			attrs := map[string]string{}
			for more := true; more; {
				var k, v []byte
				k, v, more = z.TagAttr()
				attrs[string(k)] = string(v)
			}
			switch string(name) {
			case "base":
				if h, ok := attrs["href"]; ok {
					if u, err := url.Parse(strings.TrimSpace(h)); err == nil {
						base = base.ResolveReference(u)
					}
				}
			case "link":
				if !hasToken(attrs["rel"], "alternate") {
					continue
				}
				typ, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(attrs["type"])), ";")
				if !feedTypes[strings.TrimSpace(typ)] {
					continue
				}
				u, err := url.Parse(strings.TrimSpace(attrs["href"]))
				if err != nil || attrs["href"] == "" {
					continue
				}
				abs := base.ResolveReference(u)
				if abs.Scheme != "http" && abs.Scheme != "https" {
					continue
				}
				if s := abs.String(); !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
		}
	}
}

// hasToken reports whether the space-separated list s contains tok,
// ignoring case.
func hasToken(s, tok string) bool {
	for _, f := range strings.Fields(s) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}
