package store

import (
	"context"
	"database/sql"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
)

const userColumns = "u.id, u.email, u.display_name, u.platform_admin, u.lang, u.created_at"

func scanUser(row interface{ Scan(...any) error }) (account.User, error) {
	var u account.User
	err := row.Scan(&u.ID, &u.Email, &u.DisplayName, &u.PlatformAdmin, &u.Lang, &u.CreatedAt)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

// UserByID returns the user with the id.
func (s *Store) UserByID(ctx context.Context, id int64) (account.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1 AND u.erased_at IS NULL`, id))
	return u, mapErr(err)
}

// UserByEmail returns the user with the (normalised) email address.
func (s *Store) UserByEmail(ctx context.Context, email string) (account.User, error) {
	email, err := account.NormaliseEmail(email)
	if err != nil {
		return account.User{}, err
	}
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = $1`, email))
	return u, mapErr(err)
}

// ensureUser finds the user with a normalised email or creates one.
func ensureUser(ctx context.Context, tx *sql.Tx, email string, now time.Time) (account.User, error) {
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO users (email, created_at) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING`, email, now); err != nil {
		return account.User{}, err
	}
	return scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = $1`, email))
}

// EnsureUser returns the user with the email, creating the account if needed.
func (s *Store) EnsureUser(ctx context.Context, email string) (account.User, error) {
	email, err := account.NormaliseEmail(email)
	if err != nil {
		return account.User{}, err
	}
	var u account.User
	err = s.tx(ctx, func(tx *sql.Tx) error {
		u, err = ensureUser(ctx, tx, email, s.clock())
		return err
	})
	return u, err
}

// SetDisplayName changes the name a user shows.
func (s *Store) SetDisplayName(ctx context.Context, userID int64, name string) error {
	if err := account.ValidateDisplayName(name); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		return expectOne(tx.ExecContext(ctx, `UPDATE users SET display_name = $1 WHERE id = $2`, name, userID))
	})
}

// SetLanguage records the language a user's emails are written in.
func (s *Store) SetLanguage(ctx context.Context, userID int64, lang string) error {
	if lang != "en" && lang != "cy" {
		return apperr.New(apperr.Invalid, "error.lang.unknown")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		return expectOne(tx.ExecContext(ctx, `UPDATE users SET lang = $1 WHERE id = $2`, lang, userID))
	})
}

// SetPlatformAdmin makes a user a platform administrator, or not.
func (s *Store) SetPlatformAdmin(ctx context.Context, userID int64, admin bool, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := expectOne(tx.ExecContext(ctx, `UPDATE users SET platform_admin = $1 WHERE id = $2`, admin, userID)); err != nil {
			return err
		}
		action := "platform-admin.revoke"
		if admin {
			action = "platform-admin.grant"
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, Action: action, Target: userTarget(userID)})
	})
}

// Principal returns the user with their memberships.
func (s *Store) Principal(ctx context.Context, userID int64) (*account.Principal, error) {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx,
		`SELECT m.org_id, o.slug, m.role FROM memberships m JOIN organisations o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY o.slug`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	p := &account.Principal{User: u}
	for rows.Next() {
		m := account.Membership{UserID: userID}
		if err := rows.Scan(&m.OrgID, &m.OrgSlug, &m.Role); err != nil {
			return nil, err
		}
		p.Memberships = append(p.Memberships, m)
	}
	return p, rows.Err()
}

// AddStaff gives the user with the email (creating the account if needed) a
// role in the organisation, replacing any role they had there.
func (s *Store) AddStaff(ctx context.Context, orgID int64, email string, role account.Role, actorID int64) (account.User, error) {
	email, err := account.NormaliseEmail(email)
	if err != nil {
		return account.User{}, err
	}
	if _, err := account.ParseRole(string(role)); err != nil {
		return account.User{}, err
	}
	var u account.User
	err = s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		if u, err = ensureUser(ctx, tx, email, now); err != nil {
			return err
		}
		if err := s.setRole(ctx, tx, orgID, u.ID, role, now); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: orgID, Action: "staff.add", Target: userTarget(u.ID), Detail: string(role)})
	})
	return u, err
}

func (s *Store) setRole(ctx context.Context, tx *sql.Tx, orgID, userID int64, role account.Role, now time.Time) error {
	if role != account.RoleAdmin {
		if err := keepAnAdmin(ctx, tx, orgID, userID); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx,
		`INSERT INTO memberships (user_id, org_id, role, created_at) VALUES ($1, $2, $3, $4)
		 ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role`, userID, orgID, string(role), now)
	return err
}

// keepAnAdmin refuses to take the admin role from the organisation's last
// admin, which would leave nobody to manage its staff.
func keepAnAdmin(ctx context.Context, tx *sql.Tx, orgID, userID int64) error {
	var others, isAdmin int
	if err := tx.QueryRowContext(ctx,
		`SELECT COUNT(CASE WHEN user_id <> $2 THEN 1 END), COUNT(CASE WHEN user_id = $2 THEN 1 END)
		 FROM memberships WHERE org_id = $1 AND role = 'admin'`, orgID, userID).Scan(&others, &isAdmin); err != nil {
		return err
	}
	if isAdmin > 0 && others == 0 {
		return &apperr.Error{Kind: apperr.Conflict, Msg: "error.staff.last_admin", Fields: map[string]string{"role": "error.staff.last_admin"}, Order: []string{"role"}}
	}
	return nil
}

// SetRole changes a staff member's role in the organisation.
func (s *Store) SetRole(ctx context.Context, orgID, userID int64, role account.Role, actorID int64) error {
	if _, err := account.ParseRole(string(role)); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		if role != account.RoleAdmin {
			if err := keepAnAdmin(ctx, tx, orgID, userID); err != nil {
				return err
			}
		}
		if err := expectOne(tx.ExecContext(ctx, `UPDATE memberships SET role = $1 WHERE org_id = $2 AND user_id = $3`, string(role), orgID, userID)); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: orgID, Action: "staff.role", Target: userTarget(userID), Detail: string(role)})
	})
}

// RemoveStaff takes a user's role in the organisation away.
func (s *Store) RemoveStaff(ctx context.Context, orgID, userID int64, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := keepAnAdmin(ctx, tx, orgID, userID); err != nil {
			return err
		}
		if err := expectOne(tx.ExecContext(ctx, `DELETE FROM memberships WHERE org_id = $1 AND user_id = $2`, orgID, userID)); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: orgID, Action: "staff.remove", Target: userTarget(userID)})
	})
}

// Staff lists the organisation's staff by email.
func (s *Store) Staff(ctx context.Context, orgID int64) ([]account.StaffMember, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT `+userColumns+`, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 ORDER BY u.email`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.StaffMember
	for rows.Next() {
		var m account.StaffMember
		if err := rows.Scan(&m.User.ID, &m.User.Email, &m.User.DisplayName, &m.User.PlatformAdmin, &m.User.Lang, &m.User.CreatedAt, &m.Role); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// userTarget names a user in the audit log without personal data.
func userTarget(id int64) string { return "user:" + itoa(id) }

// expectOne turns an update that touched no row into NotFound.
func expectOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	return nil
}
