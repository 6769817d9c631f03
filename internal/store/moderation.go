package store

import (
	"context"
	"errors"

	"parley/internal/moderation"
)

// The organisation's moderation queue (see web.ModerationStore).

var errTODO = errors.New("moderation: not built yet")

func (s *Store) ModerationQueue(ctx context.Context, orgID int64, f moderation.QueueFilter) ([]moderation.Item, error) {
	return nil, errTODO
}

func (s *Store) ModerationCounts(ctx context.Context, orgID int64) (map[moderation.Reason]int, error) {
	return nil, errTODO
}

func (s *Store) ModerationItem(ctx context.Context, id int64) (moderation.Item, error) {
	return moderation.Item{}, errTODO
}

func (s *Store) Decide(ctx context.Context, d moderation.DecisionInput) error { return errTODO }

func (s *Store) DecideAppeal(ctx context.Context, itemID int64, reinstate bool, reason string, actorID int64) error {
	return errTODO
}

func (s *Store) ModerationTarget(ctx context.Context, ref, where moderation.Ref) (moderation.Item, error) {
	return moderation.Item{}, errTODO
}

func (s *Store) Report(ctx context.Context, r moderation.Report) error { return errTODO }

func (s *Store) AuthorItems(ctx context.Context, userID int64) ([]moderation.Item, error) {
	return nil, errTODO
}

func (s *Store) Appeal(ctx context.Context, a moderation.Appeal) error { return errTODO }

func (s *Store) ModerationSettings(ctx context.Context, orgID int64) (moderation.Settings, error) {
	return moderation.Settings{OrgID: orgID}, errTODO
}

func (s *Store) SaveModerationSettings(ctx context.Context, st moderation.Settings, actorID int64) error {
	return errTODO
}

func (s *Store) Standings(ctx context.Context, orgID int64) ([]moderation.AuthorStanding, error) {
	return nil, errTODO
}

func (s *Store) SetStanding(ctx context.Context, orgID, userID int64, st moderation.Standing, actorID int64) error {
	return errTODO
}
