package proposal

import (
	"net/mail"
	"regexp"
	"strings"
	"time"

	"parley/internal/apperr"
)

// Signature is one person's signature on a petition. It counts once its
// email link is followed (ConfirmedAt) and until it is invalidated.
type Signature struct {
	ID         int64
	ProposalID int64
	Name       string
	Email      string // as typed, to write to
	EmailNorm  string // NormaliseEmail(Email): one signature per value per petition
	Postcode   string // NormalisePostcode form; "" outside the UK
	Country    string // ISO 3166-1 alpha-2, e.g. "GB"
	UKResident bool   // declared a British citizen or UK resident
	Area       string // the area code the postcode falls in; "" when unknown
	IP         string // the address it came from, for fraud reports
	Sponsor    bool   // signed through the author's sponsor link
	Lang       string // the language of the emails to send
	CreatedAt  time.Time
	// ConfirmedAt is zero until the email link is followed.
	ConfirmedAt time.Time
	// InvalidatedAt is set when moderators invalidate it; it then leaves the counts.
	InvalidatedAt time.Time
}

// Counts reports whether the signature is in the counts.
func (s Signature) Counts() bool { return !s.ConfirmedAt.IsZero() && s.InvalidatedAt.IsZero() }

// Domain returns the normalised email's domain.
func (s Signature) Domain() string {
	_, d, _ := strings.Cut(s.EmailNorm, "@")
	return d
}

// Normalise tidies what was typed.
func (s *Signature) Normalise() {
	s.Name = strings.Join(strings.Fields(s.Name), " ")
	s.Email = strings.TrimSpace(s.Email)
	s.EmailNorm = NormaliseEmail(s.Email)
	s.Country = strings.ToUpper(strings.TrimSpace(s.Country))
	if s.Country == "" {
		s.Country = "GB"
	}
	s.Postcode = NormalisePostcode(s.Postcode)
	if s.Lang != "cy" {
		s.Lang = "en"
	}
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// Validate checks a signature as typed into the form.
func (s Signature) Validate() error {
	var f apperr.Fields
	f.Check(s.Name != "", "name", "error.signature.name.required")
	f.Check(!tooLong(s.Name, 100), "name", "error.signature.name.too_long")
	if s.Email == "" {
		f.Add("email", "error.email.required")
	} else if a, err := mail.ParseAddress(s.Email); err != nil || a.Address != s.Email || tooLong(s.Email, 254) || s.EmailNorm == "" {
		f.Add("email", "error.email.format")
	}
	f.Check(countryCode.MatchString(s.Country), "country", "error.signature.country")
	if s.Country == "GB" {
		f.Check(s.Postcode != "", "postcode", "error.signature.postcode")
	}
	f.Check(s.UKResident || s.Country != "GB", "uk_resident", "error.signature.uk_resident")
	return f.Err()
}

// NormaliseEmail returns the form of an address that identifies its
// mailbox, so one person cannot sign twice by writing it differently:
// lower case, any "+tag" removed, and for Gmail the dots of the local part
// removed (Gmail ignores them) and googlemail.com folded into gmail.com.
// It returns "" for something that is not an address.
func NormaliseEmail(email string) string {
	email = strings.ToLower(strings.TrimSpace(email))
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return ""
	}
	domain = strings.TrimRight(domain, ".")
	if domain == "" {
		return ""
	}
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	if local == "" {
		return ""
	}
	return local + "@" + domain
}

// ukPostcode matches a UK postcode with its space removed (after upper-casing).
var ukPostcode = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$`)

// NormalisePostcode returns a UK postcode in its standard form ("SW1A 1AA"),
// or "" when s is not one.
func NormalisePostcode(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if !ukPostcode.MatchString(s) {
		return ""
	}
	return s[:len(s)-3] + " " + s[len(s)-3:]
}

// District returns a normalised postcode's outward code ("SW1A").
func District(postcode string) string {
	out, _, _ := strings.Cut(postcode, " ")
	return out
}

// Support is a signed-in citizen's support of an idea.
type Support struct {
	ProposalID int64
	UserID     int64
	CreatedAt  time.Time
}

// ConfirmSignatureKind is the outbox kind of the email with a signature's confirmation link.
const ConfirmSignatureKind = "signature-confirm"
