package measure

import "io"

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
func ParseCSV(r io.Reader, channels []Channel) ([]Record, []RowError) {
	panic("measure.ParseCSV: not written yet")
}

// ParseIngest reads a batch for the ingest API: a JSON array of objects
// with _timestamp (RFC 3339 or yyyy-mm-dd), optional _id, service, channel
// and counts (contacts, count or transactions, started, completed,
// satisfied, rated). Line is the record's 1-based index.
func ParseIngest(body []byte, channels []Channel) ([]Record, []RowError) {
	panic("measure.ParseIngest: not written yet")
}

// MaxBatch is the most records one ingest request may carry.
const MaxBatch = 10000
