package conversation

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"parley/internal/apperr"
	"parley/internal/opinion"
)

// Analyse runs the opinion math on a conversation's votes. statements are
// all of the conversation's statements, oldest first, so that a statement
// keeps its place in the math's state from run to run; those not approved
// take no part. prev, when not nil, is the last result, whose state
// warm-starts the math and keeps the groups stable.
func Analyse(all []Statement, votes []VoteRecord, prev *Results, seed uint64) (*Results, error) {
	statements := make([]int64, len(all))
	excluded := make([]bool, len(all))
	stmtIndex := make(map[int64]int32, len(all))
	for i, s := range all {
		statements[i] = s.ID
		excluded[i] = s.Status != Approved
		stmtIndex[s.ID] = int32(i)
	}
	var people []int64
	seen := map[int64]struct{}{}
	for _, v := range votes {
		if _, ok := seen[v.ParticipantID]; !ok {
			seen[v.ParticipantID] = struct{}{}
			people = append(people, v.ParticipantID)
		}
	}
	slices.Sort(people)
	personIndex := make(map[int64]int32, len(people))
	for i, id := range people {
		personIndex[id] = int32(i)
	}
	entries := make([]opinion.Entry, 0, len(votes))
	for _, v := range votes {
		s, ok := stmtIndex[v.StatementID]
		if !ok {
			continue // a statement added since the statements were read
		}
		entries = append(entries, opinion.Entry{P: personIndex[v.ParticipantID], S: s, V: opinion.Vote(v.Vote)})
	}
	m, err := opinion.NewMatrix(len(people), len(statements), entries)
	if err != nil {
		return nil, err
	}
	opt := opinion.Options{Seed: seed, Excluded: excluded}
	if prev != nil && len(prev.State) > 0 {
		var st opinion.State
		if json.Unmarshal(prev.State, &st) == nil {
			opt.Previous = &st
		}
	}
	out, err := opinion.Compute(m, opt)
	if err != nil {
		return nil, err
	}
	res := &Results{Participants: len(people)}
	for _, e := range entries {
		if !excluded[e.S] {
			res.Votes++
		}
	}
	if res.State, err = json.Marshal(out.State); err != nil {
		return nil, err
	}
	res.Placements = make([]Placement, len(people))
	for i, pl := range out.Participants {
		g := pl.Group
		if !pl.Clustered {
			g = -1
		} else {
			res.Clustered++
		}
		res.Placements[i] = Placement{ParticipantID: people[i], X: pl.X, Y: pl.Y, Group: g}
	}
	for _, g := range out.Groups {
		gr := Group{ID: g.ID, Size: g.Size, X: g.Centre[0], Y: g.Centre[1]}
		for _, r := range g.Representative {
			gr.Representative = append(gr.Representative, Scored{StatementID: statements[r.Statement], Direction: Vote(r.Direction),
				Share: directionShare(r.Direction, r.Agree, r.Disagree, r.Seen), OtherShare: r.PRest, Score: r.Score})
		}
		res.Groups = append(res.Groups, gr)
	}
	for _, c := range out.Consensus {
		res.Consensus = append(res.Consensus, Scored{StatementID: statements[c.Statement], Direction: Vote(c.Direction), Share: c.P, Score: c.Test})
	}
	for i, st := range out.Statements {
		if excluded[i] {
			continue
		}
		res.Statements = append(res.Statements, StatementResult{ID: statements[i], Agree: st.Agree, Disagree: st.Disagree, Pass: st.Pass,
			GroupAware: out.GroupAware[i], Priority: st.Priority})
	}
	return res, nil
}

// directionShare is the share of those who saw a statement that voted the way given.
func directionShare(d opinion.Vote, agree, disagree, seen int) float64 {
	if seen == 0 {
		return 0
	}
	if d == opinion.Disagree {
		return float64(disagree) / float64(seen)
	}
	return float64(agree) / float64(seen)
}

// Next picks the statement to show a participant next: weighted by the
// math's priorities (new statements get the priority of one nobody has
// seen), never one they have voted on. res may be nil before the first run.
func Next(res *Results, approved []Statement, seen map[int64]Vote, u float64) (Statement, bool) {
	priority := make([]float64, 0, len(approved))
	known := map[int64]float64{}
	if res != nil {
		for _, s := range res.Statements {
			known[s.ID] = s.Priority
		}
	}
	// Statements the last run knew come first, so new ones form the tail
	// that Pick gives the priority of an unseen statement.
	order := make([]Statement, 0, len(approved))
	var fresh []Statement
	for _, s := range approved {
		if p, ok := known[s.ID]; ok {
			order = append(order, s)
			priority = append(priority, p)
		} else {
			fresh = append(fresh, s)
		}
	}
	order = append(order, fresh...)
	i, ok := opinion.Pick(priority, len(order), func(i int) bool { _, v := seen[order[i].ID]; return v }, u)
	if !ok {
		return Statement{}, false
	}
	return order[i], true
}

// Source is what Recompute reads and writes; the store provides it.
type Source interface {
	Conversation(ctx context.Context, id int64) (Conversation, error)
	Statements(ctx context.Context, convID int64, status StatementStatus) ([]Statement, error)
	VoteMatrix(ctx context.Context, convID int64) ([]VoteRecord, error)
	ConversationResult(ctx context.Context, convID int64) ([]byte, time.Time, error)
	SaveConversationResult(ctx context.Context, convID int64, votes int, body []byte) error
}

// Recompute runs the opinion math on a conversation's current votes and
// saves the result, warm-started from the last one.
func Recompute(ctx context.Context, src Source, convID int64) error {
	c, err := src.Conversation(ctx, convID)
	if err != nil {
		return err
	}
	statements, err := src.Statements(ctx, c.ID, "")
	if err != nil {
		return err
	}
	votes, err := src.VoteMatrix(ctx, c.ID)
	if err != nil {
		return err
	}
	var prev *Results
	if body, _, err := src.ConversationResult(ctx, c.ID); err == nil {
		prev = new(Results)
		if json.Unmarshal(body, prev) != nil {
			prev = nil // a result from an older version: start afresh
		}
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	// The seed is the conversation's ID, so a run is repeatable.
	res, err := Analyse(statements, votes, prev, uint64(c.ID))
	if err != nil {
		return err
	}
	body, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return src.SaveConversationResult(ctx, c.ID, res.Votes, body)
}
