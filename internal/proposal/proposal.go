// Package proposal describes proposals: citizens put forward ideas and
// petitions on an organisation's boards, others support them (ideas: one
// support per signed-in citizen; petitions: email-confirmed signatures),
// and when support crosses a board's threshold the organisation must
// answer. This package holds the types and their rules; storage and HTTP
// live elsewhere.
package proposal

import (
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/apperr"
)

// Kind is what a board collects.
type Kind string

const (
	Ideas     Kind = "ideas"     // supported by signed-in citizens, one support each
	Petitions Kind = "petitions" // signed by name, email and postcode, confirmed by email
)

// Moderation says when moderators see a new proposal.
type Moderation string

const (
	PreModeration  Moderation = "pre"  // published only once a moderator approves it
	PostModeration Moderation = "post" // published at once; moderators may hide it later
)

// Category is one of a board's categories.
type Category struct {
	Slug   string
	NameEN string
	NameCY string
}

// Name returns the category's name in lang.
func (c Category) Name(lang string) string { return pick(lang, c.NameEN, c.NameCY) }

// Board is one of an organisation's boards of ideas or petitions, with its rules.
type Board struct {
	ID            int64
	OrgID         int64
	Kind          Kind
	TitleEN       string
	TitleCY       string
	DescriptionEN string // markdown, sanitised when rendered
	DescriptionCY string
	Moderation    Moderation
	// Accepting says whether citizens may propose now; existing proposals
	// stay open to support either way.
	Accepting bool
	// ResponseThreshold is the support at which the organisation must
	// answer (0: never); DebateThreshold the support at which a petition
	// is considered for debate (0: never).
	ResponseThreshold int
	DebateThreshold   int
	// ResponseDays is how long staff have to answer once the response
	// threshold is crossed.
	ResponseDays int
	// SponsorsNeeded is how many confirmed supporters a petition needs
	// before it goes to moderation (petitions only; 0: none).
	SponsorsNeeded int
	// OpenDays is how long a petition takes signatures once published
	// (petitions only; 0: until closed by hand).
	OpenDays int
	// AlertPerHour is the signatures from one IP address or one email
	// domain, per petition and hour, above which the trending report
	// flags them for moderators (0: the default, DefaultAlertPerHour).
	AlertPerHour int
	Categories   []Category
	CreatedAt    time.Time
}

// Defaults for new boards, following the UK Parliament petitions site.
const (
	DefaultResponseThreshold = 10000
	DefaultDebateThreshold   = 100000
	DefaultResponseDays      = 28
	DefaultSponsors          = 5
	DefaultOpenDays          = 182 // six months
	DefaultAlertPerHour      = 50
)

// Title and Description return the board's text in lang ("en" or "cy").
func (b Board) Title(lang string) string       { return pick(lang, b.TitleEN, b.TitleCY) }
func (b Board) Description(lang string) string { return pick(lang, b.DescriptionEN, b.DescriptionCY) }

// Category returns the board's category with slug, or ok false.
func (b Board) Category(slug string) (Category, bool) {
	for _, c := range b.Categories {
		if c.Slug == slug {
			return c, true
		}
	}
	return Category{}, false
}

// Alert returns the trending report's threshold per hour.
func (b Board) Alert() int {
	if b.AlertPerHour > 0 {
		return b.AlertPerHour
	}
	return DefaultAlertPerHour
}

func pick(lang, en, cy string) string {
	if lang == "cy" && cy != "" {
		return cy
	}
	return en
}

// Limits on what people write.
const (
	MaxBoardTitle  = 200
	MaxDescription = 20000
	MaxTitle       = 150 // a proposal's title; the petitions site allows 80
	MaxBody        = 5000
	MaxCategories  = 50
	MaxComment     = 2000
	MaxReason      = 500
	MaxResponse    = 20000
	MaxThreshold   = 100_000_000
)

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// Normalise trims the text fields and fills defaults.
func (b *Board) Normalise() {
	for _, p := range []*string{&b.TitleEN, &b.TitleCY, &b.DescriptionEN, &b.DescriptionCY} {
		*p = strings.TrimSpace(*p)
	}
	if b.Moderation == "" {
		b.Moderation = PreModeration
	}
	if b.ResponseDays == 0 {
		b.ResponseDays = DefaultResponseDays
	}
	for i := range b.Categories {
		c := &b.Categories[i]
		c.NameEN, c.NameCY = strings.TrimSpace(c.NameEN), strings.TrimSpace(c.NameCY)
		if c.Slug == "" {
			c.Slug = Slugify(c.NameEN)
		}
	}
}

// Validate checks a board; messages are i18n message IDs.
func (b Board) Validate() error {
	var f apperr.Fields
	f.Check(b.Kind == Ideas || b.Kind == Petitions, "kind", "error.proposal.board.kind")
	f.Check(b.TitleEN != "", "title_en", "error.proposal.board.title.required")
	f.Check(!tooLong(b.TitleEN, MaxBoardTitle), "title_en", "error.proposal.board.title.too_long")
	f.Check(!tooLong(b.TitleCY, MaxBoardTitle), "title_cy", "error.proposal.board.title.too_long")
	f.Check(!tooLong(b.DescriptionEN, MaxDescription), "description_en", "error.proposal.board.description.too_long")
	f.Check(!tooLong(b.DescriptionCY, MaxDescription), "description_cy", "error.proposal.board.description.too_long")
	f.Check(b.Moderation == PreModeration || b.Moderation == PostModeration, "moderation", "error.proposal.board.moderation")
	f.Check(b.ResponseThreshold >= 0 && b.ResponseThreshold <= MaxThreshold, "response_threshold", "error.proposal.board.threshold")
	f.Check(b.DebateThreshold >= 0 && b.DebateThreshold <= MaxThreshold, "debate_threshold", "error.proposal.board.threshold")
	f.Check(b.DebateThreshold == 0 || b.ResponseThreshold == 0 || b.DebateThreshold > b.ResponseThreshold,
		"debate_threshold", "error.proposal.board.debate_below_response")
	f.Check(b.ResponseDays >= 1 && b.ResponseDays <= 365, "response_days", "error.proposal.board.response_days")
	f.Check(b.SponsorsNeeded >= 0 && b.SponsorsNeeded <= 100, "sponsors_needed", "error.proposal.board.sponsors")
	f.Check(b.OpenDays >= 0 && b.OpenDays <= 3650, "open_days", "error.proposal.board.open_days")
	f.Check(b.AlertPerHour >= 0 && b.AlertPerHour <= MaxThreshold, "alert_per_hour", "error.proposal.board.alert")
	f.Check(len(b.Categories) <= MaxCategories, "categories", "error.proposal.board.categories.too_many")
	seen := map[string]bool{}
	for _, c := range b.Categories {
		if c.NameEN == "" || c.Slug == "" || tooLong(c.NameEN, 100) || tooLong(c.NameCY, 100) || seen[c.Slug] {
			f.Add("categories", "error.proposal.board.categories.bad")
			break
		}
		seen[c.Slug] = true
	}
	return f.Err()
}

// Slugify makes a URL-safe lower-case slug of ASCII letters, digits and hyphens.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// Stage is where a proposal is on its way to the public.
type Stage string

const (
	// Sponsoring: a petition collecting its first supporters through a
	// link its author shares; not listed.
	Sponsoring Stage = "sponsoring"
	// Pending: waiting for a moderator (pre-moderation, or a petition
	// with its sponsors).
	Pending Stage = "pending"
	// Published: public and open to support (petitions until ClosesAt).
	Published Stage = "published"
	// Rejected: refused by a moderator, with a reason the author sees.
	Rejected Stage = "rejected"
	// Hidden: taken down after publication (post-moderation); kept for appeal.
	Hidden Stage = "hidden"
)

// Status is the organisation's official answer to a proposal.
type Status string

const (
	Open               Status = "open"
	UnderConsideration Status = "under_consideration"
	Planned            Status = "planned"
	Started            Status = "started"
	Completed          Status = "completed"
	Declined           Status = "declined"
	Duplicate          Status = "duplicate" // set by a merge only
)

// Statuses lists the official statuses in the order staff choose them.
var Statuses = []Status{Open, UnderConsideration, Planned, Started, Completed, Declined, Duplicate}

// ValidStatus reports whether s is an official status staff may set by
// hand (Duplicate comes only from a merge).
func ValidStatus(s Status) bool {
	for _, k := range Statuses {
		if k == s && s != Duplicate {
			return true
		}
	}
	return false
}

// Proposal is one idea or petition.
type Proposal struct {
	ID         int64
	BoardID    int64
	OrgID      int64
	Kind       Kind // the board's kind
	AuthorID   int64
	AuthorName string // as the author chose to be shown
	Title      string // in the author's language
	Body       string // markdown, sanitised when rendered
	Lang       string // the language the author wrote in ("en" or "cy")
	Category   string // a slug of the board's categories; "" for none
	Stage      Stage
	Status     Status
	// The official response that goes with Status, in both languages.
	ResponseEN string
	ResponseCY string
	StatusAt   time.Time // when Status last changed
	// Reason is the moderator's reason for a rejection or hiding; the author sees it.
	Reason string
	// Supporters is the count of confirmed, valid signatures or supports,
	// kept in counters; filled by the store when reading.
	Supporters int
	// SponsorToken is the secret part of the link an author shares to
	// collect sponsors (petitions in Sponsoring only).
	SponsorToken string
	CreatedAt    time.Time
	PublishedAt  time.Time
	// ClosesAt is when a petition stops taking signatures (zero: open
	// until closed by hand; always zero for ideas).
	ClosesAt time.Time
	// ThresholdAt is when support crossed the board's response threshold;
	// ResponseDue is the date the answer is due; RespondedAt when staff
	// published a response after that.
	ThresholdAt time.Time
	ResponseDue time.Time
	RespondedAt time.Time
	// DebateAt is when a petition crossed the debate threshold.
	DebateAt time.Time
	// MergedInto is the original a duplicate was merged into (0: none).
	MergedInto int64
}

// Response returns the official response in lang.
func (p Proposal) Response(lang string) string { return pick(lang, p.ResponseEN, p.ResponseCY) }

// Public reports whether citizens may see the proposal.
func (p Proposal) Public() bool { return p.Stage == Published }

// Supportable reports whether the proposal takes support at now: published,
// not merged away, not answered with a closing status and, for a petition,
// before its closing date. A petition collecting sponsors takes support
// through its sponsor link only.
func (p Proposal) Supportable(now time.Time) bool {
	if p.Stage != Published || p.MergedInto != 0 {
		return false
	}
	switch p.Status {
	case Completed, Declined, Duplicate:
		return false
	}
	return p.ClosesAt.IsZero() || now.Before(p.ClosesAt)
}

// Awaiting reports whether the organisation owes a response: the threshold
// was crossed and no response has been published since.
func (p Proposal) Awaiting() bool { return !p.ThresholdAt.IsZero() && p.RespondedAt.IsZero() }

// Overdue reports whether an owed response is past its due date at now.
func (p Proposal) Overdue(now time.Time) bool {
	return p.Awaiting() && !p.ResponseDue.IsZero() && now.After(p.ResponseDue)
}

// Normalise trims the text fields and fills defaults.
func (p *Proposal) Normalise() {
	p.Title = strings.Join(strings.Fields(p.Title), " ")
	p.Body = strings.TrimSpace(strings.ReplaceAll(p.Body, "\r\n", "\n"))
	p.AuthorName = strings.Join(strings.Fields(p.AuthorName), " ")
	if p.Lang != "cy" {
		p.Lang = "en"
	}
	if p.Status == "" {
		p.Status = Open
	}
}

// Validate checks what a citizen wrote against the board.
func (p Proposal) Validate(b Board) error {
	var f apperr.Fields
	f.Check(p.Title != "", "title", "error.proposal.title.required")
	f.Check(!tooLong(p.Title, MaxTitle), "title", "error.proposal.title.too_long")
	f.Check(p.Body != "", "body", "error.proposal.body.required")
	f.Check(!tooLong(p.Body, MaxBody), "body", "error.proposal.body.too_long")
	f.Check(!tooLong(p.AuthorName, 100), "author_name", "error.proposal.author_name.too_long")
	if len(b.Categories) > 0 {
		_, ok := b.Category(p.Category)
		f.Check(ok, "category", "error.proposal.category.required")
	}
	return f.Err()
}

// FirstStage is where a new proposal starts on board b.
func FirstStage(b Board) Stage {
	switch {
	case b.Kind == Petitions && b.SponsorsNeeded > 0:
		return Sponsoring
	case b.Moderation == PreModeration:
		return Pending
	}
	return Published
}

// AfterSponsors is where a petition goes once it has its sponsors.
func AfterSponsors(b Board) Stage {
	if b.Moderation == PreModeration {
		return Pending
	}
	return Published
}

// CanModerate reports whether a moderator may move a proposal from one
// stage to another: approve or reject what is pending (or still collecting
// sponsors), hide what is published, restore what was hidden or rejected.
func CanModerate(from, to Stage) bool {
	switch {
	case (from == Pending || from == Sponsoring) && (to == Published || to == Rejected),
		from == Published && to == Hidden,
		(from == Hidden || from == Rejected) && to == Published:
		return true
	}
	return false
}

// StatusChange is one official status given to a proposal, with its response.
type StatusChange struct {
	ID         int64
	ProposalID int64
	Status     Status
	ResponseEN string
	ResponseCY string
	ActorID    int64
	At         time.Time
}

// Validate checks a status change before it is saved.
func (c StatusChange) Validate() error {
	var f apperr.Fields
	f.Check(ValidStatus(c.Status), "status", "error.proposal.status.unknown")
	// Every answer but "open" says why.
	f.Check(c.Status == Open || strings.TrimSpace(c.ResponseEN) != "", "response_en", "error.proposal.response.required")
	f.Check(!tooLong(c.ResponseEN, MaxResponse), "response_en", "error.proposal.response.too_long")
	f.Check(!tooLong(c.ResponseCY, MaxResponse), "response_cy", "error.proposal.response.too_long")
	return f.Err()
}

// StatusJob is the job kind that emails a proposal's supporters about a
// status change; its payload is {"change_id": N}.
const StatusJob = "proposal-status"

// ThresholdJob is the job kind that tells an organisation's staff a
// proposal crossed its response (or debate) threshold; payload
// {"proposal_id": N, "threshold": "response"|"debate"}.
const ThresholdJob = "proposal-threshold"

// MergeJob is the job kind that tells a duplicate's supporters it was
// merged; payload {"merge_id": N}.
const MergeJob = "proposal-merge"

// Merge records a duplicate merged into its original.
type Merge struct {
	ID      int64
	FromID  int64 // the duplicate
	IntoID  int64 // the original
	Moved   int   // supporters moved across
	Already int   // supporters who already supported the original
	ActorID int64
	At      time.Time
}

// Sort orders for lists of proposals.
const (
	SortNewest  = "newest"
	SortPopular = "popular" // most supporters first
	SortAnswer  = "answer"  // awaiting a response first, soonest due
)

// ListFilter picks proposals for a list. BoardID or OrgID must be set.
type ListFilter struct {
	BoardID  int64
	OrgID    int64
	Stages   []Stage // empty: Published only
	Status   Status  // "": any
	Category string  // "": any
	AuthorID int64   // 0: anyone
	Query    string  // words to search title and body for; "": no search
	Awaiting bool    // only those owing a response
	Answered bool    // only those with a status other than Open, latest answer first
	Sort     string  // SortNewest when empty
	Limit    int     // 0: 50
	Offset   int
}

// AreaCount is the support from one area.
type AreaCount struct {
	Code  string // "" for signatures whose postcode is in no area of the lookup
	Name  string
	Count int
}

// ClosesAt is when a petition published at t stops taking signatures:
// OpenDays later, or never (zero) for ideas and boards without a limit.
func (b Board) ClosesAt(t time.Time) time.Time {
	if b.Kind != Petitions || b.OpenDays == 0 {
		return time.Time{}
	}
	return t.AddDate(0, 0, b.OpenDays)
}
