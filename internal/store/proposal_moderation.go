package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"unicode/utf8"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/jobs"
	"parley/internal/moderation"
	"parley/internal/proposal"
)

// Moderation, official answers and merges of proposals.

// ModerateProposal moves a proposal between stages as
// proposal.CanModerate allows. Rejecting or hiding needs a reason, which
// the author sees.
func (s *Store) ModerateProposal(ctx context.Context, id int64, to proposal.Stage, reason string, actorID int64) error {
	reason = strings.TrimSpace(reason)
	var f apperr.Fields
	f.Check(to == proposal.Published || reason != "", "reason", "error.proposal.reason.required")
	f.Check(utf8.RuneCountInString(reason) <= proposal.MaxReason, "reason", "error.proposal.reason.too_long")
	if err := f.Err(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		p, err := proposalTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !proposal.CanModerate(p.Stage, to) {
			return apperr.New(apperr.Conflict, "error.proposal.moderate.not_allowed")
		}
		b, err := boardTx(ctx, tx, p.BoardID)
		if err != nil {
			return err
		}
		now := s.clock()
		if err := moveStage(ctx, tx, id, p.Stage, to, b, now); err != nil {
			return err
		}
		if to != proposal.Published {
			if _, err := tx.ExecContext(ctx, `UPDATE proposals SET reason = $1 WHERE id = $2`, reason, id); err != nil {
				return err
			}
		} else if err := checkThresholds(ctx, tx, []int64{id}, now); err != nil {
			// Support gathered before publication (sponsors) may already
			// be past a threshold.
			return err
		}
		// An open item about it in the moderation queue is decided too.
		decision := moderation.Approve
		if to != proposal.Published {
			decision = moderation.Reject
		}
		if err := closeItemFor(ctx, tx, p.OrgID, moderation.Ref{Kind: moderation.KindProposal, ID: id}, decision, reason, actorID, now); err != nil {
			return err
		}
		detail := string(p.Stage) + " → " + string(to)
		if reason != "" {
			detail += ": " + reason
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: p.OrgID,
			Action: "proposal.moderate", Target: proposalTarget(id), Detail: detail})
	})
}

// SetProposalStatus records an official status with its response (see
// web.ProposalStore). Only a published proposal that was not merged away
// can be answered.
func (s *Store) SetProposalStatus(ctx context.Context, c proposal.StatusChange) (proposal.StatusChange, error) {
	c.ResponseEN, c.ResponseCY = strings.TrimSpace(strings.ReplaceAll(c.ResponseEN, "\r\n", "\n")), strings.TrimSpace(strings.ReplaceAll(c.ResponseCY, "\r\n", "\n"))
	if err := c.Validate(); err != nil {
		return c, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		p, err := proposalTx(ctx, tx, c.ProposalID)
		if err != nil {
			return err
		}
		if p.Stage != proposal.Published || p.MergedInto != 0 {
			return apperr.New(apperr.Conflict, "error.proposal.status.not_published")
		}
		c.At = s.clock()
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO proposal_status_changes (proposal_id, status, response_en, response_cy, actor_id, at)
			 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			c.ProposalID, c.Status, c.ResponseEN, c.ResponseCY, sql.NullInt64{Int64: c.ActorID, Valid: c.ActorID != 0}, c.At).Scan(&c.ID); err != nil {
			return err
		}
		// A response answers an owed one; a bare "open" does not.
		responded := sql.NullTime{}
		if p.Awaiting() && c.ResponseEN != "" {
			responded = nullTime(c.At)
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE proposals SET status = $1, response_en = $2, response_cy = $3, status_at = $4, responded_at = COALESCE(responded_at, $5)
			 WHERE id = $6`,
			c.Status, c.ResponseEN, c.ResponseCY, c.At, responded, c.ProposalID); err != nil {
			return err
		}
		if err := enqueueJob(ctx, tx, jobs.New{Kind: proposal.StatusJob, Payload: map[string]int64{"change_id": c.ID}}, c.At); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: c.At, ActorID: c.ActorID, OrgID: p.OrgID,
			Action: "proposal.status", Target: proposalTarget(p.ID), Detail: string(p.Status) + " → " + string(c.Status)})
	})
	return c, err
}

const statusChangeColumns = `id, proposal_id, status, response_en, response_cy, actor_id, at`

// scanStatusChange reads statusChangeColumns and then any extra columns.
func scanStatusChange(row scanner, extra ...any) (proposal.StatusChange, error) {
	var c proposal.StatusChange
	var actor sql.NullInt64
	err := row.Scan(append([]any{&c.ID, &c.ProposalID, &c.Status, &c.ResponseEN, &c.ResponseCY, &actor, &c.At}, extra...)...)
	c.ActorID, c.At = actor.Int64, c.At.UTC()
	return c, err
}

// StatusChanges lists a proposal's official answers, oldest first.
func (s *Store) StatusChanges(ctx context.Context, proposalID int64) ([]proposal.StatusChange, error) {
	return collect(ctx, s.read, `SELECT `+statusChangeColumns+` FROM proposal_status_changes WHERE proposal_id = $1 ORDER BY id`,
		[]any{proposalID}, func(rows *sql.Rows) (proposal.StatusChange, error) { return scanStatusChange(rows) })
}

// MergeProposals merges duplicate fromID into intoID. A person who
// supports both is counted once on the original: their support stays on
// the duplicate, where it no longer shows. Everyone else's moves across,
// marked with where it came from.
func (s *Store) MergeProposals(ctx context.Context, fromID, intoID int64, actorID int64) (proposal.Merge, error) {
	m := proposal.Merge{FromID: fromID, IntoID: intoID, ActorID: actorID}
	if fromID == intoID {
		return m, apperr.New(apperr.Invalid, "error.proposal.merge.same")
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		from, err := proposalTx(ctx, tx, fromID)
		if err != nil {
			return err
		}
		into, err := proposalTx(ctx, tx, intoID)
		if err != nil {
			return err
		}
		switch {
		case from.BoardID != into.BoardID:
			return apperr.New(apperr.Invalid, "error.proposal.merge.board")
		case from.MergedInto != 0 || from.Status == proposal.Duplicate:
			return apperr.New(apperr.Conflict, "error.proposal.merge.already")
		case into.MergedInto != 0 || into.Status == proposal.Duplicate:
			return apperr.New(apperr.Conflict, "error.proposal.merge.into_duplicate")
		}
		m.At = s.clock()
		counting := `confirmed_at IS NOT NULL AND invalidated_at IS NULL`
		// Someone whose signature on the original was never confirmed but
		// whose signature on the duplicate counts has proved their address:
		// their signature on the original counts from now, so the union of
		// supporters is exact (and the link they were sent still works).
		if _, err := tx.ExecContext(ctx,
			`UPDATE proposal_signatures SET confirmed_at = $1 WHERE proposal_id = $2 AND confirmed_at IS NULL AND invalidated_at IS NULL
			   AND email_norm IN (SELECT email_norm FROM proposal_signatures WHERE proposal_id = $3 AND `+counting+`)`,
			m.At, intoID, fromID); err != nil {
			return err
		}
		var movedSigs, movedSupports int
		if err := tx.QueryRowContext(ctx,
			`SELECT COUNT(*) FROM proposal_signatures WHERE proposal_id = $1 AND `+counting+`
			   AND email_norm NOT IN (SELECT email_norm FROM proposal_signatures WHERE proposal_id = $2)`,
			fromID, intoID).Scan(&movedSigs); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx,
			`SELECT COUNT(*) FROM proposal_supports WHERE proposal_id = $1
			   AND user_id NOT IN (SELECT user_id FROM proposal_supports WHERE proposal_id = $2)`,
			fromID, intoID).Scan(&movedSupports); err != nil {
			return err
		}
		// Every signature moves, confirmed or not, so a link followed
		// later counts on the original.
		if _, err := tx.ExecContext(ctx,
			`UPDATE proposal_signatures SET proposal_id = $1, merged_from = $2 WHERE proposal_id = $2
			   AND email_norm NOT IN (SELECT email_norm FROM proposal_signatures WHERE proposal_id = $3)`,
			intoID, fromID, intoID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE proposal_supports SET proposal_id = $1, merged_from = $2 WHERE proposal_id = $2
			   AND user_id NOT IN (SELECT user_id FROM proposal_supports WHERE proposal_id = $3)`,
			intoID, fromID, intoID); err != nil {
			return err
		}
		var stayedSigs, stayedSupports int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM proposal_signatures WHERE proposal_id = $1 AND `+counting, fromID).Scan(&stayedSigs); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM proposal_supports WHERE proposal_id = $1`, fromID).Scan(&stayedSupports); err != nil {
			return err
		}
		m.Moved, m.Already = movedSigs+movedSupports, stayedSigs+stayedSupports
		if err := s.recount(ctx, tx, fromID, intoID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE proposals SET status = $1, merged_into = $2, status_at = $3 WHERE id = $4`,
			proposal.Duplicate, intoID, m.At, fromID); err != nil {
			return err
		}
		// The duplicate's timeline shows the merge; its supporters hear of
		// it through the merge's email, not a status email, so the change
		// is born notified.
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO proposal_status_changes (proposal_id, status, actor_id, at, notified_at) VALUES ($1, $2, $3, $4, $4)`,
			fromID, proposal.Duplicate, sql.NullInt64{Int64: actorID, Valid: actorID != 0}, m.At); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO proposal_merges (from_id, into_id, moved, already, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			fromID, intoID, m.Moved, m.Already, sql.NullInt64{Int64: actorID, Valid: actorID != 0}, m.At).Scan(&m.ID); err != nil {
			return err
		}
		if err := checkThresholds(ctx, tx, []int64{intoID}, m.At); err != nil {
			return err
		}
		if err := enqueueJob(ctx, tx, jobs.New{Kind: proposal.MergeJob, Payload: map[string]int64{"merge_id": m.ID}}, m.At); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: m.At, ActorID: actorID, OrgID: from.OrgID,
			Action: "proposal.merge", Target: proposalTarget(fromID),
			Detail: "into " + proposalTarget(intoID) + ", " + strconv.Itoa(m.Moved) + " supporters moved, " + strconv.Itoa(m.Already) + " already there"})
	})
	return m, err
}

// Merge returns one merge record.
func (s *Store) Merge(ctx context.Context, id int64) (proposal.Merge, error) {
	var m proposal.Merge
	var actor sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT id, from_id, into_id, moved, already, actor_id, at FROM proposal_merges WHERE id = $1`, id).
		Scan(&m.ID, &m.FromID, &m.IntoID, &m.Moved, &m.Already, &actor, &m.At)
	m.ActorID, m.At = actor.Int64, m.At.UTC()
	return m, mapErr(err)
}

// ClosePetition stops a published petition taking signatures now: its
// closing date becomes now, unless it has already passed (closing twice
// is not an error). Ideas have no closing date: Conflict.
func (s *Store) ClosePetition(ctx context.Context, id int64, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		p, err := proposalTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if p.Kind != proposal.Petitions || p.Stage != proposal.Published {
			return apperr.New(apperr.Conflict, "error.proposal.close.not_open")
		}
		now := s.clock()
		if !p.ClosesAt.IsZero() && !p.ClosesAt.After(now) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE proposals SET closes_at = $1 WHERE id = $2`, now, id); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: p.OrgID,
			Action: "proposal.close", Target: proposalTarget(id)})
	})
}
