package store

import (
	"context"
	"database/sql"

	"parley/internal/account"
	"parley/internal/org"
)

const orgColumns = "id, slug, name_en, name_cy, brand, created_at"

func scanOrg(row interface{ Scan(...any) error }) (org.Organisation, error) {
	var o org.Organisation
	err := row.Scan(&o.ID, &o.Slug, &o.NameEN, &o.NameCY, &o.Brand, &o.CreatedAt)
	o.CreatedAt = o.CreatedAt.UTC()
	return o, err
}

// CreateOrg saves a new organisation; actorID is the staff member doing it (0 for the command line).
func (s *Store) CreateOrg(ctx context.Context, o org.Organisation, actorID int64) (org.Organisation, error) {
	o.Normalise()
	if err := o.Validate(); err != nil {
		return o, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		o.CreatedAt = s.clock()
		err := tx.QueryRowContext(ctx,
			`INSERT INTO organisations (slug, name_en, name_cy, brand, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			o.Slug, o.NameEN, o.NameCY, o.Brand, o.CreatedAt).Scan(&o.ID)
		if err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: o.CreatedAt, ActorID: actorID, OrgID: o.ID, Action: "org.create", Target: o.Slug})
	})
	return o, err
}

// OrgBySlug returns the organisation with the slug.
func (s *Store) OrgBySlug(ctx context.Context, slug string) (org.Organisation, error) {
	o, err := scanOrg(s.read.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations WHERE slug = $1`, slug))
	return o, mapErr(err)
}

// OrgByID returns the organisation with the id.
func (s *Store) OrgByID(ctx context.Context, id int64) (org.Organisation, error) {
	o, err := scanOrg(s.read.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations WHERE id = $1`, id))
	return o, mapErr(err)
}

// Orgs lists up to limit organisations in slug order, after the slug given (the cursor).
func (s *Store) Orgs(ctx context.Context, after string, limit int) ([]org.Organisation, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT `+orgColumns+` FROM organisations WHERE slug > $1 ORDER BY slug LIMIT $2`, after, limit)
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
