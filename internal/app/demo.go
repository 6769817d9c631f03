package app

import (
	"context"
	"errors"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/org"
)

// DemoOrgs are the organisations the demo creates.
var DemoOrgs = []org.Organisation{
	{Slug: "department-for-transport-policy", NameEN: "Department for Transport Policy", NameCY: "Adran Polisi Trafnidiaeth"},
	{Slug: "north-shire-council", NameEN: "North Shire County Council", NameCY: "Cyngor Sir Gogledd Swydd"},
}

// DemoPeople are the demo's accounts: staff of each role in each
// organisation, a platform administrator and a few citizens. Their sign-in
// links appear in the development outbox.
type DemoPerson struct {
	Email    string
	Name     string
	Org      string // slug; empty for citizens
	Role     account.Role
	Platform bool
}

// DemoPeople lists every demo account.
func DemoPeople() []DemoPerson {
	people := []DemoPerson{{Email: "platform.admin@parley.example", Name: "Pat Platform", Platform: true}}
	for _, o := range DemoOrgs {
		for _, r := range account.Roles {
			people = append(people, DemoPerson{Email: string(r) + "@" + o.Slug + ".example", Name: string(r) + " at " + o.NameEN, Org: o.Slug, Role: r})
		}
	}
	for _, c := range []struct{ email, name string }{
		{"alex.citizen@example.org", "Alex"}, {"bethan.dinesydd@example.org", "Bethan"}, {"sam.resident@example.org", ""},
	} {
		people = append(people, DemoPerson{Email: c.email, Name: c.name})
	}
	return people
}

// SeedDemo loads the demo dataset unless it is there already; it returns
// whether it seeded anything.
func (a *App) SeedDemo(ctx context.Context) (bool, error) {
	if _, err := a.Store.OrgBySlug(ctx, DemoOrgs[0].Slug); err == nil {
		return false, nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return false, err
	}
	for _, o := range DemoOrgs {
		if _, err := a.Store.CreateOrg(ctx, o, 0); err != nil && !apperr.Is(err, apperr.Conflict) {
			return false, err
		}
	}
	ad := Admin{Store: a.Store}
	for _, p := range DemoPeople() {
		u, err := ad.CreateUser(ctx, p.Email, p.Org, string(p.Role), p.Platform)
		if err != nil {
			return false, errors.Join(errors.New("demo account"), err)
		}
		if p.Name != "" {
			if err := a.Store.SetDisplayName(ctx, u.ID, p.Name); err != nil {
				return false, err
			}
		}
	}
	if err := a.seedConversations(ctx); err != nil {
		return false, errors.Join(errors.New("demo conversations"), err)
	}
	if err := a.seedConsultations(ctx); err != nil {
		return false, errors.Join(errors.New("demo consultations"), err)
	}
	if err := a.seedListening(ctx); err != nil {
		return false, errors.Join(errors.New("demo listening"), err)
	}
	if err := a.seedProposals(ctx); err != nil {
		return false, errors.Join(errors.New("demo proposals"), err)
	}
	if err := a.seedMeasures(ctx); err != nil {
		return false, errors.Join(errors.New("demo measures"), err)
	}
	return true, nil
}
