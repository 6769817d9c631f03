package measure

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// checkParsed holds what any parse must give: records that each pass every
// rule, or problems that each name a line and a catalogue key — never
// both, never neither, never a panic.
func checkParsed(t *testing.T, rs []Record, errs []RowError, minLine int) {
	t.Helper()
	if len(errs) > 0 {
		if rs != nil {
			t.Fatalf("records and errors both: %d records, %v", len(rs), errs)
		}
		for _, e := range errs {
			if e.Line < minLine || !strings.HasPrefix(e.Key, "error.measure.") {
				t.Fatalf("bad row error %+v", e)
			}
		}
		return
	}
	if len(rs) == 0 {
		t.Fatal("no records and no errors")
	}
	for _, r := range rs {
		if _, ok := FindChannel(Builtin, r.Channel); !ok {
			t.Fatalf("unknown channel %q", r.Channel)
		}
		if r.Day < firstDay || r.Day > lastDay || r.Day.Time().Format("20060102") != r.Day.Key() {
			t.Fatalf("bad day %d", r.Day)
		}
		if r.Service == "" || !goodText(r.Service) || (r.ExtID != "" && !goodText(r.ExtID)) {
			t.Fatalf("bad text %q %q", r.Service, r.ExtID)
		}
		for _, n := range []int64{r.Contacts, r.Transactions, r.Started, r.Completed, r.Satisfied, r.Rated} {
			if n < 0 || n > MaxCount {
				t.Fatalf("bad count in %+v", r)
			}
		}
		if r.Contacts < r.Transactions {
			t.Fatalf("not normalised: %+v", r)
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{
		"date,service,channel,contacts,transactions\n2026-11-01,Bins,web,3,2\n",
		"\ufeffDate,Service,Channel,Count\n01/11/2026,Bins,Face to face,\"1,000\"\n",
		"date,service,channel,started,completed,satisfied,rated\n2026-01-01,a,phone,5,4,3,2\n",
		"date,service,channel,contacts\n2026-01-01,\"Bins,web,1\n",
		"date,date\n",
		"day,service,channel,count\n\n , , , \n2026-02-30,x,fax,-1\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		rs, errs := ParseCSV(strings.NewReader(src), Builtin)
		checkParsed(t, rs, errs, 1)
	})
}

func FuzzParseIngest(f *testing.F) {
	for _, s := range []string{
		`[{"_timestamp":"2026-11-23T00:00:00Z","_id":"a","service":"Bins","channel":"web","count":5}]`,
		`[{"_timestamp":"2026-11-23","service":"Bins","channel":"phone","contacts":9,"transactions":2,"started":3,"completed":2,"satisfied":1,"rated":2}]`,
		`[{"_timestamp":"2026-11-23","_id":"a","service":"s","channel":"web","count":1},{"_timestamp":"2026-11-24","_id":"a","service":"s","channel":"web","count":2}]`,
		`[1,{"colour":"red"},{"_timestamp":7}]`,
		`{"a":1}`,
		`[]`,
		`[{"_timestamp":"2026-11-23","service":"s","channel":"web","count":1e300}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rs, errs := ParseIngest(body, Builtin)
		checkParsed(t, rs, errs, 0)
		seen := map[string]bool{}
		for _, r := range rs {
			if r.ExtID != "" && seen[r.ExtID] {
				t.Fatalf("_id %q twice", r.ExtID)
			}
			seen[r.ExtID] = true
		}
	})
}

// FuzzFastIngest holds the hand-written decoder to encoding/json: whatever
// it accepts, encoding/json reads to the same records.
func FuzzFastIngest(f *testing.F) {
	for _, s := range []string{
		`[{"_timestamp":"2026-11-23T00:00:00Z","_id":"a","service":"Bins","channel":"web","count":5}]`,
		` [ {"_timestamp" : "2026-11-23", "service":"Bins é","channel":"phone","contacts":9,"transactions":-0,"started":null} , {} ] `,
		`[{"count":1,"count":2,"_id":"x","_id":null}]`,
		`[{"count":012}]`, `[{"count":1.5}]`, `[{"service":"a\"b"}]`, `[{"Service":"x"}]`, `[]`, `[{}]x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, ok := fastIngest(body)
		if !ok {
			return
		}
		var slow []ingestRecord
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&slow); err != nil || dec.More() {
			t.Fatalf("fast path took %q, encoding/json refused it: %v", body, err)
		}
		if len(fast) != len(slow) {
			t.Fatalf("%d records, encoding/json %d", len(fast), len(slow))
		}
		for i := range fast {
			if a, b := show(fast[i]), show(slow[i]); a != b {
				t.Fatalf("record %d: fast %s, encoding/json %s", i, a, b)
			}
		}
	})
}

func show(ir ingestRecord) string {
	var b strings.Builder
	for _, s := range []*string{ir.Timestamp, ir.ID, ir.Service, ir.Channel} {
		if s == nil {
			b.WriteString("nil|")
		} else {
			fmt.Fprintf(&b, "%q|", *s)
		}
	}
	for _, n := range []*float64{ir.Count, ir.Transactions, ir.Contacts, ir.Started, ir.Completed, ir.Satisfied, ir.Rated} {
		if n == nil {
			b.WriteString("nil|")
		} else {
			fmt.Fprintf(&b, "%v|", *n)
		}
	}
	return b.String()
}
