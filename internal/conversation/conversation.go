// Package conversation describes conversations: a public body puts short
// statements to people, who vote agree, disagree or pass and add their own;
// the opinion math (package opinion) then finds the groups, what each stands
// for and where they agree. This package holds the types and their rules;
// storage and HTTP live elsewhere.
package conversation

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/apperr"
	"parley/internal/jobs"
)

// Status is where a conversation is in its life.
type Status string

const (
	Draft    Status = "draft"    // being prepared by staff; not public
	Open     Status = "open"     // taking votes and statements
	Closed   Status = "closed"   // no more votes; results still shown
	Reported Status = "reported" // closed, and the organisation's report is published
)

// Moderation says when people's statements are shown.
type Moderation string

const (
	PreModeration  Moderation = "pre"  // shown only after a moderator approves
	PostModeration Moderation = "post" // shown at once; a moderator may reject later
)

// Conversation is one opinion-mapping conversation of an organisation.
type Conversation struct {
	ID          int64
	OrgID       int64
	TitleEN     string
	TitleCY     string // empty: the English title is shown
	QuestionEN  string // the topic put to participants
	QuestionCY  string
	Status      Status
	Moderation  Moderation
	Anonymous   bool   // people may take part without signing in (a cookie identifies them)
	Attribution string // credit for imported data, shown on every page of the conversation
	Response    string // the organisation's response, published with the report
	CreatedAt   time.Time
	OpenedAt    time.Time
	ClosedAt    time.Time
	ReportedAt  time.Time
}

// Title returns the title in lang ("en" or "cy").
func (c Conversation) Title(lang string) string {
	if lang == "cy" && c.TitleCY != "" {
		return c.TitleCY
	}
	return c.TitleEN
}

// Question returns the question in lang.
func (c Conversation) Question(lang string) string {
	if lang == "cy" && c.QuestionCY != "" {
		return c.QuestionCY
	}
	return c.QuestionEN
}

// Public reports whether citizens may see the conversation.
func (c Conversation) Public() bool { return c.Status != Draft }

// Voting reports whether votes and statements are taken.
func (c Conversation) Voting() bool { return c.Status == Open }

// Limits on what staff and participants write.
const (
	MaxTitle     = 200
	MaxQuestion  = 2000
	MaxStatement = 280 // short enough to read and vote on in a glance
	MaxResponse  = 20000
	MaxSeeds     = 500
)

// Normalise trims the text fields.
func (c *Conversation) Normalise() {
	c.TitleEN = strings.TrimSpace(c.TitleEN)
	c.TitleCY = strings.TrimSpace(c.TitleCY)
	c.QuestionEN = strings.TrimSpace(c.QuestionEN)
	c.QuestionCY = strings.TrimSpace(c.QuestionCY)
	c.Attribution = strings.TrimSpace(c.Attribution)
	if c.Moderation == "" {
		c.Moderation = PostModeration
	}
	if c.Status == "" {
		c.Status = Draft
	}
}

// Validate checks the conversation's fields; messages are i18n message IDs.
func (c Conversation) Validate() error {
	var f apperr.Fields
	f.Check(c.TitleEN != "", "title_en", "error.conversation.title.required")
	f.Check(utf8.RuneCountInString(c.TitleEN) <= MaxTitle, "title_en", "error.conversation.title.too_long")
	f.Check(utf8.RuneCountInString(c.TitleCY) <= MaxTitle, "title_cy", "error.conversation.title.too_long")
	f.Check(c.QuestionEN != "", "question_en", "error.conversation.question.required")
	f.Check(utf8.RuneCountInString(c.QuestionEN) <= MaxQuestion, "question_en", "error.conversation.question.too_long")
	f.Check(utf8.RuneCountInString(c.QuestionCY) <= MaxQuestion, "question_cy", "error.conversation.question.too_long")
	f.Check(c.Moderation == PreModeration || c.Moderation == PostModeration, "moderation", "error.conversation.moderation.unknown")
	f.Check(utf8.RuneCountInString(c.Attribution) <= MaxQuestion, "attribution", "error.conversation.attribution.too_long")
	switch c.Status {
	case Draft, Open, Closed, Reported:
	default:
		f.Add("status", "error.conversation.status.unknown")
	}
	return f.Err()
}

// CanMove reports whether staff may move a conversation from one status to
// another: draft → open → closed → reported, and a closed one may reopen.
func CanMove(from, to Status) bool {
	switch {
	case from == Draft && to == Open, from == Open && to == Closed,
		from == Closed && to == Open, from == Closed && to == Reported:
		return true
	}
	return false
}

// StatementStatus is a statement's moderation state.
type StatementStatus string

const (
	Pending  StatementStatus = "pending"
	Approved StatementStatus = "approved"
	Rejected StatementStatus = "rejected"
)

// Statement is one short statement participants vote on.
type Statement struct {
	ID             int64
	ConversationID int64
	Text           string
	Status         StatementStatus
	Seed           bool   // written by staff to start the conversation
	ExternalID     string // its id in imported data ("" for our own)
	ParticipantID  int64  // who wrote it (0: staff, imported, or unknown)
	CreatedAt      time.Time
}

// CleanStatement trims a statement and collapses its white space, then
// checks it; the message is an i18n message ID.
func CleanStatement(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	var f apperr.Fields
	switch {
	case s == "":
		f.Add("statement", "error.statement.required")
	case utf8.RuneCountInString(s) > MaxStatement:
		f.Add("statement", "error.statement.too_long")
	case !utf8.ValidString(s):
		f.Add("statement", "error.statement.invalid")
	}
	return s, f.Err()
}

// Vote is a participant's answer to a statement. The values are those of
// the Polis open-data exports.
type Vote int8

const (
	Disagree Vote = -1
	Pass     Vote = 0
	Agree    Vote = 1
)

// ParseVote reads "agree", "disagree" or "pass".
func ParseVote(s string) (Vote, error) {
	switch s {
	case "agree":
		return Agree, nil
	case "disagree":
		return Disagree, nil
	case "pass":
		return Pass, nil
	}
	var f apperr.Fields
	f.Add("vote", "error.vote.choose")
	return 0, f.Err()
}

func (v Vote) String() string {
	switch v {
	case Agree:
		return "agree"
	case Disagree:
		return "disagree"
	}
	return "pass"
}

// Channels a vote may arrive by: on the site, or keyed in by staff at a
// kiosk or event (through the API).
const (
	ChannelWeb        = "web"
	ChannelEvent      = "event"
	ChannelFaceToFace = "face_to_face"
	ChannelPhone      = "phone"
	ChannelImport     = "import"
)

// ValidChannel reports whether a vote may carry the channel.
func ValidChannel(c string) bool {
	switch c {
	case ChannelWeb, ChannelEvent, ChannelFaceToFace, ChannelPhone, ChannelImport:
		return true
	}
	return false
}

// Participant says who is voting: a signed-in user, a browser (by the hash
// of a cookie's secret), or an identity given by staff or imported data.
type Participant struct {
	UserID     int64
	CookieHash string
	ExternalID string
}

// VoteRecord is one cell of the vote matrix, by database IDs.
type VoteRecord struct {
	ParticipantID int64
	StatementID   int64
	Vote          Vote
	At            time.Time
}

// Counts summarises a conversation's activity.
type Counts struct {
	Participants int
	Votes        int
	Statements   int // approved
	Pending      int // awaiting moderation
}

// DayCount is the number of votes cast on one day (UTC), for the report.
type DayCount struct {
	Day   string // YYYY-MM-DD
	Votes int
}

// RecomputeKind is the job that runs the opinion math for a conversation.
const RecomputeKind = "opinion.recompute"

// RecomputeDelay is how long the math waits after a vote, so that the
// votes of a busy minute share one run.
const RecomputeDelay = 3 * time.Second

// RecomputeArgs is the payload of a recompute job.
type RecomputeArgs struct {
	ConversationID int64 `json:"conversation_id"`
}

// RecomputeJob is the job that recomputes a conversation's results; its key
// holds the queue to one waiting run per conversation.
func RecomputeJob(convID int64, now time.Time) jobs.New {
	return jobs.New{Kind: RecomputeKind, Key: RecomputeKind + ":" + strconv.FormatInt(convID, 10),
		Payload: RecomputeArgs{ConversationID: convID}, RunAt: now.Add(RecomputeDelay), MaxAttempts: 5}
}

// FollowUpJob is the run asked for by a recompute that saw votes arrive
// while it ran. The running job still holds its own key, which would drop
// an enqueue under the same key, so the follow-up takes the other of two.
func FollowUpJob(convID int64, runningKey string, now time.Time) jobs.New {
	n := RecomputeJob(convID, now)
	if runningKey == n.Key {
		n.Key += ":again"
	}
	return n
}

// ExportParticipant is a participant as open data shows them: by number,
// with the ID they had in the data they were imported from.
type ExportParticipant struct {
	ID         int64
	ExternalID string
}

// BallotEntry is one vote keyed in by staff (at a kiosk or an event), by
// the participant's identity in their own system (a card number, say).
type BallotEntry struct {
	Participant string
	StatementID int64
	Vote        Vote
}
