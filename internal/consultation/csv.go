package consultation

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"parley/internal/apperr"
	"parley/internal/measure"
)

// The CSV import takes responses that arrived offline in a batch. Its header
// row names the columns; the order is free and unknown columns are refused
// (a misspelt column would otherwise drop answers silently):
//
//	channel        required: email, post, phone, face_to_face, event or social
//	received       required: the date received, 2006-01-02 (or RFC 3339)
//	respondent     individual (default) or organisation
//	name, organisation, email, reference
//	consent        no (default), anonymous or named
//	hear_back      yes or no (default)
//	age_band       optional: 16-24, 25-34, 35-44, 45-54, 55-64, 65-74, 75+
//	               or "prefer not to say" ("Age band" as a header works too)
//	q1, q2, …      the answer to question 1, 2, … by position; choice answers
//	               are option labels or numbers, several separated by "|"
const (
	MaxImportRows  = 200000
	MaxImportBytes = 64 << 20
)

// RowError is one problem in an import file, by line.
type RowError struct {
	Line    int    // 1 is the header
	Column  string // the column's header, "" for the whole row
	Message string // an i18n message ID
	Value   string // the offending value, cut to a readable length
}

func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Message)
}

// ImportError lists every problem found in a file; nothing is imported when
// there is one.
type ImportError struct{ Rows []RowError }

func (e *ImportError) Error() string {
	if len(e.Rows) == 0 {
		return "import: no problems"
	}
	return fmt.Sprintf("import: %d problems; first: %s", len(e.Rows), e.Rows[0].Error())
}

// maxRowErrors stops collecting problems: a wrong file would list every row.
const maxRowErrors = 500

// ParseCSV reads offline responses for the questions from r. Every row is
// checked as a keyed-in response is; any problem returns an *ImportError
// listing up to 500 problems by line, and no responses.
func ParseCSV(r io.Reader, qs []Question, now time.Time) ([]Response, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &ImportError{Rows: []RowError{{Line: 1, Message: "error.import.empty"}}}
	}
	if err != nil {
		return nil, &ImportError{Rows: []RowError{csvError(err)}}
	}
	header = append([]string(nil), header...) // ReuseRecord: the next Read overwrites it
	cols, herrs := columns(header, qs)
	if len(herrs) > 0 {
		return nil, &ImportError{Rows: herrs}
	}
	var (
		out  []Response
		errs []RowError
	)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, csvError(err))
			var pe *csv.ParseError
			if !errors.As(err, &pe) || pe.Err == csv.ErrFieldCount {
				continue
			}
			break // a quoting error leaves the reader lost: stop here
		}
		line, _ := cr.FieldPos(0)
		if len(out)+len(errs) >= MaxImportRows {
			errs = append(errs, RowError{Line: line, Message: "error.import.too_many_rows"})
			break
		}
		if blank(rec) {
			continue
		}
		resp, rerrs := parseRow(line, rec, header, cols, qs, now)
		errs = append(errs, rerrs...)
		if len(rerrs) == 0 {
			out = append(out, resp)
		}
		if len(errs) >= maxRowErrors {
			break
		}
	}
	if len(errs) > 0 {
		return nil, &ImportError{Rows: errs}
	}
	if len(out) == 0 {
		return nil, &ImportError{Rows: []RowError{{Line: 2, Message: "error.import.no_rows"}}}
	}
	return out, nil
}

func csvError(err error) RowError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return RowError{Line: pe.Line, Message: "error.import.csv", Value: pe.Err.Error()}
	}
	return RowError{Line: 1, Message: "error.import.csv", Value: err.Error()}
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// column says what a header cell is: a named field, or a question (q >= 0).
type column struct {
	name string
	q    int // index into qs, -1 for a named field
}

var importFields = map[string]bool{
	"channel": true, "received": true, "respondent": true, "name": true, "organisation": true,
	"email": true, "reference": true, "consent": true, "hear_back": true, "age_band": true,
}

func columns(header []string, qs []Question) ([]column, []RowError) {
	var (
		cols []column
		errs []RowError
		seen = map[string]bool{}
	)
	for _, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		name = strings.Join(strings.Fields(name), "_") // "Age band" is age_band
		c := column{name: name, q: -1}
		switch {
		case importFields[name]:
		case strings.HasPrefix(name, "q"):
			n, err := strconv.Atoi(name[1:])
			if err != nil || n < 1 || n > len(qs) {
				errs = append(errs, RowError{Line: 1, Column: h, Message: "error.import.unknown_question", Value: cut(h)})
			}
			c.q = n - 1
		default:
			errs = append(errs, RowError{Line: 1, Column: h, Message: "error.import.unknown_column", Value: cut(h)})
		}
		if seen[name] {
			errs = append(errs, RowError{Line: 1, Column: h, Message: "error.import.duplicate_column", Value: cut(h)})
		}
		seen[name] = true
		cols = append(cols, c)
	}
	for _, need := range []string{"channel", "received"} {
		if !seen[need] {
			errs = append(errs, RowError{Line: 1, Column: need, Message: "error.import.missing_column"})
		}
	}
	return cols, errs
}

func parseRow(line int, rec, header []string, cols []column, qs []Question, now time.Time) (Response, []RowError) {
	var errs []RowError
	bad := func(col, msg, v string) {
		errs = append(errs, RowError{Line: line, Column: col, Message: msg, Value: cut(v)})
	}
	if len(rec) != len(cols) {
		bad("", "error.import.field_count", strconv.Itoa(len(rec)))
		return Response{}, errs
	}
	resp := Response{Status: Submitted}
	answers := map[int]Answer{}
	for i, c := range cols {
		v := strings.TrimSpace(rec[i])
		switch c.name {
		case "channel":
			resp.Channel = strings.ReplaceAll(strings.ToLower(v), " ", "_")
			if resp.Channel == ChannelWeb || resp.Channel == "" {
				// Normalise would read an empty channel as the web.
				bad(header[i], "error.import.channel_web", v)
			}
		case "received":
			t, ok := parseDate(v)
			if !ok {
				bad(header[i], "error.import.date", v)
			}
			resp.ReceivedAt = t
		case "respondent":
			resp.Respondent = Respondent(strings.ToLower(v))
		case "name":
			resp.Name = v
		case "organisation":
			resp.OrgName = v
		case "email":
			resp.Email = v
		case "reference":
			resp.Reference = v
		case "consent":
			resp.Consent = Consent(strings.ToLower(v))
		case "age_band":
			band, ok := measure.ParseAgeBand(v)
			if !ok {
				bad(header[i], "error.response.age_band.unknown", v)
			}
			resp.AgeBand = band
		case "hear_back":
			switch strings.ToLower(v) {
			case "yes", "y", "true", "1":
				resp.HearBack = true
			case "", "no", "n", "false", "0":
			default:
				bad(header[i], "error.import.yes_no", v)
			}
		default:
			q := qs[c.q]
			a := Answer{QuestionID: q.ID}
			if q.Kind == FreeText {
				a.Text = v
			} else if v != "" {
				ch, ok := q.ParseChoices(strings.Split(v, "|"))
				if !ok {
					bad(header[i], "error.answer.invalid", v)
				}
				a.Choices = ch
			}
			answers[c.q] = a
		}
	}
	resp.Normalise()
	for i := range qs {
		if a, ok := answers[i]; ok && !a.Empty() {
			resp.Answers = append(resp.Answers, a)
		}
	}
	if err := resp.Validate(qs, now); err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			for _, field := range ae.Order {
				errs = append(errs, RowError{Line: line, Column: columnFor(field, qs), Message: ae.Fields[field]})
			}
		}
	}
	resp.SubmittedAt = resp.ReceivedAt
	return resp, errs
}

// columnFor names the CSV column behind a validation field.
func columnFor(field string, qs []Question) string {
	for i, q := range qs {
		if q.Field() == field {
			return "q" + strconv.Itoa(i+1)
		}
	}
	switch field {
	case "org_name":
		return "organisation"
	case "received_at":
		return "received"
	}
	return field
}

func parseDate(v string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", time.RFC3339, "02/01/2006"} {
		// Years before 1990 are typing mistakes, not old letters.
		if t, err := time.Parse(layout, v); err == nil && t.Year() >= 1990 {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func cut(s string) string {
	const n = 60
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
