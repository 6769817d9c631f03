package store_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/listening"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestAttachMention brings mentions into a consultation as responses from
// the social channel.
func TestAttachMention(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "north")
		other := mustOrg(t, s, "south")
		c, qs := openConsultation(t, s, o.ID) // a required free-text question (500 characters), then two others
		draft, _ := newConsultation(t, s, o.ID)
		theirs, _ := openConsultation(t, s, other.ID)
		choices, err := s.CreateConsultation(ctx, consultation.Consultation{OrgID: o.ID, TitleEN: "Choices", SummaryEN: "About choices"}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddQuestion(ctx, consultation.Question{ConsultationID: choices.ID, Kind: consultation.Single, TextEN: "Yes or no?",
			Options: []consultation.Option{{EN: "Yes"}, {EN: "No"}}}, 1); err != nil {
			t.Fatal(err)
		}
		if err := s.SetConsultationStatus(ctx, choices.ID, consultation.Open, 1); err != nil {
			t.Fatal(err)
		}

		f, _ := s.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: "https://a.example/feed"}, 0)
		rule, _ := s.CreateRule(ctx, listening.Rule{OrgID: o.ID, Name: "Parks", Query: "park"}, 0)
		published := clock.T.Add(-48 * time.Hour).Truncate(time.Second)
		long := strings.Repeat("The park needs more benches. ", 20) // 580 characters
		if _, err := s.RecordFetch(ctx, listening.FetchOutcome{FeedID: f.ID, NextCheck: clock.T.Add(time.Hour), Mentions: []listening.Mention{
			{Link: "https://a.example/1", Title: "Park plans", Excerpt: long, Author: "Jo Bloggs", Published: published, RuleIDs: []int64{rule.ID}},
			{Link: "https://a.example/2", Title: "Park closed", RuleIDs: []int64{rule.ID}},
		}}, nil); err != nil {
			t.Fatal(err)
		}
		ms, err := s.Mentions(ctx, o.ID, listening.MentionFilter{})
		if err != nil || len(ms) != 2 {
			t.Fatalf("mentions %v %v", ms, err)
		}
		plans, closed := ms[1], ms[0]

		// Refused: another organisation's consultation, a draft, one with
		// no free-text question, an unknown mention.
		for name, id := range map[string]int64{"other org": theirs.ID, "draft": draft.ID, "no free text": choices.ID, "unknown": 999999} {
			if _, err := s.AttachMention(ctx, plans.ID, id, 1); apperr.FieldsOf(err)["consultation"] == "" {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := s.AttachMention(ctx, plans.ID, choices.ID, 1); apperr.FieldsOf(err)["consultation"] != "error.listening.attach.no_free_text" {
			t.Errorf("no free text: %v", err)
		}
		if _, err := s.AttachMention(ctx, 999999, c.ID, 1); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown mention: %v", err)
		}

		// Attached: a submitted, private response from the social channel,
		// named and dated as the mention was, its text cut to the limit;
		// the other questions, one of them required, are left unanswered.
		r, err := s.AttachMention(ctx, plans.ID, c.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		back, err := s.Response(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		text := back.Answer(qs[0].ID).Text
		if back.Channel != consultation.ChannelSocial || back.Status != consultation.Submitted || back.Respondent != consultation.Individual ||
			back.Name != "Jo Bloggs" || back.Reference != "https://a.example/1" || back.Consent != consultation.PublishNot ||
			!back.ReceivedAt.Equal(published) || back.KeyedBy != 1 || back.ConsultationID != c.ID {
			t.Errorf("response %+v", back)
		}
		if !strings.HasPrefix(text, "Park plans\n\nThe park needs") || utf8.RuneCountInString(text) != 500 || len(back.Answers) != 1 {
			t.Errorf("answer %q (%d)", text, utf8.RuneCountInString(text))
		}
		m, _ := s.Mention(ctx, plans.ID)
		if m.ConsultationResponseID != r.ID || m.ConsultationID != c.ID || m.Status != listening.Relevant {
			t.Errorf("mention after attach %+v", m)
		}
		if _, err := s.AttachMention(ctx, plans.ID, c.ID, 1); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("attached twice: %v", err)
		}

		// A mention already judged keeps its status; with no author or
		// date it is nameless and received when found.
		if err := s.TriageMention(ctx, closed.ID, listening.Triage{Status: listening.Answered, AnswerURL: "https://social.example/1"}, 1); err != nil {
			t.Fatal(err)
		}
		r2, err := s.AttachMention(ctx, closed.ID, c.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if m, _ := s.Mention(ctx, closed.ID); m.Status != listening.Answered || m.ConsultationResponseID != r2.ID {
			t.Errorf("judged mention after attach %+v", m)
		}
		if back, _ := s.Response(ctx, r2.ID); back.Name != "" || !back.ReceivedAt.Equal(closed.CreatedAt) || back.Answer(qs[0].ID).Text != "Park closed" {
			t.Errorf("nameless response %+v", back)
		}

		// Both count, from the social channel.
		social, err := s.Responses(ctx, c.ID, consultation.ResponseFilter{Filter: consultation.Filter{Channel: consultation.ChannelSocial}})
		if err != nil || len(social) != 2 {
			t.Fatalf("social responses %d %v", len(social), err)
		}
		if counts, _ := s.ConsultationResponseCounts(ctx, o.ID); counts[c.ID] != 2 {
			t.Errorf("counts %v", counts)
		}
		fig := consultation.Analyse(qs, social, consultation.Filter{})
		if len(fig.ByChannel) != 1 || fig.ByChannel[0].Key != consultation.ChannelSocial || fig.ByChannel[0].Count != 2 {
			t.Errorf("by channel %+v", fig.ByChannel)
		}
		if log, _ := s.AuditLog(ctx, o.ID, 50); !hasAction(log, "listening.mention.attach") {
			t.Errorf("no audit entry")
		}
	})
}
