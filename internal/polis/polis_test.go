package polis

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"parley/internal/opinion"
)

// openData is the folder of real exports next to the repository.
var openData = filepath.Join("..", "..", "..", "shared", "data", "polis")

func readReal(t *testing.T, name string) *Export {
	t.Helper()
	dir := filepath.Join(openData, name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no Polis open data next to the repository (%v)", err)
	}
	e, err := ReadExport(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestPolisReadRealExports(t *testing.T) {
	for _, c := range []struct {
		name                                   string
		comments, votes, participants, columns int
		grouped, moderatedOut                  int
		topic                                  string
	}{
		{"15-per-hour-seattle", 54, 2995, 339, 54, 138, 23, "$15/hour"},
		{"scoop-hivemind.biodiversity", 316, 29802, 536, 314, 443, 162, "Protecting and Restoring NZ’s Biodiversity"},
		{"vtaiwan.uberx", 197, 49997, 1921, 197, 1219, 78, "UberX 自用車載客 — vTaiwan.tw"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := readReal(t, c.name)
			grouped, out := 0, 0
			for _, p := range e.Participants.Participants {
				if p.Group >= 0 {
					grouped++
				}
			}
			for _, cm := range e.Comments {
				if cm.Moderated == ModeratedOut {
					out++
				}
			}
			topic, _ := Get(e.Summary, "topic")
			got := []any{len(e.Comments), len(e.Votes), len(e.Participants.Participants), len(e.Participants.Comments), grouped, out, topic}
			want := []any{c.comments, c.votes, c.participants, c.columns, c.grouped, c.moderatedOut, c.topic}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("comments, votes, participants, columns, grouped, moderated out, topic (-want +got):\n%s", d)
			}
			// participants-votes.csv holds each voter's latest vote.
			conv, err := e.Conversation()
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range e.Participants.Participants {
				for id, v := range p.Cells {
					i, _ := conv.Participant(p.ID)
					s, _ := conv.Statement(id)
					if got, ok := conv.Matrix.At(i, s); !ok || got != v {
						t.Fatalf("participant %d, comment %d: matrix %v, %v; participants-votes.csv %v", p.ID, id, got, ok, v)
					}
				}
			}
		})
	}
}

func sampleExport() *Export {
	return &Export{
		Summary: []SummaryField{{"topic", "Buses, trams & \"bikes\""}, {"url", "https://pol.is/x"}, {"conversation-description", "Line one\nline two, with a comma"}, {"empty", ""}},
		Comments: []Comment{
			{Timestamp: 1403067224363, Datetime: "Wed Jun 18 11:53:44 WIB 2014", ID: 48, Author: 215, Agrees: 38, Disagrees: 18, Moderated: Accepted, Body: "Businesses, small or large, \"shouldn't\" pay below a livable wage."},
			{Timestamp: 1403058993627, ID: 36, Author: 85, Moderated: ModeratedOut, Body: "two\nlines"},
			{Timestamp: 1, ID: 7, Author: 0, Moderated: Unmoderated, Body: " leading space, then 自用車 "},
		},
		Votes: []Vote{
			{Timestamp: 1403054214196, Datetime: "Wed Jun 18 08:16:54 WIB 2014", Comment: 48, Voter: 0, Vote: opinion.Pass},
			{Timestamp: 1403057082753, Comment: 36, Voter: 1, Vote: opinion.Agree},
			{Timestamp: 1403057082754, Comment: 7, Voter: 1, Vote: opinion.Disagree},
		},
		Participants: &ParticipantVotes{
			Comments: []int{7, 36, 48},
			Participants: []Participant{
				{ID: 0, Group: -1, Votes: 1, Cells: map[int]opinion.Vote{48: opinion.Pass}},
				{ID: 1, Group: 1, Comments: 2, Votes: 2, Agrees: 1, Disagrees: 1, Cells: map[int]opinion.Vote{7: opinion.Disagree, 36: opinion.Agree}},
				{ID: 2, Group: 0},
			},
		},
	}
}

func writeExport(t testing.TB, e *Export) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, write := range map[string]func(*bytes.Buffer) error{
		SummaryFile:      func(b *bytes.Buffer) error { return WriteSummary(b, e.Summary) },
		CommentsFile:     func(b *bytes.Buffer) error { return WriteComments(b, e.Comments) },
		VotesFile:        func(b *bytes.Buffer) error { return WriteVotes(b, e.Votes) },
		ParticipantsFile: func(b *bytes.Buffer) error { return WriteParticipantVotes(b, e.Participants) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fsys[name] = &fstest.MapFile{Data: b.Bytes()}
	}
	return fsys
}

func TestPolisRoundTrip(t *testing.T) {
	e := sampleExport()
	back, err := ReadExport(writeExport(t, e))
	if err != nil {
		t.Fatal(err)
	}
	// The writer fills in datetimes that were missing, in UTC.
	want := sampleExport()
	want.Comments[1].Datetime = "Wed Jun 18 02:36:33 UTC 2014"
	want.Comments[2].Datetime = "Thu Jan 01 00:00:00 UTC 1970"
	want.Votes[1].Datetime = "Wed Jun 18 02:04:42 UTC 2014"
	want.Votes[2].Datetime = "Wed Jun 18 02:04:42 UTC 2014"
	if d := cmp.Diff(want, back); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
}

func TestPolisReadRealRoundTrip(t *testing.T) {
	e := readReal(t, "15-per-hour-seattle")
	back, err := ReadExport(writeExport(t, e))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(e, back); d != "" {
		t.Errorf("round trip of a real export (-want +got):\n%s", d)
	}
}

func TestPolisReadErrors(t *testing.T) {
	for _, c := range []struct {
		name, file, data, want string
	}{
		{"empty", CommentsFile, "", "comments.csv: line 1: empty file: no header row"},
		{"missing column", VotesFile, "timestamp,comment-id,vote\n", `votes.csv: line 1: missing column "voter-id"`},
		{"repeated column", VotesFile, "timestamp,comment-id,voter-id,vote,vote\n", "votes.csv: line 1, column 5 (vote): repeated column"},
		{"bad integer", VotesFile, "timestamp,datetime,comment-id,voter-id,vote\n1,x,2,3,1\n1,x,two,3,1\n", `votes.csv: line 3, column 3 (comment-id): invalid integer "two"`},
		{"bad vote", VotesFile, "timestamp,datetime,comment-id,voter-id,vote\n1,x,2,3,1.0\n", `votes.csv: line 2, column 5 (vote): invalid vote "1.0"`},
		{"short row", VotesFile, "timestamp,datetime,comment-id,voter-id,vote\n1,x,2,3\n", "votes.csv: line 2: 4 fields, want 5"},
		{"bad quote", CommentsFile, "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n1,x,2,3,0,0,1,\"open\n", "comments.csv: line 2, column"},
		{"bad moderation", CommentsFile, "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n1,x,2,3,0,0,2,hi\n", "comments.csv: line 2, column 7 (moderated): invalid moderation state 2"},
		{"multi-line body then error", CommentsFile, "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n1,x,2,3,0,0,1,\"a\nb\"\nz,x,2,3,0,0,1,c\n", `comments.csv: line 4, column 1 (timestamp): invalid integer "z"`},
		{"bad comment column", ParticipantsFile, "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,x\n", "participants-votes.csv: line 1, column 8 (x): column is neither a known field nor a comment ID"},
		{"repeated comment", ParticipantsFile, "participant,group-id,7,+7\n", "participants-votes.csv: line 1, column 4 (+7): comment 7 has two columns"},
		{"bad cell", ParticipantsFile, "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n5,,0,1,1,0,1,2\n", `participants-votes.csv: line 2, column 8 (1): invalid vote "2"`},
		{"bad group", ParticipantsFile, "participant,group-id,0\n5,-3,1\n", "participants-votes.csv: line 2, column 2 (group-id): negative group -3"},
		{"summary row", SummaryFile, "topic,a,b\n", "summary.csv: line 1: 3 fields, want a key and a value"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := fstest.MapFS{c.file: {Data: []byte(c.data)}}
			if c.file != VotesFile && c.file != ParticipantsFile {
				fsys[VotesFile] = &fstest.MapFile{Data: []byte("timestamp,comment-id,voter-id,vote\n")}
			}
			_, err := ReadExport(fsys)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != c.file {
				t.Errorf("error %#v is not a *ParseError for %s", err, c.file)
			}
		})
	}
	if _, err := ReadExport(fstest.MapFS{CommentsFile: {Data: []byte("timestamp,comment-id,author-id,moderated,comment-body\n")}}); err == nil {
		t.Error("an export without votes was accepted")
	}
}

func TestPolisConversation(t *testing.T) {
	e := &Export{
		Comments: []Comment{{ID: 5, Moderated: Accepted}, {ID: 9, Moderated: ModeratedOut}, {ID: 2, Moderated: Unmoderated}},
		Votes: []Vote{
			{Timestamp: 30, Comment: 5, Voter: 70, Vote: opinion.Disagree}, // the latest for (70, 5)
			{Timestamp: 10, Comment: 5, Voter: 70, Vote: opinion.Agree},
			{Timestamp: 20, Comment: 9, Voter: 70, Vote: opinion.Agree},
			{Timestamp: 20, Comment: 2, Voter: 3, Vote: opinion.Pass},
			{Timestamp: 20, Comment: 2, Voter: 3, Vote: opinion.Agree}, // same time: the later row wins
			{Timestamp: 5, Comment: 11, Voter: 3, Vote: opinion.Agree}, // a comment missing from comments.csv
		},
	}
	c, err := e.Conversation()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]int{3, 70}, c.Participants); d != "" {
		t.Errorf("participants (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int{2, 5, 9, 11}, c.Statements); d != "" {
		t.Errorf("statements (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]bool{false, false, true, false}, c.Excluded); d != "" {
		t.Errorf("excluded (-want +got):\n%s", d)
	}
	type cell struct {
		voter, comment int
		vote           opinion.Vote
	}
	var got []cell
	for i, id := range c.Participants {
		cols, vals := c.Matrix.Row(i)
		for k, s := range cols {
			got = append(got, cell{id, c.Statements[s], vals[k]})
		}
	}
	want := []cell{{3, 2, opinion.Agree}, {3, 11, opinion.Agree}, {70, 5, opinion.Disagree}, {70, 9, opinion.Agree}}
	if d := cmp.Diff(want, got, cmp.AllowUnexported(cell{})); d != "" {
		t.Errorf("votes (-want +got):\n%s", d)
	}
	if i, ok := c.Participant(70); !ok || i != 1 {
		t.Errorf("Participant(70) = %d, %v", i, ok)
	}
	if s, ok := c.Statement(9); !ok || s != 2 {
		t.Errorf("Statement(9) = %d, %v", s, ok)
	}
	if _, ok := c.Statement(4); ok {
		t.Error("Statement(4) found")
	}

	// Without votes.csv rows, participants-votes.csv is used.
	e2 := sampleExport()
	e2.Votes = nil
	c2, err := e2.Conversation()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]int{0, 1}, c2.Participants); d != "" {
		t.Errorf("participants from participants-votes.csv (-want +got):\n%s", d)
	}
	if v, ok := c2.Matrix.At(1, 0); !ok || v != opinion.Disagree { // voter 1, comment 7
		t.Errorf("voter 1 on comment 7: %v, %v", v, ok)
	}
}
