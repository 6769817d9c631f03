package consultation

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseCSV: any file either imports responses that each pass the same
// validation as a keyed-in response, or is refused with problems that name
// a line — never a panic, never a half answer.
func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{
		"channel,received,q1,q2,q3,q4\npost,2026-11-01,x,Red,A|B,5\n",
		"channel,received\nemail,2026-01-01T10:00:00Z\n",
		"\ufeffChannel,Received,Name\nphone,01/02/2026,Bob\n",
		"channel,received,q1\npost,2026-11-01,\"a \"\"quoted\"\" answer\"\n",
		"q1,q1\n",
		"channel,received,hear_back,email\nevent,2026-10-10,yes,\n",
	} {
		f.Add(s)
	}
	qs := questions()
	f.Fuzz(func(t *testing.T, src string) {
		rs, err := ParseCSV(strings.NewReader(src), qs, now)
		if err != nil {
			var ie *ImportError
			if !errors.As(err, &ie) || len(ie.Rows) == 0 {
				t.Fatalf("error %v is not a row report", err)
			}
			if rs != nil {
				t.Fatal("responses returned with an error")
			}
			for _, r := range ie.Rows {
				if r.Line < 1 || r.Message == "" {
					t.Fatalf("row error without line or message: %+v", r)
				}
			}
			return
		}
		if len(rs) == 0 {
			t.Fatal("no error and no responses")
		}
		for _, r := range rs {
			if err := r.Validate(qs, now); err != nil {
				t.Fatalf("imported response fails validation: %v (%+v)", err, r)
			}
			if r.Channel == ChannelWeb || r.Status != Submitted {
				t.Fatalf("imported %+v", r)
			}
		}
	})
}
