package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/proposal"
)

// Fraud controls for petitions: the blocklist, the trending report, bulk
// invalidation; and the postcode → area lookup the counts by area use.

func scanBlock(row scanner) (proposal.Block, error) {
	var b proposal.Block
	var by sql.NullInt64
	err := row.Scan(&b.ID, &b.OrgID, &b.Kind, &b.Value, &b.Note, &by, &b.CreatedAt)
	b.CreatedBy, b.CreatedAt = by.Int64, b.CreatedAt.UTC()
	return b, err
}

// Blocks lists an organisation's blocklist by kind and value.
func (s *Store) Blocks(ctx context.Context, orgID int64) ([]proposal.Block, error) {
	return collect(ctx, s.read,
		`SELECT id, org_id, kind, value, note, created_by, created_at FROM proposal_blocks WHERE org_id = $1 ORDER BY kind, value`,
		[]any{orgID}, func(rows *sql.Rows) (proposal.Block, error) { return scanBlock(rows) })
}

// AddBlock adds an entry to an organisation's blocklist, normalised; an
// entry already there is a Conflict.
func (s *Store) AddBlock(ctx context.Context, b proposal.Block, actorID int64) (proposal.Block, error) {
	b.Normalise()
	if err := b.Validate(); err != nil {
		return b, err
	}
	b.CreatedBy = actorID
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM proposal_blocks WHERE org_id = $1 AND kind = $2 AND value = $3`,
			b.OrgID, b.Kind, b.Value).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "error.proposal.block.exists")
		}
		b.CreatedAt = s.clock()
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO proposal_blocks (org_id, kind, value, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			b.OrgID, b.Kind, b.Value, b.Note, sql.NullInt64{Int64: actorID, Valid: actorID != 0}, b.CreatedAt).Scan(&b.ID); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: b.CreatedAt, ActorID: actorID, OrgID: b.OrgID,
			Action: "proposal.block.add", Target: "proposal_block:" + itoa(b.ID), Detail: string(b.Kind)})
	})
	return b, err
}

// RemoveBlock deletes one of the organisation's blocklist entries.
func (s *Store) RemoveBlock(ctx context.Context, orgID, id int64, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM proposal_blocks WHERE id = $1 AND org_id = $2`, id, orgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: orgID,
			Action: "proposal.block.remove", Target: "proposal_block:" + itoa(id)})
	})
}

// trendLimit bounds the trending report: it is read by people, biggest first.
const trendLimit = 500

// hourOf returns SQL for the start of the hour of a timestamp column, as
// text "YYYY-MM-DD HH:00:00" in both dialects.
func (s *Store) hourOf(col string) string {
	if s.dialect == Postgres {
		return `to_char(date_trunc('hour', ` + col + `), 'YYYY-MM-DD HH24:00:00')`
	}
	return `strftime('%Y-%m-%d %H:00:00', ` + col + `)`
}

// Trending counts the organisation's signatures since a time per
// petition, hour and IP address or email domain, for the groups of two or
// more, flagged when above the board's alert; alerts first, then the
// biggest. Invalidated signatures are left out: they are dealt with.
func (s *Store) Trending(ctx context.Context, orgID int64, since time.Time) ([]proposal.Trend, error) {
	hour := s.hourOf("s.created_at")
	part := func(kind, col string) string {
		return `SELECT s.proposal_id, p.title, b.alert_per_hour, ` + hour + ` AS hour, '` + kind + `' AS kind, ` + col + ` AS k, COUNT(*) AS n
			FROM proposal_signatures s JOIN proposals p ON p.id = s.proposal_id JOIN proposal_boards b ON b.id = p.board_id
			WHERE p.org_id = $1 AND s.created_at >= $2 AND s.invalidated_at IS NULL AND ` + col + ` <> ''
			GROUP BY s.proposal_id, p.title, b.alert_per_hour, ` + hour + `, ` + col + `
			HAVING COUNT(*) > 1`
	}
	q := part("ip", "s.ip") + ` UNION ALL ` + part("domain", "s.email_domain") + ` ORDER BY n DESC, hour DESC LIMIT $3`
	out, err := collect(ctx, s.read, q, []any{orgID, since.UTC(), trendLimit}, func(rows *sql.Rows) (proposal.Trend, error) {
		var t proposal.Trend
		var alert int
		var hour string
		if err := rows.Scan(&t.ProposalID, &t.Title, &alert, &hour, &t.Kind, &t.Key, &t.Count); err != nil {
			return t, err
		}
		h, err := time.Parse(time.DateTime, hour)
		if err != nil {
			return t, fmt.Errorf("trending hour %q: %w", hour, err)
		}
		t.Hour = h.UTC()
		t.Alert = t.Count > proposal.Board{AlertPerHour: alert}.Alert()
		return t, nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Alert && !out[j].Alert })
	return out, err
}

// invalidationCriteria is how an invalidation's attributes are recorded.
type invalidationCriteria struct {
	ProposalID int64     `json:"proposal_id,omitempty"`
	IP         string    `json:"ip,omitempty"`
	Domain     string    `json:"domain,omitempty"`
	Email      string    `json:"email,omitempty"`
	Postcode   string    `json:"postcode,omitempty"`
	Name       string    `json:"name,omitempty"`
	From       time.Time `json:"from,omitzero"`
	To         time.Time `json:"to,omitzero"`
}

// InvalidateSignatures invalidates the organisation's valid signatures
// (confirmed or not, so a later confirmation cannot count them) matching
// every attribute of v, recounts the petitions they were on and records
// the invalidation; dryRun only counts them.
func (s *Store) InvalidateSignatures(ctx context.Context, orgID int64, v proposal.Invalidation, dryRun bool, actorID int64) (int, error) {
	v.Normalise()
	if err := v.Validate(); err != nil {
		return 0, err
	}
	where := []string{"p.org_id = $1", "s.invalidated_at IS NULL"}
	args := []any{orgID}
	arg := func(x any) string {
		args = append(args, x)
		return "$" + strconv.Itoa(len(args))
	}
	if v.ProposalID != 0 {
		where = append(where, "s.proposal_id = "+arg(v.ProposalID))
	}
	prefix, hasIP := v.Prefix()
	single := hasIP && prefix.Bits() == prefix.Addr().BitLen()
	switch {
	case single:
		where = append(where, "s.ip = "+arg(prefix.Addr().String()))
	case hasIP && prefix.Addr().Is4() && prefix.Bits() >= 8:
		// Narrow the candidates by the whole octets of the range; the
		// exact test is made in Go below.
		octets := strings.Split(prefix.Addr().String(), ".")[:prefix.Bits()/8]
		where = append(where, "s.ip LIKE "+arg(strings.Join(octets, ".")+".%"))
	}
	if v.Domain != "" {
		d := arg(v.Domain)
		// The domain or any of its subdomains, without LIKE's wildcards.
		where = append(where, "(s.email_domain = "+d+" OR (length(s.email_domain) > length("+d+") AND substr(s.email_domain, length(s.email_domain) - length("+d+")) = '.' || "+d+"))")
	}
	if v.Email != "" {
		where = append(where, "s.email_norm = "+arg(v.Email))
	}
	if v.Postcode != "" {
		where = append(where, "s.postcode = "+arg(v.Postcode))
	}
	if v.Name != "" {
		where = append(where, "lower(s.name) = lower("+arg(v.Name)+")")
	}
	if !v.From.IsZero() {
		where = append(where, "s.created_at >= "+arg(v.From.UTC()))
	}
	if !v.To.IsZero() {
		where = append(where, "s.created_at < "+arg(v.To.UTC()))
	}
	q := `SELECT s.id, s.proposal_id, s.ip FROM proposal_signatures s JOIN proposals p ON p.id = s.proposal_id WHERE ` + strings.Join(where, " AND ")
	var count int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if v.ProposalID != 0 {
			var org int64
			err := tx.QueryRowContext(ctx, `SELECT org_id FROM proposals WHERE id = $1`, v.ProposalID).Scan(&org)
			if err == sql.ErrNoRows || err == nil && org != orgID {
				return apperr.New(apperr.NotFound, "error.proposal.not_found")
			}
			if err != nil {
				return err
			}
		}
		var ids []int64
		touched := map[int64]bool{}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, pid int64
			var ip string
			if err := rows.Scan(&id, &pid, &ip); err != nil {
				rows.Close()
				return err
			}
			if hasIP && !single {
				a, err := netip.ParseAddr(ip)
				if err != nil || !prefix.Contains(a.Unmap()) {
					continue
				}
			}
			ids = append(ids, id)
			touched[pid] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		count = len(ids)
		if dryRun || count == 0 {
			return nil
		}
		now := s.clock()
		crit, err := json.Marshal(invalidationCriteria{ProposalID: v.ProposalID, IP: v.IP, Domain: v.Domain, Email: v.Email,
			Postcode: v.Postcode, Name: v.Name, From: v.From.UTC(), To: v.To.UTC()})
		if err != nil {
			return err
		}
		var invID int64
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO proposal_invalidations (org_id, proposal_id, criteria, reason, count, actor_id, at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			orgID, sql.NullInt64{Int64: v.ProposalID, Valid: v.ProposalID != 0}, string(crit), v.Reason, count,
			sql.NullInt64{Int64: actorID, Valid: actorID != 0}, now).Scan(&invID); err != nil {
			return err
		}
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(start+500, len(ids))]
			list := make([]string, len(chunk))
			for i, id := range chunk {
				list[i] = itoa(id) // integers read from the database: safe inline
			}
			if _, err := tx.ExecContext(ctx,
				`UPDATE proposal_signatures SET invalidated_at = $1, invalidation_id = $2 WHERE id IN (`+strings.Join(list, ",")+`)`,
				now, invID); err != nil {
				return err
			}
		}
		pids := make([]int64, 0, len(touched))
		for pid := range touched {
			pids = append(pids, pid)
		}
		if err := s.recount(ctx, tx, pids...); err != nil {
			return err
		}
		target := "organisation:" + itoa(orgID)
		if v.ProposalID != 0 {
			target = proposalTarget(v.ProposalID)
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: orgID, Action: "proposal.signatures.invalidate",
			Target: target, Detail: fmt.Sprintf("invalidation %d: %d signatures on %d petitions: %s", invID, count, len(pids), v.Reason)})
	})
	return count, err
}

// SetAreas replaces the organisation's postcode lookup. Existing
// signatures keep the area they were given when they were made.
func (s *Store) SetAreas(ctx context.Context, orgID int64, rows []proposal.AreaRow, actorID int64) error {
	if len(rows) > proposal.MaxAreaRows {
		return apperr.New(apperr.Invalid, "error.proposal.areas.too_many")
	}
	seen := make(map[string]bool, len(rows))
	for _, r := range rows {
		if r.Prefix == "" || r.Code == "" || seen[r.Prefix] {
			return apperr.New(apperr.Invalid, "error.proposal.areas.bad_row")
		}
		seen[r.Prefix] = true
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM proposal_areas WHERE org_id = $1`, orgID); err != nil {
			return err
		}
		const perStatement = 400 // 4 values a row: well under both databases' limits
		for start := 0; start < len(rows); start += perStatement {
			chunk := rows[start:min(start+perStatement, len(rows))]
			var q strings.Builder
			q.WriteString(`INSERT INTO proposal_areas (org_id, prefix, code, name) VALUES `)
			args := make([]any, 0, 4*len(chunk))
			for i, r := range chunk {
				if i > 0 {
					q.WriteString(", ")
				}
				n := len(args)
				fmt.Fprintf(&q, "($%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4)
				name := r.Name
				if name == "" {
					name = r.Code
				}
				args = append(args, orgID, r.Prefix, r.Code, name)
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: orgID,
			Action: "proposal.areas.set", Target: "organisation:" + itoa(orgID), Detail: strconv.Itoa(len(rows)) + " prefixes"})
	})
}

// Areas returns the organisation's postcode lookup, by prefix.
func (s *Store) Areas(ctx context.Context, orgID int64) ([]proposal.AreaRow, error) {
	return collect(ctx, s.read, `SELECT prefix, code, name FROM proposal_areas WHERE org_id = $1 ORDER BY prefix`, []any{orgID},
		func(rows *sql.Rows) (proposal.AreaRow, error) {
			var r proposal.AreaRow
			err := rows.Scan(&r.Prefix, &r.Code, &r.Name)
			return r, err
		})
}
