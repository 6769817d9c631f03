package feed

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
)

// Outline is one feed of an OPML subscription list.
type Outline struct {
	Title   string
	XMLURL  string // the feed
	HTMLURL string // the site
}

// ParseOPML reads the feeds of an OPML document. Outlines nested in
// categories are flattened, in document order; outlines without an xmlUrl
// (the categories themselves) are left out. Attribute names are matched
// without regard to case (xmlUrl, xmlURL, xmlurl all occur).
func ParseOPML(r io.Reader) ([]Outline, error) {
	d := xml.NewDecoder(r)
	d.CharsetReader = charset.NewReaderLabel
	d.Strict = false
	d.Entity = xml.HTMLEntity
	var (
		out    []Outline
		depth  int
		isOPML bool
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("opml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				if !strings.EqualFold(t.Name.Local, "opml") {
					return nil, fmt.Errorf("opml: the document is <%s>, not <opml>", t.Name.Local)
				}
				isOPML = true
				continue
			}
			if !strings.EqualFold(t.Name.Local, "outline") {
				continue
			}
			var o Outline
			var text string
			for _, a := range t.Attr {
				v := strings.TrimSpace(a.Value)
				switch strings.ToLower(a.Name.Local) {
				case "xmlurl":
					o.XMLURL = v
				case "htmlurl":
					o.HTMLURL = v
				case "title":
					o.Title = v
				case "text":
					text = v
				}
			}
			if o.Title == "" {
				o.Title = text
			}
			if o.XMLURL != "" {
				out = append(out, o)
			}
		case xml.EndElement:
			depth--
		}
	}
	if !isOPML {
		return nil, errors.New("opml: the document is empty")
	}
	return out, nil
}

type opmlDoc struct {
	XMLName xml.Name    `xml:"opml"`
	Version string      `xml:"version,attr"`
	Title   string      `xml:"head>title"`
	Created string      `xml:"head>dateCreated"`
	Body    []opmlEntry `xml:"body>outline"`
}

type opmlEntry struct {
	Type    string `xml:"type,attr"`
	Text    string `xml:"text,attr"`
	Title   string `xml:"title,attr,omitempty"`
	XMLURL  string `xml:"xmlUrl,attr"`
	HTMLURL string `xml:"htmlUrl,attr,omitempty"`
}

// WriteOPML writes outlines as an OPML 2.0 subscription list.
func WriteOPML(w io.Writer, title string, outlines []Outline) error {
	doc := opmlDoc{Version: "2.0", Title: title, Created: time.Now().UTC().Format(time.RFC1123Z)}
	for _, o := range outlines {
		doc.Body = append(doc.Body, opmlEntry{Type: "rss", Text: o.Title, Title: o.Title, XMLURL: o.XMLURL, HTMLURL: o.HTMLURL})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	e := xml.NewEncoder(w)
	e.Indent("", "  ")
	if err := e.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
