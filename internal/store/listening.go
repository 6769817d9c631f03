package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/listening"
	"parley/internal/outbox"
)

const feedColumns = `id, org_id, url, title, site_url, etag, last_modified, next_check_at, error_count, parked, last_error, checked_at, created_at`

func scanFeed(row interface{ Scan(...any) error }) (listening.Feed, error) {
	var f listening.Feed
	var checked sql.NullTime
	err := row.Scan(&f.ID, &f.OrgID, &f.URL, &f.Title, &f.SiteURL, &f.ETag, &f.LastModified, &f.NextCheckAt,
		&f.ErrorCount, &f.Parked, &f.LastError, &checked, &f.CreatedAt)
	f.NextCheckAt, f.CreatedAt, f.CheckedAt = f.NextCheckAt.UTC(), f.CreatedAt.UTC(), timeOf(checked)
	return f, err
}

func feedTarget(id int64) string { return "listening-feed:" + itoa(id) }

// CreateFeed adds a feed to an organisation's watch list and asks for its
// first fetch at once. A feed the organisation already watches is a
// Conflict.
func (s *Store) CreateFeed(ctx context.Context, f listening.Feed, actorID int64) (listening.Feed, error) {
	u, err := listening.NormaliseFeedURL(f.URL)
	if err != nil {
		return f, err
	}
	f.URL, f.Title = u, listening.Clip(strings.TrimSpace(f.Title), listening.MaxTitle)
	err = s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		f.CreatedAt, f.NextCheckAt = now, now
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO listening_feeds (org_id, url, title, next_check_at, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			f.OrgID, f.URL, f.Title, now, now).Scan(&f.ID); err != nil {
			return err
		}
		if err := enqueueJob(ctx, tx, listening.FetchJob(f.ID, now), now); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: f.OrgID, Action: "listening.feed.create", Target: feedTarget(f.ID)})
	})
	if apperr.Is(err, apperr.Conflict) {
		var fe apperr.Fields
		fe.Add("url", "error.listening.url.exists")
		return f, fe.Err()
	}
	return f, err
}

// Feed returns one feed.
func (s *Store) Feed(ctx context.Context, id int64) (listening.Feed, error) {
	f, err := scanFeed(s.read.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM listening_feeds WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return f, apperr.Wrap(apperr.NotFound, err, "error.not_found")
	}
	return f, err
}

// Feeds lists an organisation's feeds, newest first.
func (s *Store) Feeds(ctx context.Context, orgID int64) ([]listening.Feed, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+feedColumns+` FROM listening_feeds WHERE org_id = $1 ORDER BY id DESC LIMIT 5000`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []listening.Feed
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// RefreshFeed unparks a feed and asks for a fetch at once.
func (s *Store) RefreshFeed(ctx context.Context, id int64, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		f, err := scanFeed(tx.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM listening_feeds WHERE id = $1`, id))
		if err != nil {
			return err
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `UPDATE listening_feeds SET parked = FALSE, error_count = 0, next_check_at = $1 WHERE id = $2`, now, id); err != nil {
			return err
		}
		if err := enqueueJob(ctx, tx, listening.FetchJob(id, now), now); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: f.OrgID, Action: "listening.feed.refresh", Target: feedTarget(id)})
	})
}

// MoveFeed changes a feed's URL: to the feed a web page announced, found
// on its first fetch. The organisation may already watch that feed: a
// Conflict.
func (s *Store) MoveFeed(ctx context.Context, id int64, url string) error {
	u, err := listening.NormaliseFeedURL(url)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		return expectOne(tx.ExecContext(ctx, `UPDATE listening_feeds SET url = $1 WHERE id = $2`, u, id))
	})
}

// DeleteFeed stops watching a feed; its mentions stay.
func (s *Store) DeleteFeed(ctx context.Context, id int64, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		f, err := scanFeed(tx.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM listening_feeds WHERE id = $1`, id))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM listening_feeds WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: f.OrgID, Action: "listening.feed.delete", Target: feedTarget(id)})
	})
}

// EnqueueDueFeeds asks for a fetch of up to limit feeds that are due and
// not parked, oldest due first, and returns how many it asked for. A feed
// whose fetch is already waiting keeps that one job (the job key).
func (s *Store) EnqueueDueFeeds(ctx context.Context, limit int) (int, error) {
	n := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		rows, err := tx.QueryContext(ctx,
			`SELECT id FROM listening_feeds WHERE NOT parked AND next_check_at <= $1 ORDER BY next_check_at LIMIT $2`, now, limit)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if err := enqueueJob(ctx, tx, listening.FetchJob(id, now), now); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// RecordFetchFailure counts a failed fetch and schedules the next one, or
// parks the feed.
func (s *Store) RecordFetchFailure(ctx context.Context, f listening.FetchFailure) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return expectOne(tx.ExecContext(ctx,
			`UPDATE listening_feeds SET error_count = error_count + 1, last_error = $1, next_check_at = $2, parked = $3, checked_at = $4 WHERE id = $5`,
			truncate(f.Error, 300), f.NextCheck.UTC(), f.Park, s.clock(), f.FeedID))
	})
}

// AlertFunc writes the immediate alert for a new mention matched by a rule,
// to the rule's author.
type AlertFunc func(m listening.Mention, r listening.Rule, to account.User) outbox.Message

// RecordFetch saves a good fetch: the feed's caching state, its new
// mentions (one per normalised link; a link already known gains the rules
// it matched now) and, in the same transaction, an email for every new
// mention of a rule whose alert mode is immediate, and a delivery job for
// every new mention and webhook of the organisation. It returns how many
// mentions are new.
func (s *Store) RecordFetch(ctx context.Context, o listening.FetchOutcome, alert AlertFunc) (int, error) {
	created := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		created = 0
		now := s.clock()
		f, err := scanFeed(tx.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM listening_feeds WHERE id = $1`, o.FeedID))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE listening_feeds SET etag = $1, last_modified = $2, next_check_at = $3, error_count = 0, parked = FALSE, last_error = '',
			 checked_at = $4, title = CASE WHEN title = '' THEN $5 ELSE title END, site_url = $6 WHERE id = $7`,
			truncate(o.ETag, 500), truncate(o.LastModified, 100), o.NextCheck.UTC(), now,
			listening.Clip(o.Title, listening.MaxTitle), truncate(o.SiteURL, listening.MaxURL), f.ID); err != nil {
			return err
		}
		if len(o.Mentions) == 0 {
			return nil
		}
		rules, err := rulesIn(ctx, tx, f.OrgID)
		if err != nil {
			return err
		}
		hooks, err := webhookIDs(ctx, tx, f.OrgID)
		if err != nil {
			return err
		}
		authors := map[int64]account.User{}
		for _, m := range o.Mentions {
			m.OrgID, m.FeedID, m.Status, m.CreatedAt = f.OrgID, f.ID, listening.New, now
			m.Link = listening.NormaliseLink(m.Link)
			id, isNew, err := insertMention(ctx, tx, m)
			if err != nil {
				return err
			}
			m.ID = id
			var matched []int64
			for _, rid := range m.RuleIDs {
				if _, ok := rules[rid]; !ok {
					continue // deleted since the fetch compiled its rules
				}
				if _, err := tx.ExecContext(ctx,
					`INSERT INTO listening_mention_rules (mention_id, rule_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, rid); err != nil {
					return err
				}
				matched = append(matched, rid)
			}
			if !isNew {
				continue
			}
			created++
			m.RuleIDs = matched
			for _, h := range hooks {
				if err := enqueueJob(ctx, tx, listening.WebhookJob(h, id, now), now); err != nil {
					return err
				}
			}
			for _, rid := range matched {
				r := rules[rid]
				if r.Alert != listening.AlertImmediate || r.CreatedBy == 0 || alert == nil {
					continue
				}
				u, ok := authors[r.CreatedBy]
				if !ok {
					u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, r.CreatedBy))
					if err != nil {
						return err
					}
					authors[r.CreatedBy] = u
				}
				if _, err := enqueueEmail(ctx, tx, alert(m, r, u), now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return created, err
}

// insertMention saves a mention unless its link (or, for a near-duplicate,
// the mention it duplicates) is known, and returns the mention's ID.
func insertMention(ctx context.Context, tx *sql.Tx, m listening.Mention) (id int64, isNew bool, err error) {
	if m.DuplicateOf != 0 {
		err := tx.QueryRowContext(ctx, `SELECT id FROM listening_mentions WHERE id = $1 AND org_id = $2`, m.DuplicateOf, m.OrgID).Scan(&id)
		if err == nil {
			return id, false, nil
		}
		if err != sql.ErrNoRows {
			return 0, false, err
		}
	}
	m.Title, m.Excerpt, m.Author = listening.Clip(m.Title, listening.MaxTitle), listening.Clip(m.Excerpt, listening.MaxExcerpt), listening.Clip(m.Author, listening.MaxAuthor)
	err = tx.QueryRowContext(ctx,
		`INSERT INTO listening_mentions (org_id, feed_id, link, title, excerpt, author, published_at, status, created_at, search_text)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id`,
		m.OrgID, m.FeedID, m.Link, m.Title, m.Excerpt, m.Author, nullTime(m.Published), m.Status, m.CreatedAt, listening.SearchText(m)).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if err != sql.ErrNoRows {
		return 0, false, err
	}
	err = tx.QueryRowContext(ctx, `SELECT id FROM listening_mentions WHERE org_id = $1 AND link = $2`, m.OrgID, m.Link).Scan(&id)
	return id, false, err
}

const ruleColumns = `id, org_id, name, query, alert, created_by, created_at`

func scanRule(row interface{ Scan(...any) error }) (listening.Rule, error) {
	var r listening.Rule
	var by sql.NullInt64
	err := row.Scan(&r.ID, &r.OrgID, &r.Name, &r.Query, &r.Alert, &by, &r.CreatedAt)
	r.CreatedBy, r.CreatedAt = by.Int64, r.CreatedAt.UTC()
	return r, err
}

func ruleTarget(id int64) string { return "listening-rule:" + itoa(id) }

// CreateRule saves a keyword rule; its query must parse.
func (s *Store) CreateRule(ctx context.Context, r listening.Rule, actorID int64) (listening.Rule, error) {
	r.Normalise()
	if err := r.Validate(); err != nil {
		return r, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		r.CreatedAt, r.CreatedBy = s.clock(), actorID
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO listening_rules (org_id, name, query, alert, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			r.OrgID, r.Name, r.Query, r.Alert, sql.NullInt64{Int64: actorID, Valid: actorID != 0}, r.CreatedAt).Scan(&r.ID); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: r.CreatedAt, ActorID: actorID, OrgID: r.OrgID, Action: "listening.rule.create", Target: ruleTarget(r.ID)})
	})
	return r, err
}

// Rule returns one rule.
func (s *Store) Rule(ctx context.Context, id int64) (listening.Rule, error) {
	r, err := scanRule(s.read.QueryRowContext(ctx, `SELECT `+ruleColumns+` FROM listening_rules WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return r, apperr.Wrap(apperr.NotFound, err, "error.not_found")
	}
	return r, err
}

// Rules lists an organisation's rules by name.
func (s *Store) Rules(ctx context.Context, orgID int64) ([]listening.Rule, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+ruleColumns+` FROM listening_rules WHERE org_id = $1 ORDER BY name, id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []listening.Rule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func rulesIn(ctx context.Context, tx *sql.Tx, orgID int64) (map[int64]listening.Rule, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+ruleColumns+` FROM listening_rules WHERE org_id = $1`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]listening.Rule{}
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out[r.ID] = r
	}
	return out, rows.Err()
}

// DeleteRule removes a rule; mentions it found stay, with its other rules.
func (s *Store) DeleteRule(ctx context.Context, id int64, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		r, err := scanRule(tx.QueryRowContext(ctx, `SELECT `+ruleColumns+` FROM listening_rules WHERE id = $1`, id))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM listening_rules WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: r.OrgID, Action: "listening.rule.delete", Target: ruleTarget(id)})
	})
}

const mentionColumns = `m.id, m.org_id, m.feed_id, COALESCE(f.title, ''), m.link, m.title, m.excerpt, m.author, m.published_at, m.status,
	m.assignee_id, m.note, m.answer_url, m.conversation_id, m.proposal_id, m.consultation_response_id, cr.consultation_id, m.created_at`

const mentionFrom = ` FROM listening_mentions m LEFT JOIN listening_feeds f ON f.id = m.feed_id
	LEFT JOIN consultation_responses cr ON cr.id = m.consultation_response_id`

func scanMention(row interface{ Scan(...any) error }) (listening.Mention, error) {
	var m listening.Mention
	var feed, assignee, conv, prop, resp, cons sql.NullInt64
	var published sql.NullTime
	err := row.Scan(&m.ID, &m.OrgID, &feed, &m.FeedTitle, &m.Link, &m.Title, &m.Excerpt, &m.Author, &published, &m.Status,
		&assignee, &m.Note, &m.AnswerURL, &conv, &prop, &resp, &cons, &m.CreatedAt)
	m.FeedID, m.AssigneeID, m.Published, m.CreatedAt = feed.Int64, assignee.Int64, timeOf(published), m.CreatedAt.UTC()
	m.ConversationID, m.ProposalID, m.ConsultationResponseID, m.ConsultationID = conv.Int64, prop.Int64, resp.Int64, cons.Int64
	return m, err
}

func mentionTarget(id int64) string { return "listening-mention:" + itoa(id) }

// Mention returns one mention with the rules it matched.
func (s *Store) Mention(ctx context.Context, id int64) (listening.Mention, error) {
	m, err := scanMention(s.read.QueryRowContext(ctx, `SELECT `+mentionColumns+mentionFrom+` WHERE m.id = $1`, id))
	if err == sql.ErrNoRows {
		return m, apperr.Wrap(apperr.NotFound, err, "error.not_found")
	}
	if err != nil {
		return m, err
	}
	ms := []listening.Mention{m}
	err = s.attachRules(ctx, ms)
	return ms[0], err
}

// Mentions lists an organisation's mentions, newest first, narrowed by the
// filter; Before is the cursor for the next page.
func (s *Store) Mentions(ctx context.Context, orgID int64, fl listening.MentionFilter) ([]listening.Mention, error) {
	q := `SELECT ` + mentionColumns + mentionFrom + ` WHERE m.org_id = $1`
	args := []any{orgID}
	add := func(cond string, v any) {
		args = append(args, v)
		q += ` AND ` + strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args)))
	}
	if fl.Status != "" {
		add(`m.status = ?`, fl.Status)
	}
	if fl.FeedID != 0 {
		add(`m.feed_id = ?`, fl.FeedID)
	}
	if fl.RuleID != 0 {
		add(`EXISTS (SELECT 1 FROM listening_mention_rules mr WHERE mr.mention_id = m.id AND mr.rule_id = ?)`, fl.RuleID)
	}
	// Each word of the search must appear somewhere in the mention (its
	// folded text, or its feed's title). A plain substring match keeps
	// both databases alike; the inbox is one organisation's recent
	// mentions, which retention keeps small. Folded words hold only
	// letters and digits, so nothing needs escaping for LIKE.
	for _, w := range listening.SearchWords(fl.Search) {
		if len(args) > 20 {
			break
		}
		add(`(m.search_text LIKE ? OR LOWER(COALESCE(f.title, '')) LIKE $`+strconv.Itoa(len(args)+1)+`)`, "%"+w+"%")
	}
	if fl.Before != 0 {
		add(`m.id < ?`, fl.Before)
	}
	if fl.Limit <= 0 || fl.Limit > 500 {
		fl.Limit = 50
	}
	args = append(args, fl.Limit)
	rows, err := s.read.QueryContext(ctx, q+` ORDER BY m.id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	var out []listening.Mention
	for rows.Next() {
		m, err := scanMention(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.attachRules(ctx, out)
}

// attachRules fills each mention's RuleIDs in one query.
func (s *Store) attachRules(ctx context.Context, ms []listening.Mention) error {
	if len(ms) == 0 {
		return nil
	}
	idx := make(map[int64]int, len(ms))
	ph := make([]string, len(ms))
	args := make([]any, len(ms))
	for i, m := range ms {
		idx[m.ID], ph[i], args[i] = i, "$"+strconv.Itoa(i+1), m.ID
	}
	rows, err := s.read.QueryContext(ctx,
		`SELECT mention_id, rule_id FROM listening_mention_rules WHERE mention_id IN (`+strings.Join(ph, ", ")+`) ORDER BY rule_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var mid, rid int64
		if err := rows.Scan(&mid, &rid); err != nil {
			return err
		}
		ms[idx[mid]].RuleIDs = append(ms[idx[mid]].RuleIDs, rid)
	}
	return rows.Err()
}

// RecentMentions returns the texts of an organisation's newest mentions,
// for the fetcher's near-duplicate index and for previewing rules.
func (s *Store) RecentMentions(ctx context.Context, orgID int64, limit int) ([]listening.Mention, error) {
	return s.Mentions(ctx, orgID, listening.MentionFilter{Limit: limit})
}

// TriageMention records a staff decision about a mention. An assignee must
// be staff of the mention's organisation.
func (s *Store) TriageMention(ctx context.Context, id int64, t listening.Triage, actorID int64) error {
	t.Normalise()
	if err := t.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var orgID int64
		var before listening.Status
		if err := tx.QueryRowContext(ctx, `SELECT org_id, status FROM listening_mentions WHERE id = $1`, id).Scan(&orgID, &before); err != nil {
			return err
		}
		// The assignee and the conversation must be the organisation's own.
		if t.AssigneeID != 0 {
			if err := mustExist(ctx, tx, `SELECT 1 FROM memberships WHERE org_id = $1 AND user_id = $2`, orgID, t.AssigneeID,
				"assignee", "error.listening.assignee.not_staff"); err != nil {
				return err
			}
		}
		if t.ConversationID != 0 {
			if err := mustExist(ctx, tx, `SELECT 1 FROM conversations WHERE org_id = $1 AND id = $2`, orgID, t.ConversationID,
				"conversation", "error.listening.conversation.unknown"); err != nil {
				return err
			}
		}
		if t.ProposalID != 0 {
			if err := mustExist(ctx, tx, `SELECT 1 FROM proposals WHERE org_id = $1 AND id = $2`, orgID, t.ProposalID,
				"proposal", "error.listening.proposal.unknown"); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE listening_mentions SET status = $1, assignee_id = $2, note = $3, answer_url = $4, conversation_id = $5, proposal_id = $6 WHERE id = $7`,
			t.Status, sql.NullInt64{Int64: t.AssigneeID, Valid: t.AssigneeID != 0}, t.Note, t.AnswerURL,
			sql.NullInt64{Int64: t.ConversationID, Valid: t.ConversationID != 0}, sql.NullInt64{Int64: t.ProposalID, Valid: t.ProposalID != 0}, id); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: orgID, Action: "listening.mention.triage",
			Target: mentionTarget(id), Detail: string(before) + " → " + string(t.Status)})
	})
}

// PurgeMentions deletes mentions found before the cutoff (the retention
// period) and returns how many went.
func (s *Store) PurgeMentions(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM listening_mentions WHERE created_at < $1`, before.UTC())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// DigestFunc writes a rule's daily digest of new mentions to its author.
type DigestFunc func(r listening.Rule, ms []listening.Mention, to account.User) outbox.Message

// maxDigest bounds the mentions listed in one digest; the inbox has the rest.
const maxDigest = 50

// SendDigests puts in the outbox, for every rule whose alert mode is
// digest, one email to its author listing the mentions it found since the
// time given (the last digest), and returns how many emails it made. It is
// one transaction: a digest is sent whole or not at all.
func (s *Store) SendDigests(ctx context.Context, since time.Time, compose DigestFunc) (int, error) {
	sent := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		sent = 0
		now := s.clock()
		rows, err := tx.QueryContext(ctx, `SELECT `+ruleColumns+` FROM listening_rules WHERE alert = 'digest' AND created_by IS NOT NULL ORDER BY id`)
		if err != nil {
			return err
		}
		var rules []listening.Rule
		for rows.Next() {
			r, err := scanRule(rows)
			if err != nil {
				rows.Close()
				return err
			}
			rules = append(rules, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range rules {
			ms, err := digestMentions(ctx, tx, r.ID, since.UTC())
			if err != nil || len(ms) == 0 {
				if err != nil {
					return err
				}
				continue
			}
			u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, r.CreatedBy))
			if err != nil {
				return err
			}
			if _, err := enqueueEmail(ctx, tx, compose(r, ms, u), now); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	return sent, err
}

func digestMentions(ctx context.Context, tx *sql.Tx, ruleID int64, since time.Time) ([]listening.Mention, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+mentionColumns+mentionFrom+`
		JOIN listening_mention_rules mr ON mr.mention_id = m.id WHERE mr.rule_id = $1 AND m.created_at >= $2 ORDER BY m.id DESC LIMIT $3`,
		ruleID, since, maxDigest)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []listening.Mention
	for rows.Next() {
		m, err := scanMention(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MentionsPerDay counts an organisation's mentions per rule and day (UTC)
// found since the time given, for the rules' volume charts.
func (s *Store) MentionsPerDay(ctx context.Context, orgID int64, since time.Time) ([]listening.DayCount, error) {
	day := `substr(m.created_at, 1, 10)`
	if s.dialect == Postgres {
		day = `to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`
	}
	return collect(ctx, s.read, `SELECT mr.rule_id, `+day+` AS day, COUNT(*) FROM listening_mentions m
		JOIN listening_mention_rules mr ON mr.mention_id = m.id
		WHERE m.org_id = $1 AND m.created_at >= $2 GROUP BY mr.rule_id, day ORDER BY mr.rule_id, day`,
		[]any{orgID, since.UTC()}, func(rows *sql.Rows) (listening.DayCount, error) {
			var d listening.DayCount
			err := rows.Scan(&d.RuleID, &d.Day, &d.Count)
			return d, err
		})
}

// mustExist runs a query for one row of the organisation's and turns its
// absence into a field error.
func mustExist(ctx context.Context, tx *sql.Tx, q string, orgID, id int64, field, msg string) error {
	var one int
	err := tx.QueryRowContext(ctx, q, orgID, id).Scan(&one)
	if err == sql.ErrNoRows {
		var f apperr.Fields
		f.Add(field, msg)
		return f.Err()
	}
	return err
}
