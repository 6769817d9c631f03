// Package listening describes what Parley hears elsewhere: the feeds an
// organisation watches, the keyword rules it matches them against, and the
// mentions found, which staff triage. This package holds the types and
// their rules; fetching, matching engines, storage and HTTP live elsewhere.
package listening

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/apperr"
	"parley/internal/jobs"
	"parley/internal/query"
)

// Feed is one RSS, Atom or JSON feed an organisation watches.
type Feed struct {
	ID           int64
	OrgID        int64
	URL          string
	Title        string
	SiteURL      string
	ETag         string // from the last good fetch, for a conditional GET
	LastModified string
	NextCheckAt  time.Time
	ErrorCount   int // consecutive failed fetches
	Parked       bool
	LastError    string // what went wrong last, for staff; never personal data
	CheckedAt    time.Time
	CreatedAt    time.Time
}

// Limits on what staff write and what a mention keeps.
const (
	MaxURL     = 2000
	MaxTitle   = 300
	MaxName    = 100
	MaxQuery   = 2000
	MaxNote    = 2000
	MaxExcerpt = 600 // enough to judge relevance; no more (data minimisation)
	MaxAuthor  = 200
)

// NormaliseFeedURL trims a feed URL and checks it is absolute http(s).
func NormaliseFeedURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	var f apperr.Fields
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		f.Add("url", "error.listening.url.required")
	case len(raw) > MaxURL:
		f.Add("url", "error.listening.url.too_long")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		f.Add("url", "error.listening.url.invalid")
	}
	return raw, f.Err()
}

// AlertMode says how staff hear of a rule's new mentions.
type AlertMode string

const (
	AlertNone      AlertMode = "none"
	AlertImmediate AlertMode = "immediate" // one email per new mention
	AlertDigest    AlertMode = "digest"    // one email a day
)

// Rule is a saved keyword query of an organisation.
type Rule struct {
	ID        int64
	OrgID     int64
	Name      string
	Query     string
	Alert     AlertMode
	CreatedBy int64 // who gets immediate alerts; 0 when they left
	CreatedAt time.Time
}

// Normalise trims the rule's fields and fills defaults.
func (r *Rule) Normalise() {
	r.Name = strings.TrimSpace(r.Name)
	r.Query = strings.TrimSpace(r.Query)
	if r.Alert == "" {
		r.Alert = AlertNone
	}
}

// Validate checks the rule. A query that does not parse is reported on the
// "query" field as the parser's own message with its column, which is
// written for people, so the form shows where to look.
func (r Rule) Validate() error {
	var f apperr.Fields
	f.Check(r.Name != "", "name", "error.listening.rule.name.required")
	f.Check(utf8.RuneCountInString(r.Name) <= MaxName, "name", "error.listening.rule.name.too_long")
	switch r.Alert {
	case AlertNone, AlertImmediate, AlertDigest:
	default:
		f.Add("alert", "error.listening.rule.alert.unknown")
	}
	switch {
	case r.Query == "":
		f.Add("query", "error.listening.rule.query.required")
	case utf8.RuneCountInString(r.Query) > MaxQuery:
		f.Add("query", "error.listening.rule.query.too_long")
	default:
		if _, err := query.Parse(r.Query); err != nil {
			f.Add("query", QueryError(err))
		}
	}
	return f.Err()
}

// QueryError describes a parse error for people: the column and what is
// wrong, in the parser's words.
func QueryError(err error) string {
	var se *query.SyntaxError
	if errors.As(err, &se) {
		return "Column " + strconv.Itoa(se.Col) + ": " + se.Msg
	}
	return err.Error()
}

// Status is where a mention is in triage.
type Status string

const (
	New         Status = "new"
	Relevant    Status = "relevant"
	NotRelevant Status = "not_relevant"
	Answered    Status = "answered"
)

// Statuses lists the statuses in the order forms show them.
var Statuses = []Status{New, Relevant, NotRelevant, Answered}

// ValidStatus reports whether s is a known status.
func ValidStatus(s Status) bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Mention is one item of a feed that matched at least one rule. It keeps
// only what staff need to judge and answer it.
type Mention struct {
	ID         int64
	OrgID      int64
	FeedID     int64
	FeedTitle  string // filled on reads
	RuleIDs    []int64
	Link       string // normalised: tracking parameters removed
	Title      string
	Excerpt    string // plain text
	Author     string
	Published  time.Time
	Status     Status
	AssigneeID int64 // 0: nobody
	Note       string
	AnswerURL  string // the reply, when answered
	// ConversationID links the mention to the organisation's conversation
	// it speaks to (0: none), bringing the outside voice into it.
	ConversationID int64
	// ProposalID links the mention to the organisation's idea or petition
	// it speaks to (0: none).
	ProposalID int64
	// ConsultationResponseID is the response the mention became when
	// attached to a consultation (0: not attached); ConsultationID is that
	// response's consultation, filled on reads for links.
	ConsultationResponseID int64
	ConsultationID         int64
	CreatedAt              time.Time
	// DuplicateOf, on a mention about to be saved, names an earlier
	// mention with near-identical text: the rules are added to that one
	// instead of a new mention being made.
	DuplicateOf int64
}

// Triage is a staff decision about a mention.
type Triage struct {
	Status         Status
	AssigneeID     int64
	Note           string
	AnswerURL      string
	ConversationID int64 // 0: none
	ProposalID     int64 // 0: none
}

// Normalise trims the triage's text.
func (t *Triage) Normalise() {
	t.Note = strings.TrimSpace(t.Note)
	t.AnswerURL = strings.TrimSpace(t.AnswerURL)
}

// Validate checks a triage decision.
func (t Triage) Validate() error {
	var f apperr.Fields
	f.Check(ValidStatus(t.Status), "status", "error.listening.status.unknown")
	f.Check(utf8.RuneCountInString(t.Note) <= MaxNote, "note", "error.listening.note.too_long")
	if t.AnswerURL != "" {
		u, err := url.Parse(t.AnswerURL)
		f.Check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(t.AnswerURL) <= MaxURL,
			"answer_url", "error.listening.answer_url.invalid")
	}
	f.Check(t.Status != Answered || t.AnswerURL != "", "answer_url", "error.listening.answer_url.required")
	return f.Err()
}

// MentionFilter narrows the inbox.
type MentionFilter struct {
	Status Status // "" for all
	RuleID int64
	FeedID int64
	Search string // words that must all appear in the title, excerpt, source or author
	Before int64  // cursor: mentions with a smaller ID
	Limit  int
}

// Jobs of listening.
const (
	PollKind   = "feed.poll"   // recurring: enqueues a fetch per due feed
	FetchKind  = "feed.fetch"  // fetches one feed
	DigestKind = "feed.digest" // daily: emails each digest rule's new mentions
)

// FetchArgs is the payload of a fetch job.
type FetchArgs struct {
	FeedID int64 `json:"feed_id"`
}

// FetchJob fetches one feed; its key keeps one waiting fetch per feed.
func FetchJob(feedID int64, now time.Time) jobs.New {
	return jobs.New{Kind: FetchKind, Key: FetchKind + ":" + strconv.FormatInt(feedID, 10),
		Payload: FetchArgs{FeedID: feedID}, RunAt: now, MaxAttempts: 1}
}

// FetchOutcome is what a good fetch of a feed found, for the store to save
// in one transaction: the feed's new caching state and its new mentions.
type FetchOutcome struct {
	FeedID       int64
	ETag         string
	LastModified string
	NextCheck    time.Time
	Title        string // the feed's own title and site, kept when staff gave none
	SiteURL      string
	Mentions     []Mention // each with the rules it matched; DuplicateOf set for near-identical text
}

// FetchFailure is a failed fetch of a feed.
type FetchFailure struct {
	FeedID    int64
	Error     string // a short description without personal data
	NextCheck time.Time
	Park      bool
}
