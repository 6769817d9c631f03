package mail

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"

	"parley/internal/jobs"
)

const (
	testServiceID  = "26785a09-ab16-4eb0-8407-a37497a57506"
	testSecret     = "3d844edf-8d35-48ac-975b-e847b4f122b0"
	testTemplateID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
	testKey        = "parley_test-" + testServiceID + "-" + testSecret
)

// checkNotifyRequest verifies a request as Notify would, with go-jose
// rather than the code under test, and returns its decoded body.
func checkNotifyRequest(t *testing.T, r *http.Request, secret string) map[string]any {
	t.Helper()
	if r.Method != http.MethodPost || r.URL.Path != "/v2/notifications/email" {
		t.Errorf("request %s %s, want POST /v2/notifications/email", r.Method, r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		t.Errorf("Authorization = %q, want a bearer token", r.Header.Get("Authorization"))
		return nil
	}
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		t.Errorf("parsing JWT: %v", err)
		return nil
	}
	if typ := tok.Headers[0].ExtraHeaders[jose.HeaderType]; typ != "JWT" {
		t.Errorf("JWT typ = %v, want JWT", typ)
	}
	var claims struct {
		Iss string `json:"iss"`
		Iat int64  `json:"iat"`
	}
	var all map[string]any
	if err := tok.Claims([]byte(secret), &claims, &all); err != nil {
		t.Errorf("JWT signature: %v", err)
		return nil
	}
	if claims.Iss != testServiceID {
		t.Errorf("iss = %q, want the service ID %q", claims.Iss, testServiceID)
	}
	if d := time.Since(time.Unix(claims.Iat, 0)); d < -2*time.Second || d > 30*time.Second {
		t.Errorf("iat is %v from now; Notify allows 30 s", d)
	}
	if len(all) != 2 {
		t.Errorf("claims = %v, want only iss and iat", all)
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		t.Errorf("request body: %v", err)
		return nil
	}
	return body
}

func TestNotifySend(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		resp      string
		wantErr   bool
		permanent bool
	}{
		{name: "created", status: 201, resp: `{"id":"740e5834-3a29-46b4-9a6f-16142fde533a","reference":"parley-42"}`},
		{
			name: "bad request", status: 400, wantErr: true, permanent: true,
			resp: `{"status_code":400,"errors":[{"error":"BadRequestError","message":"Can't send to citizen@example.org using a team-only API key"}]}`,
		},
		{
			name: "refused key", status: 403, wantErr: true, permanent: true,
			resp: `{"status_code":403,"errors":[{"error":"AuthError","message":"Invalid token: API key not found"}]}`,
		},
		{
			name: "rate limited", status: 429, wantErr: true,
			resp: `{"status_code":429,"errors":[{"error":"RateLimitError","message":"Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"}]}`,
		},
		{name: "server error", status: 500, wantErr: true, resp: `{"status_code":500,"errors":[{"error":"Exception","message":"Internal server error"}]}`},
		{name: "unavailable, not JSON", status: 503, wantErr: true, resp: `<html>down</html>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got map[string]any
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = checkNotifyRequest(t, r, testSecret)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.resp)
			}))
			defer srv.Close()
			n, err := NewNotify(NotifyConfig{APIKey: testKey, TemplateID: testTemplateID, BaseURL: srv.URL + "/"})
			if err != nil {
				t.Fatal(err)
			}
			m := testMessage()
			err = n.Send(context.Background(), m)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Send: %v, wantErr %v", err, tt.wantErr)
			}
			if got := jobs.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent = %v, want %v (%v)", got, tt.permanent, err)
			}
			if err != nil && strings.Contains(err.Error(), "@") {
				t.Errorf("error holds an address: %v", err)
			}
			want := map[string]any{
				"email_address":   m.To,
				"template_id":     testTemplateID,
				"personalisation": map[string]any{"subject": m.Subject, "body": m.Body},
				"reference":       "parley-42",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("request body (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNotifyTokenSignature makes sure the verification above is not
// vacuous: a token checked with another secret fails.
func TestNotifyTokenSignature(t *testing.T) {
	token := notifyToken(testServiceID, []byte(testSecret), time.Now())
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := tok.Claims([]byte("b1a5e2c4-0000-4000-8000-000000000000"), &c); err == nil {
		t.Error("token verified with the wrong secret")
	}
	if err := tok.Claims([]byte(testSecret), &c); err != nil {
		t.Errorf("token does not verify with its secret: %v", err)
	}
}

func TestNotifyRetryable(t *testing.T) {
	t.Run("server down", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		n, err := NewNotify(NotifyConfig{APIKey: testKey, TemplateID: testTemplateID, BaseURL: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Send(context.Background(), testMessage()); err == nil || jobs.IsPermanent(err) {
			t.Errorf("got %v, want a retryable error", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		stop := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-stop // a request with an unread body does not see its client go
		}))
		defer srv.Close()
		defer close(stop)
		n, err := NewNotify(NotifyConfig{APIKey: testKey, TemplateID: testTemplateID, BaseURL: srv.URL, Timeout: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := n.Send(context.Background(), testMessage()); err == nil || jobs.IsPermanent(err) {
			t.Errorf("got %v, want a retryable error", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Send took %v", d)
		}
	})
}

func TestNewNotify(t *testing.T) {
	tests := []struct {
		name    string
		cfg     NotifyConfig
		wantErr bool
	}{
		{name: "ok", cfg: NotifyConfig{APIKey: testKey, TemplateID: testTemplateID}},
		{name: "bad key", cfg: NotifyConfig{APIKey: "nope", TemplateID: testTemplateID}, wantErr: true},
		{name: "no template", cfg: NotifyConfig{APIKey: testKey}, wantErr: true},
		{name: "bad base URL", cfg: NotifyConfig{APIKey: testKey, TemplateID: testTemplateID, BaseURL: "ftp://x"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := NewNotify(tt.cfg)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), testSecret) {
				t.Errorf("error reveals the secret: %v", err)
			}
			if err == nil && n.endpoint != DefaultNotifyBaseURL+"/v2/notifications/email" {
				t.Errorf("endpoint = %q", n.endpoint)
			}
		})
	}
}

func TestParseNotifyKey(t *testing.T) {
	tests := []struct {
		key                   string
		name, service, secret string
		wantErr               bool
	}{
		{key: testKey, name: "parley_test", service: testServiceID, secret: testSecret},
		{key: "my-key-with-dashes-" + testServiceID + "-" + testSecret, name: "my-key-with-dashes", service: testServiceID, secret: testSecret},
		{key: "k-" + strings.ToUpper(testServiceID) + "-" + testSecret, name: "k", service: strings.ToUpper(testServiceID), secret: testSecret},
		{key: testServiceID + "-" + testSecret, wantErr: true},       // no name
		{key: "-" + testServiceID + "-" + testSecret, wantErr: true}, // too short by the name
		{key: "k_" + testServiceID + "-" + testSecret, wantErr: true},
		{key: "k-" + testServiceID + "_" + testSecret, wantErr: true},
		{key: "k-" + testServiceID + "-" + strings.Replace(testSecret, "3", "g", 1), wantErr: true},
		{key: "k-" + testServiceID + "-" + testSecret + " ", wantErr: true},
		{key: "", wantErr: true},
	}
	for _, tt := range tests {
		name, service, secret, err := parseNotifyKey(tt.key)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseNotifyKey(%q): err = %v, wantErr %v", tt.key, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff([]string{tt.name, tt.service, tt.secret}, []string{name, service, secret}); diff != "" {
			t.Errorf("parseNotifyKey(%q) (-want +got):\n%s", tt.key, diff)
		}
	}
}

func FuzzParseNotifyKey(f *testing.F) {
	f.Add(testKey)
	f.Add("a-" + testServiceID + "-" + testSecret)
	f.Add("x")
	f.Add(strings.Repeat("-", 80))
	f.Fuzz(func(t *testing.T, key string) {
		name, service, secret, err := parseNotifyKey(key)
		if err != nil {
			if len(key) >= 8 && strings.Contains(err.Error(), key) {
				t.Fatalf("error quotes the key: %v", err)
			}
			return
		}
		if name+"-"+service+"-"+secret != key {
			t.Fatalf("parts %q %q %q do not make up %q", name, service, secret, key)
		}
		if name == "" || !isUUID(service) || !isUUID(secret) {
			t.Fatalf("accepted %q with name %q service %q secret %q", key, name, service, secret)
		}
	})
}

func FuzzRedact(f *testing.F) {
	f.Add("550 5.1.1 <Citizen@Example.org>: unknown", "citizen@example.org")
	f.Add("bad \"a b\"@example.org here", "\"a b\"@example.org")
	f.Add("no address", "")
	f.Fuzz(func(t *testing.T, text, addr string) {
		got := redact(text, addr)
		if strings.Contains(got, "@") {
			t.Fatalf("redact(%q, %q) = %q still holds an @", text, addr, got)
		}
		if strings.ContainsAny(got, "\r\n") {
			t.Fatalf("redact(%q, %q) = %q spans lines", text, addr, got)
		}
	})
}
