package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/rss"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Feed is a parsed feed, whatever its format.
type Feed struct {
	Title   string
	SiteURL string // the site the feed is of, absolute
	Items   []Item
}

// Item is one entry of a feed.
type Item struct {
	GUID      string // never empty: the feed's id, else URL, else a hash of the content
	URL       string // absolute
	Title     string
	Content   string // as the feed gives it: HTML or plain text; sanitise before showing
	Author    string
	Published time.Time // UTC; the update time if no publication time; zero if neither
}

// Parse reads an RSS (0.9x, 1.0, 2.0), Atom or JSON Feed document.
// contentType (the HTTP header, may be empty) and the XML prolog name its
// encoding; links are resolved against baseURL (the feed's URL).
func Parse(data []byte, contentType, baseURL string) (*Feed, error) {
	f, _, err := parse(data, contentType, baseURL)
	return f, err
}

// parse is Parse that also returns the RSS <ttl>, 0 if none.
func parse(data []byte, contentType, baseURL string) (feed *Feed, ttl time.Duration, err error) {
	data = toUTF8(data, contentType)
	if t := firstByte(data); t != '{' && t != '[' {
		data = stripControls(data)
	}
	defer func() {
		// gofeed is third-party code fed untrusted input: a panic in it
		// must cost one feed, not the process.
		if p := recover(); p != nil {
			feed, ttl, err = nil, 0, fmt.Errorf("the feed could not be parsed (parser failure: %v)", p)
		}
	}()
	fp := gofeed.NewParser()
	fp.KeepOriginalFeed = true
	gf, err := fp.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, 0, describe(data, err)
	}
	if rf, ok := gf.OriginalFeed().(*rss.Feed); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(rf.TTL)); err == nil && n > 0 {
			ttl = time.Duration(min(n, 100*365*24*60)) * time.Minute
		}
	}
	return convert(gf, baseURL), ttl, nil
}

// describe turns a parser error into one a person can act on.
func describe(data []byte, err error) error {
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		head := strings.ToLower(string(data[:min(len(data), 1024)]))
		if strings.Contains(head, "<html") || strings.Contains(head, "<!doctype html") {
			return errors.New("this is a web page, not a feed: look for the page's feeds with Discover")
		}
		if len(bytes.TrimSpace(data)) == 0 {
			return errors.New("the response is empty, not a feed")
		}
		return errors.New("not an RSS, Atom or JSON feed")
	}
	return fmt.Errorf("not a well-formed feed: %w", err)
}

func firstByte(data []byte) byte {
	t := bytes.TrimLeft(data, " \t\r\n")
	if len(t) == 0 {
		return 0
	}
	return t[0]
}

// stripControls drops the C0 control characters XML 1.0 forbids, which
// real feeds carry often enough (pasted text) to fail a whole parse.
func stripControls(data []byte) []byte {
	bad := func(c byte) bool { return c < 0x20 && c != '\t' && c != '\n' && c != '\r' }
	i := bytes.IndexFunc(data, func(r rune) bool { return r < 0x20 && bad(byte(r)) })
	if i < 0 {
		return data
	}
	out := make([]byte, 0, len(data))
	out = append(out, data[:i]...)
	for _, c := range data[i:] {
		if !bad(c) {
			out = append(out, c)
		}
	}
	return out
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// toUTF8 returns data in UTF-8, with an XML prolog's encoding declaration
// rewritten to say so. The encoding is taken from, in order: a byte order
// mark; the XML prolog (written by the software that wrote the feed, so
// more often right than a web server's default charset); the charset of
// contentType; else UTF-8 if the bytes are valid UTF-8, else windows-1252
// (what undeclared legacy feeds nearly always are). ISO-8859-1 is decoded
// as windows-1252, as browsers do: it is a superset in every byte feeds use.
func toUTF8(data []byte, contentType string) []byte {
	switch {
	case bytes.HasPrefix(data, utf8BOM):
		return relabel(valid(data[3:]))
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		dec := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
		if out, err := dec.Bytes(data); err == nil {
			return relabel(valid(out))
		}
		return relabel(valid(data))
	}
	if label, _, _ := prologEncoding(data); label != "" {
		enc, name := charset.Lookup(label)
		if enc != nil && !strings.HasPrefix(name, "utf-") {
			return relabel(decode(data, enc))
		}
		return relabel(valid(data)) // UTF-8, a UTF-16 label on bytes that are not, or unknown
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil && params["charset"] != "" {
		enc, name := charset.Lookup(params["charset"])
		if enc != nil && !strings.HasPrefix(name, "utf-") {
			return decode(data, enc)
		}
	}
	if utf8.Valid(data) {
		return data
	}
	return decode(data, charmap.Windows1252)
}

func decode(data []byte, enc encoding.Encoding) []byte {
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return valid(data)
	}
	return out
}

// valid replaces invalid UTF-8 with U+FFFD rather than failing the feed
// for one bad byte.
func valid(data []byte) []byte {
	if utf8.Valid(data) {
		return data
	}
	return bytes.ToValidUTF8(data, []byte("\uFFFD"))
}

// relabel makes an XML prolog's encoding declaration say UTF-8.
func relabel(data []byte) []byte {
	label, start, end := prologEncoding(data)
	if label == "" || strings.EqualFold(label, "utf-8") {
		return data
	}
	out := make([]byte, 0, len(data))
	out = append(out, data[:start]...)
	out = append(out, "UTF-8"...)
	return append(out, data[end:]...)
}

// prologEncoding finds encoding="…" in a leading <?xml … ?> and returns
// its value and the value's byte range.
func prologEncoding(data []byte) (label string, start, end int) {
	lead := len(data) - len(bytes.TrimLeft(data, " \t\r\n"))
	if !bytes.HasPrefix(data[lead:], []byte("<?xml")) {
		return "", 0, 0
	}
	stop := bytes.Index(data[lead:min(len(data), lead+1024)], []byte("?>"))
	if stop < 0 {
		return "", 0, 0
	}
	prolog := data[:lead+stop]
	i := bytes.Index(prolog, []byte("encoding"))
	if i < 0 {
		return "", 0, 0
	}
	j := i + len("encoding")
	for j < len(prolog) && (prolog[j] == ' ' || prolog[j] == '\t' || prolog[j] == '\r' || prolog[j] == '\n') {
		j++
	}
	if j >= len(prolog) || prolog[j] != '=' {
		return "", 0, 0
	}
	j++
	for j < len(prolog) && (prolog[j] == ' ' || prolog[j] == '\t' || prolog[j] == '\r' || prolog[j] == '\n') {
		j++
	}
	if j >= len(prolog) || (prolog[j] != '"' && prolog[j] != '\'') {
		return "", 0, 0
	}
	q := prolog[j]
	k := bytes.IndexByte(prolog[j+1:], q)
	if k < 0 {
		return "", 0, 0
	}
	return string(prolog[j+1 : j+1+k]), j + 1, j + 1 + k
}

func convert(gf *gofeed.Feed, baseURL string) *Feed {
	base, _ := url.Parse(baseURL)
	f := &Feed{Title: strings.TrimSpace(gf.Title), SiteURL: resolve(base, gf.Link)}
	for _, it := range gf.Items {
		if it == nil {
			continue
		}
		item := Item{
			GUID:    strings.TrimSpace(it.GUID),
			URL:     resolve(base, it.Link),
			Title:   strings.TrimSpace(it.Title),
			Content: it.Content,
		}
		if strings.TrimSpace(item.Content) == "" {
			item.Content = it.Description
		}
		for _, a := range it.Authors {
			if a != nil && (a.Name != "" || a.Email != "") {
				item.Author = strings.TrimSpace(firstNonEmpty(a.Name, a.Email))
				break
			}
		}
		switch {
		case it.PublishedParsed != nil:
			item.Published = it.PublishedParsed.UTC()
		case it.UpdatedParsed != nil:
			item.Published = it.UpdatedParsed.UTC()
		}
		if item.GUID == "" {
			item.GUID = item.URL
		}
		if item.GUID == "" {
			sum := sha256.Sum256([]byte(item.Title + "\x00" + item.Content + "\x00" + item.Published.String()))
			item.GUID = "sha256:" + hex.EncodeToString(sum[:16])
		}
		f.Items = append(f.Items, item)
	}
	return f
}

// resolve makes ref absolute against base; a reference that does not
// parse is dropped rather than passed on.
func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	return u.String()
}
