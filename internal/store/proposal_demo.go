package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"parley/internal/apperr"
	"parley/internal/proposal"
)

// SeedSignatures adds confirmed signatures to a petition in bulk, for the
// demo and for tests and benchmarks that need a petition with thousands of
// signatures: multi-row inserts in chunks, then the counts rebuilt and the
// thresholds checked, all in one transaction. It bypasses the fraud checks
// and the confirmation emails of the signing journey, so it is never
// reachable from a request.
//
// Each signature is normalised; one without CreatedAt gets now, one
// without ConfirmedAt is confirmed when it was created, and one with a
// postcode but no area gets its area from the organisation's lookup.
// Thresholds crossed are stamped at the latest confirmation among sigs (not
// after now), so a demo can place a threshold in the past by seeding in
// two steps. A signature whose address already signed is an error (Conflict).
func (s *Store) SeedSignatures(ctx context.Context, proposalID int64, sigs []proposal.Signature) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		var orgID int64
		var kind proposal.Kind
		err := tx.QueryRowContext(ctx, `SELECT p.org_id, b.kind FROM proposals p JOIN proposal_boards b ON b.id = p.board_id WHERE p.id = $1`,
			proposalID).Scan(&orgID, &kind)
		if err == sql.ErrNoRows {
			return apperr.New(apperr.NotFound, "error.proposal.not_found")
		}
		if err != nil {
			return err
		}
		if kind != proposal.Petitions {
			return apperr.New(apperr.Conflict, "%s", "only a petition takes signatures")
		}
		lookup, err := seedLookup(ctx, tx, orgID, sigs)
		if err != nil {
			return err
		}
		var at time.Time // the latest confirmation
		// 15 values a row: 500 rows stay well under both databases' limits
		// on parameters (32,766 for SQLite, 65,535 for PostgreSQL).
		const perStatement = 500
		for start := 0; start < len(sigs); start += perStatement {
			chunk := sigs[start:min(start+perStatement, len(sigs))]
			var q strings.Builder
			q.WriteString(`INSERT INTO proposal_signatures (proposal_id, name, email, email_norm, email_domain, postcode, country,
				uk_resident, area, ip, sponsor, lang, token_hash, created_at, confirmed_at) VALUES `)
			args := make([]any, 0, 15*len(chunk))
			for i, sig := range chunk {
				sig.ProposalID = proposalID
				sig.Normalise()
				if sig.EmailNorm == "" {
					return apperr.New(apperr.Invalid, "error.email.format")
				}
				if sig.CreatedAt.IsZero() {
					sig.CreatedAt = now
				}
				if sig.ConfirmedAt.IsZero() {
					sig.ConfirmedAt = sig.CreatedAt
				}
				if sig.Area == "" && sig.Postcode != "" {
					if a, ok := lookup.Find(sig.Postcode); ok {
						sig.Area = a.Code
					}
				}
				if sig.ConfirmedAt.After(at) {
					at = sig.ConfirmedAt
				}
				if i > 0 {
					q.WriteString(", ")
				}
				n := len(args)
				q.WriteByte('(')
				for k := 1; k <= 15; k++ {
					if k > 1 {
						q.WriteString(", ")
					}
					s.bindVar(&q, n+k)
				}
				q.WriteByte(')')
				// The token hash is no hash of any token: a seeded
				// signature has no confirmation link to follow.
				args = append(args, proposalID, sig.Name, sig.Email, sig.EmailNorm, sig.Domain(), sig.Postcode, sig.Country,
					sig.UKResident, sig.Area, sig.IP, sig.Sponsor, sig.Lang, "seeded:"+strconv.FormatInt(proposalID, 10)+":"+sig.EmailNorm,
					sig.CreatedAt.UTC(), sig.ConfirmedAt.UTC())
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		if err := s.recount(ctx, tx, proposalID); err != nil {
			return err
		}
		if at.IsZero() || at.After(now) {
			at = now
		}
		return checkThresholds(ctx, tx, []int64{proposalID}, at)
	})
}

// seedLookup loads the organisation's postcode lookup when some signature
// needs its area found; nil otherwise.
func seedLookup(ctx context.Context, tx *sql.Tx, orgID int64, sigs []proposal.Signature) (*proposal.AreaLookup, error) {
	need := false
	for _, sig := range sigs {
		if sig.Area == "" && sig.Postcode != "" {
			need = true
			break
		}
	}
	if !need {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT prefix, code, name FROM proposal_areas WHERE org_id = $1`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []proposal.AreaRow
	for rows.Next() {
		var r proposal.AreaRow
		if err := rows.Scan(&r.Prefix, &r.Code, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return proposal.NewAreaLookup(out), nil
}

// SeedSupports adds supports to an idea in bulk, for the demo and for
// tests: multi-row inserts in chunks (a citizen who already supports it is
// skipped), then the counts rebuilt and the thresholds checked at the
// latest support's time (not after now), in one transaction. Supports
// without CreatedAt get now.
func (s *Store) SeedSupports(ctx context.Context, proposalID int64, supports []proposal.Support) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		var kind proposal.Kind
		err := tx.QueryRowContext(ctx, `SELECT b.kind FROM proposals p JOIN proposal_boards b ON b.id = p.board_id WHERE p.id = $1`,
			proposalID).Scan(&kind)
		if err == sql.ErrNoRows {
			return apperr.New(apperr.NotFound, "error.proposal.not_found")
		}
		if err != nil {
			return err
		}
		if kind != proposal.Ideas {
			return apperr.New(apperr.Conflict, "%s", "only an idea takes supports")
		}
		var at time.Time
		const perStatement = 1000 // 3 values a row
		for start := 0; start < len(supports); start += perStatement {
			chunk := supports[start:min(start+perStatement, len(supports))]
			var q strings.Builder
			q.WriteString(`INSERT INTO proposal_supports (proposal_id, user_id, created_at) VALUES `)
			args := make([]any, 0, 3*len(chunk))
			for i, sup := range chunk {
				if sup.CreatedAt.IsZero() {
					sup.CreatedAt = now
				}
				if sup.CreatedAt.After(at) {
					at = sup.CreatedAt
				}
				if i > 0 {
					q.WriteString(", ")
				}
				n := len(args)
				q.WriteByte('(')
				s.bindVar(&q, n+1)
				q.WriteString(", ")
				s.bindVar(&q, n+2)
				q.WriteString(", ")
				s.bindVar(&q, n+3)
				q.WriteByte(')')
				args = append(args, proposalID, sup.UserID, sup.CreatedAt.UTC())
			}
			q.WriteString(` ON CONFLICT (proposal_id, user_id) DO NOTHING`)
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		if err := s.recount(ctx, tx, proposalID); err != nil {
			return err
		}
		if at.IsZero() || at.After(now) {
			at = now
		}
		return checkThresholds(ctx, tx, []int64{proposalID}, at)
	})
}

// SeedProposalDates moves a proposal's creation and publication back in
// time, for the demo: a petition opened weeks ago, with its closing date
// following from its board's rules. A proposal not yet published keeps no
// publication date.
func (s *Store) SeedProposalDates(ctx context.Context, proposalID int64, createdAt, publishedAt time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var b proposal.Board
		var published sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT b.kind, b.open_days, p.published_at FROM proposals p JOIN proposal_boards b ON b.id = p.board_id WHERE p.id = $1`,
			proposalID).Scan(&b.Kind, &b.OpenDays, &published)
		if err == sql.ErrNoRows {
			return apperr.New(apperr.NotFound, "error.proposal.not_found")
		}
		if err != nil {
			return err
		}
		if !published.Valid {
			_, err = tx.ExecContext(ctx, `UPDATE proposals SET created_at = $1 WHERE id = $2`, createdAt.UTC(), proposalID)
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE proposals SET created_at = $1, published_at = $2, closes_at = $3 WHERE id = $4`,
			createdAt.UTC(), publishedAt.UTC(), nullTime(b.ClosesAt(publishedAt.UTC())), proposalID)
		return err
	})
}
