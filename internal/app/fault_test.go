package app

// Fault tests: the mail server down, the database unreachable, the disk
// full, and the process killed in the middle of a job. Each asserts what
// was kept. Overload (503 with Retry-After) is tested in internal/web, and
// pushed to twice capacity in bench/overload.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"parley/internal/jobs"
	"parley/internal/listening"
	"parley/internal/mail/smtptest"
	"parley/internal/store/storetest"
)

// faultProxy forwards TCP connections on loopback to a target, until it is
// cut: then it drops every open connection and refuses new ones at once,
// as a failed server or network would.
type faultProxy struct {
	ln     net.Listener
	target string
	cut    atomic.Bool
	mu     sync.Mutex
	conns  map[net.Conn]bool
}

func startProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.Cut() })
	go p.serve()
	return p
}

func (p *faultProxy) Addr() string { return p.ln.Addr().String() }

func (p *faultProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.cut.Load() {
			c.Close()
			continue
		}
		up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			c.Close()
			continue
		}
		p.track(c, up)
		go func() { _, _ = io.Copy(up, c); up.Close() }()
		go func() { _, _ = io.Copy(c, up); c.Close() }()
	}
}

func (p *faultProxy) track(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		p.conns[c] = true
	}
}

// Cut drops every connection and refuses new ones until Restore.
func (p *faultProxy) Cut() {
	p.cut.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

func (p *faultProxy) Restore() { p.cut.Store(false) }

// faultClient posts forms to the app as a browser on the same origin would.
type faultClient struct {
	t    *testing.T
	base string
	http *http.Client
}

func newFaultClient(t *testing.T, base string) *faultClient {
	return &faultClient{t: t, base: base, http: &http.Client{Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *faultClient) signIn(email string) (int, string) {
	req, _ := http.NewRequest("POST", c.base+"/sign-in", strings.NewReader(url.Values{"email": {email}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("sign-in for %s: %v", email, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (c *faultClient) get(path string) int {
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// outboxTo returns the messages to an address: whether there is one, and
// whether it was sent.
func outboxTo(t *testing.T, a *App, addr string) (found, sent bool) {
	t.Helper()
	msgs, err := a.Store.Outbox(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.To == addr {
			return true, !m.SentAt.IsZero()
		}
	}
	return false, false
}

// TestFaultMailServerDown: while SMTP is down, email waits in the outbox
// and its job is retried, not lost; when the server is back it goes, once.
func TestFaultMailServerDown(t *testing.T) {
	smtp := smtptest.Start(t)
	proxy := startProxy(t, fmt.Sprintf("%s:%d", smtp.Host(), smtp.Port()))
	host, port, _ := net.SplitHostPort(proxy.Addr())
	a := openApp(t, "--smtp-host", host, "--smtp-port", port, "--smtp-tls", "none", "--smtp-from", "parley@test.example")
	// The first retry is due a second after a failure instead of ten.
	a.Runner.Now = func() time.Time { return time.Now().Add(-9 * time.Second) }
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	c := newFaultClient(t, srv.URL)
	ctx := context.Background()

	proxy.Cut()
	if code, _ := c.signIn("waiting@example.org"); code != http.StatusSeeOther {
		t.Fatalf("sign-in while mail is down: %d (the request must not depend on the mail server)", code)
	}
	if n, err := a.Runner.RunDue(ctx); err != nil || n != 1 {
		t.Fatalf("delivery while SMTP is down: ran %d, %v", n, err)
	}
	if found, sent := outboxTo(t, a, "waiting@example.org"); !found || sent {
		t.Fatalf("while SMTP is down the email must wait in the outbox: found %v sent %v", found, sent)
	}
	counts, err := a.Store.JobCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[jobs.Dead] != 0 || counts[jobs.Ready] != 1 {
		t.Fatalf("the delivery job must wait for a retry, not die: %v", counts)
	}

	proxy.Restore()
	time.Sleep(1100 * time.Millisecond)
	if n, err := a.Runner.RunDue(ctx); err != nil || n != 1 {
		t.Fatalf("after SMTP is back: ran %d, %v", n, err)
	}
	msgs := smtp.WaitFor(t, 1, 5*time.Second)
	if len(msgs) != 1 || msgs[0].To[0] != "waiting@example.org" {
		t.Fatalf("delivered %d messages: %+v", len(msgs), msgs)
	}
	if _, sent := outboxTo(t, a, "waiting@example.org"); !sent {
		t.Error("the message is not marked sent")
	}
	if n, _ := a.Runner.RunDue(ctx); n != 0 || len(smtp.Messages()) != 1 {
		t.Errorf("a second run sent again: %d jobs, %d messages", n, len(smtp.Messages()))
	}
}

// TestFaultDatabaseUnreachable cuts the connection to PostgreSQL: requests
// fail at once with an error page (the process stays up and says it is not
// ready), jobs wait, and nothing acknowledged before is lost.
func TestFaultDatabaseUnreachable(t *testing.T) {
	pg := storetest.PostgresURL(t)
	u, err := url.Parse(pg)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.Addr()
	a := openApp(t, "--database-url", u.String())
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	c := newFaultClient(t, srv.URL)
	ctx := context.Background()

	if code, _ := c.signIn("before@example.org"); code != http.StatusSeeOther {
		t.Fatalf("sign-in before the outage: %d", code)
	}

	proxy.Cut()
	start := time.Now()
	if code := c.get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("readyz during the outage: %d", code)
	}
	if code := c.get("/healthz"); code != http.StatusOK {
		t.Errorf("healthz during the outage: %d (the process is alive)", code)
	}
	code, body := c.signIn("during@example.org")
	if code < 500 || !strings.Contains(body, "<h1") {
		t.Errorf("sign-in during the outage: %d, want an error page", code)
	}
	if _, err := a.Runner.RunDue(ctx); err == nil {
		t.Error("the runner claimed jobs without a database")
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("the outage made requests hang for %v", d)
	}

	proxy.Restore()
	deadline := time.Now().Add(15 * time.Second)
	for c.get("/readyz") != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("not ready again after the database came back")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n, err := a.Runner.RunDue(ctx); err != nil || n != 1 {
		t.Fatalf("after the outage: ran %d jobs, %v", n, err)
	}
	if found, sent := outboxTo(t, a, "before@example.org"); !found || !sent {
		t.Errorf("the email acknowledged before the outage: found %v, sent %v", found, sent)
	}
	if found, _ := outboxTo(t, a, "during@example.org"); found {
		t.Error("a request refused during the outage was saved after all")
	}
	if code, _ := c.signIn("after@example.org"); code != http.StatusSeeOther {
		t.Errorf("sign-in after the outage: %d", code)
	}
}

// TestFaultDiskFull runs SQLite on a small file system and fills it:
// writes fail with an error page, the process keeps serving, what was
// acknowledged stays, and writes work again once there is room.
func TestFaultDiskFull(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", dir).CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("mounting a small file system (needs root): %v %s", err, out)
		}
		t.Skipf("cannot mount a small file system here (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	a := openApp(t, "--data-dir", dir)
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	c := newFaultClient(t, srv.URL)

	if code, _ := c.signIn("kept@example.org"); code != http.StatusSeeOther {
		t.Fatalf("sign-in with room: %d", code)
	}
	filler := filepath.Join(dir, "filler")
	fill(t, filler)

	var refused int
	for i := range 7 { // sign-in allows 10 requests at once from one address
		code, body := c.signIn(fmt.Sprintf("full%d@example.org", i))
		if code >= 500 {
			refused++
			if !strings.Contains(body, "<h1") {
				t.Errorf("disk full: %d without an error page", code)
			}
		}
	}
	if refused == 0 {
		t.Fatal("no write failed on a full disk: the test did not fill it")
	}
	if code := c.get("/healthz"); code != http.StatusOK {
		t.Errorf("healthz on a full disk: %d", code)
	}
	if found, _ := outboxTo(t, a, "kept@example.org"); !found {
		t.Error("the email acknowledged before the disk filled is gone")
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if code, _ := c.signIn("room-again@example.org"); code != http.StatusSeeOther {
		t.Errorf("sign-in after room was made: %d", code)
	}
	if found, _ := outboxTo(t, a, "room-again@example.org"); !found {
		t.Error("the write after the disk emptied was not kept")
	}
}

// fill writes to path until the file system has no room left.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				_ = f.Sync()
				return
			}
			t.Fatal(err)
		}
	}
}

// TestFaultKilledMidJob kills a process (SIGKILL) while it delivers a
// webhook: once its lease runs out another process runs the job again, and
// the receiver gets the mention once.
func TestFaultKilledMidJob(t *testing.T) {
	dir := t.TempDir()
	var requests, delivered atomic.Int32
	hit := make(chan struct{}, 1)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the body first: only then does the server notice the
		// client going away.
		_, _ = io.ReadAll(r.Body)
		if requests.Add(1) == 1 {
			hit <- struct{}{}
			<-r.Context().Done() // hang until the delivering process dies
			return
		}
		delivered.Add(1)
	}))
	defer recv.Close()

	a := openApp(t, "--data-dir", dir, "--feeds-allow-private")
	o, u := listeningOrg(t, a)
	ctx := context.Background()
	if _, err := a.Store.CreateWebhook(ctx, listening.Webhook{OrgID: o.ID, URL: recv.URL + "/hook"}, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.CreateRule(ctx, listening.Rule{OrgID: o.ID, Name: "Buses", Query: `"bus lane"`}, u.ID); err != nil {
		t.Fatal(err)
	}
	_, feedURL := startFeed(t, "Gazette", rssItem("https://gazette.example/bus", "Bus lane plan", "A bus lane on the high street."))
	f, err := a.Store.CreateFeed(ctx, listening.Feed{OrgID: o.ID, URL: feedURL}, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := a.FetchFeed(ctx, f.ID); err != nil || n != 1 {
		t.Fatalf("fetch: %d mentions, %v", n, err)
	}
	a.Close()

	child := exec.Command(os.Args[0], "-test.run=^TestFaultChildRunsJobs$")
	child.Env = append(os.Environ(), "PARLEY_FAULT_CHILD_DIR="+dir)
	child.Stdout, child.Stderr = io.Discard, io.Discard
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-hit:
	case <-time.After(60 * time.Second):
		child.Process.Kill()
		t.Fatal("the child never delivered the webhook")
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()

	b := openApp(t, "--data-dir", dir, "--feeds-allow-private")
	deadline := time.Now().Add(20 * time.Second)
	for delivered.Load() == 0 {
		if _, err := b.Runner.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the killed process's job never ran again")
		}
		time.Sleep(200 * time.Millisecond) // until the child's lease runs out
	}
	for range 3 { // nothing more is due: the job is done, not run twice
		if _, err := b.Runner.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if delivered.Load() != 1 || requests.Load() != 2 {
		t.Errorf("after the rerun: %d deliveries from %d requests, want 1 from 2", delivered.Load(), requests.Load())
	}
	js, err := b.Store.JobsByKind(ctx, listening.WebhookKind, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(js) != 1 || js[0].Attempts != 2 {
		t.Errorf("webhook jobs after the rerun: %+v, want one done on its second attempt", js)
	}
	if counts, _ := b.Store.JobCounts(ctx); counts[jobs.Running] != 0 || counts[jobs.Dead] != 0 {
		t.Errorf("jobs after the rerun: %v", counts)
	}
}

// TestFaultChildRunsJobs is the process TestFaultKilledMidJob kills: it
// runs due jobs with a two-second lease.
func TestFaultChildRunsJobs(t *testing.T) {
	dir := os.Getenv("PARLEY_FAULT_CHILD_DIR")
	if dir == "" {
		t.Skip("run by TestFaultKilledMidJob")
	}
	a := openApp(t, "--data-dir", dir, "--feeds-allow-private")
	a.Runner.Lease = 2 * time.Second
	_, err := a.Runner.RunDue(context.Background())
	t.Log("the child finished without being killed:", err)
}
