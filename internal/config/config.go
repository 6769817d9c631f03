// Package config holds Parley's typed configuration: every setting is a
// command-line flag mirrored by a PARLEY_* environment variable, parsed once
// and validated before anything starts.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration of one Parley process.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	BaseURL     string
	Brand       string // "govuk" or "neutral"
	SiteName    string
	// SecurityContact is where security problems are reported, published
	// in /.well-known/security.txt (RFC 9116).
	SecurityContact string
	Demo            bool
	DemoPolis       string // a Polis open-data folder the demo imports as a conversation
	LogLevel        string
	LogFormat       string // "text" or "json"

	SMTPHost     string
	SMTPPort     int
	SMTPUsername string
	SMTPPassword string
	SMTPFrom     string
	SMTPTLS      string // "starttls", "tls" or "none"

	NotifyAPIKey     string
	NotifyTemplateID string
	NotifyBaseURL    string

	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	OIDCName         string
	OIDCScopes       string

	SessionLifetime time.Duration
	SignInLinkTTL   time.Duration
	ShutdownTimeout time.Duration
	MaxBodyBytes    int64
	MaxInFlight     int
	Workers         int
	PageCache       time.Duration // public pages cached for visitors without a session; 0: off
	// FeedsAllowPrivate lets the feed fetcher reach loopback and private
	// addresses: off in production, so staff cannot point it into the
	// internal network; on for tests and offline demos.
	FeedsAllowPrivate bool
	// MentionRetention is how long listening keeps a mention: what people
	// wrote elsewhere is kept no longer than staff need it (UK GDPR).
	MentionRetention time.Duration
}

// option describes one setting: its flag, its environment variable, and how
// to show it.
type option struct {
	name   string
	usage  string
	secret bool
	bind   func(fs *flag.FlagSet, name, usage string)
	show   func() string
}

func (c *Config) options() []option {
	str := func(p *string, name, def, usage string, secret bool) option {
		return option{name: name, usage: usage, secret: secret,
			bind: func(fs *flag.FlagSet, n, u string) { fs.StringVar(p, n, def, u) },
			show: func() string { return *p }}
	}
	num := func(p *int, name string, def int, usage string) option {
		return option{name: name, usage: usage,
			bind: func(fs *flag.FlagSet, n, u string) { fs.IntVar(p, n, def, u) },
			show: func() string { return strconv.Itoa(*p) }}
	}
	dur := func(p *time.Duration, name string, def time.Duration, usage string) option {
		return option{name: name, usage: usage,
			bind: func(fs *flag.FlagSet, n, u string) { fs.DurationVar(p, n, def, u) },
			show: func() string { return p.String() }}
	}
	return []option{
		str(&c.Addr, "addr", "127.0.0.1:8080", "address to listen on", false),
		str(&c.DataDir, "data-dir", "./parley-data", "directory for the SQLite database and uploaded files", false),
		str(&c.DatabaseURL, "database-url", "", "postgres://… to use PostgreSQL instead of SQLite in the data directory", true),
		str(&c.BaseURL, "base-url", "", "public URL of the site, used in emails (default http://ADDR)", false),
		str(&c.Brand, "brand", "neutral", "look of the site: govuk (GOV.UK domains only) or neutral", false),
		str(&c.SiteName, "site-name", "Parley", "name of the service shown in the header", false),
		str(&c.SecurityContact, "security-contact", "", "where to report security problems, published in /.well-known/security.txt: a mailto: or https: URI (default mailto:security@ the base URL's host)", false),
		{name: "demo", usage: "load the demo dataset on first start",
			bind: func(fs *flag.FlagSet, n, u string) { fs.BoolVar(&c.Demo, n, false, u) },
			show: func() string { return strconv.FormatBool(c.Demo) }},
		str(&c.LogLevel, "log-level", "info", "debug, info, warn or error", false),
		str(&c.LogFormat, "log-format", "text", "text or json", false),
		str(&c.SMTPHost, "smtp-host", "", "SMTP server for email (none: emails stay in the dev outbox)", false),
		num(&c.SMTPPort, "smtp-port", 587, "SMTP port"),
		str(&c.SMTPUsername, "smtp-username", "", "SMTP user name", false),
		str(&c.SMTPPassword, "smtp-password", "", "SMTP password", true),
		str(&c.SMTPFrom, "smtp-from", "parley@localhost", "sender address of emails", false),
		str(&c.SMTPTLS, "smtp-tls", "starttls", "starttls, tls or none", false),
		str(&c.NotifyAPIKey, "notify-api-key", "", "GOV.UK Notify API key (sends email through Notify instead of SMTP)", true),
		str(&c.NotifyTemplateID, "notify-template-id", "", "GOV.UK Notify template with ((subject)) and ((body)) placeholders", false),
		str(&c.NotifyBaseURL, "notify-base-url", "https://api.notifications.service.gov.uk", "GOV.UK Notify API address", false),
		str(&c.OIDCIssuer, "oidc-issuer", "", "OpenID Connect issuer URL for single sign-on", false),
		str(&c.OIDCClientID, "oidc-client-id", "", "OpenID Connect client id", false),
		str(&c.OIDCClientSecret, "oidc-client-secret", "", "OpenID Connect client secret", true),
		str(&c.OIDCName, "oidc-name", "your organisation's account", "name of the identity provider shown on the sign-in page", false),
		str(&c.OIDCScopes, "oidc-scopes", "openid email profile", "space-separated OpenID Connect scopes", false),
		dur(&c.SessionLifetime, "session-lifetime", 24*time.Hour, "how long a sign-in lasts"),
		dur(&c.SignInLinkTTL, "sign-in-link-ttl", 15*time.Minute, "how long an email sign-in link works"),
		dur(&c.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "time to drain requests and jobs on shutdown"),
		{name: "max-body-bytes", usage: "largest request body accepted",
			bind: func(fs *flag.FlagSet, n, u string) { fs.Int64Var(&c.MaxBodyBytes, n, 1<<20, u) },
			show: func() string { return strconv.FormatInt(c.MaxBodyBytes, 10) }},
		num(&c.Workers, "workers", 4, "background jobs run at once"),
		num(&c.MaxInFlight, "max-in-flight", 1024, "requests served at once; past it the server answers 503 with Retry-After"),
		str(&c.DemoPolis, "demo-polis", "../shared/data/polis/15-per-hour-seattle", "Polis open-data folder the demo imports as a conversation (skipped when absent)", false),
		dur(&c.PageCache, "page-cache", 5*time.Second, "how long public pages are cached for visitors who are not signed in (0: off)"),
		dur(&c.MentionRetention, "mention-retention", 365*24*time.Hour, "how long listening keeps a mention before deleting it"),
		{name: "feeds-allow-private", usage: "let listening fetch feeds from, and deliver webhooks to, loopback and private addresses (tests and offline demos only)",
			bind: func(fs *flag.FlagSet, n, u string) { fs.BoolVar(&c.FeedsAllowPrivate, n, false, u) },
			show: func() string { return strconv.FormatBool(c.FeedsAllowPrivate) }},
	}
}

// EnvName returns the environment variable that mirrors a flag.
func EnvName(flagName string) string {
	return "PARLEY_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Load parses settings from the environment and then args (flags win) and
// validates them. getenv is os.Getenv in production; usage output goes to w.
func Load(name string, args []string, getenv func(string) string, w io.Writer) (*Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	finish := Bind(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return finish()
}

// Bind defines every setting on fs, so a command can add flags of its own
// beside them. After fs.Parse, call the returned function: it applies the
// environment to settings not given as flags and validates the result.
func Bind(fs *flag.FlagSet, getenv func(string) string) func() (*Config, error) {
	c := &Config{}
	opts := c.options()
	mine := map[string]bool{}
	for _, o := range opts {
		o.bind(fs, o.name, fmt.Sprintf("%s (%s)", o.usage, EnvName(o.name)))
		mine[o.name] = true
	}
	return func() (*Config, error) {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		var errs []error
		fs.VisitAll(func(f *flag.Flag) {
			if !mine[f.Name] || given[f.Name] {
				return
			}
			if v := getenv(EnvName(f.Name)); v != "" {
				if err := f.Value.Set(v); err != nil {
					errs = append(errs, fmt.Errorf("%s: %v", EnvName(f.Name), err))
				}
			}
		})
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		if err := c.validate(); err != nil {
			return nil, err
		}
		return c, nil
	}
}

func (c *Config) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("addr %q: want host:port", c.Addr)
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		bad("database-url: only postgres:// URLs are supported (leave it empty for SQLite)")
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		bad("data-dir: must not be empty")
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("base-url %q: want an absolute http or https URL", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.SecurityContact == "" {
		if u, err := url.Parse(c.BaseURL); err == nil {
			c.SecurityContact = "mailto:security@" + u.Hostname()
		}
	}
	if u, err := url.Parse(c.SecurityContact); err != nil || (u.Scheme != "mailto" && u.Scheme != "https") || strings.ContainsAny(c.SecurityContact, "\r\n") {
		bad("security-contact %q: want a mailto: or https: URI", c.SecurityContact)
	}
	if c.Brand != "govuk" && c.Brand != "neutral" {
		bad("brand %q: want govuk or neutral", c.Brand)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("log-format %q: want text or json", c.LogFormat)
	}
	switch c.SMTPTLS {
	case "starttls", "tls", "none":
	default:
		bad("smtp-tls %q: want starttls, tls or none", c.SMTPTLS)
	}
	if c.SMTPPort <= 0 || c.SMTPPort > 65535 {
		bad("smtp-port %d: out of range", c.SMTPPort)
	}
	if c.NotifyAPIKey != "" && c.NotifyTemplateID == "" {
		bad("notify-template-id: required with notify-api-key")
	}
	if c.NotifyAPIKey != "" && c.SMTPHost != "" {
		bad("set either smtp-host or notify-api-key, not both")
	}
	if (c.OIDCIssuer != "") != (c.OIDCClientID != "") {
		bad("oidc-issuer and oidc-client-id go together")
	}
	if c.SessionLifetime < time.Minute {
		bad("session-lifetime %v: too short", c.SessionLifetime)
	}
	if c.SignInLinkTTL < time.Minute || c.SignInLinkTTL > 24*time.Hour {
		bad("sign-in-link-ttl %v: want between 1m and 24h", c.SignInLinkTTL)
	}
	if c.MaxInFlight < 1 {
		bad("max-in-flight %d: want at least 1", c.MaxInFlight)
	}
	if c.MaxBodyBytes < 1024 {
		bad("max-body-bytes %d: too small", c.MaxBodyBytes)
	}
	if c.PageCache < 0 || c.PageCache > 10*time.Minute {
		bad("page-cache %v: want 0 to 10m", c.PageCache)
	}
	if c.MentionRetention < 24*time.Hour {
		bad("mention-retention %s: want at least 24h", c.MentionRetention)
	}
	if c.Workers < 1 || c.Workers > 256 {
		bad("workers %d: want 1 to 256", c.Workers)
	}
	return errors.Join(errs...)
}

// SQLitePath is the database file used when no database URL is set.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "parley.db") }

// UsesPostgres reports whether the database is PostgreSQL.
func (c *Config) UsesPostgres() bool { return c.DatabaseURL != "" }

// SecureCookies reports whether cookies must be marked Secure.
func (c *Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Redacted writes every setting, one per line, with secrets hidden.
func (c *Config) Redacted() string {
	var b strings.Builder
	for _, o := range c.options() {
		v := o.show()
		if o.secret && v != "" {
			v = redact(o.name, v)
		}
		fmt.Fprintf(&b, "%s=%s\n", o.name, v)
	}
	return b.String()
}

func redact(name, v string) string {
	if name == "database-url" {
		if u, err := url.Parse(v); err == nil {
			if _, ok := u.User.Password(); ok {
				u.User = url.UserPassword(u.User.Username(), "REDACTED")
			}
			return u.String()
		}
	}
	return "REDACTED"
}
