package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/listening"
)

const webhookColumns = `id, org_id, url, secret, created_at`

func scanWebhook(row interface{ Scan(...any) error }) (listening.Webhook, error) {
	var w listening.Webhook
	err := row.Scan(&w.ID, &w.OrgID, &w.URL, &w.Secret, &w.CreatedAt)
	w.CreatedAt = w.CreatedAt.UTC()
	return w, err
}

func webhookTarget(id int64) string { return "listening-webhook:" + itoa(id) }

// CreateWebhook saves a webhook with a new random secret, which the
// returned webhook carries; lists leave it out.
func (s *Store) CreateWebhook(ctx context.Context, w listening.Webhook, actorID int64) (listening.Webhook, error) {
	u, err := listening.NormaliseFeedURL(w.URL)
	if err != nil {
		return w, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return w, err
	}
	w.URL, w.Secret = u, "whsec_"+hex.EncodeToString(secret)
	err = s.tx(ctx, func(tx *sql.Tx) error {
		w.CreatedAt = s.clock()
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO listening_webhooks (org_id, url, secret, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			w.OrgID, w.URL, w.Secret, sql.NullInt64{Int64: actorID, Valid: actorID != 0}, w.CreatedAt).Scan(&w.ID); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: w.CreatedAt, ActorID: actorID, OrgID: w.OrgID, Action: "listening.webhook.create", Target: webhookTarget(w.ID)})
	})
	if apperr.Is(err, apperr.Conflict) {
		var f apperr.Fields
		f.Add("url", "error.listening.url.exists")
		return w, f.Err()
	}
	return w, err
}

// Webhook returns one webhook with its secret, for delivery.
func (s *Store) Webhook(ctx context.Context, id int64) (listening.Webhook, error) {
	w, err := scanWebhook(s.read.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM listening_webhooks WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return w, apperr.Wrap(apperr.NotFound, err, "error.not_found")
	}
	return w, err
}

// Webhooks lists an organisation's webhooks without their secrets.
func (s *Store) Webhooks(ctx context.Context, orgID int64) ([]listening.Webhook, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+webhookColumns+` FROM listening_webhooks WHERE org_id = $1 ORDER BY id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []listening.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		w.Secret = ""
		out = append(out, w)
	}
	return out, rows.Err()
}

// DeleteWebhook stops deliveries to a webhook; those queued find it gone.
func (s *Store) DeleteWebhook(ctx context.Context, id int64, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var orgID int64
		if err := tx.QueryRowContext(ctx, `SELECT org_id FROM listening_webhooks WHERE id = $1`, id).Scan(&orgID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM listening_webhooks WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: orgID, Action: "listening.webhook.delete", Target: webhookTarget(id)})
	})
}

// webhookIDs lists an organisation's webhooks inside a transaction.
func webhookIDs(ctx context.Context, tx *sql.Tx, orgID int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM listening_webhooks WHERE org_id = $1 ORDER BY id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
