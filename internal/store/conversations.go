package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/conversation"
	"parley/internal/moderation"
)

const conversationColumns = `id, org_id, title_en, title_cy, question_en, question_cy, status, moderation, anonymous,
	attribution, response, created_at, opened_at, closed_at, reported_at`

func scanConversation(row interface{ Scan(...any) error }) (conversation.Conversation, error) {
	var c conversation.Conversation
	var opened, closed, reported sql.NullTime
	err := row.Scan(&c.ID, &c.OrgID, &c.TitleEN, &c.TitleCY, &c.QuestionEN, &c.QuestionCY, &c.Status, &c.Moderation,
		&c.Anonymous, &c.Attribution, &c.Response, &c.CreatedAt, &opened, &closed, &reported)
	c.CreatedAt, c.OpenedAt, c.ClosedAt, c.ReportedAt = c.CreatedAt.UTC(), timeOf(opened), timeOf(closed), timeOf(reported)
	return c, err
}

func conversationTarget(id int64) string { return "conversation:" + itoa(id) }

// CreateConversation saves a new conversation with its seed statements,
// which are approved as they are written by staff.
func (s *Store) CreateConversation(ctx context.Context, c conversation.Conversation, seeds []string, actorID int64) (conversation.Conversation, error) {
	c.Normalise()
	if err := c.Validate(); err != nil {
		return c, err
	}
	clean, err := cleanSeeds(seeds)
	if err != nil {
		return c, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		c.CreatedAt = s.clock()
		if err := insertConversation(ctx, tx, &c); err != nil {
			return err
		}
		for _, text := range clean {
			if _, err := insertStatement(ctx, tx, c.ID, text, conversation.Approved, true, 0, "", c.CreatedAt); err != nil {
				return err
			}
		}
		return audit(ctx, tx, account.AuditEntry{At: c.CreatedAt, ActorID: actorID, OrgID: c.OrgID,
			Action: "conversation.create", Target: conversationTarget(c.ID), Detail: strconv.Itoa(len(clean)) + " seed statements"})
	})
	return c, err
}

// insertConversation saves a new conversation, stamping its opening when it starts open.
func insertConversation(ctx context.Context, tx *sql.Tx, c *conversation.Conversation) error {
	if c.Status == conversation.Open {
		c.OpenedAt = c.CreatedAt
	}
	return tx.QueryRowContext(ctx,
		`INSERT INTO conversations (org_id, title_en, title_cy, question_en, question_cy, status, moderation, anonymous, attribution, created_at, opened_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		c.OrgID, c.TitleEN, c.TitleCY, c.QuestionEN, c.QuestionCY, c.Status, c.Moderation, c.Anonymous, c.Attribution,
		c.CreatedAt, nullTime(c.OpenedAt)).Scan(&c.ID)
}

// cleanSeeds checks staff-written statements, dropping blank lines.
func cleanSeeds(seeds []string) ([]string, error) {
	if len(seeds) > conversation.MaxSeeds {
		var f apperr.Fields
		f.Add("statements", "error.statements.too_many")
		return nil, f.Err()
	}
	var out []string
	for _, s := range seeds {
		if c, err := conversation.CleanStatement(s); err == nil {
			out = append(out, c)
		} else if c != "" {
			var f apperr.Fields
			f.Add("statements", "error.statements.too_long")
			return nil, f.Err()
		}
	}
	return out, nil
}

func insertStatement(ctx context.Context, tx *sql.Tx, convID int64, text string, status conversation.StatementStatus, seed bool, participantID int64, externalID string, at time.Time) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx,
		`INSERT INTO conversation_statements (conversation_id, body, status, seed, participant_id, external_id, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		convID, text, status, seed, sql.NullInt64{Int64: participantID, Valid: participantID != 0},
		sql.NullString{String: externalID, Valid: externalID != ""}, at).Scan(&id)
	return id, err
}

// Conversation returns one conversation.
func (s *Store) Conversation(ctx context.Context, id int64) (conversation.Conversation, error) {
	c, err := scanConversation(s.read.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return c, apperr.Wrap(apperr.NotFound, err, "error.conversation.not_found")
	}
	return c, err
}

// Conversations lists an organisation's conversations, newest first; only
// the public ones unless all is set.
func (s *Store) Conversations(ctx context.Context, orgID int64, all bool) ([]conversation.Conversation, error) {
	q := `SELECT ` + conversationColumns + ` FROM conversations WHERE org_id = $1`
	if !all {
		q += ` AND status <> 'draft'`
	}
	return collect(ctx, s.read, q+` ORDER BY id DESC LIMIT 500`, []any{orgID}, func(rows *sql.Rows) (conversation.Conversation, error) {
		return scanConversation(rows)
	})
}

// SetConversationStatus opens, closes or reopens a conversation.
func (s *Store) SetConversationStatus(ctx context.Context, id int64, to conversation.Status, actorID int64) error {
	if to == conversation.Reported {
		return apperr.New(apperr.Invalid, "error.conversation.status.report_needed")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		c, err := conversationTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !conversation.CanMove(c.Status, to) {
			return apperr.New(apperr.Conflict, "error.conversation.status.move")
		}
		now := s.clock()
		set := `status = $1, closed_at = $2 WHERE id = $3`
		at := now
		if to == conversation.Open {
			set, at = `status = $1, opened_at = COALESCE(opened_at, $2), closed_at = NULL WHERE id = $3`, now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE conversations SET `+set, to, at, id); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: c.OrgID,
			Action: "conversation.status", Target: conversationTarget(id), Detail: string(c.Status) + " → " + string(to)})
	})
}

// PublishConversationReport publishes the organisation's response to a
// closed conversation; the report page then shows it beside the results.
func (s *Store) PublishConversationReport(ctx context.Context, id int64, response string, actorID int64) error {
	var f apperr.Fields
	f.Check(response != "", "response", "error.conversation.response.required")
	f.Check(len([]rune(response)) <= conversation.MaxResponse, "response", "error.conversation.response.too_long")
	if err := f.Err(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		c, err := conversationTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Status != conversation.Closed && c.Status != conversation.Reported {
			return apperr.New(apperr.Conflict, "error.conversation.report.not_closed")
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx,
			`UPDATE conversations SET status = 'reported', response = $1, reported_at = COALESCE(reported_at, $2) WHERE id = $3`,
			response, now, id); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: c.OrgID,
			Action: "conversation.report", Target: conversationTarget(id)})
	})
}

// openConversation loads a conversation inside a transaction and checks it
// takes votes and statements.
func openConversation(ctx context.Context, tx *sql.Tx, id int64) (conversation.Conversation, error) {
	c, err := conversationTx(ctx, tx, id)
	if err != nil {
		return c, err
	}
	if !c.Voting() {
		return c, apperr.New(apperr.Conflict, "error.conversation.not_open")
	}
	return c, nil
}

// participant returns the participant's ID in a conversation, creating
// them on their first vote or statement.
func participant(ctx context.Context, tx *sql.Tx, convID int64, p conversation.Participant, now time.Time) (int64, error) {
	col, key, err := participantKey(p)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM conversation_participants WHERE conversation_id = $1 AND `+col+` = $2`, convID, key).Scan(&id)
	if err != sql.ErrNoRows {
		return id, err
	}
	err = tx.QueryRowContext(ctx,
		`INSERT INTO conversation_participants (conversation_id, `+col+`, created_at) VALUES ($1, $2, $3) RETURNING id`,
		convID, key, now).Scan(&id)
	return id, err
}

func participantKey(p conversation.Participant) (string, any, error) {
	switch {
	case p.UserID != 0:
		return "user_id", p.UserID, nil
	case p.CookieHash != "":
		return "cookie_hash", p.CookieHash, nil
	case p.ExternalID != "":
		return "external_id", p.ExternalID, nil
	}
	return "", nil, apperr.New(apperr.Unauthenticated, "error.conversation.sign_in")
}

// ParticipantID returns the participant's ID, or 0 if they have not taken
// part yet.
func (s *Store) ParticipantID(ctx context.Context, convID int64, p conversation.Participant) (int64, error) {
	col, key, err := participantKey(p)
	if err != nil {
		return 0, nil
	}
	var id int64
	err = s.read.QueryRowContext(ctx, `SELECT id FROM conversation_participants WHERE conversation_id = $1 AND `+col+` = $2`, convID, key).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return id, err
}

// AddStatement saves a participant's statement: approved at once under
// post-moderation, pending under pre-moderation.
func (s *Store) AddStatement(ctx context.Context, convID int64, p conversation.Participant, text string) (conversation.Statement, error) {
	text, err := conversation.CleanStatement(text)
	if err != nil {
		return conversation.Statement{}, err
	}
	st := conversation.Statement{ConversationID: convID, Text: text}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		c, err := openConversation(ctx, tx, convID)
		if err != nil {
			return err
		}
		now := s.clock()
		pid, err := participant(ctx, tx, convID, p, now)
		if err != nil {
			return err
		}
		// The same text twice adds nothing: the second is almost always a double submit.
		var dup int
		if err := tx.QueryRowContext(ctx,
			`SELECT COUNT(*) FROM conversation_statements WHERE conversation_id = $1 AND body = $2 AND status <> 'rejected'`,
			convID, text).Scan(&dup); err != nil {
			return err
		}
		if dup > 0 {
			var f apperr.Fields
			f.Add("statement", "error.statement.duplicate")
			return f.Err()
		}
		// Screening holds it under pre-moderation or when a signal fires
		// (trusted authors skip both); a blocked author may not write.
		sc := screening{OrgID: c.OrgID, Kind: moderation.KindStatement, AuthorID: p.UserID, Text: text, WhereTitle: c.TitleEN,
			WhereID: c.ID, Pre: c.Moderation == conversation.PreModeration, Now: now}
		held, err := s.screen(ctx, tx, &sc)
		if err != nil {
			return err
		}
		st.Status, st.CreatedAt = conversation.Approved, now
		if held {
			st.Status = conversation.Pending
		}
		if st.ID, err = insertStatement(ctx, tx, convID, text, st.Status, false, pid, "", now); err != nil {
			return err
		}
		return sc.open(ctx, tx, st.ID)
	})
	return st, err
}

// AddSeedStatements adds staff-written statements, approved.
func (s *Store) AddSeedStatements(ctx context.Context, convID int64, texts []string, actorID int64) (int, error) {
	clean, err := cleanSeeds(texts)
	if err != nil {
		return 0, err
	}
	if len(clean) == 0 {
		var f apperr.Fields
		f.Add("statements", "error.statements.required")
		return 0, f.Err()
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		c, err := conversationTx(ctx, tx, convID)
		if err != nil {
			return err
		}
		now := s.clock()
		for _, text := range clean {
			if _, err := insertStatement(ctx, tx, convID, text, conversation.Approved, true, 0, "", now); err != nil {
				return err
			}
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: c.OrgID, Action: "conversation.seed",
			Target: conversationTarget(convID), Detail: strconv.Itoa(len(clean)) + " statements"})
	})
	return len(clean), err
}

// conversationTx loads a conversation inside a transaction.
func conversationTx(ctx context.Context, tx *sql.Tx, id int64) (conversation.Conversation, error) {
	c, err := scanConversation(tx.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return c, apperr.Wrap(apperr.NotFound, err, "error.conversation.not_found")
	}
	return c, err
}

// ModerateStatement approves or rejects a statement.
func (s *Store) ModerateStatement(ctx context.Context, convID, statementID int64, to conversation.StatementStatus, actorID int64) error {
	if to != conversation.Approved && to != conversation.Rejected {
		return apperr.New(apperr.Invalid, "error.statement.decision")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		c, err := conversationTx(ctx, tx, convID)
		if err != nil {
			return err
		}
		now := s.clock()
		res, err := tx.ExecContext(ctx,
			`UPDATE conversation_statements SET status = $1, moderated_at = $2 WHERE id = $3 AND conversation_id = $4`,
			to, now, statementID, convID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "error.statement.not_found")
		}
		// Rejecting a statement changes the matrix the math sees.
		if err := enqueueRecompute(ctx, tx, convID, now); err != nil {
			return err
		}
		// An open item about it in the moderation queue is decided too.
		decision := moderation.Approve
		if to == conversation.Rejected {
			decision = moderation.Reject
		}
		if err := closeItemFor(ctx, tx, c.OrgID, moderation.Ref{Kind: moderation.KindStatement, ID: statementID}, decision, "", actorID, now); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: c.OrgID, Action: "statement." + string(to),
			Target: "statement:" + itoa(statementID), Detail: conversationTarget(convID)})
	})
}

// Statements lists a conversation's statements with a status ("" for all), oldest first.
func (s *Store) Statements(ctx context.Context, convID int64, status conversation.StatementStatus) ([]conversation.Statement, error) {
	q := `SELECT id, conversation_id, body, status, seed, COALESCE(external_id, ''), COALESCE(participant_id, 0), created_at FROM conversation_statements WHERE conversation_id = $1`
	args := []any{convID}
	if status != "" {
		q += ` AND status = $2`
		args = append(args, status)
	}
	return collect(ctx, s.read, q+` ORDER BY id`, args, func(rows *sql.Rows) (conversation.Statement, error) {
		var st conversation.Statement
		err := rows.Scan(&st.ID, &st.ConversationID, &st.Text, &st.Status, &st.Seed, &st.ExternalID, &st.ParticipantID, &st.CreatedAt)
		st.CreatedAt = st.CreatedAt.UTC()
		return st, err
	})
}

// Vote records a participant's vote on a statement (a second vote replaces
// the first) and asks for the math to run again shortly.
func (s *Store) Vote(ctx context.Context, convID int64, p conversation.Participant, statementID int64, v conversation.Vote, channel string) (int64, error) {
	// Votes come in bursts (a conversation in the news, a room at an event
	// voting at once): they share transactions through the group commit.
	var pid int64
	err := s.group.do(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := openConversation(ctx, tx, convID); err != nil {
			return err
		}
		now := s.clock()
		var err error
		if pid, err = participant(ctx, tx, convID, p, now); err != nil {
			return err
		}
		return castVote(ctx, tx, convID, pid, statementID, v, channel, now)
	})
	return pid, err
}

// VoteBatch records votes keyed in by staff, all or none.
func (s *Store) VoteBatch(ctx context.Context, convID int64, votes []conversation.BallotEntry, channel string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := openConversation(ctx, tx, convID); err != nil {
			return err
		}
		now := s.clock()
		ids := map[string]int64{}
		for _, b := range votes {
			pid, ok := ids[b.Participant]
			if !ok {
				var err error
				if pid, err = participant(ctx, tx, convID, conversation.Participant{ExternalID: "api:" + b.Participant}, now); err != nil {
					return err
				}
				ids[b.Participant] = pid
			}
			if err := castVote(ctx, tx, convID, pid, b.StatementID, b.Vote, channel, now); err != nil {
				return err
			}
		}
		return nil
	})
}

func castVote(ctx context.Context, tx *sql.Tx, convID, pid, statementID int64, v conversation.Vote, channel string, now time.Time) error {
	if v < conversation.Disagree || v > conversation.Agree || !conversation.ValidChannel(channel) {
		return apperr.New(apperr.Invalid, "error.vote.choose")
	}
	var status conversation.StatementStatus
	err := tx.QueryRowContext(ctx, `SELECT status FROM conversation_statements WHERE id = $1 AND conversation_id = $2`, statementID, convID).Scan(&status)
	if err == sql.ErrNoRows || (err == nil && status != conversation.Approved) {
		return apperr.New(apperr.NotFound, "error.statement.not_found")
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO conversation_votes (conversation_id, participant_id, statement_id, vote, channel, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		 ON CONFLICT (conversation_id, participant_id, statement_id) DO UPDATE SET vote = excluded.vote, channel = excluded.channel, created_at = excluded.created_at`,
		convID, pid, statementID, v, channel, now); err != nil {
		return err
	}
	return enqueueRecompute(ctx, tx, convID, now)
}

// enqueueRecompute asks for the opinion math to run a little later: votes
// arriving meanwhile share the one run (the job's key holds it to one).
func enqueueRecompute(ctx context.Context, tx *sql.Tx, convID int64, now time.Time) error {
	return enqueueJob(ctx, tx, conversation.RecomputeJob(convID, now), now)
}

// VotedStatements lists the statements the participant has voted on, with the vote.
func (s *Store) VotedStatements(ctx context.Context, convID, participantID int64) (map[int64]conversation.Vote, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT statement_id, vote FROM conversation_votes WHERE conversation_id = $1 AND participant_id = $2`, convID, participantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]conversation.Vote{}
	for rows.Next() {
		var id int64
		var v conversation.Vote
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		out[id] = v
	}
	return out, rows.Err()
}

// VoteMatrix returns every vote of the conversation, on statements shown
// and rejected alike: the math and the open data say which is which.
func (s *Store) VoteMatrix(ctx context.Context, convID int64) ([]conversation.VoteRecord, error) {
	return collect(ctx, s.read, `SELECT participant_id, statement_id, vote, created_at FROM conversation_votes WHERE conversation_id = $1`,
		[]any{convID}, func(rows *sql.Rows) (conversation.VoteRecord, error) {
			var r conversation.VoteRecord
			err := rows.Scan(&r.ParticipantID, &r.StatementID, &r.Vote, &r.At)
			r.At = r.At.UTC()
			return r, err
		})
}

// VotesSince reports whether any vote was cast at or after t: the math
// runs again if votes arrived while it ran.
func (s *Store) VotesSince(ctx context.Context, convID int64, t time.Time) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM (SELECT 1 FROM conversation_votes WHERE conversation_id = $1 AND created_at >= $2 LIMIT 1) AS recent`,
		convID, t.UTC()).Scan(&n)
	return n > 0, err
}

// RequestFollowUp queues another run of the math for a conversation, from
// within the running job whose key is runningKey.
func (s *Store) RequestFollowUp(ctx context.Context, convID int64, runningKey string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		return enqueueJob(ctx, tx, conversation.FollowUpJob(convID, runningKey, now), now)
	})
}

// SaveConversationResult keeps the latest result of the math.
func (s *Store) SaveConversationResult(ctx context.Context, convID int64, votes int, body []byte) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO conversation_results (conversation_id, computed_at, votes, body) VALUES ($1, $2, $3, $4)
			 ON CONFLICT (conversation_id) DO UPDATE SET computed_at = excluded.computed_at, votes = excluded.votes, body = excluded.body`,
			convID, s.clock(), votes, string(body))
		return err
	})
}

// ConversationResult returns the latest result of the math, and when it
// was computed; NotFound before the first run.
func (s *Store) ConversationResult(ctx context.Context, convID int64) ([]byte, time.Time, error) {
	var body string
	var at time.Time
	err := s.read.QueryRowContext(ctx, `SELECT body, computed_at FROM conversation_results WHERE conversation_id = $1`, convID).Scan(&body, &at)
	if err == sql.ErrNoRows {
		return nil, time.Time{}, apperr.New(apperr.NotFound, "error.conversation.no_results")
	}
	return []byte(body), at.UTC(), err
}

// ConversationResultAt returns when the latest result was computed, so a
// reader can tell whether its copy is current without loading the result.
func (s *Store) ConversationResultAt(ctx context.Context, convID int64) (time.Time, error) {
	var at time.Time
	err := s.read.QueryRowContext(ctx, `SELECT computed_at FROM conversation_results WHERE conversation_id = $1`, convID).Scan(&at)
	if err == sql.ErrNoRows {
		return at, apperr.New(apperr.NotFound, "error.conversation.no_results")
	}
	return at.UTC(), err
}

// ConversationCounts counts participants, votes and statements.
func (s *Store) ConversationCounts(ctx context.Context, convID int64) (conversation.Counts, error) {
	var c conversation.Counts
	err := s.read.QueryRowContext(ctx,
		`SELECT (SELECT COUNT(*) FROM conversation_participants WHERE conversation_id = $1),
		        (SELECT COUNT(*) FROM conversation_votes WHERE conversation_id = $1),
		        (SELECT COUNT(*) FROM conversation_statements WHERE conversation_id = $1 AND status = 'approved'),
		        (SELECT COUNT(*) FROM conversation_statements WHERE conversation_id = $1 AND status = 'pending')`,
		convID).Scan(&c.Participants, &c.Votes, &c.Statements, &c.Pending)
	return c, err
}

// OrgConversationCounts counts participants, votes and statements of every
// conversation of an organisation at once, for lists (one query per count,
// not one per conversation). Conversations with no activity are absent.
func (s *Store) OrgConversationCounts(ctx context.Context, orgID int64) (map[int64]conversation.Counts, error) {
	out := map[int64]conversation.Counts{}
	for _, q := range []struct {
		sql string
		set func(c *conversation.Counts, n int)
	}{
		{`SELECT p.conversation_id, COUNT(*) FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
		  WHERE c.org_id = $1 GROUP BY p.conversation_id`, func(c *conversation.Counts, n int) { c.Participants = n }},
		{`SELECT v.conversation_id, COUNT(*) FROM conversation_votes v JOIN conversations c ON c.id = v.conversation_id
		  WHERE c.org_id = $1 GROUP BY v.conversation_id`, func(c *conversation.Counts, n int) { c.Votes = n }},
		{`SELECT st.conversation_id, COUNT(*) FROM conversation_statements st JOIN conversations c ON c.id = st.conversation_id
		  WHERE c.org_id = $1 AND st.status = 'approved' GROUP BY st.conversation_id`, func(c *conversation.Counts, n int) { c.Statements = n }},
		{`SELECT st.conversation_id, COUNT(*) FROM conversation_statements st JOIN conversations c ON c.id = st.conversation_id
		  WHERE c.org_id = $1 AND st.status = 'pending' GROUP BY st.conversation_id`, func(c *conversation.Counts, n int) { c.Pending = n }},
	} {
		type row struct {
			id int64
			n  int
		}
		rows, err := collect(ctx, s.read, q.sql, []any{orgID}, func(rows *sql.Rows) (row, error) {
			var r row
			err := rows.Scan(&r.id, &r.n)
			return r, err
		})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			c := out[r.id]
			q.set(&c, r.n)
			out[r.id] = c
		}
	}
	return out, nil
}

// VotesPerDay counts the conversation's votes by day (UTC) of their last change.
func (s *Store) VotesPerDay(ctx context.Context, convID int64) ([]conversation.DayCount, error) {
	day := `substr(created_at, 1, 10)`
	if s.dialect == Postgres {
		day = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`
	}
	return collect(ctx, s.read, `SELECT `+day+` AS day, COUNT(*) FROM conversation_votes WHERE conversation_id = $1 GROUP BY day ORDER BY day`,
		[]any{convID}, func(rows *sql.Rows) (conversation.DayCount, error) {
			var d conversation.DayCount
			err := rows.Scan(&d.Day, &d.Votes)
			return d, err
		})
}

// ImportConversation saves a conversation exported from another system
// (the Polis open-data format), all or nothing.
func (s *Store) ImportConversation(ctx context.Context, c conversation.Conversation, statements []conversation.ImportedStatement, votes []conversation.ImportedVote, actorID int64) (conversation.Conversation, error) {
	c.Normalise()
	if err := c.Validate(); err != nil {
		return c, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		c.CreatedAt = now
		if err := insertConversation(ctx, tx, &c); err != nil {
			return err
		}
		stmtIDs := make(map[string]int64, len(statements))
		for _, st := range statements {
			text := st.Text
			if len([]rune(text)) > 4*conversation.MaxStatement { // imported text is kept, within reason
				text = string([]rune(text)[:4*conversation.MaxStatement])
			}
			if st.Status == "" {
				st.Status = conversation.Approved
			}
			at := st.At
			if at.IsZero() {
				at = now
			}
			id, err := insertStatement(ctx, tx, c.ID, text, st.Status, false, 0, st.ExternalID, at.UTC())
			if err != nil {
				return err
			}
			stmtIDs[st.ExternalID] = id
		}
		if err := insertImportedVotes(ctx, tx, c.ID, stmtIDs, votes, conversation.ChannelImport, now); err != nil {
			return err
		}
		if err := enqueueRecompute(ctx, tx, c.ID, now); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: c.OrgID, Action: "conversation.import",
			Target: conversationTarget(c.ID), Detail: strconv.Itoa(len(statements)) + " statements, " + strconv.Itoa(len(votes)) + " votes"})
	})
	return c, err
}

// AddImportedVotes adds votes gathered elsewhere (at an event, say) to a
// conversation, all or none; statements are named by their IDs.
func (s *Store) AddImportedVotes(ctx context.Context, convID int64, votes []conversation.ImportedVote, channel string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := conversationTx(ctx, tx, convID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM conversation_statements WHERE conversation_id = $1 AND status = 'approved'`, convID)
		if err != nil {
			return err
		}
		stmtIDs := map[string]int64{}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			stmtIDs[itoa(id)] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := s.clock()
		if err := insertImportedVotes(ctx, tx, convID, stmtIDs, votes, channel, now); err != nil {
			return err
		}
		return enqueueRecompute(ctx, tx, convID, now)
	})
}

// insertImportedVotes saves votes by external participant IDs, creating
// the participants; a later vote on the same statement replaces an earlier.
func insertImportedVotes(ctx context.Context, tx *sql.Tx, convID int64, stmtIDs map[string]int64, votes []conversation.ImportedVote, channel string, now time.Time) error {
	if !conversation.ValidChannel(channel) {
		return apperr.New(apperr.Invalid, "error.vote.channel")
	}
	insP, err := tx.PrepareContext(ctx, `INSERT INTO conversation_participants (conversation_id, external_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING RETURNING id`)
	if err != nil {
		return err
	}
	defer insP.Close()
	insV, err := tx.PrepareContext(ctx,
		`INSERT INTO conversation_votes (conversation_id, participant_id, statement_id, vote, channel, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		 ON CONFLICT (conversation_id, participant_id, statement_id) DO UPDATE SET vote = excluded.vote, channel = excluded.channel, created_at = excluded.created_at`)
	if err != nil {
		return err
	}
	defer insV.Close()
	people := map[string]int64{}
	for i, v := range votes {
		sid, ok := stmtIDs[v.Statement]
		if !ok {
			return apperr.New(apperr.Invalid, "vote %d names statement %q, which is not in the conversation", i+1, v.Statement)
		}
		if v.Vote < conversation.Disagree || v.Vote > conversation.Agree {
			return apperr.New(apperr.Invalid, "vote %d is not agree (1), disagree (-1) or pass (0)", i+1)
		}
		at := v.At
		if at.IsZero() {
			at = now
		}
		pid, ok := people[v.Participant]
		if !ok {
			ext := "import:" + v.Participant
			err := insP.QueryRowContext(ctx, convID, ext, at.UTC()).Scan(&pid)
			if err == sql.ErrNoRows { // already there from an earlier import
				err = tx.QueryRowContext(ctx, `SELECT id FROM conversation_participants WHERE conversation_id = $1 AND external_id = $2`, convID, ext).Scan(&pid)
			}
			if err != nil {
				return err
			}
			people[v.Participant] = pid
		}
		if _, err := insV.ExecContext(ctx, convID, pid, sid, v.Vote, channel, at.UTC()); err != nil {
			return err
		}
	}
	return nil
}

// ConversationParticipants lists the participants by ID, with imported IDs.
func (s *Store) ConversationParticipants(ctx context.Context, convID int64) ([]conversation.ExportParticipant, error) {
	return collect(ctx, s.read, `SELECT id, COALESCE(external_id, '') FROM conversation_participants WHERE conversation_id = $1 ORDER BY id`,
		[]any{convID}, func(rows *sql.Rows) (conversation.ExportParticipant, error) {
			var p conversation.ExportParticipant
			err := rows.Scan(&p.ID, &p.ExternalID)
			return p, err
		})
}
