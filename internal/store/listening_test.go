package store_test

import (
	"strings"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/conversation"
	"parley/internal/listening"
	"parley/internal/outbox"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

func TestListeningFeedsAndRules(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "north")
		if _, err := s.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: "ftp://x"}, 0); apperr.FieldsOf(err)["url"] == "" {
			t.Errorf("bad url: %v", err)
		}
		f, err := s.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: " https://news.example/feed "}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: "https://news.example/feed"}, 0); apperr.FieldsOf(err)["url"] != "error.listening.url.exists" {
			t.Errorf("duplicate feed: %v", err)
		}
		// The first fetch is asked for at once, once.
		if js, _ := s.JobsByKind(ctx, listening.FetchKind, 10); len(js) != 1 {
			t.Errorf("fetch jobs %d", len(js))
		}
		if n, err := s.EnqueueDueFeeds(ctx, 100); err != nil || n != 1 {
			t.Errorf("due %d %v", n, err)
		}
		if js, _ := s.JobsByKind(ctx, listening.FetchKind, 10); len(js) != 1 {
			t.Errorf("fetch jobs after poll %d", len(js))
		}
		// Failures back off, then park.
		clock.Advance(time.Minute)
		if err := s.RecordFetchFailure(ctx, listening.FetchFailure{FeedID: f.ID, Error: "HTTP 500", NextCheck: clock.T.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.EnqueueDueFeeds(ctx, 100); n != 0 {
			t.Errorf("backing-off feed polled")
		}
		_ = s.RecordFetchFailure(ctx, listening.FetchFailure{FeedID: f.ID, Error: "HTTP 500", NextCheck: clock.T, Park: true})
		got, _ := s.Feed(ctx, f.ID)
		if !got.Parked || got.ErrorCount != 2 || got.LastError != "HTTP 500" {
			t.Errorf("parked feed %+v", got)
		}
		if n, _ := s.EnqueueDueFeeds(ctx, 100); n != 0 {
			t.Errorf("parked feed polled")
		}
		if err := s.RefreshFeed(ctx, f.ID, 0); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Feed(ctx, f.ID); got.Parked || got.ErrorCount != 0 {
			t.Errorf("refreshed feed %+v", got)
		}

		// Rules: the query must parse; the error names the column.
		_, err = s.CreateRule(ctx, listening.Rule{OrgID: o.ID, Name: "Buses", Query: "bus AND (lane"}, 0)
		if msg := apperr.FieldsOf(err)["query"]; !strings.HasPrefix(msg, "Column ") {
			t.Errorf("syntax error %v", err)
		}
		r, err := s.CreateRule(ctx, listening.Rule{OrgID: o.ID, Name: "Buses", Query: "bus AND lane", Alert: listening.AlertImmediate}, 0)
		if err != nil {
			t.Fatal(err)
		}
		rs, _ := s.Rules(ctx, o.ID)
		if len(rs) != 1 || rs[0].Query != "bus AND lane" || rs[0].Alert != listening.AlertImmediate {
			t.Errorf("rules %+v", rs)
		}
		if err := s.DeleteRule(ctx, r.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Rule(ctx, r.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("deleted rule: %v", err)
		}
	})
}

func TestListeningMentions(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "north")
		other := mustOrg(t, s, "south")
		staff, err := s.AddStaff(ctx, o.ID, "mod@north.example", account.RoleModerator, 0)
		if err != nil {
			t.Fatal(err)
		}
		outsider, _ := s.AddStaff(ctx, other.ID, "ed@south.example", account.RoleEditor, 0)
		f1, _ := s.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: "https://a.example/feed"}, 0)
		f2, _ := s.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: "https://b.example/feed"}, 0)
		loud, _ := s.CreateRule(ctx, listening.Rule{OrgID: o.ID, Name: "Buses", Query: "bus", Alert: listening.AlertImmediate}, staff.ID)
		quiet, _ := s.CreateRule(ctx, listening.Rule{OrgID: o.ID, Name: "Lanes", Query: "lane"}, staff.ID)
		alert := func(m listening.Mention, r listening.Rule, to account.User) outbox.Message {
			return outbox.Message{Kind: "listening-alert", To: to.Email, Subject: "New mention: " + r.Name, Body: m.Link}
		}
		next := clock.T.Add(time.Hour)
		n, err := s.RecordFetch(ctx, listening.FetchOutcome{FeedID: f1.ID, ETag: `"v1"`, LastModified: "Mon, 02 Jan 2006 15:04:05 GMT",
			NextCheck: next, Title: "A News", SiteURL: "https://a.example/",
			Mentions: []listening.Mention{
				{Link: "https://a.example/1?utm_source=rss", Title: "Bus lane plan", Excerpt: "A bus lane", RuleIDs: []int64{loud.ID, quiet.ID}},
				{Link: "https://a.example/2", Title: "Lane closed", Excerpt: "Ffordd ar gau ger CAFFI'R BONT — Café Élise", RuleIDs: []int64{quiet.ID}},
			}}, alert)
		if err != nil || n != 2 {
			t.Fatalf("record: %d %v", n, err)
		}
		got, _ := s.Feed(ctx, f1.ID)
		if got.ETag != `"v1"` || got.Title != "A News" || !got.NextCheckAt.Equal(next) || got.CheckedAt.IsZero() {
			t.Errorf("feed after fetch %+v", got)
		}
		// The same story on another feed, with other tracking: no new mention.
		clock.Advance(time.Minute)
		n, err = s.RecordFetch(ctx, listening.FetchOutcome{FeedID: f2.ID, NextCheck: next, Mentions: []listening.Mention{
			{Link: "https://A.example/1?fbclid=zz", Title: "Bus lane plan", RuleIDs: []int64{loud.ID}},
		}}, alert)
		if err != nil || n != 0 {
			t.Errorf("duplicate link: %d %v", n, err)
		}
		ms, err := s.Mentions(ctx, o.ID, listening.MentionFilter{})
		if err != nil || len(ms) != 2 {
			t.Fatalf("mentions %d %v", len(ms), err)
		}
		bus := ms[1]
		if bus.Link != "https://a.example/1" || bus.FeedTitle != "A News" || len(bus.RuleIDs) != 2 || bus.Status != listening.New {
			t.Errorf("mention %+v", bus)
		}
		// A near-duplicate collapses into the mention it repeats, adding its rules.
		n, _ = s.RecordFetch(ctx, listening.FetchOutcome{FeedID: f2.ID, NextCheck: next, Mentions: []listening.Mention{
			{Link: "https://b.example/copy", Title: "Lane closed", RuleIDs: []int64{loud.ID}, DuplicateOf: ms[0].ID},
		}}, alert)
		if n != 0 {
			t.Errorf("near duplicate made a mention")
		}
		if m, _ := s.Mention(ctx, ms[0].ID); len(m.RuleIDs) != 2 {
			t.Errorf("near duplicate rules %v", m.RuleIDs)
		}
		// One immediate alert: the new bus mention, to the rule's author.
		msgs, _ := s.Outbox(ctx, 10)
		if len(msgs) != 1 || msgs[0].To != "mod@north.example" {
			t.Errorf("alerts %+v", msgs)
		}
		// Filters.
		if ms, _ := s.Mentions(ctx, o.ID, listening.MentionFilter{RuleID: loud.ID}); len(ms) != 2 {
			t.Errorf("by rule %d", len(ms))
		}
		if ms, _ := s.Mentions(ctx, o.ID, listening.MentionFilter{FeedID: f2.ID}); len(ms) != 0 {
			t.Errorf("by feed %d", len(ms))
		}
		for search, want := range map[string]int{"BUS plan": 1, "lane": 2, "a news lane": 2, "100%": 0, "tram": 0,
			// Accents and case fold beyond ASCII on both databases.
			"cafe elise": 1, "ÉLISE": 1, "caffi'r": 1, "bont café": 1} {
			if ms, _ := s.Mentions(ctx, o.ID, listening.MentionFilter{Search: search}); len(ms) != want {
				t.Errorf("search %q: %d mentions, want %d", search, len(ms), want)
			}
		}
		if ms, _ := s.Mentions(ctx, o.ID, listening.MentionFilter{Limit: 1}); len(ms) != 1 {
			t.Errorf("limit %d", len(ms))
		} else if page2, _ := s.Mentions(ctx, o.ID, listening.MentionFilter{Before: ms[0].ID}); len(page2) != 1 || page2[0].ID != bus.ID {
			t.Errorf("cursor %+v", page2)
		}
		if ms, _ := s.Mentions(ctx, other.ID, listening.MentionFilter{}); len(ms) != 0 {
			t.Errorf("other org sees %d", len(ms))
		}
		// Triage.
		if err := s.TriageMention(ctx, bus.ID, listening.Triage{Status: listening.Relevant, AssigneeID: outsider.ID}, staff.ID); apperr.FieldsOf(err)["assignee"] == "" {
			t.Errorf("outsider assigned: %v", err)
		}
		if err := s.TriageMention(ctx, bus.ID, listening.Triage{Status: listening.Answered, AssigneeID: staff.ID, Note: " Replied ",
			AnswerURL: "https://social.example/@north/1"}, staff.ID); err != nil {
			t.Fatal(err)
		}
		m, _ := s.Mention(ctx, bus.ID)
		if m.Status != listening.Answered || m.AssigneeID != staff.ID || m.Note != "Replied" || m.AnswerURL == "" {
			t.Errorf("triaged %+v", m)
		}
		if ms, _ := s.Mentions(ctx, o.ID, listening.MentionFilter{Status: listening.Answered}); len(ms) != 1 {
			t.Errorf("by status %d", len(ms))
		}
		log, _ := s.AuditLog(ctx, o.ID, 1)
		if len(log) != 1 || log[0].Action != "listening.mention.triage" || log[0].ActorID != staff.ID {
			t.Errorf("audit %+v", log)
		}
		// A mention is brought into one of the organisation's conversations, not another's.
		mine, _ := s.CreateConversation(ctx, conversation.Conversation{OrgID: o.ID, TitleEN: "Buses", QuestionEN: "What next?"}, nil, 0)
		theirs, _ := s.CreateConversation(ctx, conversation.Conversation{OrgID: other.ID, TitleEN: "Trams", QuestionEN: "What next?"}, nil, 0)
		if err := s.TriageMention(ctx, bus.ID, listening.Triage{Status: listening.Relevant, ConversationID: theirs.ID}, staff.ID); apperr.FieldsOf(err)["conversation"] == "" {
			t.Errorf("other organisation's conversation linked: %v", err)
		}
		if err := s.TriageMention(ctx, bus.ID, listening.Triage{Status: listening.Answered, AssigneeID: staff.ID, Note: "Replied",
			AnswerURL: "https://social.example/@north/1", ConversationID: mine.ID}, staff.ID); err != nil {
			t.Fatal(err)
		}
		if m, _ := s.Mention(ctx, bus.ID); m.ConversationID != mine.ID {
			t.Errorf("linked %+v", m)
		}
		// Volume per rule and day.
		days, err := s.MentionsPerDay(ctx, o.ID, clock.T.Add(-24*time.Hour))
		if err != nil || len(days) != 2 || days[0].Day != clock.T.Format("2006-01-02") {
			t.Errorf("per day %+v %v", days, err)
		}
		for _, d := range days {
			if want := map[int64]int{loud.ID: 2, quiet.ID: 2}[d.RuleID]; d.Count != want {
				t.Errorf("rule %d: %d mentions, want %d", d.RuleID, d.Count, want)
			}
		}
		// Retention.
		clock.Advance(48 * time.Hour)
		if n, err := s.PurgeMentions(ctx, clock.T.Add(-24*time.Hour)); err != nil || n != 2 {
			t.Errorf("purged %d %v", n, err)
		}
	})
}

func TestListeningDigest(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "north")
		ed, _ := s.AddStaff(ctx, o.ID, "ed@north.example", account.RoleEditor, 0)
		f, _ := s.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: "https://a.example/feed"}, 0)
		daily, _ := s.CreateRule(ctx, listening.Rule{OrgID: o.ID, Name: "Daily", Query: "bus", Alert: listening.AlertDigest}, ed.ID)
		quiet, _ := s.CreateRule(ctx, listening.Rule{OrgID: o.ID, Name: "Quiet", Query: "bus"}, ed.ID)
		record := func(link string) {
			if _, err := s.RecordFetch(ctx, listening.FetchOutcome{FeedID: f.ID, NextCheck: clock.T.Add(time.Hour),
				Mentions: []listening.Mention{{Link: link, Title: "Bus", RuleIDs: []int64{daily.ID, quiet.ID}}}}, nil); err != nil {
				t.Fatal(err)
			}
		}
		record("https://a.example/old")
		clock.Advance(25 * time.Hour)
		since := clock.T.Add(-24 * time.Hour)
		record("https://a.example/1")
		record("https://a.example/2")
		var got []listening.Mention
		n, err := s.SendDigests(ctx, since, func(r listening.Rule, ms []listening.Mention, to account.User) outbox.Message {
			got = ms
			return outbox.Message{Kind: "listening-digest", To: to.Email, Subject: r.Name, Body: "x"}
		})
		if err != nil || n != 1 || len(got) != 2 {
			t.Fatalf("digests %d %v, mentions %d", n, err, len(got))
		}
		if msgs, _ := s.Outbox(ctx, 10); len(msgs) != 1 || msgs[0].To != "ed@north.example" || msgs[0].Subject != "Daily" {
			t.Errorf("outbox %+v", msgs)
		}
		// Nothing new: no email.
		clock.Advance(25 * time.Hour)
		if n, _ := s.SendDigests(ctx, clock.T.Add(-24*time.Hour), nil); n != 0 {
			t.Errorf("empty digest sent")
		}
	})
}

func TestListeningWebhooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "north")
		h, err := s.CreateWebhook(ctx, listening.Webhook{OrgID: o.ID, URL: "https://hooks.example/a"}, 0)
		if err != nil || len(h.Secret) < 40 {
			t.Fatalf("webhook %+v %v", h, err)
		}
		if _, err := s.CreateWebhook(ctx, listening.Webhook{OrgID: o.ID, URL: "https://hooks.example/a"}, 0); apperr.FieldsOf(err)["url"] == "" {
			t.Errorf("duplicate webhook: %v", err)
		}
		if got, _ := s.Webhook(ctx, h.ID); got.Secret != h.Secret {
			t.Errorf("secret not kept")
		}
		f, _ := s.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: "https://a.example/feed"}, 0)
		r, _ := s.CreateRule(ctx, listening.Rule{OrgID: o.ID, Name: "Buses", Query: "bus"}, 0)
		for range 2 { // the second fetch finds the same link: no new delivery
			if _, err := s.RecordFetch(ctx, listening.FetchOutcome{FeedID: f.ID, NextCheck: time.Now().Add(time.Hour),
				Mentions: []listening.Mention{{Link: "https://a.example/1", Title: "Bus", RuleIDs: []int64{r.ID}}}}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if js, _ := s.JobsByKind(ctx, listening.WebhookKind, 10); len(js) != 1 {
			t.Errorf("deliveries %d", len(js))
		}
		if err := s.DeleteWebhook(ctx, h.ID, 0); err != nil {
			t.Fatal(err)
		}
		if hs, _ := s.Webhooks(ctx, o.ID); len(hs) != 0 {
			t.Errorf("deleted webhook listed")
		}
	})
}
