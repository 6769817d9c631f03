package store

import (
	"context"
	"database/sql"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/jobs"
	"parley/internal/org"
	"parley/internal/outbox"
)

// Subscribe makes the user follow a target; following twice changes nothing.
func (s *Store) Subscribe(ctx context.Context, userID int64, kind string, targetID int64) error {
	token, _ := account.NewSecret("")
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		_, err := tx.ExecContext(ctx,
			`INSERT INTO subscriptions (user_id, target_kind, target_id, token, created_at) VALUES ($1, $2, $3, $4, $5)
			 ON CONFLICT (user_id, target_kind, target_id) DO NOTHING`, userID, kind, targetID, token, now)
		if err != nil {
			return err
		}
		return recordConsent(ctx, tx, account.Consent{UserID: userID, Purpose: account.PurposeEmailUpdates, Ref: consentRef(kind, targetID), GivenAt: now})
	})
}

// Unsubscribe stops the user following a target.
func (s *Store) Unsubscribe(ctx context.Context, userID int64, kind string, targetID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE user_id = $1 AND target_kind = $2 AND target_id = $3`, userID, kind, targetID)
		if err != nil {
			return err
		}
		return withdrawConsent(ctx, tx, userID, account.PurposeEmailUpdates, consentRef(kind, targetID), s.clock())
	})
}

// UnsubscribeByToken ends the subscription whose unsubscribe link was followed.
func (s *Store) UnsubscribeByToken(ctx context.Context, token string) (account.Subscription, error) {
	var sub account.Subscription
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx,
			`DELETE FROM subscriptions WHERE token = $1 RETURNING id, user_id, target_kind, target_id, created_at`, token).
			Scan(&sub.ID, &sub.UserID, &sub.TargetKind, &sub.TargetID, &sub.CreatedAt)
		if err == sql.ErrNoRows {
			return apperr.New(apperr.NotFound, "error.unsubscribe.invalid")
		}
		if err != nil {
			return err
		}
		return withdrawConsent(ctx, tx, sub.UserID, account.PurposeEmailUpdates, consentRef(sub.TargetKind, sub.TargetID), s.clock())
	})
	return sub, err
}

// IsSubscribed reports whether the user follows the target.
func (s *Store) IsSubscribed(ctx context.Context, userID int64, kind string, targetID int64) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM subscriptions WHERE user_id = $1 AND target_kind = $2 AND target_id = $3`, userID, kind, targetID).Scan(&n)
	return n > 0, err
}

// Subscriptions lists what the user follows.
func (s *Store) Subscriptions(ctx context.Context, userID int64) ([]account.Subscription, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT id, user_id, target_kind, target_id, token, created_at FROM subscriptions WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.Subscription
	for rows.Next() {
		var sub account.Subscription
		if err := rows.Scan(&sub.ID, &sub.UserID, &sub.TargetKind, &sub.TargetID, &sub.Token, &sub.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// FollowedOrgs lists the organisations the user follows, by slug.
func (s *Store) FollowedOrgs(ctx context.Context, userID int64) ([]org.Organisation, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT o.id, o.slug, o.name_en, o.name_cy, o.brand, o.created_at FROM subscriptions s
		 JOIN organisations o ON o.id = s.target_id WHERE s.target_kind = 'org' AND s.user_id = $1 ORDER BY o.slug`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org.Organisation
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// PublishEvent records an event and enqueues the job that emails its followers.
func (s *Store) PublishEvent(ctx context.Context, ev outbox.Event, actorID int64) (int64, error) {
	if err := ev.Validate(); err != nil {
		return 0, err
	}
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO events (target_kind, target_id, subject, body, url, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			ev.TargetKind, ev.TargetID, ev.Subject, ev.Body, ev.URL, now).Scan(&id); err != nil {
			return err
		}
		if actorID != 0 {
			org := int64(0)
			if ev.TargetKind == "org" {
				org = ev.TargetID
			}
			if err := audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: org, Action: "update.send", Target: "event:" + itoa(id)}); err != nil {
				return err
			}
		}
		return enqueueJob(ctx, tx, jobs.New{Kind: outbox.FanOutJobKind, Payload: map[string]int64{"event_id": id}, Key: "event:" + itoa(id)}, now)
	})
	return id, err
}

// FanOut puts one email per follower of the event's target in the outbox,
// all in one transaction that also marks the event done, so running the
// job twice sends nothing twice.
func (s *Store) FanOut(ctx context.Context, eventID int64, compose func(outbox.Event, account.Subscription, account.User) outbox.Message) (int, error) {
	sent := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		var ev outbox.Event
		err := tx.QueryRowContext(ctx,
			`UPDATE events SET fanned_out_at = $1 WHERE id = $2 AND fanned_out_at IS NULL
			 RETURNING id, target_kind, target_id, subject, body, url, created_at`, now, eventID).
			Scan(&ev.ID, &ev.TargetKind, &ev.TargetID, &ev.Subject, &ev.Body, &ev.URL, &ev.CreatedAt)
		if err == sql.ErrNoRows {
			return nil // done before
		}
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx,
			`SELECT s.id, s.user_id, s.target_kind, s.target_id, s.token, s.created_at, `+userColumns+`
			 FROM subscriptions s JOIN users u ON u.id = s.user_id WHERE s.target_kind = $1 AND s.target_id = $2 ORDER BY s.id`,
			ev.TargetKind, ev.TargetID)
		if err != nil {
			return err
		}
		var msgs []outbox.Message
		for rows.Next() {
			var sub account.Subscription
			var u account.User
			if err := rows.Scan(&sub.ID, &sub.UserID, &sub.TargetKind, &sub.TargetID, &sub.Token, &sub.CreatedAt,
				&u.ID, &u.Email, &u.DisplayName, &u.PlatformAdmin, &u.Lang, &u.CreatedAt); err != nil {
				rows.Close()
				return err
			}
			msgs = append(msgs, compose(ev, sub, u))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, m := range msgs {
			if _, err := enqueueEmail(ctx, tx, m, now); err != nil {
				return err
			}
		}
		sent = len(msgs)
		return nil
	})
	return sent, err
}

// FollowerCount is the number of people following a target.
func (s *Store) FollowerCount(ctx context.Context, kind string, targetID int64) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM subscriptions WHERE target_kind = $1 AND target_id = $2`, kind, targetID).Scan(&n)
	return n, err
}
