package store

import (
	"context"
	"database/sql"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
)

// CreateAPIToken issues a bearer token for the user and returns it in plain
// text: this is the only time it exists outside the caller; only its hash is kept.
func (s *Store) CreateAPIToken(ctx context.Context, userID int64, name string, expiresAt time.Time, actorID int64) (string, account.APIToken, error) {
	plain, hash := account.NewSecret(account.TokenPrefix)
	t := account.APIToken{UserID: userID, Name: name, ExpiresAt: expiresAt}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		t.CreatedAt = s.clock()
		err := tx.QueryRowContext(ctx,
			`INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			userID, name, hash, t.CreatedAt, nullTime(expiresAt)).Scan(&t.ID)
		if err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: t.CreatedAt, ActorID: actorID, Action: "token.create", Target: "token:" + itoa(t.ID), Detail: userTarget(userID)})
	})
	if err != nil {
		return "", t, err
	}
	return plain, t, nil
}

// PrincipalByToken returns the owner of a live API token.
func (s *Store) PrincipalByToken(ctx context.Context, plain string) (*account.Principal, account.APIToken, error) {
	var t account.APIToken
	var last, expires, revoked sql.NullTime
	err := s.read.QueryRowContext(ctx,
		`SELECT id, user_id, name, created_at, last_used_at, expires_at, revoked_at FROM api_tokens WHERE token_hash = $1`,
		account.HashSecret(plain)).Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &last, &expires, &revoked)
	if err == sql.ErrNoRows {
		return nil, t, apperr.New(apperr.Unauthenticated, "error.token.invalid")
	}
	if err != nil {
		return nil, t, err
	}
	t.LastUsedAt, t.ExpiresAt, t.RevokedAt = timeOf(last), timeOf(expires), timeOf(revoked)
	now := s.clock()
	if !t.RevokedAt.IsZero() || (!t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)) {
		return nil, t, apperr.New(apperr.Unauthenticated, "error.token.invalid")
	}
	// Record use at most once a minute so API traffic does not become write traffic.
	if now.Sub(t.LastUsedAt) > time.Minute {
		if err := s.tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, t.ID)
			return err
		}); err != nil {
			return nil, t, err
		}
		t.LastUsedAt = now
	}
	p, err := s.Principal(ctx, t.UserID)
	return p, t, err
}

// RevokeAPIToken stops a token working.
func (s *Store) RevokeAPIToken(ctx context.Context, id int64, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		if err := expectOne(tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, now, id)); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, Action: "token.revoke", Target: "token:" + itoa(id)})
	})
}

// APITokens lists the user's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]account.APIToken, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT id, user_id, name, created_at, last_used_at, expires_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.APIToken
	for rows.Next() {
		var t account.APIToken
		var last, expires, revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &last, &expires, &revoked); err != nil {
			return nil, err
		}
		t.LastUsedAt, t.ExpiresAt, t.RevokedAt = timeOf(last), timeOf(expires), timeOf(revoked)
		out = append(out, t)
	}
	return out, rows.Err()
}
