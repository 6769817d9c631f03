package polis

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"parley/internal/opinion"
)

// table reads a CSV file with a header row, giving errors that name the
// file, line and column.
type table struct {
	file   string
	r      *csv.Reader
	header []string
	index  map[string]int
	row    []string
}

func newTable(file string, r io.Reader) *table {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &table{file: file, r: cr}
}

func (t *table) wrap(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: t.file, Line: pe.Line, Column: pe.Column, Err: pe.Err}
	}
	return fmt.Errorf("%s: %w", t.file, err)
}

// readHeader reads the header row and checks that the required columns are
// there.
func (t *table) readHeader(required ...string) error {
	rec, err := t.r.Read()
	if err == io.EOF {
		return &ParseError{File: t.file, Line: 1, Err: errors.New("empty file: no header row")}
	}
	if err != nil {
		return t.wrap(err)
	}
	t.header = slices.Clone(rec)
	if len(t.header) > 0 {
		t.header[0] = strings.TrimPrefix(t.header[0], "\ufeff")
	}
	t.index = make(map[string]int, len(t.header))
	for i, h := range t.header {
		if _, dup := t.index[h]; dup {
			return &ParseError{File: t.file, Line: 1, Column: i + 1, Name: h, Err: errors.New("repeated column")}
		}
		t.index[h] = i
	}
	for _, name := range required {
		if _, ok := t.index[name]; !ok {
			return &ParseError{File: t.file, Line: 1, Err: fmt.Errorf("missing column %q", name)}
		}
	}
	return nil
}

// next reads a row; it returns false at the end of the file.
func (t *table) next() (bool, error) {
	rec, err := t.r.Read()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, t.wrap(err)
	}
	if len(rec) != len(t.header) {
		line, _ := t.r.FieldPos(0)
		return false, &ParseError{File: t.file, Line: line, Err: fmt.Errorf("%d fields, want %d as in the header", len(rec), len(t.header))}
	}
	t.row = rec
	return true, nil
}

func (t *table) fail(col int, err error) error {
	line, _ := t.r.FieldPos(col)
	return &ParseError{File: t.file, Line: line, Column: col + 1, Name: t.header[col], Err: err}
}

// str is the named column of the current row, "" if the file lacks it.
func (t *table) str(name string) string {
	i, ok := t.index[name]
	if !ok {
		return ""
	}
	return t.row[i]
}

func (t *table) int64(name string, dst *int64) error {
	i, ok := t.index[name]
	if !ok {
		return nil
	}
	v, err := strconv.ParseInt(t.row[i], 10, 64)
	if err != nil {
		return t.fail(i, fmt.Errorf("invalid integer %q", t.row[i]))
	}
	*dst = v
	return nil
}

func (t *table) int(name string, dst *int) error {
	i, ok := t.index[name]
	if !ok {
		return nil
	}
	v, err := strconv.Atoi(t.row[i])
	if err != nil {
		return t.fail(i, fmt.Errorf("invalid integer %q", t.row[i]))
	}
	*dst = v
	return nil
}

func (t *table) vote(name string, dst *opinion.Vote) error {
	i := t.index[name]
	v, err := parseVote(t.row[i])
	if err != nil {
		return t.fail(i, err)
	}
	*dst = v
	return nil
}

// ReadComments reads comments.csv.
func ReadComments(r io.Reader) ([]Comment, error) {
	t := newTable(CommentsFile, r)
	if err := t.readHeader("timestamp", "comment-id", "author-id", "moderated", "comment-body"); err != nil {
		return nil, err
	}
	var out []Comment
	for {
		ok, err := t.next()
		if err != nil || !ok {
			return out, err
		}
		c := Comment{Datetime: t.str("datetime"), Body: t.str("comment-body")}
		err = errors.Join(
			t.int64("timestamp", &c.Timestamp),
			t.int("comment-id", &c.ID),
			t.int("author-id", &c.Author),
			t.int("agrees", &c.Agrees),
			t.int("disagrees", &c.Disagrees),
			t.int("moderated", &c.Moderated),
		)
		if err != nil {
			return nil, firstError(err)
		}
		if c.Moderated < ModeratedOut || c.Moderated > Accepted {
			return nil, t.fail(t.index["moderated"], fmt.Errorf("invalid moderation state %d: want 1, 0 or -1", c.Moderated))
		}
		out = append(out, c)
	}
}

// ReadVotes reads votes.csv.
func ReadVotes(r io.Reader) ([]Vote, error) {
	t := newTable(VotesFile, r)
	if err := t.readHeader("timestamp", "comment-id", "voter-id", "vote"); err != nil {
		return nil, err
	}
	var out []Vote
	for {
		ok, err := t.next()
		if err != nil || !ok {
			return out, err
		}
		v := Vote{Datetime: t.str("datetime")}
		err = errors.Join(
			t.int64("timestamp", &v.Timestamp),
			t.int("comment-id", &v.Comment),
			t.int("voter-id", &v.Voter),
			t.vote("vote", &v.Vote),
		)
		if err != nil {
			return nil, firstError(err)
		}
		out = append(out, v)
	}
}

var participantColumns = []string{"participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"}

// ReadParticipantVotes reads participants-votes.csv. Every column after the
// fixed ones is a comment ID; an empty cell is a comment not seen, and an
// empty group-id a participant Polis did not group.
func ReadParticipantVotes(r io.Reader) (*ParticipantVotes, error) {
	t := newTable(ParticipantsFile, r)
	if err := t.readHeader("participant", "group-id"); err != nil {
		return nil, err
	}
	pv := &ParticipantVotes{}
	var cols []int // header position of each comment column
	seen := map[int]bool{}
	for i, h := range t.header {
		if slices.Contains(participantColumns, h) {
			continue
		}
		id, err := strconv.Atoi(h)
		if err != nil {
			return nil, &ParseError{File: t.file, Line: 1, Column: i + 1, Name: h, Err: errors.New("column is neither a known field nor a comment ID")}
		}
		if seen[id] {
			return nil, &ParseError{File: t.file, Line: 1, Column: i + 1, Name: h, Err: fmt.Errorf("comment %d has two columns", id)}
		}
		seen[id] = true
		pv.Comments = append(pv.Comments, id)
		cols = append(cols, i)
	}
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return pv, nil
		}
		p := Participant{Group: -1}
		err = errors.Join(
			t.int("participant", &p.ID),
			t.int("n-comments", &p.Comments),
			t.int("n-votes", &p.Votes),
			t.int("n-agree", &p.Agrees),
			t.int("n-disagree", &p.Disagrees),
		)
		if err != nil {
			return nil, firstError(err)
		}
		if t.str("group-id") != "" {
			if err := t.int("group-id", &p.Group); err != nil {
				return nil, err
			}
			if p.Group < 0 {
				return nil, t.fail(t.index["group-id"], fmt.Errorf("negative group %d", p.Group))
			}
		}
		for k, i := range cols {
			cell := t.row[i]
			if cell == "" {
				continue
			}
			v, err := parseVote(cell)
			if err != nil {
				return nil, t.fail(i, err)
			}
			if p.Cells == nil {
				p.Cells = map[int]opinion.Vote{}
			}
			p.Cells[pv.Comments[k]] = v
		}
		pv.Participants = append(pv.Participants, p)
	}
}

// ReadSummary reads summary.csv: rows of key and value, no header.
func ReadSummary(r io.Reader) ([]SummaryField, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	var out []SummaryField
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &ParseError{File: SummaryFile, Line: pe.Line, Column: pe.Column, Err: pe.Err}
			}
			return nil, fmt.Errorf("%s: %w", SummaryFile, err)
		}
		if len(rec) > 2 {
			line, _ := cr.FieldPos(0)
			return nil, &ParseError{File: SummaryFile, Line: line, Err: fmt.Errorf("%d fields, want a key and a value", len(rec))}
		}
		f := SummaryField{Key: rec[0]}
		if len(out) == 0 {
			f.Key = strings.TrimPrefix(f.Key, "\ufeff")
		}
		if len(rec) == 2 {
			f.Value = rec[1]
		}
		out = append(out, f)
	}
}

// Get returns the value of the first field with the given key.
func Get(summary []SummaryField, key string) (string, bool) {
	for _, f := range summary {
		if f.Key == key {
			return f.Value, true
		}
	}
	return "", false
}

func firstError(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		if errs := j.Unwrap(); len(errs) > 0 {
			return errs[0]
		}
	}
	return err
}

// datetime is how Polis prints a timestamp, in UTC.
func datetime(ms int64, given string) string {
	if given != "" {
		return given
	}
	return time.UnixMilli(ms).UTC().Format("Mon Jan 02 15:04:05 MST 2006")
}

// WriteComments writes comments.csv.
func WriteComments(w io.Writer, comments []Comment) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated", "comment-body"})
	for _, c := range comments {
		_ = cw.Write([]string{
			strconv.FormatInt(c.Timestamp, 10), datetime(c.Timestamp, c.Datetime),
			strconv.Itoa(c.ID), strconv.Itoa(c.Author), strconv.Itoa(c.Agrees), strconv.Itoa(c.Disagrees),
			strconv.Itoa(c.Moderated), c.Body,
		})
	}
	cw.Flush()
	return cw.Error()
}

// WriteVotes writes votes.csv.
func WriteVotes(w io.Writer, votes []Vote) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"timestamp", "datetime", "comment-id", "voter-id", "vote"})
	for _, v := range votes {
		if v.Vote < opinion.Disagree || v.Vote > opinion.Agree {
			return fmt.Errorf("polis: invalid vote %d by voter %d on comment %d", v.Vote, v.Voter, v.Comment)
		}
		_ = cw.Write([]string{
			strconv.FormatInt(v.Timestamp, 10), datetime(v.Timestamp, v.Datetime),
			strconv.Itoa(v.Comment), strconv.Itoa(v.Voter), formatVote(v.Vote),
		})
	}
	cw.Flush()
	return cw.Error()
}

// WriteParticipantVotes writes participants-votes.csv; a Group below 0 is
// written empty.
func WriteParticipantVotes(w io.Writer, pv *ParticipantVotes) error {
	cw := csv.NewWriter(w)
	header := slices.Clone(participantColumns)
	for _, id := range pv.Comments {
		header = append(header, strconv.Itoa(id))
	}
	_ = cw.Write(header)
	row := make([]string, len(header))
	for _, p := range pv.Participants {
		group := ""
		if p.Group >= 0 {
			group = strconv.Itoa(p.Group)
		}
		copy(row, []string{strconv.Itoa(p.ID), group, strconv.Itoa(p.Comments), strconv.Itoa(p.Votes), strconv.Itoa(p.Agrees), strconv.Itoa(p.Disagrees)})
		for k, id := range pv.Comments {
			row[len(participantColumns)+k] = ""
			if v, ok := p.Cells[id]; ok {
				if v < opinion.Disagree || v > opinion.Agree {
					return fmt.Errorf("polis: invalid vote %d by participant %d on comment %d", v, p.ID, id)
				}
				row[len(participantColumns)+k] = formatVote(v)
			}
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// WriteSummary writes summary.csv.
func WriteSummary(w io.Writer, summary []SummaryField) error {
	cw := csv.NewWriter(w)
	for _, f := range summary {
		_ = cw.Write([]string{f.Key, f.Value})
	}
	cw.Flush()
	return cw.Error()
}
