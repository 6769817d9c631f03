package measure

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strings"
)

// ingestRecord is one record of an ingest batch as JSON has it.
type ingestRecord struct {
	Timestamp    *string  `json:"_timestamp"`
	ID           *string  `json:"_id"`
	Service      *string  `json:"service"`
	Channel      *string  `json:"channel"`
	Count        *float64 `json:"count"`
	Transactions *float64 `json:"transactions"`
	Contacts     *float64 `json:"contacts"`
	Started      *float64 `json:"started"`
	Completed    *float64 `json:"completed"`
	Satisfied    *float64 `json:"satisfied"`
	Rated        *float64 `json:"rated"`
}

func parseIngest(body []byte, channels []Channel) ([]Record, []RowError) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '[' {
		return nil, []RowError{{Key: "error.measure.ingest.not_array"}}
	}
	// The quickest way: the usual shape, read by hand. Then: the whole
	// batch decodes. Else each record is decoded on its own, so that every
	// problem is named with its index.
	recs, ok := fastIngest(body)
	var errs []RowError
	broken := map[int]bool{} // records whose fields did not decode: nothing more to check
	if !ok {
		recs = nil
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		ok = dec.Decode(&recs) == nil && !dec.More()
	}
	if !ok {
		var raws []json.RawMessage
		if err := json.Unmarshal(body, &raws); err != nil {
			return nil, []RowError{{Key: "error.measure.ingest.not_array"}}
		}
		if len(raws) > MaxBatch {
			return nil, tooMany()
		}
		recs = make([]ingestRecord, len(raws))
		for i, raw := range raws {
			var rerrs []RowError
			recs[i], rerrs = decodeRecord(i+1, raw)
			errs = append(errs, rerrs...)
			broken[i] = len(rerrs) > 0
		}
	}
	switch {
	case len(recs) == 0:
		return nil, []RowError{{Key: "error.measure.ingest.empty"}}
	case len(recs) > MaxBatch:
		return nil, tooMany()
	}
	ck := newChecker(channels, false)
	out := make([]Record, 0, len(recs))
	for i := range recs {
		if broken[i] {
			continue
		}
		raw := recs[i].raw(i + 1)
		r, rerrs := ck.check(&raw)
		errs = append(errs, rerrs...)
		out = append(out, r)
	}
	if len(errs) > 0 {
		sortByLine(errs)
		return nil, errs
	}
	return laterWins(out), nil
}

func tooMany() []RowError {
	return []RowError{{Key: "error.measure.ingest.too_many", Args: map[string]any{"Max": MaxBatch}}}
}

// decodeRecord decodes one record field by field, naming each bad one.
func decodeRecord(line int, raw json.RawMessage) (ingestRecord, []RowError) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return ingestRecord{}, []RowError{{Line: line, Key: "error.measure.ingest.not_object"}}
	}
	var (
		ir   ingestRecord
		errs []RowError
	)
	strs := map[string]**string{"_timestamp": &ir.Timestamp, "_id": &ir.ID, "service": &ir.Service, "channel": &ir.Channel}
	nums := map[string]**float64{"count": &ir.Count, "transactions": &ir.Transactions, "contacts": &ir.Contacts,
		"started": &ir.Started, "completed": &ir.Completed, "satisfied": &ir.Satisfied, "rated": &ir.Rated}
	for name, v := range fields {
		key := strings.ToLower(name)
		if p, ok := strs[key]; ok {
			if json.Unmarshal(v, p) != nil {
				errs = append(errs, RowError{Line: line, Column: name, Key: "error.measure.ingest.not_text"})
			}
			continue
		}
		if p, ok := nums[key]; ok {
			if json.Unmarshal(v, p) != nil {
				errs = append(errs, RowError{Line: line, Column: name, Key: "error.measure.count.invalid", Args: map[string]any{"Max": MaxCount}})
			}
			continue
		}
		errs = append(errs, RowError{Line: line, Column: clip(name), Key: "error.measure.ingest.unknown_field"})
	}
	return ir, errs
}

// sortByLine orders problems by record, then field.
func sortByLine(errs []RowError) {
	sort.SliceStable(errs, func(i, j int) bool {
		if errs[i].Line != errs[j].Line {
			return errs[i].Line < errs[j].Line
		}
		return errs[i].Column < errs[j].Column
	})
}

// raw turns a decoded record into one to check; a count that is not a
// whole number is kept as -1 so that check reports it.
func (ir ingestRecord) raw(line int) rawRecord {
	raw := rawRecord{line: line, dateCol: "_timestamp", dateIsTimestamp: true}
	if ir.Timestamp != nil {
		raw.date = *ir.Timestamp
	}
	raw.id, raw.hasID = deref(ir.ID)
	raw.service, raw.hasService = deref(ir.Service)
	raw.channel, raw.hasChannel = deref(ir.Channel)
	whole := func(i int, f *float64) {
		if f == nil {
			return
		}
		n := int64(-1)
		if *f >= 0 && *f <= MaxCount && *f == math.Trunc(*f) {
			n = int64(*f)
		}
		raw.counts[i], raw.given[i] = n, true
	}
	whole(cContacts, ir.Contacts)
	whole(cTransactions, ir.Transactions)
	whole(cStarted, ir.Started)
	whole(cCompleted, ir.Completed)
	whole(cSatisfied, ir.Satisfied)
	whole(cRated, ir.Rated)
	if ir.Count != nil {
		whole(cTransactions, ir.Count)
		if ir.Transactions != nil && *ir.Transactions != *ir.Count {
			raw.counts[cTransactions] = countBoth
		}
	}
	return raw
}

func deref(s *string) (string, bool) {
	if s == nil {
		return "", false
	}
	return *s, true
}

// countBoth marks a record that gives count and transactions, differently.
const countBoth int64 = -2

// laterWins drops a record when a later one in the batch has its _id.
func laterWins(rs []Record) []Record {
	last := make(map[string]int, len(rs))
	for i, r := range rs {
		if r.ExtID != "" {
			last[r.ExtID] = i
		}
	}
	if len(last) == 0 {
		return rs
	}
	out := rs[:0]
	for i, r := range rs {
		if r.ExtID == "" || last[r.ExtID] == i {
			out = append(out, r)
		}
	}
	return out
}
