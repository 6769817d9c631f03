package feed

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiscover(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/page", fixed("text/html; charset=utf-8", []byte(`<!DOCTYPE html>
<html><head>
<title>North Shire Council</title>
<link rel="stylesheet" href="/main.css">
<link rel="alternate" type="application/rss+xml" title="News" href="/news.rss">
<link rel="alternate" type="application/atom+xml" href="https://other.example/feed.atom">
<LINK REL="Alternate Feed" TYPE="application/feed+json; charset=utf-8" HREF="feed.json">
<link rel="alternate" type="application/rss+xml" href="/news.rss">
<link rel="alternate" type="text/html" hreflang="cy" href="/cy/page">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
</head><body><p>Hello</p></body></html>`)))
	mux.Handle("/based/page", fixed("text/html", []byte(`<html><head><base href="https://cdn.example/feeds/">
<link rel="alternate" type="application/rss+xml" href="all.xml"></head></html>`)))
	mux.Handle("/none", fixed("text/html", []byte(`<html><head><title>No feeds</title></head></html>`)))
	mux.Handle("/feed.xml", fixed("text/html", file(t, "rss2.xml"))) // a feed served with the wrong type
	mux.Handle("/moved", http.RedirectHandler("/feed.xml", http.StatusMovedPermanently))
	mux.Handle("/missing", http.NotFoundHandler())
	srv := serve(t, mux)
	f := newFetcher(t, Options{})

	tests := []struct {
		path string
		want []string
	}{
		{"/page", []string{srv.URL + "/news.rss", "https://other.example/feed.atom", srv.URL + "/feed.json"}},
		{"/based/page", []string{"https://cdn.example/feeds/all.xml"}},
		{"/none", nil},
		{"/feed.xml", []string{srv.URL + "/feed.xml"}},
		{"/moved", []string{srv.URL + "/feed.xml"}},
	}
	for _, tc := range tests {
		got, err := f.Discover(context.Background(), srv.URL+tc.path)
		if err != nil {
			t.Errorf("%s: %v", tc.path, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.path, diff)
		}
	}
	if _, err := f.Discover(context.Background(), srv.URL+"/missing"); KindOf(err) != KindStatus {
		t.Errorf("missing page: err = %v, want a status error", err)
	}
}
