package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/conversation"
	"parley/internal/listening"
	"parley/internal/store"
	"parley/internal/web"
	"parley/internal/web/htmlcheck"
)

// fakeFeeds stands in for the feed fetcher: every URL is its own feed.
type fakeFeeds struct{}

func (fakeFeeds) ReadOPML(r io.Reader) ([]listening.Feed, error) {
	b, _ := io.ReadAll(r)
	var out []listening.Feed
	for _, l := range strings.Fields(string(b)) {
		out = append(out, listening.Feed{URL: l})
	}
	return out, nil
}

func (fakeFeeds) WriteOPML(w io.Writer, title string, feeds []listening.Feed) error {
	for _, f := range feeds {
		fmt.Fprintln(w, f.URL)
	}
	return nil
}

var fixtureN atomic.Int64

// listeningFixture makes a feed, a rule and a mention of the rule found in
// the feed.
func listeningFixture(t testing.TB, st *store.Store, orgID int64) (listening.Feed, listening.Rule, listening.Mention) {
	t.Helper()
	n := fixtureN.Add(1)
	f, err := st.CreateFeed(ctx, listening.Feed{OrgID: orgID, URL: fmt.Sprintf("https://fixture.example/%d.xml", n)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.CreateRule(ctx, listening.Rule{OrgID: orgID, Name: "Buses", Query: `"bus lane" OR tram*`}, 0)
	if err != nil {
		t.Fatal(err)
	}
	link := fmt.Sprintf("https://news.example/story/%d", n)
	if _, err := st.RecordFetch(ctx, listening.FetchOutcome{FeedID: f.ID, NextCheck: time.Now().Add(time.Hour), Mentions: []listening.Mention{
		{Link: link, Title: "A new bus lane for the high street", Excerpt: "Trams were also considered.", RuleIDs: []int64{r.ID}},
	}}, nil); err != nil {
		t.Fatal(err)
	}
	ms, err := st.Mentions(ctx, orgID, listening.MentionFilter{Limit: 1})
	if err != nil || len(ms) == 0 {
		t.Fatal(err)
	}
	return f, r, ms[0]
}

// TestListeningJourney runs the listening pages: add a feed, write a rule
// with a syntax error and fix it after a preview, find the mention in the
// inbox with its terms marked, and triage it.
func TestListeningJourney(t *testing.T) {
	s := newSite(t, store.SQLite, func(o *web.Options) { o.Feeds = fakeFeeds{} })
	editor, mod, analyst := s.client(), s.client(), s.client()
	s.store.AddStaff(ctx, s.org.ID, "editor@x.example", account.RoleEditor, 0)
	m, _ := s.store.AddStaff(ctx, s.org.ID, "moderator@x.example", account.RoleModerator, 0)
	s.store.AddStaff(ctx, s.org.ID, "analyst@x.example", account.RoleAnalyst, 0)
	s.signIn(editor, "editor@x.example")
	s.signIn(mod, "moderator@x.example")
	s.signIn(analyst, "analyst@x.example")
	base := "/staff/north-shire/listening"

	// Feeds: an address that is not a web address is an error on the field; a feed is added.
	code, body, _ := s.post(editor, base+"/feeds", url.Values{"url": {"news.example/feed"}}, "")
	if doc := htmlcheck.Parse(t, body); code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#url']") != 1 {
		t.Fatalf("no feed: %d\n%s", code, body)
	}
	if code, _, _ := s.post(editor, base+"/feeds", url.Values{"url": {"https://news.example/feed.xml"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("add feed: %d", code)
	}
	_, body, _ = s.get(editor, base+"/feeds")
	if !strings.Contains(body, "https://news.example/feed.xml") {
		t.Errorf("feed not listed")
	}
	code, body, h := s.get(editor, base+"/feeds/export")
	if code != http.StatusOK || !strings.Contains(body, "https://news.example/feed.xml") || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
		t.Errorf("export: %d %q", code, body)
	}

	// A mention arrives (as the poller would save it).
	f, rule, mention := listeningFixture(t, s.store, s.org.ID)
	_ = f

	// Rules: a syntax error names the column, keeps what was typed, saves nothing.
	code, body, _ = s.post(editor, base+"/rules", url.Values{"name": {"Roads"}, "query": {`road AND (potholes`}, "alert": {"none"}, "action": {"save"}}, "")
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || !strings.Contains(doc.Text("#query-error"), "Column") || doc.Text("#query") != "road AND (potholes" {
		t.Fatalf("syntax error: %d %q\n%s", code, doc.Text("#query-error"), body)
	}
	// A preview shows what the fixed rule would match, with the terms marked.
	code, body, _ = s.post(editor, base+"/rules", url.Values{"name": {"Lanes"}, "query": {`lane`}, "alert": {"none"}, "action": {"preview"}}, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusOK || doc.Text("#preview ~ ul mark") != "lane" {
		t.Fatalf("preview: %d\n%s", code, body)
	}
	if rs, _ := s.store.Rules(ctx, s.org.ID); len(rs) != 1 {
		t.Errorf("preview saved a rule")
	}
	if code, _, _ := s.post(editor, base+"/rules", url.Values{"name": {"Lanes"}, "query": {`lane`}, "alert": {"immediate"}, "action": {"save"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("save rule: %d", code)
	}

	// The rules page shows each rule's volume.
	_, body, _ = s.get(analyst, base+"/rules")
	if doc := htmlcheck.Parse(t, body); !strings.Contains(doc.Text("tbody"), "Mentions: 1") || doc.Count("svg.parley-spark rect") != 30 {
		t.Errorf("volumes: %q", doc.Text("tbody"))
	}

	// The inbox: filtered by rule, terms marked.
	code, body, _ = s.get(analyst, base+"?rule="+itoa(rule.ID))
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusOK || doc.Count(".parley-mention") != 1 || doc.Text(".parley-mention h2 mark") != "bus lane" {
		t.Fatalf("inbox: %d\n%s", code, body)
	}
	if _, body, _ := s.get(analyst, base+"?status=answered"); htmlcheck.Parse(t, body).Count(".parley-mention") != 0 {
		t.Errorf("status filter")
	}
	// Analysts read but do not triage.
	mentionURL := base + "/mentions/" + itoa(mention.ID)
	if _, body, _ := s.get(analyst, mentionURL); htmlcheck.Parse(t, body).Count("form[action='"+mentionURL+"']") != 0 {
		t.Errorf("analyst sees the triage form")
	}
	// Triage: answered needs the reply's link.
	code, body, _ = s.post(mod, mentionURL, url.Values{"status": {"answered"}, "assignee": {itoa(m.ID)}, "note": {"Replied"}}, "")
	if doc := htmlcheck.Parse(t, body); code != http.StatusUnprocessableEntity || doc.Count("#answer_url-error") != 1 || doc.Text("#note") != "Replied" {
		t.Fatalf("answered without link: %d\n%s", code, body)
	}
	conv, err := s.store.CreateConversation(ctx, conversation.Conversation{OrgID: s.org.ID, TitleEN: "Buses", QuestionEN: "What next?"}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	code, _, _ = s.post(mod, mentionURL, url.Values{"status": {"answered"}, "assignee": {itoa(m.ID)}, "note": {"Replied"},
		"answer_url": {"https://social.example/@north/1"}, "conversation": {itoa(conv.ID)}}, "")
	if code != http.StatusSeeOther {
		t.Fatalf("triage: %d", code)
	}
	got, _ := s.store.Mention(ctx, mention.ID)
	if got.Status != listening.Answered || got.AssigneeID != m.ID || got.AnswerURL == "" {
		t.Errorf("triaged %+v", got)
	}
	if _, body, _ := s.get(analyst, mentionURL); htmlcheck.Parse(t, body).Count("a[href='/staff/north-shire/conversations/"+itoa(conv.ID)+"']") != 1 {
		t.Errorf("linked conversation not shown")
	}
	// Another organisation's mention is not found here.
	if code, _, _ := s.get(mod, "/staff/north-shire/listening/mentions/999999"); code != http.StatusNotFound {
		t.Errorf("unknown mention: %d", code)
	}
}
