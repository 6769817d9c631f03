package store

import (
	"context"

	"github.com/pressly/goose/v3"
)

// MigrateToForTest brings a new store's schema up to version only, so a
// test can load data the next migration moves.
func MigrateToForTest(ctx context.Context, s *Store, version int64) error {
	gd := goose.DialectSQLite3
	if s.dialect == Postgres {
		gd = goose.DialectPostgres
	}
	p, err := goose.NewProvider(gd, s.write, s.migrationFS())
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}
