package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/jobs"
	"parley/internal/outbox"
)

// Consultations: the consultation rows, their questions and documents, the
// lifecycle and the outcome. Responses are in consultation_responses.go and
// themes in consultation_themes.go.

const consultationColumns = `id, org_id, title_en, title_cy, summary_en, summary_cy, body_en, body_cy, status, layout,
	opens_at, closes_at, scheduled, created_at, opened_at, closed_at, outcome_at,
	outcome_summary_en, outcome_summary_cy, decision_en, decision_cy, you_said, moderation`

// youSaid is how a "You said / We did" item is kept in JSON: tagged here so
// renaming a domain field cannot silently drop stored text.
type youSaid struct {
	ThemeID int64  `json:"theme_id,omitempty"`
	SaidEN  string `json:"said_en"`
	DidEN   string `json:"did_en"`
	SaidCY  string `json:"said_cy,omitempty"`
	DidCY   string `json:"did_cy,omitempty"`
}

type option struct {
	EN string `json:"en"`
	CY string `json:"cy,omitempty"`
}

type scanner interface{ Scan(...any) error }

func scanConsultation(row scanner) (consultation.Consultation, error) {
	var c consultation.Consultation
	var opens, closes, opened, closed, outcome sql.NullTime
	var items string
	err := row.Scan(&c.ID, &c.OrgID, &c.TitleEN, &c.TitleCY, &c.SummaryEN, &c.SummaryCY, &c.BodyEN, &c.BodyCY, &c.Status, &c.Layout,
		&opens, &closes, &c.Scheduled, &c.CreatedAt, &opened, &closed, &outcome,
		&c.Result.SummaryEN, &c.Result.SummaryCY, &c.Result.DecisionEN, &c.Result.DecisionCY, &items, &c.Moderation)
	if err != nil {
		return c, err
	}
	c.OpensAt, c.ClosesAt, c.OpenedAt, c.ClosedAt, c.OutcomeAt = timeOf(opens), timeOf(closes), timeOf(opened), timeOf(closed), timeOf(outcome)
	c.CreatedAt = c.CreatedAt.UTC()
	var ys []youSaid
	if err := json.Unmarshal([]byte(items), &ys); err != nil {
		return c, err
	}
	for _, y := range ys {
		c.Result.Items = append(c.Result.Items, consultation.YouSaid{ThemeID: y.ThemeID, SaidEN: y.SaidEN, DidEN: y.DidEN, SaidCY: y.SaidCY, DidCY: y.DidCY})
	}
	return c, nil
}

func consultationTarget(id int64) string { return "consultation:" + itoa(id) }

// CreateConsultation saves a new consultation as a draft: questions are
// added to drafts only, and status changes through its own methods.
func (s *Store) CreateConsultation(ctx context.Context, c consultation.Consultation, actorID int64) (consultation.Consultation, error) {
	c.Status, c.Result = consultation.Draft, consultation.Result{}
	c.OpenedAt, c.ClosedAt, c.OutcomeAt = time.Time{}, time.Time{}, time.Time{}
	c.Normalise()
	if err := c.Validate(); err != nil {
		return c, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		c.CreatedAt = s.clock()
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO consultations (org_id, title_en, title_cy, summary_en, summary_cy, body_en, body_cy, status, layout,
			   opens_at, closes_at, scheduled, created_at, moderation)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
			c.OrgID, c.TitleEN, c.TitleCY, c.SummaryEN, c.SummaryCY, c.BodyEN, c.BodyCY, c.Status, c.Layout,
			nullTime(c.OpensAt), nullTime(c.ClosesAt), c.Scheduled, c.CreatedAt, c.Moderation).Scan(&c.ID); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: c.CreatedAt, ActorID: actorID, OrgID: c.OrgID,
			Action: "consultation.create", Target: consultationTarget(c.ID)})
	})
	return c, err
}

// UpdateConsultation saves the text fields, dates, layout, moderation and
// the Scheduled flag; the status and the outcome are kept as stored.
func (s *Store) UpdateConsultation(ctx context.Context, c consultation.Consultation, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		old, err := consultationTx(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		c.Status = old.Status
		c.Normalise()
		if err := c.Validate(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE consultations SET title_en = $1, title_cy = $2, summary_en = $3, summary_cy = $4, body_en = $5, body_cy = $6,
			   layout = $7, opens_at = $8, closes_at = $9, scheduled = $10, moderation = $11 WHERE id = $12`,
			c.TitleEN, c.TitleCY, c.SummaryEN, c.SummaryCY, c.BodyEN, c.BodyCY, c.Layout,
			nullTime(c.OpensAt), nullTime(c.ClosesAt), c.Scheduled, c.Moderation, c.ID); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: old.OrgID,
			Action: "consultation.update", Target: consultationTarget(c.ID)})
	})
}

// Consultation returns one consultation.
func (s *Store) Consultation(ctx context.Context, id int64) (consultation.Consultation, error) {
	c, err := scanConsultation(s.read.QueryRowContext(ctx, `SELECT `+consultationColumns+` FROM consultations WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return c, apperr.Wrap(apperr.NotFound, err, "error.consultation.not_found")
	}
	return c, err
}

// consultationTx loads a consultation inside a transaction.
func consultationTx(ctx context.Context, tx *sql.Tx, id int64) (consultation.Consultation, error) {
	c, err := scanConsultation(tx.QueryRowContext(ctx, `SELECT `+consultationColumns+` FROM consultations WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return c, apperr.Wrap(apperr.NotFound, err, "error.consultation.not_found")
	}
	return c, err
}

// draftTx loads a consultation that must still be a draft: its questions
// are fixed once people can answer them.
func draftTx(ctx context.Context, tx *sql.Tx, id int64) (consultation.Consultation, error) {
	c, err := consultationTx(ctx, tx, id)
	if err == nil && c.Status != consultation.Draft {
		err = apperr.New(apperr.Conflict, "error.consultation.not_draft")
	}
	return c, err
}

// Consultations lists an organisation's consultations, newest first; all
// false leaves out drafts.
func (s *Store) Consultations(ctx context.Context, orgID int64, all bool) ([]consultation.Consultation, error) {
	q := `SELECT ` + consultationColumns + ` FROM consultations WHERE org_id = $1`
	if !all {
		q += ` AND status <> 'draft'`
	}
	return collect(ctx, s.read, q+` ORDER BY id DESC`, []any{orgID}, func(rows *sql.Rows) (consultation.Consultation, error) {
		return scanConsultation(rows)
	})
}

// SetConsultationStatus moves a consultation along its lifecycle. The
// outcome is reached only by PublishOutcome, which has text to publish.
func (s *Store) SetConsultationStatus(ctx context.Context, id int64, to consultation.Status, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		c, err := consultationTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if to == consultation.Outcome || !consultation.CanMove(c.Status, to) {
			return apperr.New(apperr.Conflict, "error.consultation.status.move")
		}
		return moveConsultation(ctx, tx, c, to, s.clock(), actorID, "")
	})
}

// moveConsultation changes the status and stamps the time. Reopening a
// closed consultation clears its closing, so the response clock starts
// again when it closes for good.
func moveConsultation(ctx context.Context, tx *sql.Tx, c consultation.Consultation, to consultation.Status, now time.Time, actorID int64, detail string) error {
	q := `UPDATE consultations SET status = $1, closed_at = $2 WHERE id = $3`
	if to == consultation.Open {
		q = `UPDATE consultations SET status = $1, opened_at = COALESCE(opened_at, $2), closed_at = NULL WHERE id = $3`
	}
	if _, err := tx.ExecContext(ctx, q, to, now, c.ID); err != nil {
		return err
	}
	if detail == "" {
		detail = string(c.Status) + " → " + string(to)
	}
	action := "consultation.open"
	if to == consultation.Closed {
		action = "consultation.close"
	}
	return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: c.OrgID, Action: action, Target: consultationTarget(c.ID), Detail: detail})
}

// RunConsultationSchedule opens the scheduled drafts whose opening time has
// come and closes the open consultations whose closing time has passed, in
// one transaction, recording each move as the system's. A consultation whose
// whole period passed while the scheduler was down opens and closes at once.
func (s *Store) RunConsultationSchedule(ctx context.Context) (opened, closed []int64, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		opened, closed = nil, nil
		now := s.clock()
		due := func(q string) ([]consultation.Consultation, error) {
			return collect(ctx, tx, `SELECT `+consultationColumns+` FROM consultations WHERE `+q+` ORDER BY id`, []any{now},
				func(rows *sql.Rows) (consultation.Consultation, error) { return scanConsultation(rows) })
		}
		drafts, err := due(`status = 'draft' AND scheduled = TRUE AND opens_at IS NOT NULL AND opens_at <= $1`)
		if err != nil {
			return err
		}
		for _, c := range drafts {
			if err := moveConsultation(ctx, tx, c, consultation.Open, now, 0, "scheduled"); err != nil {
				return err
			}
			opened = append(opened, c.ID)
		}
		open, err := due(`status = 'open' AND closes_at IS NOT NULL AND closes_at <= $1`)
		if err != nil {
			return err
		}
		for _, c := range open {
			if err := moveConsultation(ctx, tx, c, consultation.Closed, now, 0, "scheduled"); err != nil {
				return err
			}
			closed = append(closed, c.ID)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return opened, closed, nil
}

// PublishOutcome publishes the outcome of a closed consultation: it saves
// the result, moves the consultation to Outcome, records ev for the
// consultation's followers and enqueues the job that emails respondents, all
// in one transaction. ev's target is the consultation whatever it says.
func (s *Store) PublishOutcome(ctx context.Context, id int64, r consultation.Result, ev outbox.Event, actorID int64) error {
	r = trimResult(r)
	if err := r.Validate(); err != nil {
		return err
	}
	if err := ev.Validate(); err != nil {
		return err
	}
	items := make([]youSaid, 0, len(r.Items))
	for _, y := range r.Items {
		items = append(items, youSaid{ThemeID: y.ThemeID, SaidEN: y.SaidEN, DidEN: y.DidEN, SaidCY: y.SaidCY, DidCY: y.DidCY})
	}
	js, err := json.Marshal(items)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		c, err := consultationTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !consultation.CanMove(c.Status, consultation.Outcome) {
			return apperr.New(apperr.Conflict, "error.consultation.outcome.not_closed")
		}
		for _, y := range r.Items {
			if y.ThemeID == 0 {
				continue
			}
			if err := mustExist(ctx, tx, `SELECT 1 FROM consultation_themes WHERE consultation_id = $1 AND id = $2`,
				id, y.ThemeID, "items", "error.consultation.outcome.theme"); err != nil {
				return err
			}
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx,
			`UPDATE consultations SET status = 'outcome', outcome_at = $1, outcome_summary_en = $2, outcome_summary_cy = $3,
			   decision_en = $4, decision_cy = $5, you_said = $6 WHERE id = $7`,
			now, r.SummaryEN, r.SummaryCY, r.DecisionEN, r.DecisionCY, string(js), id); err != nil {
			return err
		}
		var eventID int64
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO events (target_kind, target_id, subject, body, url, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			"consultation", id, ev.Subject, ev.Body, ev.URL, now).Scan(&eventID); err != nil {
			return err
		}
		if err := enqueueJob(ctx, tx, jobs.New{Kind: outbox.FanOutJobKind, Payload: map[string]int64{"event_id": eventID}, Key: "event:" + itoa(eventID)}, now); err != nil {
			return err
		}
		if err := enqueueJob(ctx, tx, consultation.OutcomeJob(id, now), now); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: c.OrgID,
			Action: "consultation.outcome", Target: consultationTarget(id), Detail: strconv.Itoa(len(r.Items)) + " items"})
	})
}

func trimResult(r consultation.Result) consultation.Result {
	for _, p := range []*string{&r.SummaryEN, &r.SummaryCY, &r.DecisionEN, &r.DecisionCY} {
		*p = strings.TrimSpace(*p)
	}
	items := make([]consultation.YouSaid, 0, len(r.Items))
	for _, y := range r.Items {
		for _, p := range []*string{&y.SaidEN, &y.DidEN, &y.SaidCY, &y.DidCY} {
			*p = strings.TrimSpace(*p)
		}
		if y.SaidEN == "" && y.DidEN == "" && y.SaidCY == "" && y.DidCY == "" {
			continue // a blank row of the form
		}
		items = append(items, y)
	}
	r.Items = items
	return r
}

// SendOutcomeEmails puts one email in the outbox for every distinct address
// (without regard to case) of the submitted responses that asked to hear
// back, composed by compose (false skips one). It marks the consultation
// notified in the same transaction, so running it twice sends nothing twice.
func (s *Store) SendOutcomeEmails(ctx context.Context, consultationID int64, compose func(consultation.Consultation, consultation.Response) (outbox.Message, bool)) (int, error) {
	sent := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		sent = 0
		now := s.clock()
		res, err := tx.ExecContext(ctx, `UPDATE consultations SET notified_at = $1 WHERE id = $2 AND status = 'outcome' AND notified_at IS NULL`, now, consultationID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // done before, or no outcome to tell
		}
		c, err := consultationTx(ctx, tx, consultationID)
		if err != nil {
			return err
		}
		rs, err := collect(ctx, tx, `SELECT `+responseColumns+` FROM consultation_responses r
			WHERE r.consultation_id = $1 AND r.status = 'submitted' AND r.hear_back = TRUE AND r.email <> '' ORDER BY r.id`,
			[]any{consultationID}, func(rows *sql.Rows) (consultation.Response, error) { return scanResponse(rows) })
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, r := range rs {
			key := strings.ToLower(r.Email)
			if seen[key] {
				continue
			}
			seen[key] = true
			m, ok := compose(c, r)
			if !ok {
				continue
			}
			if m.Validate() != nil {
				continue // one unusable address must not hold back everyone else's
			}
			if _, err := enqueueEmail(ctx, tx, m, now); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	return sent, err
}

// ConsultationResponseCounts counts submitted responses per consultation of
// an organisation.
func (s *Store) ConsultationResponseCounts(ctx context.Context, orgID int64) (map[int64]int, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT r.consultation_id, COUNT(*) FROM consultation_responses r JOIN consultations c ON c.id = r.consultation_id
		 WHERE c.org_id = $1 AND r.status = 'submitted' GROUP BY r.consultation_id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// Questions.

const questionColumns = `id, consultation_id, position, kind, text_en, text_cy, help_en, help_cy, required, max_length, options`

func scanQuestion(row scanner) (consultation.Question, error) {
	var q consultation.Question
	var opts string
	if err := row.Scan(&q.ID, &q.ConsultationID, &q.Position, &q.Kind, &q.TextEN, &q.TextCY, &q.HelpEN, &q.HelpCY,
		&q.Required, &q.MaxLength, &opts); err != nil {
		return q, err
	}
	var os []option
	if err := json.Unmarshal([]byte(opts), &os); err != nil {
		return q, err
	}
	for _, o := range os {
		q.Options = append(q.Options, consultation.Option{EN: o.EN, CY: o.CY})
	}
	return q, nil
}

func optionsJSON(q consultation.Question) (string, error) {
	os := make([]option, 0, len(q.Options))
	for _, o := range q.Options {
		os = append(os, option{EN: o.EN, CY: o.CY})
	}
	b, err := json.Marshal(os)
	return string(b), err
}

// cleanQuestion normalises and checks a question; a scale given no labels
// takes the default agreement scale.
func cleanQuestion(q *consultation.Question) error {
	q.Normalise()
	if q.Kind == consultation.Scale && len(q.Options) == 0 {
		q.Options = append([]consultation.Option(nil), consultation.DefaultScale...)
	}
	return q.Validate()
}

// Questions lists a consultation's questions in the order they are asked.
func (s *Store) Questions(ctx context.Context, consultationID int64) ([]consultation.Question, error) {
	return collect(ctx, s.read, `SELECT `+questionColumns+` FROM consultation_questions WHERE consultation_id = $1 ORDER BY position, id`,
		[]any{consultationID}, func(rows *sql.Rows) (consultation.Question, error) { return scanQuestion(rows) })
}

func questionsTx(ctx context.Context, tx *sql.Tx, consultationID int64) ([]consultation.Question, error) {
	return collect(ctx, tx, `SELECT `+questionColumns+` FROM consultation_questions WHERE consultation_id = $1 ORDER BY position, id`,
		[]any{consultationID}, func(rows *sql.Rows) (consultation.Question, error) { return scanQuestion(rows) })
}

func questionTx(ctx context.Context, tx *sql.Tx, id int64) (consultation.Question, error) {
	q, err := scanQuestion(tx.QueryRowContext(ctx, `SELECT `+questionColumns+` FROM consultation_questions WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return q, apperr.Wrap(apperr.NotFound, err, "error.question.not_found")
	}
	return q, err
}

// AddQuestion adds a question at the end of a draft consultation.
func (s *Store) AddQuestion(ctx context.Context, q consultation.Question, actorID int64) (consultation.Question, error) {
	if err := cleanQuestion(&q); err != nil {
		return q, err
	}
	opts, err := optionsJSON(q)
	if err != nil {
		return q, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		c, err := draftTx(ctx, tx, q.ConsultationID)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM consultation_questions WHERE consultation_id = $1`,
			q.ConsultationID).Scan(&q.Position); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO consultation_questions (consultation_id, position, kind, text_en, text_cy, help_en, help_cy, required, max_length, options)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			q.ConsultationID, q.Position, q.Kind, q.TextEN, q.TextCY, q.HelpEN, q.HelpCY, q.Required, q.MaxLength, opts).Scan(&q.ID); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: c.OrgID,
			Action: "consultation.question.add", Target: consultationTarget(c.ID), Detail: "question " + itoa(q.ID)})
	})
	return q, err
}

// UpdateQuestion changes a question of a draft consultation; its place and
// consultation stay as stored.
func (s *Store) UpdateQuestion(ctx context.Context, q consultation.Question, actorID int64) error {
	if err := cleanQuestion(&q); err != nil {
		return err
	}
	opts, err := optionsJSON(q)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		old, err := questionTx(ctx, tx, q.ID)
		if err != nil {
			return err
		}
		c, err := draftTx(ctx, tx, old.ConsultationID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE consultation_questions SET kind = $1, text_en = $2, text_cy = $3, help_en = $4, help_cy = $5, required = $6,
			   max_length = $7, options = $8 WHERE id = $9`,
			q.Kind, q.TextEN, q.TextCY, q.HelpEN, q.HelpCY, q.Required, q.MaxLength, opts, q.ID); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: c.OrgID,
			Action: "consultation.question.update", Target: consultationTarget(c.ID), Detail: "question " + itoa(q.ID)})
	})
}

// MoveQuestion swaps a question with the one before (up) or after it; at
// either end it stays where it is.
func (s *Store) MoveQuestion(ctx context.Context, id int64, up bool, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		q, err := questionTx(ctx, tx, id)
		if err != nil {
			return err
		}
		c, err := draftTx(ctx, tx, q.ConsultationID)
		if err != nil {
			return err
		}
		find := `SELECT id, position FROM consultation_questions WHERE consultation_id = $1 AND position > $2 ORDER BY position, id LIMIT 1`
		if up {
			find = `SELECT id, position FROM consultation_questions WHERE consultation_id = $1 AND position < $2 ORDER BY position DESC, id DESC LIMIT 1`
		}
		var otherID int64
		var otherPos int
		err = tx.QueryRowContext(ctx, find, q.ConsultationID, q.Position).Scan(&otherID, &otherPos)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE consultation_questions SET position = $1 WHERE id = $2`, otherPos, q.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE consultation_questions SET position = $1 WHERE id = $2`, q.Position, otherID); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: c.OrgID,
			Action: "consultation.question.move", Target: consultationTarget(c.ID), Detail: "question " + itoa(id)})
	})
}

// DeleteQuestion removes a question of a draft consultation and closes the
// gap in the numbering.
func (s *Store) DeleteQuestion(ctx context.Context, id int64, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		q, err := questionTx(ctx, tx, id)
		if err != nil {
			return err
		}
		c, err := draftTx(ctx, tx, q.ConsultationID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM consultation_questions WHERE id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE consultation_questions SET position = position - 1 WHERE consultation_id = $1 AND position > $2`,
			q.ConsultationID, q.Position); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: c.OrgID,
			Action: "consultation.question.delete", Target: consultationTarget(c.ID), Detail: "question " + itoa(id)})
	})
}

// Documents.

const documentColumns = `id, consultation_id, title, file_name, content_type, size, path, scan, created_at`

func scanDocument(row scanner) (consultation.Document, error) {
	var d consultation.Document
	err := row.Scan(&d.ID, &d.ConsultationID, &d.Title, &d.FileName, &d.ContentType, &d.Size, &d.Path, &d.Scan, &d.CreatedAt)
	d.CreatedAt = d.CreatedAt.UTC()
	return d, err
}

// MaxDocumentTitle limits a document's link text.
const maxDocumentTitle = 300

// AddDocument records a file already written under the document root.
func (s *Store) AddDocument(ctx context.Context, d consultation.Document, actorID int64) (consultation.Document, error) {
	d.Title, d.FileName = strings.TrimSpace(d.Title), strings.TrimSpace(d.FileName)
	if d.Title == "" {
		d.Title = d.FileName
	}
	var f apperr.Fields
	f.Check(d.FileName != "" && d.Path != "" && d.ContentType != "", "file", "error.document.file.required")
	f.Check(d.Size >= 0 && d.Size <= consultation.MaxDocumentSize, "file", "error.document.file.too_big")
	f.Check(utf8.RuneCountInString(d.Title) <= maxDocumentTitle, "title", "error.document.title.too_long")
	if err := f.Err(); err != nil {
		return d, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		c, err := consultationTx(ctx, tx, d.ConsultationID)
		if err != nil {
			return err
		}
		d.CreatedAt = s.clock()
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO consultation_documents (consultation_id, title, file_name, content_type, size, path, scan, created_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			d.ConsultationID, d.Title, d.FileName, d.ContentType, d.Size, d.Path, d.Scan, d.CreatedAt).Scan(&d.ID); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: d.CreatedAt, ActorID: actorID, OrgID: c.OrgID,
			Action: "consultation.document.add", Target: consultationTarget(c.ID), Detail: "document " + itoa(d.ID)})
	})
	return d, err
}

// Document returns one document, published or scanned.
func (s *Store) Document(ctx context.Context, id int64) (consultation.Document, error) {
	d, err := scanDocument(s.read.QueryRowContext(ctx, `SELECT `+documentColumns+` FROM consultation_documents WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return d, apperr.Wrap(apperr.NotFound, err, "error.document.not_found")
	}
	return d, err
}

// Documents lists the published documents (not scans) of a consultation.
func (s *Store) Documents(ctx context.Context, consultationID int64) ([]consultation.Document, error) {
	return collect(ctx, s.read, `SELECT `+documentColumns+` FROM consultation_documents WHERE consultation_id = $1 AND scan = FALSE ORDER BY id`,
		[]any{consultationID}, func(rows *sql.Rows) (consultation.Document, error) { return scanDocument(rows) })
}

// DeleteDocument removes a document's row; the caller removes the file
// after, so a failed delete never leaves a row without its file.
func (s *Store) DeleteDocument(ctx context.Context, id int64, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var cid, orgID int64
		err := tx.QueryRowContext(ctx,
			`SELECT d.consultation_id, c.org_id FROM consultation_documents d JOIN consultations c ON c.id = d.consultation_id WHERE d.id = $1`,
			id).Scan(&cid, &orgID)
		if err == sql.ErrNoRows {
			return apperr.Wrap(apperr.NotFound, err, "error.document.not_found")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM consultation_documents WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: orgID,
			Action: "consultation.document.delete", Target: consultationTarget(cid), Detail: "document " + itoa(id)})
	})
}
