package mail

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"parley/internal/jobs"
	"parley/internal/outbox"
)

// DefaultNotifyBaseURL is the GOV.UK Notify API.
const DefaultNotifyBaseURL = "https://api.notifications.service.gov.uk"

// NotifyConfig holds the settings of GOV.UK Notify.
type NotifyConfig struct {
	// APIKey is "{key name}-{service ID}-{secret}", as Notify shows it.
	APIKey string
	// TemplateID is an email template whose subject is ((subject)) and
	// whose body is ((body)).
	TemplateID string
	BaseURL    string        // "": DefaultNotifyBaseURL
	Client     *http.Client  // nil: a client without its own timeout
	Timeout    time.Duration // per message; 0: DefaultTimeout
}

// Notify sends email through GOV.UK Notify's API.
type Notify struct {
	serviceID  string
	secret     []byte
	templateID string
	endpoint   string
	client     *http.Client
	timeout    time.Duration
	now        func() time.Time
}

// NewNotify checks cfg and returns a sender that uses it.
func NewNotify(cfg NotifyConfig) (*Notify, error) {
	_, serviceID, secret, err := parseNotifyKey(cfg.APIKey)
	if err != nil {
		return nil, err
	}
	if !isUUID(cfg.TemplateID) {
		return nil, errors.New("mail: Notify template ID must be a UUID")
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultNotifyBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("mail: Notify base URL %q: want an http(s) URL", base)
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{}
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Notify{
		serviceID:  serviceID,
		secret:     []byte(secret),
		templateID: cfg.TemplateID,
		endpoint:   strings.TrimSuffix(u.String(), "/") + "/v2/notifications/email",
		client:     client,
		timeout:    timeout,
		now:        time.Now,
	}, nil
}

// notifyRequest is the body of POST /v2/notifications/email.
type notifyRequest struct {
	EmailAddress    string            `json:"email_address"`
	TemplateID      string            `json:"template_id"`
	Personalisation map[string]string `json:"personalisation"`
	Reference       string            `json:"reference"`
}

// notifyErrors is the body of Notify's error responses.
type notifyErrors struct {
	StatusCode int `json:"status_code"`
	Errors     []struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	} `json:"errors"`
}

// Send posts m to Notify. 400 (the request is wrong) and 403 (the key is
// refused) are permanent; 429, 5xx, other statuses and network failures
// may be retried.
func (n *Notify) Send(ctx context.Context, m outbox.Message) error {
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	body, err := json.Marshal(notifyRequest{
		EmailAddress:    m.To,
		TemplateID:      n.templateID,
		Personalisation: map[string]string{"subject": m.Subject, "body": m.Body},
		Reference:       "parley-" + strconv.FormatInt(m.ID, 10),
	})
	if err != nil {
		return jobs.Permanent(fmt.Errorf("mail: Notify request: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("mail: Notify request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "parley")
	req.Header.Set("Authorization", "Bearer "+notifyToken(n.serviceID, n.secret, n.now()))
	resp, err := n.client.Do(req)
	if err != nil {
		return fmt.Errorf("mail: Notify: %s", redact(err.Error(), m.To))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	e := fmt.Errorf("mail: Notify %d: %s", resp.StatusCode, redact(notifyReason(raw), m.To))
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusForbidden:
		return jobs.Permanent(e)
	}
	return e
}

// notifyReason summarises an error response: "Kind: message; …".
func notifyReason(raw []byte) string {
	var ne notifyErrors
	if json.Unmarshal(raw, &ne) != nil || len(ne.Errors) == 0 {
		return "unexpected response"
	}
	parts := make([]string, 0, len(ne.Errors))
	for _, e := range ne.Errors {
		parts = append(parts, e.Error+": "+e.Message)
	}
	return strings.Join(parts, "; ")
}

// notifyToken returns the JWT that authenticates one request to Notify:
// HS256 over {"iss": service ID, "iat": now} with the key's secret. Notify
// refuses tokens more than 30 seconds old, so one is made per request.
func notifyToken(serviceID string, secret []byte, now time.Time) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims, _ := json.Marshal(struct {
		Iss string `json:"iss"`
		Iat int64  `json:"iat"`
	}{serviceID, now.Unix()})
	signed := header + "." + enc.EncodeToString(claims)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(signed))
	return signed + "." + enc.EncodeToString(mac.Sum(nil))
}

// parseNotifyKey splits a Notify API key "{name}-{service ID}-{secret}":
// the secret is the last 36 characters and the service ID the 36 before
// them. Errors never quote the key.
func parseNotifyKey(key string) (name, serviceID, secret string, err error) {
	const u = 36
	if len(key) < 2*u+3 || key[len(key)-u-1] != '-' || key[len(key)-2*u-2] != '-' {
		return "", "", "", errors.New("mail: Notify API key: want {key name}-{service ID}-{secret key}")
	}
	name = key[:len(key)-2*u-2]
	serviceID = key[len(key)-2*u-1 : len(key)-u-1]
	secret = key[len(key)-u:]
	if strings.TrimSpace(name) != name || !isUUID(serviceID) || !isUUID(secret) {
		return "", "", "", errors.New("mail: Notify API key: service ID and secret key must be UUIDs")
	}
	return name, serviceID, secret, nil
}

// isUUID reports whether s is a UUID in its canonical 8-4-4-4-12 hex form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}
