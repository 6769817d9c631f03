// Package moderation holds the rules of Parley's one moderation queue per
// organisation: what can be moderated, why it reached the queue (a
// pre-moderated engagement, a citizen's report, an automatic signal, an
// appeal), what a moderator may decide, and the standing of an author
// (trusted, blocked) within an organisation. The automatic signals are in
// signals.go. No SQL, no net/http.
package moderation

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/apperr"
)

// NotifyJob is the job that tells an author what was decided about what
// they wrote (payload {"item_id": N}).
const NotifyJob = "moderation.notify"

// Kind is a kind of thing citizens write.
type Kind string

const (
	KindProposal    Kind = "proposal"     // an idea or a petition
	KindComment     Kind = "comment"      // a comment on a proposal
	KindStatement   Kind = "statement"    // a statement in a conversation
	KindResponse    Kind = "response"     // a consultation response published with consent
	KindDisplayName Kind = "display_name" // the name a citizen is shown as; the ID is the user's
)

// Kinds lists every kind, in the order the queue's filter shows them.
var Kinds = []Kind{KindProposal, KindComment, KindStatement, KindResponse, KindDisplayName}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Ref names one moderated thing.
type Ref struct {
	Kind Kind
	ID   int64
}

func (r Ref) String() string { return string(r.Kind) + ":" + strconv.FormatInt(r.ID, 10) }

// ParseRef reads "kind:id".
func ParseRef(s string) (Ref, error) {
	k, id, ok := strings.Cut(s, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || n <= 0 || !Kind(k).Valid() {
		return Ref{}, apperr.New(apperr.Invalid, "error.moderation.ref")
	}
	return Ref{Kind: Kind(k), ID: n}, nil
}

// Reason is why something reached the queue.
type Reason string

const (
	PreModeration   Reason = "pre_moderation"       // the engagement is pre-moderated
	Reported        Reason = "report"               // a citizen reported it
	LinkSpam        Reason = "link_spam"            // many links for its length
	Repetition      Reason = "repetition"           // the same words or characters over and over
	NewAccount      Reason = "new_account_velocity" // a new account writing fast
	WordList        Reason = "word_list"            // a word on the organisation's list
	Flood           Reason = "flood"                // near-duplicates across the organisation's engagements
	DisposableEmail Reason = "disposable_email"     // the author signed up with a throw-away address
	Appealed        Reason = "appeal"               // the author appealed a decision
)

// Reasons lists every reason, in the order the queue's filter shows them.
var Reasons = []Reason{PreModeration, Reported, LinkSpam, Repetition, NewAccount, WordList, Flood, DisposableEmail, Appealed}

// Signal reports whether the reason is an automatic signal.
func (r Reason) Signal() bool {
	switch r {
	case LinkSpam, Repetition, NewAccount, WordList, Flood, DisposableEmail:
		return true
	}
	return false
}

// Flag is one reason something is in the queue: a signal, a report, an
// appeal. Detail says more in data, not words (the words matched, the
// number of links, the report's category and text), so it reads the same
// in English and Welsh.
type Flag struct {
	ID         int64
	Reason     Reason
	Category   ReportCategory // reports only
	Detail     string
	ReporterID int64 // reports only; 0 once the reporter's account is erased
	At         time.Time
}

// ReportCategory is what a citizen says is wrong.
type ReportCategory string

const (
	ReportSpam         ReportCategory = "spam"
	ReportAbuse        ReportCategory = "abuse" // offensive, hateful or threatening
	ReportPersonalData ReportCategory = "personal_data"
	ReportOffTopic     ReportCategory = "off_topic"
	ReportOther        ReportCategory = "other"
)

// ReportCategories lists the categories in the order the report form shows them.
var ReportCategories = []ReportCategory{ReportSpam, ReportAbuse, ReportPersonalData, ReportOffTopic, ReportOther}

// Limits on what citizens and moderators write.
const (
	MaxReason  = 1000 // a moderator's reason, which the author sees
	MaxReport  = 1000 // a citizen's report
	MaxAppeal  = 2000 // an author's appeal
	MaxWords   = 500  // entries in an organisation's word list
	MaxWordLen = 60   // runes in one entry
	MaxGuide   = 20000
)

// Report is a citizen's report of something they read.
type Report struct {
	Ref Ref
	// Where is, for a display name, the contribution it was seen on: the
	// report joins that organisation's queue. Unused for other kinds.
	Where      Ref
	ReporterID int64
	Category   ReportCategory
	Detail     string
}

// Validate checks a report; "other" needs words.
func (r Report) Validate() error {
	var f apperr.Fields
	known := false
	for _, c := range ReportCategories {
		known = known || r.Category == c
	}
	f.Check(known, "category", "error.moderation.report.category")
	f.Check(r.Category != ReportOther || strings.TrimSpace(r.Detail) != "", "detail", "error.moderation.report.detail_required")
	f.Check(utf8.RuneCountInString(r.Detail) <= MaxReport, "detail", "error.moderation.report.too_long")
	return f.Err()
}

// Decision is what a moderator decides about an item.
type Decision string

const (
	Approve      Decision = "approve"       // show it (or keep showing it)
	ApproveTrust Decision = "approve_trust" // show it, and trust its author: no more pre-moderation or signals
	Reject       Decision = "reject"        // hide it, with a reason the author sees; kept for appeal
	RejectBlock  Decision = "reject_block"  // hide it and block its author from writing in the organisation
	Redact       Decision = "redact"        // show it with personal data edited out
)

// Decisions lists the decisions in the order the form shows them.
var Decisions = []Decision{Approve, ApproveTrust, Redact, Reject, RejectBlock}

// Hides reports whether the decision takes the content down.
func (d Decision) Hides() bool { return d == Reject || d == RejectBlock }

// DecisionInput is a moderator's decision as submitted.
type DecisionInput struct {
	ItemID   int64
	Decision Decision
	Reason   string // the author sees it; needed to hide
	Redacted string // the edited text, for Redact
	ActorID  int64
}

// Validate checks a decision against the item's kind. Display names and
// consultation responses cannot be redacted here: a name is cleared by
// rejecting it, and a response's answers are redacted one by one on the
// consultation's own page.
func (d DecisionInput) Validate(k Kind) error {
	var f apperr.Fields
	known := false
	for _, x := range Decisions {
		known = known || d.Decision == x
	}
	f.Check(known, "decision", "error.moderation.decision.choose")
	f.Check(!d.Decision.Hides() || strings.TrimSpace(d.Reason) != "", "reason", "error.moderation.reason.required")
	f.Check(utf8.RuneCountInString(d.Reason) <= MaxReason, "reason", "error.moderation.reason.too_long")
	if d.Decision == Redact {
		f.Check(k != KindDisplayName && k != KindResponse, "decision", "error.moderation.redact.kind")
		f.Check(strings.TrimSpace(d.Redacted) != "", "redacted", "error.moderation.redact.required")
	}
	return f.Err()
}

// State is whether an item waits for a moderator.
type State string

const (
	Open   State = "open"
	Closed State = "closed"
)

// Item is one thing in an organisation's queue, open or decided. There is
// one item per thing ever flagged: a new report or an appeal reopens it.
type Item struct {
	ID         int64
	OrgID      int64
	Ref        Ref
	AuthorID   int64  // 0: anonymous, or the author's account is erased
	AuthorName string // as shown publicly
	// Text is what was written when it was flagged (title and body for a
	// proposal), kept so that hidden content stays for appeal.
	Text string
	// Where is the engagement it belongs to, for the queue's context.
	WhereTitle string
	WhereKind  Kind // KindProposal for a comment's proposal; "" otherwise
	WhereID    int64
	// Held is true while the content is kept from the public until a
	// moderator decides (pre-moderation, or a signal fired).
	Held     bool
	State    State
	Flags    []Flag
	OpenedAt time.Time

	Decision  Decision // "" until decided
	Reason    string   // the moderator's reason, which the author sees
	DecidedBy int64
	DecidedAt time.Time

	AppealText      string
	AppealedAt      time.Time
	AppealOutcome   Decision // Approve (reinstated) or Reject (upheld); "" until decided
	AppealReason    string
	AppealDecidedAt time.Time
}

// CanAppeal reports whether the author may appeal: the item was hidden by
// a decision and has not been appealed before (one appeal per item).
func (it Item) CanAppeal() bool {
	return it.State == Closed && it.Decision.Hides() && it.AppealedAt.IsZero()
}

// Appeal is an author's appeal of a decision.
type Appeal struct {
	ItemID int64
	UserID int64
	Text   string
}

// Validate checks an appeal's text.
func (a Appeal) Validate() error {
	var f apperr.Fields
	f.Check(strings.TrimSpace(a.Text) != "", "appeal", "error.moderation.appeal.required")
	f.Check(utf8.RuneCountInString(a.Text) <= MaxAppeal, "appeal", "error.moderation.appeal.too_long")
	return f.Err()
}

// QueueFilter narrows a queue listing.
type QueueFilter struct {
	State  State  // "" for open
	Kind   Kind   // "" for all
	Reason Reason // "" for all
	Limit  int    // 0: 100
}

// Standing is an author's standing within one organisation.
type Standing string

const (
	Normal  Standing = ""        // screened like everyone
	Trusted Standing = "trusted" // skips pre-moderation and signals
	Blocked Standing = "blocked" // may not write in the organisation's engagements
)

// AuthorStanding is one author with a standing other than Normal.
type AuthorStanding struct {
	OrgID    int64
	UserID   int64
	Name     string // display name, or "" when none
	Standing Standing
	SetBy    int64
	SetAt    time.Time
}

// Settings are an organisation's moderation settings.
type Settings struct {
	OrgID int64
	// Words is the organisation's word list: a contribution containing
	// one of them goes to the queue (it is never deleted).
	Words []string
	// Guidelines are the organisation's house rules, in Markdown; empty
	// means the platform's default text.
	GuidelinesEN, GuidelinesCY string
	UpdatedAt                  time.Time
}

// ParseWords reads a word list typed one entry per line (commas separate
// too). Entries are folded to lower case; blanks and repeats are dropped.
func ParseWords(s string) ([]string, error) {
	var f apperr.Fields
	seen := map[string]bool{}
	var words []string
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' }) {
		w := strings.ToLower(strings.Join(strings.Fields(line), " "))
		if w == "" || seen[w] {
			continue
		}
		if !utf8.ValidString(w) || utf8.RuneCountInString(w) > MaxWordLen {
			f.Add("words", "error.moderation.words.too_long")
			return nil, f.Err()
		}
		seen[w] = true
		words = append(words, w)
	}
	f.Check(len(words) <= MaxWords, "words", "error.moderation.words.too_many")
	if err := f.Err(); err != nil {
		return nil, err
	}
	return words, nil
}

// Validate checks settings.
func (s Settings) Validate() error {
	var f apperr.Fields
	f.Check(len(s.Words) <= MaxWords, "words", "error.moderation.words.too_many")
	f.Check(utf8.RuneCountInString(s.GuidelinesEN) <= MaxGuide, "guidelines_en", "error.moderation.guidelines.too_long")
	f.Check(utf8.RuneCountInString(s.GuidelinesCY) <= MaxGuide, "guidelines_cy", "error.moderation.guidelines.too_long")
	return f.Err()
}
