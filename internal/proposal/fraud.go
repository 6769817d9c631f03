package proposal

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"parley/internal/apperr"
)

// BlockKind says what a blocklist entry matches.
type BlockKind string

const (
	BlockIP     BlockKind = "ip"     // an address or a CIDR range
	BlockDomain BlockKind = "domain" // an email domain and its subdomains
	BlockEmail  BlockKind = "email"  // one address (compared normalised)
)

// Block is one entry of an organisation's blocklist for signatures.
type Block struct {
	ID        int64
	OrgID     int64
	Kind      BlockKind
	Value     string // normalised by Normalise
	Note      string // why, for other moderators
	CreatedBy int64
	CreatedAt time.Time
}

// Normalise puts the value in the form Match compares.
func (b *Block) Normalise() {
	b.Value = strings.TrimSpace(b.Value)
	b.Note = strings.TrimSpace(b.Note)
	switch b.Kind {
	case BlockIP:
		if p, err := parsePrefix(b.Value); err == nil {
			b.Value = p.String()
		}
	case BlockDomain:
		b.Value = strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(b.Value), "@"), ".")
	case BlockEmail:
		if n := NormaliseEmail(b.Value); n != "" {
			b.Value = n
		}
	}
}

// Validate checks a normalised entry.
func (b Block) Validate() error {
	var f apperr.Fields
	switch b.Kind {
	case BlockIP:
		_, err := parsePrefix(b.Value)
		f.Check(err == nil, "value", "error.proposal.block.ip")
	case BlockDomain:
		f.Check(b.Value != "" && !strings.ContainsAny(b.Value, "@ /") && strings.Contains(b.Value, "."), "value", "error.proposal.block.domain")
	case BlockEmail:
		f.Check(strings.Contains(b.Value, "@"), "value", "error.proposal.block.email")
	default:
		f.Add("kind", "error.proposal.block.kind")
	}
	f.Check(!tooLong(b.Note, MaxReason), "note", "error.proposal.block.note")
	return f.Err()
}

// parsePrefix reads an address ("192.0.2.7") or a range ("192.0.2.0/24").
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Blocklist is an organisation's blocklist, compiled for matching.
type Blocklist struct {
	prefixes []netip.Prefix
	domains  map[string]bool
	emails   map[string]bool
}

// NewBlocklist compiles entries; ones that do not parse are skipped.
func NewBlocklist(entries []Block) *Blocklist {
	l := &Blocklist{domains: map[string]bool{}, emails: map[string]bool{}}
	for _, b := range entries {
		switch b.Kind {
		case BlockIP:
			if p, err := parsePrefix(b.Value); err == nil {
				l.prefixes = append(l.prefixes, p)
			}
		case BlockDomain:
			l.domains[b.Value] = true
		case BlockEmail:
			l.emails[b.Value] = true
		}
	}
	return l
}

// Blocked reports whether a signature from ip with normalised address
// emailNorm is refused, and by which kind of entry.
func (l *Blocklist) Blocked(ip netip.Addr, emailNorm string) (BlockKind, bool) {
	if l == nil {
		return "", false
	}
	if ip.IsValid() {
		ip = ip.Unmap()
		for _, p := range l.prefixes {
			if p.Contains(ip) {
				return BlockIP, true
			}
		}
	}
	if l.emails[emailNorm] {
		return BlockEmail, true
	}
	_, domain, _ := strings.Cut(emailNorm, "@")
	for domain != "" {
		if l.domains[domain] {
			return BlockDomain, true
		}
		_, domain, _ = strings.Cut(domain, ".")
	}
	return "", false
}

// Form timing: a signature form filled in faster than MinFillTime is a
// bot's; a stamp older than MaxFormAge is stale (the page is reloaded).
const (
	MinFillTime = 3 * time.Second
	MaxFormAge  = 24 * time.Hour
)

// Stamp returns the hidden form value that records when the form was
// served, signed with key so it cannot be forged.
func Stamp(key []byte, now time.Time) string {
	ts := strconv.FormatInt(now.Unix(), 10)
	return ts + "." + stampMAC(key, ts)
}

func stampMAC(key []byte, ts string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("signature-form:" + ts))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// Errors of CheckStamp.
var (
	ErrStampBad   = errors.New("form stamp missing or forged")
	ErrStampFast  = errors.New("form sent too soon after it was served")
	ErrStampStale = errors.New("form served too long ago")
)

// CheckStamp verifies a form stamp at now.
func CheckStamp(key []byte, stamp string, now time.Time) error {
	ts, mac, ok := strings.Cut(stamp, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(stampMAC(key, ts))) {
		return ErrStampBad
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrStampBad
	}
	age := now.Sub(time.Unix(sec, 0))
	switch {
	case age < MinFillTime:
		return ErrStampFast
	case age > MaxFormAge:
		return ErrStampStale
	}
	return nil
}

// Trend is one row of the trending report: signatures to one petition in
// one hour from one IP address or one email domain.
type Trend struct {
	ProposalID int64
	Title      string
	Hour       time.Time // the start of the hour, UTC
	Kind       string    // "ip" or "domain"
	Key        string    // the address or the domain
	Count      int
	Alert      bool // Count is above the board's AlertPerHour
}

// Invalidation picks signatures to invalidate by their attributes; every
// non-empty field must match. At least one attribute is required, so a
// slip cannot invalidate a whole petition.
type Invalidation struct {
	ProposalID int64  // 0: every petition of the organisation
	IP         string // an address or CIDR range
	Domain     string // email domain (and its subdomains)
	Email      string // compared normalised
	Postcode   string
	Name       string // compared case-insensitively, whole
	From, To   time.Time
	Reason     string
}

// Normalise tidies the fields.
func (v *Invalidation) Normalise() {
	v.IP = strings.TrimSpace(v.IP)
	if p, err := parsePrefix(v.IP); err == nil {
		v.IP = p.String()
	}
	v.Domain = strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(v.Domain)), "@"), ".")
	v.Email = NormaliseEmail(v.Email)
	if v.Postcode != "" {
		v.Postcode = NormalisePostcode(v.Postcode)
	}
	v.Name = strings.Join(strings.Fields(v.Name), " ")
	v.Reason = strings.TrimSpace(v.Reason)
}

// Prefix returns the IP range to match, ok false when IP is empty.
func (v Invalidation) Prefix() (netip.Prefix, bool) {
	p, err := parsePrefix(v.IP)
	return p, err == nil
}

// Validate checks an invalidation before it runs.
func (v Invalidation) Validate() error {
	var f apperr.Fields
	if v.IP != "" {
		_, err := parsePrefix(v.IP)
		f.Check(err == nil, "ip", "error.proposal.block.ip")
	}
	f.Check(v.IP != "" || v.Domain != "" || v.Email != "" || v.Postcode != "" || v.Name != "" || !v.From.IsZero(),
		"ip", "error.proposal.invalidate.no_attribute")
	f.Check(v.From.IsZero() || v.To.IsZero() || v.To.After(v.From), "to", "error.proposal.invalidate.range")
	f.Check(v.Reason != "", "reason", "error.proposal.reason.required")
	f.Check(!tooLong(v.Reason, MaxReason), "reason", "error.proposal.reason.too_long")
	return f.Err()
}

// Area is one area of an organisation's postcode lookup.
type Area struct {
	Code string
	Name string
}

// AreaLookup maps postcodes to areas by their longest matching prefix: a
// full postcode, a sector ("SW1A 1"), a district ("SW1A") or an area ("SW").
type AreaLookup struct {
	prefixes map[string]Area
}

// AreaRow is one line of a lookup table.
type AreaRow struct {
	Prefix string // normalised: upper case, one space before the inward code
	Area
}

// NewAreaLookup compiles rows.
func NewAreaLookup(rows []AreaRow) *AreaLookup {
	l := &AreaLookup{prefixes: make(map[string]Area, len(rows))}
	for _, r := range rows {
		l.prefixes[r.Prefix] = r.Area
	}
	return l
}

// Len is the number of prefixes.
func (l *AreaLookup) Len() int {
	if l == nil {
		return 0
	}
	return len(l.prefixes)
}

// Find returns the area of a normalised postcode, ok false when none matches.
func (l *AreaLookup) Find(postcode string) (Area, bool) {
	if l == nil || postcode == "" {
		return Area{}, false
	}
	district, inward, _ := strings.Cut(postcode, " ")
	area := district
	if i := strings.IndexAny(district, "0123456789"); i > 0 {
		area = district[:i]
	}
	for _, p := range []string{postcode, district + " " + inward[:min(1, len(inward))], district, area} {
		if a, ok := l.prefixes[p]; ok {
			return a, true
		}
	}
	return Area{}, false
}

// MaxAreaRows bounds a lookup table (all UK postcodes are about 1.8 million).
const MaxAreaRows = 2_000_000

// ParseAreas reads a lookup table as CSV with the header
// "prefix,code,name": each prefix a postcode or the start of one. Errors
// name the line; nothing is returned when there is one.
func ParseAreas(r io.Reader) ([]AreaRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 3
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "error.proposal.areas.header")
	}
	if strings.ToLower(strings.TrimSpace(strings.TrimPrefix(head[0], "\ufeff"))) != "prefix" ||
		strings.ToLower(strings.TrimSpace(head[1])) != "code" || strings.ToLower(strings.TrimSpace(head[2])) != "name" {
		return nil, apperr.New(apperr.Invalid, "error.proposal.areas.header")
	}
	var rows []AreaRow
	seen := map[string]bool{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// csv.ParseError names its own line.
			return nil, apperr.New(apperr.Invalid, "%s", err.Error())
		}
		line, _ := cr.FieldPos(0)
		prefix := normalisePrefix(rec[0])
		code, name := strings.TrimSpace(rec[1]), strings.TrimSpace(rec[2])
		switch {
		case prefix == "":
			return nil, apperr.New(apperr.Invalid, "%s", fmt.Sprintf("line %d: %q is not a postcode or the start of one", line, rec[0]))
		case code == "" || tooLong(code, 50) || tooLong(name, 200):
			return nil, apperr.New(apperr.Invalid, "%s", fmt.Sprintf("line %d: the area needs a code (up to 50 characters) and a name (up to 200)", line))
		case seen[prefix]:
			return nil, apperr.New(apperr.Invalid, "%s", fmt.Sprintf("line %d: %s appears twice", line, prefix))
		}
		if name == "" {
			name = code
		}
		seen[prefix] = true
		rows = append(rows, AreaRow{Prefix: prefix, Area: Area{Code: code, Name: name}})
		if len(rows) > MaxAreaRows {
			return nil, apperr.New(apperr.Invalid, "%s", fmt.Sprintf("more than %d rows", MaxAreaRows))
		}
	}
	return rows, nil
}

// Prefixes of postcodes: an area or district ("SW", "SW1A") and a sector
// written with its space ("SW1A 1"); full postcodes go through NormalisePostcode.
var (
	districtPrefix = regexp.MustCompile(`^[A-Z]{1,2}([0-9][A-Z0-9]?)?$`)
	sectorPrefix   = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]$`)
)

// normalisePrefix returns a prefix in the form Find compares, or "".
// A sector must keep its space: "SW11" is a district, "SW1 1" a sector.
func normalisePrefix(s string) string {
	if full := NormalisePostcode(s); full != "" {
		return full
	}
	s = strings.ToUpper(strings.Join(strings.Fields(s), " "))
	if districtPrefix.MatchString(s) || sectorPrefix.MatchString(s) {
		return s
	}
	return ""
}
