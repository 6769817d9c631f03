package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/conversation"
	"parley/internal/jobs"
	"parley/internal/moderation"
	"parley/internal/proposal"
)

// The organisation's moderation queue (see web.ModerationStore). An item
// is one thing citizens wrote, opened by pre-moderation, a signal, a
// report or an appeal; deciding it changes the content itself (its stage,
// state, status or withheld flag) in the same transaction. Screening new
// contributions is in moderation_screen.go.

// ReportsToHold is how many different people must report something before
// it is kept from the public until a moderator decides.
const ReportsToHold = 3

// rowQuerier is a database or a transaction that also reads single rows.
type rowQuerier interface {
	querier
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const itemColumns = `i.id, i.org_id, i.kind, i.target_id, i.author_id, i.author_name, i.body, i.where_title, i.where_kind, i.where_id,
	i.held, i.state, i.opened_at, i.decision, i.reason, i.decided_by, i.decided_at, i.appeal_text, i.appealed_at, i.appeal_outcome,
	i.appeal_reason, i.appeal_decided_at`

func scanItem(row scanner) (moderation.Item, error) {
	var it moderation.Item
	var author, decidedBy sql.NullInt64
	var decided, appealed, appealDecided sql.NullTime
	err := row.Scan(&it.ID, &it.OrgID, &it.Ref.Kind, &it.Ref.ID, &author, &it.AuthorName, &it.Text, &it.WhereTitle, &it.WhereKind, &it.WhereID,
		&it.Held, &it.State, &it.OpenedAt, &it.Decision, &it.Reason, &decidedBy, &decided, &it.AppealText, &appealed, &it.AppealOutcome,
		&it.AppealReason, &appealDecided)
	it.AuthorID, it.DecidedBy, it.OpenedAt = author.Int64, decidedBy.Int64, it.OpenedAt.UTC()
	it.DecidedAt, it.AppealedAt, it.AppealDecidedAt = timeOf(decided), timeOf(appealed), timeOf(appealDecided)
	return it, err
}

func itemTarget(id int64) string { return "moderation_item:" + itoa(id) }

// loadFlags fills in the flags of items, oldest first, in one query.
func (s *Store) loadFlags(ctx context.Context, q querier, items []moderation.Item) error {
	if len(items) == 0 {
		return nil
	}
	index := make(map[int64]int, len(items))
	args := make([]any, len(items))
	for i, it := range items {
		index[it.ID], args[i] = i, it.ID
	}
	return each(ctx, q, `SELECT item_id, id, reason, category, detail, reporter_id, at FROM moderation_flags
		WHERE item_id IN (`+s.bindVars(1, len(items))+`) ORDER BY item_id, id`, args, func(rows *sql.Rows) error {
		var itemID int64
		var f moderation.Flag
		var reporter sql.NullInt64
		if err := rows.Scan(&itemID, &f.ID, &f.Reason, &f.Category, &f.Detail, &reporter, &f.At); err != nil {
			return err
		}
		f.ReporterID, f.At = reporter.Int64, f.At.UTC()
		if i, ok := index[itemID]; ok {
			items[i].Flags = append(items[i].Flags, f)
		}
		return nil
	})
}

// itemTx reads one item, without its flags.
func itemTx(ctx context.Context, q rowQuerier, id int64) (moderation.Item, error) {
	it, err := scanItem(q.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM moderation_items i WHERE i.id = $1`, id))
	if err == sql.ErrNoRows {
		return it, apperr.Wrap(apperr.NotFound, err, "error.moderation.not_found")
	}
	return it, err
}

// ModerationQueue lists an organisation's items (see web.ModerationStore).
// A reason filters open items by the flags raised since they were last
// opened, closed items by any of their flags.
func (s *Store) ModerationQueue(ctx context.Context, orgID int64, f moderation.QueueFilter) ([]moderation.Item, error) {
	if f.State == "" {
		f.State = moderation.Open
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q := `SELECT ` + itemColumns + ` FROM moderation_items i WHERE i.org_id = $1 AND i.state = $2`
	args := []any{orgID, f.State}
	if f.Kind != "" {
		args = append(args, f.Kind)
		q += ` AND i.kind = $` + itoa(int64(len(args)))
	}
	if f.Reason != "" {
		args = append(args, f.Reason)
		since := ""
		if f.State == moderation.Open {
			since = ` AND f.at >= i.opened_at`
		}
		q += ` AND EXISTS (SELECT 1 FROM moderation_flags f WHERE f.item_id = i.id AND f.reason = $` + itoa(int64(len(args))) + since + `)`
	}
	if f.State == moderation.Open {
		q += ` ORDER BY i.opened_at, i.id`
	} else {
		q += ` ORDER BY COALESCE(i.appeal_decided_at, i.decided_at) DESC, i.id DESC`
	}
	args = append(args, f.Limit)
	q += ` LIMIT $` + itoa(int64(len(args)))
	var out []moderation.Item
	err := s.view(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = collect(ctx, tx, q, args, func(rows *sql.Rows) (moderation.Item, error) { return scanItem(rows) }); err != nil {
			return err
		}
		return s.loadFlags(ctx, tx, out)
	})
	return out, err
}

// ModerationCounts counts open items by the reasons raised since they
// were last opened, and in all under "".
func (s *Store) ModerationCounts(ctx context.Context, orgID int64) (map[moderation.Reason]int, error) {
	out := map[moderation.Reason]int{}
	err := s.view(ctx, func(tx *sql.Tx) error {
		var all int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM moderation_items WHERE org_id = $1 AND state = 'open'`, orgID).Scan(&all); err != nil {
			return err
		}
		out[""] = all
		return each(ctx, tx, `SELECT f.reason, COUNT(DISTINCT i.id) FROM moderation_items i
			JOIN moderation_flags f ON f.item_id = i.id AND f.at >= i.opened_at
			WHERE i.org_id = $1 AND i.state = 'open' GROUP BY f.reason`, []any{orgID}, func(rows *sql.Rows) error {
			var r moderation.Reason
			var n int
			if err := rows.Scan(&r, &n); err != nil {
				return err
			}
			out[r] = n
			return nil
		})
	})
	return out, err
}

// ModerationItem returns one item with its flags.
func (s *Store) ModerationItem(ctx context.Context, id int64) (moderation.Item, error) {
	var it moderation.Item
	err := s.view(ctx, func(tx *sql.Tx) error {
		var err error
		if it, err = itemTx(ctx, tx, id); err != nil {
			return err
		}
		items := []moderation.Item{it}
		err = s.loadFlags(ctx, tx, items)
		it = items[0]
		return err
	})
	return it, err
}

// proposalText is what a proposal's item keeps: its title and body.
func proposalText(title, body string) string { return title + "\n\n" + body }

// target is a moderated thing as the public sees it.
type target struct {
	item   moderation.Item // OrgID, Ref, AuthorID, AuthorName, Text and where it is
	public bool
	// title is what a display name seen on it shows as where it was seen:
	// a proposal's own title, otherwise the engagement's.
	title string
}

// findTarget reads what ref names. For a display name, where is the
// contribution it was seen on: it gives the organisation, and must be
// public and by the same person.
func findTarget(ctx context.Context, q rowQuerier, ref, where moderation.Ref) (target, error) {
	t := target{item: moderation.Item{Ref: ref}}
	it := &t.item
	var author sql.NullInt64
	var err error
	switch ref.Kind {
	case moderation.KindProposal:
		var title, body string
		var stage proposal.Stage
		err = q.QueryRowContext(ctx, `SELECT p.org_id, p.author_id, p.author_name, p.title, p.body, p.stage, b.title_en, b.id
			FROM proposals p JOIN proposal_boards b ON b.id = p.board_id WHERE p.id = $1`, ref.ID).
			Scan(&it.OrgID, &author, &it.AuthorName, &title, &body, &stage, &it.WhereTitle, &it.WhereID)
		it.Text, t.public, t.title = proposalText(title, body), stage == proposal.Published, title
	case moderation.KindComment:
		var state proposal.CommentState
		var stage proposal.Stage
		err = q.QueryRowContext(ctx, `SELECT p.org_id, c.author_id, c.author_name, c.body, c.state, p.stage, p.title, p.id
			FROM proposal_comments c JOIN proposals p ON p.id = c.proposal_id WHERE c.id = $1`, ref.ID).
			Scan(&it.OrgID, &author, &it.AuthorName, &it.Text, &state, &stage, &it.WhereTitle, &it.WhereID)
		it.WhereKind, t.public, t.title = moderation.KindProposal, state == proposal.CommentVisible && stage == proposal.Published, it.WhereTitle
	case moderation.KindStatement:
		var status conversation.StatementStatus
		var convStatus conversation.Status
		err = q.QueryRowContext(ctx, `SELECT cv.org_id, cp.user_id, st.body, st.status, cv.status, cv.title_en, cv.id
			FROM conversation_statements st JOIN conversations cv ON cv.id = st.conversation_id
			LEFT JOIN conversation_participants cp ON cp.id = st.participant_id WHERE st.id = $1`, ref.ID).
			Scan(&it.OrgID, &author, &it.Text, &status, &convStatus, &it.WhereTitle, &it.WhereID)
		t.public, t.title = status == conversation.Approved && convStatus != conversation.Draft, it.WhereTitle
	case moderation.KindResponse:
		var r consultation.Response
		var user sql.NullInt64
		err = q.QueryRowContext(ctx, `SELECT c.org_id, r.user_id, r.respondent, r.name, r.org_name, r.consent, r.status, r.withheld, c.title_en, c.id
			FROM consultation_responses r JOIN consultations c ON c.id = r.consultation_id WHERE r.id = $1`, ref.ID).
			Scan(&it.OrgID, &user, &r.Respondent, &r.Name, &r.OrgName, &r.Consent, &r.Status, &r.Withheld, &it.WhereTitle, &it.WhereID)
		if err == nil {
			author, it.AuthorName, t.public, t.title = user, r.PublicName(), r.Published(), it.WhereTitle
			it.Text, err = responseText(ctx, q, ref.ID)
		}
	case moderation.KindDisplayName:
		if where.Kind == "" || where.Kind == moderation.KindDisplayName {
			return t, apperr.New(apperr.NotFound, "error.moderation.not_found")
		}
		w, werr := findTarget(ctx, q, where, moderation.Ref{})
		if werr != nil {
			return t, werr
		}
		var name string
		var erased sql.NullTime
		err = q.QueryRowContext(ctx, `SELECT display_name, erased_at FROM users WHERE id = $1`, ref.ID).Scan(&name, &erased)
		it.OrgID, it.AuthorID, it.AuthorName, it.Text = w.item.OrgID, ref.ID, name, name
		it.WhereKind, it.WhereID, it.WhereTitle = where.Kind, where.ID, w.title
		t.public = err == nil && w.public && w.item.AuthorID == ref.ID && name != "" && !erased.Valid
		if err == sql.ErrNoRows {
			err = nil
		}
		return t, err
	default:
		return t, apperr.New(apperr.Invalid, "error.moderation.ref")
	}
	if err == sql.ErrNoRows {
		return t, apperr.Wrap(apperr.NotFound, err, "error.moderation.not_found")
	}
	it.AuthorID = author.Int64
	return t, err
}

// responseText joins a response's free-text answers as published, with
// their redactions.
func responseText(ctx context.Context, q querier, responseID int64) (string, error) {
	texts, err := collect(ctx, q, `SELECT COALESCE(d.text, a.text) FROM consultation_answers a
		JOIN consultation_questions qu ON qu.id = a.question_id
		LEFT JOIN consultation_redactions d ON d.response_id = a.response_id AND d.question_id = a.question_id
		WHERE a.response_id = $1 AND a.text <> '' ORDER BY qu.position, qu.id`, []any{responseID},
		func(rows *sql.Rows) (string, error) {
			var t string
			err := rows.Scan(&t)
			return t, err
		})
	return strings.Join(texts, "\n\n"), err
}

// ModerationTarget returns what a report is about (see web.ModerationStore).
func (s *Store) ModerationTarget(ctx context.Context, ref, where moderation.Ref) (moderation.Item, error) {
	t, err := findTarget(ctx, s.read, ref, where)
	if err != nil {
		return moderation.Item{}, err
	}
	if !t.public {
		return moderation.Item{}, apperr.New(apperr.NotFound, "error.moderation.not_found")
	}
	err = s.read.QueryRowContext(ctx, `SELECT id FROM moderation_items WHERE org_id = $1 AND kind = $2 AND target_id = $3`,
		t.item.OrgID, ref.Kind, ref.ID).Scan(&t.item.ID)
	if err != nil && err != sql.ErrNoRows {
		return moderation.Item{}, err
	}
	return t.item, nil
}

// Report records a citizen's report and opens (or reopens) the item; the
// same person reporting the same thing twice changes nothing. Once
// ReportsToHold different people have reported it since it was opened,
// the content is held (a display name is only queued).
func (s *Store) Report(ctx context.Context, r moderation.Report) error {
	r.Detail = strings.TrimSpace(strings.ReplaceAll(r.Detail, "\r\n", "\n"))
	if err := r.Validate(); err != nil {
		return err
	}
	// Two first reports of one thing at the same moment both try to open
	// its item; on PostgreSQL the second meets the first's row and tries
	// again, finding it.
	var err error
	for range 3 {
		if err = s.tx(ctx, func(tx *sql.Tx) error { return s.report(ctx, tx, r) }); !retryable(err) {
			break
		}
	}
	return err
}

func (s *Store) report(ctx context.Context, tx *sql.Tx, r moderation.Report) error {
	t, err := findTarget(ctx, tx, r.Ref, r.Where)
	if err != nil {
		return err
	}
	now := s.clock()
	var id int64
	var state moderation.State
	var held bool
	err = tx.QueryRowContext(ctx, `SELECT id, state, held FROM moderation_items WHERE org_id = $1 AND kind = $2 AND target_id = $3`,
		t.item.OrgID, r.Ref.Kind, r.Ref.ID).Scan(&id, &state, &held)
	// Only what the public can read can be reported, except that a
	// report made as others' reports held it (it was public when the
	// reporter read it) joins the open item.
	if !t.public && !(err == nil && state == moderation.Open && held) {
		return apperr.New(apperr.NotFound, "error.moderation.not_found")
	}
	switch {
	case err == sql.ErrNoRows:
		t.item.State, t.item.OpenedAt = moderation.Open, now
		if id, err = insertItem(ctx, tx, t.item); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if r.ReporterID != 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM moderation_flags WHERE item_id = $1 AND reporter_id = $2`, id, r.ReporterID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
		}
		if state == moderation.Closed {
			// Reopened with what the public sees now.
			if _, err := tx.ExecContext(ctx, `UPDATE moderation_items SET state = 'open', held = FALSE, opened_at = $1, body = $2, author_name = $3
				WHERE id = $4`, now, t.item.Text, t.item.AuthorName, id); err != nil {
				return err
			}
			held = false
		}
	}
	if err := insertFlag(ctx, tx, id, moderation.Flag{Reason: moderation.Reported, Category: r.Category, Detail: r.Detail, ReporterID: r.ReporterID, At: now}); err != nil {
		return err
	}
	if held || r.Ref.Kind == moderation.KindDisplayName {
		return nil
	}
	var reporters int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT f.reporter_id) FROM moderation_flags f JOIN moderation_items i ON i.id = f.item_id
		WHERE f.item_id = $1 AND f.reason = 'report' AND f.reporter_id IS NOT NULL AND f.at >= i.opened_at`, id).Scan(&reporters); err != nil {
		return err
	}
	if reporters < ReportsToHold {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE moderation_items SET held = TRUE WHERE id = $1`, id); err != nil {
		return err
	}
	return holdContent(ctx, tx, r.Ref, now)
}

// insertItem saves a new item and returns its ID.
func insertItem(ctx context.Context, tx *sql.Tx, it moderation.Item) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx,
		`INSERT INTO moderation_items (org_id, kind, target_id, author_id, author_name, body, where_title, where_kind, where_id, held, state, opened_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		it.OrgID, it.Ref.Kind, it.Ref.ID, nullID(it.AuthorID), it.AuthorName, it.Text, it.WhereTitle, it.WhereKind, it.WhereID,
		it.Held, it.State, it.OpenedAt).Scan(&id)
	return id, err
}

// insertFlag adds a flag to an item; a reporter's second flag is dropped.
func insertFlag(ctx context.Context, tx *sql.Tx, itemID int64, f moderation.Flag) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO moderation_flags (item_id, reason, category, detail, reporter_id, at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		itemID, f.Reason, f.Category, f.Detail, nullID(f.ReporterID), f.At)
	return err
}

// holdContent keeps public content from the public until a moderator
// decides: a published proposal goes back to pending, a visible comment
// is hidden with no reason, an approved statement is pending again and a
// response is withheld. Display names are never held.
func holdContent(ctx context.Context, tx *sql.Tx, ref moderation.Ref, now time.Time) error {
	switch ref.Kind {
	case moderation.KindProposal:
		_, err := tx.ExecContext(ctx, `UPDATE proposals SET stage = 'pending' WHERE id = $1 AND stage = 'published'`, ref.ID)
		return err
	case moderation.KindComment:
		_, err := tx.ExecContext(ctx, `UPDATE proposal_comments SET state = 'hidden', reason = '' WHERE id = $1 AND state = 'visible'`, ref.ID)
		return err
	case moderation.KindStatement:
		var convID int64
		err := tx.QueryRowContext(ctx, `UPDATE conversation_statements SET status = 'pending' WHERE id = $1 AND status = 'approved' RETURNING conversation_id`, ref.ID).Scan(&convID)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		return enqueueRecompute(ctx, tx, convID, now)
	case moderation.KindResponse:
		_, err := tx.ExecContext(ctx, `UPDATE consultation_responses SET withheld = TRUE WHERE id = $1`, ref.ID)
		return err
	}
	return nil
}

// contentState describes the content's public state for the audit log:
// a proposal's stage, a comment's state, a statement's status, whether a
// response is withheld, whether a display name is set. Never the text.
func contentState(ctx context.Context, tx *sql.Tx, ref moderation.Ref) (string, error) {
	var q string
	switch ref.Kind {
	case moderation.KindProposal:
		q = `SELECT stage FROM proposals WHERE id = $1`
	case moderation.KindComment:
		q = `SELECT state FROM proposal_comments WHERE id = $1`
	case moderation.KindStatement:
		q = `SELECT status FROM conversation_statements WHERE id = $1`
	case moderation.KindResponse:
		q = `SELECT CASE WHEN withheld THEN 'withheld' ELSE 'shown' END FROM consultation_responses WHERE id = $1`
	case moderation.KindDisplayName:
		q = `SELECT CASE WHEN display_name = '' THEN 'cleared' ELSE 'set' END FROM users WHERE id = $1`
	default:
		return "", nil
	}
	var st string
	err := tx.QueryRowContext(ctx, q, ref.ID).Scan(&st)
	if err == sql.ErrNoRows {
		return "gone", nil
	}
	return st, err
}

// showContent shows content again: approved, redacted or reinstated. A
// petition still collecting sponsors keeps collecting them. On reinstate
// a cleared display name comes back (name is the one that was cleared).
func showContent(ctx context.Context, tx *sql.Tx, ref moderation.Ref, name string, reinstate bool, now time.Time) error {
	switch ref.Kind {
	case moderation.KindProposal:
		p, err := proposalTx(ctx, tx, ref.ID)
		if err != nil {
			return err
		}
		if p.Stage != proposal.Pending && p.Stage != proposal.Hidden && p.Stage != proposal.Rejected {
			return nil
		}
		b, err := boardTx(ctx, tx, p.BoardID)
		if err != nil {
			return err
		}
		if err := moveStage(ctx, tx, p.ID, p.Stage, proposal.Published, b, now); err != nil {
			return err
		}
		return checkThresholds(ctx, tx, []int64{p.ID}, now)
	case moderation.KindComment:
		_, err := tx.ExecContext(ctx, `UPDATE proposal_comments SET state = 'visible', reason = '' WHERE id = $1`, ref.ID)
		return err
	case moderation.KindStatement:
		return setStatement(ctx, tx, ref.ID, conversation.Approved, now)
	case moderation.KindResponse:
		_, err := tx.ExecContext(ctx, `UPDATE consultation_responses SET withheld = FALSE WHERE id = $1`, ref.ID)
		return err
	case moderation.KindDisplayName:
		if reinstate && name != "" {
			_, err := tx.ExecContext(ctx, `UPDATE users SET display_name = $1 WHERE id = $2 AND display_name = '' AND erased_at IS NULL`, name, ref.ID)
			return err
		}
	}
	return nil
}

// hideContent takes content down with the moderator's reason, which the
// author sees: a pending (or sponsoring) proposal is rejected and a
// published one hidden, a comment hidden, a statement rejected, a
// response withheld, a display name cleared (where it is shown too).
func hideContent(ctx context.Context, tx *sql.Tx, ref moderation.Ref, name, reason string, now time.Time) error {
	switch ref.Kind {
	case moderation.KindProposal:
		p, err := proposalTx(ctx, tx, ref.ID)
		if err != nil {
			return err
		}
		to := p.Stage
		switch p.Stage {
		case proposal.Pending, proposal.Sponsoring:
			to = proposal.Rejected
		case proposal.Published:
			to = proposal.Hidden
		}
		if to != p.Stage {
			b, err := boardTx(ctx, tx, p.BoardID)
			if err != nil {
				return err
			}
			if err := moveStage(ctx, tx, p.ID, p.Stage, to, b, now); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE proposals SET reason = $1 WHERE id = $2`, reason, ref.ID)
		return err
	case moderation.KindComment:
		_, err := tx.ExecContext(ctx, `UPDATE proposal_comments SET state = 'hidden', reason = $1 WHERE id = $2`, reason, ref.ID)
		return err
	case moderation.KindStatement:
		return setStatement(ctx, tx, ref.ID, conversation.Rejected, now)
	case moderation.KindResponse:
		_, err := tx.ExecContext(ctx, `UPDATE consultation_responses SET withheld = TRUE WHERE id = $1`, ref.ID)
		return err
	case moderation.KindDisplayName:
		if _, err := tx.ExecContext(ctx, `UPDATE users SET display_name = '' WHERE id = $1 AND display_name = $2`, ref.ID, name); err != nil {
			return err
		}
		for _, q := range []string{
			`UPDATE proposals SET author_name = '' WHERE author_id = $1 AND author_name = $2`,
			`UPDATE proposal_comments SET author_name = '' WHERE author_id = $1 AND author_name = $2`,
		} {
			if _, err := tx.ExecContext(ctx, q, ref.ID, name); err != nil {
				return err
			}
		}
	}
	return nil
}

// setStatement sets a statement's status as a moderator's decision.
func setStatement(ctx context.Context, tx *sql.Tx, id int64, to conversation.StatementStatus, now time.Time) error {
	var convID int64
	err := tx.QueryRowContext(ctx, `UPDATE conversation_statements SET status = $1, moderated_at = $2 WHERE id = $3 RETURNING conversation_id`,
		to, now, id).Scan(&convID)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return err
	}
	return enqueueRecompute(ctx, tx, convID, now)
}

// redactContent replaces the content's text with the edited text and
// returns what the item keeps instead of the original.
func redactContent(ctx context.Context, tx *sql.Tx, ref moderation.Ref, text string) (string, error) {
	var f apperr.Fields
	switch ref.Kind {
	case moderation.KindProposal:
		var title string
		if err := tx.QueryRowContext(ctx, `SELECT title FROM proposals WHERE id = $1`, ref.ID).Scan(&title); err != nil {
			return "", err
		}
		// The form may show the title above the body, as the item keeps them.
		text = strings.TrimSpace(strings.TrimPrefix(text, title+"\n\n"))
		f.Check(text != "", "redacted", "error.moderation.redact.required")
		f.Check(utf8.RuneCountInString(text) <= proposal.MaxBody, "redacted", "error.moderation.redact.too_long")
		if err := f.Err(); err != nil {
			return "", err
		}
		_, err := tx.ExecContext(ctx, `UPDATE proposals SET body = $1 WHERE id = $2`, text, ref.ID)
		return proposalText(title, text), err
	case moderation.KindComment:
		f.Check(utf8.RuneCountInString(text) <= proposal.MaxComment, "redacted", "error.moderation.redact.too_long")
		if err := f.Err(); err != nil {
			return "", err
		}
		_, err := tx.ExecContext(ctx, `UPDATE proposal_comments SET body = $1 WHERE id = $2`, text, ref.ID)
		return text, err
	case moderation.KindStatement:
		clean, err := conversation.CleanStatement(text)
		if err != nil {
			f.Add("redacted", "error.moderation.redact.too_long")
			return "", f.Err()
		}
		_, err = tx.ExecContext(ctx, `UPDATE conversation_statements SET body = $1 WHERE id = $2`, clean, ref.ID)
		return clean, err
	}
	return "", apperr.New(apperr.Invalid, "error.moderation.redact.kind")
}

// standingOf returns an author's standing in an organisation.
func standingOf(ctx context.Context, q rowQuerier, orgID, userID int64) (moderation.Standing, error) {
	if userID == 0 {
		return moderation.Normal, nil
	}
	var st moderation.Standing
	err := q.QueryRowContext(ctx, `SELECT standing FROM moderation_standings WHERE org_id = $1 AND user_id = $2`, orgID, userID).Scan(&st)
	if err == sql.ErrNoRows {
		return moderation.Normal, nil
	}
	return st, err
}

// setStanding sets (or, for Normal, clears) an author's standing.
func setStanding(ctx context.Context, tx *sql.Tx, orgID, userID int64, st moderation.Standing, actorID int64, now time.Time) error {
	if st == moderation.Normal {
		_, err := tx.ExecContext(ctx, `DELETE FROM moderation_standings WHERE org_id = $1 AND user_id = $2`, orgID, userID)
		return err
	}
	_, err := tx.ExecContext(ctx,
		`INSERT INTO moderation_standings (org_id, user_id, standing, set_by, set_at) VALUES ($1, $2, $3, $4, $5)
		 ON CONFLICT (org_id, user_id) DO UPDATE SET standing = excluded.standing, set_by = excluded.set_by, set_at = excluded.set_at`,
		orgID, userID, st, nullID(actorID), now)
	return err
}

// auditState is the state an audit entry records around a decision:
// never the text or the author's name, which erasure must be able to remove.
type auditState struct {
	Item     moderation.State    `json:"item"`
	Held     bool                `json:"held"`
	Content  string              `json:"content"`
	Decision moderation.Decision `json:"decision,omitempty"`
	Appeal   moderation.Decision `json:"appeal,omitempty"`
	Standing moderation.Standing `json:"author_standing,omitempty"`
	Redacted bool                `json:"redacted,omitempty"`
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// snapshot reads the state of an item and its content for the audit log.
func snapshot(ctx context.Context, tx *sql.Tx, id int64) (auditState, moderation.Item, error) {
	it, err := itemTx(ctx, tx, id)
	if err != nil {
		return auditState{}, it, err
	}
	a := auditState{Item: it.State, Held: it.Held, Decision: it.Decision, Appeal: it.AppealOutcome}
	if a.Content, err = contentState(ctx, tx, it.Ref); err != nil {
		return a, it, err
	}
	a.Standing, err = standingOf(ctx, tx, it.OrgID, it.AuthorID)
	return a, it, err
}

// notifyAuthor enqueues the email that tells a known author what was decided.
func notifyAuthor(ctx context.Context, tx *sql.Tx, it moderation.Item, now time.Time) error {
	if it.AuthorID == 0 {
		return nil
	}
	return enqueueJob(ctx, tx, jobs.New{Kind: moderation.NotifyJob, Payload: map[string]int64{"item_id": it.ID}}, now)
}

// Decide applies a moderator's decision (see web.ModerationStore).
func (s *Store) Decide(ctx context.Context, d moderation.DecisionInput) error {
	d.Reason = strings.TrimSpace(strings.ReplaceAll(d.Reason, "\r\n", "\n"))
	d.Redacted = strings.TrimSpace(strings.ReplaceAll(d.Redacted, "\r\n", "\n"))
	return s.tx(ctx, func(tx *sql.Tx) error {
		before, it, err := snapshot(ctx, tx, d.ItemID)
		if err != nil {
			return err
		}
		if err := d.Validate(it.Ref.Kind); err != nil {
			return err
		}
		if it.State != moderation.Open {
			return apperr.New(apperr.Conflict, "error.moderation.decided")
		}
		now := s.clock()
		body := it.Text
		switch {
		case d.Decision == moderation.Redact:
			if body, err = redactContent(ctx, tx, it.Ref, d.Redacted); err != nil {
				return err
			}
			err = showContent(ctx, tx, it.Ref, "", false, now)
		case d.Decision.Hides():
			err = hideContent(ctx, tx, it.Ref, it.Text, d.Reason, now)
		default:
			err = showContent(ctx, tx, it.Ref, "", false, now)
		}
		if err != nil {
			return err
		}
		if it.Ref.Kind == moderation.KindComment {
			if _, err := tx.ExecContext(ctx, `UPDATE proposal_comment_reports SET resolved_at = $1 WHERE comment_id = $2 AND resolved_at IS NULL`, now, it.Ref.ID); err != nil {
				return err
			}
		}
		if it.AuthorID != 0 {
			switch d.Decision {
			case moderation.ApproveTrust:
				err = setStanding(ctx, tx, it.OrgID, it.AuthorID, moderation.Trusted, d.ActorID, now)
			case moderation.RejectBlock:
				err = setStanding(ctx, tx, it.OrgID, it.AuthorID, moderation.Blocked, d.ActorID, now)
			}
			if err != nil {
				return err
			}
		}
		if err := expectConflict(tx.ExecContext(ctx,
			`UPDATE moderation_items SET state = 'closed', held = FALSE, decision = $1, reason = $2, decided_by = $3, decided_at = $4, body = $5, notified = ''
			 WHERE id = $6 AND state = 'open'`, d.Decision, d.Reason, nullID(d.ActorID), now, body, it.ID)); err != nil {
			return err
		}
		if d.Decision.Hides() {
			if err := notifyAuthor(ctx, tx, it, now); err != nil {
				return err
			}
		}
		after, _, err := snapshot(ctx, tx, it.ID)
		if err != nil {
			return err
		}
		after.Redacted = d.Decision == moderation.Redact
		detail := it.Ref.String() + ": " + string(d.Decision)
		if d.Reason != "" {
			detail += ": " + d.Reason
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: d.ActorID, OrgID: it.OrgID, Action: "moderation.decide",
			Target: itemTarget(it.ID), Detail: detail, Before: jsonOf(before), After: jsonOf(after)})
	})
}

// expectConflict checks that an update changed a row; none is a Conflict
// (someone else decided first).
func expectConflict(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return apperr.New(apperr.Conflict, "error.moderation.decided")
	}
	return nil
}

// DecideAppeal reinstates or upholds an appealed decision (see
// web.ModerationStore); reinstating lifts a block the decision set.
func (s *Store) DecideAppeal(ctx context.Context, itemID int64, reinstate bool, reason string, actorID int64) error {
	reason = strings.TrimSpace(strings.ReplaceAll(reason, "\r\n", "\n"))
	var f apperr.Fields
	f.Check(reinstate || reason != "", "reason", "error.moderation.reason.required")
	f.Check(utf8.RuneCountInString(reason) <= moderation.MaxReason, "reason", "error.moderation.reason.too_long")
	if err := f.Err(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		before, it, err := snapshot(ctx, tx, itemID)
		if err != nil {
			return err
		}
		if it.State != moderation.Open || it.AppealedAt.IsZero() || it.AppealOutcome != "" {
			return apperr.New(apperr.Conflict, "error.moderation.appeal.not_open")
		}
		now := s.clock()
		outcome := moderation.Reject
		if reinstate {
			outcome = moderation.Approve
			if err := showContent(ctx, tx, it.Ref, it.Text, true, now); err != nil {
				return err
			}
			if it.Decision == moderation.RejectBlock && it.AuthorID != 0 {
				if _, err := tx.ExecContext(ctx, `DELETE FROM moderation_standings WHERE org_id = $1 AND user_id = $2 AND standing = 'blocked'`,
					it.OrgID, it.AuthorID); err != nil {
					return err
				}
			}
		}
		if err := expectConflict(tx.ExecContext(ctx,
			`UPDATE moderation_items SET state = 'closed', held = FALSE, appeal_outcome = $1, appeal_reason = $2, appeal_decided_at = $3
			 WHERE id = $4 AND state = 'open'`, outcome, reason, now, it.ID)); err != nil {
			return err
		}
		if err := notifyAuthor(ctx, tx, it, now); err != nil {
			return err
		}
		after, _, err := snapshot(ctx, tx, it.ID)
		if err != nil {
			return err
		}
		detail := it.Ref.String() + ": appeal " + map[bool]string{true: "reinstated", false: "upheld"}[reinstate]
		if reason != "" {
			detail += ": " + reason
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: it.OrgID, Action: "moderation.appeal",
			Target: itemTarget(it.ID), Detail: detail, Before: jsonOf(before), After: jsonOf(after)})
	})
}

// AuthorItems lists the items about what a user wrote that are held or
// were hidden, newest first. Reports show their category only: who
// reported it, and what they wrote, stay with the moderators.
func (s *Store) AuthorItems(ctx context.Context, userID int64) ([]moderation.Item, error) {
	var out []moderation.Item
	err := s.view(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = collect(ctx, tx, `SELECT `+itemColumns+` FROM moderation_items i
			WHERE i.author_id = $1 AND (i.held OR i.decision IN ('reject', 'reject_block'))
			ORDER BY COALESCE(i.appeal_decided_at, i.appealed_at, i.decided_at, i.opened_at) DESC, i.id DESC LIMIT 200`,
			[]any{userID}, func(rows *sql.Rows) (moderation.Item, error) { return scanItem(rows) })
		if err != nil {
			return err
		}
		return s.loadFlags(ctx, tx, out)
	})
	for i := range out {
		for j := range out[i].Flags {
			if f := &out[i].Flags[j]; f.Reason == moderation.Reported {
				f.ReporterID, f.Detail = 0, ""
			}
		}
	}
	return out, err
}

// Appeal records an author's appeal and reopens the item (see
// web.ModerationStore).
func (s *Store) Appeal(ctx context.Context, a moderation.Appeal) error {
	a.Text = strings.TrimSpace(strings.ReplaceAll(a.Text, "\r\n", "\n"))
	if err := a.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		it, err := itemTx(ctx, tx, a.ItemID)
		if err != nil {
			return err
		}
		if it.AuthorID == 0 || it.AuthorID != a.UserID {
			return apperr.New(apperr.NotFound, "error.moderation.not_found")
		}
		if !it.CanAppeal() {
			return apperr.New(apperr.Conflict, "error.moderation.appeal.not_allowed")
		}
		now := s.clock()
		res, err := tx.ExecContext(ctx, `UPDATE moderation_items SET state = 'open', opened_at = $1, appeal_text = $2, appealed_at = $1
			WHERE id = $3 AND state = 'closed' AND appealed_at IS NULL`, now, a.Text, it.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "error.moderation.appeal.not_allowed")
		}
		return insertFlag(ctx, tx, it.ID, moderation.Flag{Reason: moderation.Appealed, At: now})
	})
}

// ModerationSettings returns an organisation's settings; none saved yet
// reads as empty (the platform's default guidelines).
func (s *Store) ModerationSettings(ctx context.Context, orgID int64) (moderation.Settings, error) {
	return moderationSettings(ctx, s.read, orgID)
}

func moderationSettings(ctx context.Context, q rowQuerier, orgID int64) (moderation.Settings, error) {
	st := moderation.Settings{OrgID: orgID}
	var words string
	err := q.QueryRowContext(ctx, `SELECT words, guidelines_en, guidelines_cy, updated_at FROM moderation_settings WHERE org_id = $1`, orgID).
		Scan(&words, &st.GuidelinesEN, &st.GuidelinesCY, &st.UpdatedAt)
	if err == sql.ErrNoRows {
		return st, nil
	}
	st.UpdatedAt = st.UpdatedAt.UTC()
	for _, w := range strings.Split(words, "\n") {
		if w != "" {
			st.Words = append(st.Words, w)
		}
	}
	return st, err
}

// SaveModerationSettings saves the word list and the guidelines.
func (s *Store) SaveModerationSettings(ctx context.Context, st moderation.Settings, actorID int64) error {
	words, err := moderation.ParseWords(strings.Join(st.Words, "\n"))
	if err != nil {
		return err
	}
	st.Words = words
	st.GuidelinesEN = strings.TrimSpace(strings.ReplaceAll(st.GuidelinesEN, "\r\n", "\n"))
	st.GuidelinesCY = strings.TrimSpace(strings.ReplaceAll(st.GuidelinesCY, "\r\n", "\n"))
	if err := st.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		old, err := moderationSettings(ctx, tx, st.OrgID)
		if err != nil {
			return err
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO moderation_settings (org_id, words, guidelines_en, guidelines_cy, updated_at) VALUES ($1, $2, $3, $4, $5)
			 ON CONFLICT (org_id) DO UPDATE SET words = excluded.words, guidelines_en = excluded.guidelines_en,
			   guidelines_cy = excluded.guidelines_cy, updated_at = excluded.updated_at`,
			st.OrgID, strings.Join(st.Words, "\n"), st.GuidelinesEN, st.GuidelinesCY, now); err != nil {
			return mapErr(err)
		}
		type view struct {
			Words        []string `json:"words"`
			GuidelinesEN string   `json:"guidelines_en"`
			GuidelinesCY string   `json:"guidelines_cy"`
		}
		if old.Words == nil {
			old.Words = []string{}
		}
		if st.Words == nil {
			st.Words = []string{}
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: st.OrgID, Action: "moderation.settings",
			Target: "organisation:" + itoa(st.OrgID),
			Before: jsonOf(view{old.Words, old.GuidelinesEN, old.GuidelinesCY}), After: jsonOf(view{st.Words, st.GuidelinesEN, st.GuidelinesCY})})
	})
}

// Standings lists the organisation's trusted and blocked authors, blocked
// first, most recently set first.
func (s *Store) Standings(ctx context.Context, orgID int64) ([]moderation.AuthorStanding, error) {
	return collect(ctx, s.read, `SELECT s.org_id, s.user_id, u.display_name, s.standing, s.set_by, s.set_at
		FROM moderation_standings s JOIN users u ON u.id = s.user_id WHERE s.org_id = $1
		ORDER BY CASE WHEN s.standing = 'blocked' THEN 0 ELSE 1 END, s.set_at DESC, s.user_id`, []any{orgID},
		func(rows *sql.Rows) (moderation.AuthorStanding, error) {
			var a moderation.AuthorStanding
			var by sql.NullInt64
			err := rows.Scan(&a.OrgID, &a.UserID, &a.Name, &a.Standing, &by, &a.SetAt)
			a.SetBy, a.SetAt = by.Int64, a.SetAt.UTC()
			return a, err
		})
}

// SetStanding trusts, blocks or (Normal) clears an author.
func (s *Store) SetStanding(ctx context.Context, orgID, userID int64, st moderation.Standing, actorID int64) error {
	if st != moderation.Normal && st != moderation.Trusted && st != moderation.Blocked {
		return apperr.New(apperr.Invalid, "error.moderation.standing.unknown")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = $1`, userID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.NotFound, "error.moderation.not_found")
		}
		old, err := standingOf(ctx, tx, orgID, userID)
		if err != nil {
			return err
		}
		now := s.clock()
		if err := setStanding(ctx, tx, orgID, userID, st, actorID, now); err != nil {
			return err
		}
		type view struct {
			Standing moderation.Standing `json:"standing"`
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: orgID, Action: "moderation.standing",
			Target: "user:" + itoa(userID), Before: jsonOf(view{old}), After: jsonOf(view{st})})
	})
}

// closeItemFor closes an open item about ref when a moderator decides on
// the content through its own page (ModerateProposal, ModerateComment,
// ModerateStatement), so that both paths agree.
func closeItemFor(ctx context.Context, tx *sql.Tx, orgID int64, ref moderation.Ref, d moderation.Decision, reason string, actorID int64, now time.Time) error {
	var it moderation.Item
	var author sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT id, author_id FROM moderation_items WHERE org_id = $1 AND kind = $2 AND target_id = $3 AND state = 'open'`,
		orgID, ref.Kind, ref.ID).Scan(&it.ID, &author)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return err
	}
	it.AuthorID = author.Int64
	if _, err := tx.ExecContext(ctx,
		`UPDATE moderation_items SET state = 'closed', held = FALSE, decision = $1, reason = $2, decided_by = $3, decided_at = $4, notified = ''
		 WHERE id = $5`, d, reason, nullID(actorID), now, it.ID); err != nil {
		return err
	}
	if d.Hides() {
		return notifyAuthor(ctx, tx, it, now)
	}
	return nil
}
