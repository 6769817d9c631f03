package store

import (
	"context"
	"database/sql"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/consultation"
)

// Themes analysts accept from the free text, and the responses they assign
// to each. Every change is audited.

const (
	maxThemeDescription = 2000
	themeQuotes         = 3   // quotes shown per theme
	quoteLength         = 200 // characters of a quote at most
)

func themeTarget(id int64) string { return "theme:" + itoa(id) }

// Themes lists a consultation's themes with their counts and quotes.
func (s *Store) Themes(ctx context.Context, consultationID int64) ([]consultation.Theme, error) {
	var out []consultation.Theme
	err := s.view(ctx, func(tx *sql.Tx) (err error) {
		out, err = themesTx(ctx, tx, `t.consultation_id = $1`, consultationID)
		return err
	})
	return out, err
}

// Theme returns one theme with its count and quotes.
func (s *Store) Theme(ctx context.Context, id int64) (consultation.Theme, error) {
	var t consultation.Theme
	err := s.view(ctx, func(tx *sql.Tx) (err error) {
		t, err = themeTx(ctx, tx, id)
		return err
	})
	return t, err
}

func themeTx(ctx context.Context, tx *sql.Tx, id int64) (consultation.Theme, error) {
	ts, err := themesTx(ctx, tx, `t.id = $1`, id)
	if err != nil {
		return consultation.Theme{}, err
	}
	if len(ts) == 0 {
		return consultation.Theme{}, apperr.New(apperr.NotFound, "error.theme.not_found")
	}
	return ts[0], nil
}

// themesTx loads the themes the condition on t selects, in ID order, each
// with its count and the quotes of its first members that wrote something:
// two queries however many themes.
func themesTx(ctx context.Context, tx *sql.Tx, cond string, arg int64) ([]consultation.Theme, error) {
	ts, err := collect(ctx, tx,
		`SELECT t.id, t.consultation_id, t.name, t.description, t.created_at,
		   (SELECT COUNT(*) FROM consultation_theme_responses tr WHERE tr.theme_id = t.id)
		 FROM consultation_themes t WHERE `+cond+` ORDER BY t.id`, []any{arg},
		func(rows *sql.Rows) (consultation.Theme, error) {
			var t consultation.Theme
			err := rows.Scan(&t.ID, &t.ConsultationID, &t.Name, &t.Description, &t.CreatedAt, &t.Count)
			t.CreatedAt = t.CreatedAt.UTC()
			return t, err
		})
	if err != nil || len(ts) == 0 {
		return ts, err
	}
	index := map[int64]int{}
	for i, t := range ts {
		index[t.ID] = i
	}
	// A few answers per theme: a response may have several free-text
	// answers, so more are read than quotes shown and one kept per response.
	// A redaction is quoted in place of the answer it covers.
	rows, err := tx.QueryContext(ctx, `SELECT x.theme_id, x.response_id, x.text FROM (
		  SELECT tr.theme_id, a.response_id, COALESCE(red.text, a.text) AS text,
		    ROW_NUMBER() OVER (PARTITION BY tr.theme_id ORDER BY a.response_id, q.position) AS n
		  FROM consultation_themes t
		  JOIN consultation_theme_responses tr ON tr.theme_id = t.id
		  JOIN consultation_answers a ON a.response_id = tr.response_id
		  JOIN consultation_questions q ON q.id = a.question_id AND q.kind = 'text'
		  LEFT JOIN consultation_redactions red ON red.response_id = a.response_id AND red.question_id = a.question_id
		  WHERE `+cond+` AND a.text <> '') x
		WHERE x.n <= $2 ORDER BY x.theme_id, x.n`, arg, 3*themeQuotes)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var tid, rid int64
		var text string
		if err := rows.Scan(&tid, &rid, &text); err != nil {
			return nil, err
		}
		t := &ts[index[tid]]
		if len(t.Quotes) >= themeQuotes || (len(t.Quotes) > 0 && t.Quotes[len(t.Quotes)-1].ResponseID == rid) {
			continue
		}
		if q := quote(text); q != "" {
			t.Quotes = append(t.Quotes, consultation.Quote{ResponseID: rid, Text: q})
		}
	}
	return ts, rows.Err()
}

// quote returns the first sentence of text, cut at a word to at most
// quoteLength characters.
func quote(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	for i, r := range text {
		if (r == '.' || r == '!' || r == '?') && (i+1 == len(text) || text[i+1] == ' ') {
			text = text[:i+1]
			break
		}
	}
	if utf8.RuneCountInString(text) <= quoteLength {
		return text
	}
	cut := []rune(text)[:quoteLength-1]
	s := string(cut)
	if i := strings.LastIndexByte(s, ' '); i > quoteLength/2 {
		s = s[:i]
	}
	return strings.TrimRight(s, " ,;:") + "…"
}

// cleanTheme checks a theme's name and description.
func cleanTheme(name, description string) (string, string, error) {
	name, err := consultation.CleanThemeName(name)
	description = strings.TrimSpace(description)
	if utf8.RuneCountInString(description) > maxThemeDescription {
		var f apperr.Fields
		if err == nil {
			f.Add("description", "error.theme.description.too_long")
			err = f.Err()
		}
	}
	return name, description, err
}

// CreateTheme saves a theme with its first members.
func (s *Store) CreateTheme(ctx context.Context, t consultation.Theme, members []int64, actorID int64) (consultation.Theme, error) {
	var err error
	if t.Name, t.Description, err = cleanTheme(t.Name, t.Description); err != nil {
		return t, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		c, err := consultationTx(ctx, tx, t.ConsultationID)
		if err != nil {
			return err
		}
		now := s.clock()
		id, err := insertTheme(ctx, tx, c.ID, t.Name, t.Description, members, now)
		if err != nil {
			return err
		}
		if t, err = themeTx(ctx, tx, id); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: c.OrgID,
			Action: "theme.create", Target: themeTarget(id), Detail: strconv.Itoa(t.Count) + " responses"})
	})
	return t, err
}

func insertTheme(ctx context.Context, tx *sql.Tx, consultationID int64, name, description string, members []int64, now time.Time) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx,
		`INSERT INTO consultation_themes (consultation_id, name, description, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		consultationID, name, description, now).Scan(&id); err != nil {
		return 0, err
	}
	_, err := assign(ctx, tx, consultationID, id, members, false)
	return id, err
}

// assign adds (or with remove takes away) responses of the consultation to
// a theme and counts the changes. Responses of another consultation, or
// not submitted, are refused: a theme counts what the analysis counts.
func assign(ctx context.Context, tx *sql.Tx, consultationID, themeID int64, ids []int64, remove bool) (int, error) {
	ids = distinct(ids)
	changed := 0
	// Small chunks: SQLite's cost of named parameters grows with their square.
	const chunkSize = 500
	for start := 0; start < len(ids); start += chunkSize {
		chunk := ids[start:min(start+chunkSize, len(ids))]
		in := make([]string, len(chunk))
		args := []any{consultationID}
		for i, id := range chunk {
			args = append(args, id)
			in[i] = "$" + strconv.Itoa(len(args))
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM consultation_responses WHERE consultation_id = $1 AND status = 'submitted' AND id IN (`+
			strings.Join(in, ", ")+`)`, args...).Scan(&n); err != nil {
			return 0, err
		}
		if n != len(chunk) {
			var f apperr.Fields
			f.Add("responses", "error.theme.responses.unknown")
			return 0, f.Err()
		}
		args[0] = themeID
		var res sql.Result
		var err error
		if remove {
			res, err = tx.ExecContext(ctx, `DELETE FROM consultation_theme_responses WHERE theme_id = $1 AND response_id IN (`+strings.Join(in, ", ")+`)`, args...)
		} else {
			values := make([]string, len(chunk))
			for i, p := range in {
				values[i] = "($1, " + p + ")"
			}
			res, err = tx.ExecContext(ctx, `INSERT INTO consultation_theme_responses (theme_id, response_id) VALUES `+
				strings.Join(values, ", ")+` ON CONFLICT DO NOTHING`, args...)
		}
		if err != nil {
			return 0, err
		}
		k, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		changed += int(k)
	}
	return changed, nil
}

func distinct(ids []int64) []int64 {
	out := append([]int64(nil), ids...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	k := 0
	for i, id := range out {
		if i == 0 || id != out[k-1] {
			out[k] = id
			k++
		}
	}
	return out[:k]
}

// themeOrg loads a theme's row and its consultation's organisation.
func themeOrg(ctx context.Context, tx *sql.Tx, id int64) (consultationID, orgID int64, err error) {
	err = tx.QueryRowContext(ctx,
		`SELECT t.consultation_id, c.org_id FROM consultation_themes t JOIN consultations c ON c.id = t.consultation_id WHERE t.id = $1`,
		id).Scan(&consultationID, &orgID)
	if err == sql.ErrNoRows {
		err = apperr.Wrap(apperr.NotFound, err, "error.theme.not_found")
	}
	return consultationID, orgID, err
}

// RenameTheme changes a theme's name and description.
func (s *Store) RenameTheme(ctx context.Context, id int64, name, description string, actorID int64) error {
	name, description, err := cleanTheme(name, description)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, orgID, err := themeOrg(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE consultation_themes SET name = $1, description = $2 WHERE id = $3`, name, description, id); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: orgID,
			Action: "theme.rename", Target: themeTarget(id), Detail: name})
	})
}

// MergeThemes moves every response of from into into (once each: a
// response in both stays once) and deletes from. Both must be themes of the
// same consultation.
func (s *Store) MergeThemes(ctx context.Context, into, from int64, actorID int64) error {
	if into == from {
		var f apperr.Fields
		f.Add("theme", "error.theme.merge.same")
		return f.Err()
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		cInto, orgID, err := themeOrg(ctx, tx, into)
		if err != nil {
			return err
		}
		cFrom, _, err := themeOrg(ctx, tx, from)
		if err != nil {
			return err
		}
		if cInto != cFrom {
			return apperr.New(apperr.Conflict, "error.theme.merge.other_consultation")
		}
		res, err := tx.ExecContext(ctx,
			`INSERT INTO consultation_theme_responses (theme_id, response_id)
			 SELECT $1, response_id FROM consultation_theme_responses WHERE theme_id = $2 ON CONFLICT DO NOTHING`, into, from)
		if err != nil {
			return err
		}
		moved, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM consultation_themes WHERE id = $1`, from); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: orgID,
			Action: "theme.merge", Target: themeTarget(into), Detail: "theme " + itoa(from) + ", " + strconv.FormatInt(moved, 10) + " responses moved"})
	})
}

// SplitTheme replaces a theme by the parts given, each a new theme with its
// members, in one transaction.
func (s *Store) SplitTheme(ctx context.Context, id int64, parts []consultation.ThemePart, actorID int64) ([]consultation.Theme, error) {
	var f apperr.Fields
	f.Check(len(parts) > 0, "parts", "error.theme.split.no_parts")
	if err := f.Err(); err != nil {
		return nil, err
	}
	names := make([]string, len(parts))
	for i, p := range parts {
		name, err := consultation.CleanThemeName(p.Name)
		if err != nil {
			return nil, err
		}
		names[i] = name
	}
	var out []consultation.Theme
	err := s.tx(ctx, func(tx *sql.Tx) error {
		out = nil
		old, err := themeTx(ctx, tx, id)
		if err != nil {
			return err
		}
		c, err := consultationTx(ctx, tx, old.ConsultationID)
		if err != nil {
			return err
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `DELETE FROM consultation_themes WHERE id = $1`, id); err != nil {
			return err
		}
		var made []string
		for i, p := range parts {
			nid, err := insertTheme(ctx, tx, c.ID, names[i], "", p.Members, now)
			if err != nil {
				return err
			}
			t, err := themeTx(ctx, tx, nid)
			if err != nil {
				return err
			}
			out = append(out, t)
			made = append(made, itoa(nid))
		}
		return audit(ctx, tx, account.AuditEntry{At: now, ActorID: actorID, OrgID: c.OrgID,
			Action: "theme.split", Target: themeTarget(id), Detail: "into themes " + strings.Join(made, ", ")})
	})
	return out, err
}

// DeleteTheme removes a theme; its responses stay, unassigned from it.
func (s *Store) DeleteTheme(ctx context.Context, id int64, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, orgID, err := themeOrg(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM consultation_themes WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: orgID,
			Action: "theme.delete", Target: themeTarget(id)})
	})
}

// AssignTheme adds (or with remove, takes away) submitted responses of the
// theme's consultation; it returns how many changed.
func (s *Store) AssignTheme(ctx context.Context, themeID int64, responseIDs []int64, remove bool, actorID int64) (int, error) {
	n := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		cid, orgID, err := themeOrg(ctx, tx, themeID)
		if err != nil {
			return err
		}
		if n, err = assign(ctx, tx, cid, themeID, responseIDs, remove); err != nil {
			return err
		}
		action := "theme.assign"
		if remove {
			action = "theme.unassign"
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: orgID,
			Action: action, Target: themeTarget(themeID), Detail: strconv.Itoa(n) + " responses"})
	})
	return n, err
}

// ResponseThemes maps the consultation's responses to the IDs of their
// themes.
func (s *Store) ResponseThemes(ctx context.Context, consultationID int64) (map[int64][]int64, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT tr.response_id, tr.theme_id FROM consultation_theme_responses tr JOIN consultation_themes t ON t.id = tr.theme_id
		 WHERE t.consultation_id = $1 ORDER BY tr.response_id, tr.theme_id`, consultationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var rid, tid int64
		if err := rows.Scan(&rid, &tid); err != nil {
			return nil, err
		}
		out[rid] = append(out[rid], tid)
	}
	return out, rows.Err()
}
