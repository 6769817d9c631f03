// Package app is Parley's composition root: the one package that imports
// everything and wires it together. cmd/parley and the end-to-end tests use it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"parley/internal/api"
	"parley/internal/config"
	"parley/internal/consultation"
	"parley/internal/conversation"
	"parley/internal/feed"
	"parley/internal/i18n"
	"parley/internal/jobs"
	"parley/internal/listening"
	"parley/internal/mail"
	"parley/internal/moderation"
	"parley/internal/outbox"
	"parley/internal/sso"
	"parley/internal/store"
	"parley/internal/web"
)

// App is one running Parley: its store, web server, API and job runner.
type App struct {
	Config    *config.Config
	Log       *slog.Logger
	Store     *store.Store
	Catalogue *i18n.Catalogue
	Runner    *jobs.Runner
	Web       *web.Server
	Fetcher   *feed.Fetcher // shared, so its per-host limit holds across workers
	webhooks  *http.Client
	ruleSets  ruleSets // compiled listening rules per organisation
	handler   http.Handler
}

// Open connects to the database, migrates it and wires the application.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger) (*App, error) {
	st, err := OpenMigrated(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a, err := wire(cfg, log, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

// OpenMigrated opens the configured database and brings its schema up to date.
func OpenMigrated(ctx context.Context, cfg *config.Config) (*store.Store, error) {
	st, err := store.Open(ctx, store.Options{DatabaseURL: cfg.DatabaseURL, SQLitePath: cfg.SQLitePath(),
		// The baseline of bench/signatures.sh only: see store.Options.
		NaiveSignatures: os.Getenv("PARLEY_BENCH_NAIVE_SIGNATURES") == "1"})
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func wire(cfg *config.Config, log *slog.Logger, st *store.Store) (*App, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	sender, err := newSender(cfg, log)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	runner := &jobs.Runner{Queue: st, Log: log, Owner: fmt.Sprintf("%s:%d", host, os.Getpid()), Workers: cfg.Workers}
	fetcher := feed.New(feed.Options{UserAgent: feed.UserAgent("1", cfg.BaseURL), AllowPrivate: cfg.FeedsAllowPrivate})
	a := &App{Config: cfg, Log: log, Store: st, Catalogue: cat, Runner: runner, Fetcher: fetcher,
		webhooks: newWebhookClient(cfg.FeedsAllowPrivate)}
	runner.Handle(outbox.JobKind, mail.NewDeliverer(st, sender, log).Handle)
	runner.Handle(outbox.FanOutJobKind, a.fanOut)
	runner.Handle(cleanupJob, a.cleanup)
	runner.Handle(conversation.RecomputeKind, a.recompute)
	runner.Handle(listening.PollKind, a.pollFeeds)
	runner.Handle(listening.FetchKind, a.fetchFeed)
	runner.Every(cleanupJob, 10*time.Minute)
	runner.Every(listening.PollKind, pollEvery)
	runner.Handle(listening.DigestKind, a.sendDigests)
	runner.Handle(listening.WebhookKind, a.deliverWebhook)
	runner.Every(listening.DigestKind, digestEvery)
	runner.Handle(consultation.ScheduleKind, a.scheduleConsultations)
	runner.Handle(consultation.OutcomeKind, a.consultationOutcome)
	runner.Every(consultation.ScheduleKind, time.Minute)
	runner.Handle(measureCollectJob, a.collectMeasures)
	runner.Handle(moderation.NotifyJob, a.moderationJob)
	runner.Every(measureCollectJob, 10*time.Minute)
	a.registerProposalJobs(runner)
	a.registerBulkMail(runner, sender)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(newJobCollector(st))

	formKey, err := loadFormKey(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	var provider web.SSO
	if cfg.OIDCIssuer != "" {
		provider = sso.New(sso.Config{
			Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret,
			RedirectURL: cfg.BaseURL + "/sign-in/oidc/callback", Scopes: strings.Fields(cfg.OIDCScopes),
		}, nil)
	}
	a.Web, err = web.New(web.Options{
		Store:            st,
		Sessions:         st.Sessions(),
		Catalogue:        cat,
		Log:              log,
		Metrics:          reg,
		API:              api.New(st, log, cfg.BaseURL).Handler(),
		SSO:              provider,
		SSOName:          cfg.OIDCName,
		BaseURL:          cfg.BaseURL,
		Brand:            cfg.Brand,
		SiteName:         cfg.SiteName,
		SecurityContact:  cfg.SecurityContact,
		MentionRetention: cfg.MentionRetention,
		DevOutbox:        isDev(sender),
		SecureCookies:    cfg.SecureCookies(),
		SessionTTL:       cfg.SessionLifetime,
		SignInLinkTTL:    cfg.SignInLinkTTL,
		MaxBodyBytes:     cfg.MaxBodyBytes,
		MaxInFlight:      cfg.MaxInFlight,
		PageCacheTTL:     cfg.PageCache,
		WakeJobs:         runner.Wake,
		Feeds:            feedTools{},
		DocumentDir:      filepath.Join(cfg.DataDir, "documents"),
		FormKey:          formKey,
	})
	if err != nil {
		return nil, err
	}
	a.handler = a.Web.Handler()
	if cfg.Demo {
		// The demo's own feeds, so listening works offline.
		mux := http.NewServeMux()
		mux.HandleFunc("GET /demo/feeds/{name}", serveDemoFeed)
		mux.Handle("/", a.handler)
		a.handler = mux
	}
	return a, nil
}

func newSender(cfg *config.Config, log *slog.Logger) (mail.Sender, error) {
	switch {
	case cfg.SMTPHost != "":
		return mail.NewSMTP(mail.SMTPConfig{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername,
			Password: cfg.SMTPPassword, From: cfg.SMTPFrom, TLS: cfg.SMTPTLS})
	case cfg.NotifyAPIKey != "":
		return mail.NewNotify(mail.NotifyConfig{APIKey: cfg.NotifyAPIKey, TemplateID: cfg.NotifyTemplateID, BaseURL: cfg.NotifyBaseURL})
	}
	return mail.NewDev(log), nil
}

func isDev(s mail.Sender) bool {
	_, ok := s.(*mail.Dev)
	return ok
}

// Handler is the whole site, for tests that serve it themselves.
func (a *App) Handler() http.Handler { return a.handler }

// Close releases the database and the fetcher's connections.
func (a *App) Close() error {
	a.Fetcher.Close()
	return a.Store.Close()
}

// Serve listens on the configured address until ctx is cancelled, running
// jobs meanwhile; then it stops taking requests, lets those in hand finish,
// and only then lets the jobs in hand finish.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return err
	}
	return a.ServeListener(ctx, ln, ready)
}

// ServeListener is Serve on a listener the caller opened.
func (a *App) ServeListener(ctx context.Context, ln net.Listener, ready func(addr string)) error {
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	drainCtx, cancelDrain := context.WithCancel(context.Background())
	defer cancelDrain()
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		_ = a.Runner.Run(jobsCtx, drainCtx)
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	a.Log.Info("serving", "addr", ln.Addr().String(), "base_url", a.Config.BaseURL, "database", string(a.Store.Dialect()))
	if ready != nil {
		ready(ln.Addr().String())
	}
	var err error
	select {
	case err = <-serveErr:
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: draining requests")
	shutCtx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if serr := srv.Shutdown(shutCtx); serr != nil {
		err = errors.Join(err, serr)
	}
	a.Log.Info("draining jobs")
	stopJobs()
	timer := time.AfterFunc(a.Config.ShutdownTimeout, cancelDrain)
	<-jobsDone
	timer.Stop()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
