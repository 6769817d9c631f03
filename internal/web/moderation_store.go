package web

import (
	"context"

	"parley/internal/moderation"
)

// ModerationStore is what the moderation pages need of the database: the
// organisation's one queue across every kind of content, citizens'
// reports and appeals, authors' standing, and the settings (word list,
// guidelines). Every method that changes data records an audit entry for
// a staff actor.
type ModerationStore interface {
	// ModerationQueue lists an organisation's items matching f, oldest
	// first for open items and newest decided first for closed ones, each
	// with its flags.
	ModerationQueue(ctx context.Context, orgID int64, f moderation.QueueFilter) ([]moderation.Item, error)
	// ModerationCounts counts open items by reason (an item counts under
	// each of its reasons) and in all under "".
	ModerationCounts(ctx context.Context, orgID int64) (map[moderation.Reason]int, error)
	// ModerationItem returns one item with its flags (NotFound).
	ModerationItem(ctx context.Context, id int64) (moderation.Item, error)
	// Decide applies a moderator's decision to the content itself (shown,
	// hidden with the reason, or edited) and to its author's standing,
	// closes the item, and audits it, in one transaction. Conflict when
	// the item is already closed.
	Decide(ctx context.Context, d moderation.DecisionInput) error
	// DecideAppeal reinstates (the content is shown again) or upholds an
	// appealed decision, with a reason the author sees.
	DecideAppeal(ctx context.Context, itemID int64, reinstate bool, reason string, actorID int64) error
	// ModerationTarget returns what a report is about: its organisation,
	// author and text as the public sees it, as an unsaved Item (ID 0
	// unless already in the queue). NotFound when it does not exist or is
	// not public. For a display name, where is the contribution it was
	// seen on, which gives the organisation; otherwise where is ignored.
	ModerationTarget(ctx context.Context, ref, where moderation.Ref) (moderation.Item, error)
	// Report records a citizen's report and opens (or reopens) the item;
	// the same person reporting the same thing twice changes nothing.
	Report(ctx context.Context, r moderation.Report) error
	// AuthorItems lists the items about what a user wrote that are held or
	// were hidden, newest first, so they see the reason and may appeal.
	AuthorItems(ctx context.Context, userID int64) ([]moderation.Item, error)
	// Appeal records an author's appeal and reopens the item. NotFound
	// when the item is not theirs; Conflict when it cannot be appealed.
	Appeal(ctx context.Context, a moderation.Appeal) error
	ModerationSettings(ctx context.Context, orgID int64) (moderation.Settings, error)
	SaveModerationSettings(ctx context.Context, s moderation.Settings, actorID int64) error
	// Standings lists the organisation's trusted and blocked authors.
	Standings(ctx context.Context, orgID int64) ([]moderation.AuthorStanding, error)
	// SetStanding trusts, blocks or (Normal) clears an author.
	SetStanding(ctx context.Context, orgID, userID int64, st moderation.Standing, actorID int64) error
}
