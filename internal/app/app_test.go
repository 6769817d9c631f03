package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/config"
	"parley/internal/mail/smtptest"
	"parley/internal/outbox"
)

func openApp(t *testing.T, args ...string) *App {
	t.Helper()
	cfg, err := config.Load("serve", append([]string{"--data-dir", t.TempDir()}, args...), func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// TestEmailGoesOutOverSMTPThroughTheQueue follows a sign-in email from the
// request, through the outbox and the job queue, to a real SMTP server.
func TestEmailGoesOutOverSMTPThroughTheQueue(t *testing.T) {
	smtp := smtptest.Start(t)
	a := openApp(t, "--smtp-host", smtp.Host(), "--smtp-port", strconv.Itoa(smtp.Port()), "--smtp-tls", "none", "--smtp-from", "parley@test.example")
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/sign-in", strings.NewReader(url.Values{"email": {"someone@example.org"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.URL)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	if n, err := a.Runner.RunDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("ran %d jobs: %v", n, err)
	}
	msgs := smtp.WaitFor(t, 1, 5*time.Second)
	body, _ := msgs[0].Text()
	if msgs[0].To[0] != "someone@example.org" || !strings.Contains(msgs[0].Subject(), "sign in") || !strings.Contains(body, "/sign-in/link/psl_") {
		t.Errorf("email: to %v subject %q body %q", msgs[0].To, msgs[0].Subject(), body)
	}
	sent, _ := a.Store.Outbox(context.Background(), 1)
	if sent[0].SentAt.IsZero() {
		t.Error("outbox message not marked sent")
	}
	// With a mail server configured there is no dev outbox.
	r2, _ := http.Get(srv.URL + "/dev/outbox")
	r2.Body.Close()
	if r2.StatusCode != http.StatusNotFound {
		t.Errorf("dev outbox with SMTP configured: %d", r2.StatusCode)
	}
}

// TestEventsFanOutToFollowers checks the generic event → email fan-out.
func TestEventsFanOutToFollowers(t *testing.T) {
	smtp := smtptest.Start(t)
	a := openApp(t, "--smtp-host", smtp.Host(), "--smtp-port", strconv.Itoa(smtp.Port()), "--smtp-tls", "none")
	ctx := context.Background()
	if _, err := a.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	o, _ := a.Store.OrgBySlug(ctx, DemoOrgs[1].Slug)
	for _, email := range []string{"alex.citizen@example.org", "sam.resident@example.org"} {
		u, _ := a.Store.UserByEmail(ctx, email)
		if err := a.Store.Subscribe(ctx, u.ID, "org", o.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Store.PublishEvent(ctx, outbox.Event{TargetKind: "org", TargetID: o.ID, Subject: "New consultation", Body: "We want your views on bus routes.", URL: "/organisations/" + o.Slug}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Runner.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := smtp.WaitFor(t, 2, 5*time.Second)
	for _, m := range msgs {
		body, _ := m.Text()
		if m.Subject() != "New consultation" || !strings.Contains(body, "/unsubscribe/") || !strings.Contains(body, "bus routes") {
			t.Errorf("update email: %q %q", m.Subject(), body)
		}
	}
}

func TestDemoSeedsOnceWithEveryRole(t *testing.T) {
	a := openApp(t)
	ctx := context.Background()
	for i, want := range []bool{true, false} {
		seeded, err := a.SeedDemo(ctx)
		if err != nil || seeded != want {
			t.Fatalf("run %d: seeded %v, %v", i, seeded, err)
		}
	}
	for _, o := range DemoOrgs {
		got, err := a.Store.OrgBySlug(ctx, o.Slug)
		if err != nil {
			t.Fatal(err)
		}
		staff, _ := a.Store.Staff(ctx, got.ID)
		roles := map[string]bool{}
		for _, s := range staff {
			roles[string(s.Role)] = true
		}
		if len(roles) != 4 {
			t.Errorf("%s has roles %v", o.Slug, roles)
		}
	}
}

func TestGracefulShutdownDrainsJobs(t *testing.T) {
	a := openApp(t, "--addr", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	addrCh := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, func(addr string) { addrCh <- addr }) }()
	addr := <-addrCh
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v", err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("shutdown did not finish")
	}
}
