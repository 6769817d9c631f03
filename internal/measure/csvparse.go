package measure

import (
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
)

// csvColumns says which cell of a row holds each field (-1: none).
type csvColumns struct {
	date, service, channel int
	counts                 [countFields]int
	header                 []string          // as written, for errors
	names                  map[string]string // field → its header as written
}

// csvAliases maps a folded header to the field it names.
var csvAliases = map[string]string{
	"date": "date", "day": "date",
	"service":      "service",
	"channel":      "channel",
	"contacts":     "contacts",
	"transactions": "transactions", "count": "transactions",
	"started": "started", "completed": "completed",
	"satisfied": "satisfied", "rated": "rated",
}

func parseCSV(r io.Reader, channels []Channel) ([]Record, []RowError) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, []RowError{{Line: 1, Key: "error.measure.csv.empty"}}
	}
	if err != nil {
		return nil, []RowError{csvProblem(err)}
	}
	cols, errs := readHeader(append([]string(nil), header...))
	if len(errs) > 0 {
		return nil, errs
	}
	ck := newChecker(channels, true)
	var out []Record
	for rows := 0; ; {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, csvProblem(err))
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err != csv.ErrFieldCount {
				break // a quoting error leaves the reader lost: stop here
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if blankRow(rec) {
			continue
		}
		if rows++; rows > MaxCSVRows {
			errs = append(errs, RowError{Line: line, Key: "error.measure.csv.too_many_rows", Args: map[string]any{"Max": MaxCSVRows}})
			break
		}
		if len(rec) != len(cols.header) {
			errs = append(errs, RowError{Line: line, Key: "error.measure.csv.field_count"})
		} else {
			raw := cols.raw(line, rec)
			rec, rerrs := ck.check(&raw)
			errs = append(errs, rerrs...)
			if len(rerrs) == 0 && len(errs) == 0 {
				out = append(out, rec)
			}
		}
		if len(errs) >= maxRowErrors {
			break
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(out) == 0 {
		return nil, []RowError{{Line: 2, Key: "error.measure.csv.no_rows"}}
	}
	return out, nil
}

// readHeader finds the columns, refusing unknown and repeated ones.
func readHeader(header []string) (csvColumns, []RowError) {
	c := csvColumns{date: -1, service: -1, channel: -1, header: header, names: map[string]string{}}
	for i := range c.counts {
		c.counts[i] = -1
	}
	var errs []RowError
	seen := map[string]bool{}
	for i, h := range header {
		field, ok := csvAliases[foldHeader(h)]
		switch {
		case !ok:
			errs = append(errs, RowError{Line: 1, Column: clip(h), Key: "error.measure.csv.unknown_column"})
			continue
		case seen[field]:
			errs = append(errs, RowError{Line: 1, Column: clip(h), Key: "error.measure.csv.duplicate_column"})
			continue
		}
		seen[field] = true
		c.names[field] = clip(strings.TrimPrefix(h, "\ufeff"))
		switch field {
		case "date":
			c.date = i
		case "service":
			c.service = i
		case "channel":
			c.channel = i
		default:
			for j, n := range countNames {
				if n == field {
					c.counts[j] = i
				}
			}
		}
	}
	for _, need := range []string{"date", "service", "channel"} {
		if !seen[need] {
			errs = append(errs, RowError{Line: 1, Column: need, Key: "error.measure.csv.missing_column"})
		}
	}
	anyCount := false
	for _, i := range c.counts {
		anyCount = anyCount || i >= 0
	}
	if !anyCount {
		errs = append(errs, RowError{Line: 1, Key: "error.measure.csv.no_count_column"})
	}
	return c, errs
}

// foldHeader ignores case, spaces, "_", "-" and a byte order mark.
func foldHeader(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '_' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, strings.ToLower(h))
}

// raw reads a row's cells; a count that is not a whole number is kept as
// -1 so that check reports it.
func (c csvColumns) raw(line int, rec []string) rawRecord {
	raw := rawRecord{line: line, dateCol: c.names["date"], date: rec[c.date], names: c.names,
		service: rec[c.service], channel: rec[c.channel], hasService: true, hasChannel: true}
	for i, col := range c.counts {
		if col < 0 || strings.TrimSpace(rec[col]) == "" {
			continue
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(rec[col]), ",", ""), 10, 64)
		if err != nil || n < 0 {
			n = -1
		}
		raw.counts[i], raw.given[i] = n, true
	}
	return raw
}

func csvProblem(err error) RowError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if pe.Err == csv.ErrFieldCount {
			return RowError{Line: pe.Line, Key: "error.measure.csv.field_count"}
		}
		return RowError{Line: max(1, pe.Line), Key: "error.measure.csv.invalid", Args: map[string]any{"Detail": pe.Err.Error()}}
	}
	return RowError{Line: 1, Key: "error.measure.csv.invalid", Args: map[string]any{"Detail": err.Error()}}
}

func blankRow(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}
