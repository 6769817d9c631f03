package store_test

import (
	"encoding/json"
	"testing"
	"time"

	"parley/internal/apperr"
	"parley/internal/conversation"
	"parley/internal/jobs"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

func TestConversationLifecycle(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "north")
		if _, err := s.CreateConversation(ctx, conversation.Conversation{OrgID: o.ID}, nil, 0); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("no title: %v", err)
		}
		if _, err := s.CreateConversation(ctx, conversation.Conversation{OrgID: o.ID, TitleEN: "T", QuestionEN: "Q"},
			[]string{string(make([]byte, 300))}, 0); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("seed too long: %v", err)
		}
		c, err := s.CreateConversation(ctx, conversation.Conversation{OrgID: o.ID, TitleEN: " Parks ", QuestionEN: "What next?",
			Moderation: conversation.PreModeration, Anonymous: true}, []string{"Trees", "", "  Benches  "}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if c.TitleEN != "Parks" || c.Status != conversation.Draft {
			t.Errorf("created %+v", c)
		}
		st, _ := s.Statements(ctx, c.ID, conversation.Approved)
		if len(st) != 2 || st[1].Text != "Benches" || !st[0].Seed {
			t.Errorf("seeds %+v", st)
		}
		alice := conversation.Participant{CookieHash: "hash-alice"}
		// A draft takes no votes; statuses move only along the lifecycle.
		if _, err := s.Vote(ctx, c.ID, alice, st[0].ID, conversation.Agree, conversation.ChannelWeb); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("vote on a draft: %v", err)
		}
		if err := s.SetConversationStatus(ctx, c.ID, conversation.Closed, 0); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("draft → closed: %v", err)
		}
		if err := s.SetConversationStatus(ctx, c.ID, conversation.Open, 0); err != nil {
			t.Fatal(err)
		}
		pid, err := s.Vote(ctx, c.ID, alice, st[0].ID, conversation.Agree, conversation.ChannelWeb)
		if err != nil {
			t.Fatal(err)
		}
		// A second vote replaces the first.
		clock.Advance(time.Minute)
		if again, err := s.Vote(ctx, c.ID, alice, st[0].ID, conversation.Disagree, conversation.ChannelWeb); err != nil || again != pid {
			t.Fatalf("revote: %d %v", again, err)
		}
		voted, _ := s.VotedStatements(ctx, c.ID, pid)
		if len(voted) != 1 || voted[st[0].ID] != conversation.Disagree {
			t.Errorf("voted %v", voted)
		}
		// One recompute waits, however many votes arrive.
		if js, _ := s.JobsByKind(ctx, conversation.RecomputeKind, 10); len(js) != 1 {
			t.Errorf("%d recompute jobs", len(js))
		}
		if recent, _ := s.VotesSince(ctx, c.ID, clock.Now().Add(-time.Second)); !recent {
			t.Error("VotesSince missed the vote")
		}
		// Under pre-moderation a participant's statement waits; a duplicate is refused.
		added, err := s.AddStatement(ctx, c.ID, alice, "  More   bins ")
		if err != nil || added.Status != conversation.Pending || added.Text != "More bins" {
			t.Fatalf("added %+v %v", added, err)
		}
		if _, err := s.AddStatement(ctx, c.ID, alice, "More bins"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("duplicate: %v", err)
		}
		if _, err := s.Vote(ctx, c.ID, alice, added.ID, conversation.Agree, conversation.ChannelWeb); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("vote on a pending statement: %v", err)
		}
		if err := s.ModerateStatement(ctx, c.ID, added.ID, conversation.Approved, 0); err != nil {
			t.Fatal(err)
		}
		// Kiosk votes: all or none.
		bad := []conversation.BallotEntry{{Participant: "k1", StatementID: st[0].ID, Vote: conversation.Agree}, {Participant: "k1", StatementID: 999999, Vote: conversation.Agree}}
		if err := s.VoteBatch(ctx, c.ID, bad, conversation.ChannelEvent); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("batch with an unknown statement: %v", err)
		}
		good := []conversation.BallotEntry{{Participant: "k1", StatementID: st[0].ID, Vote: conversation.Agree}, {Participant: "k1", StatementID: added.ID, Vote: conversation.Pass}}
		if err := s.VoteBatch(ctx, c.ID, good, conversation.ChannelEvent); err != nil {
			t.Fatal(err)
		}
		n, _ := s.ConversationCounts(ctx, c.ID)
		if n != (conversation.Counts{Participants: 2, Votes: 3, Statements: 3}) {
			t.Errorf("counts %+v", n)
		}
		if all, err := s.OrgConversationCounts(ctx, o.ID); err != nil || all[c.ID] != n || len(all) != 1 {
			t.Errorf("organisation counts %+v %v, want %+v for %d only", all, err, n, c.ID)
		}
		// Rejecting a statement keeps its votes (open data shows them) but the math leaves them out.
		if err := s.ModerateStatement(ctx, c.ID, added.ID, conversation.Rejected, 0); err != nil {
			t.Fatal(err)
		}
		if m, _ := s.VoteMatrix(ctx, c.ID); len(m) != 3 {
			t.Errorf("matrix has %d votes, want 3", len(m))
		}
		days, _ := s.VotesPerDay(ctx, c.ID)
		if len(days) != 1 || days[0].Votes != 3 || days[0].Day != clock.Now().UTC().Format("2006-01-02") {
			t.Errorf("per day %+v", days)
		}
		// Results: saved, read back, and their time tells a reader whether its copy is current.
		if _, err := s.ConversationResultAt(ctx, c.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("result before the first run: %v", err)
		}
		if err := conversation.Recompute(ctx, s, c.ID); err != nil {
			t.Fatal(err)
		}
		body, at, err := s.ConversationResult(ctx, c.ID)
		if at2, _ := s.ConversationResultAt(ctx, c.ID); err != nil || len(body) == 0 || !at.Equal(at2) {
			t.Errorf("result %d bytes at %v/%v: %v", len(body), at, at2, err)
		}
		var res conversation.Results
		if err := json.Unmarshal(body, &res); err != nil || res.Votes != 2 || len(res.Statements) != 2 {
			t.Errorf("result counts the rejected statement's votes: %d votes, %d statements, %v", res.Votes, len(res.Statements), err)
		}
		// Report only once closed.
		if err := s.PublishConversationReport(ctx, c.ID, "Thanks", 0); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("report while open: %v", err)
		}
		s.SetConversationStatus(ctx, c.ID, conversation.Closed, 0)
		if err := s.PublishConversationReport(ctx, c.ID, "Thanks", 0); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Conversation(ctx, c.ID)
		if got.Status != conversation.Reported || got.Response != "Thanks" || got.ReportedAt.IsZero() || got.ClosedAt.IsZero() {
			t.Errorf("after the report %+v", got)
		}
		audit, _ := s.AuditLog(ctx, o.ID, 50)
		if len(audit) < 6 {
			t.Errorf("%d audit entries for the staff actions", len(audit))
		}
	})
}

func TestImportConversationIsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "north")
		c := conversation.Conversation{OrgID: o.ID, TitleEN: "Imported", QuestionEN: "?", Status: conversation.Closed}
		statements := []conversation.ImportedStatement{{ExternalID: "0", Text: "A"}, {ExternalID: "1", Text: "B", Status: conversation.Rejected}}
		votes := []conversation.ImportedVote{{Participant: "7", Statement: "0", Vote: conversation.Agree}, {Participant: "7", Statement: "9", Vote: conversation.Agree}}
		if _, err := s.ImportConversation(ctx, c, statements, votes, 0); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("vote on an unknown statement: %v", err)
		}
		if list, _ := s.Conversations(ctx, o.ID, true); len(list) != 0 {
			t.Fatalf("a failed import left %d conversations", len(list))
		}
		saved, err := s.ImportConversation(ctx, c, statements, votes[:1], 0)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := s.ConversationCounts(ctx, saved.ID)
		if n != (conversation.Counts{Participants: 1, Votes: 1, Statements: 1}) {
			t.Errorf("counts %+v", n)
		}
		people, _ := s.ConversationParticipants(ctx, saved.ID)
		if len(people) != 1 || people[0].ExternalID != "import:7" {
			t.Errorf("participants %+v", people)
		}
	})
}

// TestRecomputeFollowUpIsNotDroppedWhileRunning checks that a recompute
// job, while it runs and holds its key, can still queue the run that votes
// cast meanwhile need.
func TestRecomputeFollowUpIsNotDroppedWhileRunning(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "north")
		c, _ := s.CreateConversation(ctx, conversation.Conversation{OrgID: o.ID, TitleEN: "T", QuestionEN: "Q", Status: conversation.Open, Anonymous: true},
			[]string{"One"}, 0)
		st, _ := s.Statements(ctx, c.ID, conversation.Approved)
		vote := func(who string) {
			if _, err := s.Vote(ctx, c.ID, conversation.Participant{CookieHash: who}, st[0].ID, conversation.Agree, conversation.ChannelWeb); err != nil {
				t.Fatal(err)
			}
		}
		vote("a")
		clock.Advance(time.Minute)
		running, err := s.Claim(ctx, "worker", 10, time.Minute)
		if err != nil || len(running) != 1 {
			t.Fatalf("claim: %d %v", len(running), err)
		}
		vote("b") // its enqueue is dropped: the running job holds the key
		ready := func() int {
			js, _ := s.JobsByKind(ctx, conversation.RecomputeKind, 10)
			n := 0
			for _, j := range js {
				if j.State == jobs.Ready {
					n++
				}
			}
			return n
		}
		if n := ready(); n != 0 {
			t.Fatalf("%d ready recompute jobs while one runs", n)
		}
		if err := s.RequestFollowUp(ctx, c.ID, running[0].Key); err != nil {
			t.Fatal(err)
		}
		if n := ready(); n != 1 {
			t.Errorf("%d ready recompute jobs after the follow-up, want 1", n)
		}
	})
}
