package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"parley/internal/apperr"
	"parley/internal/measure"
)

// answerDue is how long after closing a consultation or conversation its
// published answer is due: the 12 weeks of the UK consultation principles.
const answerDue = 12 * 7 * 24 * time.Hour

// Engagements returns the engagements of the organisations (nil: all) that
// were running at some time in the period, by organisation. An engagement
// runs from opening (a proposal: publication) until its answer is
// published, so one closed before the period that still owed an answer in
// it counts: closing the loop is measured on it. Drafts, unpublished and
// merged proposals are left out.
func (s *Store) Engagements(ctx context.Context, orgIDs []int64, p measure.Period) (map[int64][]measure.Engagement, error) {
	if !p.Valid() {
		return nil, apperr.New(apperr.Invalid, "error.measure.period")
	}
	out := map[int64][]measure.Engagement{}
	if orgIDs != nil && len(orgIDs) == 0 {
		return out, nil
	}
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	for _, read := range []func(context.Context, *sql.Tx, []int64, measure.Period) ([]measure.Engagement, error){
		s.consultationEngagements, s.proposalEngagements, s.conversationEngagements,
	} {
		es, err := read(ctx, tx, orgIDs, p)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			out[e.OrgID] = append(out[e.OrgID], e)
		}
	}
	return out, nil
}

// orgFilter is " AND col IN (…)" for the organisations given (nil: none),
// with its arguments after the first n.
func (s *Store) orgFilter(col string, orgIDs []int64, n int) (string, []any) {
	if orgIDs == nil {
		return "", nil
	}
	args := make([]any, len(orgIDs))
	for i, id := range orgIDs {
		args[i] = id
	}
	return " AND " + col + " IN (" + s.bindVars(n+1, len(orgIDs)) + ")", args
}

func (s *Store) consultationEngagements(ctx context.Context, tx *sql.Tx, orgIDs []int64, p measure.Period) ([]measure.Engagement, error) {
	filter, orgArgs := s.orgFilter("c.org_id", orgIDs, 2)
	q := `SELECT c.org_id, c.id, c.title_en, c.status, c.closed_at, c.outcome_at,
		(SELECT COUNT(*) FROM consultation_responses r WHERE r.consultation_id = c.id AND r.status = 'submitted')
		FROM consultations c
		WHERE c.status <> 'draft' AND COALESCE(c.opened_at, c.created_at) < $1 AND (c.outcome_at IS NULL OR c.outcome_at >= $2)` + filter + `
		ORDER BY c.org_id, c.id`
	return collect(ctx, tx, q, append([]any{p.End(), p.Start()}, orgArgs...), func(rows *sql.Rows) (measure.Engagement, error) {
		e := measure.Engagement{Kind: "consultation"}
		var status string
		var closed, outcome sql.NullTime
		if err := rows.Scan(&e.OrgID, &e.ID, &e.Title, &status, &closed, &outcome, &e.Responses); err != nil {
			return e, err
		}
		e.Participants = e.Responses // one response a person
		if status == "closed" || status == "outcome" {
			e.Owed, e.ClockStart, e.AnsweredAt = true, timeOf(closed), timeOf(outcome)
			if !e.ClockStart.IsZero() {
				e.DueAt = e.ClockStart.Add(answerDue)
			}
		}
		return e, nil
	})
}

func (s *Store) proposalEngagements(ctx context.Context, tx *sql.Tx, orgIDs []int64, p measure.Period) ([]measure.Engagement, error) {
	filter, orgArgs := s.orgFilter("p.org_id", orgIDs, 2)
	// A proposal runs until it closes or, once it owes a response, until
	// the response; ideas that never close run on.
	q := `SELECT p.org_id, p.id, p.title, b.kind, p.threshold_at, p.response_due, p.responded_at,
		(SELECT COALESCE(SUM(n), 0) FROM proposal_counts pc WHERE pc.proposal_id = p.id)
		FROM proposals p JOIN proposal_boards b ON b.id = p.board_id
		WHERE p.stage = 'published' AND p.merged_into IS NULL AND COALESCE(p.published_at, p.created_at) < $1
		AND (p.closes_at IS NULL OR p.closes_at >= $2 OR (p.threshold_at IS NOT NULL AND (p.responded_at IS NULL OR p.responded_at >= $2)))` + filter + `
		ORDER BY p.org_id, p.id`
	return collect(ctx, tx, q, append([]any{p.End(), p.Start()}, orgArgs...), func(rows *sql.Rows) (measure.Engagement, error) {
		var e measure.Engagement
		var kind string
		var threshold, due, responded sql.NullTime
		if err := rows.Scan(&e.OrgID, &e.ID, &e.Title, &kind, &threshold, &due, &responded, &e.Participants); err != nil {
			return e, err
		}
		e.Kind = "idea"
		if kind == "petitions" {
			e.Kind = "petition"
		}
		e.Responses = e.Participants // one signature or support a person
		if threshold.Valid {
			e.Owed, e.ClockStart, e.DueAt, e.AnsweredAt = true, timeOf(threshold), timeOf(due), timeOf(responded)
		}
		return e, nil
	})
}

func (s *Store) conversationEngagements(ctx context.Context, tx *sql.Tx, orgIDs []int64, p measure.Period) ([]measure.Engagement, error) {
	filter, orgArgs := s.orgFilter("c.org_id", orgIDs, 2)
	// The last recompute's vote count saves counting a large
	// conversation's votes on every dashboard; a conversation not yet
	// computed is counted.
	q := `SELECT c.org_id, c.id, c.title_en, c.status, c.closed_at, c.reported_at,
		(SELECT COUNT(*) FROM conversation_participants cp WHERE cp.conversation_id = c.id),
		COALESCE((SELECT cr.votes FROM conversation_results cr WHERE cr.conversation_id = c.id),
			(SELECT COUNT(*) FROM conversation_votes v WHERE v.conversation_id = c.id))
		FROM conversations c
		WHERE c.status <> 'draft' AND COALESCE(c.opened_at, c.created_at) < $1 AND (c.reported_at IS NULL OR c.reported_at >= $2)` + filter + `
		ORDER BY c.org_id, c.id`
	return collect(ctx, tx, q, append([]any{p.End(), p.Start()}, orgArgs...), func(rows *sql.Rows) (measure.Engagement, error) {
		e := measure.Engagement{Kind: "conversation"}
		var status string
		var closed, reported sql.NullTime
		if err := rows.Scan(&e.OrgID, &e.ID, &e.Title, &status, &closed, &reported, &e.Participants, &e.Responses); err != nil {
			return e, err
		}
		if status == "closed" || status == "reported" {
			e.Owed, e.ClockStart, e.AnsweredAt = true, timeOf(closed), timeOf(reported)
			if e.ClockStart.IsZero() {
				e.ClockStart = e.AnsweredAt // reported without being closed first
			}
			if !e.ClockStart.IsZero() {
				e.DueAt = e.ClockStart.Add(answerDue)
			}
		}
		return e, nil
	})
}

// AgeBandCounts counts submitted consultation responses in the period by
// the age band respondents gave, by organisation (nil: all). "Prefer not
// to say" is counted under its own key; responses without an answer are
// left out. A response keyed in counts on the day it was received.
func (s *Store) AgeBandCounts(ctx context.Context, orgIDs []int64, p measure.Period) (map[int64]map[string]int64, error) {
	if !p.Valid() {
		return nil, apperr.New(apperr.Invalid, "error.measure.period")
	}
	out := map[int64]map[string]int64{}
	if orgIDs != nil && len(orgIDs) == 0 {
		return out, nil
	}
	filter, orgArgs := s.orgFilter("c.org_id", orgIDs, 2)
	q := `SELECT c.org_id, r.age_band, COUNT(*) FROM consultation_responses r JOIN consultations c ON c.id = r.consultation_id
		WHERE r.status = 'submitted' AND r.age_band <> ''
		AND COALESCE(r.received_at, r.submitted_at, r.created_at) >= $1 AND COALESCE(r.received_at, r.submitted_at, r.created_at) < $2` + filter + `
		GROUP BY c.org_id, r.age_band`
	rows, err := s.read.QueryContext(ctx, q, append([]any{p.Start(), p.End()}, orgArgs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var org, n int64
		var band string
		if err := rows.Scan(&org, &band, &n); err != nil {
			return nil, err
		}
		if out[org] == nil {
			out[org] = map[string]int64{}
		}
		out[org][strings.TrimSpace(band)] += n
	}
	return out, rows.Err()
}
