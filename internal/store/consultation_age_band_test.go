package store_test

import (
	"testing"
	"time"

	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/measure"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// A respondent's optional age band is kept through every way a response
// arrives: online, keyed in, imported.
func TestResponseAgeBand(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "north")
		c, qs := openConsultation(t, s, o.ID)

		r, err := s.StartResponse(ctx, consultation.Response{ConsultationID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		if r.AgeBand != "" {
			t.Errorf("a new response has age band %q", r.AgeBand)
		}
		r.AgeBand = "25-34"
		r.Answers = []consultation.Answer{{QuestionID: qs[0].ID, Text: "More trees."}}
		if err := s.SaveResponse(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
		bad := r
		bad.AgeBand = "30-39"
		if err := s.SaveResponse(ctx, bad, nil); !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)["age_band"] == "" {
			t.Errorf("an unknown band: %v", err)
		}
		done, err := s.SubmitResponse(ctx, r.ID, receipt)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Response(ctx, done.ID); err != nil || got.AgeBand != "25-34" {
			t.Errorf("online response's band %q, %v", got.AgeBand, err)
		}

		keyed := keyIn(t, s, c, qs, "By post.", func(r *consultation.Response) { r.AgeBand = "75+" })
		if got, err := s.Response(ctx, keyed.ID); err != nil || got.AgeBand != "75+" {
			t.Errorf("keyed-in response's band %q, %v", got.AgeBand, err)
		}
		if _, err := s.KeyInResponse(ctx, consultation.Response{ConsultationID: c.ID, Channel: consultation.ChannelPost,
			ReceivedAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), AgeBand: "old",
			Answers: []consultation.Answer{{QuestionID: qs[0].ID, Text: "x"}}}, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("key-in with an unknown band: %v", err)
		}

		batch := []consultation.Response{
			{ConsultationID: c.ID, Status: consultation.Submitted, Channel: consultation.ChannelEvent, ReceivedAt: time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC),
				AgeBand: measure.PreferNotToSay, Answers: []consultation.Answer{{QuestionID: qs[0].ID, Text: "At the fair."}}},
		}
		if _, err := s.ImportResponses(ctx, c.ID, batch, 1); err != nil {
			t.Fatal(err)
		}
		rs, err := s.Responses(ctx, c.ID, consultation.ResponseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		bands := map[string]int{}
		for _, r := range rs {
			bands[r.AgeBand]++
		}
		if bands["25-34"] != 1 || bands["75+"] != 1 || bands[measure.PreferNotToSay] != 1 || len(rs) != 3 {
			t.Errorf("bands of the responses: %v", bands)
		}
	})
}
