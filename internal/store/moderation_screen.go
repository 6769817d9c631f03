package store

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/moderation"
	"parley/internal/proposal"
)

// Screening what citizens write, inside the transaction that saves it:
// the author's standing, pre-moderation and the automatic signals decide
// whether it is held for a moderator, and queue it with the reasons.

// RecentTexts is how many recent texts of the organisation a new
// contribution is compared with, for near-duplicate floods.
const RecentTexts = 1000

// screening is one contribution being saved. The caller fills the first
// fields, calls screen before saving (so nothing of this contribution is
// counted as recent), saves the content held or not as screen says, then
// calls open with its ID.
type screening struct {
	OrgID      int64
	Kind       moderation.Kind
	AuthorID   int64 // 0: anonymous
	AuthorName string
	Text       string
	WhereTitle string
	WhereKind  moderation.Kind
	WhereID    int64
	Pre        bool // the engagement is pre-moderated
	Now        time.Time

	text, name []moderation.Flag // filled by screen
	held       bool
}

// screen looks up the author's standing (blocked: Forbidden; trusted: no
// screening) and runs pre-moderation and the signals. held says the
// content must be kept from the public until a moderator decides.
func (s *Store) screen(ctx context.Context, tx *sql.Tx, sc *screening) (held bool, err error) {
	st, err := standingOf(ctx, tx, sc.OrgID, sc.AuthorID)
	if err != nil {
		return false, err
	}
	switch st {
	case moderation.Blocked:
		return false, apperr.New(apperr.Forbidden, "error.moderation.blocked")
	case moderation.Trusted:
		return false, nil
	}
	sub := moderation.Submission{Text: sc.Text, AuthorName: sc.AuthorName}
	if sc.AuthorID != 0 {
		var email string
		var created time.Time
		err := tx.QueryRowContext(ctx, `SELECT email, created_at FROM users WHERE id = $1`, sc.AuthorID).Scan(&email, &created)
		if err != nil && err != sql.ErrNoRows {
			return false, err
		}
		if err == nil {
			sub.AuthorEmail, sub.AccountAge = email, max(sc.Now.Sub(created.UTC()), time.Nanosecond) // 0 would mean anonymous
		}
		if sub.RecentByAuthor, err = recentByAuthor(ctx, tx, sc.OrgID, sc.AuthorID, sc.Now.Add(-time.Hour)); err != nil {
			return false, err
		}
	}
	settings, err := moderationSettings(ctx, tx, sc.OrgID)
	if err != nil {
		return false, err
	}
	sub.Words = settings.Words
	if sub.Floods, err = s.floods(ctx, tx, sc.OrgID, sc.Now); err != nil {
		return false, err
	}
	sc.text, sc.name = moderation.Screen(sub)
	if sc.Pre {
		sc.text = append([]moderation.Flag{{Reason: moderation.PreModeration}}, sc.text...)
	}
	sc.held = len(sc.text) > 0
	return sc.held, nil
}

// open queues the saved contribution (targetID) with the flags screen
// raised: the contribution itself (held or not, as screen said), and the
// author's display name on its own, never held.
func (sc *screening) open(ctx context.Context, tx *sql.Tx, targetID int64) error {
	if len(sc.text) > 0 {
		id, err := insertItem(ctx, tx, moderation.Item{OrgID: sc.OrgID, Ref: moderation.Ref{Kind: sc.Kind, ID: targetID},
			AuthorID: sc.AuthorID, AuthorName: sc.AuthorName, Text: sc.Text, WhereTitle: sc.WhereTitle, WhereKind: sc.WhereKind,
			WhereID: sc.WhereID, Held: sc.held, State: moderation.Open, OpenedAt: sc.Now})
		if err != nil {
			return err
		}
		for _, f := range sc.text {
			f.At = sc.Now
			if err := insertFlag(ctx, tx, id, f); err != nil {
				return err
			}
		}
	}
	if len(sc.name) == 0 || sc.AuthorID == 0 {
		return nil
	}
	// A display name is one item per person and organisation, reopened
	// when it is flagged again; where is the contribution it was seen on.
	var id int64
	var state moderation.State
	err := tx.QueryRowContext(ctx, `SELECT id, state FROM moderation_items WHERE org_id = $1 AND kind = 'display_name' AND target_id = $2`,
		sc.OrgID, sc.AuthorID).Scan(&id, &state)
	switch {
	case err == sql.ErrNoRows:
		id, err = insertItem(ctx, tx, moderation.Item{OrgID: sc.OrgID, Ref: moderation.Ref{Kind: moderation.KindDisplayName, ID: sc.AuthorID},
			AuthorID: sc.AuthorID, AuthorName: sc.AuthorName, Text: sc.AuthorName, WhereTitle: sc.WhereTitle, WhereKind: sc.Kind,
			WhereID: targetID, State: moderation.Open, OpenedAt: sc.Now})
		if err != nil {
			return err
		}
	case err != nil:
		return err
	case state == moderation.Closed:
		if _, err := tx.ExecContext(ctx, `UPDATE moderation_items SET state = 'open', held = FALSE, opened_at = $1, body = $2, author_name = $2,
			where_title = $3, where_kind = $4, where_id = $5 WHERE id = $6`, sc.Now, sc.AuthorName, sc.WhereTitle, sc.Kind, targetID, id); err != nil {
			return err
		}
	}
	for _, f := range sc.name {
		f.At = sc.Now
		if err := insertFlag(ctx, tx, id, f); err != nil {
			return err
		}
	}
	return nil
}

// recentByAuthor counts what a person wrote in an organisation since a
// time: proposals, comments, statements and submitted responses.
func recentByAuthor(ctx context.Context, tx *sql.Tx, orgID, userID int64, since time.Time) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM proposals WHERE org_id = $1 AND author_id = $2 AND created_at >= $3) +
		(SELECT COUNT(*) FROM proposal_comments c JOIN proposals p ON p.id = c.proposal_id
		  WHERE p.org_id = $1 AND c.author_id = $2 AND c.created_at >= $3) +
		(SELECT COUNT(*) FROM conversation_statements st JOIN conversation_participants cp ON cp.id = st.participant_id
		  JOIN conversations cv ON cv.id = st.conversation_id WHERE cv.org_id = $1 AND cp.user_id = $2 AND st.created_at >= $3) +
		(SELECT COUNT(*) FROM consultation_responses r JOIN consultations c ON c.id = r.consultation_id
		  WHERE c.org_id = $1 AND r.user_id = $2 AND r.status = 'submitted' AND r.submitted_at >= $3)`,
		orgID, userID, since).Scan(&n)
	return n, err
}

// floodCache keeps each organisation's recent writing indexed for the
// flood signal. Indexing a day's writing again for every contribution was
// most of what screening cost (BenchmarkCommentScreening); instead each
// contribution adds only what was written since the last, and the index
// is rebuilt from the newest RecentTexts texts once it is an hour old or
// holds twice that many, so it covers the last 24 to 25 hours in at most
// 2×RecentTexts texts per organisation (about 2 KB each).
//
// What one process has not read yet, it reads from the database, so
// several processes each keep their own. A row committed out of order
// (a lower ID committed after a higher one was read) is missed until the
// next rebuild: the signal is a hint for moderators, not a gate.
type floodCache struct {
	mu   sync.Mutex
	orgs map[int64]*orgFloods
}

type orgFloods struct {
	mu    sync.Mutex
	idx   *moderation.FloodIndex
	built time.Time
	// The newest row read of each source: proposals, comments and
	// statements by ID; consultation responses by the time submitted,
	// since a response's ID is taken when it is started.
	proposal, comment, statement int64
	response                     time.Time
}

func (c *floodCache) org(id int64) *orgFloods {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.orgs == nil {
		c.orgs = map[int64]*orgFloods{}
	}
	o := c.orgs[id]
	if o == nil {
		o = &orgFloods{}
		c.orgs[id] = o
	}
	return o
}

// floods returns the organisation's index, brought up to date inside tx.
// The caller holds no lock; the index is safe to read concurrently.
func (s *Store) floods(ctx context.Context, tx *sql.Tx, orgID int64, now time.Time) (*moderation.FloodIndex, error) {
	o := s.floodCache.org(orgID)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.idx == nil || now.Sub(o.built) > time.Hour || o.idx.Len() > 2*RecentTexts {
		o.idx, o.built = moderation.NewFloodIndex(), now
		o.proposal, o.comment, o.statement, o.response = 0, 0, 0, time.Time{}
	}
	since := o.built.Add(-24 * time.Hour)
	rows, err := tx.QueryContext(ctx, `SELECT src, id, t, at FROM (
		SELECT 0 AS src, id, title || $2 || body AS t, created_at AS at FROM proposals WHERE org_id = $1 AND id > $3 AND created_at >= $7
		UNION ALL
		SELECT 1, c.id, c.body, c.created_at FROM proposal_comments c JOIN proposals p ON p.id = c.proposal_id
		  WHERE p.org_id = $1 AND c.id > $4 AND c.created_at >= $7
		UNION ALL
		SELECT 2, st.id, st.body, st.created_at FROM conversation_statements st JOIN conversations cv ON cv.id = st.conversation_id
		  WHERE cv.org_id = $1 AND NOT st.seed AND st.id > $5 AND st.created_at >= $7
		UNION ALL
		SELECT 3, a.id, a.text, r.submitted_at FROM consultation_answers a JOIN consultation_responses r ON r.id = a.response_id
		  JOIN consultations c ON c.id = r.consultation_id
		  WHERE c.org_id = $1 AND r.status = 'submitted' AND r.submitted_at > $6 AND r.submitted_at >= $7 AND a.text <> ''
	) x ORDER BY at DESC LIMIT `+itoa(RecentTexts), orgID, "\n\n", o.proposal, o.comment, o.statement, o.response, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var src int
		var id int64
		var text string
		var at time.Time
		if err := rows.Scan(&src, &id, &text, &at); err != nil {
			return nil, err
		}
		o.idx.Add(text)
		switch src {
		case 0:
			o.proposal = max(o.proposal, id)
		case 1:
			o.comment = max(o.comment, id)
		case 2:
			o.statement = max(o.statement, id)
		case 3:
			if at.After(o.response) {
				o.response = at
			}
		}
	}
	return o.idx, rows.Err()
}

// afterSponsors is where a petition goes once it has its sponsors: held
// for a moderator while its item is open and held; published when a
// moderator already approved it, or its author is trusted; otherwise as
// its board says.
func afterSponsors(ctx context.Context, tx *sql.Tx, id int64, b proposal.Board) (proposal.Stage, error) {
	var state, decision sql.NullString
	var held sql.NullBool
	var org int64
	var author sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT i.state, i.held, i.decision, p.org_id, p.author_id FROM proposals p
		LEFT JOIN moderation_items i ON i.kind = 'proposal' AND i.target_id = p.id WHERE p.id = $1`, id).
		Scan(&state, &held, &decision, &org, &author)
	if err != nil {
		return "", err
	}
	d := moderation.Decision(decision.String)
	switch {
	case moderation.State(state.String) == moderation.Open && held.Bool:
		return proposal.Pending, nil
	case moderation.State(state.String) == moderation.Closed && d != "" && !d.Hides():
		return proposal.Published, nil
	}
	if st, err := standingOf(ctx, tx, org, author.Int64); err != nil || st == moderation.Trusted {
		return proposal.Published, err
	}
	return proposal.AfterSponsors(b), nil
}

// screenResponse screens a response being submitted when its consent
// publishes it: under the consultation's pre-moderation, or when a signal
// fires, it is withheld until a moderator decides.
func (s *Store) screenResponse(ctx context.Context, tx *sql.Tx, c consultation.Consultation, r *consultation.Response, now time.Time) error {
	if r.Consent != consultation.PublishAnonymous && r.Consent != consultation.PublishNamed {
		return nil
	}
	text, err := responseText(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	sc := screening{OrgID: c.OrgID, Kind: moderation.KindResponse, AuthorID: r.UserID, AuthorName: r.PublicName(), Text: text,
		WhereTitle: c.TitleEN, WhereID: c.ID, Pre: c.Moderation == consultation.PreModeration, Now: now}
	held, err := s.screen(ctx, tx, &sc)
	if err != nil {
		return err
	}
	if held {
		if _, err := tx.ExecContext(ctx, `UPDATE consultation_responses SET withheld = TRUE WHERE id = $1`, r.ID); err != nil {
			return err
		}
		r.Withheld = true
	}
	return sc.open(ctx, tx, r.ID)
}
