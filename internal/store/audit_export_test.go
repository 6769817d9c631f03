package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// ExecForTest runs a statement outside any store method, as someone with
// direct access to the database could.
func ExecForTest(ctx context.Context, s *Store, q string, args ...any) error {
	_, err := s.write.ExecContext(ctx, q, args...)
	return err
}

// TablesForTest returns every row of every table of the schema, each row's
// values joined into one string, by table: for tests that look for a
// value anywhere in the database.
func TablesForTest(ctx context.Context, s *Store) (map[string][]string, error) {
	list := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if s.dialect == Postgres {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	var names []string
	if err := each(ctx, s.read, list, nil, func(r *sql.Rows) error {
		var n string
		err := r.Scan(&n)
		names = append(names, n)
		return err
	}); err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, n := range names {
		rows, err := s.read.QueryContext(ctx, `SELECT * FROM "`+n+`"`)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			var b strings.Builder
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprint(&b, v, "\x1f")
			}
			out[n] = append(out[n], b.String())
		}
		rows.Close()
	}
	return out, nil
}
