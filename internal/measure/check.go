package measure

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The checks a CSV row and an ingest record share. Both arrive as a
// rawRecord, so a batch and a file are held to the same rules.

// rawRecord is a row or record before it is checked: its text fields and
// its counts, each with whether it was given at all.
type rawRecord struct {
	line            int
	date            string // the date column or _timestamp
	dateCol         string // its name, for errors
	dateIsTimestamp bool   // _timestamp: RFC 3339 allowed
	id, service     string
	channel         string
	hasID           bool
	hasService      bool
	hasChannel      bool
	counts          [countFields]int64 // -1: not a whole number; countBoth: see ingest
	given           [countFields]bool
	// names are the columns as a file's header writes them; empty: the
	// field names (service, channel, contacts…).
	names map[string]string
}

// col names a field as the source wrote it.
func (raw rawRecord) col(field string) string {
	if n, ok := raw.names[field]; ok {
		return n
	}
	return field
}

// The counts a record carries, in the order of countNames.
const (
	cContacts = iota
	cTransactions
	cStarted
	cCompleted
	cSatisfied
	cRated
	countFields
)

// countNames are the counts' column and field names.
var countNames = [countFields]string{"contacts", "transactions", "started", "completed", "satisfied", "rated"}

// Days before firstDay or after lastDay are surely typing mistakes.
const (
	firstDay Day = 19900101
	lastDay  Day = 20991231
)

// channelNames finds a channel's key from what a file or batch says.
type channelNames struct {
	byName map[string]string
	keys   string // the keys, for the error
}

// newChannelNames knows the channels' keys and, when names is set, their
// English and Welsh names too (a spreadsheet may say "Face to face").
func newChannelNames(channels []Channel, names bool) channelNames {
	if len(channels) == 0 {
		channels = Builtin
	}
	cn := channelNames{byName: map[string]string{}}
	var keys []string
	for _, c := range channels {
		keys = append(keys, c.Key)
		cn.byName[c.Key] = c.Key
		if names {
			for _, n := range []string{c.Key, c.NameEN, c.NameCY} {
				if n != "" {
					cn.byName[channelFold(n)] = c.Key
				}
			}
		}
	}
	cn.keys = strings.Join(keys, ", ")
	return cn
}

// channelFold lower-cases a channel name and joins its words with "_".
func channelFold(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return unicode.IsSpace(r) || r == '-' || r == '_'
	}), "_")
}

func (cn channelNames) find(s string, names bool) (string, bool) {
	if key, ok := cn.byName[s]; ok {
		return key, true
	}
	if names {
		key, ok := cn.byName[channelFold(s)]
		return key, ok
	}
	key, ok := cn.byName[strings.ToLower(strings.TrimSpace(s))]
	return key, ok
}

// checker checks the records of one file or batch, remembering the days
// it has read (a batch repeats a few dates thousands of times).
type checker struct {
	cn    channelNames
	names bool // channels may be given by name, not only by key
	days  map[string]dayParsed
}

type dayParsed struct {
	day Day
	key string
}

func newChecker(channels []Channel, names bool) *checker {
	return &checker{cn: newChannelNames(channels, names), names: names, days: map[string]dayParsed{}}
}

func (c *checker) day(s string, timestamp bool) (Day, string) {
	if d, ok := c.days[s]; ok {
		return d.day, d.key
	}
	d, key := parseDay(s, timestamp)
	if len(c.days) < 10000 {
		c.days[s] = dayParsed{d, key}
	}
	return d, key
}

// check turns a raw record into a Record, or lists what is wrong with it.
func (c *checker) check(raw *rawRecord) (Record, []RowError) {
	cn, names := c.cn, c.names
	var (
		r    Record
		errs []RowError
	)
	bad := func(col, key string, args map[string]any) {
		errs = append(errs, RowError{Line: raw.line, Column: col, Key: key, Args: args})
	}

	if d, key := c.day(raw.date, raw.dateIsTimestamp); key != "" {
		bad(raw.dateCol, key, map[string]any{"Value": clip(raw.date)})
	} else if d < firstDay || d > lastDay {
		bad(raw.dateCol, "error.measure.date.range", map[string]any{"Value": clip(raw.date), "From": firstDay.String(), "To": lastDay.String()})
	} else {
		r.Day = d
	}

	if raw.hasID {
		id := strings.TrimSpace(raw.id)
		if id == "" || !goodText(id) {
			bad("_id", "error.measure.id.invalid", map[string]any{"Max": MaxText})
		}
		r.ExtID = id
	}

	switch service := strings.TrimSpace(raw.service); {
	case !raw.hasService || service == "":
		bad(raw.col("service"), "error.measure.service.required", nil)
	case !goodText(service):
		bad(raw.col("service"), "error.measure.service.invalid", map[string]any{"Max": MaxText})
	default:
		r.Service = oneSpaced(service)
	}

	if !raw.hasChannel || strings.TrimSpace(raw.channel) == "" {
		bad(raw.col("channel"), "error.measure.channel.required", nil)
	} else if key, ok := cn.find(raw.channel, names); ok {
		r.Channel = key
	} else {
		bad(raw.col("channel"), "error.measure.channel.unknown", map[string]any{"Value": clip(raw.channel), "Channels": cn.keys})
	}

	given := false
	for i, n := range raw.counts {
		if !raw.given[i] {
			continue
		}
		given = true
		if n == countBoth {
			bad(raw.col(countNames[i]), "error.measure.count.both", nil)
		} else if n < 0 || n > MaxCount {
			bad(raw.col(countNames[i]), "error.measure.count.invalid", map[string]any{"Max": MaxCount})
		}
	}
	if !given {
		bad("", "error.measure.counts.none", nil)
	}
	r.Contacts, r.Transactions = raw.counts[cContacts], raw.counts[cTransactions]
	r.Started, r.Completed = raw.counts[cStarted], raw.counts[cCompleted]
	r.Satisfied, r.Rated = raw.counts[cSatisfied], raw.counts[cRated]
	if raw.given[cStarted] && r.Started >= 0 && r.Completed > r.Started {
		bad(raw.col("completed"), "error.measure.completed.over_started", nil)
	}
	if raw.given[cRated] && r.Rated >= 0 && r.Satisfied > r.Rated {
		bad(raw.col("satisfied"), "error.measure.satisfied.over_rated", nil)
	}
	if len(errs) > 0 {
		return Record{}, errs
	}
	r.Normalise()
	return r, nil
}

// oneSpaced joins a name's words with single spaces, copying only when it
// has to.
func oneSpaced(s string) string {
	prev := ' '
	for _, r := range s {
		if unicode.IsSpace(r) && (prev == ' ' || r != ' ') {
			return strings.Join(strings.Fields(s), " ")
		}
		prev = r
	}
	return s
}

// parseDay reads yyyy-mm-dd, d/m/yyyy or, for a timestamp, RFC 3339 (the
// day it falls on in UTC). It returns an error key when it cannot.
func parseDay(s string, timestamp bool) (Day, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, "error.measure.date.required"
	}
	layouts := []string{"2006-01-02", "2/1/2006"}
	if timestamp {
		layouts = []string{"2006-01-02", time.RFC3339}
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return DayOf(t), ""
		}
	}
	if timestamp {
		return 0, "error.measure.timestamp.invalid"
	}
	return 0, "error.measure.date.invalid"
}

// goodText is a service name or _id of at most MaxText printable characters.
func goodText(s string) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxText {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return false
		}
	}
	return true
}

// clip keeps an offending value short enough to show.
func clip(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}
