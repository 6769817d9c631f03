package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"parley/internal/app"
	"parley/internal/config"
	"parley/internal/mail/smtptest"
	"parley/internal/store/storetest"
)

// chromiumPath is the only browser the tests use.
const chromiumPath = "/usr/bin/chromium"

// testTimeout bounds each browser test, so a hung page fails one test
// instead of the whole run.
const testTimeout = 60 * time.Second

// browser is the one Chromium process the package's tests share; each test
// opens its own tab in its own browser context (cookies are not shared).
// It starts on first use, so tests that need no browser pay nothing.
var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel func()
	dir    string
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
		os.RemoveAll(browser.dir)
	}
	os.Exit(code)
}

func startBrowser() {
	if _, err := os.Stat(chromiumPath); err != nil {
		browser.err = fmt.Errorf("%s not found (apt-get install -y chromium): %w", chromiumPath, err)
		return
	}
	dir, err := os.MkdirTemp("", "parley-e2e-chromium-")
	if err != nil {
		browser.err = err
		return
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1024, 768),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	browser.ctx, browser.dir = ctx, dir
	browser.cancel = func() { cancelCtx(); cancelAlloc() }
	// Start the process now, with the browser's own context, so it lives as
	// long as the package's tests, not as long as the first test.
	if err := chromedp.Do(ctx); err != nil {
		browser.err = fmt.Errorf("starting Chromium: %w", err)
	}
}

// needBrowser skips the test when Chromium is missing, or fails it in CI.
// Browser tests call it first, before starting anything else.
func needBrowser(t *testing.T) {
	t.Helper()
	browser.once.Do(startBrowser)
	if browser.err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("browser tests are required in CI: %v", browser.err)
		}
		t.Skipf("skipping browser test: %v", browser.err)
	}
}

// tab opens a fresh tab, with its own cookies, in the shared browser.
func tab(t *testing.T) context.Context {
	t.Helper()
	return tabFor(t, testTimeout)
}

// tabFor is tab with a longer time limit, for a test that checks many pages
// in one tab (each check has its own, shorter, limit).
func tabFor(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	needBrowser(t)
	tctx, cancelTimeout := context.WithTimeout(browser.ctx, limit)
	ctx, cancelTab := chromedp.NewContext(tctx, chromedp.WithNewBrowserContext())
	t.Cleanup(func() { cancelTab(); cancelTimeout() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return ctx
}

// site is one running Parley with the demo data.
type site struct {
	base string
	app  *app.App
	smtp *smtptest.Server // nil: emails go to the dev outbox
	// conversations are the ones the accessibility checks visit.
	conversations conversationIDs
	// consultations are the ones the accessibility checks visit.
	consultations consultationIDs
}

type siteOptions struct {
	brand    string // govuk or neutral; default neutral
	smtp     bool   // send email through a real SMTP server on loopback
	postgres bool   // PostgreSQL instead of SQLite
	// listening serves the demo's feeds and lets the fetcher reach them on
	// loopback, so feeds added in the test are really fetched.
	listening bool
}

// startSite serves Parley on a free loopback port until the test ends.
func startSite(t *testing.T, o siteOptions) *site {
	t.Helper()
	if o.brand == "" {
		o.brand = "neutral"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &site{base: "http://" + ln.Addr().String()}
	args := []string{"--data-dir", t.TempDir(), "--base-url", s.base, "--addr", ln.Addr().String(),
		"--brand", o.brand, "--shutdown-timeout", "5s", "--demo-polis", "../../shared/data/polis/15-per-hour-seattle"}
	if o.smtp {
		s.smtp = smtptest.Start(t)
		args = append(args, "--smtp-host", s.smtp.Host(), "--smtp-port", fmt.Sprint(s.smtp.Port()), "--smtp-tls", "none")
	}
	if o.postgres {
		args = append(args, "--database-url", storetest.PostgresURL(t))
	}
	if o.listening {
		args = append(args, "--demo", "--feeds-allow-private")
	}
	cfg, err := config.Load("serve", args, func(string) string { return "" }, io.Discard)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		cancel()
		ln.Close()
		t.Fatal(err)
	}
	s.app = a
	if _, err := a.SeedDemo(ctx); err != nil {
		cancel()
		ln.Close()
		a.Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.ServeListener(ctx, ln, nil) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.Close()
	})
	return s
}

// demoStaff returns the demo account with the role at North Shire County
// Council, and that organisation's slug.
func demoStaff(t *testing.T, role string) (email, org string) {
	t.Helper()
	for _, p := range app.DemoPeople() {
		if string(p.Role) == role && p.Org == app.DemoOrgs[1].Slug {
			return p.Email, p.Org
		}
	}
	t.Fatalf("no demo %s", role)
	return "", ""
}

var signInLinkRE = regexp.MustCompile(`https?://\S+/sign-in/link/\S+`)

// linkFromBody finds the sign-in link in an email body.
func linkFromBody(t *testing.T, body string) string {
	t.Helper()
	link := signInLinkRE.FindString(body)
	if link == "" {
		t.Fatalf("no sign-in link in the email:\n%s", body)
	}
	return link
}

// emailedLink returns the sign-in link most recently emailed to addr: from
// the SMTP server when the site has one, else from the outbox table.
func (s *site) emailedLink(t *testing.T, addr string) string {
	t.Helper()
	if s.smtp != nil {
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			msgs := s.smtp.Messages()
			for i := len(msgs) - 1; i >= 0; i-- {
				if len(msgs[i].To) != 1 || !strings.EqualFold(msgs[i].To[0], addr) {
					continue
				}
				body, err := msgs[i].Text()
				if err != nil {
					t.Fatal(err)
				}
				// The demo's own jobs email staff too (thresholds, digests).
				if link := signInLinkRE.FindString(body); link != "" {
					return link
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("no email to %s arrived over SMTP", addr)
	}
	// The demo's jobs may queue many emails of their own (answers to
	// proposals' supporters) just after the sign-in link: look far enough.
	msgs, err := s.app.Store.Outbox(context.Background(), 5000)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs { // newest first
		if strings.EqualFold(m.To, addr) && m.Kind == "sign-in" {
			return linkFromBody(t, m.Body)
		}
	}
	t.Fatalf("no email to %s in the outbox", addr)
	return ""
}

// view is what a test reads of the current page.
type view struct {
	Path  string `json:"path"`
	Lang  string `json:"lang"`
	Title string `json:"title"`
	H1    string `json:"h1"`
	Text  string `json:"text"`  // the whole visible text
	Nav   string `json:"nav"`   // the service navigation's text
	JS    bool   `json:"js"`    // whether the page's own script ran
	Ready bool   `json:"ready"` // document.readyState is complete
}

const readPage = `(() => ({
  path: location.pathname + location.search,
  lang: document.documentElement.lang,
  title: document.title,
  h1: (document.querySelector('h1') || {}).innerText || '',
  text: document.body ? document.body.innerText : '',
  nav: (document.querySelector('.govuk-service-navigation') || {}).innerText || '',
  js: !!document.body && document.body.classList.contains('js-enabled'),
  ready: document.readyState === 'complete',
}))()`

// waitFor polls the page (Go-side, so it works with JavaScript disabled
// too) until ok accepts it, and returns it.
func waitFor(t *testing.T, ctx context.Context, what string, ok func(view) bool) view {
	t.Helper()
	var last view
	var lastErr error
	for {
		p, err := chromedp.Run(ctx, chromedp.Evaluate[view](readPage))
		if err == nil && p.Ready && ok(p) {
			return p
		}
		last, lastErr = p, err
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v; last page %q (h1 %q, err %v):\n%s", what, ctx.Err(), last.Path, last.H1, lastErr, last.Text)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitPath waits until the page at path (without query) has loaded.
func waitPath(t *testing.T, ctx context.Context, path string) view {
	t.Helper()
	return waitFor(t, ctx, path, func(p view) bool {
		got, _, _ := strings.Cut(p.Path, "?")
		return got == path
	})
}

// do runs browser actions and fails the test on error.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// call runs one DevTools command on the tab.
func call[P, R any](t *testing.T, ctx context.Context, cmd cdp.Command[P, R], params P) R {
	t.Helper()
	r, err := chromedp.Call(ctx, cmd, params)
	if err != nil {
		t.Fatalf("%s: %v", cmd.Method, err)
	}
	return r
}

// leave marks the page shown, does act (a click that submits a form),
// and waits until another page has loaded, so that what is read next is
// not the page the form was on.
func leave(t *testing.T, ctx context.Context, what string, act chromedp.Action[chromedp.Void]) {
	t.Helper()
	do(t, ctx, "mark the page", chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.left = "1"`))
	do(t, ctx, what, act)
	deadline := time.Now().Add(20 * time.Second)
	for {
		left, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.dataset.left === "1" || document.readyState !== "complete"`))
		if err == nil && !left {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no new page loaded", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
