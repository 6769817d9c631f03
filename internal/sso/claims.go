package sso

import (
	"encoding/json"
	"fmt"
	"strings"
)

// profile is the part of an ID token or userinfo response we read beyond
// what go-oidc checks.
type profile struct {
	Email         string   `json:"email"`
	EmailVerified flexBool `json:"email_verified"`
	Name          string   `json:"name"`
}

// parseClaims reads the profile claims from a JSON claims object. A
// verified flag without an email means nothing and is dropped.
func parseClaims(b []byte) (profile, error) {
	var p profile
	if err := json.Unmarshal(b, &p); err != nil {
		return profile{}, fmt.Errorf("sso: claims: %w", err)
	}
	p.Email = strings.TrimSpace(p.Email)
	p.Name = strings.TrimSpace(p.Name)
	if p.Email == "" {
		p.EmailVerified = false
	}
	return p, nil
}

// flexBool accepts a JSON boolean or the strings "true" and "false": some
// providers (Amazon Cognito, older Entra ID tenants) send email_verified as
// a string. Anything else is an error, not false, so a malformed claim is
// not mistaken for a deliberate one.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case nil:
		*b = false
	case bool:
		*b = flexBool(v)
	case string:
		switch strings.ToLower(v) {
		case "true":
			*b = true
		case "false":
			*b = false
		default:
			return fmt.Errorf("sso: email_verified %q is not a boolean", v)
		}
	default:
		return fmt.Errorf("sso: email_verified of type %T is not a boolean", v)
	}
	return nil
}
