package measure

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseCSV(t *testing.T) {
	src := "\ufeffDate, Service ,CHANNEL,Count,Contacts,started,Completed,satisfied,Rated\n" +
		"2026-11-01,Council tax,web,\"1,234\",,100,80,9,10\n" +
		"\n" +
		"02/11/2026,  Council   tax ,Face to face,3,5,,,,\n" +
		" , , , , , , , , \n" +
		"3/1/2026,Parking,Ffôn,7,2,,,,\n"
	rs, errs := ParseCSV(strings.NewReader(src), Builtin)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := []Record{
		{Service: "Council tax", Channel: Web, Day: 20261101, Contacts: 1234, Transactions: 1234, Started: 100, Completed: 80, Satisfied: 9, Rated: 10},
		{Service: "Council tax", Channel: FaceToFace, Day: 20261102, Contacts: 5, Transactions: 3},
		// Fewer contacts than transactions: every transaction is a contact.
		{Service: "Parking", Channel: Phone, Day: 20260103, Contacts: 7, Transactions: 7},
	}
	if fmt.Sprint(rs) != fmt.Sprint(want) {
		t.Errorf("records\n got %+v\nwant %+v", rs, want)
	}

	own := append(append([]Channel(nil), Builtin...), Channel{Key: "kiosk", NameEN: "Library kiosk"})
	rs, errs = ParseCSV(strings.NewReader("date,service,channel,transactions\n2026-01-01,s,Library Kiosk,1\n"), own)
	if len(errs) > 0 || len(rs) != 1 || rs[0].Channel != "kiosk" {
		t.Errorf("own channel by name: %+v %v", rs, errs)
	}
}

func TestParseCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want []string // "line column key"
	}{
		{"empty", "", []string{"1  error.measure.csv.empty"}},
		{"header only", "date,service,channel,contacts\n", []string{"2  error.measure.csv.no_rows"}},
		{"bad header", "date,servise,count,transactions\n2026-01-01,a,web,1\n", []string{
			"1 servise error.measure.csv.unknown_column",
			"1 transactions error.measure.csv.duplicate_column",
			"1 service error.measure.csv.missing_column",
			"1 channel error.measure.csv.missing_column",
		}},
		{"no counts", "date,service,channel\n", []string{"1  error.measure.csv.no_count_column"}},
		{"every row checked", "date,service,channel,contacts,started,completed\n" +
			"2026-13-01,Bins,web,1,,\n" +
			"2026-01-01,,fax,-1,,\n" +
			"2026-01-01,Bins,web,x,2,3\n" +
			"1890-01-01,Bins,web,,,\n" +
			"2026-01-01,Bins\n" +
			"2026-01-01,Bins,web,99999999999,,\n", []string{
			"2 date error.measure.date.invalid",
			"3 service error.measure.service.required",
			"3 channel error.measure.channel.unknown",
			"3 contacts error.measure.count.invalid",
			"4 contacts error.measure.count.invalid",
			"4 completed error.measure.completed.over_started",
			"5 date error.measure.date.range",
			"5  error.measure.counts.none",
			"6  error.measure.csv.field_count",
			"7 contacts error.measure.count.invalid",
		}},
		{"bad quoting", "date,service,channel,contacts\n2026-01-01,\"Bins,web,1\n", []string{"2  error.measure.csv.invalid"}},
		{"satisfaction", "date,service,channel,satisfied,rated\n2026-01-01,Bins,web,5,4\n", []string{"2 satisfied error.measure.satisfied.over_rated"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, errs := ParseCSV(strings.NewReader(tc.src), Builtin)
			if rs != nil {
				t.Errorf("records with errors: %+v", rs)
			}
			var got []string
			for _, e := range errs {
				got = append(got, fmt.Sprintf("%d %s %s", e.Line, e.Column, e.Key))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestParseIngest(t *testing.T) {
	body := `[
	  {"_timestamp": "2026-11-23T00:00:00Z", "_id": "a", "service": "Bins", "channel": "web", "count": 5},
	  {"_timestamp": "2026-11-23", "service": "Bins", "channel": "Phone", "transactions": 2, "contacts": 9, "started": 3, "completed": 2, "satisfied": 1, "rated": 2},
	  {"_timestamp": "2026-11-24T00:30:00+01:00", "_id": "b", "service": "Bins", "channel": "post", "contacts": 4},
	  {"_timestamp": "2026-11-25", "_id": "a", "service": "Bins", "channel": "web", "count": 6, "transactions": 6}
	]`
	rs, errs := ParseIngest([]byte(body), Builtin)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	// The first record's _id comes again later: the later wins. The third's
	// time is 23 November in UTC.
	want := []Record{
		{Service: "Bins", Channel: Phone, Day: 20261123, Contacts: 9, Transactions: 2, Started: 3, Completed: 2, Satisfied: 1, Rated: 2},
		{ExtID: "b", Service: "Bins", Channel: Post, Day: 20261123, Contacts: 4},
		{ExtID: "a", Service: "Bins", Channel: Web, Day: 20261125, Contacts: 6, Transactions: 6},
	}
	if fmt.Sprint(rs) != fmt.Sprint(want) {
		t.Errorf("records\n got %+v\nwant %+v", rs, want)
	}
}

func TestParseIngestErrors(t *testing.T) {
	big := "[" + strings.Repeat(`{"_timestamp":"2026-01-01","service":"s","channel":"web","count":1},`, MaxBatch) +
		`{"_timestamp":"2026-01-01","service":"s","channel":"web","count":1}]`
	for _, tc := range []struct {
		name string
		body string
		want []string
	}{
		{"not JSON", `{"a":1}`, []string{"0  error.measure.ingest.not_array"}},
		{"broken", `[{"a":`, []string{"0  error.measure.ingest.not_array"}},
		{"nothing", ``, []string{"0  error.measure.ingest.not_array"}},
		{"empty", `[]`, []string{"0  error.measure.ingest.empty"}},
		{"too many", big, []string{"0  error.measure.ingest.too_many"}},
		{"every record checked", `[
		  1,
		  {"_timestamp": "yesterday", "service": "s", "channel": "fax", "count": 1.5},
		  {"_timestamp": "2026-01-01", "service": 7, "channel": "web", "contacts": "3", "colour": "red"},
		  {"_timestamp": "2026-01-01", "_id": "", "service": "s", "channel": "web", "count": 2, "transactions": 3},
		  {"service": "s", "channel": "web"},
		  {"_timestamp": "2026-01-01", "service": "s", "channel": "web", "contacts": -1, "started": 1, "completed": 2}
		]`, []string{
			"1  error.measure.ingest.not_object",
			"2 _timestamp error.measure.timestamp.invalid",
			"2 channel error.measure.channel.unknown",
			"2 transactions error.measure.count.invalid",
			"3 colour error.measure.ingest.unknown_field",
			"3 contacts error.measure.count.invalid",
			"3 service error.measure.ingest.not_text",
			"4 _id error.measure.id.invalid",
			"4 transactions error.measure.count.both",
			"5  error.measure.counts.none",
			"5 _timestamp error.measure.date.required",
			"6 completed error.measure.completed.over_started",
			"6 contacts error.measure.count.invalid",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, errs := ParseIngest([]byte(tc.body), Builtin)
			if rs != nil {
				t.Errorf("records with errors: %+v", rs)
			}
			var got []string
			for _, e := range errs {
				got = append(got, fmt.Sprintf("%d %s %s", e.Line, e.Column, e.Key))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func BenchmarkParseIngest(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("[")
	for i := range MaxBatch {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"_timestamp":"2026-01-%02dT00:00:00Z","_id":"r%d","service":"Council tax","channel":"web","count":%d,"contacts":%d}`, i%28+1, i, i%50, i%70)
	}
	sb.WriteString("]")
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, errs := ParseIngest(body, Builtin); errs != nil {
			b.Fatal(errs)
		}
	}
}

func TestParseAgeBand(t *testing.T) {
	for in, want := range map[string]string{
		"": "", " 16-24 ": "16-24", "16–24": "16-24", "16 to 24": "16-24", "25 - 34": "25-34", "75+": "75+",
		"75 and over": "75+", "Prefer not to say": PreferNotToSay, "prefer-not": PreferNotToSay, "PREFER_NOT": PreferNotToSay,
	} {
		if got, ok := ParseAgeBand(in); !ok || got != want {
			t.Errorf("ParseAgeBand(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"thirty", "15-24", "75", "16-25"} {
		if got, ok := ParseAgeBand(in); ok {
			t.Errorf("ParseAgeBand(%q) = %q, want refused", in, got)
		}
	}
	for _, b := range append([]string{"", PreferNotToSay}, AgeBands...) {
		if !ValidAgeBand(b) {
			t.Errorf("%q not valid", b)
		}
	}
	if ValidAgeBand("16–24") {
		t.Error("an en dash is not a key")
	}
}
