package app

import (
	"context"
	"embed"
	"net/http"
	"path"
	"time"

	"parley/internal/feed"
	"parley/internal/listening"
)

// demoFeeds are served by the demo itself at /demo/feeds/{name}, so
// listening works offline.
//
//go:embed demofeeds/*.xml
var demoFeeds embed.FS

// demoListening is, per demo organisation, the feeds it watches and its rules.
var demoListening = map[string]struct {
	feeds []string
	rules []listening.Rule
}{
	"north-shire-council": {
		feeds: []string{"shire-gazette.xml", "shire-forum.xml"},
		rules: []listening.Rule{
			{Name: "High street", Query: `"high street" OR "car-free" OR market`, Alert: listening.AlertDigest},
			{Name: "Buses and cycling", Query: `bus* OR "cycle lane" OR cycling`, Alert: listening.AlertImmediate},
			{Name: "Roads", Query: `pothole* OR (road* AND repair*)`, Alert: listening.AlertNone},
		},
	},
	"department-for-transport-policy": {
		feeds: []string{"transport-news.xml"},
		rules: []listening.Rule{
			{Name: "Our consultations", Query: `consultation AND (bus* OR rail OR fares)`, Alert: listening.AlertNone},
			{Name: "Micromobility", Query: `e-scooter* OR "e scooter"`, Alert: listening.AlertNone},
		},
	},
}

// serveDemoFeed serves one of the embedded demo feeds.
func serveDemoFeed(w http.ResponseWriter, r *http.Request) {
	b, err := demoFeeds.ReadFile(path.Join("demofeeds", path.Base(r.PathValue("name"))))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=3600")
	_, _ = w.Write(b)
}

// seedListening adds the demo's feeds and rules and reads the feeds at
// once from the embedded files (the server is not listening yet), through
// the same matching and saving as a fetch, so the inbox has mentions. No
// alerts go out for what the demo starts with.
func (a *App) seedListening(ctx context.Context) error {
	for slug, d := range demoListening {
		o, err := a.Store.OrgBySlug(ctx, slug)
		if err != nil {
			return err
		}
		author, err := a.Store.UserByEmail(ctx, "editor@"+slug+".example")
		if err != nil {
			return err
		}
		for _, r := range d.rules {
			r.OrgID = o.ID
			if _, err := a.Store.CreateRule(ctx, r, author.ID); err != nil {
				return err
			}
		}
		for _, name := range d.feeds {
			f, err := a.Store.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: a.Config.BaseURL + "/demo/feeds/" + name}, author.ID)
			if err != nil {
				return err
			}
			b, err := demoFeeds.ReadFile("demofeeds/" + name)
			if err != nil {
				return err
			}
			parsed, err := feed.Parse(b, "application/xml", f.URL)
			if err != nil {
				return err
			}
			if _, err := a.recordFetched(ctx, f, feed.Response{StatusCode: http.StatusOK, URL: f.URL, Feed: parsed,
				NextCheck: time.Now().Add(time.Hour)}, nil); err != nil {
				return err
			}
		}
	}
	return nil
}
