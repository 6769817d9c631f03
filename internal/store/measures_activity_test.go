package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"parley/internal/consultation"
	"parley/internal/conversation"
	"parley/internal/measure"
	"parley/internal/org"
	"parley/internal/outbox"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// activityFixtures gives the organisation "north" three responses (two
// by post on 1 February, one by email on 10 February), an idea with two
// supports and a conversation with two votes on the clock's day, and
// "south" a petition signed by three people, two of whom confirmed.
func activityFixtures(t *testing.T, s *store.Store) (north org.Organisation, petition proposal.Proposal) {
	t.Helper()
	north = mustOrg(t, s, "north")
	c, qs := openConsultation(t, s, north.ID)
	keyIn(t, s, c, qs, "One", nil)
	keyIn(t, s, c, qs, "Two", nil)
	keyIn(t, s, c, qs, "Three", func(r *consultation.Response) {
		r.Channel, r.ReceivedAt = consultation.ChannelEmail, time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)
	})
	board := propBoard(t, s, north.ID, proposal.Ideas, nil)
	idea := propIdea(t, s, board, propUser(t, s, "author@example.org"), "More benches", "In the park.")
	if err := s.Support(ctx, idea.ID, propUser(t, s, "fan@example.org")); err != nil {
		t.Fatal(err)
	}
	conv, err := s.CreateConversation(ctx, conversation.Conversation{OrgID: north.ID, TitleEN: "Parks", QuestionEN: "What next?"}, []string{"Trees"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetConversationStatus(ctx, conv.ID, conversation.Open, 0); err != nil {
		t.Fatal(err)
	}
	st, _ := s.Statements(ctx, conv.ID, conversation.Approved)
	for _, who := range []string{"a", "b"} {
		if _, err := s.Vote(ctx, conv.ID, conversation.Participant{CookieHash: who}, st[0].ID, conversation.Agree, conversation.ChannelWeb); err != nil {
			t.Fatal(err)
		}
	}
	petition = mustPetition(t, s, "south", proposal.Board{})
	var sc sigCompose
	for i := range 2 {
		if err := s.SubmitSignature(ctx, signer(petition, fmt.Sprintf("s%d@example.org", i), ""), sc.compose); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.ConfirmSignature(ctx, sc.token("s0@example.org")); err != nil {
		t.Fatal(err)
	}
	return north, petition
}

func TestCollectActivity(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		north, petition := activityFixtures(t, s)
		n, err := s.CollectActivity(ctx)
		if err != nil || n != 5 {
			t.Fatalf("first collection: %d records %v", n, err)
		}
		ts, err := s.MeasureTotals(ctx, measure.TotalsFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range ts {
			ts[i].OrgID = map[int64]int64{north.ID: 1, petition.OrgID: 2}[ts[i].OrgID]
		}
		// The author signed on creating the petition; confirmed signatures are
		// the petition's supporters.
		signed := supporters(t, s, petition.ID)
		want := []measure.Total{
			{OrgID: 1, Service: measure.ServiceConsultations, Channel: "email", Month: 202602, Contacts: 1, Transactions: 1, Started: 1, Completed: 1},
			{OrgID: 1, Service: measure.ServiceConsultations, Channel: "post", Month: 202602, Contacts: 2, Transactions: 2, Started: 2, Completed: 2},
			{OrgID: 1, Service: measure.ServiceConversations, Channel: "web", Month: 202603, Contacts: 2, Transactions: 2},
			{OrgID: 1, Service: measure.ServiceIdeas, Channel: "web", Month: 202603, Contacts: 2, Transactions: 2},
			{OrgID: 2, Service: measure.ServiceSignatures, Channel: "web", Month: 202603, Contacts: int64(signed), Transactions: int64(signed),
				Started: 3, Completed: int64(signed)},
		}
		if diff := cmp.Diff(want, ts); diff != "" {
			t.Errorf("totals (-want +got):\n%s", diff)
		}
		if signed != 2 {
			t.Errorf("%d confirmed signatures, want the author's and one more", signed)
		}
		// Nothing new: nothing written.
		if n, err := s.CollectActivity(ctx); err != nil || n != 0 {
			t.Errorf("second collection: %d %v", n, err)
		}
		again, _ := s.MeasureTotals(ctx, measure.TotalsFilter{})
		if len(again) != len(ts) {
			t.Errorf("totals moved: %+v", again)
		}
		// A later response on an earlier day replaces that day's record.
		clock.Advance(24 * time.Hour)
		c, _ := s.Consultations(ctx, north.ID, true)
		qs, _ := s.Questions(ctx, c[0].ID)
		keyIn(t, s, c[0], qs, "Four", nil)
		if n, err := s.CollectActivity(ctx); err != nil || n != 1 {
			t.Errorf("after one more response: %d %v", n, err)
		}
		got := totals(t, s, north.ID)
		if got["consultations post 2026-02"] != [2]int64{3, 3} {
			t.Errorf("post in February %v", got)
		}
		ds, _ := s.MeasureDatasets(ctx, north.ID)
		if len(ds) != 1 || ds[0].Kind != measure.KindActivity || ds[0].Records != 4 {
			t.Fatalf("datasets %+v", ds)
		}
		sums, _ := recordSums(t, s, ds[0].ID)
		if !cmp.Equal(sums, got) {
			t.Errorf("records and totals differ: %s", cmp.Diff(sums, got))
		}
		rs, _, _ := s.MeasureRecords(ctx, ds[0].ID, 0, 10)
		exts := map[string]bool{}
		for _, r := range rs {
			exts[r.ExtID] = true
		}
		if !exts["consultations/post/20260201"] || !exts["conversations/web/20260301"] {
			t.Errorf("ExtIDs %v", exts)
		}
	})
}

func TestEngagementsAndAgeBands(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		north := mustOrg(t, s, "north")
		start := clock.Now()
		// A consultation closed and answered ten days later; another closed
		// and not yet answered; a draft, which is no engagement.
		answered, qs := openConsultation(t, s, north.ID)
		a := keyIn(t, s, answered, qs, "One", nil)
		b := keyIn(t, s, answered, qs, "Two", nil)
		keyIn(t, s, answered, qs, "Three", nil)
		pending, _ := openConsultation(t, s, north.ID)
		newConsultation(t, s, north.ID)
		clock.Advance(24 * time.Hour)
		closedAt := clock.Now()
		for _, id := range []int64{answered.ID, pending.ID} {
			if err := s.SetConsultationStatus(ctx, id, consultation.Closed, 1); err != nil {
				t.Fatal(err)
			}
		}
		clock.Advance(10 * 24 * time.Hour)
		if err := s.PublishOutcome(ctx, answered.ID, consultation.Result{SummaryEN: "Three responses", DecisionEN: "We will"},
			outbox.Event{Subject: "Outcome published", Body: "Read what we decided", URL: "/consultations/1"}, 1); err != nil {
			t.Fatal(err)
		}
		answeredAt := clock.Now()
		// A petition over its response threshold, answered.
		petition := mustPetition(t, s, "south", proposal.Board{ResponseThreshold: 2, ResponseDays: 28})
		var sc sigCompose
		if err := s.SubmitSignature(ctx, signer(petition, "s0@example.org", ""), sc.compose); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ConfirmSignature(ctx, sc.token("s0@example.org")); err != nil {
			t.Fatal(err)
		}
		p, _ := s.Proposal(ctx, petition.ID)
		if p.ThresholdAt.IsZero() {
			t.Fatalf("threshold not crossed: %+v", p)
		}
		if _, err := s.SetProposalStatus(ctx, proposal.StatusChange{ProposalID: p.ID, Status: proposal.UnderConsideration, ResponseEN: "We are looking at it", ActorID: 1}); err != nil {
			t.Fatal(err)
		}
		p, _ = s.Proposal(ctx, petition.ID)
		// A conversation, closed and reported on.
		conv, err := s.CreateConversation(ctx, conversation.Conversation{OrgID: north.ID, TitleEN: "Parks", QuestionEN: "What next?"}, []string{"Trees", "Bins"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetConversationStatus(ctx, conv.ID, conversation.Open, 0); err != nil {
			t.Fatal(err)
		}
		st, _ := s.Statements(ctx, conv.ID, conversation.Approved)
		for _, who := range []string{"a", "b"} {
			for _, x := range st {
				if _, err := s.Vote(ctx, conv.ID, conversation.Participant{CookieHash: who}, x.ID, conversation.Agree, conversation.ChannelWeb); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := s.SetConversationStatus(ctx, conv.ID, conversation.Closed, 0); err != nil {
			t.Fatal(err)
		}
		convClosed := clock.Now()

		period := measure.Period{From: measure.MonthOf(start), To: measure.MonthOf(clock.Now())}
		got, err := s.Engagements(ctx, nil, period)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64][]measure.Engagement{
			north.ID: {
				{OrgID: north.ID, Kind: "consultation", ID: answered.ID, Title: "Parks", Participants: 3, Responses: 3,
					Owed: true, ClockStart: closedAt, DueAt: closedAt.Add(84 * 24 * time.Hour), AnsweredAt: answeredAt},
				{OrgID: north.ID, Kind: "consultation", ID: pending.ID, Title: "Parks",
					Owed: true, ClockStart: closedAt, DueAt: closedAt.Add(84 * 24 * time.Hour)},
				{OrgID: north.ID, Kind: "conversation", ID: conv.ID, Title: "Parks", Participants: 2, Responses: 4,
					Owed: true, ClockStart: convClosed, DueAt: convClosed.Add(84 * 24 * time.Hour)},
			},
			petition.OrgID: {
				{OrgID: petition.OrgID, Kind: "petition", ID: p.ID, Title: p.Title, Participants: 2, Responses: 2,
					Owed: true, ClockStart: p.ThresholdAt, DueAt: p.ResponseDue, AnsweredAt: p.RespondedAt},
			},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("engagements (-want +got):\n%s", diff)
		}
		if p.RespondedAt.IsZero() || p.ResponseDue.IsZero() {
			t.Errorf("petition not answered: %+v", p)
		}
		// One organisation; a period before any of it; no organisations.
		if got, _ := s.Engagements(ctx, []int64{petition.OrgID}, period); len(got) != 1 || len(got[petition.OrgID]) != 1 {
			t.Errorf("south only: %+v", got)
		}
		if got, _ := s.Engagements(ctx, nil, measure.Period{From: 202501, To: 202512}); len(got) != 0 {
			t.Errorf("2025: %+v", got)
		}
		if got, _ := s.Engagements(ctx, []int64{}, period); len(got) != 0 {
			t.Errorf("no organisations: %+v", got)
		}
		// An answered consultation drops out of periods after its answer;
		// one still owing an answer stays in.
		later := measure.Period{From: measure.MonthOf(clock.Now()).Add(2), To: measure.MonthOf(clock.Now()).Add(3)}
		if got, _ := s.Engagements(ctx, []int64{north.ID}, later); len(got[north.ID]) != 2 || got[north.ID][0].ID != pending.ID {
			t.Errorf("later: %+v", got)
		}

		// Age bands of submitted responses, received in February (keyIn's day).
		for id, band := range map[int64]string{a.ID: "25-34", b.ID: measure.PreferNotToSay} {
			if err := store.SetAgeBand(ctx, s, id, band); err != nil {
				t.Fatal(err)
			}
		}
		bands, err := s.AgeBandCounts(ctx, nil, measure.Period{From: 202602, To: 202602})
		if err != nil || !cmp.Equal(bands, map[int64]map[string]int64{north.ID: {"25-34": 1, measure.PreferNotToSay: 1}}) {
			t.Errorf("age bands %v %v", bands, err)
		}
		if bands, _ := s.AgeBandCounts(ctx, nil, measure.Period{From: 202603, To: 202612}); len(bands) != 0 {
			t.Errorf("after February: %v", bands)
		}
		if bands, _ := s.AgeBandCounts(ctx, []int64{petition.OrgID}, measure.Period{From: 202602, To: 202602}); len(bands) != 0 {
			t.Errorf("south: %v", bands)
		}
	})
}
