package store

import "context"

// SetAgeBand gives a response an age band directly, so the measurement
// tests do not depend on the respond journey that asks for it.
func SetAgeBand(ctx context.Context, s *Store, responseID int64, band string) error {
	_, err := s.write.ExecContext(ctx, `UPDATE consultation_responses SET age_band = $1 WHERE id = $2`, band, responseID)
	return err
}
