package api

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/consultation"
	"parley/internal/listening"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestAttachMentionAPI adds a mention to a consultation as a response.
func TestAttachMentionAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		o, _ := s.OrgBySlug(ctx, "north-shire")
		analyst, _ := s.AddStaff(ctx, o.ID, "analyst@north-shire.example", account.RoleAnalyst, 0)
		analystToken, _, _ := s.CreateAPIToken(ctx, analyst.ID, "analysis", time.Time{}, 0)
		feed, _ := s.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: "https://news.example/feed"}, 0)
		rule, _ := s.CreateRule(ctx, listening.Rule{OrgID: o.ID, Name: "Buses", Query: "bus*"}, 0)
		if _, err := s.RecordFetch(ctx, listening.FetchOutcome{FeedID: feed.ID, NextCheck: time.Now().Add(time.Hour), Mentions: []listening.Mention{
			{Link: "https://news.example/1", Title: "Buses", Author: "Jo", RuleIDs: []int64{rule.ID}}}}, nil); err != nil {
			t.Fatal(err)
		}
		ms, _ := s.Mentions(ctx, o.ID, listening.MentionFilter{})
		c, err := s.CreateConsultation(ctx, consultation.Consultation{OrgID: o.ID, TitleEN: "Buses", SummaryEN: "About buses"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		s.AddQuestion(ctx, consultation.Question{ConsultationID: c.ID, Kind: consultation.FreeText, TextEN: "Views?"}, 0)
		path := fmt.Sprintf("/api/v1/listening/mentions/%d/attach", ms[0].ID)
		body := fmt.Sprintf(`{"consultation_id": %d}`, c.ID)
		if rec := f.send("POST", path, f.token, body); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("draft: %d", rec.Code)
		}
		s.SetConsultationStatus(ctx, c.ID, consultation.Open, 0)
		if rec := f.send("POST", path, analystToken, body); rec.Code != http.StatusForbidden {
			t.Errorf("analyst: %d", rec.Code)
		}
		got := decode[responseJSON](t, f.send("POST", path, f.token, body), http.StatusCreated)
		if got.Channel != consultation.ChannelSocial || got.ID == 0 {
			t.Errorf("response %+v", got)
		}
		if rec := f.send("POST", path, f.token, body); rec.Code != http.StatusConflict {
			t.Errorf("twice: %d", rec.Code)
		}
	})
}
