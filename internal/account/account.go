// Package account describes the people who use Parley: citizens and staff,
// their roles in organisations, and the secrets that let them in (email
// sign-in links and API tokens).
package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/apperr"
)

// User is anyone with an account: a citizen, or staff when they hold a
// membership of an organisation.
type User struct {
	ID            int64
	Email         string // normalised; personal data, never logged
	DisplayName   string
	PlatformAdmin bool   // above every organisation
	Lang          string // language for emails: "en" or "cy", the one used at the last sign-in
	CreatedAt     time.Time
}

// Role is a staff member's role in one organisation.
type Role string

const (
	RoleAdmin     Role = "admin"     // manages staff and everything else
	RoleEditor    Role = "editor"    // runs engagements
	RoleModerator Role = "moderator" // moderates contributions
	RoleAnalyst   Role = "analyst"   // analyses responses
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleEditor, RoleModerator, RoleAnalyst}

// ParseRole returns the role named s.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == strings.ToLower(strings.TrimSpace(s)) {
			return r, nil
		}
	}
	return "", &apperr.Error{Kind: apperr.Invalid, Msg: "error.role.unknown", Fields: map[string]string{"role": "error.role.unknown"}, Order: []string{"role"}}
}

// Membership is a user's role in an organisation.
type Membership struct {
	UserID  int64
	OrgID   int64
	OrgSlug string
	Role    Role
}

// Permission is something a staff member may do in an organisation.
type Permission string

const (
	PermStaffArea   Permission = "staff-area"   // see the organisation's staff pages
	PermManageStaff Permission = "manage-staff" // add, change and remove staff
	PermEdit        Permission = "edit"         // create and run engagements
	PermModerate    Permission = "moderate"     // moderate contributions
	PermAnalyse     Permission = "analyse"      // analyse responses
)

// grants says which roles hold which permissions.
var grants = map[Permission][]Role{
	PermStaffArea:   Roles,
	PermManageStaff: {RoleAdmin},
	PermEdit:        {RoleAdmin, RoleEditor},
	PermModerate:    {RoleAdmin, RoleModerator},
	PermAnalyse:     {RoleAdmin, RoleEditor, RoleAnalyst},
}

// Permissions lists every permission, for tests that check every route
// against every role.
func Permissions() []Permission {
	return []Permission{PermStaffArea, PermManageStaff, PermEdit, PermModerate, PermAnalyse}
}

// Grants reports whether role r holds permission p.
func (r Role) Grants(p Permission) bool {
	for _, g := range grants[p] {
		if g == r {
			return true
		}
	}
	return false
}

// Principal is a signed-in user with their memberships.
type Principal struct {
	User        User
	Memberships []Membership
}

// RoleIn returns the principal's role in the organisation, if any.
func (p *Principal) RoleIn(orgID int64) (Role, bool) {
	if p == nil {
		return "", false
	}
	for _, m := range p.Memberships {
		if m.OrgID == orgID {
			return m.Role, true
		}
	}
	return "", false
}

// Can reports whether the principal may do perm in the organisation.
// Platform administrators may do everything everywhere.
func (p *Principal) Can(orgID int64, perm Permission) bool {
	if p == nil {
		return false
	}
	if p.User.PlatformAdmin {
		return true
	}
	r, ok := p.RoleIn(orgID)
	return ok && r.Grants(perm)
}

// IsStaff reports whether the principal works for any organisation.
func (p *Principal) IsStaff() bool {
	return p != nil && (p.User.PlatformAdmin || len(p.Memberships) > 0)
}

// Authorize returns nil when the principal may do perm in the organisation,
// Unauthenticated when nobody is signed in, and Forbidden otherwise.
func (p *Principal) Authorize(orgID int64, perm Permission) error {
	if p == nil {
		return apperr.New(apperr.Unauthenticated, "error.sign_in_required")
	}
	if !p.Can(orgID, perm) {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	return nil
}

// NormaliseEmail trims and lower-cases an address and checks its form.
// Lower-casing the local part is not strictly standard, but every mail
// provider a citizen is likely to use treats it so, and it stops one person
// holding two accounts by accident.
func NormaliseEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	bad := &apperr.Error{Kind: apperr.Invalid, Msg: "error.email.format", Fields: map[string]string{"email": "error.email.format"}, Order: []string{"email"}}
	if s == "" {
		bad.Msg, bad.Fields["email"] = "error.email.required", "error.email.required"
		return "", bad
	}
	if len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>\",;") {
		return "", bad
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return "", bad
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") || strings.HasSuffix(s, ".") {
		return "", bad
	}
	return s, nil
}

// ValidateDisplayName checks a user's chosen display name.
func ValidateDisplayName(name string) error {
	var f apperr.Fields
	f.Check(utf8.RuneCountInString(name) <= 80, "display_name", "error.display_name.too_long")
	f.Check(!strings.ContainsAny(name, "<>\r\n"), "display_name", "error.display_name.characters")
	return f.Err()
}

// NewSecret returns a new random secret to give out (in a link or as a
// token) and the hash to store in its place.
func NewSecret(prefix string) (plain, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // cannot happen on supported systems
	}
	plain = prefix + base64.RawURLEncoding.EncodeToString(b)
	return plain, HashSecret(plain)
}

// HashSecret returns the stored form of a secret. Secrets are 256 random
// bits, so a plain SHA-256 is enough: there is nothing to guess.
func HashSecret(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// Prefixes of secrets, so a leaked one can be recognised by scanners.
const (
	TokenPrefix      = "pat_" // API tokens
	SignInLinkPrefix = "psl_" // email sign-in links
)

// APIToken is a bearer token for the JSON API, owned by a user.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
	ExpiresAt  time.Time // zero: never
}

// Identity links a user to an account at an OpenID Connect provider.
type Identity struct {
	Issuer  string
	Subject string
	UserID  int64
}

// Subscription is a user following something, e.g. an organisation.
type Subscription struct {
	ID         int64
	UserID     int64
	TargetKind string // "org" now; later capabilities add their own
	TargetID   int64
	Token      string // secret in the unsubscribe link
	CreatedAt  time.Time
}

// StaffMember is a user as seen from an organisation's staff list.
type StaffMember struct {
	User User
	Role Role
}

// AuditEntry records one staff action. Entries of an organisation form a
// chain: each one's Hash covers its content and the Hash of the entry
// before it, so changing or removing any entry breaks every hash after it.
type AuditEntry struct {
	ID      int64
	At      time.Time
	ActorID int64 // 0: the system or the command line
	OrgID   int64 // 0: the whole platform
	Action  string
	Target  string
	Detail  string
	Before  string // the state replaced, where there was one (JSON or text)
	After   string // the state written
	// PrevHash and Hash are hex SHA-256; the first entry of a chain has
	// an empty PrevHash. The store fills them.
	PrevHash string
	Hash     string
}
