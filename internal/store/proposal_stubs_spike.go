package store

// Stubs until the proposal store lands; each is removed as it is written.

import (
	"context"

	"parley/internal/outbox"
	"parley/internal/proposal"
)

func (s *Store) SubmitSignature(ctx context.Context, sig proposal.Signature, compose func(sig proposal.Signature, token string) outbox.Message) error {
	return errNotYet
}
func (s *Store) ConfirmSignature(ctx context.Context, token string) (proposal.Signature, error) {
	return proposal.Signature{}, errNotYet
}
func (s *Store) CountsByArea(ctx context.Context, proposalID int64) ([]proposal.AreaCount, error) {
	return nil, errNotYet
}
