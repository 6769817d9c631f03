package consultation

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/apperr"
	"parley/internal/measure"
)

// Channels a response may arrive by. Every response carries one, so analysis
// and measurement can compare channels.
const (
	ChannelWeb        = "web"
	ChannelEmail      = "email"
	ChannelPost       = "post"
	ChannelPhone      = "phone"
	ChannelFaceToFace = "face_to_face"
	ChannelEvent      = "event"
	ChannelSocial     = "social"
)

// Channels lists every channel in the order forms offer them.
var Channels = []string{ChannelWeb, ChannelEmail, ChannelPost, ChannelPhone, ChannelFaceToFace, ChannelEvent, ChannelSocial}

// OfflineChannels are those staff key responses in for.
var OfflineChannels = []string{ChannelEmail, ChannelPost, ChannelPhone, ChannelFaceToFace, ChannelEvent, ChannelSocial}

// ValidChannel reports whether c is a known channel.
func ValidChannel(c string) bool {
	for _, k := range Channels {
		if k == c {
			return true
		}
	}
	return false
}

// Respondent says on whose behalf a response is made.
type Respondent string

const (
	Individual   Respondent = "individual"
	Organisation Respondent = "organisation"
)

// Consent says whether a response may be published.
type Consent string

const (
	PublishNot       Consent = "no"        // keep private
	PublishAnonymous Consent = "anonymous" // publish without the name
	PublishNamed     Consent = "named"     // publish with the name (or organisation)
)

// ResponseStatus is whether a response has been sent.
type ResponseStatus string

const (
	InProgress ResponseStatus = "draft"     // being written online; may be saved and resumed
	Submitted  ResponseStatus = "submitted" // counted
)

// Response is one response to a consultation, from any channel.
type Response struct {
	ID             int64
	ConsultationID int64
	Status         ResponseStatus
	Channel        string
	Respondent     Respondent
	Name           string // the respondent's name as given (may be empty)
	OrgName        string // the organisation responded for, when Respondent is Organisation
	Email          string // for the receipt and to hear back; may be empty offline
	Consent        Consent
	HearBack       bool   // wants an email when the outcome is published
	UserID         int64  // the signed-in citizen, 0 otherwise
	Lang           string // the language they responded in ("en" or "cy"), for emails
	Reference      string // a link or reference given with it (a social post's link, a letter's number)
	ScanID         int64  // the scanned original (a Document with Scan set), 0 if none
	ReceivedAt     time.Time
	SubmittedAt    time.Time
	CreatedAt      time.Time
	Answers        []Answer
	// Redacted is the text staff publish in place of the free-text answers
	// of a response published with consent, by question ID; an absent key
	// publishes the answer as given.
	Redacted map[int64]string
	KeyedBy  int64 // the staff member who keyed an offline response in
	// AgeBand is the respondent's age band if they chose to give it: one
	// of measure.AgeBands, measure.PreferNotToSay, or "" (not asked or
	// not answered). It feeds the representativeness figures only.
	AgeBand string
	// Withheld is set while a moderator keeps a response published with
	// consent from the public (held by pre-moderation or a signal, or
	// rejected), without touching what the person consented to.
	Withheld bool
}

// Answer returns the answer to question id (empty if none).
func (r Response) Answer(id int64) Answer {
	for _, a := range r.Answers {
		if a.QuestionID == id {
			return a
		}
	}
	return Answer{QuestionID: id}
}

// Published reports whether the response may be read publicly: submitted,
// with consent to publish, and not withheld by a moderator.
func (r Response) Published() bool {
	return r.Status == Submitted && (r.Consent == PublishAnonymous || r.Consent == PublishNamed) && !r.Withheld
}

// PublicName is what a published response is shown as: the name (or the
// organisation) with consent to name, otherwise "".
func (r Response) PublicName() string {
	if r.Consent != PublishNamed {
		return ""
	}
	if r.Respondent == Organisation && r.OrgName != "" {
		return r.OrgName
	}
	return r.Name
}

// FreeText joins the response's free-text answers, for text analysis.
func (r Response) FreeText(qs []Question) string {
	var b strings.Builder
	for _, q := range qs {
		if q.Kind != FreeText {
			continue
		}
		if t := strings.TrimSpace(r.Answer(q.ID).Text); t != "" {
			if b.Len() > 0 {
				b.WriteString("\n\n")
			}
			b.WriteString(t)
		}
	}
	return b.String()
}

// Limits on what respondents write about themselves.
const (
	MaxName      = 200
	MaxEmail     = 254
	MaxReference = 2000
)

// Normalise trims the fields and fills defaults.
func (r *Response) Normalise() {
	r.Name = strings.TrimSpace(r.Name)
	r.OrgName = strings.TrimSpace(r.OrgName)
	r.Email = strings.TrimSpace(r.Email)
	r.Reference = strings.TrimSpace(r.Reference)
	r.AgeBand = strings.TrimSpace(r.AgeBand)
	if r.Respondent == "" {
		r.Respondent = Individual
	}
	if r.Consent == "" {
		r.Consent = PublishNot
	}
	if r.Channel == "" {
		r.Channel = ChannelWeb
	}
	if r.Respondent == Individual {
		r.OrgName = ""
	}
}

// ValidateAbout checks who is responding: the part of a response before the
// questions. Messages are i18n message IDs.
func (r Response) ValidateAbout() error {
	var f apperr.Fields
	r.checkAbout(&f)
	return f.Err()
}

func (r Response) checkAbout(f *apperr.Fields) {
	f.Check(r.Respondent == Individual || r.Respondent == Organisation, "respondent", "error.response.respondent.unknown")
	f.Check(r.Respondent != Organisation || r.OrgName != "", "org_name", "error.response.org_name.required")
	f.Check(utf8.RuneCountInString(r.Name) <= MaxName, "name", "error.response.name.too_long")
	f.Check(utf8.RuneCountInString(r.OrgName) <= MaxName, "org_name", "error.response.name.too_long")
	f.Check(r.Consent == PublishNot || r.Consent == PublishAnonymous || r.Consent == PublishNamed, "consent", "error.response.consent.unknown")
	f.Check(r.Consent != PublishNamed || r.PublicNameGiven(), "name", "error.response.name.required_to_publish")
	if r.Email != "" {
		f.Check(ValidEmail(r.Email), "email", "error.response.email.invalid")
	}
	f.Check(!r.HearBack || r.Email != "", "email", "error.response.email.required_to_hear_back")
	f.Check(ValidChannel(r.Channel), "channel", "error.response.channel.unknown")
	f.Check(utf8.RuneCountInString(r.Reference) <= MaxReference, "reference", "error.response.reference.too_long")
	f.Check(measure.ValidAgeBand(r.AgeBand), "age_band", "error.response.age_band.unknown")
}

// PublicNameGiven reports whether there is a name to publish.
func (r Response) PublicNameGiven() bool {
	return r.Name != "" || (r.Respondent == Organisation && r.OrgName != "")
}

// Validate checks a whole response against the questions before it is
// submitted; now guards the date an offline response was received.
func (r Response) Validate(qs []Question, now time.Time) error {
	var f apperr.Fields
	r.checkAbout(&f)
	if r.Channel != ChannelWeb {
		f.Check(!r.ReceivedAt.IsZero(), "received_at", "error.response.received.required")
		f.Check(r.ReceivedAt.Before(now.Add(24*time.Hour)), "received_at", "error.response.received.future")
	}
	checkAnswers(qs, r.Answers, &f)
	return f.Err()
}

// ValidEmail reports whether s is a single plain address.
func ValidEmail(s string) bool {
	if len(s) > MaxEmail {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@")+1:], ".")
}

// ResponseFilter selects responses for staff lists, search and exports.
type ResponseFilter struct {
	Filter
	Status    ResponseStatus // "" means Submitted
	Search    string         // words to find in the free-text answers (full-text search)
	ThemeID   int64          // only responses assigned to this theme
	Published bool           // only responses published with consent
	After     int64          // cursor: responses with a greater ID
	Limit     int            // 0: no limit
}
