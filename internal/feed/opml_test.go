package feed

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseOPML(t *testing.T) {
	f, err := os.Open("testdata/subscriptions.opml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ParseOPML(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []Outline{
		{Title: "Cardiff Post", XMLURL: "https://post.example/rss", HTMLURL: "https://post.example/"},
		{Title: "Gazette", XMLURL: "https://gazette.example/rss"},
		{Title: "Mastodon #northshire", XMLURL: "https://social.example/tags/northshire.rss"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestOPMLRoundTrip(t *testing.T) {
	in := []Outline{
		{Title: `Dŵr & "Cymru" <news>`, XMLURL: "https://example.com/rss?a=1&b=2", HTMLURL: "https://example.com/"},
		{Title: "", XMLURL: "https://example.org/feed"},
	}
	var buf bytes.Buffer
	if err := WriteOPML(&buf, "Parley — listening", in); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), `<?xml version="1.0" encoding="UTF-8"?>`) || !strings.Contains(buf.String(), `<opml version="2.0">`) {
		t.Errorf("unexpected document:\n%s", buf.String())
	}
	out, err := ParseOPML(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestParseOPMLErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, "empty"},
		{`<rss version="2.0"></rss>`, "not <opml>"},
		{`<opml><body><outline xmlUrl="x"`, "opml:"},
		{"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><opml><body><outline text=\"Caf\xe9\" xmlUrl=\"https://x/\"/></body></opml>", ""},
	}
	for _, tc := range tests {
		out, err := ParseOPML(strings.NewReader(tc.in))
		if tc.want == "" {
			if err != nil || len(out) != 1 || out[0].Title != "Café" {
				t.Errorf("%q: %v, %v", tc.in, out, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.in, err, tc.want)
		}
	}
}
