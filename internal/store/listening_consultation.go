package store

import (
	"context"
	"database/sql"
	"strings"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/listening"
)

// Bringing a mention into a consultation: what is said elsewhere counts
// as a response from the social channel.

// AttachMention makes a mention a submitted response to a consultation of
// the same organisation, from the social channel, and links the mention to
// it, in one transaction. The response is an individual's, named as the
// mention's author was given (perhaps not at all), with the mention's link
// as its reference, received when the mention was published (or found),
// kept private (the author consented to nothing), and answering the
// consultation's first free-text question with the mention's title and
// text, cut to the question's limit. A consultation of another
// organisation, a draft, or one without a free-text question is an error
// on the "consultation" field; a mention already attached is a Conflict.
// A new mention becomes relevant.
func (s *Store) AttachMention(ctx context.Context, mentionID, consultationID int64, actorID int64) (consultation.Response, error) {
	var r consultation.Response
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var m listening.Mention
		var published sql.NullTime
		var attached sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT org_id, status, link, title, excerpt, author, published_at, created_at, consultation_response_id
			FROM listening_mentions WHERE id = $1`, mentionID).Scan(&m.OrgID, &m.Status, &m.Link, &m.Title, &m.Excerpt, &m.Author,
			&published, &m.CreatedAt, &attached)
		if err == sql.ErrNoRows {
			return apperr.Wrap(apperr.NotFound, err, "error.not_found")
		}
		if err != nil {
			return err
		}
		if attached.Valid {
			return apperr.New(apperr.Conflict, "error.listening.attach.already")
		}
		c, err := consultationTx(ctx, tx, consultationID)
		if apperr.Is(err, apperr.NotFound) || (err == nil && c.OrgID != m.OrgID) {
			return attachFieldErr("consultation", "error.listening.attach.unknown")
		}
		if err != nil {
			return err
		}
		if c.Status == consultation.Draft {
			return attachFieldErr("consultation", "error.listening.attach.draft")
		}
		qs, err := questionsTx(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		var q *consultation.Question
		for i := range qs {
			if qs[i].Kind == consultation.FreeText {
				q = &qs[i]
				break
			}
		}
		if q == nil {
			return attachFieldErr("consultation", "error.listening.attach.no_free_text")
		}

		now := s.clock()
		r = consultation.Response{Channel: consultation.ChannelSocial, Respondent: consultation.Individual,
			Name: listening.Clip(strings.TrimSpace(m.Author), consultation.MaxName), Reference: listening.Clip(m.Link, consultation.MaxReference), Consent: consultation.PublishNot,
			ReceivedAt: timeOf(published)}
		if r.ReceivedAt.IsZero() || r.ReceivedAt.After(now) {
			// Feeds' clocks may be wrong: a mention published "later than
			// now" was received when it was found.
			r.ReceivedAt = m.CreatedAt
		}
		text := strings.TrimSpace(strings.TrimSpace(m.Title) + "\n\n" + strings.TrimSpace(m.Excerpt))
		if text == "" {
			text = m.Link
		}
		// Only the one question is answered, and other questions may be
		// required: a mention is what someone said elsewhere, not a filled
		// in form, so it is checked as an answer to that question alone
		// rather than as a whole response (as keyed-in ones are).
		r.Answers = []consultation.Answer{{QuestionID: q.ID, Text: listening.Clip(text, q.Limit())}}
		offline(&r, c.ID, actorID, now)
		var f apperr.Fields
		q.Check(r.Answers[0], &f)
		if err := f.Err(); err != nil {
			return err
		}
		if err := r.ValidateAbout(); err != nil {
			return err
		}
		rs := []consultation.Response{r}
		if err := s.insertResponses(ctx, tx, rs); err != nil {
			return err
		}
		r.ID = rs[0].ID
		// The condition guards against another attach of the same mention
		// that read it before this one wrote.
		res, err := tx.ExecContext(ctx, `UPDATE listening_mentions SET consultation_response_id = $1,
			status = CASE WHEN status = $2 THEN $3 ELSE status END WHERE id = $4 AND consultation_response_id IS NULL`,
			r.ID, listening.New, listening.Relevant, mentionID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			if err != nil {
				return err
			}
			return apperr.New(apperr.Conflict, "error.listening.attach.already")
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: m.OrgID, Action: "listening.mention.attach",
			Target: mentionTarget(mentionID), Detail: responseTarget(r.ID)})
	})
	return r, err
}

func attachFieldErr(field, msg string) error {
	var f apperr.Fields
	f.Add(field, msg)
	return f.Err()
}
