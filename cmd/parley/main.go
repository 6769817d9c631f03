// Command parley runs the Parley engagement platform: the web server, its
// database migrations and its administration tasks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"parley/internal/app"
	"parley/internal/config"
)

const usage = `Parley: digital engagement for public bodies.

Usage:
  parley serve [--demo] [flags]          run the platform (default http://127.0.0.1:8080)
  parley migrate [flags]                 bring the database schema up to date
  parley config [flags]                  print the configuration, secrets redacted
  parley admin create-org --slug SLUG --name NAME [--name-cy NAME] [flags]
  parley admin create-user --email EMAIL [--org SLUG --role ROLE] [--platform-admin] [flags]
  parley admin token --email EMAIL [--name NAME] [--ttl DURATION] [flags]
  parley admin revoke-token --id ID [flags]
  parley opinion analyse DIR             opinion groups of a Polis open-data export, as JSON
  parley textsim campaigns FILE.csv      campaign (form-letter) clusters of id,text rows, as JSON

Every command takes the same settings as serve (run 'parley serve --help'),
each also read from a PARLEY_* environment variable.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "parley:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stderr)
	case "migrate":
		cfg, log, err := load("migrate", args[1:], getenv, stderr)
		if err != nil {
			return err
		}
		st, err := app.OpenMigrated(ctx, cfg)
		if err != nil {
			return err
		}
		defer st.Close()
		v, _ := st.SchemaVersion(ctx)
		log.Info("database is up to date", "version", v)
		return nil
	case "config":
		cfg, _, err := load("config", args[1:], getenv, stderr)
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, cfg.Redacted())
		return nil
	case "admin":
		return admin(ctx, args[1:], getenv, stdout, stderr)
	case "opinion":
		return runOpinion(args[1:], stdout, stderr)
	case "textsim":
		return runTextsim(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// load parses the settings and makes the logger. Logs go to stderr so
// stdout carries only a command's result (a token, say).
func load(name string, args []string, getenv func(string) string, stderr io.Writer) (*config.Config, *slog.Logger, error) {
	cfg, err := config.Load(name, args, getenv, stderr)
	if err != nil {
		return nil, nil, err
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(stderr, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(stderr, opts)
	}
	return cfg, slog.New(h), nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, log, err := load("serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	log.Info("configuration\n" + cfg.Redacted())
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.Demo {
		seeded, err := a.SeedDemo(ctx)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if seeded {
			log.Info("demo data loaded: sign in as any demo account; the links appear at " + cfg.BaseURL + "/dev/outbox")
		}
	}
	return a.Serve(ctx, nil)
}

// admin runs 'parley admin SUBCOMMAND': the subcommand's own flags come
// first, then the shared settings.
func admin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("admin: no subcommand given")
	}
	sub := args[0]
	fs := flag.NewFlagSet("admin "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		slug, name, nameCY, brand, email, orgSlug, role, tokenName string
		platformAdmin                                              bool
		ttl                                                        time.Duration
		id                                                         string
	)
	switch sub {
	case "create-org":
		fs.StringVar(&slug, "slug", "", "short name used in web addresses")
		fs.StringVar(&name, "name", "", "name in English")
		fs.StringVar(&nameCY, "name-cy", "", "name in Welsh")
		fs.StringVar(&brand, "org-brand", "", "govuk or neutral (default: the site's)")
	case "create-user":
		fs.StringVar(&email, "email", "", "email address")
		fs.StringVar(&orgSlug, "org", "", "organisation slug to give a role in")
		fs.StringVar(&role, "role", "", "admin, editor, moderator or analyst")
		fs.BoolVar(&platformAdmin, "platform-admin", false, "make the user a platform administrator")
	case "token":
		fs.StringVar(&email, "email", "", "email address of the token's owner")
		fs.StringVar(&tokenName, "name", "cli", "a name to recognise the token by")
		fs.DurationVar(&ttl, "ttl", 0, "how long the token works (0: until revoked)")
	case "revoke-token":
		fs.StringVar(&id, "id", "", "id of the token")
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("admin: unknown subcommand %q", sub)
	}
	finish := config.Bind(fs, getenv)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("admin %s: unexpected argument %q", sub, fs.Arg(0))
	}
	cfg, err := finish()
	if err != nil {
		return err
	}
	st, err := app.OpenMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	ad := app.Admin{Store: st}
	switch sub {
	case "create-org":
		o, err := ad.CreateOrg(ctx, slug, name, nameCY, brand)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "created organisation %s (id %d)\n", o.Slug, o.ID)
	case "create-user":
		if (orgSlug == "") != (role == "") {
			return errors.New("create-user: --org and --role go together")
		}
		u, err := ad.CreateUser(ctx, email, orgSlug, role, platformAdmin)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "user %d ready\n", u.ID)
	case "token":
		plain, t, err := ad.Token(ctx, email, tokenName, ttl)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, plain)
		fmt.Fprintf(stderr, "token %d issued; it is shown once and stored only as a hash\n", t.ID)
	case "revoke-token":
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return fmt.Errorf("revoke-token: --id %q is not a number", id)
		}
		if err := ad.RevokeToken(ctx, n); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "token %d revoked\n", n)
	}
	return nil
}
