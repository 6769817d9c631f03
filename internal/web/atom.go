package web

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"time"
)

// atomFeed is an Atom 1.0 feed (RFC 4287) of a public list.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID      string     `xml:"id"`
	Title   string     `xml:"title"`
	Updated string     `xml:"updated"`
	Link    atomLink   `xml:"link"`
	Summary string     `xml:"summary"`
	Cat     []atomTerm `xml:"category"`
}

type atomTerm struct {
	Term string `xml:"term,attr"`
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// writeAtom serves a feed; it may be cached briefly by anyone.
func writeAtom(w http.ResponseWriter, f atomFeed) error {
	b, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err = w.Write(append([]byte(xml.Header), b...))
	return err
}

// conversationsFeed is an Atom feed of an organisation's public
// conversations, newest first, updated as they open, close and report.
func (s *Server) conversationsFeed(w http.ResponseWriter, r *http.Request) error {
	o, err := s.Store.OrgBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	list, err := s.Store.Conversations(r.Context(), o.ID, false)
	if err != nil {
		return err
	}
	lang := langOf(r)
	self := s.BaseURL + "/feeds/organisations/" + o.Slug + "/conversations.atom"
	f := atomFeed{Lang: lang, ID: self, Title: o.Name(lang) + ": " + s.Catalogue.Printer(lang).T("conversations.title"),
		Updated: atomTime(o.CreatedAt), Author: atomAuthor{Name: o.Name(lang)},
		Links: []atomLink{{Rel: "self", Href: self, Type: "application/atom+xml"}, {Rel: "alternate", Href: s.BaseURL + "/organisations/" + o.Slug}}}
	for _, c := range list {
		updated := latest(c.CreatedAt, c.OpenedAt, c.ClosedAt, c.ReportedAt)
		if updated.After(parseAtom(f.Updated)) {
			f.Updated = atomTime(updated)
		}
		link := s.BaseURL + "/conversations/" + strconv.FormatInt(c.ID, 10)
		f.Entries = append(f.Entries, atomEntry{ID: link, Title: c.Title(lang), Updated: atomTime(updated),
			Link: atomLink{Href: link}, Summary: c.Question(lang), Cat: []atomTerm{{Term: string(c.Status)}}})
	}
	return writeAtom(w, f)
}

func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

func parseAtom(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}
