package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/consultation"
	"parley/internal/conversation"
	"parley/internal/listening"
	"parley/internal/measure"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// writePerm is what each endpoint that changes something needs in the
// organisation it acts on (docs/api.md); every write route must be listed.
var writePerm = map[string]account.Permission{
	"POST /api/v1/conversations":                  account.PermEdit,
	"PATCH /api/v1/conversations/{id}":            account.PermEdit,
	"POST /api/v1/conversations/{id}/statements":  account.PermEdit,
	"POST /api/v1/conversations/{id}/votes":       account.PermEdit,
	"POST /api/v1/consultations":                  account.PermEdit,
	"PATCH /api/v1/consultations/{id}":            account.PermEdit,
	"POST /api/v1/consultations/{id}/publish":     account.PermEdit,
	"POST /api/v1/consultations/{id}/close":       account.PermEdit,
	"POST /api/v1/consultations/{id}/outcome":     account.PermEdit,
	"POST /api/v1/consultations/{id}/responses":   account.PermEdit,
	"POST /api/v1/listening/feeds":                account.PermEdit,
	"POST /api/v1/listening/rules":                account.PermEdit,
	"PATCH /api/v1/listening/mentions/{id}":       account.PermModerate,
	"POST /api/v1/listening/mentions/{id}/attach": account.PermEdit,
	"POST /api/v1/listening/webhooks":             account.PermEdit,
	"DELETE /api/v1/listening/webhooks/{id}":      account.PermEdit,
	"POST /api/v1/boards":                         account.PermEdit,
	"POST /api/v1/proposals/{id}/status":          account.PermEdit,
	"POST /api/v1/measures/datasets/{id}/records": "dataset-token",
}

// staffRead lists the reads that are for an organisation's staff only,
// with what they need; other reads show published things to any caller.
var staffRead = map[string]account.Permission{
	"GET /api/v1/listening/feeds":    account.PermStaffArea,
	"GET /api/v1/listening/rules":    account.PermStaffArea,
	"GET /api/v1/listening/mentions": account.PermStaffArea,
	"GET /api/v1/listening/webhooks": account.PermEdit,
}

// TestEveryEndpointAgainstEveryRole calls every endpoint as each role of
// the organisation, a citizen, another organisation's admin and nobody,
// and checks each is allowed or refused as documented: refused callers
// get 401, 403 or 404 (never a validation error, which would mean the
// request was looked at before the caller was), allowed ones never get
// 401 or 403.
func TestEveryEndpointAgainstEveryRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		o, err := s.OrgBySlug(ctx, "north-shire")
		if err != nil {
			t.Fatal(err)
		}
		other := mustOrg(t, s, "elsewhere", "Elsewhere", "Rhywle arall")
		tokens := map[string]string{"admin": f.token}
		roles := map[string]account.Role{"admin": account.RoleAdmin}
		for _, r := range account.Roles[1:] {
			u, err := s.AddStaff(ctx, o.ID, string(r)+"@north-shire.example", r, 0)
			if err != nil {
				t.Fatal(err)
			}
			tokens[string(r)], _, _ = s.CreateAPIToken(ctx, u.ID, "t", time.Time{}, 0)
			roles[string(r)] = r
		}
		oa, _ := s.AddStaff(ctx, other.ID, "admin@elsewhere.example", account.RoleAdmin, 0)
		tokens["admin-elsewhere"], _, _ = s.CreateAPIToken(ctx, oa.ID, "t", time.Time{}, 0)
		cu, _ := s.EnsureUser(ctx, "citizen@example.org")
		tokens["citizen"], _, _ = s.CreateAPIToken(ctx, cu.ID, "t", time.Time{}, 0)
		tokens["nobody"] = ""

		ids := accessFixtures(t, s, o.ID)
		a := New(s, nil, base+"/")
		a.Handler()
		for _, rt := range a.routes {
			if !rt.auth && !rt.optional {
				continue
			}
			method, pattern := rt.method, rt.pattern
			key := method + " " + pattern
			path := pattern
			for prefix, id := range ids {
				if strings.HasPrefix(pattern, prefix) {
					path = strings.Replace(pattern, "{id}", fmt.Sprint(id), 1)
				}
			}
			path = strings.Replace(path, "{slug}", "north-shire", 1)
			if strings.Contains(path, "{") {
				t.Errorf("%s: no fixture for its path", key)
				continue
			}
			target := path
			if method == http.MethodGet && !strings.Contains(path, "north-shire") && !strings.Contains(pattern, "{id}") {
				target += "?organisation=north-shire"
			}
			perm, write := writePerm[key]
			read, staffOnly := staffRead[key]
			if method != http.MethodGet && !write {
				t.Errorf("%s changes something but is not in writePerm", key)
				continue
			}
			for who, tok := range tokens {
				body := `{"organisation": "north-shire"}`
				rec := f.send(method, target, tok, body)
				code := rec.Code
				refused := code == http.StatusUnauthorized || code == http.StatusForbidden || code == http.StatusNotFound
				var allowed bool
				switch {
				case who == "nobody":
					allowed = rt.optional
				case perm == "dataset-token":
					allowed = false // staff tokens never stand in for a dataset's
				case write:
					allowed = who != "citizen" && who != "admin-elsewhere" && roles[who].Grants(perm)
				case staffOnly:
					allowed = who != "citizen" && who != "admin-elsewhere" && roles[who].Grants(read)
				default:
					continue // reads of published things: covered by each endpoint's tests
				}
				if allowed && (code == http.StatusUnauthorized || code == http.StatusForbidden) {
					t.Errorf("%s %s as %s: %d, want allowed: %s", method, target, who, code, rec.Body)
				}
				if !allowed && !refused {
					t.Errorf("%s %s as %s: %d, want 401, 403 or 404: %s", method, target, who, code, rec.Body)
				}
				if who == "nobody" && !rt.optional && code != http.StatusUnauthorized {
					t.Errorf("%s %s without a token: %d, want 401", method, target, code)
				}
			}
		}
	})
}

// accessFixtures makes one of everything the endpoints act on in the
// organisation, by the path prefix whose {id} it fills.
func accessFixtures(t *testing.T, s *store.Store, orgID int64) map[string]int64 {
	t.Helper()
	conv, err := s.CreateConversation(ctx, conversation.Conversation{OrgID: orgID, TitleEN: "Buses", QuestionEN: "What next?",
		Status: conversation.Open, Moderation: conversation.PostModeration}, []string{"More buses"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateConsultation(ctx, consultation.Consultation{OrgID: orgID, TitleEN: "Parks", SummaryEN: "About parks"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateBoard(ctx, proposal.Board{OrgID: orgID, Kind: proposal.Ideas, TitleEN: "Ideas", Moderation: proposal.PostModeration, Accepting: true}, 0)
	if err != nil {
		t.Fatal(err)
	}
	author, _ := s.EnsureUser(ctx, "author@example.org")
	p, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: b.ID, AuthorID: author.ID, AuthorName: "A", Title: "More benches", Body: "Please."}, nil)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := s.CreateFeed(ctx, listening.Feed{OrgID: orgID, URL: "https://news.example/feed"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	rule, err := s.CreateRule(ctx, listening.Rule{OrgID: orgID, Name: "Buses", Query: "bus"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordFetch(ctx, listening.FetchOutcome{FeedID: feed.ID, NextCheck: time.Now().Add(time.Hour),
		Mentions: []listening.Mention{{Link: "https://news.example/bus", Title: "Bus", RuleIDs: []int64{rule.ID}}}}, nil); err != nil {
		t.Fatal(err)
	}
	ms, err := s.Mentions(ctx, orgID, listening.MentionFilter{})
	if err != nil || len(ms) != 1 {
		t.Fatalf("mentions %v %v", ms, err)
	}
	hook, err := s.CreateWebhook(ctx, listening.Webhook{OrgID: orgID, URL: "https://hooks.example/x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, ds, err := s.CreateDataset(ctx, measure.Dataset{OrgID: orgID, Name: "Contact centre", Kind: measure.KindAPI}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]int64{
		"/api/v1/conversations/": conv.ID, "/api/v1/consultations/": c.ID, "/api/v1/boards/": b.ID,
		"/api/v1/proposals/": p.ID, "/api/v1/listening/mentions/": ms[0].ID, "/api/v1/listening/webhooks/": hook.ID,
		"/api/v1/measures/datasets/": ds.ID,
	}
}
