package store

import (
	"context"
	"database/sql"
	"strconv"

	"parley/internal/apperr"
	"parley/internal/moderation"
	"parley/internal/outbox"
)

// noticeKey says what an author is owed news of: the latest of a decision
// that hid what they wrote and the outcome of their appeal, stamped with
// when it was made, so that a later decision on a reopened item is news
// again; "" when nothing. appeal reports whether it is the appeal's.
func noticeKey(decision, appealOutcome string, decidedAt, appealDecidedAt sql.NullTime) (key string, appeal bool) {
	if appealOutcome != "" && appealDecidedAt.Valid && (!decidedAt.Valid || !appealDecidedAt.Time.Before(decidedAt.Time)) {
		return "appeal:" + appealOutcome + "@" + strconv.FormatInt(appealDecidedAt.Time.UnixNano(), 10), true
	}
	if moderation.Decision(decision).Hides() && decidedAt.Valid {
		return decision + "@" + strconv.FormatInt(decidedAt.Time.UnixNano(), 10), false
	}
	return "", false
}

// SendModerationEmail tells the author of a moderated item what was
// decided, once: the item remembers what it last told them, so running
// the job again sends nothing. It returns how many emails were queued (0
// or 1). An author who is anonymous or erased is not told.
func (s *Store) SendModerationEmail(ctx context.Context, itemID int64, compose func(it moderation.Item, to, lang string) outbox.Message) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var it moderation.Item
		var author sql.NullInt64
		var decision, outcome, notified string
		var decidedAt, appealDecidedAt sql.NullTime
		err := tx.QueryRowContext(ctx,
			`SELECT id, org_id, kind, target_id, author_id, body, where_title, where_kind, where_id, decision, reason, appeal_outcome, appeal_reason,
			   notified, decided_at, appeal_decided_at
			 FROM moderation_items WHERE id = $1`, itemID).
			Scan(&it.ID, &it.OrgID, &it.Ref.Kind, &it.Ref.ID, &author, &it.Text, &it.WhereTitle, &it.WhereKind, &it.WhereID,
				&decision, &it.Reason, &outcome, &it.AppealReason, &notified, &decidedAt, &appealDecidedAt)
		if err == sql.ErrNoRows {
			return apperr.Wrap(apperr.NotFound, err, "error.not_found")
		}
		if err != nil {
			return err
		}
		key, appeal := noticeKey(decision, outcome, decidedAt, appealDecidedAt)
		it.Decision, it.AuthorID = moderation.Decision(decision), author.Int64
		if appeal {
			// The email tells of the appeal only when it is the latest news.
			it.AppealOutcome = moderation.Decision(outcome)
		}
		if key == "" || key == notified || !author.Valid {
			return nil
		}
		var to, lang string
		var erased sql.NullTime
		if err := tx.QueryRowContext(ctx, `SELECT email, lang, erased_at FROM users WHERE id = $1`, author.Int64).Scan(&to, &lang, &erased); err != nil && err != sql.ErrNoRows {
			return err
		}
		now := s.clock()
		if to != "" && !erased.Valid {
			m := compose(it, to, lang)
			m.To = to
			if m.Validate() == nil {
				if err := s.enqueueBulkEmails(ctx, tx, []outbox.Message{m}, now); err != nil {
					return err
				}
				n = 1
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE moderation_items SET notified = $1 WHERE id = $2`, key, itemID)
		return err
	})
	if err != nil {
		n = 0
	}
	return n, err
}
