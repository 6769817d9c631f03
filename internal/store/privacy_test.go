package store_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/conversation"
	"parley/internal/moderation"
	"parley/internal/outbox"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// The person whose data is exported and erased, and what identifies them.
const (
	erasable     = "pat.q.erasable@example.org"
	erasableName = "Pat Quentin Erasable"
	erasableCode = "ZE2 9QQ"
	erasableIP   = "203.0.113.77"
)

func TestPersonalDataExportAndErasure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "erasure")
		c, qs := openConsultation(t, s, o.ID) // the staff user is user 1
		person := propUser(t, s, erasable)
		if err := s.SetDisplayName(ctx, person, erasableName); err != nil {
			t.Fatal(err)
		}
		if err := s.Subscribe(ctx, person, "org", o.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSignInLink(ctx, erasable, "/account", time.Hour, func(email, token string) outbox.Message {
			return outbox.Message{Kind: "sign-in", To: email, Subject: "Sign in", Body: "Hello " + erasableName}
		}); err != nil {
			t.Fatal(err)
		}

		// A named response with an answer, a signature, an idea with a
		// comment, a support and a conversation with a statement and a vote.
		keyIn(t, s, c, qs, "Keep the park open late", func(r *consultation.Response) {
			r.Name, r.Email, r.Consent, r.HearBack = erasableName, erasable, consultation.PublishNamed, true
		})
		petitions := propBoard(t, s, o.ID, proposal.Petitions, nil)
		other := propUser(t, s, "someone.else@example.org")
		petition := propPetition(t, s, petitions, other, "Save the library")
		if err := s.SeedSignatures(ctx, petition.ID, []proposal.Signature{{Name: erasableName, Email: erasable, Postcode: erasableCode,
			Country: "GB", UKResident: true, IP: erasableIP, CreatedAt: time.Now()}}); err != nil {
			t.Fatal(err)
		}
		ideas := propBoard(t, s, o.ID, proposal.Ideas, nil)
		mine, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: ideas.ID, AuthorID: person, AuthorName: erasableName, Title: "Benches by the pond", Body: "Please."}, nil)
		if err != nil {
			t.Fatal(err)
		}
		theirs := propIdea(t, s, ideas, other, "More bins", "Please.")
		if err := s.Support(ctx, theirs.ID, person); err != nil {
			t.Fatal(err)
		}
		said, err := s.AddComment(ctx, proposal.Comment{ProposalID: theirs.ID, AuthorID: person, AuthorName: erasableName, Body: "Yes, by the gate."})
		if err != nil {
			t.Fatal(err)
		}
		// Moderation: their idea rejected and appealed, their display name
		// reported where it was seen, a report of their own, a standing.
		if err := s.Report(ctx, moderation.Report{Ref: moderation.Ref{Kind: moderation.KindProposal, ID: mine.ID}, ReporterID: other,
			Category: moderation.ReportOther, Detail: "Not about the pond"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Report(ctx, moderation.Report{Ref: moderation.Ref{Kind: moderation.KindDisplayName, ID: person},
			Where: moderation.Ref{Kind: moderation.KindComment, ID: said.ID}, ReporterID: other, Category: moderation.ReportAbuse}); err != nil {
			t.Fatal(err)
		}
		if err := s.Report(ctx, moderation.Report{Ref: moderation.Ref{Kind: moderation.KindProposal, ID: theirs.ID}, ReporterID: person,
			Category: moderation.ReportSpam, Detail: "Looks like spam"}); err != nil {
			t.Fatal(err)
		}
		queue, err := s.ModerationQueue(ctx, o.ID, moderation.QueueFilter{Kind: moderation.KindProposal})
		if err != nil || len(queue) != 2 {
			t.Fatalf("queue %+v %v", queue, err)
		}
		for _, it := range queue {
			if it.Ref.ID == mine.ID {
				if err := s.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Reject, Reason: "Duplicate", ActorID: 1}); err != nil {
					t.Fatal(err)
				}
				if err := s.Appeal(ctx, moderation.Appeal{ItemID: it.ID, UserID: person, Text: "I am " + erasableName}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := s.SetStanding(ctx, o.ID, person, moderation.Trusted, 1); err != nil {
			t.Fatal(err)
		}
		conv, err := s.CreateConversation(ctx, conversation.Conversation{OrgID: o.ID, TitleEN: "Parks", QuestionEN: "What next?", Status: conversation.Open,
			Moderation: conversation.PostModeration}, []string{"More trees"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		me := conversation.Participant{UserID: person}
		if _, err := s.AddStatement(ctx, conv.ID, me, "Fewer cars"); err != nil {
			t.Fatal(err)
		}
		seeds, _ := s.Statements(ctx, conv.ID, conversation.Approved)
		if _, err := s.Vote(ctx, conv.ID, me, seeds[0].ID, conversation.Agree, "web"); err != nil {
			t.Fatal(err)
		}

		// The download has every part (empty ones as empty lists).
		d, err := s.PersonalData(ctx, person, 30)
		if err != nil {
			t.Fatal(err)
		}
		if d.Account.Email != erasable || len(d.Responses) != 1 || len(d.Responses[0].Answers) == 0 || len(d.Signatures) != 1 ||
			d.Signatures[0].IP != erasableIP || len(d.Supports) != 2 /* their own idea and another */ || len(d.Proposals) != 1 || len(d.Comments) != 1 ||
			len(d.Conversations) != 1 || d.Conversations[0].Votes != 1 || len(d.Conversations[0].Statements) != 1 ||
			len(d.Following) != 1 || len(d.Emails) != 1 || d.Reports == nil || d.Identities == nil || len(d.Consents) != 1 ||
			len(d.Moderation) != 2 || d.Moderation[0].Decision != "reject" || d.Moderation[0].Appeal == "" ||
			len(d.ModerationReports) != 1 || d.ModerationReports[0].Category != "spam" || len(d.Standings) != 1 {
			b, _ := json.Marshal(d)
			t.Fatalf("personal data is missing parts:\n%s", b)
		}

		counts := func() [4]int {
			resp, err := s.ConsultationResponseCounts(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			cc, err := s.ConversationCounts(ctx, conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			return [4]int{resp[c.ID], propCount(t, s, petition.ID), propCount(t, s, theirs.ID), cc.Votes}
		}
		before := counts()

		if err := s.EraseUser(ctx, person); err != nil {
			t.Fatal(err)
		}
		if after := counts(); after != before {
			t.Errorf("counts changed by erasure: %v, were %v", after, before)
		}
		tables, err := store.TablesForTest(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(tables["consents"]) != 0 { // following the organisation was the only one
			t.Errorf("after erasure, records of consent remain: %q", tables["consents"])
		}
		for table, rows := range tables {
			for _, row := range rows {
				for _, mark := range []string{erasable, erasableName, erasableCode, erasableIP, "pat.q.erasable"} {
					if strings.Contains(strings.ToLower(row), strings.ToLower(mark)) {
						t.Errorf("after erasure, table %s still holds %q: %s", table, mark, strings.ReplaceAll(row, "\x1f", " | "))
					}
				}
			}
		}
		// Contributions stay, anonymous.
		if p, err := s.Proposal(ctx, mine.ID); err != nil || p.AuthorID != 0 || p.AuthorName != "" {
			t.Errorf("the idea after erasure: %+v %v", p, err)
		}
		if _, err := s.Principal(ctx, person); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("an erased account still signs in: %v", err)
		}
		if _, err := s.PersonalData(ctx, person, 30); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("personal data of an erased account: %v", err)
		}

		// Staff are removed from their organisations before they can be erased.
		staff, err := s.AddStaff(ctx, o.ID, "officer@example.org", account.RoleEditor, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.EraseUser(ctx, staff.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("erasing staff: %v", err)
		}
	})
}

func TestPurgePersonalData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "purge")
		b := propBoard(t, s, o.ID, proposal.Petitions, nil)
		p := propPetition(t, s, b, propUser(t, s, "author@example.org"), "Old petition")
		old := time.Now().AddDate(0, 0, -100)
		propSign(t, s, p.ID, old, "198.51.100.1", "old@example.org")
		propSign(t, s, p.ID, time.Now(), "198.51.100.2", "new@example.org")
		n, err := s.PurgePersonalData(ctx, time.Now())
		if err != nil || n < 1 {
			t.Fatalf("purge: %d %v", n, err)
		}
		tables, _ := store.TablesForTest(ctx, s)
		all := strings.Join(tables["proposal_signatures"], "\n")
		if strings.Contains(all, "198.51.100.1") || !strings.Contains(all, "198.51.100.2") {
			t.Errorf("IP addresses after the purge:\n%s", all)
		}
		if got := propCount(t, s, p.ID); got != 3 {
			t.Errorf("signatures after the purge: %d, want 3", got)
		}
	})
}
