// Package sso signs people in with an OpenID Connect identity provider
// (GOV.UK One Login, Microsoft Entra ID, Keycloak and the like) using the
// authorization code flow with PKCE, a nonce and a state parameter.
//
// The caller keeps the State returned by Begin in the user's session, sends
// the browser to the returned URL, and hands the callback's query to Finish.
// What Finish returns is an identity, not an account: linking it to a user is
// the caller's business.
//
// Errors carry apperr kinds: Unauthenticated when the sign-in itself is
// refused or fails a check, Unavailable when the provider cannot be reached,
// Internal when the configuration is wrong. Their messages are i18n message
// IDs (MsgDenied, MsgFailed, MsgUnavailable).
package sso

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"parley/internal/apperr"
)

// Message IDs of the errors this package returns.
const (
	MsgDenied      = "error.sso.denied"      // the person declined, or the provider refused them
	MsgFailed      = "error.sso.failed"      // the sign-in did not check out; start again
	MsgUnavailable = "error.sso.unavailable" // the identity provider cannot be reached
)

const (
	// retryAfter is how long a failed discovery is remembered, so that a
	// provider that is down is not asked again on every request.
	retryAfter = 10 * time.Second
	// fetchTimeout bounds discovery, whatever the caller's context allows.
	fetchTimeout = 10 * time.Second
)

// Config names the relying party at one identity provider.
type Config struct {
	Issuer       string // e.g. https://login.microsoftonline.com/TENANT/v2.0
	ClientID     string
	ClientSecret string   // empty for a public client
	RedirectURL  string   // our callback, registered with the provider
	Scopes       []string // default: openid email profile; openid is always added
}

// State is what Begin hands out and Finish needs back: keep it in the
// user's session (server side) between the two.
type State struct {
	State    string `json:"state"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"` // PKCE code verifier
}

// Claims is the identity the provider vouched for. (Issuer, Subject) is the
// stable key; Email may change and is only trustworthy when EmailVerified.
type Claims struct {
	Issuer        string `json:"iss"`
	Subject       string `json:"sub"`
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified"`
	Name          string `json:"name,omitempty"`
}

// Provider is one configured identity provider. It is safe for concurrent use.
type Provider struct {
	cfg    Config
	client *http.Client
	now    func() time.Time
	gate   chan struct{} // one discovery at a time

	mu     sync.Mutex // guards the fields below
	found  *discovery
	err    error
	failed time.Time
}

// discovery is what the provider's metadata tells us, ready to use.
type discovery struct {
	oidc     *oidc.Provider
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// New returns a Provider for cfg. It does not contact the issuer: discovery
// happens on first use, so the platform starts while the provider is down.
// A nil client means one with a 10 s timeout.
func New(cfg Config, client *http.Client) *Provider {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Provider{
		cfg:    cfg,
		client: client,
		now:    time.Now,
		gate:   make(chan struct{}, 1),
	}
}

// Begin starts a sign-in: it returns the provider URL to redirect the browser
// to, and the State to keep in the session until Finish.
func (p *Provider) Begin(ctx context.Context) (string, State, error) {
	d, err := p.discover(ctx)
	if err != nil {
		return "", State{}, err
	}
	st := State{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier()}
	u := d.oauth.AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier))
	return u, st, nil
}

// Finish completes a sign-in from the query of the request to the redirect
// URL, checking it against the State that Begin returned. The caller drops
// the State from the session whatever the outcome, so that a callback
// cannot be replayed.
func (p *Provider) Finish(ctx context.Context, st State, query url.Values) (Claims, error) {
	if e := query.Get("error"); e != "" {
		// An error response grants nothing, so it is reported even when its
		// state does not match: forging one only aborts a sign-in.
		return Claims{}, providerError(e, query.Get("error_description"))
	}
	if st.State == "" || st.Nonce == "" || st.Verifier == "" {
		return Claims{}, failed(errors.New("sso: no sign-in in progress in this session"))
	}
	if subtle.ConstantTimeCompare([]byte(query.Get("state")), []byte(st.State)) != 1 {
		return Claims{}, failed(errors.New("sso: state does not match"))
	}
	code := query.Get("code")
	if code == "" {
		return Claims{}, failed(errors.New("sso: no code in callback"))
	}
	d, err := p.discover(ctx)
	if err != nil {
		return Claims{}, err
	}
	ctx = oidc.ClientContext(ctx, p.client)

	tok, err := d.oauth.Exchange(ctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return Claims{}, exchangeError(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Claims{}, failed(errors.New("sso: token response has no id_token"))
	}
	var pr probe
	idt, err := d.verifier.Verify(context.WithValue(ctx, probeKey{}, &pr), raw)
	if err != nil {
		if pr.err != nil {
			return Claims{}, unavailable(fmt.Errorf("sso: fetching signing keys: %w", pr.err))
		}
		return Claims{}, failed(err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return Claims{}, failed(errors.New("sso: nonce does not match"))
	}
	if idt.Subject == "" {
		return Claims{}, failed(errors.New("sso: id token has no subject"))
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return Claims{}, failed(err)
		}
	}
	var pay json.RawMessage
	if err := idt.Claims(&pay); err != nil {
		return Claims{}, failed(err)
	}
	c, err := parseClaims(pay)
	if err != nil {
		return Claims{}, failed(err)
	}
	out := Claims{Issuer: idt.Issuer, Subject: idt.Subject, Email: c.Email, EmailVerified: bool(c.EmailVerified), Name: c.Name}

	// GOV.UK One Login, among others, keeps email out of the ID token.
	if out.Email == "" && d.oidc.UserInfoEndpoint() != "" {
		ui, err := d.oidc.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			if unreachable(err) {
				return Claims{}, unavailable(err)
			}
			return Claims{}, failed(err)
		}
		if ui.Subject != idt.Subject {
			return Claims{}, failed(errors.New("sso: userinfo subject differs from id token subject"))
		}
		var pay json.RawMessage
		if err := ui.Claims(&pay); err != nil {
			return Claims{}, failed(err)
		}
		uc, err := parseClaims(pay)
		if err != nil {
			return Claims{}, failed(err)
		}
		out.Email, out.EmailVerified = uc.Email, bool(uc.EmailVerified)
		if out.Name == "" {
			out.Name = uc.Name
		}
	}
	return out, nil
}

// discover returns the provider's metadata, fetching it on first use and
// again after a failure once retryAfter has passed.
func (p *Provider) discover(ctx context.Context) (*discovery, error) {
	if d, err, ok := p.cached(); ok {
		return d, err
	}
	select {
	case p.gate <- struct{}{}:
	case <-ctx.Done():
		return nil, unavailable(ctx.Err())
	}
	defer func() { <-p.gate }()
	// Another caller may have finished discovery while we waited.
	if d, err, ok := p.cached(); ok {
		return d, err
	}
	d, err := p.fetch(ctx)
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case err == nil:
		p.found, p.err = d, nil
	case ctx.Err() == nil: // the caller giving up says nothing about the provider
		p.err, p.failed = err, p.now()
	}
	return d, err
}

// cached reports the remembered outcome of discovery, if there is one.
func (p *Provider) cached() (*discovery, error, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.found != nil {
		return p.found, nil, true
	}
	if p.err != nil && p.now().Sub(p.failed) < retryAfter {
		return nil, p.err, true
	}
	return nil, nil, false
}

func (p *Provider) fetch(ctx context.Context) (*discovery, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, p.client), p.cfg.Issuer)
	if err != nil {
		var mismatch *oidc.IssuerMismatchError
		if errors.As(err, &mismatch) {
			return nil, apperr.Wrap(apperr.Internal, err, "")
		}
		return nil, unavailable(err)
	}
	var meta struct {
		JWKS        string   `json:"jwks_uri"`
		AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
		Algs        []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := op.Claims(&meta); err != nil {
		return nil, unavailable(err)
	}
	if meta.JWKS == "" {
		return nil, unavailable(errors.New("sso: discovery document has no jwks_uri"))
	}
	style, err := authStyle(meta.AuthMethods, p.cfg.ClientSecret != "")
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "")
	}
	scopes := p.cfg.Scopes
	if len(scopes) == 0 {
		scopes = []string{oidc.ScopeOpenID, "email", "profile"}
	}
	if !slices.Contains(scopes, oidc.ScopeOpenID) {
		scopes = append([]string{oidc.ScopeOpenID}, scopes...)
	}
	ep := op.Endpoint()
	ep.AuthStyle = style
	keys := &keySet{remote: oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), p.client), meta.JWKS)}
	return &discovery{
		oidc: op,
		oauth: oauth2.Config{
			ClientID:     p.cfg.ClientID,
			ClientSecret: p.cfg.ClientSecret,
			RedirectURL:  p.cfg.RedirectURL,
			Scopes:       scopes,
			Endpoint:     ep,
		},
		verifier: oidc.NewVerifier(p.cfg.Issuer, keys, &oidc.Config{
			ClientID:             p.cfg.ClientID,
			SupportedSigningAlgs: algorithms(meta.Algs),
			Now:                  p.now,
		}),
	}, nil
}

// authStyle picks how to present the client secret at the token endpoint
// from the methods the provider advertises; absent, the default is
// client_secret_basic (OpenID Connect Discovery 1.0, section 3).
func authStyle(methods []string, secret bool) (oauth2.AuthStyle, error) {
	switch {
	case !secret:
		return oauth2.AuthStyleInParams, nil // public client: client_id only
	case len(methods) == 0, slices.Contains(methods, "client_secret_basic"):
		return oauth2.AuthStyleInHeader, nil
	case slices.Contains(methods, "client_secret_post"):
		return oauth2.AuthStyleInParams, nil
	}
	return 0, fmt.Errorf("sso: provider supports none of client_secret_basic, client_secret_post (it offers %q)", methods)
}

// algorithms keeps the asymmetric signing algorithms go-oidc verifies;
// "none" and HMAC are never acceptable for an ID token.
func algorithms(offered []string) []string {
	ok := []string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512, oidc.PS256, oidc.PS384, oidc.PS512, oidc.EdDSA}
	var algs []string
	for _, a := range offered {
		if slices.Contains(ok, a) {
			algs = append(algs, a)
		}
	}
	if len(algs) == 0 {
		algs = []string{oidc.RS256} // the one the specification requires
	}
	return algs
}

// keySet wraps the remote key set to tell "the provider's keys could not be
// fetched" apart from "the signature is bad", which go-oidc flattens into
// one error string.
type keySet struct{ remote *oidc.RemoteKeySet }

type probeKey struct{}

type probe struct{ err error }

func (k *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	payload, err := k.remote.VerifySignature(ctx, jwt)
	if err != nil && unreachable(err) {
		if p, ok := ctx.Value(probeKey{}).(*probe); ok {
			p.err = err
		}
	}
	return payload, err
}

// providerError turns an error response of the authorization endpoint
// (RFC 6749, section 4.1.2.1) into an error for the caller.
func providerError(code, desc string) error {
	if len(desc) > 200 {
		desc = desc[:200]
	}
	cause := fmt.Errorf("sso: provider returned error %q: %q", code, desc)
	switch code {
	case "access_denied":
		return apperr.Wrap(apperr.Unauthenticated, cause, MsgDenied)
	case "temporarily_unavailable", "server_error":
		return unavailable(cause)
	}
	return failed(cause)
}

// exchangeError classifies a failed code exchange.
func exchangeError(err error) error {
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re) && (re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client"):
		return apperr.Wrap(apperr.Internal, err, "") // our credentials are wrong
	case errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 500:
		return unavailable(err)
	case unreachable(err):
		return unavailable(err)
	}
	return failed(err)
}

// unreachable reports whether err means the provider could not be reached,
// rather than that it answered no.
func unreachable(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

func failed(cause error) error { return apperr.Wrap(apperr.Unauthenticated, cause, MsgFailed) }

func unavailable(cause error) error { return apperr.Wrap(apperr.Unavailable, cause, MsgUnavailable) }
