package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/conversation"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

func (f *fixture) send(method, target, token, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

// TestConversationAPI creates a conversation, opens it, records kiosk votes,
// reads the results and the export, closes it and publishes the report,
// with the refusals on the way.
func TestConversationAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		o, _ := s.OrgBySlug(ctx, "north-shire")
		analyst, _ := s.AddStaff(ctx, o.ID, "analyst@north-shire.example", account.RoleAnalyst, 0)
		analystToken, _, _ := s.CreateAPIToken(ctx, analyst.ID, "analysis", time.Time{}, 0)

		create := `{"organisation": "north-shire", "title": {"en": "Buses"}, "question": {"en": "What would get you on the bus?"},
			"anonymous": true, "statements": ["Cheaper fares", "Later buses", "Real-time signs", "More routes to the hospital"]}`
		if rec := f.send("POST", "/api/v1/conversations", analystToken, create); rec.Code != http.StatusForbidden {
			t.Errorf("analyst creating: %d", rec.Code)
		}
		if rec := f.send("POST", "/api/v1/conversations", f.token, `{"organisation": "north-shire", "title": {"en": ""}, "question": {"en": "?"}}`); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("no title: %d %s", rec.Code, rec.Body)
		} else if p := checkProblem(t, rec, 422, "/api/v1/conversations", "title_en"); p.Errors["title_en"] == "" {
			t.Error("no message for title_en")
		}
		if rec := f.send("POST", "/api/v1/conversations", f.token, `{"organisation": "north-shire", "titel": {}}`); rec.Code != http.StatusBadRequest {
			t.Errorf("unknown field: %d", rec.Code)
		}
		rec := f.send("POST", "/api/v1/conversations", f.token, create)
		c := decode[conversationJSON](t, rec, http.StatusCreated)
		if c.Status != "draft" || c.Counts.Statements != 4 || rec.Header().Get("Location") != c.Links.Self {
			t.Fatalf("created %+v, Location %q", c, rec.Header().Get("Location"))
		}
		path := fmt.Sprintf("/api/v1/conversations/%d", c.ID)

		statements := decode[list[statementJSON]](t, f.get(path+"/statements", f.token), http.StatusOK)
		ids := make([]int64, len(statements.Items))
		for i, st := range statements.Items {
			ids[i] = st.ID
		}
		ballot := func(channel string, n int) string {
			var b strings.Builder
			fmt.Fprintf(&b, `{"channel": %q, "votes": [`, channel)
			for p := range n {
				for i, id := range ids {
					vote := "disagree"
					if (i%2 == 0) == (p%2 == 0) {
						vote = "agree"
					}
					if p > 0 || i > 0 {
						b.WriteString(",")
					}
					fmt.Fprintf(&b, `{"participant": "card-%d", "statement": %d, "vote": %q}`, p, id, vote)
				}
			}
			b.WriteString("]}")
			return b.String()
		}
		// Votes wait until the conversation opens.
		if rec := f.send("POST", path+"/votes", f.token, ballot("event", 2)); rec.Code != http.StatusConflict {
			t.Errorf("votes on a draft: %d %s", rec.Code, rec.Body)
		}
		if c := decode[conversationJSON](t, f.send("PATCH", path, f.token, `{"status": "open"}`), http.StatusOK); c.Status != "open" {
			t.Errorf("after opening: %s", c.Status)
		}
		if rec := f.send("POST", path+"/votes", f.token, ballot("carrier pigeon", 2)); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("unknown channel: %d", rec.Code)
		}
		if rec := f.send("POST", path+"/votes", f.token, `{"votes": [{"participant": "x", "statement": 999999, "vote": "agree"}]}`); rec.Code != http.StatusNotFound {
			t.Errorf("unknown statement: %d", rec.Code)
		}
		if got := decode[map[string]int](t, f.send("POST", path+"/votes", f.token, ballot("event", 20)), http.StatusAccepted); got["accepted"] != 80 {
			t.Errorf("accepted %v", got)
		}
		// The same kiosk card voting again replaces its votes.
		decode[map[string]int](t, f.send("POST", path+"/votes", f.token, ballot("face_to_face", 20)), http.StatusAccepted)
		counts, _ := s.ConversationCounts(ctx, c.ID)
		if counts.Participants != 20 || counts.Votes != 80 {
			t.Errorf("counts %+v", counts)
		}
		// Results appear once the math has run.
		if rec := f.get(path+"/results", f.token); rec.Code != http.StatusNotFound {
			t.Errorf("results before the math: %d", rec.Code)
		}
		if err := conversation.Recompute(ctx, s, c.ID); err != nil {
			t.Fatal(err)
		}
		res := decode[resultsJSON](t, f.get(path+"/results", analystToken), http.StatusOK)
		if res.Votes != 80 || res.Participants != 20 || len(res.Groups) != 2 || res.Groups[0].Size != 10 {
			t.Errorf("results %+v", res)
		}
		ex := decode[exportJSON](t, f.get(path+"/export", analystToken), http.StatusOK)
		if len(ex.Comments) != 4 || len(ex.Votes) != 80 || ex.Comments[0].Agrees+ex.Comments[0].Disagrees != 20 {
			t.Errorf("export: %d comments, %d votes", len(ex.Comments), len(ex.Votes))
		}
		// A report needs the conversation closed first.
		if rec := f.send("PATCH", path, f.token, `{"response": "Thank you."}`); rec.Code != http.StatusConflict {
			t.Errorf("report while open: %d", rec.Code)
		}
		decode[conversationJSON](t, f.send("PATCH", path, f.token, `{"status": "closed"}`), http.StatusOK)
		if c := decode[conversationJSON](t, f.send("PATCH", path, f.token, `{"response": "Thank you. Buses will run later."}`), http.StatusOK); c.Status != "reported" || c.Response == "" {
			t.Errorf("after the report: %+v", c)
		}
		got := decode[list[conversationJSON]](t, f.get("/api/v1/conversations?organisation=north-shire", analystToken), http.StatusOK)
		if len(got.Items) != 1 || got.Items[0].ID != c.ID {
			t.Errorf("list: %+v", got)
		}
		if rec := f.get("/api/v1/conversations", f.token); rec.Code != http.StatusBadRequest {
			t.Errorf("list without organisation: %d", rec.Code)
		}
	})
}

// TestDraftConversationsAreStaffOnly checks a draft is hidden from other
// organisations' staff through the API.
func TestDraftConversationsAreStaffOnly(t *testing.T) {
	s := storetest.Open(t, store.SQLite, nil)
	f := setup(t, s)
	other := mustOrg(t, s, "elsewhere", "Elsewhere", "")
	u, _ := s.AddStaff(ctx, other.ID, "officer@elsewhere.example", account.RoleAdmin, 0)
	otherToken, _, _ := s.CreateAPIToken(ctx, u.ID, "x", time.Time{}, 0)
	c := decode[conversationJSON](t, f.send("POST", "/api/v1/conversations", f.token,
		`{"organisation": "north-shire", "title": {"en": "Draft"}, "question": {"en": "?"}}`), http.StatusCreated)
	path := fmt.Sprintf("/api/v1/conversations/%d", c.ID)
	if rec := f.get(path, otherToken); rec.Code != http.StatusNotFound {
		t.Errorf("other organisation reads a draft: %d", rec.Code)
	}
	if rec := f.send("PATCH", path, otherToken, `{"status": "open"}`); rec.Code != http.StatusNotFound {
		t.Errorf("other organisation opens a draft: %d", rec.Code)
	}
	if rec := f.get(path, f.token); rec.Code != http.StatusOK {
		t.Errorf("own draft: %d", rec.Code)
	}
}
