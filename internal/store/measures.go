package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/measure"
)

// The measurement store: channels and unit costs here; datasets, records,
// activity, engagements and settings in the other measures_*.go files.

// channelKey is the form of an organisation's own channel key: it appears
// in URLs, CSV files and ingest batches.
var channelKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// MeasureChannels returns the built-in channels then the organisation's own, by key.
func (s *Store) MeasureChannels(ctx context.Context, orgID int64) ([]measure.Channel, error) {
	return measureChannels(ctx, s.read, orgID)
}

// queryer is what both *sql.DB and *sql.Tx offer, so a read can run in a
// write transaction or on its own.
type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func measureChannels(ctx context.Context, db queryer, orgID int64) ([]measure.Channel, error) {
	out := append([]measure.Channel(nil), measure.Builtin...)
	rows, err := db.QueryContext(ctx,
		`SELECT key, name_en, name_cy, digital FROM measure_channels WHERE org_id = $1 ORDER BY key`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		c := measure.Channel{OrgID: orgID}
		if err := rows.Scan(&c.Key, &c.NameEN, &c.NameCY, &c.Digital); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// builtinChannel says key is one of Parley's own channels.
func builtinChannel(key string) bool {
	for _, c := range measure.Builtin {
		if c.Key == key {
			return true
		}
	}
	return false
}

// AddMeasureChannel adds an organisation's own channel (key unique across
// built-in and own: Conflict otherwise), audited.
func (s *Store) AddMeasureChannel(ctx context.Context, c measure.Channel, actorID int64) (measure.Channel, error) {
	c.Key = strings.TrimSpace(c.Key)
	c.NameEN, c.NameCY = strings.TrimSpace(c.NameEN), strings.TrimSpace(c.NameCY)
	var f apperr.Fields
	f.Check(channelKey.MatchString(c.Key), "key", "error.measure.channel.key")
	f.Check(c.NameEN != "", "name_en", "error.measure.channel.name_required")
	f.Check(len(c.NameEN) <= 100, "name_en", "error.measure.channel.name_too_long")
	f.Check(len(c.NameCY) <= 100, "name_cy", "error.measure.channel.name_too_long")
	if err := f.Err(); err != nil {
		return c, err
	}
	if builtinChannel(c.Key) {
		return c, apperr.New(apperr.Conflict, "error.measure.channel.exists")
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO measure_channels (org_id, key, name_en, name_cy, digital, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			c.OrgID, c.Key, c.NameEN, c.NameCY, c.Digital, now); err != nil {
			if apperr.Is(mapErr(err), apperr.Conflict) {
				return apperr.Wrap(apperr.Conflict, err, "error.measure.channel.exists")
			}
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: c.OrgID,
			Action: "measure.channel.add", Target: "measure_channel:" + c.Key, Detail: fmt.Sprintf("%s (digital: %t)", c.NameEN, c.Digital),
			After: jsonState(map[string]any{"key": c.Key, "name_en": c.NameEN, "name_cy": c.NameCY, "digital": c.Digital})})
	})
	return c, err
}

// UnitCosts returns the organisation's own unit costs by channel then month
// (not the defaults: measure.CostAt adds those).
func (s *Store) UnitCosts(ctx context.Context, orgID int64) ([]measure.UnitCost, error) {
	return collect(ctx, s.read,
		`SELECT channel, from_month, pence, source FROM measure_unit_costs WHERE org_id = $1 ORDER BY channel, from_month`,
		[]any{orgID}, func(rows *sql.Rows) (measure.UnitCost, error) {
			c := measure.UnitCost{OrgID: orgID}
			err := rows.Scan(&c.Channel, &c.From, &c.Pence, &c.Source)
			return c, err
		})
}

// maxPence bounds a unit cost (£100,000 a contact): anything above is a
// typing slip, not a cost.
const maxPence = 10_000_000

// SetUnitCost saves a unit cost for (org, channel, from month), replacing
// one there, audited with before and after.
func (s *Store) SetUnitCost(ctx context.Context, c measure.UnitCost, actorID int64) error {
	c.Source = strings.TrimSpace(c.Source)
	var f apperr.Fields
	f.Check(c.From == 0 || c.From.Valid(), "from", "error.measure.cost.from")
	f.Check(c.Pence >= 0 && c.Pence <= maxPence, "pence", "error.measure.cost.pence")
	f.Check(c.Source != "", "source", "error.measure.cost.source_required")
	f.Check(len(c.Source) <= 300, "source", "error.measure.cost.source_too_long")
	return s.tx(ctx, func(tx *sql.Tx) error {
		channels, err := measureChannels(ctx, tx, c.OrgID)
		if err != nil {
			return err
		}
		f.Check(knownChannel(channels, c.Channel), "channel", "error.measure.cost.channel")
		if err := f.Err(); err != nil {
			return err
		}
		detail, before := "none", ""
		var pence int64
		var source string
		err = tx.QueryRowContext(ctx, `SELECT pence, source FROM measure_unit_costs WHERE org_id = $1 AND channel = $2 AND from_month = $3`,
			c.OrgID, c.Channel, c.From).Scan(&pence, &source)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return err
		default:
			detail, before = costDetail(pence, source), costState(pence, source)
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO measure_unit_costs (org_id, channel, from_month, pence, source, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (org_id, channel, from_month) DO UPDATE SET pence = excluded.pence, source = excluded.source, updated_at = excluded.updated_at`,
			c.OrgID, c.Channel, c.From, c.Pence, c.Source, now); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: c.OrgID,
			Action: "measure.cost.set", Target: costTarget(c.Channel, c.From), Detail: detail + " → " + costDetail(c.Pence, c.Source),
			Before: before, After: costState(c.Pence, c.Source)})
	})
}

// DeleteUnitCost removes the organisation's unit cost for a channel and month, audited.
func (s *Store) DeleteUnitCost(ctx context.Context, orgID int64, channel string, from measure.Month, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var pence int64
		var source string
		err := tx.QueryRowContext(ctx, `SELECT pence, source FROM measure_unit_costs WHERE org_id = $1 AND channel = $2 AND from_month = $3`,
			orgID, channel, from).Scan(&pence, &source)
		if err == sql.ErrNoRows {
			return apperr.Wrap(apperr.NotFound, err, "error.measure.cost.not_found")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM measure_unit_costs WHERE org_id = $1 AND channel = $2 AND from_month = $3`,
			orgID, channel, from); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: orgID,
			Action: "measure.cost.delete", Target: costTarget(channel, from), Detail: costDetail(pence, source) + " → none",
			Before: costState(pence, source)})
	})
}

func knownChannel(channels []measure.Channel, key string) bool {
	for _, c := range channels {
		if c.Key == key {
			return true
		}
	}
	return false
}

func costTarget(channel string, from measure.Month) string {
	m := "start"
	if from != 0 {
		m = from.String()
	}
	return "measure_cost:" + channel + "/" + m
}

// costState is a unit cost as the audit log keeps it, before or after.
func costState(pence int64, source string) string {
	return jsonState(map[string]any{"pence": pence, "source": source})
}

// jsonState writes a state for the audit log's before and after.
func jsonState(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func costDetail(pence int64, source string) string {
	return fmt.Sprintf("%dp (%s)", pence, source)
}
