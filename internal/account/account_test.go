package account

import (
	"strings"
	"testing"
)

func TestNormaliseEmail(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"  Alice@Example.GOV.uk ", "alice@example.gov.uk"},
		{"bob+news@mail.example", "bob+news@mail.example"},
		{"", ""},
		{"no-at-sign", ""},
		{"a@b", ""},
		{"Alice <alice@example.org>", ""},
		{"a@b.", ""},
		{"x@example.org\r\nBcc: y@example.org", ""},
		{strings.Repeat("a", 250) + "@b.org", ""},
	} {
		got, err := NormaliseEmail(tc.in)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("NormaliseEmail(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestEveryRoleAgainstEveryPermission(t *testing.T) {
	want := map[Role][]Permission{
		RoleAdmin:     {PermStaffArea, PermManageStaff, PermEdit, PermModerate, PermAnalyse},
		RoleEditor:    {PermStaffArea, PermEdit, PermAnalyse},
		RoleModerator: {PermStaffArea, PermModerate},
		RoleAnalyst:   {PermStaffArea, PermAnalyse},
	}
	for _, r := range Roles {
		held := map[Permission]bool{}
		for _, p := range want[r] {
			held[p] = true
		}
		for _, p := range Permissions() {
			if r.Grants(p) != held[p] {
				t.Errorf("%s grants %s = %v, want %v", r, p, r.Grants(p), held[p])
			}
		}
	}
}

func TestPrincipalCan(t *testing.T) {
	p := &Principal{User: User{ID: 1}, Memberships: []Membership{{OrgID: 7, Role: RoleModerator}}}
	if !p.Can(7, PermModerate) || p.Can(7, PermManageStaff) || p.Can(8, PermStaffArea) {
		t.Error("membership rules wrong")
	}
	admin := &Principal{User: User{PlatformAdmin: true}}
	if !admin.Can(99, PermManageStaff) {
		t.Error("platform admin refused")
	}
	var nobody *Principal
	if nobody.Can(7, PermStaffArea) || nobody.IsStaff() {
		t.Error("nil principal allowed")
	}
	if err := nobody.Authorize(7, PermEdit); err == nil {
		t.Error("nil principal authorised")
	}
}

func TestSecretsAreRandomAndHashed(t *testing.T) {
	a, ha := NewSecret(TokenPrefix)
	b, _ := NewSecret(TokenPrefix)
	if a == b || !strings.HasPrefix(a, TokenPrefix) || len(a) < 40 {
		t.Errorf("weak secrets %q %q", a, b)
	}
	if ha != HashSecret(a) || strings.Contains(ha, a) {
		t.Error("hash mismatch")
	}
}

func TestParseRole(t *testing.T) {
	if r, err := ParseRole(" Editor "); err != nil || r != RoleEditor {
		t.Errorf("got %q %v", r, err)
	}
	if _, err := ParseRole("owner"); err == nil {
		t.Error("unknown role accepted")
	}
}
