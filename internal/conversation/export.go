package conversation

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"parley/internal/opinion"
	"parley/internal/polis"
)

// Export is a conversation in the shapes of the Polis open-data files.
type Export struct {
	Comments []polis.Comment
	Votes    []polis.Vote
}

// PolisExport lays out statements and votes as the Polis files do.
// Statements keep Parley's IDs; pending ones are left out.
func PolisExport(statements []Statement, votes []VoteRecord) Export {
	var ex Export
	index := map[int64]int{}
	for _, st := range statements {
		if st.Status == Pending {
			continue // not public yet
		}
		m := polis.Accepted
		if st.Status == Rejected {
			m = polis.ModeratedOut
		}
		index[st.ID] = len(ex.Comments)
		ex.Comments = append(ex.Comments, polis.Comment{Timestamp: st.CreatedAt.UnixMilli(), ID: int(st.ID), Moderated: m, Body: st.Text})
	}
	for _, v := range votes {
		i, ok := index[v.StatementID]
		if !ok {
			continue
		}
		switch v.Vote {
		case Agree:
			ex.Comments[i].Agrees++
		case Disagree:
			ex.Comments[i].Disagrees++
		}
		ex.Votes = append(ex.Votes, polis.Vote{Timestamp: v.At.UnixMilli(), Comment: int(v.StatementID), Voter: int(v.ParticipantID), Vote: opinion.Vote(v.Vote)})
	}
	return ex
}

// ParticipantVotes pivots the votes: one row per participant.
func (ex Export) ParticipantVotes() *polis.ParticipantVotes {
	pv := &polis.ParticipantVotes{}
	for _, c := range ex.Comments {
		pv.Comments = append(pv.Comments, c.ID)
	}
	rows := map[int]int{}
	for _, v := range ex.Votes {
		i, ok := rows[v.Voter]
		if !ok {
			i = len(pv.Participants)
			rows[v.Voter] = i
			pv.Participants = append(pv.Participants, polis.Participant{ID: v.Voter, Group: -1, Cells: map[int]opinion.Vote{}})
		}
		p := &pv.Participants[i]
		p.Cells[v.Comment] = v.Vote
		p.Votes++
		switch Vote(v.Vote) {
		case Agree:
			p.Agrees++
		case Disagree:
			p.Disagrees++
		}
	}
	return pv
}

// ImportedStatement is a statement from another system's export.
type ImportedStatement struct {
	ExternalID string
	Text       string
	Status     StatementStatus
	At         time.Time
}

// ImportedVote is a vote from another system's export, by external IDs.
type ImportedVote struct {
	Participant string
	Statement   string
	Vote        Vote
	At          time.Time
}

// FromPolis turns a Polis export into statements and votes to import:
// comments moderated out are kept as rejected statements; each voter's
// latest vote on a comment counts. Without votes.csv rows, the votes come
// from participants-votes.csv (undated).
func FromPolis(ex *polis.Export) ([]ImportedStatement, []ImportedVote) {
	var statements []ImportedStatement
	known := map[int]bool{}
	for _, c := range ex.Comments {
		st := ImportedStatement{ExternalID: strconv.Itoa(c.ID), Text: c.Body, Status: Approved, At: time.UnixMilli(c.Timestamp).UTC()}
		if c.Moderated == polis.ModeratedOut {
			st.Status = Rejected
		}
		if c.Timestamp == 0 {
			st.At = time.Time{}
		}
		known[c.ID] = true
		statements = append(statements, st)
	}
	var votes []ImportedVote
	add := func(voter, comment int, v opinion.Vote, at time.Time) {
		if !known[comment] {
			return // a vote on a comment the export does not include
		}
		votes = append(votes, ImportedVote{Participant: strconv.Itoa(voter), Statement: strconv.Itoa(comment), Vote: Vote(v), At: at})
	}
	if len(ex.Votes) > 0 {
		// Latest vote wins: sort by time, so the store's upsert keeps the last.
		sorted := slices.Clone(ex.Votes)
		slices.SortStableFunc(sorted, func(a, b polis.Vote) int { return cmp.Compare(a.Timestamp, b.Timestamp) })
		for _, v := range sorted {
			add(v.Voter, v.Comment, v.Vote, time.UnixMilli(v.Timestamp).UTC())
		}
	} else if ex.Participants != nil {
		for _, p := range ex.Participants.Participants {
			for _, c := range ex.Participants.Comments {
				if v, ok := p.Cells[c]; ok {
					add(p.ID, c, v, time.Time{})
				}
			}
		}
	}
	return statements, votes
}
