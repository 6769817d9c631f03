package polis

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// roundTrip checks a reader on arbitrary input: no panic; an error is a
// *ParseError for the right file; and what it reads, once written, reads
// back the same through any number of further round trips (the first may
// normalise: a missing datetime is filled in, CRLF in a quoted field
// becomes LF).
func roundTrip[T any](t *testing.T, file string, data []byte, read func([]byte) (T, error), write func(*bytes.Buffer, T) error) {
	first, err := read(data)
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) || pe.File != file || pe.Line < 1 {
			t.Fatalf("error %v is not a *ParseError for %s with a line", err, file)
		}
		return
	}
	again := first
	var prev T
	for i := range 2 {
		var b bytes.Buffer
		if err := write(&b, again); err != nil {
			t.Fatalf("writing what was read: %v", err)
		}
		prev = again
		again, err = read(b.Bytes())
		if err != nil {
			t.Fatalf("reading what was written: %v\n%q", err, b.String())
		}
		if i == 1 {
			if d := cmp.Diff(prev, again); d != "" {
				t.Fatalf("round trip (-before +after):\n%s", d)
			}
		}
	}
}

func FuzzPolisReadComments(f *testing.F) {
	f.Add([]byte("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n1403067224363,Wed Jun 18 11:53:44 WIB 2014,48,215,38,18,1,\"Businesses, small \"\"or\"\" large\"\n"))
	f.Add([]byte("comment-body,moderated,author-id,comment-id,timestamp\n\"a\r\nb\",-1,2,3,4\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip(t, CommentsFile, data,
			func(b []byte) ([]Comment, error) { return ReadComments(bytes.NewReader(b)) },
			func(w *bytes.Buffer, c []Comment) error { return WriteComments(w, c) })
	})
}

func FuzzPolisReadVotes(f *testing.F) {
	f.Add([]byte("timestamp,datetime,comment-id,voter-id,vote\n1403054214196,Wed Jun 18 08:16:54 WIB 2014,0,0,0\n1,x,0,1,-1\n"))
	f.Add([]byte("vote,voter-id,comment-id,timestamp\n1,2,3,4\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip(t, VotesFile, data,
			func(b []byte) ([]Vote, error) { return ReadVotes(bytes.NewReader(b)) },
			func(w *bytes.Buffer, v []Vote) error { return WriteVotes(w, v) })
	})
}

func FuzzPolisReadParticipantVotes(f *testing.F) {
	f.Add([]byte("participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2\n0,0,13,13,0,0,0,,1\n1,,0,2,1,1,1,-1,\n"))
	f.Add([]byte("participant,group-id,7\n3,1,-1\n"))
	f.Add([]byte("participant,group-id,0,00\n3,1,-1,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip(t, ParticipantsFile, data,
			func(b []byte) (*ParticipantVotes, error) { return ReadParticipantVotes(bytes.NewReader(b)) },
			func(w *bytes.Buffer, pv *ParticipantVotes) error { return WriteParticipantVotes(w, pv) })
	})
}

func FuzzPolisReadSummary(f *testing.F) {
	f.Add([]byte("topic,$15/hour\nurl,https://pol.is/2demo\nconversation-description,\"How?\nWhy?\"\n"))
	f.Add([]byte("\ufefftopic\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip(t, SummaryFile, data,
			func(b []byte) ([]SummaryField, error) { return ReadSummary(bytes.NewReader(b)) },
			func(w *bytes.Buffer, s []SummaryField) error { return WriteSummary(w, s) })
	})
}
