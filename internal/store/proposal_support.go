package store

import (
	"context"
	"database/sql"

	"parley/internal/apperr"
	"parley/internal/proposal"
)

// Ideas' supports: one per signed-in citizen, written through the group
// commit so a burst of supports shares its transactions, with the count
// kept in the sharded counters.

// supportableIdea loads what Support needs to know of a proposal.
func supportableIdea(ctx context.Context, tx *sql.Tx, id int64) (proposal.Proposal, error) {
	var p proposal.Proposal
	var closes sql.NullTime
	var merged sql.NullInt64
	err := tx.QueryRowContext(ctx,
		`SELECT p.id, b.kind, p.stage, p.status, p.closes_at, p.merged_into FROM proposals p JOIN proposal_boards b ON b.id = p.board_id WHERE p.id = $1`,
		id).Scan(&p.ID, &p.Kind, &p.Stage, &p.Status, &closes, &merged)
	if err == sql.ErrNoRows {
		return p, apperr.Wrap(apperr.NotFound, err, "error.proposal.not_found")
	}
	p.ClosesAt, p.MergedInto = timeOf(closes), merged.Int64
	return p, err
}

// Support records a citizen's support of an idea, once.
func (s *Store) Support(ctx context.Context, proposalID, userID int64) error {
	if userID == 0 {
		return apperr.New(apperr.Unauthenticated, "error.proposal.support.sign_in")
	}
	return s.group.do(ctx, func(ctx context.Context, tx *sql.Tx) error {
		now := s.clock()
		p, err := supportableIdea(ctx, tx, proposalID)
		if err != nil {
			return err
		}
		if p.Kind != proposal.Ideas || !p.Supportable(now) {
			return apperr.New(apperr.Conflict, "error.proposal.support.closed")
		}
		res, err := tx.ExecContext(ctx,
			`INSERT INTO proposal_supports (proposal_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			proposalID, userID, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // supported already
		}
		if err := s.addCounts(ctx, tx, []countDelta{{ProposalID: proposalID, N: 1}}); err != nil {
			return err
		}
		return checkThresholds(ctx, tx, []int64{proposalID}, now)
	})
}

// Withdraw takes back a citizen's support of an idea; withdrawing what was
// never given is not an error. A support moved by a merge is withdrawn
// from the original, where it now counts.
func (s *Store) Withdraw(ctx context.Context, proposalID, userID int64) error {
	if userID == 0 {
		return apperr.New(apperr.Unauthenticated, "error.proposal.support.sign_in")
	}
	return s.group.do(ctx, func(ctx context.Context, tx *sql.Tx) error {
		p, err := supportableIdea(ctx, tx, proposalID)
		if err != nil {
			return err
		}
		if p.Kind != proposal.Ideas {
			return apperr.New(apperr.Conflict, "error.proposal.support.closed")
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM proposal_supports WHERE proposal_id = $1 AND user_id = $2`, proposalID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.addCounts(ctx, tx, []countDelta{{ProposalID: proposalID, N: -1}})
	})
}

// Supports reports whether a citizen supports an idea.
func (s *Store) Supports(ctx context.Context, proposalID, userID int64) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM proposal_supports WHERE proposal_id = $1 AND user_id = $2`, proposalID, userID).Scan(&n)
	return n > 0, err
}
