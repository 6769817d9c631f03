package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/outbox"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// CreateSignInLink saves a single-use sign-in link for the email address and,
// in the same transaction, the email that carries it. compose builds that
// email from the secret token; only the token's hash is stored.
func (s *Store) CreateSignInLink(ctx context.Context, email, returnTo string, ttl time.Duration, compose func(email, token string) outbox.Message) error {
	email, err := account.NormaliseEmail(email)
	if err != nil {
		return err
	}
	plain, hash := account.NewSecret(account.SignInLinkPrefix)
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO sign_in_links (token_hash, email, return_to, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			hash, email, returnTo, now, now.Add(ttl)); err != nil {
			return err
		}
		_, err := enqueueEmail(ctx, tx, compose(email, plain), now)
		return err
	})
}

// UseSignInLink spends a sign-in link: it works once, before it expires. It
// returns the user (created on first sign-in) and where they were going.
func (s *Store) UseSignInLink(ctx context.Context, token string) (account.User, string, error) {
	var u account.User
	var returnTo string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		var email string
		err := tx.QueryRowContext(ctx,
			`UPDATE sign_in_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING email, return_to`,
			now, account.HashSecret(token)).Scan(&email, &returnTo)
		if err == sql.ErrNoRows {
			return apperr.New(apperr.Unauthenticated, "error.sign_in_link.invalid")
		}
		if err != nil {
			return err
		}
		if u, err = ensureUser(ctx, tx, email, now); err != nil {
			return err
		}
		return recordNoticeShown(ctx, tx, u.ID, now)
	})
	return u, returnTo, err
}

// DeleteExpiredSignInLinks removes links past their expiry, used or not.
func (s *Store) DeleteExpiredSignInLinks(ctx context.Context) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sign_in_links WHERE expires_at < $1`, s.clock())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// SignInWithIdentity returns the user linked to an OpenID Connect identity.
// On the first sign-in the identity is linked to the account with the same
// email, which must be verified by the provider, or to a new account.
func (s *Store) SignInWithIdentity(ctx context.Context, issuer, subject, email string, emailVerified bool) (account.User, error) {
	var u account.User
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		var userID int64
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM identities WHERE issuer = $1 AND subject = $2`, issuer, subject).Scan(&userID)
		if err == nil {
			if u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, userID)); err != nil {
				return err
			}
			return recordNoticeShown(ctx, tx, u.ID, now)
		}
		if err != sql.ErrNoRows {
			return err
		}
		if !emailVerified {
			return apperr.New(apperr.Unauthenticated, "error.oidc.email_unverified")
		}
		norm, err := account.NormaliseEmail(email)
		if err != nil {
			return apperr.New(apperr.Unauthenticated, "error.oidc.email_unverified")
		}
		if u, err = ensureUser(ctx, tx, norm, now); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, `INSERT INTO identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)`, issuer, subject, u.ID, now); err != nil {
			return err
		}
		return recordNoticeShown(ctx, tx, u.ID, now)
	})
	return u, err
}
