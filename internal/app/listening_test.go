package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/jobs"
	"parley/internal/listening"
	"parley/internal/org"
	"parley/internal/query"
)

const rssTemplate = `<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title><link>https://news.example/</link>%s</channel></rss>`

func rssItem(link, title, desc string) string {
	return fmt.Sprintf(`<item><title>%s</title><link>%s</link><description>%s</description><guid>%s</guid></item>`, title, link, desc, link)
}

// feedServer serves an RSS document with an ETag, answering 304 when the
// client sends it back, or fails with status when fail is set.
type feedServer struct {
	body     atomic.Value // string
	fail     atomic.Int32
	requests atomic.Int32
	notMod   atomic.Int32
}

func (s *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if code := s.fail.Load(); code != 0 {
		http.Error(w, "broken", int(code))
		return
	}
	body := s.body.Load().(string)
	etag := fmt.Sprintf(`"%d"`, len(body))
	if r.Header.Get("If-None-Match") == etag {
		s.notMod.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/rss+xml")
	fmt.Fprint(w, body)
}

func startFeed(t *testing.T, title string, items ...string) (*feedServer, string) {
	fs := &feedServer{}
	fs.body.Store(fmt.Sprintf(rssTemplate, title, strings.Join(items, "")))
	srv := httptest.NewServer(fs)
	t.Cleanup(srv.Close)
	return fs, srv.URL + "/feed.xml"
}

func listeningOrg(t *testing.T, a *App) (org.Organisation, account.User) {
	t.Helper()
	ctx := context.Background()
	o, err := a.Store.CreateOrg(ctx, org.Organisation{Slug: "north", NameEN: "North", NameCY: "Gogledd"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.Store.AddStaff(ctx, o.ID, "editor@north.example", account.RoleEditor, 0)
	if err != nil {
		t.Fatal(err)
	}
	return o, u
}

func TestFeedItemsBecomeMentions(t *testing.T) {
	ctx := context.Background()
	a := openApp(t, "--feeds-allow-private")
	o, u := listeningOrg(t, a)
	story := "The council will add a new bus lane on the high street next spring, the transport committee said today. " +
		"Shops on the street worry about deliveries and parking, while cycling groups asked for a protected lane as well. " +
		"A public consultation on the plan opens next month and runs for twelve weeks."
	srvA, urlA := startFeed(t, "A News",
		rssItem("https://a.example/bus?utm_source=rss", "Bus lane plan", "<p>"+story+"</p>"),
		rssItem("https://a.example/cats", "Cat show", "Nothing about transport at all in this one."))
	_, urlB := startFeed(t, "B News",
		rssItem("https://a.example/bus?fbclid=123", "Bus lane plan", story),                         // same link, other tracking
		rssItem("https://b.example/copy", "Bus lane plan", story+" Shared by B News."),              // near-identical text
		rssItem("https://b.example/other", "Trams", "A tram line is planned; nothing about buses."), // no match
	)
	rule, err := a.Store.CreateRule(ctx, listening.Rule{OrgID: o.ID, Name: "Buses", Query: `"bus lane" OR title:bus*`, Alert: listening.AlertImmediate}, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	fa, err := a.Store.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: urlA}, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	fb, _ := a.Store.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: urlB}, u.ID)

	// The feeds' first fetches were enqueued with them; run them in turn.
	if n, err := a.FetchFeed(ctx, fa.ID); err != nil || n != 1 {
		t.Fatalf("feed A: %d new, %v", n, err)
	}
	if n, err := a.FetchFeed(ctx, fb.ID); err != nil || n != 0 {
		t.Fatalf("feed B: %d new, %v (duplicates should collapse)", n, err)
	}
	ms, _ := a.Store.Mentions(ctx, o.ID, listening.MentionFilter{})
	if len(ms) != 1 || ms[0].Link != "https://a.example/bus" || ms[0].Title != "Bus lane plan" || len(ms[0].RuleIDs) != 1 || ms[0].RuleIDs[0] != rule.ID {
		t.Fatalf("mentions %+v", ms)
	}
	if strings.Contains(ms[0].Excerpt, "<p>") {
		t.Errorf("excerpt keeps HTML: %q", ms[0].Excerpt)
	}
	got, _ := a.Store.Feed(ctx, fa.ID)
	if got.ETag == "" || got.Title != "A News" || got.ErrorCount != 0 {
		t.Errorf("feed after fetch %+v", got)
	}
	// One immediate alert, to the rule's author.
	msgs, _ := a.Store.Outbox(ctx, 10)
	if len(msgs) != 1 || msgs[0].To != u.Email || !strings.Contains(msgs[0].Body, "/staff/north/listening/mentions/") {
		t.Errorf("alerts %+v", msgs)
	}
	// A second fetch is conditional: 304, nothing changes.
	if n, err := a.FetchFeed(ctx, fa.ID); err != nil || n != 0 || srvA.notMod.Load() != 1 {
		t.Errorf("304: %d new, %v, %d not-modified", n, err, srvA.notMod.Load())
	}
	if again, _ := a.Store.Feed(ctx, fa.ID); again.ETag != got.ETag {
		t.Errorf("etag changed on 304: %q → %q", got.ETag, again.ETag)
	}
	if ms, _ := a.Store.Mentions(ctx, o.ID, listening.MentionFilter{}); len(ms) != 1 {
		t.Errorf("mentions after 304: %d", len(ms))
	}
}

func TestFailingFeedBacksOffAndParks(t *testing.T) {
	ctx := context.Background()
	a := openApp(t, "--feeds-allow-private")
	o, u := listeningOrg(t, a)
	srv, url := startFeed(t, "Flaky")
	srv.fail.Store(http.StatusInternalServerError)
	f, _ := a.Store.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: url}, u.ID)
	for i := 1; i <= 3; i++ {
		if _, err := a.FetchFeed(ctx, f.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := a.Store.Feed(ctx, f.ID)
		if got.ErrorCount != i || got.LastError != "HTTP 500" || !got.NextCheckAt.After(got.CheckedAt) {
			t.Errorf("after failure %d: %+v", i, got)
		}
		if got.Parked != a.Fetcher.ShouldPark(i) {
			t.Errorf("after failure %d: parked %v", i, got.Parked)
		}
	}
	got, _ := a.Store.Feed(ctx, f.ID)
	if !got.Parked {
		t.Fatalf("not parked after 3 failures: %+v", got)
	}
	// A parked feed is not fetched, not even when asked.
	before := srv.requests.Load()
	if _, err := a.FetchFeed(ctx, f.ID); err != nil || srv.requests.Load() != before {
		t.Errorf("parked feed fetched")
	}
	if n, _ := a.Store.EnqueueDueFeeds(ctx, 100); n != 0 {
		t.Errorf("parked feed polled")
	}
}

func TestPrivateFeedsAreRefusedByDefault(t *testing.T) {
	ctx := context.Background()
	a := openApp(t)
	o, u := listeningOrg(t, a)
	srv, url := startFeed(t, "Internal", rssItem("https://intranet.example/1", "Bus lane", "bus lane"))
	f, _ := a.Store.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: url}, u.ID)
	if _, err := a.FetchFeed(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := a.Store.Feed(ctx, f.ID)
	if srv.requests.Load() != 0 || got.ErrorCount != 1 || got.LastError == "" {
		t.Errorf("loopback feed fetched: %d requests, %+v", srv.requests.Load(), got)
	}
}

func TestDemoListening(t *testing.T) {
	ctx := context.Background()
	a := openApp(t, "--demo")
	if _, err := a.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	o, _ := a.Store.OrgBySlug(ctx, "north-shire-council")
	ms, err := a.Store.Mentions(ctx, o.ID, listening.MentionFilter{})
	if err != nil || len(ms) < 4 {
		t.Fatalf("demo mentions: %d %v", len(ms), err)
	}
	links := map[string]bool{}
	for _, m := range ms {
		links[m.Link] = true
		if strings.Contains(m.Link, "utm_") || strings.Contains(m.Link, "fbclid") {
			t.Errorf("tracking kept: %s", m.Link)
		}
	}
	// The forum's copy of the Gazette story collapsed into the Gazette's mention.
	if links["https://forum.example/t/502"] || !links["https://gazette.example/news/car-free-saturdays"] {
		t.Errorf("near-duplicate not collapsed: %v", links)
	}
	if links["https://forum.example/t/503"] {
		t.Error("unmatched item became a mention")
	}
	// The demo serves its feeds.
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/demo/feeds/shire-forum.xml", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<feed") {
		t.Errorf("demo feed: %d", rec.Code)
	}
	if msgs, _ := a.Store.Outbox(ctx, 100); len(msgs) > 0 {
		for _, m := range msgs {
			if m.Kind == "listening-alert" {
				t.Errorf("alert at seed time")
			}
		}
	}
}

func TestDigestAndRetention(t *testing.T) {
	ctx := context.Background()
	a := openApp(t, "--mention-retention", "48h")
	o, u := listeningOrg(t, a)
	f, _ := a.Store.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: "https://news.example/feed"}, u.ID)
	r, _ := a.Store.CreateRule(ctx, listening.Rule{OrgID: o.ID, Name: "Buses", Query: "bus", Alert: listening.AlertDigest}, u.ID)
	if _, err := a.Store.RecordFetch(ctx, listening.FetchOutcome{FeedID: f.ID, NextCheck: time.Now().Add(time.Hour),
		Mentions: []listening.Mention{{Link: "https://news.example/bus", Title: "Bus news", RuleIDs: []int64{r.ID}}}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.sendDigests(ctx, jobs.Job{}); err != nil {
		t.Fatal(err)
	}
	msgs, _ := a.Store.Outbox(ctx, 10)
	if len(msgs) != 1 || msgs[0].Kind != "listening-digest" || !strings.Contains(msgs[0].Body, "https://news.example/bus") ||
		!strings.Contains(msgs[0].Body, "/staff/north/listening?rule=") || !strings.Contains(msgs[0].Subject, "Buses") {
		t.Errorf("digest %+v", msgs)
	}
	// Retention: cleanup keeps what is younger than the period.
	if err := a.cleanup(ctx, jobs.Job{}); err != nil {
		t.Fatal(err)
	}
	if ms, _ := a.Store.Mentions(ctx, o.ID, listening.MentionFilter{}); len(ms) != 1 {
		t.Errorf("young mention purged")
	}
}

func TestWebhookDeliveriesAreSignedAndRetried(t *testing.T) {
	ctx := context.Background()
	a := openApp(t, "--feeds-allow-private")
	o, u := listeningOrg(t, a)
	var calls atomic.Int32
	var got atomic.Value
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable) // the first attempt fails
			return
		}
		got.Store([]string{r.Header.Get(listening.HeaderTimestamp), r.Header.Get(listening.HeaderSignature), string(body)})
	}))
	defer recv.Close()
	hook, err := a.Store.CreateWebhook(ctx, listening.Webhook{OrgID: o.ID, URL: recv.URL + "/hook"}, u.ID)
	if err != nil || !strings.HasPrefix(hook.Secret, "whsec_") {
		t.Fatalf("webhook %+v %v", hook, err)
	}
	if list, _ := a.Store.Webhooks(ctx, o.ID); len(list) != 1 || list[0].Secret != "" {
		t.Errorf("listed webhooks show the secret: %+v", list)
	}
	_, feedURL := startFeed(t, "A News", rssItem("https://a.example/bus", "Bus lane plan", "A new bus lane."))
	a.Store.CreateRule(ctx, listening.Rule{OrgID: o.ID, Name: "Buses", Query: "bus"}, u.ID)
	f, _ := a.Store.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: feedURL}, u.ID)
	if n, err := a.FetchFeed(ctx, f.ID); err != nil || n != 1 {
		t.Fatalf("fetch %d %v", n, err)
	}
	js, _ := a.Store.JobsByKind(ctx, listening.WebhookKind, 10)
	if len(js) != 1 {
		t.Fatalf("webhook jobs %d", len(js))
	}
	if err := a.deliverWebhook(ctx, js[0]); err == nil {
		t.Fatal("a 503 counted as delivered")
	}
	if err := a.deliverWebhook(ctx, js[0]); err != nil {
		t.Fatal(err)
	}
	h := got.Load().([]string)
	if !listening.Verify(hook.Secret, h[0], h[1], []byte(h[2])) || !strings.Contains(h[2], `"link":"https://a.example/bus"`) ||
		!strings.Contains(h[2], `"event":"mention.created"`) {
		t.Errorf("delivery %q", h)
	}
	// Without the operator's permission, private addresses are refused.
	b := openApp(t)
	bo, bu := listeningOrg(t, b)
	bh, _ := b.Store.CreateWebhook(ctx, listening.Webhook{OrgID: bo.ID, URL: recv.URL + "/hook"}, bu.ID)
	before := calls.Load()
	bf, _ := b.Store.CreateFeed(ctx, listening.Feed{OrgID: bo.ID, URL: "https://news.example/feed"}, bu.ID)
	b.Store.CreateRule(ctx, listening.Rule{OrgID: bo.ID, Name: "Buses", Query: "bus"}, bu.ID)
	b.Store.RecordFetch(ctx, listening.FetchOutcome{FeedID: bf.ID, NextCheck: time.Now().Add(time.Hour),
		Mentions: []listening.Mention{{Link: "https://a.example/bus", Title: "Bus", RuleIDs: []int64{1}}}}, nil)
	bjs, _ := b.Store.JobsByKind(ctx, listening.WebhookKind, 10)
	if len(bjs) != 1 {
		t.Fatalf("webhook jobs %d (hook %d)", len(bjs), bh.ID)
	}
	if err := b.deliverWebhook(ctx, bjs[0]); err == nil || calls.Load() != before {
		t.Errorf("loopback webhook delivered without permission: %v", err)
	}
}

func TestAddedWebPageFindsItsFeed(t *testing.T) {
	ctx := context.Background()
	a := openApp(t, "--feeds-allow-private")
	o, u := listeningOrg(t, a)
	fs := &feedServer{}
	fs.body.Store(fmt.Sprintf(rssTemplate, "Council News", rssItem("https://news.example/bus", "Bus lane plan", "A bus lane.")))
	mux := http.NewServeMux()
	mux.Handle("/feed.xml", fs)
	mux.HandleFunc("/news", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>News</body></html>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	a.Store.CreateRule(ctx, listening.Rule{OrgID: o.ID, Name: "Buses", Query: "bus"}, u.ID)
	f, err := a.Store.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: srv.URL + "/news"}, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := a.FetchFeed(ctx, f.ID); err != nil || n != 1 {
		t.Fatalf("fetch: %d new, %v", n, err)
	}
	if got, _ := a.Store.Feed(ctx, f.ID); got.URL != srv.URL+"/feed.xml" || got.Title != "Council News" || got.ErrorCount != 0 {
		t.Errorf("feed %+v", got)
	}
}

func TestRuleSetsCompileOncePerChange(t *testing.T) {
	var c ruleSets
	rules := []listening.Rule{{ID: 1, Query: "bus"}, {ID: 2, Query: "tram*"}}
	s1 := c.get(7, rules)
	if s2 := c.get(7, rules); s2 != s1 {
		t.Error("same rules compiled again")
	}
	rules[1].Query = "train*"
	s3 := c.get(7, rules)
	if s3 == s1 || len(s3.Match(query.Item{Title: "Trains"})) != 1 {
		t.Error("changed rule not recompiled")
	}
	if c.get(8, rules) == s3 {
		t.Error("organisations share a set")
	}
}
