package account

import "time"

// PrivacyNoticeVersion names the wording of the privacy notice (the
// /privacy page and the statements on the forms that collect personal
// data). Change it whenever that wording changes: each record of consent
// keeps the version the person was shown.
const PrivacyNoticeVersion = "2026-11"

// A Purpose is what a person agreed to.
type Purpose string

// The purposes Parley records consent for.
const (
	// PurposeEmailUpdates: emails about an organisation, consultation or
	// proposal the person follows. Ref is "org:N", "consultation:N" or
	// "proposal:N"; withdrawn by unfollowing (or an unsubscribe link).
	PurposeEmailUpdates Purpose = "email_updates"
	// PurposePublishResponse: a submitted consultation response may be
	// published. Ref is "response:N"; Detail is the level agreed to,
	// "anonymous" or "named". A response kept private records none.
	PurposePublishResponse Purpose = "publish_response"
	// PurposePetitionSignature: the signer's name and postcode are
	// checked and counted with the petition. Ref is "proposal:N".
	// Signatures are made by email address, without an account, so the
	// record carries a hash of the normalised address instead of a user
	// (see ConsentEmailHash).
	PurposePetitionSignature Purpose = "petition_signature"
	// PurposePrivacyNotice: on first sign-in the person was shown the
	// privacy notice of NoticeVersion. Ref is empty.
	PurposePrivacyNotice Purpose = "privacy_notice"
)

// Purposes lists every purpose, in the order the account page shows them.
var Purposes = []Purpose{PurposePrivacyNotice, PurposeEmailUpdates, PurposePublishResponse, PurposePetitionSignature}

// Consent is the record of one agreement: who agreed (UserID, or for a
// petition signature the hash of their address), to what (Purpose, about
// Ref, at Detail's level), under which wording (NoticeVersion), when, and
// when they withdrew (nil while it stands).
type Consent struct {
	ID            int64      `json:"-"`
	UserID        int64      `json:"-"`
	Purpose       Purpose    `json:"purpose"`
	EmailHash     string     `json:"-"`
	Ref           string     `json:"about,omitempty"`
	Detail        string     `json:"detail,omitempty"`
	NoticeVersion string     `json:"notice_version"`
	GivenAt       time.Time  `json:"given_at"`
	WithdrawnAt   *time.Time `json:"withdrawn_at"`
}

// Withdrawn reports whether the person has taken the consent back.
func (c Consent) Withdrawn() bool { return c.WithdrawnAt != nil }

// ConsentEmailHash is the key of a consent given by email address alone:
// the hex SHA-256 of the normalised address (as petition signatures
// normalise it). It finds the person's records when they sign in with
// that address, without the consents table holding the address itself.
func ConsentEmailHash(normalised string) string { return HashSecret("consent:" + normalised) }
