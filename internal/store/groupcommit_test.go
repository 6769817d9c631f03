package store_test

import (
	"fmt"
	"sync"
	"testing"

	"parley/internal/apperr"
	"parley/internal/conversation"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestGroupCommitKeepsEveryVoteApart sends many votes at once, some
// invalid: every valid one is saved exactly once, every invalid one fails
// alone, and none takes the others down with it.
func TestGroupCommitKeepsEveryVoteApart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "north")
		c, err := s.CreateConversation(ctx, conversation.Conversation{OrgID: o.ID, TitleEN: "T", QuestionEN: "Q", Status: conversation.Open, Anonymous: true},
			[]string{"One", "Two", "Three"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := s.Statements(ctx, c.ID, conversation.Approved)
		const people = 200
		var wg sync.WaitGroup
		errs := make([]error, people)
		for p := range people {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sid := st[p%3].ID
				if p%10 == 0 {
					sid = 999999 // not a statement of this conversation
				}
				_, errs[p] = s.Vote(ctx, c.ID, conversation.Participant{CookieHash: fmt.Sprint("p", p)}, sid, conversation.Agree, conversation.ChannelWeb)
			}()
		}
		wg.Wait()
		for p, err := range errs {
			if (p%10 == 0) != apperr.Is(err, apperr.NotFound) || (p%10 != 0 && err != nil) {
				t.Errorf("participant %d: %v", p, err)
			}
		}
		n, _ := s.ConversationCounts(ctx, c.ID)
		// A failed vote rolls back its participant too.
		if n.Votes != people-people/10 || n.Participants != people-people/10 {
			t.Errorf("counts %+v, want %d votes and participants", n, people-people/10)
		}
	})
}
