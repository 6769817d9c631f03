package listening

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzPlainText feeds item HTML from the wild through the excerpt: the
// result is valid UTF-8 text, within the limit, with no markup left.
func FuzzPlainText(f *testing.F) {
	for _, s := range []string{
		"<p>Bus <b>lanes</b> &amp; trams</p>", "<script>alert(1)</script>x", "<style>", "</script></script>a",
		"a &lt;b&gt; c", "<![CDATA[x]]>", "<img src=x onerror=alert(1)>", "\xff\xfe", "<a href='", "Dŵr&nbsp;Cymru",
	} {
		f.Add(s, 20)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 1 || max > 10000 {
			return
		}
		got := PlainText(s, max)
		if utf8.RuneCountInString(got) > max {
			t.Fatalf("PlainText(%q, %d) = %q: too long", s, max, got)
		}
		if strings.ContainsAny(got, "<>") && !strings.Contains(s, "&lt;") && !strings.Contains(s, "&gt;") && !strings.Contains(s, "&#") {
			// Angle brackets can only come from escaped text, never from tags.
			if strings.Contains(got, "<script") || strings.Contains(got, "<img") {
				t.Fatalf("PlainText(%q) kept markup: %q", s, got)
			}
		}
		if strings.Join(strings.Fields(got), " ") != got {
			t.Fatalf("PlainText(%q) = %q: whitespace not collapsed", s, got)
		}
	})
}

// FuzzNormaliseLink checks that normalising is idempotent and drops every
// tracking parameter.
func FuzzNormaliseLink(f *testing.F) {
	for _, s := range []string{
		"https://News.example/a?utm_source=x&id=2&fbclid=1#top", "http://x.example:80/p?gclid=3", "not a url",
		"https://x.example/?a=1&a=2&utm_medium=e", "https://[::1]:443/x", "https://x.example/%zz?q=%",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := NormaliseLink(s)
		if twice := NormaliseLink(once); twice != once {
			t.Fatalf("NormaliseLink not idempotent: %q → %q → %q", s, once, twice)
		}
		u, err := url.Parse(once)
		if err != nil || u.Host == "" {
			return
		}
		for k := range u.Query() {
			if lk := strings.ToLower(k); strings.HasPrefix(lk, "utm_") || trackingParams[lk] {
				t.Fatalf("NormaliseLink(%q) = %q kept %s", s, once, k)
			}
		}
	})
}
