package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/proposal"
)

// PersonalData gathers everything held about a user: by their account, and
// by their email address where a contribution carries only that (petition
// signatures, consultation responses given before signing in).
func (s *Store) PersonalData(ctx context.Context, userID int64, mentionDays int) (account.PersonalData, error) {
	var d account.PersonalData
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return d, err
	}
	d.GeneratedAt = s.clock()
	d.Account = account.AccountData{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Language: u.Lang, PlatformAdmin: u.PlatformAdmin, CreatedAt: u.CreatedAt}
	d.Retention = account.RetentionStatements(mentionDays)
	// Empty parts download as [], not null: the person sees what was looked for.
	d.Memberships, d.Identities, d.APITokens, d.Following = []account.MembershipData{}, []account.IdentityData{}, []account.TokenData{}, []account.FollowData{}
	d.Responses, d.Signatures, d.Supports, d.Proposals = []account.ResponseData{}, []account.SignatureData{}, []account.SupportData{}, []account.ProposalData{}
	d.Comments, d.Reports, d.Conversations, d.Emails = []account.CommentData{}, []account.ReportData{}, []account.ConversationData{}, []account.EmailData{}
	d.Moderation, d.ModerationReports, d.Standings = []account.ModerationData{}, []account.ModerationReportData{}, []account.StandingData{}
	q := s.read
	steps := []func() error{
		func() error {
			return into(ctx, q, &d.Memberships, `SELECT o.slug, m.role FROM memberships m JOIN organisations o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY o.slug`,
				[]any{userID}, func(r *sql.Rows) (account.MembershipData, error) {
					var m account.MembershipData
					err := r.Scan(&m.Organisation, &m.Role)
					return m, err
				})
		},
		func() error {
			return into(ctx, q, &d.Identities, `SELECT issuer, subject, created_at FROM identities WHERE user_id = $1 ORDER BY created_at`,
				[]any{userID}, func(r *sql.Rows) (account.IdentityData, error) {
					var i account.IdentityData
					err := r.Scan(&i.Issuer, &i.Subject, &i.CreatedAt)
					return i, err
				})
		},
		func() error {
			return into(ctx, q, &d.APITokens, `SELECT name, created_at, last_used_at, expires_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id`,
				[]any{userID}, func(r *sql.Rows) (account.TokenData, error) {
					var t account.TokenData
					var last, exp, rev sql.NullTime
					err := r.Scan(&t.Name, &t.CreatedAt, &last, &exp, &rev)
					t.LastUsedAt, t.ExpiresAt, t.RevokedAt = timePtr(last), timePtr(exp), timePtr(rev)
					return t, err
				})
		},
		func() error {
			return into(ctx, q, &d.Following, `SELECT target_kind, target_id, created_at FROM subscriptions WHERE user_id = $1 ORDER BY id`,
				[]any{userID}, func(r *sql.Rows) (account.FollowData, error) {
					var f account.FollowData
					err := r.Scan(&f.Kind, &f.ID, &f.CreatedAt)
					return f, err
				})
		},
		func() error { return s.responsesOf(ctx, u, &d) },
		func() error {
			return into(ctx, q, &d.Signatures, `SELECT s.proposal_id, p.title, s.name, s.email, s.postcode, s.country, s.area, s.ip, s.sponsor, s.created_at, s.confirmed_at
				FROM proposal_signatures s JOIN proposals p ON p.id = s.proposal_id WHERE s.email_norm = $1 ORDER BY s.id`,
				[]any{proposal.NormaliseEmail(u.Email)}, func(r *sql.Rows) (account.SignatureData, error) {
					var g account.SignatureData
					var confirmed sql.NullTime
					err := r.Scan(&g.ProposalID, &g.Proposal, &g.Name, &g.Email, &g.Postcode, &g.Country, &g.Area, &g.IP, &g.Sponsor, &g.CreatedAt, &confirmed)
					g.ConfirmedAt = timePtr(confirmed)
					return g, err
				})
		},
		func() error {
			return into(ctx, q, &d.Supports, `SELECT s.proposal_id, p.title, s.created_at FROM proposal_supports s JOIN proposals p ON p.id = s.proposal_id WHERE s.user_id = $1 ORDER BY s.created_at`,
				[]any{userID}, func(r *sql.Rows) (account.SupportData, error) {
					var g account.SupportData
					err := r.Scan(&g.ProposalID, &g.Proposal, &g.CreatedAt)
					return g, err
				})
		},
		func() error {
			return into(ctx, q, &d.Proposals, `SELECT id, title, body, created_at FROM proposals WHERE author_id = $1 ORDER BY id`,
				[]any{userID}, func(r *sql.Rows) (account.ProposalData, error) {
					var p account.ProposalData
					err := r.Scan(&p.ID, &p.Title, &p.Body, &p.CreatedAt)
					return p, err
				})
		},
		func() error {
			return into(ctx, q, &d.Comments, `SELECT proposal_id, body, state, created_at FROM proposal_comments WHERE author_id = $1 ORDER BY id`,
				[]any{userID}, func(r *sql.Rows) (account.CommentData, error) {
					var c account.CommentData
					err := r.Scan(&c.ProposalID, &c.Body, &c.State, &c.CreatedAt)
					return c, err
				})
		},
		func() error {
			return into(ctx, q, &d.Reports, `SELECT comment_id, reason, created_at FROM proposal_comment_reports WHERE reporter_id = $1 ORDER BY id`,
				[]any{userID}, func(r *sql.Rows) (account.ReportData, error) {
					var c account.ReportData
					err := r.Scan(&c.CommentID, &c.Reason, &c.CreatedAt)
					return c, err
				})
		},
		func() error { return s.conversationsOf(ctx, userID, &d) },
		func() error { return s.moderationOf(ctx, userID, &d) },
		func() (err error) { d.Consents, err = s.consentsOf(ctx, u); return err },
		func() error {
			return into(ctx, q, &d.Emails, `SELECT subject, created_at, sent_at FROM outbox WHERE to_address = $1 ORDER BY id`,
				[]any{u.Email}, func(r *sql.Rows) (account.EmailData, error) {
					var e account.EmailData
					var sent sql.NullTime
					err := r.Scan(&e.Subject, &e.CreatedAt, &sent)
					e.SentAt = timePtr(sent)
					return e, err
				})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (s *Store) responsesOf(ctx context.Context, u account.User, d *account.PersonalData) error {
	byID := map[int64]int{}
	err := each(ctx, s.read, `SELECT r.id, r.consultation_id, c.title_en, r.status, r.channel, r.name, r.org_name, r.email, r.consent, r.hear_back, r.age_band, r.created_at, r.submitted_at
		FROM consultation_responses r JOIN consultations c ON c.id = r.consultation_id
		WHERE r.user_id = $1 OR LOWER(r.email) = $2 ORDER BY r.id`, []any{u.ID, u.Email}, func(r *sql.Rows) error {
		var x account.ResponseData
		var id int64
		var submitted sql.NullTime
		err := r.Scan(&id, &x.ConsultationID, &x.Consultation, &x.Status, &x.Channel, &x.Name, &x.Organisation, &x.Email, &x.Consent, &x.HearBack, &x.AgeBand, &x.CreatedAt, &submitted)
		x.SubmittedAt = timePtr(submitted)
		byID[id] = len(d.Responses)
		d.Responses = append(d.Responses, x)
		return err
	})
	if err != nil || len(byID) == 0 {
		return err
	}
	return each(ctx, s.read, `SELECT a.response_id, q.text_en, a.text, a.choices FROM consultation_answers a
		JOIN consultation_questions q ON q.id = a.question_id JOIN consultation_responses r ON r.id = a.response_id
		WHERE r.user_id = $1 OR LOWER(r.email) = $2 ORDER BY a.response_id, q.position`, []any{u.ID, u.Email}, func(r *sql.Rows) error {
		var id int64
		var a account.AnswerData
		if err := r.Scan(&id, &a.Question, &a.Text, &a.Choices); err != nil {
			return err
		}
		if i, ok := byID[id]; ok {
			d.Responses[i].Answers = append(d.Responses[i].Answers, a)
		}
		return nil
	})
}

func (s *Store) conversationsOf(ctx context.Context, userID int64, d *account.PersonalData) error {
	byParticipant := map[int64]int{}
	err := each(ctx, s.read, `SELECT p.id, p.conversation_id, c.title_en, p.created_at,
			(SELECT COUNT(*) FROM conversation_votes v WHERE v.conversation_id = p.conversation_id AND v.participant_id = p.id)
		FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id WHERE p.user_id = $1 ORDER BY p.id`,
		[]any{userID}, func(r *sql.Rows) error {
			var x account.ConversationData
			var id int64
			err := r.Scan(&id, &x.ConversationID, &x.Conversation, &x.JoinedAt, &x.Votes)
			byParticipant[id] = len(d.Conversations)
			d.Conversations = append(d.Conversations, x)
			return err
		})
	if err != nil || len(byParticipant) == 0 {
		return err
	}
	return each(ctx, s.read, `SELECT st.participant_id, st.body FROM conversation_statements st
		JOIN conversation_participants p ON p.id = st.participant_id WHERE p.user_id = $1 ORDER BY st.id`,
		[]any{userID}, func(r *sql.Rows) error {
			var id int64
			var body string
			if err := r.Scan(&id, &body); err != nil {
				return err
			}
			i := byParticipant[id]
			d.Conversations[i].Statements = append(d.Conversations[i].Statements, body)
			return nil
		})
}

// EraseUser erases a citizen's account at their request. Their personal
// data goes: the account keeps only its number (so supports and votes
// still count), sign-in identities, tokens, follows, sign-in links and
// emails to them are deleted, and their name, email address, postcode
// and IP address are removed from their signatures, responses, proposals
// and comments, which stay, anonymous, for the engagements that need them.
// Staff must be removed from their organisations first (Conflict).
func (s *Store) EraseUser(ctx context.Context, userID int64) error {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var staff int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE user_id = $1`, userID).Scan(&staff); err != nil {
			return err
		}
		if staff > 0 || u.PlatformAdmin {
			return apperr.New(apperr.Conflict, "error.account.erase.staff")
		}
		now := s.clock()
		norm := proposal.NormaliseEmail(u.Email)
		tomb := "erased-" + strconv.FormatInt(userID, 10) + "@erased.invalid"
		stmts := []struct {
			q    string
			args []any
		}{
			{`DELETE FROM identities WHERE user_id = $1`, []any{userID}},
			{`DELETE FROM api_tokens WHERE user_id = $1`, []any{userID}},
			{`DELETE FROM subscriptions WHERE user_id = $1`, []any{userID}},
			// Records of consent go too, not kept as proof: once the person
			// is gone there is no one left to prove their agreement to, and
			// the record (what they agreed to, when) is itself personal data.
			{`DELETE FROM consents WHERE user_id = $1 OR email_hash = $2`, []any{userID, emailConsentHash(u.Email)}},
			{`DELETE FROM sign_in_links WHERE email = $1`, []any{u.Email}},
			{`DELETE FROM outbox WHERE to_address = $1 OR to_address = $2`, []any{u.Email, norm}},
			// Moderation: the name on items about what they wrote goes (a
			// display name's item keeps no text), so do their reports'
			// links to them and their standing.
			{`UPDATE moderation_items SET author_name = '' WHERE kind = 'response'
				AND target_id IN (SELECT id FROM consultation_responses WHERE user_id = $1 OR LOWER(email) = $2)`, []any{userID, u.Email}},
			{`UPDATE moderation_items SET body = '' WHERE kind = 'display_name' AND target_id = $1`, []any{userID}},
			{`UPDATE moderation_items SET author_id = NULL, author_name = '', appeal_text = '' WHERE author_id = $1`, []any{userID}},
			{`UPDATE moderation_flags SET reporter_id = NULL WHERE reporter_id = $1`, []any{userID}},
			{`DELETE FROM moderation_standings WHERE user_id = $1`, []any{userID}},
			{`DELETE FROM consultation_resume_links WHERE response_id IN (SELECT id FROM consultation_responses WHERE user_id = $1 OR LOWER(email) = $2)`, []any{userID, u.Email}},
			// Named consent becomes anonymous: the name it would publish is gone.
			{`UPDATE consultation_responses SET name = '', email = '', user_id = NULL, hear_back = FALSE,
				consent = CASE WHEN consent = 'named' THEN 'anonymous' ELSE consent END
				WHERE user_id = $1 OR LOWER(email) = $2`, []any{userID, u.Email}},
			// The signature keeps counting, in its area; the marker keeps
			// (petition, address) unique without being the address.
			{`UPDATE proposal_signatures SET name = '', email = '', postcode = '', ip = '',
				email_norm = 'erased:' || CAST(id AS TEXT), token_hash = 'erased:' || CAST(id AS TEXT) WHERE email_norm = $1`, []any{norm}},
			{`UPDATE proposals SET author_name = '', author_id = NULL WHERE author_id = $1`, []any{userID}},
			{`UPDATE proposal_comments SET author_name = '', author_id = NULL WHERE author_id = $1`, []any{userID}},
			{`UPDATE proposal_comment_reports SET reporter_id = NULL WHERE reporter_id = $1`, []any{userID}},
			{`UPDATE users SET email = $1, display_name = '', lang = 'en', erased_at = $2 WHERE id = $3`, []any{tomb, now, userID}},
		}
		for _, st := range stmts {
			if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
				return err
			}
		}
		return audit(ctx, tx, account.AuditEntry{At: now, Action: "account.erase", Target: "user:" + strconv.FormatInt(userID, 10)})
	})
}

// PurgePersonalData enforces the retention periods the scheduled purge
// owns: signatures' IP addresses and copies of sent emails. It returns
// how many rows it changed.
func (s *Store) PurgePersonalData(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, st := range []struct {
			q   string
			arg time.Time
		}{
			{`UPDATE proposal_signatures SET ip = '' WHERE ip <> '' AND created_at < $1`, now.AddDate(0, 0, -account.SignatureIPDays)},
			{`DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < $1`, now.AddDate(0, 0, -account.SentEmailDays)},
		} {
			res, err := tx.ExecContext(ctx, st.q, st.arg.UTC())
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += k
		}
		return nil
	})
	return n, err
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// moderationOf adds the moderation of what the person wrote, their
// reports and their standing to their personal data.
func (s *Store) moderationOf(ctx context.Context, userID int64, d *account.PersonalData) error {
	if err := into(ctx, s.read, &d.Moderation, `SELECT o.slug, i.kind, i.target_id, i.state, i.decision, i.reason, i.opened_at, i.decided_at,
			i.appeal_text, i.appealed_at, i.appeal_outcome, i.appeal_reason
		FROM moderation_items i JOIN organisations o ON o.id = i.org_id WHERE i.author_id = $1 ORDER BY i.id`,
		[]any{userID}, func(r *sql.Rows) (account.ModerationData, error) {
			var m account.ModerationData
			var decided, appealed sql.NullTime
			err := r.Scan(&m.Organisation, &m.Kind, &m.ID, &m.State, &m.Decision, &m.Reason, &m.OpenedAt, &decided,
				&m.Appeal, &appealed, &m.AppealOutcome, &m.AppealReason)
			m.OpenedAt, m.DecidedAt, m.AppealedAt = m.OpenedAt.UTC(), timePtr(decided), timePtr(appealed)
			return m, err
		}); err != nil {
		return err
	}
	if err := into(ctx, s.read, &d.ModerationReports, `SELECT i.kind, i.target_id, f.category, f.detail, f.at
		FROM moderation_flags f JOIN moderation_items i ON i.id = f.item_id WHERE f.reporter_id = $1 ORDER BY f.id`,
		[]any{userID}, func(r *sql.Rows) (account.ModerationReportData, error) {
			var m account.ModerationReportData
			err := r.Scan(&m.Kind, &m.ID, &m.Category, &m.Detail, &m.CreatedAt)
			m.CreatedAt = m.CreatedAt.UTC()
			return m, err
		}); err != nil {
		return err
	}
	return into(ctx, s.read, &d.Standings, `SELECT o.slug, s.standing, s.set_at
		FROM moderation_standings s JOIN organisations o ON o.id = s.org_id WHERE s.user_id = $1 ORDER BY o.slug`,
		[]any{userID}, func(r *sql.Rows) (account.StandingData, error) {
			var m account.StandingData
			err := r.Scan(&m.Organisation, &m.Standing, &m.SetAt)
			m.SetAt = m.SetAt.UTC()
			return m, err
		})
}
