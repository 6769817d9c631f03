// Package measure describes what Parley measures: contacts and transactions
// by service, channel and day, what each channel costs, the four GOV.UK
// service KPIs, savings from channel shift, engagement figures and the
// engagement index that ranks organisations. It holds the types and the
// arithmetic; storage and HTTP live elsewhere.
//
// Figures are kept and shown by calendar month: a Period is a run of whole
// months, so every figure can be computed from monthly totals.
package measure

import (
	"fmt"
	"strconv"
	"time"
)

// Month is a calendar month written yyyymm (202611 is November 2026), the
// form it is stored in.
type Month int

// MonthOf returns the month t falls in (UTC).
func MonthOf(t time.Time) Month {
	t = t.UTC()
	return Month(t.Year()*100 + int(t.Month()))
}

// ParseMonth reads "2026-11".
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a month written like 2026-11", s)
	}
	return MonthOf(t), nil
}

func (m Month) Year() int                 { return int(m) / 100 }
func (m Month) Month() time.Month         { return time.Month(int(m) % 100) }
func (m Month) First() time.Time          { return time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, time.UTC) }
func (m Month) String() string            { return fmt.Sprintf("%04d-%02d", m.Year(), int(m.Month())) }
func (m Month) Add(n int) Month           { return MonthOf(m.First().AddDate(0, n, 0)) }
func (m Month) Valid() bool               { mo := int(m) % 100; return m > 0 && mo >= 1 && mo <= 12 }
func (m Month) Before(o Month) bool       { return m < o }
func (m Month) Contains(t time.Time) bool { return MonthOf(t) == m }

// Day is a calendar day written yyyymmdd (20261123), the form it is stored in.
type Day int

// DayOf returns the day t falls on (UTC).
func DayOf(t time.Time) Day {
	t = t.UTC()
	return Day(t.Year()*10000 + int(t.Month())*100 + t.Day())
}

func (d Day) Month() Month { return Month(int(d) / 100) }
func (d Day) Time() time.Time {
	return time.Date(int(d)/10000, time.Month(int(d)/100%100), int(d)%100, 0, 0, 0, 0, time.UTC)
}
func (d Day) String() string { return d.Time().Format("2006-01-02") }
func (d Day) Key() string    { return strconv.Itoa(int(d)) }

// Period is a run of whole months, From and To included.
type Period struct {
	From, To Month
}

// Valid says the period is a real run of months.
func (p Period) Valid() bool { return p.From.Valid() && p.To.Valid() && !p.To.Before(p.From) }

// Months lists the months of the period in order.
func (p Period) Months() []Month {
	var ms []Month
	for m := p.From; !p.To.Before(m); m = m.Add(1) {
		ms = append(ms, m)
	}
	return ms
}

// Start is the first instant of the period; End the first instant after it.
func (p Period) Start() time.Time { return p.From.First() }
func (p Period) End() time.Time   { return p.To.Add(1).First() }

// Contains says t falls in the period.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.Start()) && t.Before(p.End()) }

// LastMonths is the n whole months up to and including the month of now.
func LastMonths(now time.Time, n int) Period {
	to := MonthOf(now)
	return Period{From: to.Add(1 - n), To: to}
}

// Channel is a way people reach an organisation. Parley's own channels are
// built in; an organisation may add its own (OrgID set).
type Channel struct {
	Key     string // web, email, phone, post, face_to_face, social, event, or an organisation's own
	OrgID   int64  // 0: built in
	NameEN  string
	NameCY  string // empty: the English name is shown
	Digital bool   // a transaction on it counts towards digital take-up
}

// The built-in channels' keys are the consultation channels' keys, so a
// response's channel is a measurement channel as it stands.
const (
	Web        = "web"
	Email      = "email"
	Phone      = "phone"
	Post       = "post"
	FaceToFace = "face_to_face"
	Social     = "social"
	Event      = "event"
)

// Builtin lists the built-in channels, digital ones first.
var Builtin = []Channel{
	{Key: Web, NameEN: "Web", NameCY: "Gwe", Digital: true},
	{Key: Email, NameEN: "Email", NameCY: "E-bost", Digital: true},
	{Key: Social, NameEN: "Social media", NameCY: "Cyfryngau cymdeithasol", Digital: true},
	{Key: Phone, NameEN: "Phone", NameCY: "Ffôn"},
	{Key: Post, NameEN: "Post", NameCY: "Post"},
	{Key: FaceToFace, NameEN: "Face to face", NameCY: "Wyneb yn wyneb"},
	{Key: Event, NameEN: "Event", NameCY: "Digwyddiad"},
}

// UnitCost is what one contact on a channel costs an organisation from a
// month on, in pence, with where the figure came from.
type UnitCost struct {
	OrgID   int64
	Channel string
	From    Month // applies from this month until a later row; 0: from the start
	Pence   int64
	Source  string // e.g. "Socitm Insight 2012" or "Finance team, 2025/26 budget"
	Default bool   // Parley's default, not entered by the organisation
}

// SocitmSource names the default unit costs' source.
const SocitmSource = "Socitm Insight, Channel value benchmarking 2012 (2011/12 data)"

// DefaultCosts are the unit costs every organisation starts with: Socitm's
// 2012 benchmark of cost per contact. Other channels have none until an
// organisation enters one.
var DefaultCosts = []UnitCost{
	{Channel: FaceToFace, Pence: 862, Source: SocitmSource, Default: true},
	{Channel: Phone, Pence: 283, Source: SocitmSource, Default: true},
	{Channel: Web, Pence: 15, Source: SocitmSource, Default: true},
}

// Dataset is a named stream of records an organisation brings in, each
// with its own ingest token (kept only as a hash).
type Dataset struct {
	ID        int64
	OrgID     int64
	Name      string
	Kind      DatasetKind
	CreatedAt time.Time
	RevokedAt time.Time // zero: its token works
	Records   int64     // how many records it holds (filled by lists)
}

// DatasetKind says where a dataset's records come from.
type DatasetKind string

const (
	KindAPI      DatasetKind = "api"      // the ingest API, with a token
	KindCSV      DatasetKind = "csv"      // staff CSV imports
	KindActivity DatasetKind = "activity" // Parley's own activity, written by a job
)

// TokenPrefix starts every dataset ingest token, so a leaked one is
// recognisable and never mistaken for a staff API token.
const TokenPrefix = "pds_"

// Record is one row of contacts and transactions: a service on a channel on
// a day. Counts not given are zero.
type Record struct {
	ID        int64 // the store's; 0 until saved
	DatasetID int64
	ExtID     string // the ingest API's _id: a second write with it replaces the first
	OrgID     int64
	Service   string
	Channel   string
	Day       Day
	// Contacts are every contact on the channel, a transaction included
	// (Normalise makes Contacts at least Transactions). Costs are per contact.
	Contacts     int64
	Transactions int64 // completed transactions (a response, a signature, a payment)
	Started      int64 // journeys started, for the completion rate
	Completed    int64 // journeys completed, for the completion rate
	Satisfied    int64 // users satisfied or very satisfied
	Rated        int64 // users who rated their satisfaction
}

// Total is the sum of records for an organisation, service, channel and
// month: what the figures are computed from.
type Total struct {
	OrgID        int64
	Service      string
	Channel      string
	Month        Month
	Contacts     int64
	Transactions int64
	Started      int64
	Completed    int64
	Satisfied    int64
	Rated        int64
}

// TotalsFilter picks totals. Empty fields match everything.
type TotalsFilter struct {
	OrgIDs  []int64 // nil: every organisation
	Period  Period
	Service string
	Channel string
}

// IngestResult says what a batch did.
type IngestResult struct {
	Created  int // new records
	Replaced int // records whose _id was already there
}

// Services Parley's own activity is recorded under; the pages translate these keys.
const (
	ServiceConsultations = "consultations"
	ServiceSignatures    = "petitions"
	ServiceIdeas         = "ideas"
	ServiceConversations = "conversations"
)

// Settings are an organisation's measurement settings.
type Settings struct {
	OrgID      int64
	Public     bool  // publishes its figures on a public page and in open data
	Population int64 // people it serves, for reach; 0: unknown
	// Baseline is the population's shares by age band (fractions summing
	// to 1), e.g. from the census; empty: none loaded.
	Baseline       map[string]float64
	BaselineSource string
}

// AgeBands are the optional age bands respondents may give, census style.
var AgeBands = []string{"16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"}

// PreferNotToSay is an answer to the age question that is not a band.
const PreferNotToSay = "prefer-not"
