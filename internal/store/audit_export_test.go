package store

import "context"

// ExecForTest runs a statement outside any store method, as someone with
// direct access to the database could.
func ExecForTest(ctx context.Context, s *Store, q string, args ...any) error {
	_, err := s.write.ExecContext(ctx, q, args...)
	return err
}
