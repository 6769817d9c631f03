package web

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzSafeReturn checks that the sign-in return address can never send a
// visitor to another site.
func FuzzSafeReturn(f *testing.F) {
	for _, s := range []string{"/account", "//evil.example", "/\\evil.example", "https://evil.example", "/a\r\nLocation: x", "", "/%2F%2Fevil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := safeReturn(in)
		if out == "" {
			return
		}
		u, err := url.Parse(out)
		if err != nil {
			return // the browser would not follow it either
		}
		if u.Host != "" || u.Scheme != "" || !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || strings.ContainsAny(out, "\r\n") {
			t.Errorf("safeReturn(%q) = %q leaves the site", in, out)
		}
	})
}
