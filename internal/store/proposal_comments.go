package store

import (
	"context"
	"database/sql"
	"strings"
	"unicode/utf8"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/moderation"
	"parley/internal/proposal"
)

// Comments on proposals, threaded one level, and their reports.

// commentColumns reads a comment as c with its open reports counted: the
// reports on its open moderation item since it was opened.
const commentColumns = `c.id, c.proposal_id, c.parent_id, c.author_id, c.author_name, c.body, c.state, c.reason, c.created_at,
	(SELECT COUNT(*) FROM moderation_flags mf JOIN moderation_items mi ON mi.id = mf.item_id
	  WHERE mi.kind = 'comment' AND mi.target_id = c.id AND mi.state = 'open' AND mf.reason = 'report' AND mf.at >= mi.opened_at)`

func scanComment(row scanner) (proposal.Comment, error) {
	var c proposal.Comment
	var parent, author sql.NullInt64
	err := row.Scan(&c.ID, &c.ProposalID, &parent, &author, &c.AuthorName, &c.Body, &c.State, &c.Reason, &c.CreatedAt, &c.Reports)
	c.ParentID, c.AuthorID, c.CreatedAt = parent.Int64, author.Int64, c.CreatedAt.UTC()
	return c, err
}

func commentTarget(id int64) string { return "proposal_comment:" + itoa(id) }

// AddComment saves a comment on a public proposal, or a reply to one of
// its visible top-level comments. Screening may hold it (hidden with no
// reason) for a moderator; a blocked author is Forbidden.
func (s *Store) AddComment(ctx context.Context, c proposal.Comment) (proposal.Comment, error) {
	c.State, c.Reason, c.Reports, c.Replies = proposal.CommentVisible, "", 0, nil
	c.Normalise()
	if err := c.Validate(); err != nil {
		return c, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var stage proposal.Stage
		var orgID int64
		var title string
		err := tx.QueryRowContext(ctx, `SELECT stage, org_id, title FROM proposals WHERE id = $1`, c.ProposalID).Scan(&stage, &orgID, &title)
		if err == sql.ErrNoRows {
			return apperr.Wrap(apperr.NotFound, err, "error.proposal.not_found")
		}
		if err != nil {
			return err
		}
		if stage != proposal.Published {
			return apperr.New(apperr.Conflict, "error.proposal.comment.closed")
		}
		if c.ParentID != 0 {
			var pid int64
			var grand sql.NullInt64
			var state proposal.CommentState
			err := tx.QueryRowContext(ctx, `SELECT proposal_id, parent_id, state FROM proposal_comments WHERE id = $1`, c.ParentID).Scan(&pid, &grand, &state)
			if err != nil && err != sql.ErrNoRows {
				return err
			}
			// Threads are one level deep: a reply answers a visible
			// top-level comment of the same proposal.
			if err == sql.ErrNoRows || pid != c.ProposalID || grand.Valid || state != proposal.CommentVisible {
				var f apperr.Fields
				f.Add("body", "error.proposal.comment.parent")
				return f.Err()
			}
		}
		c.CreatedAt = s.clock()
		sc := screening{OrgID: orgID, Kind: moderation.KindComment, AuthorID: c.AuthorID, AuthorName: c.AuthorName, Text: c.Body,
			WhereTitle: title, WhereKind: moderation.KindProposal, WhereID: c.ProposalID, Now: c.CreatedAt}
		held, err := s.screen(ctx, tx, &sc)
		if err != nil {
			return err
		}
		if held {
			c.State = proposal.CommentHidden
		}
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO proposal_comments (proposal_id, parent_id, author_id, author_name, body, state, created_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			c.ProposalID, sql.NullInt64{Int64: c.ParentID, Valid: c.ParentID != 0}, sql.NullInt64{Int64: c.AuthorID, Valid: c.AuthorID != 0},
			c.AuthorName, c.Body, c.State, c.CreatedAt).Scan(&c.ID); err != nil {
			return err
		}
		return sc.open(ctx, tx, c.ID)
	})
	return c, err
}

// Comment returns one comment with its open reports counted.
func (s *Store) Comment(ctx context.Context, id int64) (proposal.Comment, error) {
	c, err := scanComment(s.read.QueryRowContext(ctx, `SELECT `+commentColumns+` FROM proposal_comments c WHERE c.id = $1`, id))
	if err == sql.ErrNoRows {
		return c, apperr.Wrap(apperr.NotFound, err, "error.proposal.comment.not_found")
	}
	return c, err
}

// Comments lists a proposal's top-level comments oldest first, each with
// its replies oldest first. Without all, hidden comments are left out,
// and so are the replies under a hidden comment: they answer words no
// longer shown.
func (s *Store) Comments(ctx context.Context, proposalID int64, all bool) ([]proposal.Comment, error) {
	q := `SELECT ` + commentColumns + ` FROM proposal_comments c WHERE c.proposal_id = $1`
	if !all {
		q += ` AND c.state = 'visible'`
	}
	list, err := collect(ctx, s.read, q+` ORDER BY c.id`, []any{proposalID}, func(rows *sql.Rows) (proposal.Comment, error) { return scanComment(rows) })
	if err != nil {
		return nil, err
	}
	var top []proposal.Comment
	index := map[int64]int{}
	for _, c := range list {
		if c.ParentID == 0 {
			index[c.ID] = len(top)
			top = append(top, c)
		}
	}
	for _, c := range list {
		if i, ok := index[c.ParentID]; ok && c.ParentID != 0 {
			top[i].Replies = append(top[i].Replies, c)
		}
	}
	return top, nil
}

// ReportComment records a citizen's report of a visible comment in the
// organisation's moderation queue (as Report, in the category "other"
// with the reason as its words); the same person reporting it again
// changes nothing.
func (s *Store) ReportComment(ctx context.Context, r proposal.Report) error {
	r.Reason = strings.TrimSpace(r.Reason)
	if err := r.Validate(); err != nil {
		return err
	}
	err := s.Report(ctx, moderation.Report{Ref: moderation.Ref{Kind: moderation.KindComment, ID: r.CommentID}, ReporterID: r.ReporterID,
		Category: moderation.ReportOther, Detail: r.Reason})
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Wrap(apperr.NotFound, err, "error.proposal.comment.not_found")
	}
	return err
}

// ReportedComments lists the organisation's comments with an open item in
// the moderation queue (reported, or held by a signal), the most reported
// first.
func (s *Store) ReportedComments(ctx context.Context, orgID int64) ([]proposal.Comment, error) {
	return collect(ctx, s.read,
		`SELECT `+commentColumns+` FROM proposal_comments c JOIN moderation_items i ON i.kind = 'comment' AND i.target_id = c.id
		 WHERE i.org_id = $1 AND i.state = 'open'
		 ORDER BY 10 DESC, c.id`,
		[]any{orgID}, func(rows *sql.Rows) (proposal.Comment, error) { return scanComment(rows) })
}

// ModerateComment hides (with a reason) or restores a comment and resolves
// its open reports.
func (s *Store) ModerateComment(ctx context.Context, id int64, hide bool, reason string, actorID int64) error {
	reason = strings.TrimSpace(reason)
	var f apperr.Fields
	f.Check(!hide || reason != "", "reason", "error.proposal.reason.required")
	f.Check(utf8.RuneCountInString(reason) <= proposal.MaxReason, "reason", "error.proposal.reason.too_long")
	if err := f.Err(); err != nil {
		return err
	}
	state, action := proposal.CommentVisible, "proposal.comment.restore"
	if hide {
		state, action = proposal.CommentHidden, "proposal.comment.hide"
	} else {
		reason = ""
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var orgID, proposalID int64
		err := tx.QueryRowContext(ctx, `SELECT p.org_id, p.id FROM proposal_comments c JOIN proposals p ON p.id = c.proposal_id WHERE c.id = $1`, id).
			Scan(&orgID, &proposalID)
		if err == sql.ErrNoRows {
			return apperr.Wrap(apperr.NotFound, err, "error.proposal.comment.not_found")
		}
		if err != nil {
			return err
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `UPDATE proposal_comments SET state = $1, reason = $2 WHERE id = $3`, state, reason, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE proposal_comment_reports SET resolved_at = $1 WHERE comment_id = $2 AND resolved_at IS NULL`, now, id); err != nil {
			return err
		}
		decision := moderation.Approve
		if hide {
			decision = moderation.Reject
		}
		if err := closeItemFor(ctx, tx, orgID, moderation.Ref{Kind: moderation.KindComment, ID: id}, decision, reason, actorID, now); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: orgID, Action: action,
			Target: commentTarget(id), Detail: proposalTarget(proposalID) + ": " + reason})
	})
}
