package api

import (
	"net/http"
)

// meJSON is the owner of the token a request presents.
type meJSON struct {
	ID            int64            `json:"id"`
	Email         string           `json:"email"`
	DisplayName   string           `json:"display_name"`
	PlatformAdmin bool             `json:"platform_admin"`
	Memberships   []membershipJSON `json:"memberships"`
	Token         tokenJSON        `json:"token"`
}

type membershipJSON struct {
	OrgSlug string          `json:"org_slug"`
	Role    string          `json:"role"`
	Links   membershipLinks `json:"links"`
}

type membershipLinks struct {
	Organisation string `json:"organisation"`
}

// tokenJSON describes a token, never its secret.
type tokenJSON struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	CreatedAt string  `json:"created_at"`
	ExpiresAt *string `json:"expires_at"` // null: never expires
}

func (a *API) me(w http.ResponseWriter, r *http.Request, c caller) error {
	u := c.principal.User
	out := meJSON{
		ID:            u.ID,
		Email:         u.Email,
		DisplayName:   u.DisplayName,
		PlatformAdmin: u.PlatformAdmin,
		Memberships:   make([]membershipJSON, 0, len(c.principal.Memberships)),
		Token: tokenJSON{
			ID:        c.token.ID,
			Name:      c.token.Name,
			CreatedAt: timestamp(c.token.CreatedAt),
		},
	}
	if !c.token.ExpiresAt.IsZero() {
		s := timestamp(c.token.ExpiresAt)
		out.Token.ExpiresAt = &s
	}
	for _, m := range c.principal.Memberships {
		out.Memberships = append(out.Memberships, membershipJSON{
			OrgSlug: m.OrgSlug,
			Role:    string(m.Role),
			Links:   membershipLinks{Organisation: a.orgLinks(m.OrgSlug).Self},
		})
	}
	return writeJSON(w, http.StatusOK, out)
}
