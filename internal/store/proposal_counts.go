package store

import (
	"cmp"
	"context"
	"database/sql"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"parley/internal/jobs"
	"parley/internal/proposal"
)

// countShards is how many rows a proposal's count for one area is spread
// over. Each batch of writes adds to one shard chosen at random, so
// concurrent writers (several instances on PostgreSQL) rarely wait for
// the same row lock.
const countShards = 8

// countDelta is a change to a proposal's support from one area.
type countDelta struct {
	ProposalID int64
	Area       string
	N          int
}

// addCounts applies deltas in the caller's transaction, one statement per
// proposal and area. It first takes the proposals' count locks shared, so
// it never interleaves with a rebuild (recount).
func (s *Store) addCounts(ctx context.Context, tx *sql.Tx, deltas []countDelta) error {
	shard := rand.IntN(countShards)
	sum := map[countDelta]int{}
	ids := make([]int64, 0, len(deltas))
	for _, d := range deltas {
		sum[countDelta{ProposalID: d.ProposalID, Area: d.Area}] += d.N
		ids = append(ids, d.ProposalID)
	}
	if err := s.lockCounts(ctx, tx, ids, false); err != nil {
		return err
	}
	// Upserts go in key order, so batches writing at once cannot wait for
	// each other's counter rows.
	keys := slices.SortedFunc(maps.Keys(sum), func(a, b countDelta) int {
		return cmp.Or(cmp.Compare(a.ProposalID, b.ProposalID), strings.Compare(a.Area, b.Area))
	})
	for _, k := range keys {
		n := sum[k]
		if n == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO proposal_counts (proposal_id, area, shard, n) VALUES ($1, $2, $3, $4)
			 ON CONFLICT (proposal_id, area, shard) DO UPDATE SET n = proposal_counts.n + excluded.n`,
			k.ProposalID, k.Area, shard, n); err != nil {
			return err
		}
	}
	return nil
}

// countLockClass namespaces the count locks among PostgreSQL's advisory locks.
const countLockClass = 4004

// lockCounts takes the count locks of proposals for the rest of the
// transaction: shared by writers that add to counters, exclusive by a
// rebuild. Without it, on PostgreSQL, a confirmation committing between a
// rebuild's DELETE and its INSERT … SELECT would be counted twice (once in
// its new counter row, once by the SELECT). Locks are taken in ID order,
// and by every caller only after its row updates, so two transactions
// cannot wait for each other. SQLite has one writer at a time: nothing to do.
func (s *Store) lockCounts(ctx context.Context, tx *sql.Tx, ids []int64, exclusive bool) error {
	if s.dialect != Postgres || len(ids) == 0 {
		return nil
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	fn := "pg_advisory_xact_lock_shared"
	if exclusive {
		fn = "pg_advisory_xact_lock"
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `SELECT `+fn+`($1, ($2 % 2147483647)::int)`, countLockClass, id); err != nil {
			return err
		}
	}
	return nil
}

// supportersOf returns a proposal's count as the counters hold it.
func supportersOf(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, proposalID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(n), 0) FROM proposal_counts WHERE proposal_id = $1`, proposalID).Scan(&n)
	return n, err
}

// recount rebuilds proposals' counters from their confirmed, valid
// signatures and their supports, after a change that moves many at once
// (a merge, an invalidation), holding their count locks exclusively.
// Callers pass every proposal the change touched in one call, after the
// change's row updates.
func (s *Store) recount(ctx context.Context, tx *sql.Tx, ids ...int64) error {
	if err := s.lockCounts(ctx, tx, ids, true); err != nil {
		return err
	}
	for _, proposalID := range ids {
		if _, err := tx.ExecContext(ctx, `DELETE FROM proposal_counts WHERE proposal_id = $1`, proposalID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO proposal_counts (proposal_id, area, shard, n)
			 SELECT proposal_id, area, 0, COUNT(*) FROM proposal_signatures
			 WHERE proposal_id = $1 AND confirmed_at IS NOT NULL AND invalidated_at IS NULL
			 GROUP BY proposal_id, area`, proposalID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO proposal_counts (proposal_id, area, shard, n)
			 SELECT proposal_id, '', 1, COUNT(*) FROM proposal_supports WHERE proposal_id = $1
			 GROUP BY proposal_id HAVING COUNT(*) > 0`, proposalID); err != nil {
			return err
		}
	}
	return nil
}

// checkThresholds looks at proposals whose support has just grown: a
// petition collecting sponsors that now has enough moves on (to
// moderation or straight to publication), and a published proposal that
// crossed its board's response or debate threshold gets its stamp, its
// due date and a proposal.ThresholdJob for the staff. Each stamp is set
// once, by a conditional update, so concurrent writers cannot both act.
func checkThresholds(ctx context.Context, tx *sql.Tx, ids []int64, now time.Time) error {
	for _, id := range ids {
		var (
			stage                                  proposal.Stage
			kind                                   proposal.Kind
			moderation                             proposal.Moderation
			response, debate, days, sponsors, open int
			thresholdAt, debateAt                  sql.NullTime
		)
		err := tx.QueryRowContext(ctx,
			`SELECT p.stage, b.kind, b.moderation, b.response_threshold, b.debate_threshold, b.response_days, b.sponsors_needed, b.open_days, p.threshold_at, p.debate_at
			 FROM proposals p JOIN proposal_boards b ON b.id = p.board_id WHERE p.id = $1`, id).
			Scan(&stage, &kind, &moderation, &response, &debate, &days, &sponsors, &open, &thresholdAt, &debateAt)
		if err != nil {
			return err
		}
		board := proposal.Board{Kind: kind, Moderation: moderation, SponsorsNeeded: sponsors, OpenDays: open}
		if stage == proposal.Sponsoring {
			var n int
			if err := tx.QueryRowContext(ctx,
				`SELECT COUNT(*) FROM proposal_signatures WHERE proposal_id = $1 AND sponsor AND confirmed_at IS NOT NULL AND invalidated_at IS NULL`,
				id).Scan(&n); err != nil {
				return err
			}
			if n >= sponsors {
				next, err := afterSponsors(ctx, tx, id, board)
				if err != nil {
					return err
				}
				if err := moveStage(ctx, tx, id, proposal.Sponsoring, next, board, now); err != nil {
					return err
				}
			}
			continue
		}
		if stage != proposal.Published || (thresholdAt.Valid || response == 0) && (debateAt.Valid || debate == 0) {
			continue
		}
		total, err := supportersOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if !thresholdAt.Valid && response > 0 && total >= response {
			res, err := tx.ExecContext(ctx,
				`UPDATE proposals SET threshold_at = $1, response_due = $2 WHERE id = $3 AND threshold_at IS NULL`,
				now, now.AddDate(0, 0, days), id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				if err := enqueueJob(ctx, tx, jobs.New{Kind: proposal.ThresholdJob, Payload: map[string]any{"proposal_id": id, "threshold": "response"}}, now); err != nil {
					return err
				}
			}
		}
		if !debateAt.Valid && debate > 0 && total >= debate {
			res, err := tx.ExecContext(ctx, `UPDATE proposals SET debate_at = $1 WHERE id = $2 AND debate_at IS NULL`, now, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				if err := enqueueJob(ctx, tx, jobs.New{Kind: proposal.ThresholdJob, Payload: map[string]any{"proposal_id": id, "threshold": "debate"}}, now); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// moveStage moves a proposal from one stage to another if it is still in
// the first; publishing stamps PublishedAt (first time only) and ClosesAt.
func moveStage(ctx context.Context, tx *sql.Tx, id int64, from, to proposal.Stage, b proposal.Board, now time.Time) error {
	if to == proposal.Published {
		_, err := tx.ExecContext(ctx,
			`UPDATE proposals SET stage = $1, published_at = COALESCE(published_at, $2), closes_at = COALESCE(closes_at, $3), reason = ''
			 WHERE id = $4 AND stage = $5`,
			to, now, nullTime(b.ClosesAt(now)), id, from)
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE proposals SET stage = $1 WHERE id = $2 AND stage = $3`, to, id, from)
	return err
}
