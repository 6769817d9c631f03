package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/internal/apperr"
	"parley/internal/outbox"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/web"
)

// signClock is a settable clock for the form stamp and the rate limits.
type signClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *signClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *signClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// signSite is a site with an open petition on a post-moderated board.
func signSite(t *testing.T, opts ...func(*web.Options)) (*site, *signClock, proposal.Proposal) {
	t.Helper()
	clock := &signClock{t: time.Now().UTC()}
	s := newSite(t, store.SQLite, append([]func(*web.Options){func(o *web.Options) { o.Now = clock.Now }}, opts...)...)
	b, err := s.store.CreateBoard(ctx, proposal.Board{OrgID: s.org.ID, Kind: proposal.Petitions, TitleEN: "Petitions",
		Moderation: proposal.PostModeration, Accepting: true}, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.store.CreateProposal(ctx, proposal.Proposal{BoardID: b.ID, Title: "Reopen the library", Body: "Please."},
		&proposal.Signature{Name: "Author", Email: "author@example.org", Postcode: "SW1A 1AA", Country: "GB", UKResident: true})
	if err != nil {
		t.Fatal(err)
	}
	return s, clock, p
}

var stampPattern = regexp.MustCompile(`name="stamp" value="([^"]+)"`)

// signForm fetches the form and returns its stamp.
func (s *site) signStamp(c *http.Client, path string) string {
	s.t.Helper()
	code, body, _ := s.get(c, path)
	m := stampPattern.FindStringSubmatch(body)
	if code != http.StatusOK || m == nil {
		s.t.Fatalf("GET %s: %d, stamp %v", path, code, m)
	}
	return m[1]
}

func signValues(stamp, email string) url.Values {
	return url.Values{"name": {"Sam Signer"}, "email": {email}, "uk_resident": {"yes"}, "country": {"GB"},
		"postcode": {"sw1a1aa"}, "stamp": {stamp}}
}

var confirmPattern = regexp.MustCompile(`/signatures/confirm/[A-Za-z0-9_\-]+`)

func TestSignPetition(t *testing.T) {
	s, clock, p := signSite(t)
	c := s.client()
	path := fmt.Sprintf("/proposals/%d/sign", p.ID)
	stamp := s.signStamp(c, path)

	// Sent at once: a bot's speed. The form comes back, nothing is stored.
	code, body, _ := s.post(c, path, signValues(stamp, "sam@example.org"), "")
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "sent very quickly") || !strings.Contains(body, `value="sam@example.org"`) {
		t.Fatalf("too fast: %d %s", code, body)
	}
	// Missing fields are shown with their errors.
	clock.Advance(5 * time.Second)
	code, body, _ = s.post(c, path, url.Values{"stamp": {stamp}, "country": {"GB"}}, "")
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter your name") || !strings.Contains(body, "govuk-error-summary") {
		t.Fatalf("empty form: %d", code)
	}
	code, _, h := s.post(c, path, signValues(stamp, "sam@example.org"), "")
	if code != http.StatusSeeOther || h.Get("Location") != path+"/check-email" {
		t.Fatalf("sign: %d %s", code, h.Get("Location"))
	}
	if code, body, _ := s.get(c, path+"/check-email"); code != http.StatusOK || !strings.Contains(body, "check your email") {
		t.Errorf("check email: %d", code)
	}
	msgs, err := s.store.Outbox(ctx, 10)
	if err != nil || len(msgs) == 0 || msgs[0].Kind != proposal.ConfirmSignatureKind || msgs[0].To != "sam@example.org" {
		t.Fatalf("outbox %+v %v", msgs, err)
	}
	link := confirmPattern.FindString(msgs[0].Body)
	if link == "" || !strings.Contains(msgs[0].Body, "Reopen the library") || !strings.HasPrefix(msgs[0].Body[strings.Index(msgs[0].Body, "http"):], s.srv.URL) {
		t.Fatalf("email body %q", msgs[0].Body)
	}
	for range 2 { // following the link twice counts once
		code, body, _ = s.get(c, link)
		if code != http.StatusOK || !strings.Contains(body, "Your signature has been added") || !strings.Contains(body, "2 signatures") {
			t.Fatalf("confirm: %d %s", code, body)
		}
	}
	if got, _ := s.store.Proposal(ctx, p.ID); got.Supporters != 2 {
		t.Errorf("%d supporters", got.Supporters)
	}
	if code, body, _ := s.get(c, "/signatures/confirm/nonsense"); code != http.StatusNotFound || !strings.Contains(body, "This link does not work") {
		t.Errorf("bad link: %d", code)
	}
	// Welsh: the form and the email.
	code, body, _ = s.get(c, path+"?lang=cy")
	if code != http.StatusOK || !strings.Contains(body, "Llofnodi") {
		t.Errorf("Welsh form: %d", code)
	}
	stamp = s.signStamp(c, path)
	clock.Advance(5 * time.Second)
	if code, _, _ := s.post(c, path, signValues(stamp, "cymro@example.org"), ""); code != http.StatusSeeOther {
		t.Fatalf("Welsh sign: %d", code)
	}
	msgs, _ = s.store.Outbox(ctx, 1)
	if !strings.Contains(msgs[0].Subject, "Cadarnhewch") {
		t.Errorf("Welsh email subject %q", msgs[0].Subject)
	}
}

func TestSignRefusals(t *testing.T) {
	s, clock, p := signSite(t)
	c := s.client()
	path := fmt.Sprintf("/proposals/%d/sign", p.ID)
	stamp := s.signStamp(c, path)
	clock.Advance(5 * time.Second)

	if _, err := s.store.AddBlock(ctx, proposal.Block{OrgID: s.org.ID, Kind: proposal.BlockDomain, Value: "spam.example"}, 0); err != nil {
		t.Fatal(err)
	}
	code, body, _ := s.post(c, path, signValues(stamp, "bot@mail.spam.example"), "")
	if code != http.StatusForbidden || !strings.Contains(body, "could not accept this signature") || strings.Contains(body, "spam.example") {
		t.Errorf("blocked domain: %d", code)
	}
	// Per address and petition: ten at once, then a wait.
	// The blocked attempt used one of the ten.
	for i := range 9 {
		if code, _, _ := s.post(c, path, signValues(stamp, fmt.Sprintf("p%d@example.org", i)), ""); code != http.StatusSeeOther {
			t.Fatalf("signature %d: %d", i, code)
		}
	}
	code, _, h := s.post(c, path, signValues(stamp, "p10@example.org"), "")
	if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Errorf("eleventh: %d", code)
	}
	clock.Advance(time.Minute)
	if code, _, _ := s.post(c, path, signValues(stamp, "p10@example.org"), ""); code != http.StatusSeeOther {
		t.Errorf("after a wait: %d", code)
	}
	// A forged stamp shows the form again.
	if code, body, _ := s.post(c, path, signValues("123.forged", "f@example.org"), ""); code != http.StatusUnprocessableEntity || !strings.Contains(body, "out of date") {
		t.Errorf("forged stamp: %d", code)
	}
	if code, _, _ := s.get(c, "/proposals/999999/sign"); code != http.StatusNotFound {
		t.Errorf("no such petition: %d", code)
	}
}

// busyStore is a store whose signature batcher is always full.
type busyStore struct{ *store.Store }

func (busyStore) SubmitSignature(context.Context, proposal.Signature, func(proposal.Signature, string) outbox.Message) error {
	return apperr.New(apperr.Unavailable, "error.503.body")
}

func TestSignWhenFull(t *testing.T) {
	s, clock, p := signSite(t, func(o *web.Options) { o.Store = busyStore{o.Store.(*store.Store)} })
	c := s.client()
	path := fmt.Sprintf("/proposals/%d/sign", p.ID)
	stamp := s.signStamp(c, path)
	clock.Advance(5 * time.Second)
	code, _, h := s.post(c, path, signValues(stamp, "late@example.org"), "")
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
		t.Errorf("full: %d, Retry-After %q", code, h.Get("Retry-After"))
	}
}
