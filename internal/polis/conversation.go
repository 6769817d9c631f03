package polis

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"parley/internal/opinion"
)

// Conversation is an export turned into dense indices for package opinion.
type Conversation struct {
	Matrix       *opinion.Matrix
	Participants []int  // index → voter (participant) ID, ascending
	Statements   []int  // index → comment ID, ascending
	Excluded     []bool // per statement index: moderated out; pass as opinion.Options.Excluded

	participant, statement map[int]int
}

// Participant returns the index of a voter ID.
func (c *Conversation) Participant(id int) (int, bool) {
	i, ok := c.participant[id]
	return i, ok
}

// Statement returns the index of a comment ID.
func (c *Conversation) Statement(id int) (int, bool) {
	i, ok := c.statement[id]
	return i, ok
}

// Conversation builds the vote matrix from votes.csv, keeping each voter's
// latest vote on each comment (by timestamp; the later row wins a tie), or
// from participants-votes.csv when there are no votes. Statements are every
// comment of comments.csv and every comment voted on; those moderated out
// are marked Excluded, so they take no part in the analysis.
func (e *Export) Conversation() (*Conversation, error) {
	type triple struct {
		voter, comment int
		vote           opinion.Vote
	}
	var votes []triple
	if len(e.Votes) > 0 {
		order := make([]int, len(e.Votes))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(e.Votes[a].Timestamp, e.Votes[b].Timestamp) })
		votes = make([]triple, len(order))
		for k, i := range order {
			v := e.Votes[i]
			votes[k] = triple{v.Voter, v.Comment, v.Vote}
		}
	} else if e.Participants != nil {
		for _, p := range e.Participants.Participants {
			for _, id := range e.Participants.Comments {
				if v, ok := p.Cells[id]; ok {
					votes = append(votes, triple{p.ID, id, v})
				}
			}
		}
	}
	c := &Conversation{participant: map[int]int{}, statement: map[int]int{}}
	moderated := map[int]bool{}
	for _, cm := range e.Comments {
		c.statement[cm.ID] = 0
		if cm.Moderated == ModeratedOut {
			moderated[cm.ID] = true
		}
	}
	for _, v := range votes {
		c.participant[v.voter] = 0
		c.statement[v.comment] = 0
	}
	if len(c.participant) > math.MaxInt32 || len(c.statement) > math.MaxInt32 {
		return nil, fmt.Errorf("polis: conversation too large")
	}
	c.Participants = sortedKeys(c.participant)
	c.Statements = sortedKeys(c.statement)
	c.Excluded = make([]bool, len(c.Statements))
	for i, id := range c.Participants {
		c.participant[id] = i
	}
	for i, id := range c.Statements {
		c.statement[id] = i
		c.Excluded[i] = moderated[id]
	}
	entries := make([]opinion.Entry, len(votes))
	for k, v := range votes {
		entries[k] = opinion.Entry{P: int32(c.participant[v.voter]), S: int32(c.statement[v.comment]), V: v.vote}
	}
	m, err := opinion.NewMatrix(len(c.Participants), len(c.Statements), entries)
	if err != nil {
		return nil, fmt.Errorf("polis: %w", err)
	}
	c.Matrix = m
	return c, nil
}

func sortedKeys(m map[int]int) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
