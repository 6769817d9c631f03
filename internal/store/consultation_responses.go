package store

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/outbox"
)

// Responses to consultations, from every channel.

const responseColumns = `r.id, r.consultation_id, r.status, r.channel, r.respondent, r.name, r.org_name, r.email, r.consent,
	r.hear_back, r.lang, r.user_id, r.reference, r.scan_id, r.received_at, r.submitted_at, r.created_at, r.keyed_by, r.age_band, r.withheld`

func scanResponse(row scanner) (consultation.Response, error) {
	var r consultation.Response
	var user, scan, keyed sql.NullInt64
	var received, submitted sql.NullTime
	err := row.Scan(&r.ID, &r.ConsultationID, &r.Status, &r.Channel, &r.Respondent, &r.Name, &r.OrgName, &r.Email, &r.Consent,
		&r.HearBack, &r.Lang, &user, &r.Reference, &scan, &received, &submitted, &r.CreatedAt, &keyed, &r.AgeBand, &r.Withheld)
	r.UserID, r.ScanID, r.KeyedBy = user.Int64, scan.Int64, keyed.Int64
	r.ReceivedAt, r.SubmittedAt, r.CreatedAt = timeOf(received), timeOf(submitted), r.CreatedAt.UTC()
	return r, err
}

func responseTarget(id int64) string { return "response:" + itoa(id) }

// resumePrefix marks save-and-return tokens, so a leaked one is recognisable.
const resumePrefix = "prl_"

// cleanLang keeps the languages Parley writes emails in.
func cleanLang(l string) string {
	if l == "en" || l == "cy" {
		return l
	}
	return ""
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// encodeChoices keeps a choice answer as its option indexes, e.g. "0,2".
func encodeChoices(cs []int) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, ",")
}

func decodeChoices(s string) []int {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := make([]int, 0, len(parts))
	for _, p := range parts {
		if n, err := strconv.Atoi(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// batch sizes keep a multi-row INSERT under both databases' limits on
// parameters (SQLite 32,766; PostgreSQL 65,535).
const (
	responseBatch = 500
	answerBatch   = 2000
)

// newResponseIDs reserves n response IDs. On PostgreSQL they come from the
// identity sequence; on SQLite the write transaction holds the only writer,
// so the IDs after the largest are free.
func (s *Store) newResponseIDs(ctx context.Context, tx *sql.Tx, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if s.dialect == Postgres {
		return collect(ctx, tx, `SELECT nextval(pg_get_serial_sequence('consultation_responses', 'id')) FROM generate_series(1, $1)`,
			[]any{n}, func(rows *sql.Rows) (int64, error) {
				var id int64
				return id, rows.Scan(&id)
			})
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM consultation_responses`).Scan(&last); err != nil {
		return nil, err
	}
	for i := range n {
		ids = append(ids, last+1+int64(i))
	}
	return ids, nil
}

// insertResponses saves new responses with their answers in a few
// multi-row statements, setting each one's ID: an import of 100,000
// responses is a few hundred statements, not half a million.
func (s *Store) insertResponses(ctx context.Context, tx *sql.Tx, rs []consultation.Response) error {
	ids, err := s.newResponseIDs(ctx, tx, len(rs))
	if err != nil {
		return err
	}
	for i := range rs {
		rs[i].ID = ids[i]
	}
	const cols = 19
	for start := 0; start < len(rs); start += responseBatch {
		end := min(start+responseBatch, len(rs))
		var b strings.Builder
		b.WriteString(`INSERT INTO consultation_responses (id, consultation_id, status, channel, respondent, name, org_name, email, consent,
			hear_back, lang, user_id, reference, scan_id, received_at, submitted_at, created_at, keyed_by, age_band) VALUES `)
		args := make([]any, 0, (end-start)*cols)
		for i, r := range rs[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			s.placeholders(&b, len(args), cols)
			args = append(args, r.ID, r.ConsultationID, r.Status, r.Channel, r.Respondent, r.Name, r.OrgName, r.Email, r.Consent,
				r.HearBack, r.Lang, nullID(r.UserID), r.Reference, nullID(r.ScanID), nullTime(r.ReceivedAt), nullTime(r.SubmittedAt),
				r.CreatedAt, nullID(r.KeyedBy), r.AgeBand)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	type row struct {
		rid int64
		a   consultation.Answer
	}
	var answers []row
	for _, r := range rs {
		for _, a := range r.Answers {
			if !a.Empty() {
				answers = append(answers, row{r.ID, a})
			}
		}
	}
	for start := 0; start < len(answers); start += answerBatch {
		end := min(start+answerBatch, len(answers))
		var b strings.Builder
		b.WriteString(`INSERT INTO consultation_answers (response_id, question_id, text, choices) VALUES `)
		args := make([]any, 0, (end-start)*4)
		for i, a := range answers[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			s.placeholders(&b, len(args), 4)
			args = append(args, a.rid, a.a.QuestionID, a.a.Text, encodeChoices(a.a.Choices))
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// placeholders writes "($n+1, …, $n+k)", or on SQLite "(?, …, ?)": SQLite
// looks up each named parameter in a list, which makes a statement with
// thousands of $n parameters take seconds to prepare.
func (s *Store) placeholders(b *strings.Builder, n, k int) {
	b.WriteByte('(')
	for j := 1; j <= k; j++ {
		if j > 1 {
			b.WriteString(", ")
		}
		s.bindVar(b, n+j)
	}
	b.WriteByte(')')
}

// openForResponses loads a consultation that takes responses online.
func openForResponses(ctx context.Context, tx *sql.Tx, id int64) (consultation.Consultation, error) {
	c, err := consultationTx(ctx, tx, id)
	if err == nil && c.Status != consultation.Open {
		err = apperr.New(apperr.Conflict, "error.consultation.not_open")
	}
	return c, err
}

// StartResponse creates an in-progress web response for an open consultation.
func (s *Store) StartResponse(ctx context.Context, r consultation.Response) (consultation.Response, error) {
	r.Channel, r.Status, r.KeyedBy, r.ScanID = consultation.ChannelWeb, consultation.InProgress, 0, 0
	r.ReceivedAt, r.SubmittedAt, r.Lang = time.Time{}, time.Time{}, cleanLang(r.Lang)
	r.Normalise()
	if err := r.ValidateAbout(); err != nil {
		return r, err
	}
	answers := r.Answers
	r.Answers = nil
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := openForResponses(ctx, tx, r.ConsultationID); err != nil {
			return err
		}
		qs, err := questionsTx(ctx, tx, r.ConsultationID)
		if err != nil {
			return err
		}
		if err := checkSaved(qs, answers); err != nil {
			return err
		}
		r.CreatedAt = s.clock()
		rs := []consultation.Response{r}
		if err := s.insertResponses(ctx, tx, rs); err != nil {
			return err
		}
		r.ID = rs[0].ID
		return saveAnswers(ctx, tx, r.ID, answers)
	})
	if err == nil {
		r.Answers = nonEmpty(answers)
	}
	return r, err
}

func nonEmpty(as []consultation.Answer) []consultation.Answer {
	var out []consultation.Answer
	for _, a := range as {
		if !a.Empty() {
			out = append(out, a)
		}
	}
	return out
}

// checkSaved checks answers saved on the way: each must be to a question
// asked and fit it; required questions are checked only on submitting.
func checkSaved(qs []consultation.Question, answers []consultation.Answer) error {
	byID := map[int64]consultation.Question{}
	for _, q := range qs {
		byID[q.ID] = q
	}
	var f apperr.Fields
	for _, a := range answers {
		q, ok := byID[a.QuestionID]
		if !ok {
			f.Add("answers", "error.answer.unknown_question")
			continue
		}
		if !a.Empty() {
			q.Check(a, &f)
		}
	}
	return f.Err()
}

// saveAnswers replaces the given answers of a response, question by
// question; an empty answer removes the saved one.
func saveAnswers(ctx context.Context, tx *sql.Tx, responseID int64, answers []consultation.Answer) error {
	for _, a := range answers {
		if a.Empty() {
			if _, err := tx.ExecContext(ctx, `DELETE FROM consultation_answers WHERE response_id = $1 AND question_id = $2`, responseID, a.QuestionID); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO consultation_answers (response_id, question_id, text, choices) VALUES ($1, $2, $3, $4)
			 ON CONFLICT (response_id, question_id) DO UPDATE SET text = excluded.text, choices = excluded.choices`,
			responseID, a.QuestionID, a.Text, encodeChoices(a.Choices)); err != nil {
			return err
		}
	}
	return nil
}

// Response returns one response with its answers and redactions.
func (s *Store) Response(ctx context.Context, id int64) (consultation.Response, error) {
	var r consultation.Response
	err := s.view(ctx, func(tx *sql.Tx) (err error) {
		r, err = responseTx(ctx, tx, id)
		return err
	})
	return r, err
}

func responseTx(ctx context.Context, tx *sql.Tx, id int64) (consultation.Response, error) {
	r, err := scanResponse(tx.QueryRowContext(ctx, `SELECT `+responseColumns+` FROM consultation_responses r WHERE r.id = $1`, id))
	if err == sql.ErrNoRows {
		return r, apperr.Wrap(apperr.NotFound, err, "error.response.not_found")
	}
	if err != nil {
		return r, err
	}
	rs := []consultation.Response{r}
	if err := loadAnswers(ctx, tx, rs, ` WHERE r.id = $1`, []any{id}); err != nil {
		return r, err
	}
	return rs[0], nil
}

// loadAnswers fills in the answers and redactions of rs, which must be in
// ID order and be every response the where clause selects up to the last:
// one query for all their answers and one for redactions, however many.
func loadAnswers(ctx context.Context, tx *sql.Tx, rs []consultation.Response, where string, args []any) error {
	if len(rs) == 0 {
		return nil
	}
	index := make(map[int64]int, len(rs))
	for i, r := range rs {
		index[r.ID] = i
	}
	where += ` AND r.id <= $` + strconv.Itoa(len(args)+1)
	args = append(args, rs[len(rs)-1].ID)
	rows, err := tx.QueryContext(ctx, `SELECT a.response_id, a.question_id, a.text, a.choices
		FROM consultation_answers a JOIN consultation_responses r ON r.id = a.response_id`+where+` ORDER BY a.response_id, a.question_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var rid int64
		var a consultation.Answer
		var choices string
		if err := rows.Scan(&rid, &a.QuestionID, &a.Text, &choices); err != nil {
			return err
		}
		a.Choices = decodeChoices(choices)
		if i, ok := index[rid]; ok {
			rs[i].Answers = append(rs[i].Answers, a)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	rows, err = tx.QueryContext(ctx, `SELECT x.response_id, x.question_id, x.text
		FROM consultation_redactions x JOIN consultation_responses r ON r.id = x.response_id`+where, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var rid, qid int64
		var text string
		if err := rows.Scan(&rid, &qid, &text); err != nil {
			return err
		}
		if i, ok := index[rid]; ok {
			if rs[i].Redacted == nil {
				rs[i].Redacted = map[int64]string{}
			}
			rs[i].Redacted[qid] = text
		}
	}
	return rows.Err()
}

// inProgress loads a response still being written online, with its
// consultation, which must be open.
func inProgress(ctx context.Context, tx *sql.Tx, id int64) (consultation.Response, consultation.Consultation, error) {
	r, err := responseTx(ctx, tx, id)
	if err != nil {
		return r, consultation.Consultation{}, err
	}
	if r.Status != consultation.InProgress {
		return r, consultation.Consultation{}, apperr.New(apperr.Conflict, "error.response.submitted")
	}
	c, err := openForResponses(ctx, tx, r.ConsultationID)
	return r, c, err
}

// SaveResponse stores the about fields and the given answers of an
// in-progress response; questions not in r.Answers keep their saved answer
// unless clear lists them.
func (s *Store) SaveResponse(ctx context.Context, r consultation.Response, clear []int64) error {
	r.Normalise()
	r.Channel, r.Lang = consultation.ChannelWeb, cleanLang(r.Lang)
	if err := r.ValidateAbout(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		old, _, err := inProgress(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		qs, err := questionsTx(ctx, tx, old.ConsultationID)
		if err != nil {
			return err
		}
		if err := checkSaved(qs, r.Answers); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE consultation_responses SET respondent = $1, name = $2, org_name = $3, email = $4, consent = $5, hear_back = $6,
			   user_id = COALESCE($7, user_id), lang = COALESCE(NULLIF($8, ''), lang), age_band = $9 WHERE id = $10`,
			r.Respondent, r.Name, r.OrgName, r.Email, r.Consent, r.HearBack, nullID(r.UserID), r.Lang, r.AgeBand, r.ID); err != nil {
			return err
		}
		for _, q := range clear {
			if _, err := tx.ExecContext(ctx, `DELETE FROM consultation_answers WHERE response_id = $1 AND question_id = $2`, r.ID, q); err != nil {
				return err
			}
		}
		return saveAnswers(ctx, tx, r.ID, r.Answers)
	})
}

// SubmitResponse checks the saved response against the questions, marks it
// submitted and, when receipt returns ok and there is an address, puts the
// receipt in the outbox, in one transaction.
func (s *Store) SubmitResponse(ctx context.Context, id int64, receipt func(consultation.Consultation, []consultation.Question, consultation.Response) (outbox.Message, bool)) (consultation.Response, error) {
	var r consultation.Response
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var c consultation.Consultation
		var err error
		r, c, err = inProgress(ctx, tx, id)
		if err != nil {
			return err
		}
		qs, err := questionsTx(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		now := s.clock()
		if err := r.Validate(qs, now); err != nil {
			return err
		}
		// Published with consent, it is screened first (moderation_screen.go).
		if err := s.screenResponse(ctx, tx, c, &r, now); err != nil {
			return err
		}
		r.Status, r.SubmittedAt, r.ReceivedAt = consultation.Submitted, now, now
		if _, err := tx.ExecContext(ctx, `UPDATE consultation_responses SET status = 'submitted', submitted_at = $1, received_at = $1 WHERE id = $2`, now, id); err != nil {
			return err
		}
		if err := recordResponseConsent(ctx, tx, r, now); err != nil {
			return err
		}
		// Links to return to it are spent: there is nothing left to resume.
		if _, err := tx.ExecContext(ctx, `DELETE FROM consultation_resume_links WHERE response_id = $1`, id); err != nil {
			return err
		}
		if receipt == nil || r.Email == "" {
			return nil
		}
		if m, ok := receipt(c, qs, r); ok {
			_, err = enqueueEmail(ctx, tx, m, now)
		}
		return err
	})
	return r, err
}

// CreateResumeLink saves a single-use link back to an in-progress response
// and, in the same transaction, the email that carries it. Only the token's
// hash is stored.
func (s *Store) CreateResumeLink(ctx context.Context, responseID int64, email string, ttl time.Duration, compose func(email, token string) outbox.Message) error {
	email = strings.TrimSpace(email)
	if !consultation.ValidEmail(email) {
		var f apperr.Fields
		f.Add("email", "error.response.email.invalid")
		return f.Err()
	}
	plain, hash := account.NewSecret(resumePrefix)
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, _, err := inProgress(ctx, tx, responseID); err != nil {
			return err
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO consultation_resume_links (token_hash, response_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			hash, responseID, now, now.Add(ttl)); err != nil {
			return err
		}
		_, err := enqueueEmail(ctx, tx, compose(email, plain), now)
		return err
	})
}

// UseResumeLink spends a resume link (it works once, before it expires) and
// returns the in-progress response it points to.
func (s *Store) UseResumeLink(ctx context.Context, token string) (consultation.Response, error) {
	var r consultation.Response
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		var id int64
		err := tx.QueryRowContext(ctx,
			`UPDATE consultation_resume_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING response_id`,
			now, account.HashSecret(token)).Scan(&id)
		if err == sql.ErrNoRows {
			return apperr.New(apperr.NotFound, "error.response.resume.invalid")
		}
		if err != nil {
			return err
		}
		r, _, err = inProgress(ctx, tx, id)
		return err
	})
	return r, err
}

// offline prepares a response that came by another channel for storing.
func offline(r *consultation.Response, consultationID, actorID int64, now time.Time) {
	r.Normalise()
	r.ID, r.ConsultationID, r.Status, r.KeyedBy = 0, consultationID, consultation.Submitted, actorID
	r.SubmittedAt, r.CreatedAt = now, now
	r.ReceivedAt, r.Lang = r.ReceivedAt.UTC(), cleanLang(r.Lang)
}

// checkOffline checks a keyed-in response: its channel is not the site's,
// and it fits the questions.
func checkOffline(r consultation.Response, qs []consultation.Question, now time.Time) error {
	err := r.Validate(qs, now)
	if r.Channel != consultation.ChannelWeb {
		return err
	}
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Fields != nil {
		ae.Fields["channel"] = "error.import.channel_web"
		ae.Order = append(ae.Order, "channel")
		return ae
	}
	var f apperr.Fields
	f.Add("channel", "error.import.channel_web")
	return f.Err()
}

// acceptingOffline loads a consultation that takes offline responses: any
// but a draft (letters keep arriving after closing, and are still counted).
func acceptingOffline(ctx context.Context, tx *sql.Tx, id int64) (consultation.Consultation, error) {
	c, err := consultationTx(ctx, tx, id)
	if err == nil && c.Status == consultation.Draft {
		err = apperr.New(apperr.Conflict, "error.consultation.draft")
	}
	return c, err
}

// KeyInResponse validates and stores a submitted response that came by
// another channel, keyed in by staff.
func (s *Store) KeyInResponse(ctx context.Context, r consultation.Response, actorID int64) (consultation.Response, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		c, err := acceptingOffline(ctx, tx, r.ConsultationID)
		if err != nil {
			return err
		}
		qs, err := questionsTx(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		now := s.clock()
		offline(&r, c.ID, actorID, now)
		if err := checkOffline(r, qs, now); err != nil {
			return err
		}
		if r.ScanID != 0 {
			if err := mustExist(ctx, tx, `SELECT 1 FROM consultation_documents WHERE consultation_id = $1 AND id = $2 AND scan = TRUE`,
				c.ID, r.ScanID, "scan", "error.response.scan.unknown"); err != nil {
				return err
			}
		}
		r.Answers = nonEmpty(r.Answers)
		rs := []consultation.Response{r}
		if err := s.insertResponses(ctx, tx, rs); err != nil {
			return err
		}
		r.ID = rs[0].ID
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: c.OrgID,
			Action: "response.key_in", Target: responseTarget(r.ID), Detail: r.Channel})
	})
	return r, err
}

// ImportResponses stores every response or none. A response that does not
// fit the questions fails the whole import with an Invalid error wrapping a
// *consultation.ImportError whose Line is the response's place in rs plus
// one: its line in a file with a header row and no blank lines.
func (s *Store) ImportResponses(ctx context.Context, consultationID int64, rs []consultation.Response, actorID int64) (int, error) {
	if len(rs) == 0 {
		return 0, apperr.Wrap(apperr.Invalid, &consultation.ImportError{Rows: []consultation.RowError{{Line: 2, Message: "error.import.no_rows"}}}, "error.import.rows")
	}
	rs = append([]consultation.Response(nil), rs...)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		c, err := acceptingOffline(ctx, tx, consultationID)
		if err != nil {
			return err
		}
		qs, err := questionsTx(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		now := s.clock()
		var bad []consultation.RowError
		for i := range rs {
			r := &rs[i]
			offline(r, c.ID, actorID, now)
			r.ScanID, r.UserID = 0, 0
			r.Answers = nonEmpty(r.Answers)
			// Any channel: the staff CSV import and the API refuse the
			// web's themselves, and the demo or a move from another
			// platform brings online responses too.
			if err := r.Validate(qs, now); err != nil {
				bad = append(bad, rowErrors(i+2, err)...)
				if len(bad) >= 500 {
					break
				}
			}
		}
		if len(bad) > 0 {
			return apperr.Wrap(apperr.Invalid, &consultation.ImportError{Rows: bad}, "error.import.rows")
		}
		if err := s.insertResponses(ctx, tx, rs); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: c.OrgID,
			Action: "consultation.import", Target: consultationTarget(c.ID), Detail: strconv.Itoa(len(rs)) + " responses"})
	})
	if err != nil {
		return 0, err
	}
	if s.dialect == Postgres && len(rs) >= 1000 {
		// Until autovacuum catches up, the planner would think the tables
		// as small as before the import and pick plans (for search above
		// all) that take seconds instead of milliseconds. Best effort: the
		// import is already committed.
		_, _ = s.write.ExecContext(ctx, `ANALYZE consultation_responses, consultation_answers`)
	}
	return len(rs), nil
}

// rowErrors turns a response's field errors into an import report's rows.
func rowErrors(line int, err error) []consultation.RowError {
	var ae *apperr.Error
	if !errors.As(err, &ae) || len(ae.Fields) == 0 {
		return []consultation.RowError{{Line: line, Message: apperr.Message(err)}}
	}
	fields := ae.Order
	if len(fields) != len(ae.Fields) {
		fields = fields[:0:0]
		for k := range ae.Fields {
			fields = append(fields, k)
		}
		sort.Strings(fields)
	}
	out := make([]consultation.RowError, 0, len(fields))
	for _, k := range fields {
		out = append(out, consultation.RowError{Line: line, Column: k, Message: ae.Fields[k]})
	}
	return out
}

// Responses lists a consultation's responses with their answers, in ID
// order, as the filter selects: three queries however many there are.
func (s *Store) Responses(ctx context.Context, consultationID int64, f consultation.ResponseFilter) ([]consultation.Response, error) {
	status := f.Status
	if status == "" {
		status = consultation.Submitted
	}
	where := ` WHERE r.consultation_id = $1 AND r.status = $2`
	args := []any{consultationID, status}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Channel != "" {
		where += ` AND r.channel = ` + arg(f.Channel)
	}
	if f.Respondent != "" {
		where += ` AND r.respondent = ` + arg(string(f.Respondent))
	}
	if f.Published {
		where += ` AND r.status = 'submitted' AND r.consent IN ('anonymous', 'named') AND NOT r.withheld`
	}
	if f.After > 0 {
		where += ` AND r.id > ` + arg(f.After)
	}
	if f.ThemeID != 0 {
		where += ` AND r.id IN (SELECT tr.response_id FROM consultation_theme_responses tr WHERE tr.theme_id = ` + arg(f.ThemeID) + `)`
	}
	if strings.TrimSpace(f.Search) != "" {
		q, ok := s.searchQuery(f.Search)
		if !ok {
			return nil, nil // nothing searchable (only punctuation) finds nothing
		}
		where += ` AND r.id IN (` + s.searchAnswers(arg(q)) + `)`
	}
	limit := ""
	if f.Limit > 0 {
		limit = ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	var out []consultation.Response
	err := s.view(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = collect(ctx, tx, `SELECT `+responseColumns+` FROM consultation_responses r`+where+` ORDER BY r.id`+limit, args,
			func(rows *sql.Rows) (consultation.Response, error) { return scanResponse(rows) })
		if err != nil {
			return err
		}
		return loadAnswers(ctx, tx, out, where, args)
	})
	return out, err
}

// RedactResponse sets the text published in place of free-text answers of a
// response, by question ID; giving an answer's own text back (or an answer
// with no text) removes its redaction.
func (s *Store) RedactResponse(ctx context.Context, id int64, redacted map[int64]string, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		r, err := responseTx(ctx, tx, id)
		if err != nil {
			return err
		}
		c, err := consultationTx(ctx, tx, r.ConsultationID)
		if err != nil {
			return err
		}
		qs, err := questionsTx(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		kinds := map[int64]consultation.Kind{}
		for _, q := range qs {
			kinds[q.ID] = q.Kind
		}
		qids := make([]int64, 0, len(redacted))
		for qid := range redacted {
			qids = append(qids, qid)
		}
		sort.Slice(qids, func(i, j int) bool { return qids[i] < qids[j] })
		for _, qid := range qids {
			if kinds[qid] != consultation.FreeText {
				var f apperr.Fields
				f.Add("answers", "error.answer.unknown_question")
				return f.Err()
			}
			text := strings.TrimSpace(redacted[qid])
			given := r.Answer(qid).Text
			if text == strings.TrimSpace(given) || given == "" {
				if _, err := tx.ExecContext(ctx, `DELETE FROM consultation_redactions WHERE response_id = $1 AND question_id = $2`, id, qid); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO consultation_redactions (response_id, question_id, text) VALUES ($1, $2, $3)
				 ON CONFLICT (response_id, question_id) DO UPDATE SET text = excluded.text`, id, qid, text); err != nil {
				return err
			}
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: c.OrgID,
			Action: "response.redact", Target: responseTarget(id), Detail: strconv.Itoa(len(qids)) + " answers"})
	})
}

// view runs fn in a read-only transaction, so the queries of one read see
// one state of the database.
func (s *Store) view(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var opts *sql.TxOptions
	if s.dialect == Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := s.read.BeginTx(ctx, opts)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback()
	return mapErr(fn(tx))
}
