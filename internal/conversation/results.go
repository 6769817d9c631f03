package conversation

import (
	"encoding/json"
	"sort"
	"time"
)

// Results is what the opinion math found, by database IDs, as it is kept
// between runs and shown on the map and report pages.
type Results struct {
	ComputedAt   time.Time         `json:"computed_at"`
	Votes        int               `json:"votes"`
	Participants int               `json:"participants"` // everyone who voted
	Clustered    int               `json:"clustered"`    // those who voted enough to be placed in a group
	Groups       []Group           `json:"groups"`
	Consensus    []Scored          `json:"consensus"`
	Statements   []StatementResult `json:"statements"`
	Placements   []Placement       `json:"placements"` // sorted by participant ID
	State        json.RawMessage   `json:"state"`      // the math's own state, to warm-start the next run
}

// Group is one opinion group.
type Group struct {
	ID             int      `json:"id"`
	Size           int      `json:"size"`
	X              float64  `json:"x"`
	Y              float64  `json:"y"`
	Representative []Scored `json:"representative"`
}

// Label names a group for people: A, B, C…
func (g Group) Label() string { return GroupLabel(g.ID) }

// GroupLabel is the letter of group id.
func GroupLabel(id int) string {
	if id < 0 || id >= 26 {
		return "?"
	}
	return string(rune('A' + id))
}

// Scored is a statement that stands out for a group or for everyone.
type Scored struct {
	StatementID int64   `json:"statement_id"`
	Direction   Vote    `json:"direction"` // Agree or Disagree
	Share       float64 `json:"share"`     // of those in the group (or everyone) who saw it, the share who voted that way
	OtherShare  float64 `json:"other_share,omitempty"`
	Score       float64 `json:"score"`
}

// StatementResult is one statement's tally and its weight for routing.
type StatementResult struct {
	ID         int64   `json:"id"`
	Agree      int     `json:"agree"`
	Disagree   int     `json:"disagree"`
	Pass       int     `json:"pass"`
	GroupAware float64 `json:"group_aware"` // product over groups of the agree rate: high means every group agrees
	Priority   float64 `json:"priority"`
}

// Seen is how many people voted on the statement.
func (s StatementResult) Seen() int { return s.Agree + s.Disagree + s.Pass }

// Placement is a participant's place on the opinion map.
type Placement struct {
	ParticipantID int64   `json:"participant_id"`
	X             float64 `json:"x"`
	Y             float64 `json:"y"`
	Group         int     `json:"group"` // -1: not yet voted enough to be grouped
}

// Placement returns the participant's place, if they have one.
func (r *Results) Placement(participantID int64) (Placement, bool) {
	i := sort.Search(len(r.Placements), func(i int) bool { return r.Placements[i].ParticipantID >= participantID })
	if i < len(r.Placements) && r.Placements[i].ParticipantID == participantID {
		return r.Placements[i], true
	}
	return Placement{}, false
}

// Statement returns a statement's tally.
func (r *Results) Statement(id int64) (StatementResult, bool) {
	for _, s := range r.Statements {
		if s.ID == id {
			return s, true
		}
	}
	return StatementResult{}, false
}
