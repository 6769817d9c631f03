package store_test

import (
	"testing"
	"time"

	"parley/internal/apperr"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// Helpers of the proposal store's tests. Staff actions are by actor 1,
// a user made by propStaff.

// propStaff makes user 1, the staff member of these tests, and returns it.
func propStaff(t *testing.T, s *store.Store) int64 {
	t.Helper()
	u, err := s.EnsureUser(ctx, "staff@example.org")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// propUser makes a citizen whose account is a month old, so that writing
// several things in a test is not a new account's velocity (a moderation
// signal; see moderation_test.go for new accounts).
func propUser(t *testing.T, s *store.Store, email string) int64 {
	t.Helper()
	u, err := s.EnsureUser(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.ExecForTest(ctx, s, `UPDATE users SET created_at = $1 WHERE id = $2`, time.Now().UTC().AddDate(0, 0, -30), u.ID); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// propBoard makes a board of kind k on org orgID with mod applied.
func propBoard(t *testing.T, s *store.Store, orgID int64, k proposal.Kind, mod func(*proposal.Board)) proposal.Board {
	t.Helper()
	b := proposal.Board{OrgID: orgID, Kind: k, TitleEN: "Board", Moderation: proposal.PostModeration, Accepting: true}
	if mod != nil {
		mod(&b)
	}
	b, err := s.CreateBoard(ctx, b, 0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// propIdea makes an idea by author on board b.
func propIdea(t *testing.T, s *store.Store, b proposal.Board, author int64, title, body string) proposal.Proposal {
	t.Helper()
	p, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: b.ID, AuthorID: author, AuthorName: "Author", Title: title, Body: body}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// propPetition makes a petition on board b, signed by its author.
func propPetition(t *testing.T, s *store.Store, b proposal.Board, author int64, title string) proposal.Proposal {
	t.Helper()
	p, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: b.ID, AuthorID: author, AuthorName: "Pat", Title: title, Body: "Because."},
		&proposal.Signature{Name: "Pat Author", Email: "pat@example.org", Postcode: "CF10 1AA", Country: "GB", UKResident: true})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// propCount returns a proposal's supporters as stored.
func propCount(t *testing.T, s *store.Store, id int64) int {
	t.Helper()
	p, err := s.Proposal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return p.Supporters
}

// propSign seeds confirmed signatures by address.
func propSign(t *testing.T, s *store.Store, id int64, at time.Time, ip string, emails ...string) {
	t.Helper()
	var sigs []proposal.Signature
	for _, e := range emails {
		sigs = append(sigs, proposal.Signature{Name: "Sig " + e, Email: e, Postcode: "CF10 1AA", Country: "GB", UKResident: true, IP: ip, CreatedAt: at})
	}
	if err := s.SeedSignatures(ctx, id, sigs); err != nil {
		t.Fatal(err)
	}
}

func TestProposalBoards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "boards")
		staff := propStaff(t, s)
		if _, err := s.CreateBoard(ctx, proposal.Board{OrgID: o.ID, Kind: "polls", TitleEN: "X"}, staff); !apperr.Is(err, apperr.Invalid) ||
			apperr.FieldsOf(err)["kind"] != "error.proposal.board.kind" {
			t.Errorf("bad kind: %v", err)
		}
		if _, err := s.CreateBoard(ctx, proposal.Board{OrgID: o.ID, Kind: proposal.Petitions, TitleEN: "X", ResponseThreshold: 10, DebateThreshold: 5}, staff); apperr.FieldsOf(err)["debate_threshold"] == "" {
			t.Errorf("debate below response: %v", err)
		}
		b, err := s.CreateBoard(ctx, proposal.Board{OrgID: o.ID, Kind: proposal.Petitions, TitleEN: " Petitions ", TitleCY: "Deisebau",
			Accepting: true, ResponseThreshold: 10, DebateThreshold: 100, SponsorsNeeded: 2, OpenDays: 30,
			Categories: []proposal.Category{{NameEN: "Roads and transport", NameCY: "Ffyrdd"}, {NameEN: "Parks"}}}, staff)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Board(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.TitleEN != "Petitions" || got.Moderation != proposal.PreModeration || got.ResponseDays != proposal.DefaultResponseDays ||
			len(got.Categories) != 2 || got.Categories[0].Slug != "roads-and-transport" || got.Categories[0].NameCY != "Ffyrdd" ||
			!got.Accepting || got.OpenDays != 30 || got.SponsorsNeeded != 2 || !got.CreatedAt.Equal(b.CreatedAt) {
			t.Errorf("read back %+v", got)
		}
		got.Kind, got.TitleEN, got.Accepting, got.Categories = proposal.Ideas, "Renamed", false, nil
		if err := s.UpdateBoard(ctx, got, staff); err != nil {
			t.Fatal(err)
		}
		again, _ := s.Board(ctx, b.ID)
		if again.Kind != proposal.Petitions || again.TitleEN != "Renamed" || again.Accepting || len(again.Categories) != 0 {
			t.Errorf("updated %+v", again)
		}
		got.TitleEN = ""
		if err := s.UpdateBoard(ctx, got, staff); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("update without title: %v", err)
		}
		if _, err := s.Board(ctx, 9999); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing board: %v", err)
		}
		propBoard(t, s, o.ID, proposal.Ideas, nil)
		if bs, err := s.Boards(ctx, o.ID); err != nil || len(bs) != 2 || bs[0].ID != b.ID {
			t.Errorf("boards %v %v", bs, err)
		}
		log, _ := s.AuditLog(ctx, o.ID, 10)
		if len(log) < 3 || log[0].Action != "proposal_board.create" {
			t.Errorf("audit %+v", log)
		}
	})
}

func TestProposalCreateStages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "stages")
		author := propUser(t, s, "author@example.org")
		pre := propBoard(t, s, o.ID, proposal.Ideas, func(b *proposal.Board) {
			b.Moderation = proposal.PreModeration
			b.Categories = []proposal.Category{{NameEN: "Parks"}}
		})
		post := propBoard(t, s, o.ID, proposal.Ideas, nil)
		pet := propBoard(t, s, o.ID, proposal.Petitions, func(b *proposal.Board) { b.SponsorsNeeded = 2; b.OpenDays = 10 })
		petNoSponsors := propBoard(t, s, o.ID, proposal.Petitions, func(b *proposal.Board) { b.OpenDays = 10 })

		_, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: pre.ID, AuthorID: author, Title: "", Body: "x", Category: "nope"}, nil)
		if f := apperr.FieldsOf(err); f["title"] != "error.proposal.title.required" || f["category"] != "error.proposal.category.required" {
			t.Errorf("invalid proposal: %v", err)
		}
		p, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: pre.ID, AuthorID: author, Title: "  More   benches ", Body: "In the park.", Category: "parks"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.Stage != proposal.Pending || p.Status != proposal.Open || p.Title != "More benches" || p.Supporters != 1 || p.Kind != proposal.Ideas ||
			p.OrgID != o.ID || !p.PublishedAt.IsZero() || p.SponsorToken != "" {
			t.Errorf("pre-moderated idea %+v", p)
		}
		if ok, _ := s.Supports(ctx, p.ID, author); !ok {
			t.Error("author does not support own idea")
		}
		q := propIdea(t, s, post, author, "Bins", "More bins.")
		if q.Stage != proposal.Published || q.PublishedAt.IsZero() || !q.ClosesAt.IsZero() {
			t.Errorf("post-moderated idea %+v", q)
		}
		if _, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: post.ID, Title: "Anon", Body: "x"}, nil); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("idea without author: %v", err)
		}
		sp := propPetition(t, s, pet, author, "Save the library")
		if sp.Stage != proposal.Sponsoring || sp.SponsorToken == "" || sp.Supporters != 1 || sp.Kind != proposal.Petitions {
			t.Errorf("petition needing sponsors %+v", sp)
		}
		if got, err := s.ProposalBySponsorToken(ctx, sp.SponsorToken); err != nil || got.ID != sp.ID {
			t.Errorf("by sponsor token %v %v", got.ID, err)
		}
		if _, err := s.ProposalBySponsorToken(ctx, "nope"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("bad token: %v", err)
		}
		pp := propPetition(t, s, petNoSponsors, author, "Open the pool")
		if pp.Stage != proposal.Published || pp.ClosesAt.Sub(pp.PublishedAt) != 10*24*time.Hour {
			t.Errorf("petition without sponsors %+v", pp)
		}
		_, err = s.CreateProposal(ctx, proposal.Proposal{BoardID: pet.ID, Title: "T", Body: "B"}, &proposal.Signature{Name: "", Email: "bad"})
		if f := apperr.FieldsOf(err); f["name"] == "" || f["email"] == "" {
			t.Errorf("bad author signature: %v", err)
		}
		// Sponsors move a petition on; a moderator publishes it.
		propSign(t, s, sp.ID, time.Time{}, "192.0.2.1", "s1@example.org")
		if got, _ := s.Proposal(ctx, sp.ID); got.Stage != proposal.Sponsoring || got.Supporters != 2 {
			t.Errorf("seeded non-sponsor %+v", got)
		}
		// Closed boards take no proposals.
		post.Accepting = false
		if err := s.UpdateBoard(ctx, post, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: post.ID, AuthorID: author, Title: "T", Body: "B"}, nil); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("closed board: %v", err)
		}
	})
}

func TestProposalModeration(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, clock *storetest.Clock) {
		o := mustOrg(t, s, "moderation")
		staff := propStaff(t, s)
		author := propUser(t, s, "author@example.org")
		pet := propBoard(t, s, o.ID, proposal.Petitions, func(b *proposal.Board) {
			b.SponsorsNeeded = 1
			b.OpenDays = 30
			b.Moderation = proposal.PreModeration
		})
		p := propPetition(t, s, pet, author, "Save the library")
		if err := s.ModerateProposal(ctx, p.ID, proposal.Hidden, "x", staff); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("hide what is not published: %v", err)
		}
		if err := s.ModerateProposal(ctx, p.ID, proposal.Rejected, "", staff); apperr.FieldsOf(err)["reason"] == "" {
			t.Errorf("reject without reason: %v", err)
		}
		if err := s.ModerateProposal(ctx, p.ID, proposal.Rejected, "Not within our powers", staff); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Proposal(ctx, p.ID); got.Stage != proposal.Rejected || got.Reason != "Not within our powers" {
			t.Errorf("rejected %+v", got)
		}
		clock.Advance(time.Hour)
		if err := s.ModerateProposal(ctx, p.ID, proposal.Published, "", staff); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Proposal(ctx, p.ID)
		if got.Stage != proposal.Published || got.Reason != "" || !got.PublishedAt.Equal(clock.T) || !got.ClosesAt.Equal(clock.T.AddDate(0, 0, 30)) {
			t.Errorf("published %+v", got)
		}
		if err := s.ModerateProposal(ctx, p.ID, proposal.Published, "", staff); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("publish twice: %v", err)
		}
		if err := s.ModerateProposal(ctx, p.ID, proposal.Hidden, "Abusive", staff); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
		if err := s.ModerateProposal(ctx, p.ID, proposal.Published, "", staff); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.Proposal(ctx, p.ID); !again.PublishedAt.Equal(got.PublishedAt) {
			t.Errorf("restoring keeps the first publication: %v vs %v", again.PublishedAt, got.PublishedAt)
		}
		if err := s.ModerateProposal(ctx, 9999, proposal.Published, "", staff); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing: %v", err)
		}
		log, _ := s.AuditLog(ctx, o.ID, 10)
		if len(log) == 0 || log[0].Action != "proposal.moderate" || log[0].ActorID != staff {
			t.Errorf("audit %+v", log)
		}
	})
}

func TestProposalBlocksAndAreas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "blocks")
		staff := propStaff(t, s)
		for _, b := range []proposal.Block{
			{OrgID: o.ID, Kind: proposal.BlockIP, Value: " 192.0.2.77/24 ", Note: "bot farm"},
			{OrgID: o.ID, Kind: proposal.BlockDomain, Value: "@Spam.Example."},
			{OrgID: o.ID, Kind: proposal.BlockEmail, Value: "J.Smith+x@GoogleMail.com"},
		} {
			if _, err := s.AddBlock(ctx, b, staff); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.AddBlock(ctx, proposal.Block{OrgID: o.ID, Kind: proposal.BlockIP, Value: "192.0.2.0/24"}, staff); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("same block twice: %v", err)
		}
		if _, err := s.AddBlock(ctx, proposal.Block{OrgID: o.ID, Kind: proposal.BlockIP, Value: "not an ip"}, staff); apperr.FieldsOf(err)["value"] != "error.proposal.block.ip" {
			t.Errorf("bad ip: %v", err)
		}
		bs, err := s.Blocks(ctx, o.ID)
		if err != nil || len(bs) != 3 {
			t.Fatalf("blocks %v %v", bs, err)
		}
		want := map[proposal.BlockKind]string{proposal.BlockIP: "192.0.2.0/24", proposal.BlockDomain: "spam.example", proposal.BlockEmail: "jsmith@gmail.com"}
		for _, b := range bs {
			if want[b.Kind] != b.Value || b.CreatedBy != staff {
				t.Errorf("block %+v", b)
			}
		}
		if err := s.RemoveBlock(ctx, o.ID+1, bs[0].ID, staff); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another org's block: %v", err)
		}
		if err := s.RemoveBlock(ctx, o.ID, bs[0].ID, staff); err != nil {
			t.Fatal(err)
		}
		if bs, _ := s.Blocks(ctx, o.ID); len(bs) != 2 {
			t.Errorf("after remove %v", bs)
		}

		rows := []proposal.AreaRow{{Prefix: "CF10", Area: proposal.Area{Code: "W1", Name: "Cardiff"}}, {Prefix: "SW1A 1AA", Area: proposal.Area{Code: "E1", Name: "Westminster"}}}
		if err := s.SetAreas(ctx, o.ID, rows, staff); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAreas(ctx, o.ID, []proposal.AreaRow{{Prefix: "CF10", Area: proposal.Area{Code: "W1"}}, {Prefix: "CF10", Area: proposal.Area{Code: "W2"}}}, staff); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("duplicate prefix: %v", err)
		}
		got, err := s.Areas(ctx, o.ID)
		if err != nil || len(got) != 2 || got[0] != rows[0] || got[1] != rows[1] {
			t.Errorf("areas %v %v", got, err)
		}
		// A petition's author is counted in the area of their postcode.
		b := propBoard(t, s, o.ID, proposal.Petitions, nil)
		p := propPetition(t, s, b, 0, "Cardiff buses")
		if counts, err := s.CountsByArea(ctx, p.ID); err != nil || len(counts) != 1 || counts[0].Code != "W1" || counts[0].Count != 1 {
			t.Errorf("author's area %v %v", counts, err)
		}
		if err := s.SetAreas(ctx, o.ID, nil, staff); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Areas(ctx, o.ID); len(got) != 0 {
			t.Errorf("emptied %v", got)
		}
	})
}
