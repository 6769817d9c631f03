package account

import (
	"strconv"
	"time"
)

// PersonalData is everything Parley holds about one person, as they
// download it. Each part lists rows of one kind; empty parts are kept so
// the person sees what was looked for.
type PersonalData struct {
	GeneratedAt   time.Time          `json:"generated_at"`
	Account       AccountData        `json:"account"`
	Memberships   []MembershipData   `json:"staff_roles"`
	Identities    []IdentityData     `json:"sign_in_identities"`
	APITokens     []TokenData        `json:"api_tokens"`
	Following     []FollowData       `json:"following"`
	Responses     []ResponseData     `json:"consultation_responses"`
	Signatures    []SignatureData    `json:"petition_signatures"`
	Supports      []SupportData      `json:"idea_supports"`
	Proposals     []ProposalData     `json:"proposals"`
	Comments      []CommentData      `json:"comments"`
	Reports       []ReportData       `json:"comment_reports"`
	Conversations []ConversationData `json:"conversations"`
	Emails        []EmailData        `json:"emails_sent_to_you"`
	// Moderation: decisions about what the person wrote, what they
	// reported, and their standing with organisations' moderators.
	Moderation        []ModerationData       `json:"moderation_of_what_you_wrote"`
	ModerationReports []ModerationReportData `json:"your_reports"`
	Standings         []StandingData         `json:"your_standing_with_moderators"`
	Consents          []Consent              `json:"what_you_agreed_to"`
	Retention         []RetentionStatement   `json:"how_long_we_keep_it"`
}

// AccountData is the account itself.
type AccountData struct {
	ID            int64     `json:"id"`
	Email         string    `json:"email"`
	DisplayName   string    `json:"display_name"`
	Language      string    `json:"language"`
	PlatformAdmin bool      `json:"platform_admin"`
	CreatedAt     time.Time `json:"created_at"`
}

// MembershipData is a staff role.
type MembershipData struct {
	Organisation string `json:"organisation"`
	Role         string `json:"role"`
}

// IdentityData is a single sign-on identity linked to the account.
type IdentityData struct {
	Issuer    string    `json:"issuer"`
	Subject   string    `json:"subject"`
	CreatedAt time.Time `json:"created_at"`
}

// TokenData is an API token (never its secret, which Parley does not keep).
type TokenData struct {
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// FollowData is something the person follows.
type FollowData struct {
	Kind      string    `json:"kind"`
	ID        int64     `json:"id"`
	CreatedAt time.Time `json:"created_at"`
}

// ResponseData is a consultation response given by the person (signed in,
// or with their email address).
type ResponseData struct {
	ConsultationID int64        `json:"consultation_id"`
	Consultation   string       `json:"consultation"`
	Status         string       `json:"status"`
	Channel        string       `json:"channel"`
	Name           string       `json:"name"`
	Organisation   string       `json:"organisation"`
	Email          string       `json:"email"`
	Consent        string       `json:"consent_to_publish"`
	HearBack       bool         `json:"hear_back"`
	AgeBand        string       `json:"age_band"`
	CreatedAt      time.Time    `json:"created_at"`
	SubmittedAt    *time.Time   `json:"submitted_at"`
	Answers        []AnswerData `json:"answers"`
}

// AnswerData is one answer.
type AnswerData struct {
	Question string `json:"question"`
	Text     string `json:"text,omitempty"`
	Choices  string `json:"choices,omitempty"` // the options' numbers, as stored
}

// SignatureData is a petition signature made with the person's address.
type SignatureData struct {
	ProposalID  int64      `json:"petition_id"`
	Proposal    string     `json:"petition"`
	Name        string     `json:"name"`
	Email       string     `json:"email"`
	Postcode    string     `json:"postcode"`
	Country     string     `json:"country"`
	Area        string     `json:"area"`
	IP          string     `json:"ip_address"`
	Sponsor     bool       `json:"sponsor"`
	CreatedAt   time.Time  `json:"created_at"`
	ConfirmedAt *time.Time `json:"confirmed_at"`
}

// SupportData is an idea the person supports.
type SupportData struct {
	ProposalID int64     `json:"idea_id"`
	Proposal   string    `json:"idea"`
	CreatedAt  time.Time `json:"created_at"`
}

// ProposalData is an idea or petition the person wrote.
type ProposalData struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// CommentData is a comment the person wrote.
type CommentData struct {
	ProposalID int64     `json:"proposal_id"`
	Body       string    `json:"body"`
	State      string    `json:"state"`
	CreatedAt  time.Time `json:"created_at"`
}

// ReportData is a comment the person reported.
type ReportData struct {
	CommentID int64     `json:"comment_id"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}

// ModerationData is a moderator's attention to something the person
// wrote: why it was queued is the moderators', what was decided is theirs.
type ModerationData struct {
	Organisation  string     `json:"organisation"`
	Kind          string     `json:"kind"` // proposal, comment, statement, response, display_name
	ID            int64      `json:"id"`
	State         string     `json:"state"` // open (waiting for a moderator) or closed
	Decision      string     `json:"decision"`
	Reason        string     `json:"reason"`
	OpenedAt      time.Time  `json:"opened_at"`
	DecidedAt     *time.Time `json:"decided_at"`
	Appeal        string     `json:"appeal"`
	AppealedAt    *time.Time `json:"appealed_at"`
	AppealOutcome string     `json:"appeal_outcome"`
	AppealReason  string     `json:"appeal_reason"`
}

// ModerationReportData is something the person reported to moderators.
type ModerationReportData struct {
	Kind      string    `json:"kind"`
	ID        int64     `json:"id"`
	Category  string    `json:"category"`
	Detail    string    `json:"detail"`
	CreatedAt time.Time `json:"created_at"`
}

// StandingData is the person's standing with an organisation's
// moderators: trusted (not pre-moderated) or blocked (may not write).
type StandingData struct {
	Organisation string    `json:"organisation"`
	Standing     string    `json:"standing"`
	SetAt        time.Time `json:"set_at"`
}

// ConversationData is the person's part in a conversation.
type ConversationData struct {
	ConversationID int64     `json:"conversation_id"`
	Conversation   string    `json:"conversation"`
	JoinedAt       time.Time `json:"joined_at"`
	Statements     []string  `json:"statements"`
	Votes          int       `json:"votes"`
}

// EmailData is an email Parley sent or will send to the person.
type EmailData struct {
	Subject   string     `json:"subject"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

// RetentionStatement says how long one kind of data is kept.
type RetentionStatement struct {
	Data string `json:"data"`
	Kept string `json:"kept"`
}

// Retention periods of personal data that a scheduled purge enforces.
const (
	// SignatureIPDays: a signature's IP address serves fraud checks only.
	SignatureIPDays = 90
	// SentEmailDays: the copy of a sent email, kept to answer "did you
	// send it?".
	SentEmailDays = 90
)

// RetentionStatements describe every retention period, in English, for
// the export; the privacy page gives them in both languages.
func RetentionStatements(mentionDays int) []RetentionStatement {
	return []RetentionStatement{
		{"Your account", "until you delete it"},
		{"Sign-in links", "until used or expired, then deleted within a day"},
		{"Sessions", "until you sign out or they expire"},
		{"Petition signatures", "for as long as the petition is published; the IP address is removed after 90 days"},
		{"Copies of emails sent to you", "90 days after sending"},
		{"Consultation responses and other contributions", "for as long as the engagement is published; deleting your account removes your name and email from them"},
		{"Mentions found by listening (not about you as a user)", strconv.Itoa(mentionDays) + " days"},
		{"Records of what you agreed to", "while your account exists; deleted with it"},
		{"Moderation of what you wrote (decisions, reasons, appeals)", "for as long as the content is kept; deleting your account removes your name from them"},
	}
}
