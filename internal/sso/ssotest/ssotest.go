// Package ssotest runs a real, if small, OpenID Connect provider on a
// loopback port for tests: discovery, a JWKS with an RSA key made at start,
// an authorization endpoint that redirects straight back (no login page, so
// a browser driven by a test passes through it), a token endpoint issuing
// RS256-signed ID tokens, and userinfo.
//
// It checks what a strict provider checks — client id and secret, redirect
// URI, PKCE S256, single-use codes — and can be told to spoil its tokens so
// that relying-party checks can be tested.
package ssotest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Paths of the provider's endpoints under its URL.
const (
	DiscoveryPath = "/.well-known/openid-configuration"
	JWKSPath      = "/jwks"
	AuthorizePath = "/authorize"
	TokenPath     = "/token"
	UserinfoPath  = "/userinfo"
)

const (
	codeTTL  = time.Minute
	tokenTTL = time.Hour
)

// Options configure a provider.
type Options struct {
	ClientID     string
	ClientSecret string
	// RedirectURIs are the registered redirect URIs, matched exactly. When
	// empty, any http or https URI on a loopback host is accepted.
	RedirectURIs []string
	// AuthMethod is the one token endpoint client authentication the
	// provider advertises and accepts: "client_secret_basic" (the default)
	// or "client_secret_post". Anything else is advertised but refused.
	AuthMethod string
	// UserinfoOnly keeps email, email_verified and name out of the ID
	// token and serves them only from userinfo, as GOV.UK One Login does.
	UserinfoOnly bool
	// User is the person signed in at the start; see Server.SetUser.
	User User
	// Fault spoils ID tokens from the start; see Server.SetFault.
	Fault Fault
}

// User is the person the provider says is signed in.
type User struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

// Fault is a way in which the provider spoils the ID tokens it issues.
type Fault int

const (
	NoFault       Fault = iota
	WrongNonce          // nonce differs from the one in the authorization request
	WrongAudience       // aud is another client
	WrongIssuer         // iss is another provider
	Expired             // exp is in the past
	OtherKey            // signed by a key not in the JWKS (same key id)
	WrongSubject        // userinfo reports another subject than the ID token
)

// Server is a running provider. Its methods are safe for concurrent use.
type Server struct {
	// URL is the issuer, e.g. http://127.0.0.1:41234 (no trailing slash).
	URL string

	opts    Options
	srv     *httptest.Server
	key     *rsa.PrivateKey
	kid     string
	closing sync.Once

	mu     sync.Mutex
	user   User
	deny   bool
	fault  Fault
	other  *rsa.PrivateKey
	codes  map[string]grant
	tokens map[string]grant
	hits   map[string]int
	down   map[string]bool
}

// grant is what an authorization code or access token stands for.
type grant struct {
	clientID    string
	redirectURI string
	challenge   string
	nonce       string
	user        User
	expires     time.Time
}

// Start runs a provider on 127.0.0.1 until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.AuthMethod == "" {
		opts.AuthMethod = "client_secret_basic"
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("ssotest: %v", err)
	}
	s := &Server{
		opts:   opts,
		key:    key,
		kid:    rand.Text()[:12],
		user:   opts.User,
		fault:  opts.Fault,
		codes:  map[string]grant{},
		tokens: map[string]grant{},
		hits:   map[string]int{},
		down:   map[string]bool{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+DiscoveryPath, s.discovery)
	mux.HandleFunc("GET "+JWKSPath, s.jwks)
	mux.HandleFunc("GET "+AuthorizePath, s.authorize)
	mux.HandleFunc("POST "+AuthorizePath, s.authorize)
	mux.HandleFunc("POST "+TokenPath, s.token)
	mux.HandleFunc("GET "+UserinfoPath, s.userinfo)
	mux.HandleFunc("POST "+UserinfoPath, s.userinfo)
	s.srv = httptest.NewServer(s.observe(mux)) // httptest listens on 127.0.0.1
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	return s
}

// Close stops the provider, as if it had gone down. It is safe to call twice.
func (s *Server) Close() { s.closing.Do(s.srv.Close) }

// SetUser makes u the person signed in from now on, and ends Deny.
func (s *Server) SetUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.deny = u, false
}

// Deny makes the authorization endpoint answer error=access_denied, as
// when the person declines, until SetUser is called.
func (s *Server) Deny() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny = true
}

// SetFault makes the provider spoil the tokens it issues from now on.
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// SetDown makes requests to path (one of the *Path constants) have their
// connection dropped without an answer, as from a failing provider.
func (s *Server) SetDown(path string, down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down[path] = down
}

// Hits reports how many requests path has received.
func (s *Server) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *Server) observe(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		down := s.down[r.URL.Path]
		s.mu.Unlock()
		if down {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
				return
			}
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.URL,
		"authorization_endpoint":                s.URL + AuthorizePath,
		"token_endpoint":                        s.URL + TokenPath,
		"userinfo_endpoint":                     s.URL + UserinfoPath,
		"jwks_uri":                              s.URL + JWKSPath,
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{s.opts.AuthMethod},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "nonce", "email", "email_verified", "name"},
	})
}

func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &s.key.PublicKey, KeyID: s.kid, Algorithm: string(jose.RS256), Use: "sig",
	}}})
}

// authorize implements the authorization endpoint (OpenID Connect Core
// 1.0, section 3.1.2). Errors about the client or redirect URI are shown
// here; the rest go back to the redirect URI, as the specification says.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	q := r.Form
	if q.Get("client_id") != s.opts.ClientID {
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	}
	redirect := q.Get("redirect_uri")
	back, err := url.Parse(redirect)
	if err != nil || !s.registered(redirect, back) {
		http.Error(w, "redirect_uri is not registered", http.StatusBadRequest)
		return
	}
	state := q.Get("state")
	fail := func(code, desc string) {
		v := back.Query()
		v.Set("error", code)
		v.Set("error_description", desc)
		if state != "" {
			v.Set("state", state)
		}
		back.RawQuery = v.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	}
	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", "only response_type=code is supported")
		return
	}
	if !slices.Contains(strings.Fields(q.Get("scope")), "openid") {
		fail("invalid_scope", "scope must include openid")
		return
	}
	challenge := q.Get("code_challenge")
	if q.Get("code_challenge_method") != "S256" || len(challenge) != 43 {
		fail("invalid_request", "PKCE with code_challenge_method=S256 is required")
		return
	}
	s.mu.Lock()
	user, deny := s.user, s.deny
	s.mu.Unlock()
	switch {
	case deny:
		fail("access_denied", "the user declined")
		return
	case user.Subject == "":
		fail("login_required", "no user is signed in")
		return
	}
	code := rand.Text()
	s.mu.Lock()
	s.codes[code] = grant{
		clientID:    s.opts.ClientID,
		redirectURI: redirect,
		challenge:   challenge,
		nonce:       q.Get("nonce"),
		user:        user,
		expires:     time.Now().Add(codeTTL),
	}
	s.mu.Unlock()
	v := back.Query()
	v.Set("code", code)
	if state != "" {
		v.Set("state", state)
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (s *Server) registered(raw string, u *url.URL) bool {
	if len(s.opts.RedirectURIs) > 0 {
		return slices.Contains(s.opts.RedirectURIs, raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Fragment != "" {
		return false
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// token implements the token endpoint for the authorization code grant.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "malformed body")
		return
	}
	f := r.PostForm
	if !s.clientOK(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="ssotest"`)
		tokenError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if f.Get("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code is supported")
		return
	}
	s.mu.Lock()
	g, ok := s.codes[f.Get("code")]
	delete(s.codes, f.Get("code")) // single use, whatever happens next
	s.mu.Unlock()
	switch {
	case !ok || time.Now().After(g.expires) || g.clientID != s.opts.ClientID:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or expired code")
		return
	case f.Get("redirect_uri") != g.redirectURI:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request")
		return
	case !verifierOK(f.Get("code_verifier"), g.challenge):
		tokenError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match code_challenge")
		return
	}
	access := rand.Text()
	idToken, err := s.idToken(g, access)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	g.expires = time.Now().Add(tokenTTL)
	s.mu.Lock()
	s.tokens[access] = g
	s.mu.Unlock()
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   int(tokenTTL.Seconds()),
		"id_token":     idToken,
	})
}

// clientOK checks client authentication by the one advertised method.
func (s *Server) clientOK(r *http.Request) bool {
	var id, secret string
	switch s.opts.AuthMethod {
	case "client_secret_basic":
		u, p, ok := r.BasicAuth()
		if !ok || r.PostForm.Has("client_secret") {
			return false
		}
		// RFC 6749, section 2.3.1: both are form-encoded before Basic.
		var err1, err2 error
		id, err1 = url.QueryUnescape(u)
		secret, err2 = url.QueryUnescape(p)
		if err1 != nil || err2 != nil {
			return false
		}
	case "client_secret_post":
		if _, _, ok := r.BasicAuth(); ok {
			return false
		}
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	default:
		return false
	}
	return id == s.opts.ClientID &&
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret)) == 1
}

func verifierOK(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

func (s *Server) idToken(g grant, access string) (string, error) {
	s.mu.Lock()
	fault := s.fault
	s.mu.Unlock()
	now := time.Now()
	atHash := sha256.Sum256([]byte(access))
	claims := map[string]any{
		"iss":     s.URL,
		"sub":     g.user.Subject,
		"aud":     g.clientID,
		"iat":     now.Unix(),
		"exp":     now.Add(10 * time.Minute).Unix(),
		"at_hash": base64.RawURLEncoding.EncodeToString(atHash[:16]),
	}
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	if !s.opts.UserinfoOnly {
		if g.user.Email != "" {
			claims["email"] = g.user.Email
			claims["email_verified"] = g.user.EmailVerified
		}
		if g.user.Name != "" {
			claims["name"] = g.user.Name
		}
	}
	key := s.key
	switch fault {
	case WrongNonce:
		claims["nonce"] = rand.Text()
	case WrongAudience:
		claims["aud"] = "another-client"
	case WrongIssuer:
		claims["iss"] = "http://127.0.0.1:1"
	case Expired:
		claims["iat"] = now.Add(-2 * time.Hour).Unix()
		claims["exp"] = now.Add(-time.Hour).Unix()
	case OtherKey:
		var err error
		if key, err = s.otherKey(); err != nil {
			return "", err
		}
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: jose.RS256,
		Key:       jose.JSONWebKey{Key: key, KeyID: s.kid, Algorithm: string(jose.RS256)},
	}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// otherKey is made only when a test asks for it: RSA keys are slow to make.
func (s *Server) otherKey() (*rsa.PrivateKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.other == nil {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		s.other = k
	}
	return s.other, nil
}

// userinfo implements the userinfo endpoint with bearer tokens (RFC 6750).
func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	access, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	g, known := s.tokens[access]
	fault := s.fault
	s.mu.Unlock()
	if !ok || !known || time.Now().After(g.expires) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	info := map[string]any{"sub": g.user.Subject}
	if fault == WrongSubject {
		info["sub"] = "someone-else"
	}
	if g.user.Email != "" {
		info["email"] = g.user.Email
		info["email_verified"] = g.user.EmailVerified
	}
	if g.user.Name != "" {
		info["name"] = g.user.Name
	}
	writeJSON(w, http.StatusOK, info)
}

func tokenError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, fmt.Sprint(err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
