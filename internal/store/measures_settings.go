package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/measure"
)

// MeasureSettings returns an organisation's settings (zero ones when unset).
func (s *Store) MeasureSettings(ctx context.Context, orgID int64) (measure.Settings, error) {
	st, err := scanSettings(s.read.QueryRowContext(ctx,
		`SELECT org_id, public, population, baseline, baseline_source FROM measure_settings WHERE org_id = $1`, orgID))
	if err == sql.ErrNoRows {
		return measure.Settings{OrgID: orgID}, nil
	}
	return st, err
}

// AllMeasureSettings returns every organisation's settings, by organisation.
func (s *Store) AllMeasureSettings(ctx context.Context) (map[int64]measure.Settings, error) {
	all, err := collect(ctx, s.read, `SELECT org_id, public, population, baseline, baseline_source FROM measure_settings`, nil,
		func(rows *sql.Rows) (measure.Settings, error) { return scanSettings(rows) })
	if err != nil {
		return nil, err
	}
	out := make(map[int64]measure.Settings, len(all))
	for _, st := range all {
		out[st.OrgID] = st
	}
	return out, nil
}

func scanSettings(row interface{ Scan(...any) error }) (measure.Settings, error) {
	var st measure.Settings
	var baseline string
	if err := row.Scan(&st.OrgID, &st.Public, &st.Population, &baseline, &st.BaselineSource); err != nil {
		return st, err
	}
	if err := json.Unmarshal([]byte(baseline), &st.Baseline); err != nil {
		return st, fmt.Errorf("measure settings of organisation %d: baseline: %w", st.OrgID, err)
	}
	if len(st.Baseline) == 0 {
		st.Baseline = nil
	}
	return st, nil
}

// SetMeasureSettings saves an organisation's settings, audited.
func (s *Store) SetMeasureSettings(ctx context.Context, st measure.Settings, actorID int64) error {
	st.BaselineSource = strings.TrimSpace(st.BaselineSource)
	if err := checkSettings(st); err != nil {
		return err
	}
	baseline, err := json.Marshal(st.Baseline)
	if err != nil || len(st.Baseline) == 0 {
		baseline = []byte("{}")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		before, err := scanSettings(tx.QueryRowContext(ctx,
			`SELECT org_id, public, population, baseline, baseline_source FROM measure_settings WHERE org_id = $1`, st.OrgID))
		if err == sql.ErrNoRows {
			before = measure.Settings{OrgID: st.OrgID}
		} else if err != nil {
			return err
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO measure_settings (org_id, public, population, baseline, baseline_source, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (org_id) DO UPDATE SET public = excluded.public, population = excluded.population,
			baseline = excluded.baseline, baseline_source = excluded.baseline_source, updated_at = excluded.updated_at`,
			st.OrgID, st.Public, st.Population, string(baseline), st.BaselineSource, now); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: st.OrgID,
			Action: "measure.settings", Target: "org:" + itoa(st.OrgID), Detail: settingsDetail(before) + " → " + settingsDetail(st),
			Before: settingsState(before), After: settingsState(st)})
	})
}

// baselineSlack is how far from 1 a baseline's shares may sum: shares
// typed as rounded percentages rarely add up to exactly 100.
const baselineSlack = 0.02

func checkSettings(st measure.Settings) error {
	var f apperr.Fields
	f.Check(st.Population >= 0 && st.Population <= 10_000_000_000, "population", "error.measure.settings.population")
	sum := 0.0
	for band, share := range st.Baseline {
		if !slices.Contains(measure.AgeBands, band) {
			f.Add("baseline", "error.measure.settings.baseline_band")
		}
		if math.IsNaN(share) || share < 0 || share > 1 {
			f.Add("baseline", "error.measure.settings.baseline_share")
		}
		sum += share
	}
	if len(st.Baseline) > 0 {
		f.Check(math.Abs(sum-1) <= baselineSlack, "baseline", "error.measure.settings.baseline_sum")
		f.Check(st.BaselineSource != "", "baseline_source", "error.measure.settings.baseline_source_required")
	}
	f.Check(len(st.BaselineSource) <= 300, "baseline_source", "error.measure.settings.baseline_source_too_long")
	return f.Err()
}

// settingsDetail writes settings for the audit log, bands in order.
func settingsDetail(st measure.Settings) string {
	var bands []string
	for _, b := range measure.AgeBands {
		if v, ok := st.Baseline[b]; ok {
			bands = append(bands, fmt.Sprintf("%s %.1f%%", b, v*100))
		}
	}
	return fmt.Sprintf("public %t, population %d, baseline [%s] (%s)", st.Public, st.Population, strings.Join(bands, ", "), st.BaselineSource)
}

// settingsState is settings as the audit log keeps them, before or after.
func settingsState(st measure.Settings) string {
	return jsonState(map[string]any{"public": st.Public, "population": st.Population, "baseline": st.Baseline, "baseline_source": st.BaselineSource})
}
