package store

// Stubs until the proposal store lands; each is removed as it is written.

import (
	"context"
	"errors"
	"time"

	"parley/internal/proposal"
)

func (s *Store) CreateBoard(ctx context.Context, b proposal.Board, actorID int64) (proposal.Board, error) {
	return proposal.Board{}, errNotYet
}
func (s *Store) UpdateBoard(ctx context.Context, b proposal.Board, actorID int64) error {
	return errNotYet
}
func (s *Store) Board(ctx context.Context, id int64) (proposal.Board, error) {
	return proposal.Board{}, errNotYet
}
func (s *Store) Boards(ctx context.Context, orgID int64) ([]proposal.Board, error) {
	return nil, errNotYet
}
func (s *Store) CreateProposal(ctx context.Context, p proposal.Proposal, authorSig *proposal.Signature) (proposal.Proposal, error) {
	return proposal.Proposal{}, errNotYet
}
func (s *Store) Proposal(ctx context.Context, id int64) (proposal.Proposal, error) {
	return proposal.Proposal{}, errNotYet
}
func (s *Store) ProposalBySponsorToken(ctx context.Context, token string) (proposal.Proposal, error) {
	return proposal.Proposal{}, errNotYet
}
func (s *Store) Proposals(ctx context.Context, f proposal.ListFilter) ([]proposal.Proposal, int, error) {
	return nil, 0, errNotYet
}
func (s *Store) SimilarProposals(ctx context.Context, boardID int64, text string, limit int) ([]proposal.Proposal, error) {
	return nil, errNotYet
}
func (s *Store) ModerateProposal(ctx context.Context, id int64, to proposal.Stage, reason string, actorID int64) error {
	return errNotYet
}
func (s *Store) SetProposalStatus(ctx context.Context, c proposal.StatusChange) (proposal.StatusChange, error) {
	return proposal.StatusChange{}, errNotYet
}
func (s *Store) StatusChanges(ctx context.Context, proposalID int64) ([]proposal.StatusChange, error) {
	return nil, errNotYet
}
func (s *Store) MergeProposals(ctx context.Context, fromID, intoID int64, actorID int64) (proposal.Merge, error) {
	return proposal.Merge{}, errNotYet
}
func (s *Store) Support(ctx context.Context, proposalID, userID int64) error  { return errNotYet }
func (s *Store) Withdraw(ctx context.Context, proposalID, userID int64) error { return errNotYet }
func (s *Store) Supports(ctx context.Context, proposalID, userID int64) (bool, error) {
	return false, errNotYet
}
func (s *Store) Blocks(ctx context.Context, orgID int64) ([]proposal.Block, error) {
	return nil, errNotYet
}
func (s *Store) AddBlock(ctx context.Context, b proposal.Block, actorID int64) (proposal.Block, error) {
	return proposal.Block{}, errNotYet
}
func (s *Store) RemoveBlock(ctx context.Context, orgID, id int64, actorID int64) error {
	return errNotYet
}
func (s *Store) Trending(ctx context.Context, orgID int64, since time.Time) ([]proposal.Trend, error) {
	return nil, errNotYet
}
func (s *Store) InvalidateSignatures(ctx context.Context, orgID int64, v proposal.Invalidation, dryRun bool, actorID int64) (int, error) {
	return 0, errNotYet
}
func (s *Store) SetAreas(ctx context.Context, orgID int64, rows []proposal.AreaRow, actorID int64) error {
	return errNotYet
}
func (s *Store) Areas(ctx context.Context, orgID int64) ([]proposal.AreaRow, error) {
	return nil, errNotYet
}
func (s *Store) AddComment(ctx context.Context, c proposal.Comment) (proposal.Comment, error) {
	return proposal.Comment{}, errNotYet
}
func (s *Store) Comment(ctx context.Context, id int64) (proposal.Comment, error) {
	return proposal.Comment{}, errNotYet
}
func (s *Store) Comments(ctx context.Context, proposalID int64, all bool) ([]proposal.Comment, error) {
	return nil, errNotYet
}
func (s *Store) ReportComment(ctx context.Context, r proposal.Report) error { return errNotYet }
func (s *Store) ReportedComments(ctx context.Context, orgID int64) ([]proposal.Comment, error) {
	return nil, errNotYet
}
func (s *Store) ModerateComment(ctx context.Context, id int64, hide bool, reason string, actorID int64) error {
	return errNotYet
}

var errNotYet = errors.New("store: not written yet")
