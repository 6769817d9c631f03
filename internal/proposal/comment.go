package proposal

import (
	"strings"
	"time"

	"parley/internal/apperr"
)

// CommentState is whether a comment is shown.
type CommentState string

const (
	CommentVisible CommentState = "visible"
	CommentHidden  CommentState = "hidden" // taken down by a moderator; kept for appeal
)

// Comment is a comment on a proposal, or a reply to one: threads are one
// level deep, so a reply's parent is always a top-level comment.
type Comment struct {
	ID         int64
	ProposalID int64
	ParentID   int64 // 0: a top-level comment
	AuthorID   int64
	AuthorName string
	Body       string // plain text
	State      CommentState
	Reason     string // why it was hidden
	Reports    int    // open reports, for moderators
	CreatedAt  time.Time
	Replies    []Comment // filled for top-level comments when listing
}

// Normalise tidies the body.
func (c *Comment) Normalise() {
	c.Body = strings.TrimSpace(strings.ReplaceAll(c.Body, "\r\n", "\n"))
	c.AuthorName = strings.Join(strings.Fields(c.AuthorName), " ")
	if c.State == "" {
		c.State = CommentVisible
	}
}

// Validate checks what a citizen wrote.
func (c Comment) Validate() error {
	var f apperr.Fields
	f.Check(c.Body != "", "body", "error.proposal.comment.required")
	f.Check(!tooLong(c.Body, MaxComment), "body", "error.proposal.comment.too_long")
	return f.Err()
}

// Report is a citizen's report of a comment to moderators.
type Report struct {
	ID         int64
	CommentID  int64
	ReporterID int64
	Reason     string
	CreatedAt  time.Time
	ResolvedAt time.Time
}

// Validate checks a report.
func (r Report) Validate() error {
	var f apperr.Fields
	f.Check(strings.TrimSpace(r.Reason) != "", "reason", "error.proposal.reason.required")
	f.Check(!tooLong(r.Reason, MaxReason), "reason", "error.proposal.reason.too_long")
	return f.Err()
}
