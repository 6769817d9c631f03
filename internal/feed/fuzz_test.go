package feed

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func addSeeds(f *testing.F, add func([]byte)) {
	files, _ := filepath.Glob("testdata/*")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			add(b)
		}
	}
}

// FuzzParse feeds arbitrary bytes through our decoding and gofeed: no
// panic may escape, and what parses has a GUID on every item.
func FuzzParse(f *testing.F) {
	addSeeds(f, func(b []byte) { f.Add(b, "application/xml") })
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><title>\xe9</title></channel></rss>"), "text/xml")
	f.Add([]byte("\xfe\xff\x00<\x00r"), "")
	f.Add([]byte(`{"items":[{}]}`), "application/json; charset=windows-1252")
	f.Fuzz(func(t *testing.T, data []byte, ctype string) {
		feed, err := Parse(data, ctype, "https://example.com/feed")
		if err != nil {
			if feed != nil {
				t.Fatal("a feed with an error")
			}
			return
		}
		for _, it := range feed.Items {
			if it.GUID == "" {
				t.Fatalf("an item without a GUID: %+v", it)
			}
		}
	})
}

// FuzzParseOPML: no panic; what parses writes and re-parses the same.
func FuzzParseOPML(f *testing.F) {
	addSeeds(f, func(b []byte) { f.Add(b) })
	f.Add([]byte(`<opml><body><outline text="a" xmlUrl="b"><outline xmlUrl="c"/></outline></body></opml>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := ParseOPML(bytes.NewReader(data))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteOPML(&buf, "t", out); err != nil {
			t.Fatal(err)
		}
		again, err := ParseOPML(&buf)
		if err != nil {
			t.Fatalf("our own OPML does not parse: %v\n%s", err, buf.String())
		}
		if diff := cmp.Diff(out, again); diff != "" {
			t.Fatalf("round trip changed the outlines (-parsed +re-parsed):\n%s", diff)
		}
	})
}
