package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/moderation"
	"parley/internal/proposal"
)

// Proposal boards and proposals: creating, reading, listing and searching.
// Moderation and answers are in proposal_moderation.go, ideas' supports in
// proposal_support.go, comments in proposal_comments.go, fraud controls in
// proposal_fraud.go and the emails of the jobs in proposal_notify.go.

func boardTarget(id int64) string    { return "proposal_board:" + itoa(id) }
func proposalTarget(id int64) string { return "proposal:" + itoa(id) }

// boardCategory is how a category is kept in the board's JSON column:
// tagged here so renaming a domain field cannot silently drop stored text.
type boardCategory struct {
	Slug   string `json:"slug"`
	NameEN string `json:"name_en"`
	NameCY string `json:"name_cy,omitempty"`
}

const boardColumns = `id, org_id, kind, title_en, title_cy, description_en, description_cy, moderation, accepting,
	response_threshold, debate_threshold, response_days, sponsors_needed, open_days, alert_per_hour, categories, created_at`

func scanBoard(row scanner) (proposal.Board, error) {
	var b proposal.Board
	var cats string
	err := row.Scan(&b.ID, &b.OrgID, &b.Kind, &b.TitleEN, &b.TitleCY, &b.DescriptionEN, &b.DescriptionCY, &b.Moderation, &b.Accepting,
		&b.ResponseThreshold, &b.DebateThreshold, &b.ResponseDays, &b.SponsorsNeeded, &b.OpenDays, &b.AlertPerHour, &cats, &b.CreatedAt)
	if err != nil {
		return b, err
	}
	b.CreatedAt = b.CreatedAt.UTC()
	var cs []boardCategory
	if err := json.Unmarshal([]byte(cats), &cs); err != nil {
		return b, err
	}
	for _, c := range cs {
		b.Categories = append(b.Categories, proposal.Category{Slug: c.Slug, NameEN: c.NameEN, NameCY: c.NameCY})
	}
	return b, nil
}

func encodeCategories(cs []proposal.Category) (string, error) {
	out := make([]boardCategory, 0, len(cs))
	for _, c := range cs {
		out = append(out, boardCategory{Slug: c.Slug, NameEN: c.NameEN, NameCY: c.NameCY})
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// CreateBoard saves a new board.
func (s *Store) CreateBoard(ctx context.Context, b proposal.Board, actorID int64) (proposal.Board, error) {
	b.Normalise()
	if err := b.Validate(); err != nil {
		return b, err
	}
	cats, err := encodeCategories(b.Categories)
	if err != nil {
		return b, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		b.CreatedAt = s.clock()
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO proposal_boards (org_id, kind, title_en, title_cy, description_en, description_cy, moderation, accepting,
			   response_threshold, debate_threshold, response_days, sponsors_needed, open_days, alert_per_hour, categories, created_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
			b.OrgID, b.Kind, b.TitleEN, b.TitleCY, b.DescriptionEN, b.DescriptionCY, b.Moderation, b.Accepting,
			b.ResponseThreshold, b.DebateThreshold, b.ResponseDays, b.SponsorsNeeded, b.OpenDays, b.AlertPerHour, cats, b.CreatedAt).Scan(&b.ID); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: b.CreatedAt, ActorID: actorID, OrgID: b.OrgID,
			Action: "proposal_board.create", Target: boardTarget(b.ID), Detail: string(b.Kind)})
	})
	return b, err
}

// UpdateBoard saves a board's text and rules; its organisation, kind and
// creation time are kept as stored.
func (s *Store) UpdateBoard(ctx context.Context, b proposal.Board, actorID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		old, err := boardTx(ctx, tx, b.ID)
		if err != nil {
			return err
		}
		b.OrgID, b.Kind = old.OrgID, old.Kind
		b.Normalise()
		if err := b.Validate(); err != nil {
			return err
		}
		cats, err := encodeCategories(b.Categories)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE proposal_boards SET title_en = $1, title_cy = $2, description_en = $3, description_cy = $4, moderation = $5,
			   accepting = $6, response_threshold = $7, debate_threshold = $8, response_days = $9, sponsors_needed = $10,
			   open_days = $11, alert_per_hour = $12, categories = $13 WHERE id = $14`,
			b.TitleEN, b.TitleCY, b.DescriptionEN, b.DescriptionCY, b.Moderation, b.Accepting, b.ResponseThreshold, b.DebateThreshold,
			b.ResponseDays, b.SponsorsNeeded, b.OpenDays, b.AlertPerHour, cats, b.ID); err != nil {
			return err
		}
		return audit(ctx, tx, account.AuditEntry{At: s.clock(), ActorID: actorID, OrgID: old.OrgID,
			Action: "proposal_board.update", Target: boardTarget(b.ID)})
	})
}

// Board returns one board.
func (s *Store) Board(ctx context.Context, id int64) (proposal.Board, error) {
	b, err := scanBoard(s.read.QueryRowContext(ctx, `SELECT `+boardColumns+` FROM proposal_boards WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return b, apperr.Wrap(apperr.NotFound, err, "error.proposal.board.not_found")
	}
	return b, err
}

func boardTx(ctx context.Context, tx *sql.Tx, id int64) (proposal.Board, error) {
	b, err := scanBoard(tx.QueryRowContext(ctx, `SELECT `+boardColumns+` FROM proposal_boards WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return b, apperr.Wrap(apperr.NotFound, err, "error.proposal.board.not_found")
	}
	return b, err
}

// Boards lists an organisation's boards, oldest first.
func (s *Store) Boards(ctx context.Context, orgID int64) ([]proposal.Board, error) {
	return collect(ctx, s.read, `SELECT `+boardColumns+` FROM proposal_boards WHERE org_id = $1 ORDER BY id`, []any{orgID},
		func(rows *sql.Rows) (proposal.Board, error) { return scanBoard(rows) })
}

// proposalColumns reads a proposal as p joined to its board as b, with
// its count summed from the sharded counters.
const proposalColumns = `p.id, p.board_id, p.org_id, b.kind, p.author_id, p.author_name, p.title, p.body, p.lang, p.category,
	p.stage, p.status, p.response_en, p.response_cy, p.status_at, p.reason, p.sponsor_token, p.created_at, p.published_at,
	p.closes_at, p.threshold_at, p.response_due, p.responded_at, p.debate_at, p.merged_into,
	(SELECT COALESCE(SUM(c.n), 0) FROM proposal_counts c WHERE c.proposal_id = p.id) AS supporters`

const proposalFrom = ` FROM proposals p JOIN proposal_boards b ON b.id = p.board_id`

func scanProposal(row scanner) (proposal.Proposal, error) {
	var p proposal.Proposal
	var author, merged sql.NullInt64
	var token sql.NullString
	var statusAt, published, closes, threshold, due, responded, debate sql.NullTime
	err := row.Scan(&p.ID, &p.BoardID, &p.OrgID, &p.Kind, &author, &p.AuthorName, &p.Title, &p.Body, &p.Lang, &p.Category,
		&p.Stage, &p.Status, &p.ResponseEN, &p.ResponseCY, &statusAt, &p.Reason, &token, &p.CreatedAt, &published,
		&closes, &threshold, &due, &responded, &debate, &merged, &p.Supporters)
	if err != nil {
		return p, err
	}
	p.AuthorID, p.MergedInto, p.SponsorToken = author.Int64, merged.Int64, token.String
	p.CreatedAt = p.CreatedAt.UTC()
	p.StatusAt, p.PublishedAt, p.ClosesAt = timeOf(statusAt), timeOf(published), timeOf(closes)
	p.ThresholdAt, p.ResponseDue, p.RespondedAt, p.DebateAt = timeOf(threshold), timeOf(due), timeOf(responded), timeOf(debate)
	return p, nil
}

func proposalNotFound(err error) error {
	if err == sql.ErrNoRows {
		return apperr.Wrap(apperr.NotFound, err, "error.proposal.not_found")
	}
	return err
}

// Proposal returns one proposal with Supporters filled.
func (s *Store) Proposal(ctx context.Context, id int64) (proposal.Proposal, error) {
	p, err := scanProposal(s.read.QueryRowContext(ctx, `SELECT `+proposalColumns+proposalFrom+` WHERE p.id = $1`, id))
	return p, proposalNotFound(err)
}

// proposalTx reads a proposal inside a transaction.
func proposalTx(ctx context.Context, tx *sql.Tx, id int64) (proposal.Proposal, error) {
	p, err := scanProposal(tx.QueryRowContext(ctx, `SELECT `+proposalColumns+proposalFrom+` WHERE p.id = $1`, id))
	return p, proposalNotFound(err)
}

// ProposalBySponsorToken returns the proposal whose sponsor link carries
// token, whatever its stage (the caller decides what the link may do).
func (s *Store) ProposalBySponsorToken(ctx context.Context, token string) (proposal.Proposal, error) {
	if token == "" {
		return proposal.Proposal{}, apperr.New(apperr.NotFound, "error.proposal.not_found")
	}
	p, err := scanProposal(s.read.QueryRowContext(ctx, `SELECT `+proposalColumns+proposalFrom+` WHERE p.sponsor_token = $1`, token))
	return p, proposalNotFound(err)
}

// newSponsorToken returns a random, URL-safe secret for a sponsor link.
// It is kept in plain text because the author needs to see the link
// again; it grants only signing, which anyone may do once it is public.
func newSponsorToken() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b) // crypto/rand does not fail on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateProposal validates p against its board and saves it at its first
// stage, with the author's own support (see web.ProposalStore).
func (s *Store) CreateProposal(ctx context.Context, p proposal.Proposal, authorSig *proposal.Signature) (proposal.Proposal, error) {
	var sig proposal.Signature
	if authorSig != nil {
		sig = *authorSig
		sig.Normalise()
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		b, err := boardTx(ctx, tx, p.BoardID)
		if err != nil {
			return err
		}
		if !b.Accepting {
			return apperr.New(apperr.Conflict, "error.proposal.board.not_accepting")
		}
		p.OrgID, p.Kind = b.OrgID, b.Kind
		p.Normalise()
		p.Status, p.ResponseEN, p.ResponseCY, p.Reason, p.MergedInto = proposal.Open, "", "", "", 0
		verr := p.Validate(b)
		if b.Kind == proposal.Petitions && authorSig != nil {
			// The form shows the proposal's and the signature's fields
			// together: report every mistake at once.
			verr = joinFields(verr, sig.Validate())
		}
		if verr != nil {
			return verr
		}
		if b.Kind == proposal.Ideas && p.AuthorID == 0 {
			return apperr.New(apperr.Invalid, "error.proposal.author.required")
		}
		now := s.clock()
		// Screening decides whether it waits for a moderator: pre-moderated
		// boards and signals hold it, trusted authors skip both, blocked
		// authors may not write.
		sc := screening{OrgID: b.OrgID, Kind: moderation.KindProposal, AuthorID: p.AuthorID, AuthorName: p.AuthorName,
			Text: proposalText(p.Title, p.Body), WhereTitle: b.TitleEN, WhereID: b.ID, Pre: b.Moderation == proposal.PreModeration, Now: now}
		held, err := s.screen(ctx, tx, &sc)
		if err != nil {
			return err
		}
		p.CreatedAt, p.Stage, p.SponsorToken = now, proposal.FirstStage(b), ""
		if p.Stage != proposal.Sponsoring {
			p.Stage = proposal.Published
			if held {
				p.Stage = proposal.Pending
			}
		}
		p.PublishedAt, p.ClosesAt, p.StatusAt = time.Time{}, time.Time{}, time.Time{}
		p.ThresholdAt, p.ResponseDue, p.RespondedAt, p.DebateAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if p.Stage == proposal.Published {
			p.PublishedAt, p.ClosesAt = now, b.ClosesAt(now)
		}
		if p.Stage == proposal.Sponsoring {
			p.SponsorToken = newSponsorToken()
		}
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO proposals (board_id, org_id, author_id, author_name, title, body, lang, category, stage, status,
			   sponsor_token, created_at, published_at, closes_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
			p.BoardID, p.OrgID, sql.NullInt64{Int64: p.AuthorID, Valid: p.AuthorID != 0}, p.AuthorName, p.Title, p.Body, p.Lang, p.Category,
			p.Stage, p.Status, sql.NullString{String: p.SponsorToken, Valid: p.SponsorToken != ""}, now,
			nullTime(p.PublishedAt), nullTime(p.ClosesAt)).Scan(&p.ID); err != nil {
			return err
		}
		if err := sc.open(ctx, tx, p.ID); err != nil {
			return err
		}
		var delta countDelta
		switch {
		case b.Kind == proposal.Ideas:
			if _, err := tx.ExecContext(ctx, `INSERT INTO proposal_supports (proposal_id, user_id, created_at) VALUES ($1, $2, $3)`,
				p.ID, p.AuthorID, now); err != nil {
				return err
			}
			delta = countDelta{ProposalID: p.ID, N: 1}
		case authorSig != nil:
			sig.ProposalID, sig.Sponsor, sig.CreatedAt, sig.ConfirmedAt, sig.InvalidatedAt = p.ID, false, now, now, time.Time{}
			if sig.Area == "" {
				if sig.Area, err = proposalAreaOf(ctx, tx, b.OrgID, sig.Postcode); err != nil {
					return err
				}
			}
			// The author's address was verified when they signed in; the
			// signature needs no link, so its token hash is a random value
			// no link can match.
			if err := tx.QueryRowContext(ctx,
				`INSERT INTO proposal_signatures (proposal_id, name, email, email_norm, email_domain, postcode, country, uk_resident,
				   area, ip, sponsor, lang, token_hash, created_at, confirmed_at)
				 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
				sig.ProposalID, sig.Name, sig.Email, sig.EmailNorm, sig.Domain(), sig.Postcode, sig.Country, sig.UKResident,
				sig.Area, sig.IP, sig.Sponsor, sig.Lang, "author:"+newSponsorToken(), now, now).Scan(&sig.ID); err != nil {
				return err
			}
			delta = countDelta{ProposalID: p.ID, Area: sig.Area, N: 1}
		}
		if delta.N != 0 {
			if err := s.addCounts(ctx, tx, []countDelta{delta}); err != nil {
				return err
			}
			p.Supporters = 1
			// A board with a threshold of one is answered at once.
			if err := checkThresholds(ctx, tx, []int64{p.ID}, now); err != nil {
				return err
			}
		}
		stored, err := proposalTx(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		p = stored
		return nil
	})
	return p, err
}

// joinFields merges two validation errors' fields into one Invalid error.
func joinFields(a, b error) error {
	if a == nil || b == nil {
		if a == nil {
			return b
		}
		return a
	}
	var f apperr.Fields
	for _, e := range []error{a, b} {
		fs := apperr.FieldsOf(e)
		if fs == nil {
			return e // not a validation error: report it as it is
		}
		for _, k := range fieldOrder(e) {
			f.Add(k, fs[k])
		}
	}
	return f.Err()
}

// fieldOrder returns the fields of a validation error in the order they
// were found, so the error summary follows the form.
func fieldOrder(err error) []string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.Order
	}
	return nil
}

// proposalAreaOf finds the area of a normalised postcode in the
// organisation's lookup by the longest prefix that matches, as
// proposal.AreaLookup does.
func proposalAreaOf(ctx context.Context, tx *sql.Tx, orgID int64, postcode string) (string, error) {
	if postcode == "" {
		return "", nil
	}
	district, inward, _ := strings.Cut(postcode, " ")
	area := district
	if i := strings.IndexAny(district, "0123456789"); i > 0 {
		area = district[:i]
	}
	for _, prefix := range []string{postcode, district + " " + inward[:min(1, len(inward))], district, area} {
		var code string
		err := tx.QueryRowContext(ctx, `SELECT code FROM proposal_areas WHERE org_id = $1 AND prefix = $2`, orgID, prefix).Scan(&code)
		if err == nil {
			return code, nil
		}
		if err != sql.ErrNoRows {
			return "", err
		}
	}
	return "", nil
}

// Proposals lists proposals matching f with Supporters filled, and how
// many match in all.
func (s *Store) Proposals(ctx context.Context, f proposal.ListFilter) ([]proposal.Proposal, int, error) {
	if f.BoardID == 0 && f.OrgID == 0 {
		return nil, 0, apperr.New(apperr.Invalid, "proposals: a board or an organisation is required")
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + itoa(int64(len(args)))
	}
	if f.BoardID != 0 {
		where = append(where, "p.board_id = "+arg(f.BoardID))
	}
	if f.OrgID != 0 {
		where = append(where, "p.org_id = "+arg(f.OrgID))
	}
	stages := f.Stages
	if len(stages) == 0 {
		stages = []proposal.Stage{proposal.Published}
	}
	var in []string
	for _, st := range stages {
		in = append(in, arg(string(st)))
	}
	where = append(where, "p.stage IN ("+strings.Join(in, ", ")+")")
	if f.Status != "" {
		where = append(where, "p.status = "+arg(string(f.Status)))
	}
	if f.Category != "" {
		where = append(where, "p.category = "+arg(f.Category))
	}
	if f.AuthorID != 0 {
		where = append(where, "p.author_id = "+arg(f.AuthorID))
	}
	if f.Awaiting {
		where = append(where, "p.threshold_at IS NOT NULL AND p.responded_at IS NULL")
	}
	if f.Answered {
		// A merge is not an answer: duplicates point to their original.
		where = append(where, "p.status NOT IN ('open', 'duplicate')")
	}
	if strings.TrimSpace(f.Query) != "" {
		q, ok := s.searchQuery(f.Query)
		if !ok {
			return nil, 0, nil // nothing searchable was typed: nothing matches
		}
		if s.dialect == Postgres {
			where = append(where, "to_tsvector('simple', p.title || ' ' || p.body) @@ plainto_tsquery('simple', "+arg(q)+")")
		} else {
			where = append(where, "p.id IN (SELECT rowid FROM proposals_fts WHERE proposals_fts MATCH "+arg(q)+")")
		}
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM proposals p`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := "COALESCE(p.published_at, p.created_at) DESC, p.id DESC"
	switch {
	case f.Sort == proposal.SortPopular:
		order = "supporters DESC, p.id DESC"
	case f.Sort == proposal.SortAnswer:
		// Owed answers first, the soonest due first; then the rest, newest first.
		order = `CASE WHEN p.threshold_at IS NOT NULL AND p.responded_at IS NULL THEN 0 ELSE 1 END,
			p.response_due, COALESCE(p.published_at, p.created_at) DESC, p.id DESC`
		if s.dialect == Postgres {
			order = strings.Replace(order, "p.response_due,", "p.response_due NULLS LAST,", 1)
		}
	case f.Answered && f.Sort == "":
		order = "p.status_at DESC, p.id DESC"
		if s.dialect == Postgres {
			order = "p.status_at DESC NULLS LAST, p.id DESC"
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q := `SELECT ` + proposalColumns + proposalFrom + cond + ` ORDER BY ` + order + ` LIMIT ` + arg(limit) + ` OFFSET ` + arg(max(f.Offset, 0))
	list, err := collect(ctx, s.read, q, args, func(rows *sql.Rows) (proposal.Proposal, error) { return scanProposal(rows) })
	return list, total, err
}

// similarStop are words too common to say two proposals are alike.
var similarStop = map[string]bool{
	"the": true, "and": true, "for": true, "are": true, "but": true, "not": true, "you": true, "all": true,
	"can": true, "our": true, "was": true, "with": true, "this": true, "that": true, "from": true, "have": true,
	"has": true, "will": true, "should": true, "would": true, "more": true, "into": true, "they": true, "their": true,
	"there": true, "what": true, "about": true, "please": true, "its": true, "out": true, "who": true, "been": true,
	"mae": true, "ein": true, "eich": true, "gyda": true, "ydy": true, "dylai": true, "fod": true, "bod": true,
	"mwy": true, "neu": true, "ond": true, "hyn": true, "hon": true, "hwn": true, "nid": true, "ddim": true,
}

// similarWords splits text into its distinct searchable words: runs of
// letters and digits, lower-cased, without common words and words under
// three characters. Being only letters and digits, no word can be read
// as search syntax by either database.
func similarWords(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
		if len([]rune(w)) < 3 || similarStop[w] || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
		if len(out) == 24 {
			break // a pasted essay is not a search; the first words decide
		}
	}
	return out
}

// SimilarProposals finds published proposals of a board that share any
// word with text, best match first.
func (s *Store) SimilarProposals(ctx context.Context, boardID int64, text string, limit int) ([]proposal.Proposal, error) {
	words := similarWords(text)
	if len(words) == 0 {
		return nil, nil
	}
	if limit <= 0 {
		limit = 5
	}
	var q string
	var match string
	if s.dialect == Postgres {
		match = strings.Join(words, " | ")
		q = `SELECT ` + proposalColumns + proposalFrom + `, to_tsquery('simple', $1) AS query
			WHERE p.board_id = $2 AND p.stage = 'published' AND p.merged_into IS NULL
			  AND to_tsvector('simple', p.title || ' ' || p.body) @@ query
			ORDER BY ts_rank(to_tsvector('simple', p.title || ' ' || p.body), query) DESC, p.id DESC LIMIT $3`
	} else {
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = `"` + w + `"`
		}
		match = strings.Join(quoted, " OR ")
		q = `SELECT ` + proposalColumns + ` FROM proposals_fts JOIN proposals p ON p.id = proposals_fts.rowid
			JOIN proposal_boards b ON b.id = p.board_id
			WHERE proposals_fts MATCH $1 AND p.board_id = $2 AND p.stage = 'published' AND p.merged_into IS NULL
			ORDER BY bm25(proposals_fts), p.id DESC LIMIT $3`
	}
	return collect(ctx, s.read, q, []any{match, boardID, limit}, func(rows *sql.Rows) (proposal.Proposal, error) { return scanProposal(rows) })
}
