package sso

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"parley/internal/apperr"
	"parley/internal/sso/ssotest"
)

const (
	clientID     = "parley-test"
	clientSecret = "s3cret+/= with spaces"
	redirectURL  = "http://127.0.0.1:9/auth/callback" // never contacted
)

var alice = ssotest.User{Subject: "alice-123", Email: "alice@example.gov.uk", EmailVerified: true, Name: "Alice Jones"}

func start(t *testing.T, opts ssotest.Options) (*ssotest.Server, *Provider) {
	t.Helper()
	opts.ClientID, opts.ClientSecret = clientID, clientSecret
	if opts.User == (ssotest.User{}) {
		opts.User = alice
	}
	srv := ssotest.Start(t, opts)
	return srv, New(Config{Issuer: srv.URL, ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL}, nil)
}

// authorize plays the browser: it visits the provider's authorization URL
// and returns the query of the redirect back to the app, without following it.
func authorize(t *testing.T, authURL string) url.Values {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d, want 302", res.StatusCode)
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURL {
		t.Fatalf("redirected to %s, want %s", got, redirectURL)
	}
	return loc.Query()
}

// signIn runs Begin, the browser's round trip and Finish.
func signIn(t *testing.T, p *Provider) (Claims, error) {
	t.Helper()
	ctx := t.Context()
	u, st, err := p.Begin(ctx)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	return p.Finish(ctx, st, authorize(t, u))
}

func TestSignIn(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts ssotest.Options
		user ssotest.User
		want Claims
	}{
		{
			name: "client_secret_basic",
			user: alice,
			want: Claims{Subject: "alice-123", Email: "alice@example.gov.uk", EmailVerified: true, Name: "Alice Jones"},
		},
		{
			name: "client_secret_post",
			opts: ssotest.Options{AuthMethod: "client_secret_post"},
			user: alice,
			want: Claims{Subject: "alice-123", Email: "alice@example.gov.uk", EmailVerified: true, Name: "Alice Jones"},
		},
		{
			name: "email from userinfo, as GOV.UK One Login",
			opts: ssotest.Options{UserinfoOnly: true},
			user: ssotest.User{Subject: "urn:fdc:gov.uk:2022:abc", Email: "bob@example.com", EmailVerified: true},
			want: Claims{Subject: "urn:fdc:gov.uk:2022:abc", Email: "bob@example.com", EmailVerified: true},
		},
		{
			name: "unverified email",
			user: ssotest.User{Subject: "carol", Email: "carol@example.com", Name: "Carol"},
			want: Claims{Subject: "carol", Email: "carol@example.com", Name: "Carol"},
		},
		{
			name: "no email anywhere",
			opts: ssotest.Options{UserinfoOnly: true},
			user: ssotest.User{Subject: "dan"},
			want: Claims{Subject: "dan"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, p := start(t, tc.opts)
			srv.SetUser(tc.user)
			got, err := signIn(t, p)
			if err != nil {
				t.Fatalf("sign-in: %v", err)
			}
			tc.want.Issuer = srv.URL
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("claims (-want +got):\n%s", d)
			}
			wantUserinfo := 0
			if tc.opts.UserinfoOnly {
				wantUserinfo = 1
			}
			if n := srv.Hits(ssotest.UserinfoPath); n != wantUserinfo {
				t.Errorf("userinfo fetched %d times, want %d", n, wantUserinfo)
			}
		})
	}
}

func TestBegin(t *testing.T) {
	srv, p := start(t, ssotest.Options{})
	u1, st1, err := p.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	_, st2, err := p.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st1.State == st2.State || st1.Nonce == st2.Nonce || st1.Verifier == st2.Verifier {
		t.Errorf("Begin repeated a secret: %+v, %+v", st1, st2)
	}
	if n := srv.Hits(ssotest.DiscoveryPath); n != 1 {
		t.Errorf("discovery fetched %d times, want 1 (cached)", n)
	}
	u, err := url.Parse(u1)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, want := range map[string]string{
		"client_id":             clientID,
		"redirect_uri":          redirectURL,
		"response_type":         "code",
		"scope":                 "openid email profile",
		"state":                 st1.State,
		"nonce":                 st1.Nonce,
		"code_challenge_method": "S256",
	} {
		if got := q.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if strings.Contains(u1, st1.Verifier) {
		t.Error("the PKCE verifier leaked into the authorization URL")
	}
}

func TestScopesAlwaysIncludeOpenID(t *testing.T) {
	srv, _ := start(t, ssotest.Options{})
	p := New(Config{Issuer: srv.URL, ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL, Scopes: []string{"email"}}, nil)
	if _, err := signIn(t, p); err != nil {
		t.Fatal(err)
	}
}

func TestFinishRejects(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   ssotest.Options
		before func(*ssotest.Server)                    // before Begin
		after  func(*ssotest.Server)                    // after the browser's round trip
		tamper func(st *State, q url.Values)            // what reaches Finish
		finish func(*Provider, State, url.Values) error // a second attempt, if any
		kind   apperr.Kind
		msg    string
	}{
		{name: "state mismatch", tamper: func(_ *State, q url.Values) { q.Set("state", "forged") }, kind: apperr.Unauthenticated, msg: MsgFailed},
		{name: "no state in callback", tamper: func(_ *State, q url.Values) { q.Del("state") }, kind: apperr.Unauthenticated, msg: MsgFailed},
		{name: "no sign-in in session", tamper: func(st *State, _ url.Values) { *st = State{} }, kind: apperr.Unauthenticated, msg: MsgFailed},
		{name: "no code", tamper: func(_ *State, q url.Values) { q.Del("code") }, kind: apperr.Unauthenticated, msg: MsgFailed},
		{name: "wrong PKCE verifier", tamper: func(st *State, _ url.Values) { st.Verifier = strings.Repeat("x", 43) }, kind: apperr.Unauthenticated, msg: MsgFailed},
		{name: "nonce mismatch", before: fault(ssotest.WrongNonce), kind: apperr.Unauthenticated, msg: MsgFailed},
		{name: "nonce swapped in session", tamper: func(st *State, _ url.Values) { st.Nonce = "other" }, kind: apperr.Unauthenticated, msg: MsgFailed},
		{name: "wrong audience", before: fault(ssotest.WrongAudience), kind: apperr.Unauthenticated, msg: MsgFailed},
		{name: "wrong issuer", before: fault(ssotest.WrongIssuer), kind: apperr.Unauthenticated, msg: MsgFailed},
		{name: "expired token", before: fault(ssotest.Expired), kind: apperr.Unauthenticated, msg: MsgFailed},
		{name: "bad signature", before: fault(ssotest.OtherKey), kind: apperr.Unauthenticated, msg: MsgFailed},
		{name: "userinfo for another subject", opts: ssotest.Options{UserinfoOnly: true}, before: fault(ssotest.WrongSubject), kind: apperr.Unauthenticated, msg: MsgFailed},
		{name: "access denied", before: (*ssotest.Server).Deny, kind: apperr.Unauthenticated, msg: MsgDenied},
		{name: "access denied with forged state", before: (*ssotest.Server).Deny, tamper: func(_ *State, q url.Values) { q.Set("state", "x") }, kind: apperr.Unauthenticated, msg: MsgDenied},
		{name: "provider error", tamper: func(_ *State, q url.Values) { q.Set("error", "temporarily_unavailable") }, kind: apperr.Unavailable, msg: MsgUnavailable},
		{name: "code used twice", finish: func(p *Provider, st State, q url.Values) error {
			_, err := p.Finish(context.Background(), st, q)
			return err
		}, kind: apperr.Unauthenticated, msg: MsgFailed},
		{name: "provider down", after: (*ssotest.Server).Close, kind: apperr.Unavailable, msg: MsgUnavailable},
		{name: "token endpoint drops", after: down(ssotest.TokenPath), kind: apperr.Unavailable, msg: MsgUnavailable},
		{name: "keys unreachable", after: down(ssotest.JWKSPath), kind: apperr.Unavailable, msg: MsgUnavailable},
		{name: "userinfo unreachable", opts: ssotest.Options{UserinfoOnly: true}, after: down(ssotest.UserinfoPath), kind: apperr.Unavailable, msg: MsgUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, p := start(t, tc.opts)
			if tc.before != nil {
				tc.before(srv)
			}
			u, st, err := p.Begin(t.Context())
			if err != nil {
				t.Fatalf("Begin: %v", err)
			}
			q := authorize(t, u)
			if tc.after != nil {
				tc.after(srv)
			}
			if tc.tamper != nil {
				tc.tamper(&st, q)
			}
			c, err := p.Finish(t.Context(), st, q)
			if tc.finish != nil {
				if err != nil {
					t.Fatalf("first Finish: %v", err)
				}
				err = tc.finish(p, st, q)
			} else if err == nil {
				t.Fatalf("Finish succeeded with %+v", c)
			}
			if err == nil {
				t.Fatal("second Finish succeeded")
			}
			t.Log(err)
			if k := apperr.KindOf(err); k != tc.kind {
				t.Errorf("kind %v, want %v (%v)", k, tc.kind, err)
			}
			if m := apperr.Message(err); m != tc.msg {
				t.Errorf("message %q, want %q", m, tc.msg)
			}
		})
	}
}

func fault(f ssotest.Fault) func(*ssotest.Server) {
	return func(s *ssotest.Server) { s.SetFault(f) }
}

func down(path string) func(*ssotest.Server) {
	return func(s *ssotest.Server) { s.SetDown(path, true) }
}

func TestWrongClientSecretIsOurFault(t *testing.T) {
	srv, _ := start(t, ssotest.Options{})
	p := New(Config{Issuer: srv.URL, ClientID: clientID, ClientSecret: "wrong", RedirectURL: redirectURL}, nil)
	_, err := signIn(t, p)
	if k := apperr.KindOf(err); k != apperr.Internal {
		t.Errorf("kind %v, want internal (%v)", k, err)
	}
}

func TestUnsupportedClientAuth(t *testing.T) {
	_, p := start(t, ssotest.Options{AuthMethod: "private_key_jwt"})
	_, _, err := p.Begin(t.Context())
	if k := apperr.KindOf(err); k != apperr.Internal {
		t.Errorf("kind %v, want internal (%v)", k, err)
	}
}

func TestIssuerMismatch(t *testing.T) {
	srv, _ := start(t, ssotest.Options{})
	p := New(Config{Issuer: srv.URL + "/", ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL}, nil)
	_, _, err := p.Begin(t.Context())
	if k := apperr.KindOf(err); k != apperr.Internal {
		t.Errorf("kind %v, want internal (%v)", k, err)
	}
}

func TestDiscoveryIsLazy(t *testing.T) {
	t.Run("unreachable issuer", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		issuer := "http://" + l.Addr().String()
		l.Close() // nothing listens there now
		p := New(Config{Issuer: issuer, ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL}, nil)
		_, _, err = p.Begin(t.Context())
		if k := apperr.KindOf(err); k != apperr.Unavailable {
			t.Errorf("Begin: kind %v, want unavailable (%v)", k, err)
		}
	})
	t.Run("no request until first use", func(t *testing.T) {
		srv, p := start(t, ssotest.Options{})
		if n := srv.Hits(ssotest.DiscoveryPath); n != 0 {
			t.Fatalf("New fetched discovery %d times", n)
		}
		if _, err := signIn(t, p); err != nil {
			t.Fatal(err)
		}
		if _, err := signIn(t, p); err != nil {
			t.Fatal(err)
		}
		if n := srv.Hits(ssotest.DiscoveryPath); n != 1 {
			t.Errorf("discovery fetched %d times, want 1", n)
		}
	})
}

func TestDiscoveryRetriesAfterFailure(t *testing.T) {
	srv, p := start(t, ssotest.Options{})
	now := time.Now()
	p.now = func() time.Time { return now }
	srv.SetDown(ssotest.DiscoveryPath, true)
	if _, _, err := p.Begin(t.Context()); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("Begin while down: %v, want unavailable", err)
	}
	srv.SetDown(ssotest.DiscoveryPath, false)
	hits := srv.Hits(ssotest.DiscoveryPath)
	if _, _, err := p.Begin(t.Context()); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("Begin just after failure: %v, want the remembered failure", err)
	}
	if n := srv.Hits(ssotest.DiscoveryPath); n != hits {
		t.Errorf("discovery asked again within %v of a failure", retryAfter)
	}
	now = now.Add(retryAfter)
	if _, err := signIn(t, p); err != nil {
		t.Fatalf("sign-in after recovery: %v", err)
	}
}

func TestCancelledDiscoveryIsNotRemembered(t *testing.T) {
	_, p := start(t, ssotest.Options{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := p.Begin(ctx); err == nil {
		t.Fatal("Begin with a cancelled context succeeded")
	}
	if _, err := signIn(t, p); err != nil {
		t.Fatalf("sign-in after a cancelled attempt: %v", err)
	}
}

func TestAuthStyle(t *testing.T) {
	for _, tc := range []struct {
		methods []string
		secret  bool
		want    oauth2.AuthStyle
		wantErr bool
	}{
		{methods: nil, secret: true, want: oauth2.AuthStyleInHeader},
		{methods: []string{"client_secret_post", "private_key_jwt", "client_secret_basic"}, secret: true, want: oauth2.AuthStyleInHeader},
		{methods: []string{"client_secret_post"}, secret: true, want: oauth2.AuthStyleInParams},
		{methods: []string{"private_key_jwt"}, secret: false, want: oauth2.AuthStyleInParams},
		{methods: []string{"private_key_jwt"}, secret: true, wantErr: true},
	} {
		got, err := authStyle(tc.methods, tc.secret)
		if (err != nil) != tc.wantErr || err == nil && got != tc.want {
			t.Errorf("authStyle(%q, %v) = %v, %v; want %v, error %v", tc.methods, tc.secret, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestParseClaims(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    profile
		wantErr bool
	}{
		{in: `{"email":"a@b.c","email_verified":true,"name":"A"}`, want: profile{"a@b.c", true, "A"}},
		{in: `{"email":"a@b.c","email_verified":"true"}`, want: profile{"a@b.c", true, ""}},
		{in: `{"email":"a@b.c","email_verified":"FALSE"}`, want: profile{"a@b.c", false, ""}},
		{in: `{"email":" a@b.c ","email_verified":null}`, want: profile{"a@b.c", false, ""}},
		{in: `{"email_verified":true}`, want: profile{}},
		{in: `{"email":"a@b.c","email_verified":"yes"}`, wantErr: true},
		{in: `{"email":"a@b.c","email_verified":1}`, wantErr: true},
		{in: `{"email":7}`, wantErr: true},
		{in: `[]`, wantErr: true},
	} {
		got, err := parseClaims([]byte(tc.in))
		if (err != nil) != tc.wantErr {
			t.Errorf("parseClaims(%s) error = %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if got != tc.want {
			t.Errorf("parseClaims(%s) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func FuzzParseClaims(f *testing.F) {
	for _, s := range []string{
		`{"email":"a@b.c","email_verified":true,"name":"A"}`,
		`{"email":"a@b.c","email_verified":"True"}`,
		`{"email_verified":"true"}`,
		`{"email":null,"email_verified":[true]}`,
		`{"sub":"x","aud":["a","b"],"exp":1e99}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseClaims(b)
		if err != nil {
			if p != (profile{}) {
				t.Fatalf("error %v with non-zero result %+v", err, p)
			}
			return
		}
		if p.EmailVerified && p.Email == "" {
			t.Fatalf("verified without an email: %+v", p)
		}
		if strings.TrimSpace(p.Email) != p.Email || strings.TrimSpace(p.Name) != p.Name {
			t.Fatalf("untrimmed result %+v", p)
		}
	})
}
