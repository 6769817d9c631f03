// Package polis reads and writes the Polis open-data export format
// (github.com/compdemocracy/openData): summary.csv, comments.csv, votes.csv
// and participants-votes.csv. In these files agree is 1, disagree -1 and
// pass 0, the opposite sign to Polis's internal coding and the same as
// package opinion's.
//
// Readers take an io.Reader and writers an io.Writer; ReadExport reads a
// whole folder through an fs.FS. Bad input gives a *ParseError naming the
// file, line and column.
package polis

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"

	"parley/internal/opinion"
)

// The files of an export.
const (
	SummaryFile      = "summary.csv"
	CommentsFile     = "comments.csv"
	VotesFile        = "votes.csv"
	ParticipantsFile = "participants-votes.csv"
)

// Moderation states of a comment.
const (
	ModeratedOut = -1
	Unmoderated  = 0
	Accepted     = 1
)

// Comment is a row of comments.csv.
type Comment struct {
	Timestamp int64  // milliseconds since the Unix epoch
	Datetime  string // as exported; the writer derives it (UTC) when empty
	ID        int
	Author    int
	Agrees    int
	Disagrees int
	Moderated int // Accepted, Unmoderated or ModeratedOut
	Body      string
}

// Vote is a row of votes.csv. A voter may vote on a comment more than once;
// the latest vote counts.
type Vote struct {
	Timestamp int64 // milliseconds since the Unix epoch
	Datetime  string
	Comment   int
	Voter     int
	Vote      opinion.Vote
}

// Participant is a row of participants-votes.csv.
type Participant struct {
	ID        int
	Group     int // the opinion group Polis assigned, -1 if none
	Comments  int // comments written
	Votes     int
	Agrees    int
	Disagrees int
	Cells     map[int]opinion.Vote // comment ID → vote; absent when not seen
}

// ParticipantVotes is participants-votes.csv: one row per participant, one
// column per comment.
type ParticipantVotes struct {
	Comments     []int // comment IDs in column order
	Participants []Participant
}

// SummaryField is a row of summary.csv (topic, url, views, voters, …).
type SummaryField struct {
	Key, Value string
}

// Export is a whole export folder. Any part may be missing.
type Export struct {
	Summary      []SummaryField
	Comments     []Comment
	Votes        []Vote
	Participants *ParticipantVotes
}

// ParseError locates bad input. Line and Column count from 1; Column is
// the field's position in the row (0 when the error is about the whole row).
type ParseError struct {
	File   string
	Line   int
	Column int
	Name   string // the column's header, when known
	Err    error
}

func (e *ParseError) Error() string {
	switch {
	case e.Column == 0:
		return fmt.Sprintf("%s: line %d: %v", e.File, e.Line, e.Err)
	case e.Name != "":
		return fmt.Sprintf("%s: line %d, column %d (%s): %v", e.File, e.Line, e.Column, e.Name, e.Err)
	}
	return fmt.Sprintf("%s: line %d, column %d: %v", e.File, e.Line, e.Column, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// ReadExport reads the export files found in fsys (os.DirFS(dir), say).
// Files that do not exist are left empty, but at least one of votes.csv and
// participants-votes.csv must be there.
func ReadExport(fsys fs.FS) (*Export, error) {
	var e Export
	found := false
	read := func(name string, parse func(f fs.File) error) error {
		f, err := fsys.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		defer f.Close()
		if name == VotesFile || name == ParticipantsFile {
			found = true
		}
		return parse(f)
	}
	err := errors.Join(
		read(SummaryFile, func(f fs.File) (err error) { e.Summary, err = ReadSummary(f); return }),
		read(CommentsFile, func(f fs.File) (err error) { e.Comments, err = ReadComments(f); return }),
		read(VotesFile, func(f fs.File) (err error) { e.Votes, err = ReadVotes(f); return }),
		read(ParticipantsFile, func(f fs.File) (err error) { e.Participants, err = ReadParticipantVotes(f); return }),
	)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("polis: neither %s nor %s found", VotesFile, ParticipantsFile)
	}
	return &e, nil
}

func parseVote(s string) (opinion.Vote, error) {
	switch s {
	case "1":
		return opinion.Agree, nil
	case "-1":
		return opinion.Disagree, nil
	case "0":
		return opinion.Pass, nil
	}
	return 0, fmt.Errorf("invalid vote %q: want 1, -1 or 0", s)
}

func formatVote(v opinion.Vote) string { return strconv.Itoa(int(v)) }
