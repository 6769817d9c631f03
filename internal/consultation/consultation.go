// Package consultation describes consultations: a public body asks people
// about a policy through questions, takes answers from every channel (the
// site, post, email, phone, face to face, events, social media), analyses
// them together and publishes what it decided. This package holds the types
// and their rules; storage and HTTP live elsewhere.
package consultation

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/apperr"
	"parley/internal/outbox"
)

// Status is where a consultation is in its life.
type Status string

const (
	Draft   Status = "draft"   // being prepared by staff; not public
	Open    Status = "open"    // taking responses
	Closed  Status = "closed"  // no more responses; being analysed
	Outcome Status = "outcome" // closed, and the outcome is published
)

// Layout says how the questions are put to respondents.
type Layout string

const (
	OnePerPage Layout = "one-per-page" // a page per question (GOV.UK question pages)
	AllOnOne   Layout = "all-on-one"   // every question on one page
)

// Moderation says whether responses published with consent wait for a
// moderator before the public sees them.
type Moderation string

const (
	PreModeration  Moderation = "pre"  // a moderator approves each before it is shown
	PostModeration Moderation = "post" // shown at once; reports and signals still queue them
)

// ResponseWeeks is how long a public body has to publish its response after
// a consultation closes, following GOV.UK consultation practice.
const ResponseWeeks = 12

// Consultation is one consultation of an organisation.
type Consultation struct {
	ID        int64
	OrgID     int64
	TitleEN   string
	TitleCY   string // empty: the English text is shown
	SummaryEN string // one or two sentences for lists and feeds
	SummaryCY string
	BodyEN    string // markdown, sanitised when rendered
	BodyCY    string
	Status    Status
	Layout    Layout
	// Moderation applies to responses published with consent; "" reads
	// as PostModeration.
	Moderation Moderation
	// OpensAt and ClosesAt are the published dates; a scheduled job opens
	// a draft at OpensAt and closes an open consultation at ClosesAt.
	// Zero means "by hand".
	OpensAt  time.Time
	ClosesAt time.Time
	// Scheduled says staff have approved opening at OpensAt: a draft
	// being prepared never opens by itself.
	Scheduled bool
	CreatedAt time.Time
	OpenedAt  time.Time
	ClosedAt  time.Time
	// The outcome, set when it is published.
	OutcomeAt time.Time
	Result    Result
}

// Result is the published outcome: "We asked, you said, we did".
type Result struct {
	SummaryEN  string // a summary of responses; the staff page fills it from the analysis
	SummaryCY  string
	DecisionEN string // the final decision
	DecisionCY string
	Items      []YouSaid
}

// YouSaid is one "You said / We did" pair, optionally tied to a theme.
type YouSaid struct {
	ThemeID int64 // 0: not tied to a theme
	SaidEN  string
	DidEN   string
	SaidCY  string
	DidCY   string
}

// Said and Did return the pair's text in lang.
func (y YouSaid) Said(lang string) string { return pick(lang, y.SaidEN, y.SaidCY) }
func (y YouSaid) Did(lang string) string  { return pick(lang, y.DidEN, y.DidCY) }

func pick(lang, en, cy string) string {
	if lang == "cy" && cy != "" {
		return cy
	}
	return en
}

// Title, Summary and Body return the text in lang ("en" or "cy").
func (c Consultation) Title(lang string) string   { return pick(lang, c.TitleEN, c.TitleCY) }
func (c Consultation) Summary(lang string) string { return pick(lang, c.SummaryEN, c.SummaryCY) }
func (c Consultation) Body(lang string) string    { return pick(lang, c.BodyEN, c.BodyCY) }

// Decision and OutcomeSummary return the outcome's text in lang.
func (c Consultation) Decision(lang string) string {
	return pick(lang, c.Result.DecisionEN, c.Result.DecisionCY)
}
func (c Consultation) OutcomeSummary(lang string) string {
	return pick(lang, c.Result.SummaryEN, c.Result.SummaryCY)
}

// Public reports whether citizens may see the consultation.
func (c Consultation) Public() bool { return c.Status != Draft }

// Responding reports whether responses are taken online.
func (c Consultation) Responding() bool { return c.Status == Open }

// Limits on what staff write.
const (
	MaxTitle    = 200
	MaxSummary  = 1000
	MaxBody     = 100000
	MaxOutcome  = 50000
	MaxYouSaid  = 100
	MaxQuestion = 1000
	MaxHelp     = 2000
	MaxOptions  = 50
	MaxOption   = 300
	// MaxAnswer is the ceiling on a free-text answer; a question may set less.
	MaxAnswer = 20000
)

// Normalise trims the text fields and fills defaults.
func (c *Consultation) Normalise() {
	for _, p := range []*string{&c.TitleEN, &c.TitleCY, &c.SummaryEN, &c.SummaryCY, &c.BodyEN, &c.BodyCY} {
		*p = strings.TrimSpace(*p)
	}
	if c.Status == "" {
		c.Status = Draft
	}
	if c.Layout == "" {
		c.Layout = OnePerPage
	}
	if c.Moderation == "" {
		c.Moderation = PostModeration
	}
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// Validate checks the consultation's fields; messages are i18n message IDs.
func (c Consultation) Validate() error {
	var f apperr.Fields
	f.Check(c.TitleEN != "", "title_en", "error.consultation.title.required")
	f.Check(!tooLong(c.TitleEN, MaxTitle), "title_en", "error.consultation.title.too_long")
	f.Check(!tooLong(c.TitleCY, MaxTitle), "title_cy", "error.consultation.title.too_long")
	f.Check(c.SummaryEN != "", "summary_en", "error.consultation.summary.required")
	f.Check(!tooLong(c.SummaryEN, MaxSummary), "summary_en", "error.consultation.summary.too_long")
	f.Check(!tooLong(c.SummaryCY, MaxSummary), "summary_cy", "error.consultation.summary.too_long")
	f.Check(!tooLong(c.BodyEN, MaxBody), "body_en", "error.consultation.body.too_long")
	f.Check(!tooLong(c.BodyCY, MaxBody), "body_cy", "error.consultation.body.too_long")
	f.Check(c.Layout == OnePerPage || c.Layout == AllOnOne, "layout", "error.consultation.layout.unknown")
	f.Check(c.Moderation == PreModeration || c.Moderation == PostModeration, "moderation", "error.consultation.moderation.unknown")
	f.Check(c.OpensAt.IsZero() || c.ClosesAt.IsZero() || c.ClosesAt.After(c.OpensAt), "closes_at", "error.consultation.closes.before_opens")
	switch c.Status {
	case Draft, Open, Closed, Outcome:
	default:
		f.Add("status", "error.consultation.status.unknown")
	}
	return f.Err()
}

// ValidateResult checks an outcome before it is published.
func (r Result) Validate() error {
	var f apperr.Fields
	f.Check(strings.TrimSpace(r.SummaryEN) != "", "summary_en", "error.consultation.outcome.summary.required")
	f.Check(strings.TrimSpace(r.DecisionEN) != "", "decision_en", "error.consultation.outcome.decision.required")
	for _, s := range []string{r.SummaryEN, r.SummaryCY, r.DecisionEN, r.DecisionCY} {
		if tooLong(s, MaxOutcome) {
			f.Add("decision_en", "error.consultation.outcome.too_long")
			break
		}
	}
	f.Check(len(r.Items) <= MaxYouSaid, "items", "error.consultation.outcome.too_many")
	for _, y := range r.Items {
		if strings.TrimSpace(y.SaidEN) == "" || strings.TrimSpace(y.DidEN) == "" {
			f.Add("items", "error.consultation.outcome.item_incomplete")
			break
		}
	}
	return f.Err()
}

// CanMove reports whether staff may move a consultation from one status to
// another: draft → open → closed → outcome, and a closed one may reopen
// (for example to extend the period) until its outcome is published.
func CanMove(from, to Status) bool {
	switch {
	case from == Draft && to == Open, from == Open && to == Closed,
		from == Closed && to == Open, from == Closed && to == Outcome:
		return true
	}
	return false
}

// Clock is the government-response clock of a closed consultation.
type Clock struct {
	Due      time.Time // ResponseWeeks after closing
	DaysLeft int       // > 0 while the response is not yet due
	Overdue  int       // days past Due; 0 when not overdue
}

// ResponseClock returns the clock at now, or ok false when the consultation
// is not closed (before closing there is no clock; after the outcome the
// clock has stopped).
func (c Consultation) ResponseClock(now time.Time) (Clock, bool) {
	if c.Status != Closed || c.ClosedAt.IsZero() {
		return Clock{}, false
	}
	due := c.ClosedAt.AddDate(0, 0, 7*ResponseWeeks)
	days := wholeDays(now, due)
	k := Clock{Due: due}
	if days >= 0 {
		k.DaysLeft = days
	} else {
		k.Overdue = -days
	}
	return k, true
}

// wholeDays counts calendar days (UTC) from a to b; negative when b is before a.
func wholeDays(a, b time.Time) int {
	da := time.Date(a.UTC().Year(), a.UTC().Month(), a.UTC().Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.UTC().Year(), b.UTC().Month(), b.UTC().Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// DaysToOutcome is how long the outcome took after closing, in days; -1
// when there is no outcome yet.
func (c Consultation) DaysToOutcome() int {
	if c.OutcomeAt.IsZero() || c.ClosedAt.IsZero() {
		return -1
	}
	return wholeDays(c.ClosedAt, c.OutcomeAt)
}

// Document is a file published with a consultation (PDF, ODT, DOCX).
type Document struct {
	ID             int64
	ConsultationID int64
	Title          string // shown as the link text
	FileName       string // as uploaded, cleaned
	ContentType    string
	Size           int64
	Path           string // where the bytes are kept, relative to the document root
	Scan           bool   // the scanned original of an offline response: staff only
	CreatedAt      time.Time
}

// MaxDocumentSize is the largest file staff may upload.
const MaxDocumentSize = 20 << 20

// DocumentTypes maps the extensions accepted for published documents to
// their media types.
var DocumentTypes = map[string]string{
	".pdf":  "application/pdf",
	".odt":  "application/vnd.oasis.opendocument.text",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

// ScanTypes are what a scanned original may be: documents or images.
var ScanTypes = map[string]string{
	".pdf":  "application/pdf",
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
}

// OutcomeEvent is the notice to a consultation's followers that its
// outcome is published; the fan-out adds each follower's footer and the
// site's address before URL.
func OutcomeEvent(c Consultation, r Result) outbox.Event {
	return outbox.Event{TargetKind: "consultation", TargetID: c.ID,
		Subject: clip("Outcome published: "+c.TitleEN, 150),
		Body:    clip("The outcome of the consultation “"+c.TitleEN+"” has been published: what people said and what was decided.\n\n"+r.SummaryEN, 4000),
		URL:     "/consultations/" + strconv.FormatInt(c.ID, 10)}
}

// clip shortens s to at most n runes, ending in "…" when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}
