package store_test

import (
	"fmt"
	"testing"

	"parley/internal/moderation"
	"parley/internal/org"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// BenchmarkCommentScreening saves comments on an organisation that has a
// day's worth of writing (500 comments) and a word list: once by a
// trusted author, whose comments skip screening (the baseline), and once
// by an author who is screened, so the difference is what the signals
// cost a citizen's request.
func BenchmarkCommentScreening(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			s := storetest.Open(b, d, nil)
			o, err := s.CreateOrg(ctx, org.Organisation{Slug: "bench", NameEN: "Bench"}, 0)
			if err != nil {
				b.Fatal(err)
			}
			board, err := s.CreateBoard(ctx, proposal.Board{OrgID: o.ID, Kind: proposal.Ideas, TitleEN: "Ideas", Moderation: proposal.PostModeration,
				Accepting: true, ResponseDays: 28}, 0)
			if err != nil {
				b.Fatal(err)
			}
			if err := s.SaveModerationSettings(ctx, moderation.Settings{OrgID: o.ID, Words: []string{"swindle", "scam", "idiot"}}, 0); err != nil {
				b.Fatal(err)
			}
			trusted, _ := s.EnsureUser(ctx, "trusted@example.org")
			screened, _ := s.EnsureUser(ctx, "screened@example.org")
			if err := s.SetStanding(ctx, o.ID, trusted.ID, moderation.Trusted, 0); err != nil {
				b.Fatal(err)
			}
			p, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: board.ID, AuthorID: trusted.ID, Title: "A safer junction", Body: "Please."}, nil)
			if err != nil {
				b.Fatal(err)
			}
			words := []string{"junction", "lights", "school", "crossing", "traffic", "cyclists", "morning", "parents", "bus", "road", "speed", "children"}
			text := func(i int) string {
				return fmt.Sprintf("Comment %d: the %s near the %s is busy in the %s, and the %s need a safer %s before the %s gets worse.",
					i, words[i%12], words[(i/12)%12], words[(i/7)%12], words[(i/3)%12], words[(i/5)%12], words[(i/11)%12])
			}
			for i := range 500 {
				if _, err := s.AddComment(ctx, proposal.Comment{ProposalID: p.ID, AuthorID: trusted.ID, Body: text(i)}); err != nil {
					b.Fatal(err)
				}
			}
			for _, who := range []struct {
				name string
				id   int64
			}{{"trusted", trusted.ID}, {"screened", screened.ID}} {
				b.Run(who.name, func(b *testing.B) {
					for i := range b.N {
						if _, err := s.AddComment(ctx, proposal.Comment{ProposalID: p.ID, AuthorID: who.id, Body: text(1000 + i)}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
