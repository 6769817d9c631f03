package measure

import (
	"fmt"
	"io"
)

// RowError is a problem with one row of a CSV import or one record of an
// ingest batch: Line is 1-based (the header is line 1); Column names the
// column or JSON field; Key is a catalogue key with Args.
type RowError struct {
	Line   int
	Column string
	Key    string
	Args   map[string]any
}

// ParseCSV reads records from a CSV file. Columns, in any order, matched by
// header without regard to case or spaces: date (yyyy-mm-dd or dd/mm/yyyy),
// service, channel, and at least one of contacts, transactions, started,
// completed, satisfied, rated. channels are the known ones. Every problem
// is returned; records are usable only when there is none.
//
// Unknown and repeated columns are refused (a misspelt column would drop
// figures silently). Counts are whole numbers from 0 to MaxCount, written
// with or without thousands separators; an empty cell is 0. At most
// MaxCSVRows rows, and at most maxRowErrors problems are listed.
func ParseCSV(r io.Reader, channels []Channel) ([]Record, []RowError) {
	return parseCSV(r, channels)
}

// ParseIngest reads a batch for the ingest API: a JSON array of objects
// with _timestamp (RFC 3339 or yyyy-mm-dd), optional _id, service, channel
// and counts (contacts, count or transactions, started, completed,
// satisfied, rated). Line is the record's 1-based index.
//
// Line 0 is the batch as a whole (not an array, empty, too long). Unknown
// fields are refused, as a misspelt count would otherwise be lost. Two
// records with one _id: the later wins and the earlier is dropped here.
func ParseIngest(body []byte, channels []Channel) ([]Record, []RowError) {
	return parseIngest(body, channels)
}

// MaxBatch is the most records one ingest request may carry.
const MaxBatch = 10000

// MaxCSVRows is the most rows one CSV import may carry: two years of daily
// figures for 30 services on 7 channels, with room to spare.
const MaxCSVRows = 500000

// MaxCount is the largest count a record may give, far above any real day
// and small enough that sums of millions of records never overflow.
const MaxCount = 1_000_000_000

// MaxText is the longest service name or _id, in characters.
const MaxText = 200

// maxRowErrors stops listing problems: a wrong file would list every row.
const maxRowErrors = 500

// Error says where the problem is, in English, for logs and tests.
func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Key)
	}
	return fmt.Sprintf("line %d, %s: %s", e.Line, e.Column, e.Key)
}
