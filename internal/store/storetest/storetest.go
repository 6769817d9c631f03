// Package storetest opens throw-away databases for tests: a SQLite file in
// a temporary directory, and a fresh schema in the PostgreSQL database named
// by PARLEY_TEST_DATABASE_URL. Without that variable PostgreSQL tests skip,
// except in CI (CI=true), where they are required and fail instead.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"parley/internal/store"
)

// EnvURL names the variable holding the PostgreSQL URL for tests.
const EnvURL = "PARLEY_TEST_DATABASE_URL"

// PostgresURL returns a URL for a new, empty schema in the test PostgreSQL
// database, dropped when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: PostgreSQL tests are required in CI", EnvURL)
		}
		t.Skipf("%s not set: skipping PostgreSQL (set it to run these tests)", EnvURL)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a migrated store of the dialect, closed when the test ends.
func Open(t testing.TB, d store.Dialect, now func() time.Time) *store.Store {
	t.Helper()
	o := store.Options{Now: now}
	if d == store.Postgres {
		o.DatabaseURL = PostgresURL(t)
	} else {
		o.SQLitePath = filepath.Join(t.TempDir(), "parley.db")
	}
	s, err := store.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// Each runs f against a fresh store on each database, as subtests.
func Each(t *testing.T, f func(t *testing.T, s *store.Store)) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			f(t, Open(t, d, nil))
		})
	}
}

// Clock is a settable clock for tests.
type Clock struct{ T time.Time }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return c.T }

// Advance moves the clock on.
func (c *Clock) Advance(d time.Duration) { c.T = c.T.Add(d) }

// EachWithClock is Each with a store whose clock the test controls.
func EachWithClock(t *testing.T, f func(t *testing.T, s *store.Store, c *Clock)) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			c := &Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
			f(t, Open(t, d, c.Now), c)
		})
	}
}
