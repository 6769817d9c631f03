package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"parley/internal/apperr"
	"parley/internal/outbox"
	"parley/internal/proposal"
)

// The emails the proposal jobs send: to supporters on a status change or a
// merge, and to staff when a threshold is crossed. Each is queued in bulk
// (the sweep sends them) in the transaction that stamps it as done, so a
// job that runs twice sends nothing the second time.

// proposalRecipient is one address to write to, in its language.
type proposalRecipient struct {
	To   string
	Lang string
}

// proposalSupportersSQL selects the addresses of supporters as (email,
// lang): confirmed, valid signatures s matching sigCond and the users of
// supports u matching supCond, the proposal named by $1 in both.
func proposalSupportersSQL(sigCond, supCond string) string {
	return `SELECT s.email, s.lang FROM proposal_signatures s
		 WHERE ` + sigCond + ` AND s.confirmed_at IS NOT NULL AND s.invalidated_at IS NULL
		UNION ALL
		SELECT us.email, us.lang FROM proposal_supports u JOIN users us ON us.id = u.user_id WHERE ` + supCond
}

// proposalRecipientsTx reads addresses, each once (compared without case), in
// the order the query gives them.
func proposalRecipientsTx(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]proposalRecipient, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	var out []proposalRecipient
	for rows.Next() {
		var r proposalRecipient
		if err := rows.Scan(&r.To, &r.Lang); err != nil {
			return nil, err
		}
		key := strings.ToLower(strings.TrimSpace(r.To))
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		if r.Lang != "cy" {
			r.Lang = "en"
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// queueProposalMail composes one message per recipient and queues the valid
// ones in bulk; an address that cannot be written to is skipped rather
// than holding up everyone else's email.
func (s *Store) queueProposalMail(ctx context.Context, tx *sql.Tx, rs []proposalRecipient, compose func(r proposalRecipient) outbox.Message, now time.Time) (int, error) {
	ms := make([]outbox.Message, 0, len(rs))
	for _, r := range rs {
		m := compose(r)
		if m.To == "" {
			m.To = r.To
		}
		if m.Validate() != nil {
			continue
		}
		ms = append(ms, m)
	}
	return len(ms), s.enqueueBulkEmails(ctx, tx, ms, now)
}

// SendStatusEmails emails the supporters of a proposal about one of its
// status changes, once: a change already notified sends nothing and
// returns 0. It returns how many emails were queued.
func (s *Store) SendStatusEmails(ctx context.Context, changeID int64, compose func(p proposal.Proposal, c proposal.StatusChange, to, lang string) outbox.Message) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var notified sql.NullTime
		c, err := scanStatusChange(tx.QueryRowContext(ctx,
			`SELECT `+statusChangeColumns+`, notified_at FROM proposal_status_changes WHERE id = $1`, changeID), &notified)
		if err == sql.ErrNoRows {
			return apperr.Wrap(apperr.NotFound, err, "error.not_found")
		}
		if err != nil || notified.Valid {
			return err
		}
		p, err := proposalTx(ctx, tx, c.ProposalID)
		if err != nil {
			return err
		}
		now := s.clock()
		rs, err := proposalRecipientsTx(ctx, tx, proposalSupportersSQL("s.proposal_id = $1", "u.proposal_id = $1"), p.ID)
		if err != nil {
			return err
		}
		if n, err = s.queueProposalMail(ctx, tx, rs, func(r proposalRecipient) outbox.Message { return compose(p, c, r.To, r.Lang) }, now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE proposal_status_changes SET notified_at = $1 WHERE id = $2`, now, changeID)
		return err
	})
	if err != nil {
		n = 0
	}
	return n, err
}

// SendMergeEmails tells the supporters of a merged duplicate, once: those
// who moved to the original and those who already supported it.
func (s *Store) SendMergeEmails(ctx context.Context, mergeID int64, compose func(from, into proposal.Proposal, to, lang string) outbox.Message) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var fromID, intoID int64
		var notified sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT from_id, into_id, notified_at FROM proposal_merges WHERE id = $1`, mergeID).Scan(&fromID, &intoID, &notified)
		if err == sql.ErrNoRows {
			return apperr.Wrap(apperr.NotFound, err, "error.not_found")
		}
		if err != nil || notified.Valid {
			return err
		}
		from, err := proposalTx(ctx, tx, fromID)
		if err != nil {
			return err
		}
		into, err := proposalTx(ctx, tx, intoID)
		if err != nil {
			return err
		}
		rs, err := proposalRecipientsTx(ctx, tx,
			proposalSupportersSQL("(s.proposal_id = $1 OR s.merged_from = $1)", "(u.proposal_id = $1 OR u.merged_from = $1)"), fromID)
		if err != nil {
			return err
		}
		now := s.clock()
		if n, err = s.queueProposalMail(ctx, tx, rs, func(r proposalRecipient) outbox.Message { return compose(from, into, r.To, r.Lang) }, now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE proposal_merges SET notified_at = $1 WHERE id = $2`, now, mergeID)
		return err
	})
	if err != nil {
		n = 0
	}
	return n, err
}

// SendThresholdEmails tells the organisation's admins and editors that a
// proposal crossed its "response" or "debate" threshold, once per
// threshold.
func (s *Store) SendThresholdEmails(ctx context.Context, proposalID int64, threshold string, compose func(p proposal.Proposal, to, lang string) outbox.Message) (int, error) {
	col := map[string]string{"response": "threshold_notified_at", "debate": "debate_notified_at"}[threshold]
	if col == "" {
		return 0, apperr.New(apperr.Invalid, "threshold must be response or debate")
	}
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var notified sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT `+col+` FROM proposals WHERE id = $1`, proposalID).Scan(&notified)
		if err == sql.ErrNoRows {
			return apperr.Wrap(apperr.NotFound, err, "error.proposal.not_found")
		}
		if err != nil || notified.Valid {
			return err
		}
		p, err := proposalTx(ctx, tx, proposalID)
		if err != nil {
			return err
		}
		rs, err := proposalRecipientsTx(ctx, tx,
			`SELECT u.email, u.lang FROM memberships m JOIN users u ON u.id = m.user_id
			 WHERE m.org_id = $1 AND m.role IN ('admin', 'editor') ORDER BY u.id`, p.OrgID)
		if err != nil {
			return err
		}
		now := s.clock()
		if n, err = s.queueProposalMail(ctx, tx, rs, func(r proposalRecipient) outbox.Message { return compose(p, r.To, r.Lang) }, now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE proposals SET `+col+` = $1 WHERE id = $2`, now, proposalID)
		return err
	})
	if err != nil {
		n = 0
	}
	return n, err
}
