package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/conversation"
	"parley/internal/listening"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestListeningAPI adds a feed and a rule, lists mentions a page at a time
// and triages one, with the refusals on the way.
func TestListeningAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		o, _ := s.OrgBySlug(ctx, "north-shire")
		analyst, _ := s.AddStaff(ctx, o.ID, "analyst@north-shire.example", account.RoleAnalyst, 0)
		analystToken, _, _ := s.CreateAPIToken(ctx, analyst.ID, "analysis", time.Time{}, 0)

		if rec := f.send("POST", "/api/v1/listening/feeds", analystToken, `{"organisation": "north-shire", "url": "https://news.example/feed"}`); rec.Code != http.StatusForbidden {
			t.Errorf("analyst adding a feed: %d", rec.Code)
		}
		if rec := f.send("POST", "/api/v1/listening/feeds", f.token, `{"organisation": "north-shire", "url": "gopher://x"}`); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("bad url: %d", rec.Code)
		}
		feed := decode[feedJSON](t, f.send("POST", "/api/v1/listening/feeds", f.token, `{"organisation": "north-shire", "url": "https://news.example/feed"}`), http.StatusCreated)
		if feed.URL != "https://news.example/feed" || feed.Organisation != "north-shire" {
			t.Errorf("feed %+v", feed)
		}
		if feeds := decode[list[feedJSON]](t, f.get("/api/v1/listening/feeds?organisation=north-shire", analystToken), http.StatusOK); len(feeds.Items) != 1 {
			t.Errorf("feeds %+v", feeds)
		}

		rec := f.send("POST", "/api/v1/listening/rules", f.token, `{"organisation": "north-shire", "name": "Buses", "query": "bus AND (lane"}`)
		if p := checkProblem(t, rec, 422, "/api/v1/listening/rules", "query"); !strings.Contains(p.Errors["query"], "Column") {
			t.Errorf("syntax error: %+v", p)
		}
		rule := decode[ruleJSON](t, f.send("POST", "/api/v1/listening/rules", f.token,
			`{"organisation": "north-shire", "name": "Buses", "query": "bus*", "alert": "digest"}`), http.StatusCreated)
		if rules := decode[list[ruleJSON]](t, f.get("/api/v1/listening/rules?organisation=north-shire", f.token), http.StatusOK); len(rules.Items) != 1 || rules.Items[0].Alert != "digest" {
			t.Errorf("rules %+v", rules)
		}

		var found []listening.Mention
		for i := range 3 {
			found = append(found, listening.Mention{Link: fmt.Sprintf("https://news.example/%d", i), Title: "Buses", RuleIDs: []int64{rule.ID}})
		}
		if _, err := s.RecordFetch(ctx, listening.FetchOutcome{FeedID: feed.ID, NextCheck: time.Now().Add(time.Hour), Mentions: found}, nil); err != nil {
			t.Fatal(err)
		}
		page1 := decode[list[mentionJSON]](t, f.get("/api/v1/listening/mentions?organisation=north-shire&limit=2", analystToken), http.StatusOK)
		if len(page1.Items) != 2 || page1.NextCursor == "" || page1.Items[0].RuleIDs[0] != rule.ID {
			t.Fatalf("page 1 %+v", page1)
		}
		page2 := decode[list[mentionJSON]](t, f.get("/api/v1/listening/mentions?organisation=north-shire&limit=2&cursor="+page1.NextCursor, analystToken), http.StatusOK)
		if len(page2.Items) != 1 || page2.NextCursor != "" || page2.Items[0].ID >= page1.Items[1].ID {
			t.Errorf("page 2 %+v", page2)
		}
		if rec := f.get("/api/v1/listening/mentions?organisation=north-shire&status=maybe", f.token); rec.Code != http.StatusBadRequest {
			t.Errorf("bad status filter: %d", rec.Code)
		}

		path := fmt.Sprintf("/api/v1/listening/mentions/%d", page2.Items[0].ID)
		if rec := f.send("PATCH", path, analystToken, `{"status": "relevant"}`); rec.Code != http.StatusForbidden {
			t.Errorf("analyst triaging: %d", rec.Code)
		}
		if rec := f.send("PATCH", path, f.token, `{"status": "answered"}`); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("answered without link: %d", rec.Code)
		}
		conv, err := s.CreateConversation(ctx, conversation.Conversation{OrgID: o.ID, TitleEN: "Buses", QuestionEN: "What next?"}, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		m := decode[mentionJSON](t, f.send("PATCH", path, f.token, `{"status": "answered", "answer_url": "https://social.example/1", "assignee_id": `+
			fmt.Sprint(f.user.ID)+`, "conversation_id": `+fmt.Sprint(conv.ID)+`}`), http.StatusOK)
		if m.Status != "answered" || m.AssigneeID != f.user.ID || m.Conversation != conv.ID {
			t.Errorf("triaged %+v", m)
		}
		if got := decode[list[mentionJSON]](t, f.get("/api/v1/listening/mentions?organisation=north-shire&status=answered", f.token), http.StatusOK); len(got.Items) != 1 {
			t.Errorf("by status %+v", got)
		}

		// Webhooks: the secret is shown once; analysts may not see them.
		hook := decode[webhookJSON](t, f.send("POST", "/api/v1/listening/webhooks", f.token,
			`{"organisation": "north-shire", "url": "https://hooks.example/parley"}`), http.StatusCreated)
		if !strings.HasPrefix(hook.Secret, "whsec_") {
			t.Errorf("webhook %+v", hook)
		}
		if hooks := decode[list[webhookJSON]](t, f.get("/api/v1/listening/webhooks?organisation=north-shire", f.token), http.StatusOK); len(hooks.Items) != 1 || hooks.Items[0].Secret != "" {
			t.Errorf("webhooks %+v", hooks)
		}
		if rec := f.get("/api/v1/listening/webhooks?organisation=north-shire", analystToken); rec.Code != http.StatusForbidden {
			t.Errorf("analyst listing webhooks: %d", rec.Code)
		}
		hookPath := fmt.Sprintf("/api/v1/listening/webhooks/%d", hook.ID)
		if rec := f.send("DELETE", hookPath, analystToken, ""); rec.Code != http.StatusForbidden {
			t.Errorf("analyst deleting a webhook: %d", rec.Code)
		}
		if rec := f.send("DELETE", hookPath, f.token, ""); rec.Code != http.StatusNoContent {
			t.Errorf("delete webhook: %d %s", rec.Code, rec.Body)
		}
		if rec := f.send("DELETE", hookPath, f.token, ""); rec.Code != http.StatusNotFound {
			t.Errorf("delete again: %d", rec.Code)
		}
	})
}
