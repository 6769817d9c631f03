package app

import (
	"context"
	"time"

	"parley/internal/account"
	"parley/internal/org"
	"parley/internal/store"
)

// Admin performs the command-line administration tasks against a store.
type Admin struct{ Store *store.Store }

// CreateOrg creates an organisation.
func (ad Admin) CreateOrg(ctx context.Context, slug, nameEN, nameCY, brand string) (org.Organisation, error) {
	return ad.Store.CreateOrg(ctx, org.Organisation{Slug: slug, NameEN: nameEN, NameCY: nameCY, Brand: brand}, 0)
}

// CreateUser creates a user (or finds them) and, given an organisation,
// gives them a role there; platformAdmin makes them a platform administrator.
func (ad Admin) CreateUser(ctx context.Context, email, orgSlug, role string, platformAdmin bool) (account.User, error) {
	var u account.User
	var err error
	if orgSlug != "" {
		o, err := ad.Store.OrgBySlug(ctx, orgSlug)
		if err != nil {
			return u, err
		}
		r, err := account.ParseRole(role)
		if err != nil {
			return u, err
		}
		if u, err = ad.Store.AddStaff(ctx, o.ID, email, r, 0); err != nil {
			return u, err
		}
	} else if u, err = ad.Store.EnsureUser(ctx, email); err != nil {
		return u, err
	}
	if platformAdmin {
		if err := ad.Store.SetPlatformAdmin(ctx, u.ID, true, 0); err != nil {
			return u, err
		}
		u.PlatformAdmin = true
	}
	return u, nil
}

// Token issues an API token for the user with the email.
func (ad Admin) Token(ctx context.Context, email, name string, ttl time.Duration) (string, account.APIToken, error) {
	u, err := ad.Store.UserByEmail(ctx, email)
	if err != nil {
		return "", account.APIToken{}, err
	}
	var expires time.Time
	if ttl > 0 {
		expires = time.Now().Add(ttl)
	}
	return ad.Store.CreateAPIToken(ctx, u.ID, name, expires, 0)
}

// RevokeToken stops a token working.
func (ad Admin) RevokeToken(ctx context.Context, id int64) error {
	return ad.Store.RevokeAPIToken(ctx, id, 0)
}
