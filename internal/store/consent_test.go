package store_test

import (
	"strconv"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/consultation"
	"parley/internal/outbox"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// consentsFor lists a user's records of consent as "purpose ref detail"
// with whether each is withdrawn.
func consentsFor(t *testing.T, s *store.Store, userID int64) []account.Consent {
	t.Helper()
	cs, err := s.Consents(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.NoticeVersion != account.PrivacyNoticeVersion || c.GivenAt.IsZero() {
			t.Errorf("consent without its wording or time: %+v", c)
		}
	}
	return cs
}

// Every way of agreeing leaves a record of what, when and under which
// wording; withdrawing stamps it; erasure takes the records away.
func TestRecordsOfConsent(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "consent")
		c, qs := openConsultation(t, s, o.ID) // the staff user is user 1
		const email = "casey.consent@example.org"

		// First sign-in: the privacy notice was shown, once.
		var token string
		compose := func(to, tok string) outbox.Message {
			token = tok
			return outbox.Message{Kind: "sign-in", To: to, Subject: "Sign in", Body: "Link: /sign-in/" + tok}
		}
		for range 2 {
			if err := s.CreateSignInLink(ctx, email, "/account", time.Hour, compose); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.UseSignInLink(ctx, token); err != nil {
				t.Fatal(err)
			}
		}
		u, err := s.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		if cs := consentsFor(t, s, u.ID); len(cs) != 1 || cs[0].Purpose != account.PurposePrivacyNotice || cs[0].UserID != u.ID {
			t.Fatalf("after two sign-ins: %+v", cs)
		}

		// Following gives consent to emails; following again adds nothing;
		// unfollowing withdraws it.
		clock.Advance(time.Hour)
		for range 2 {
			if err := s.Subscribe(ctx, u.ID, "org", o.ID); err != nil {
				t.Fatal(err)
			}
		}
		cs := consentsFor(t, s, u.ID)
		if len(cs) != 2 || cs[1].Purpose != account.PurposeEmailUpdates || cs[1].Ref != "org:"+strconv.FormatInt(o.ID, 10) || cs[1].Withdrawn() ||
			!cs[1].GivenAt.Equal(clock.Now().UTC()) {
			t.Fatalf("after following: %+v", cs)
		}
		clock.Advance(time.Hour)
		if err := s.Unsubscribe(ctx, u.ID, "org", o.ID); err != nil {
			t.Fatal(err)
		}
		cs = consentsFor(t, s, u.ID)
		if len(cs) != 2 || cs[1].WithdrawnAt == nil || !cs[1].WithdrawnAt.Equal(clock.Now().UTC()) {
			t.Fatalf("after unfollowing: %+v", cs)
		}
		// Following again is a new agreement; the unsubscribe link withdraws it.
		if err := s.Subscribe(ctx, u.ID, "org", o.ID); err != nil {
			t.Fatal(err)
		}
		subs, _ := s.Subscriptions(ctx, u.ID)
		if _, err := s.UnsubscribeByToken(ctx, subs[0].Token); err != nil {
			t.Fatal(err)
		}
		if cs = consentsFor(t, s, u.ID); len(cs) != 3 || !cs[2].Withdrawn() {
			t.Fatalf("after the unsubscribe link: %+v", cs)
		}

		// A response submitted for publishing, named; one kept private
		// records nothing.
		for _, consent := range []consultation.Consent{consultation.PublishNamed, consultation.PublishNot} {
			r, err := s.StartResponse(ctx, consultation.Response{ConsultationID: c.ID, UserID: u.ID, Email: email})
			if err != nil {
				t.Fatal(err)
			}
			r.Name, r.Consent = "Casey", consent
			r.Answers = []consultation.Answer{{QuestionID: qs[0].ID, Text: "More trees."}}
			if err := s.SaveResponse(ctx, r, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := s.SubmitResponse(ctx, r.ID, receipt); err != nil {
				t.Fatal(err)
			}
			if consent == consultation.PublishNamed {
				cs = consentsFor(t, s, u.ID)
				if len(cs) != 4 || cs[3].Purpose != account.PurposePublishResponse || cs[3].Ref != "response:"+strconv.FormatInt(r.ID, 10) || cs[3].Detail != "named" {
					t.Fatalf("after a named response: %+v", cs)
				}
			}
		}
		if cs = consentsFor(t, s, u.ID); len(cs) != 4 {
			t.Fatalf("a private response recorded consent: %+v", cs)
		}

		// A signature is made by address, not account: its record is found
		// by the address (any form of it that normalises the same).
		petitions := propBoard(t, s, o.ID, proposal.Petitions, nil)
		petition := propPetition(t, s, petitions, propUser(t, s, "author@example.org"), "Save the library")
		var sc sigCompose
		if err := s.SubmitSignature(ctx, signer(petition, "Casey.Consent+petitions@Example.org", ""), sc.compose); err != nil {
			t.Fatal(err)
		}
		cs = consentsFor(t, s, u.ID)
		if len(cs) != 5 || cs[4].Purpose != account.PurposePetitionSignature || cs[4].Ref != "proposal:"+strconv.FormatInt(petition.ID, 10) || cs[4].UserID != 0 {
			t.Fatalf("after signing: %+v", cs)
		}
		d, err := s.PersonalData(ctx, u.ID, 30)
		if err != nil || len(d.Consents) != 5 {
			t.Fatalf("the download has %d records of consent: %v", len(d.Consents), err)
		}

		// Someone else's records are theirs alone.
		other := propUser(t, s, "other@example.org")
		if err := s.Subscribe(ctx, other, "org", o.ID); err != nil {
			t.Fatal(err)
		}
		if cs := consentsFor(t, s, other); len(cs) != 1 {
			t.Fatalf("the other person's records: %+v", cs)
		}

		// Erasure takes the person's records, by account and by address.
		if err := s.EraseUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		tables, err := store.TablesForTest(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(tables["consents"]) != 1 {
			t.Errorf("after erasure the consents are %q", tables["consents"])
		}
	})
}
