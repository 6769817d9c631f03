package api

import (
	"net/http"
	"strings"

	"parley/internal/account"
	"parley/internal/apperr"
)

// maxToken bounds what is looked up: real tokens are 47 characters.
const maxToken = 200

// bearer returns the token of an "Authorization: Bearer …" header, or "".
func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") { // RFC 9110 §11.1: schemes are case-insensitive
		return ""
	}
	return strings.TrimSpace(token)
}

// authenticate returns the owner of the request's bearer token.
func (a *API) authenticate(r *http.Request) (caller, error) {
	if r.Header.Get("Authorization") == "" {
		return caller{}, apperr.New(apperr.Unauthenticated, "error.token.required")
	}
	plain := bearer(r)
	// Refuse what cannot be a token without asking the database.
	if plain == "" || len(plain) > maxToken || !strings.HasPrefix(plain, account.TokenPrefix) {
		return caller{}, apperr.New(apperr.Unauthenticated, "error.token.invalid")
	}
	p, t, err := a.st.PrincipalByToken(r.Context(), plain)
	if err != nil {
		return caller{}, err
	}
	if p == nil {
		return caller{}, apperr.New(apperr.Unauthenticated, "error.token.invalid")
	}
	return caller{principal: p, token: t}, nil
}
