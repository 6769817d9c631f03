package web

import (
	"context"
	"time"

	"parley/internal/outbox"
	"parley/internal/proposal"
)

// ProposalStore is what the pages of ideas and petitions need of the
// database. Every method that changes data records an audit entry for a
// non-zero actor; actor 0 is a citizen or the system.
type ProposalStore interface {
	// Boards.
	CreateBoard(ctx context.Context, b proposal.Board, actorID int64) (proposal.Board, error)
	// UpdateBoard saves a board's text and rules (its kind never changes).
	UpdateBoard(ctx context.Context, b proposal.Board, actorID int64) error
	Board(ctx context.Context, id int64) (proposal.Board, error)
	Boards(ctx context.Context, orgID int64) ([]proposal.Board, error)

	// Proposals.
	// CreateProposal validates p against its board, puts it at
	// proposal.FirstStage (a petition needing sponsors gets a
	// SponsorToken) and, in the same transaction, records the author's
	// own support: an idea's support by p.AuthorID, or a petition's
	// confirmed signature authorSig (the author's verified address).
	CreateProposal(ctx context.Context, p proposal.Proposal, authorSig *proposal.Signature) (proposal.Proposal, error)
	// Proposal returns one proposal with Supporters filled.
	Proposal(ctx context.Context, id int64) (proposal.Proposal, error)
	ProposalBySponsorToken(ctx context.Context, token string) (proposal.Proposal, error)
	// Proposals lists proposals with Supporters filled, and the total
	// that match f ignoring Limit and Offset.
	Proposals(ctx context.Context, f proposal.ListFilter) ([]proposal.Proposal, int, error)
	// SimilarProposals finds published proposals of a board whose title
	// or body share words with text, best first.
	SimilarProposals(ctx context.Context, boardID int64, text string, limit int) ([]proposal.Proposal, error)

	// Moderation and answers.
	// ModerateProposal moves a proposal between stages as
	// proposal.CanModerate allows (Conflict otherwise); publishing stamps
	// PublishedAt and, for petitions with OpenDays, ClosesAt.
	ModerateProposal(ctx context.Context, id int64, to proposal.Stage, reason string, actorID int64) error
	// SetProposalStatus validates and records an official status with its
	// response, stamps RespondedAt when a response was owed, and enqueues
	// proposal.StatusJob to email the supporters, in one transaction.
	SetProposalStatus(ctx context.Context, c proposal.StatusChange) (proposal.StatusChange, error)
	StatusChanges(ctx context.Context, proposalID int64) ([]proposal.StatusChange, error)
	// ClosePetition stops a published petition taking signatures now
	// (closing one already closed is not an error; ideas: Conflict).
	ClosePetition(ctx context.Context, id int64, actorID int64) error
	// MergeProposals merges duplicate fromID into intoID (same board):
	// each supporter of the duplicate moves across once, the duplicate
	// gets status Duplicate and MergedInto, counts are recomputed and
	// proposal.MergeJob is enqueued, in one transaction.
	MergeProposals(ctx context.Context, fromID, intoID int64, actorID int64) (proposal.Merge, error)

	// Ideas: one support per signed-in citizen, through the group commit.
	// Support is Conflict when the proposal is not supportable or is a
	// petition; supporting twice is not an error.
	Support(ctx context.Context, proposalID, userID int64) error
	Withdraw(ctx context.Context, proposalID, userID int64) error
	Supports(ctx context.Context, proposalID, userID int64) (bool, error)

	// Petitions: signatures through the spike path.
	// SubmitSignature stores a pending signature and its confirmation
	// email (compose gets the raw token for the link) through the
	// signature batcher; it returns once both are durable. Signing again
	// with the same normalised address is not an error and stores
	// nothing new. Unavailable when the batcher is full (shed load).
	SubmitSignature(ctx context.Context, sig proposal.Signature, compose func(sig proposal.Signature, token string) outbox.Message) error
	// ConfirmSignature counts the signature a token names, once; following
	// the link again returns the same signature and changes nothing.
	ConfirmSignature(ctx context.Context, token string) (proposal.Signature, error)
	// CountsByArea returns a proposal's support by area, largest first.
	CountsByArea(ctx context.Context, proposalID int64) ([]proposal.AreaCount, error)

	// Fraud controls.
	Blocks(ctx context.Context, orgID int64) ([]proposal.Block, error)
	AddBlock(ctx context.Context, b proposal.Block, actorID int64) (proposal.Block, error)
	RemoveBlock(ctx context.Context, orgID, id int64, actorID int64) error
	// Trending counts signatures per petition, hour and IP address or
	// email domain since a time, flagging those above the board's alert.
	Trending(ctx context.Context, orgID int64, since time.Time) ([]proposal.Trend, error)
	// InvalidateSignatures invalidates the organisation's valid signatures
	// matching v and takes them out of the counts, with an audit record;
	// dryRun only counts them.
	InvalidateSignatures(ctx context.Context, orgID int64, v proposal.Invalidation, dryRun bool, actorID int64) (int, error)
	// SetAreas replaces the organisation's postcode lookup.
	SetAreas(ctx context.Context, orgID int64, rows []proposal.AreaRow, actorID int64) error
	Areas(ctx context.Context, orgID int64) ([]proposal.AreaRow, error)

	// Comments, threaded one level.
	// AddComment checks that a reply's parent is a visible top-level
	// comment of the same proposal (Invalid otherwise).
	AddComment(ctx context.Context, c proposal.Comment) (proposal.Comment, error)
	Comment(ctx context.Context, id int64) (proposal.Comment, error)
	// Comments lists a proposal's top-level comments oldest first, each
	// with its replies; all includes hidden ones (for moderators).
	Comments(ctx context.Context, proposalID int64, all bool) ([]proposal.Comment, error)
	// ReportComment records a report (reporting twice is not an error).
	ReportComment(ctx context.Context, r proposal.Report) error
	// ReportedComments lists the organisation's comments with open reports.
	ReportedComments(ctx context.Context, orgID int64) ([]proposal.Comment, error)
	// ModerateComment hides or restores a comment and resolves its reports.
	ModerateComment(ctx context.Context, id int64, hide bool, reason string, actorID int64) error
}
