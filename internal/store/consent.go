package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"parley/internal/account"
	"parley/internal/consultation"
	"parley/internal/proposal"
)

// Records of consent are written inside the transaction that acts on the
// consent (following, submitting a response, signing, signing in), so the
// record and what it records cannot disagree.

// recordConsent records that the person agreed to c.Purpose about c.Ref.
// Agreeing again to what already stands, under the same wording, records
// nothing: following twice, or signing in a second time, is not a new
// agreement. A zero NoticeVersion is the current one.
func recordConsent(ctx context.Context, tx *sql.Tx, c account.Consent) error {
	if c.UserID == 0 && c.EmailHash == "" {
		return nil // nobody to hold it against
	}
	if c.NoticeVersion == "" {
		c.NoticeVersion = account.PrivacyNoticeVersion
	}
	who, arg := "user_id = $1", any(c.UserID)
	if c.UserID == 0 {
		who, arg = "email_hash = $1", c.EmailHash
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM consents WHERE `+who+` AND purpose = $2 AND ref = $3 AND detail = $4
		AND notice_version = $5 AND withdrawn_at IS NULL`, arg, c.Purpose, c.Ref, c.Detail, c.NoticeVersion).Scan(&n); err != nil || n > 0 {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO consents (user_id, email_hash, purpose, ref, detail, notice_version, given_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		nullID(c.UserID), nullString(c.EmailHash), c.Purpose, c.Ref, c.Detail, c.NoticeVersion, c.GivenAt.UTC())
	return err
}

// withdrawConsent records that the person took back what they agreed to
// about ref; a consent already withdrawn keeps its first withdrawal.
func withdrawConsent(ctx context.Context, tx *sql.Tx, userID int64, purpose account.Purpose, ref string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE consents SET withdrawn_at = $1 WHERE user_id = $2 AND purpose = $3 AND ref = $4 AND withdrawn_at IS NULL`,
		at.UTC(), userID, purpose, ref)
	return err
}

// recordSignatureConsents records, in one statement, the consent of each
// new petition signature: by the hash of the signer's normalised address,
// because a signature is made by email address without an account (the
// signer may never have one). The person sees these once they sign in with
// that address.
func (s *Store) recordSignatureConsents(ctx context.Context, tx *sql.Tx, sigs []proposal.Signature, now time.Time) error {
	const cols = 5
	for start := 0; start < len(sigs); start += sigBatchMax {
		chunk := sigs[start:min(start+sigBatchMax, len(sigs))]
		var q strings.Builder
		q.WriteString(`INSERT INTO consents (email_hash, purpose, ref, notice_version, given_at) VALUES `)
		args := make([]any, 0, cols*len(chunk))
		for j, sig := range chunk {
			if j > 0 {
				q.WriteByte(',')
			}
			s.placeholders(&q, len(args), cols)
			args = append(args, account.ConsentEmailHash(sig.EmailNorm), account.PurposePetitionSignature,
				consentRef("proposal", sig.ProposalID), account.PrivacyNoticeVersion, now.UTC())
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// consentRef names what a consent is about: "org:3", "response:12".
func consentRef(kind string, id int64) string { return kind + ":" + itoa(id) }

// emailConsentHash is the key of the consents a user gave by email address
// alone (petition signatures, responses given without signing in).
func emailConsentHash(email string) string {
	return account.ConsentEmailHash(proposal.NormaliseEmail(email))
}

// Consents lists what the user agreed to, oldest first: given with their
// account, or with their email address alone.
func (s *Store) Consents(ctx context.Context, userID int64) ([]account.Consent, error) {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	return s.consentsOf(ctx, u)
}

func (s *Store) consentsOf(ctx context.Context, u account.User) ([]account.Consent, error) {
	out := []account.Consent{}
	err := into(ctx, s.read, &out, `SELECT id, user_id, email_hash, purpose, ref, detail, notice_version, given_at, withdrawn_at
		FROM consents WHERE user_id = $1 OR email_hash = $2 ORDER BY given_at, id`, []any{u.ID, emailConsentHash(u.Email)},
		func(r *sql.Rows) (account.Consent, error) {
			var c account.Consent
			var user sql.NullInt64
			var hash sql.NullString
			var withdrawn sql.NullTime
			err := r.Scan(&c.ID, &user, &hash, &c.Purpose, &c.Ref, &c.Detail, &c.NoticeVersion, &c.GivenAt, &withdrawn)
			c.UserID, c.EmailHash, c.GivenAt, c.WithdrawnAt = user.Int64, hash.String, c.GivenAt.UTC(), timePtr(withdrawn)
			return c, err
		})
	return out, err
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// recordResponseConsent records a submitted response's consent to be
// published, at the level chosen; a response kept private records none.
// A response given without signing in is held by its email address's
// hash, and one with neither account nor address by nobody.
func recordResponseConsent(ctx context.Context, tx *sql.Tx, r consultation.Response, now time.Time) error {
	if !r.Published() {
		return nil
	}
	c := account.Consent{UserID: r.UserID, Purpose: account.PurposePublishResponse, Ref: consentRef("response", r.ID), Detail: string(r.Consent), GivenAt: now}
	if r.UserID == 0 && r.Email != "" {
		c.EmailHash = emailConsentHash(r.Email)
	}
	return recordConsent(ctx, tx, c)
}

// recordNoticeShown records that a person signing in was shown the privacy
// notice (the sign-in page links it): once, at their first sign-in, and
// again at the first sign-in after its wording changes.
func recordNoticeShown(ctx context.Context, tx *sql.Tx, userID int64, now time.Time) error {
	return recordConsent(ctx, tx, account.Consent{UserID: userID, Purpose: account.PurposePrivacyNotice, GivenAt: now})
}
