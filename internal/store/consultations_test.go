package store_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/outbox"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// newConsultation makes a draft with a free-text, a single-choice and a
// scale question. Staff actions in these tests are by user 1, the first
// user, made here.
func newConsultation(t *testing.T, s *store.Store, orgID int64) (consultation.Consultation, []consultation.Question) {
	t.Helper()
	if u, err := s.EnsureUser(ctx, "staff@example.org"); err != nil || u.ID != 1 {
		t.Fatalf("staff user %+v %v", u, err)
	}
	c, err := s.CreateConsultation(ctx, consultation.Consultation{OrgID: orgID, TitleEN: " Parks ", SummaryEN: "About parks"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []consultation.Question{
		{ConsultationID: c.ID, Kind: consultation.FreeText, TextEN: "What do you think?", Required: true, MaxLength: 500},
		{ConsultationID: c.ID, Kind: consultation.Single, TextEN: "Do you agree?", Options: []consultation.Option{{EN: "Yes"}, {EN: "No"}}},
		{ConsultationID: c.ID, Kind: consultation.Scale, TextEN: "How much?"},
	} {
		if _, err := s.AddQuestion(ctx, q, 1); err != nil {
			t.Fatal(err)
		}
	}
	qs, err := s.Questions(ctx, c.ID)
	if err != nil || len(qs) != 3 {
		t.Fatalf("questions %v %v", qs, err)
	}
	return c, qs
}

func openConsultation(t *testing.T, s *store.Store, orgID int64) (consultation.Consultation, []consultation.Question) {
	t.Helper()
	c, qs := newConsultation(t, s, orgID)
	if err := s.SetConsultationStatus(ctx, c.ID, consultation.Open, 1); err != nil {
		t.Fatal(err)
	}
	c.Status = consultation.Open
	return c, qs
}

func keyIn(t *testing.T, s *store.Store, c consultation.Consultation, qs []consultation.Question, text string, mod func(*consultation.Response)) consultation.Response {
	t.Helper()
	r := consultation.Response{ConsultationID: c.ID, Channel: consultation.ChannelPost, ReceivedAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		Answers: []consultation.Answer{{QuestionID: qs[0].ID, Text: text}}}
	if mod != nil {
		mod(&r)
	}
	r, err := s.KeyInResponse(ctx, r, 1)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestConsultationLifecycle(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "north")
		if _, err := s.CreateConsultation(ctx, consultation.Consultation{OrgID: o.ID}, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("no title: %v", err)
		}
		c, qs := newConsultation(t, s, o.ID)
		if c.TitleEN != "Parks" || c.Status != consultation.Draft || c.Layout != consultation.OnePerPage {
			t.Errorf("created %+v", c)
		}
		if len(qs[2].Options) != 5 || qs[2].Position != 3 {
			t.Errorf("scale without labels takes the default: %+v", qs[2])
		}
		// Questions move and go only in draft.
		if err := s.MoveQuestion(ctx, qs[2].ID, true, 1); err != nil {
			t.Fatal(err)
		}
		if err := s.MoveQuestion(ctx, qs[0].ID, true, 1); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Questions(ctx, c.ID)
		if got[0].ID != qs[0].ID || got[1].ID != qs[2].ID || got[2].ID != qs[1].ID {
			t.Errorf("moved %v", got)
		}
		extra, err := s.AddQuestion(ctx, consultation.Question{ConsultationID: c.ID, Kind: consultation.FreeText, TextEN: "More?"}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteQuestion(ctx, got[1].ID, 1); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Questions(ctx, c.ID)
		if len(got) != 3 || got[2].ID != extra.ID || got[2].Position != 3 || got[1].Position != 2 {
			t.Errorf("after delete %+v", got)
		}
		extra.TextEN = "Anything else?"
		if err := s.UpdateQuestion(ctx, extra, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddQuestion(ctx, consultation.Question{ConsultationID: c.ID, Kind: consultation.Single, TextEN: "x"}, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("choice without options: %v", err)
		}

		// Draft → closed is not a move; the outcome needs PublishOutcome.
		if err := s.SetConsultationStatus(ctx, c.ID, consultation.Closed, 1); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("draft → closed: %v", err)
		}
		if err := s.SetConsultationStatus(ctx, c.ID, consultation.Open, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddQuestion(ctx, consultation.Question{ConsultationID: c.ID, Kind: consultation.FreeText, TextEN: "Late"}, 1); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("add to open: %v", err)
		}
		if err := s.UpdateQuestion(ctx, extra, 1); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("update in open: %v", err)
		}
		if err := s.DeleteQuestion(ctx, extra.ID, 1); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("delete in open: %v", err)
		}
		if err := s.MoveQuestion(ctx, extra.ID, true, 1); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("move in open: %v", err)
		}
		clock.Advance(time.Hour)
		if err := s.SetConsultationStatus(ctx, c.ID, consultation.Closed, 1); err != nil {
			t.Fatal(err)
		}
		if err := s.SetConsultationStatus(ctx, c.ID, consultation.Outcome, 1); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("outcome by status: %v", err)
		}
		got1, err := s.Consultation(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got1.Status != consultation.Closed || !got1.OpenedAt.Equal(clock.T.Add(-time.Hour)) || !got1.ClosedAt.Equal(clock.T) {
			t.Errorf("closed %+v", got1)
		}
		// Updating keeps the status.
		got1.TitleEN, got1.Status = "Parks and gardens", consultation.Draft
		if err := s.UpdateConsultation(ctx, got1, 1); err != nil {
			t.Fatal(err)
		}
		if got2, _ := s.Consultation(ctx, c.ID); got2.TitleEN != "Parks and gardens" || got2.Status != consultation.Closed {
			t.Errorf("updated %+v", got2)
		}
		// Lists leave drafts out unless asked.
		draft, _ := newConsultation(t, s, o.ID)
		all, _ := s.Consultations(ctx, o.ID, true)
		public, _ := s.Consultations(ctx, o.ID, false)
		if len(all) != 2 || all[0].ID != draft.ID || len(public) != 1 || public[0].ID != c.ID {
			t.Errorf("lists %d %d", len(all), len(public))
		}
		if _, err := s.Consultation(ctx, 9999); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing: %v", err)
		}
		log, _ := s.AuditLog(ctx, o.ID, 100)
		if !hasAction(log, "consultation.create") || !hasAction(log, "consultation.close") || !hasAction(log, "consultation.question.add") {
			t.Errorf("audit %+v", log)
		}
	})
}

func hasAction[T any](log []T, action string) bool {
	for _, e := range log {
		if strings.Contains(fmt.Sprintf("%+v", e), "Action:"+action+" ") {
			return true
		}
	}
	return false
}

func TestConsultationSchedule(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "north")
		now := clock.T
		mk := func(opens, closes time.Duration, scheduled bool) int64 {
			c, err := s.CreateConsultation(ctx, consultation.Consultation{OrgID: o.ID, TitleEN: "T", SummaryEN: "S",
				OpensAt: now.Add(opens), ClosesAt: now.Add(closes), Scheduled: scheduled}, 1)
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		soon := mk(time.Hour, 48*time.Hour, true)
		unapproved := mk(time.Hour, 48*time.Hour, false)
		later := mk(24*time.Hour, 48*time.Hour, true)
		opened, closed, err := s.RunConsultationSchedule(ctx)
		if err != nil || len(opened)+len(closed) != 0 {
			t.Fatalf("nothing due: %v %v %v", opened, closed, err)
		}
		clock.Advance(2 * time.Hour)
		opened, closed, err = s.RunConsultationSchedule(ctx)
		if err != nil || len(opened) != 1 || opened[0] != soon || len(closed) != 0 {
			t.Fatalf("open soon: %v %v %v", opened, closed, err)
		}
		clock.Advance(48 * time.Hour)
		opened, closed, err = s.RunConsultationSchedule(ctx)
		// later opens and, its period over, closes at once; soon closes.
		if err != nil || len(opened) != 1 || opened[0] != later || len(closed) != 2 {
			t.Fatalf("close: %v %v %v", opened, closed, err)
		}
		for id, want := range map[int64]consultation.Status{soon: consultation.Closed, later: consultation.Closed, unapproved: consultation.Draft} {
			if c, _ := s.Consultation(ctx, id); c.Status != want {
				t.Errorf("%d: %s, want %s", id, c.Status, want)
			}
		}
		if c, _ := s.Consultation(ctx, soon); !c.ClosedAt.Equal(clock.T) || c.OpenedAt.IsZero() {
			t.Errorf("stamps %+v", c)
		}
	})
}

func receipt(c consultation.Consultation, qs []consultation.Question, r consultation.Response) (outbox.Message, bool) {
	return outbox.Message{Kind: "consultation-receipt", To: r.Email, Subject: "Thank you", Body: r.FreeText(qs)}, true
}

func TestRespondOnline(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "north")
		draft, dqs := newConsultation(t, s, o.ID)
		if _, err := s.StartResponse(ctx, consultation.Response{ConsultationID: draft.ID}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("start on a draft: %v", err)
		}
		_ = dqs
		c, qs := openConsultation(t, s, o.ID)
		r, err := s.StartResponse(ctx, consultation.Response{ConsultationID: c.ID, Lang: "cy"})
		if err != nil {
			t.Fatal(err)
		}
		if r.ID == 0 || r.Status != consultation.InProgress || r.Channel != consultation.ChannelWeb {
			t.Errorf("started %+v", r)
		}
		// Submitting without the required answer fails on that question.
		if _, err := s.SubmitResponse(ctx, r.ID, receipt); !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)[qs[0].Field()] == "" {
			t.Errorf("submit unanswered: %v", err)
		}
		r.Name, r.Email, r.Consent = "Ann", "ann@example.org", consultation.PublishNamed
		r.Answers = []consultation.Answer{{QuestionID: qs[0].ID, Text: "More trees please."}, {QuestionID: qs[1].ID, Choices: []int{1}}}
		if err := s.SaveResponse(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
		// An answer that does not fit its question is refused on saving.
		bad := r
		bad.Answers = []consultation.Answer{{QuestionID: qs[1].ID, Choices: []int{7}}}
		if err := s.SaveResponse(ctx, bad, nil); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("bad choice: %v", err)
		}
		// A later save keeps answers not given, and clear drops them.
		r.Answers = []consultation.Answer{{QuestionID: qs[2].ID, Choices: []int{4}}}
		if err := s.SaveResponse(ctx, r, []int64{qs[1].ID}); err != nil {
			t.Fatal(err)
		}
		saved, err := s.Response(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if saved.Name != "Ann" || saved.Lang != "cy" || saved.Answer(qs[0].ID).Text != "More trees please." ||
			len(saved.Answer(qs[1].ID).Choices) != 0 || saved.Answer(qs[2].ID).Choices[0] != 4 {
			t.Errorf("saved %+v", saved)
		}
		clock.Advance(time.Minute)
		done, err := s.SubmitResponse(ctx, r.ID, receipt)
		if err != nil {
			t.Fatal(err)
		}
		if done.Status != consultation.Submitted || !done.SubmittedAt.Equal(clock.T) {
			t.Errorf("submitted %+v", done)
		}
		msgs, _ := s.Outbox(ctx, 10)
		if len(msgs) != 1 || msgs[0].To != "ann@example.org" || msgs[0].Body != "More trees please." {
			t.Errorf("receipt %+v", msgs)
		}
		if _, err := s.SubmitResponse(ctx, r.ID, receipt); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("submit twice: %v", err)
		}
		if err := s.SaveResponse(ctx, r, nil); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("save after submit: %v", err)
		}
		counts, _ := s.ConsultationResponseCounts(ctx, o.ID)
		if counts[c.ID] != 1 || len(counts) != 1 {
			t.Errorf("counts %v", counts)
		}
		// In-progress responses are not counted or listed by default.
		if _, err := s.StartResponse(ctx, consultation.Response{ConsultationID: c.ID}); err != nil {
			t.Fatal(err)
		}
		rs, _ := s.Responses(ctx, c.ID, consultation.ResponseFilter{})
		drafts, _ := s.Responses(ctx, c.ID, consultation.ResponseFilter{Status: consultation.InProgress})
		if len(rs) != 1 || len(drafts) != 1 {
			t.Errorf("lists %d %d", len(rs), len(drafts))
		}
		// A closed consultation takes no more answers online.
		if err := s.SetConsultationStatus(ctx, c.ID, consultation.Closed, 1); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveResponse(ctx, drafts[0], nil); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("save when closed: %v", err)
		}
	})
}

func TestResumeLink(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "north")
		c, _ := openConsultation(t, s, o.ID)
		r, err := s.StartResponse(ctx, consultation.Response{ConsultationID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		var token string
		compose := func(email, tok string) outbox.Message {
			token = tok
			return outbox.Message{Kind: "consultation-resume", To: email, Subject: "Return to your response", Body: "/resume/" + tok}
		}
		if err := s.CreateResumeLink(ctx, r.ID, "not an address", time.Hour, compose); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("bad email: %v", err)
		}
		if err := s.CreateResumeLink(ctx, r.ID, "bob@example.org", time.Hour, compose); err != nil {
			t.Fatal(err)
		}
		if msgs, _ := s.Outbox(ctx, 5); len(msgs) != 1 || !strings.Contains(msgs[0].Body, token) {
			t.Errorf("email %+v", msgs)
		}
		got, err := s.UseResumeLink(ctx, token)
		if err != nil || got.ID != r.ID {
			t.Fatalf("use: %+v %v", got, err)
		}
		if _, err := s.UseResumeLink(ctx, token); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("second use: %v", err)
		}
		if _, err := s.UseResumeLink(ctx, "prl_forged"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("forged: %v", err)
		}
		if err := s.CreateResumeLink(ctx, r.ID, "bob@example.org", time.Hour, compose); err != nil {
			t.Fatal(err)
		}
		clock.Advance(2 * time.Hour)
		if _, err := s.UseResumeLink(ctx, token); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("expired: %v", err)
		}
	})
}

func TestKeyInAndImport(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "north")
		draft, dqs := newConsultation(t, s, o.ID)
		post := consultation.Response{ConsultationID: draft.ID, Channel: consultation.ChannelPost, ReceivedAt: clock.T.Add(-24 * time.Hour),
			Answers: []consultation.Answer{{QuestionID: dqs[0].ID, Text: "By post"}}}
		if _, err := s.KeyInResponse(ctx, post, 1); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("key in to a draft: %v", err)
		}
		c, qs := openConsultation(t, s, o.ID)
		post.ConsultationID, post.Answers = c.ID, []consultation.Answer{{QuestionID: qs[0].ID, Text: "By post"}}
		cases := map[string]func(*consultation.Response){
			"web channel":      func(r *consultation.Response) { r.Channel = consultation.ChannelWeb },
			"no date":          func(r *consultation.Response) { r.ReceivedAt = time.Time{} },
			"future":           func(r *consultation.Response) { r.ReceivedAt = clock.T.Add(72 * time.Hour) },
			"required missing": func(r *consultation.Response) { r.Answers = nil },
			"other question":   func(r *consultation.Response) { r.Answers[0].QuestionID = dqs[0].ID },
			"too long":         func(r *consultation.Response) { r.Answers[0].Text = strings.Repeat("x", 501) },
			"hear back":        func(r *consultation.Response) { r.HearBack = true },
		}
		for name, mod := range cases {
			r := post
			r.Answers = append([]consultation.Answer(nil), post.Answers...)
			mod(&r)
			if _, err := s.KeyInResponse(ctx, r, 1); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("%s: %v", name, err)
			}
		}
		got, err := s.KeyInResponse(ctx, post, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID == 0 || got.Status != consultation.Submitted || got.KeyedBy != 1 || got.Channel != consultation.ChannelPost {
			t.Errorf("keyed %+v", got)
		}
		back, _ := s.Response(ctx, got.ID)
		if !back.ReceivedAt.Equal(post.ReceivedAt) || back.Answer(qs[0].ID).Text != "By post" || back.KeyedBy != 1 {
			t.Errorf("read back %+v", back)
		}

		// One bad row imports nothing.
		var batch []consultation.Response
		for i := range 1200 {
			r := post
			r.Channel = consultation.ChannelEvent
			r.Answers = []consultation.Answer{{QuestionID: qs[0].ID, Text: fmt.Sprintf("Event answer %d", i)}, {QuestionID: qs[1].ID, Choices: []int{i % 2}}}
			batch = append(batch, r)
		}
		good := batch[700].Answers
		batch[700].Answers = good[1:]
		if _, err := s.ImportResponses(ctx, c.ID, batch, 1); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad row: %v", err)
		} else {
			var ie *consultation.ImportError
			if !errors.As(err, &ie) || len(ie.Rows) != 1 || ie.Rows[0].Line != 702 || ie.Rows[0].Column != qs[0].Field() {
				t.Errorf("report %+v", ie)
			}
		}
		if rs, _ := s.Responses(ctx, c.ID, consultation.ResponseFilter{}); len(rs) != 1 {
			t.Errorf("half imported: %d", len(rs))
		}
		batch[700].Answers = good
		n, err := s.ImportResponses(ctx, c.ID, batch, 1)
		if err != nil || n != 1200 {
			t.Fatalf("import: %d %v", n, err)
		}
		rs, err := s.Responses(ctx, c.ID, consultation.ResponseFilter{})
		if err != nil || len(rs) != 1201 {
			t.Fatalf("after import %d %v", len(rs), err)
		}
		for i, r := range rs[1:] {
			if r.Channel != consultation.ChannelEvent || len(r.Answers) != 2 || r.Answers[0].Text != batch[i].Answers[0].Text ||
				r.Answers[1].Choices[0] != i%2 || (i > 0 && r.ID <= rs[i].ID) {
				t.Fatalf("row %d: %+v", i, r)
			}
		}
		log, _ := s.AuditLog(ctx, o.ID, 5)
		if !hasAction(log, "consultation.import") || !hasAction(log, "response.key_in") {
			t.Errorf("audit %+v", log)
		}
		// Filters: channel, paging.
		byPost, _ := s.Responses(ctx, c.ID, consultation.ResponseFilter{Filter: consultation.Filter{Channel: consultation.ChannelPost}})
		page, _ := s.Responses(ctx, c.ID, consultation.ResponseFilter{After: rs[10].ID, Limit: 5})
		if len(byPost) != 1 || byPost[0].ID != got.ID || len(page) != 5 || page[0].ID != rs[11].ID || len(page[4].Answers) != 2 {
			t.Errorf("filters %d %v", len(byPost), page)
		}
	})
}

func TestResponseSearchAndFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "north")
		c, qs := openConsultation(t, s, o.ID)
		other, oqs := openConsultation(t, s, o.ID)
		a := keyIn(t, s, c, qs, "The café by the lake should open earlier.", nil)
		b := keyIn(t, s, c, qs, "More TREES along the river, please!", func(r *consultation.Response) {
			r.Respondent, r.OrgName, r.Consent = consultation.Organisation, "Friends of the River", consultation.PublishAnonymous
		})
		d := keyIn(t, s, c, qs, "Trees and a café", func(r *consultation.Response) { r.Channel = consultation.ChannelEmail })
		keyIn(t, s, other, oqs, "trees everywhere", nil)
		ids := func(f consultation.ResponseFilter) []int64 {
			t.Helper()
			rs, err := s.Responses(ctx, c.ID, f)
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			var out []int64
			for _, r := range rs {
				out = append(out, r.ID)
			}
			return out
		}
		same := func(name string, got []int64, want ...int64) {
			t.Helper()
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: %v, want %v", name, got, want)
			}
		}
		same("trees", ids(consultation.ResponseFilter{Search: "trees"}), b.ID, d.ID)
		same("case", ids(consultation.ResponseFilter{Search: "TrEeS"}), b.ID, d.ID)
		same("two words", ids(consultation.ResponseFilter{Search: "trees café"}), d.ID)
		same("lake", ids(consultation.ResponseFilter{Search: "lake"}), a.ID)
		if s.Dialect() == store.SQLite {
			same("accents folded", ids(consultation.ResponseFilter{Search: "cafe"}), a.ID, d.ID)
		}
		for _, q := range []string{`"`, `"trees`, `trees*`, `NEAR(trees`, `-trees`, `trees OR`, `AND`, `^`, `col:trees`, `'`, `(`, `***`, `trees) NOT (`} {
			if _, err := s.Responses(ctx, c.ID, consultation.ResponseFilter{Search: q}); err != nil {
				t.Errorf("search %q: %v", q, err)
			}
		}
		same("quoted word", ids(consultation.ResponseFilter{Search: `"trees"`}), b.ID, d.ID)
		same("punctuation only", ids(consultation.ResponseFilter{Search: `* " -`}))
		same("organisations", ids(consultation.ResponseFilter{Filter: consultation.Filter{Respondent: consultation.Organisation}}), b.ID)
		same("published", ids(consultation.ResponseFilter{Published: true}), b.ID)
		same("email", ids(consultation.ResponseFilter{Filter: consultation.Filter{Channel: consultation.ChannelEmail}, Search: "trees"}), d.ID)

		// Redaction: the published text replaces the answer; its own text back removes it.
		if err := s.RedactResponse(ctx, b.ID, map[int64]string{qs[0].ID: "More trees along the river."}, 1); err != nil {
			t.Fatal(err)
		}
		if err := s.RedactResponse(ctx, b.ID, map[int64]string{qs[1].ID: "x"}, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("redact a choice: %v", err)
		}
		got, _ := s.Response(ctx, b.ID)
		if got.Redacted[qs[0].ID] != "More trees along the river." || got.Answer(qs[0].ID).Text != "More TREES along the river, please!" {
			t.Errorf("redacted %+v", got)
		}
		pub, _ := s.Responses(ctx, c.ID, consultation.ResponseFilter{Published: true})
		if len(pub) != 1 || pub[0].Redacted[qs[0].ID] == "" {
			t.Errorf("listed %+v", pub)
		}
		if err := s.RedactResponse(ctx, b.ID, map[int64]string{qs[0].ID: got.Answer(qs[0].ID).Text}, 1); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Response(ctx, b.ID); len(got.Redacted) != 0 {
			t.Errorf("unredacted %+v", got.Redacted)
		}
		// Search follows edits: a saved answer's new words are found, its old ones not.
		r, err := s.StartResponse(ctx, consultation.Response{ConsultationID: c.ID, Answers: []consultation.Answer{{QuestionID: qs[0].ID, Text: "bicycles"}}})
		if err != nil {
			t.Fatal(err)
		}
		r.Answers = []consultation.Answer{{QuestionID: qs[0].ID, Text: "benches"}}
		if err := s.SaveResponse(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
		drafts := consultation.ResponseFilter{Status: consultation.InProgress}
		drafts.Search = "bicycles"
		same("old words", ids(drafts))
		drafts.Search = "benches"
		same("new words", ids(drafts), r.ID)
	})
}

func TestThemes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "north")
		c, qs := openConsultation(t, s, o.ID)
		other, oqs := openConsultation(t, s, o.ID)
		var ids []int64
		for i := range 6 {
			ids = append(ids, keyIn(t, s, c, qs, fmt.Sprintf("Answer number %d is here. And more words follow.", i), nil).ID)
		}
		stranger := keyIn(t, s, other, oqs, "Elsewhere", nil)
		if _, err := s.CreateTheme(ctx, consultation.Theme{ConsultationID: c.ID, Name: "  "}, nil, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("no name: %v", err)
		}
		if _, err := s.CreateTheme(ctx, consultation.Theme{ConsultationID: c.ID, Name: "Mixed"}, []int64{ids[0], stranger.ID}, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("other consultation's response: %v", err)
		}
		trees, err := s.CreateTheme(ctx, consultation.Theme{ConsultationID: c.ID, Name: " Trees  and parks "}, []int64{ids[0], ids[1], ids[2], ids[3], ids[0]}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if trees.Name != "Trees and parks" || trees.Count != 4 || len(trees.Quotes) != 3 || trees.Quotes[0].ResponseID != ids[0] ||
			trees.Quotes[0].Text != "Answer number 0 is here." {
			t.Errorf("created %+v", trees)
		}
		benches, err := s.CreateTheme(ctx, consultation.Theme{ConsultationID: c.ID, Name: "Benches"}, []int64{ids[2], ids[3], ids[4]}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RenameTheme(ctx, benches.ID, "Seating", "Benches and chairs", 1); err != nil {
			t.Fatal(err)
		}
		// Assigning counts only changes; another consultation's response is refused.
		if n, err := s.AssignTheme(ctx, benches.ID, []int64{ids[4], ids[5]}, false, 1); err != nil || n != 1 {
			t.Errorf("assign: %d %v", n, err)
		}
		if _, err := s.AssignTheme(ctx, benches.ID, []int64{stranger.ID}, false, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("assign stranger: %v", err)
		}
		if n, err := s.AssignTheme(ctx, benches.ID, []int64{ids[5], ids[0]}, true, 1); err != nil || n != 1 {
			t.Errorf("unassign: %d %v", n, err)
		}
		rt, _ := s.ResponseThemes(ctx, c.ID)
		if fmt.Sprint(rt[ids[2]]) != fmt.Sprint([]int64{trees.ID, benches.ID}) || len(rt[ids[5]]) != 0 {
			t.Errorf("response themes %v", rt)
		}
		// Merging keeps each response once: {0,1,2,3} ∪ {2,3,4} = 5.
		elsewhere, err := s.CreateTheme(ctx, consultation.Theme{ConsultationID: other.ID, Name: "Elsewhere"}, []int64{stranger.ID}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MergeThemes(ctx, trees.ID, elsewhere.ID, 1); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("merge across consultations: %v", err)
		}
		if err := s.MergeThemes(ctx, trees.ID, trees.ID, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("merge with itself: %v", err)
		}
		if err := s.MergeThemes(ctx, trees.ID, benches.ID, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Theme(ctx, benches.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("merged theme remains: %v", err)
		}
		merged, _ := s.Theme(ctx, trees.ID)
		if merged.Count != 5 {
			t.Errorf("merged count %d", merged.Count)
		}
		in, _ := s.Responses(ctx, c.ID, consultation.ResponseFilter{ThemeID: trees.ID})
		if len(in) != 5 {
			t.Errorf("filtered by theme: %d", len(in))
		}
		// Splitting replaces the theme by its parts.
		parts, err := s.SplitTheme(ctx, trees.ID, []consultation.ThemePart{{Name: "Trees", Members: ids[:2]}, {Name: "Parks", Members: ids[2:5]}}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(parts) != 2 || parts[0].Count != 2 || parts[1].Count != 3 || parts[1].Name != "Parks" {
			t.Errorf("split %+v", parts)
		}
		if _, err := s.SplitTheme(ctx, parts[0].ID, []consultation.ThemePart{{Name: "X", Members: []int64{stranger.ID}}}, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("split with a stranger: %v", err)
		}
		ts, _ := s.Themes(ctx, c.ID)
		if len(ts) != 2 || ts[0].ID != parts[0].ID {
			t.Errorf("themes %+v", ts)
		}
		if err := s.DeleteTheme(ctx, parts[0].ID, 1); err != nil {
			t.Fatal(err)
		}
		if ts, _ := s.Themes(ctx, c.ID); len(ts) != 1 {
			t.Errorf("after delete %+v", ts)
		}
		log, _ := s.AuditLog(ctx, o.ID, 50)
		for _, a := range []string{"theme.create", "theme.rename", "theme.assign", "theme.unassign", "theme.merge", "theme.split", "theme.delete"} {
			if !hasAction(log, a) {
				t.Errorf("no audit of %s", a)
			}
		}
	})
}

func TestOutcome(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "north")
		c, qs := openConsultation(t, s, o.ID)
		hear := func(email string) func(*consultation.Response) {
			return func(r *consultation.Response) { r.Email, r.HearBack = email, true }
		}
		a := keyIn(t, s, c, qs, "One", hear("ann@example.org"))
		keyIn(t, s, c, qs, "Two", hear("ANN@example.org"))
		keyIn(t, s, c, qs, "Three", hear("bob@example.org"))
		keyIn(t, s, c, qs, "Four", func(r *consultation.Response) { r.Email = "quiet@example.org" })
		theme, err := s.CreateTheme(ctx, consultation.Theme{ConsultationID: c.ID, Name: "Trees"}, []int64{a.ID}, 1)
		if err != nil {
			t.Fatal(err)
		}
		result := consultation.Result{SummaryEN: "Four responses", DecisionEN: "We will plant trees",
			Items: []consultation.YouSaid{{ThemeID: theme.ID, SaidEN: "More trees", DidEN: "Planting 100"}, {}}}
		ev := outbox.Event{Subject: "Outcome published", Body: "Read what we decided", URL: "/consultations/1"}
		if err := s.PublishOutcome(ctx, c.ID, result, ev, 1); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("outcome while open: %v", err)
		}
		if err := s.SetConsultationStatus(ctx, c.ID, consultation.Closed, 1); err != nil {
			t.Fatal(err)
		}
		if err := s.PublishOutcome(ctx, c.ID, consultation.Result{DecisionEN: "x"}, ev, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("no summary: %v", err)
		}
		wrong := result
		wrong.Items = []consultation.YouSaid{{ThemeID: 9999, SaidEN: "x", DidEN: "y"}}
		if err := s.PublishOutcome(ctx, c.ID, wrong, ev, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown theme: %v", err)
		}
		compose := func(c consultation.Consultation, r consultation.Response) (outbox.Message, bool) {
			return outbox.Message{Kind: "consultation-outcome", To: r.Email, Subject: "Outcome", Body: c.Result.DecisionEN}, true
		}
		if n, err := s.SendOutcomeEmails(ctx, c.ID, compose); err != nil || n != 0 {
			t.Errorf("emails before the outcome: %d %v", n, err)
		}
		if err := s.PublishOutcome(ctx, c.ID, result, ev, 1); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Consultation(ctx, c.ID)
		if got.Status != consultation.Outcome || got.OutcomeAt.IsZero() || got.Result.DecisionEN != "We will plant trees" ||
			len(got.Result.Items) != 1 || got.Result.Items[0].ThemeID != theme.ID || got.Result.Items[0].DidEN != "Planting 100" {
			t.Errorf("outcome %+v", got)
		}
		if err := s.PublishOutcome(ctx, c.ID, result, ev, 1); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("publish twice: %v", err)
		}
		n, err := s.SendOutcomeEmails(ctx, c.ID, compose)
		if err != nil || n != 2 {
			t.Fatalf("emails: %d %v", n, err)
		}
		msgs, _ := s.Outbox(ctx, 10)
		if len(msgs) != 2 || msgs[0].Body != "We will plant trees" {
			t.Errorf("outbox %+v", msgs)
		}
		if n, err := s.SendOutcomeEmails(ctx, c.ID, compose); err != nil || n != 0 {
			t.Errorf("second run: %d %v", n, err)
		}
		if msgs, _ := s.Outbox(ctx, 10); len(msgs) != 2 {
			t.Errorf("sent twice: %d", len(msgs))
		}
	})
}

func TestDocuments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "north")
		c, qs := openConsultation(t, s, o.ID)
		doc, err := s.AddDocument(ctx, consultation.Document{ConsultationID: c.ID, FileName: "plan.pdf", ContentType: "application/pdf", Size: 100, Path: "1/plan.pdf"}, 1)
		if err != nil {
			t.Fatal(err)
		}
		scan, err := s.AddDocument(ctx, consultation.Document{ConsultationID: c.ID, Title: "Letter", FileName: "letter.png", ContentType: "image/png", Size: 10, Path: "1/letter.png", Scan: true}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddDocument(ctx, consultation.Document{ConsultationID: c.ID, FileName: "big.pdf", ContentType: "application/pdf", Size: consultation.MaxDocumentSize + 1, Path: "x"}, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("too big: %v", err)
		}
		docs, _ := s.Documents(ctx, c.ID)
		if len(docs) != 1 || docs[0].Title != "plan.pdf" {
			t.Errorf("documents %+v", docs)
		}
		r := keyIn(t, s, c, qs, "See letter", func(r *consultation.Response) { r.ScanID = scan.ID })
		if got, _ := s.Response(ctx, r.ID); got.ScanID != scan.ID {
			t.Errorf("scan %+v", got)
		}
		bad := consultation.Response{ConsultationID: c.ID, Channel: consultation.ChannelPost, ReceivedAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
			ScanID: doc.ID, Answers: []consultation.Answer{{QuestionID: qs[0].ID, Text: "x"}}}
		if _, err := s.KeyInResponse(ctx, bad, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("published document as scan: %v", err)
		}
		if err := s.DeleteDocument(ctx, doc.ID, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Document(ctx, doc.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("deleted: %v", err)
		}
	})
}
