package web

import (
	"bytes"
	"net/http"
	"strconv"

	"parley/internal/apperr"
	"parley/internal/conversation"
	"parley/internal/polis"
)

// conversationExport serves a conversation as open data in the Polis
// export format, so results can be checked and compared elsewhere.
// Statements and participants carry Parley's own numbers; nothing names
// a person.
func (s *Server) conversationExport(w http.ResponseWriter, r *http.Request) error {
	c, o, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	file := r.PathValue("file")
	var buf bytes.Buffer
	switch file {
	case polis.SummaryFile, polis.CommentsFile, polis.VotesFile, polis.ParticipantsFile:
	default:
		return errNotFound
	}
	ctx := r.Context()
	if file == polis.SummaryFile {
		counts, err := s.Store.ConversationCounts(ctx, c.ID)
		if err != nil {
			return err
		}
		err = polis.WriteSummary(&buf, []polis.SummaryField{
			{Key: "topic", Value: c.Title("en")},
			{Key: "url", Value: s.BaseURL + "/conversations/" + strconv.FormatInt(c.ID, 10)},
			{Key: "voters", Value: strconv.Itoa(counts.Participants)},
			{Key: "comments", Value: strconv.Itoa(counts.Statements)},
			{Key: "conversation-description", Value: c.Question("en")},
			{Key: "organisation", Value: o.Name("en")},
		})
		if err != nil {
			return err
		}
		return writeCSV(w, c.ID, file, buf.Bytes())
	}
	statements, err := s.Store.Statements(ctx, c.ID, "")
	if err != nil {
		return err
	}
	votes, err := s.Store.VoteMatrix(ctx, c.ID)
	if err != nil {
		return err
	}
	ex := conversation.PolisExport(statements, votes)
	switch file {
	case polis.CommentsFile:
		err = polis.WriteComments(&buf, ex.Comments)
	case polis.VotesFile:
		err = polis.WriteVotes(&buf, ex.Votes)
	case polis.ParticipantsFile:
		pv := ex.ParticipantVotes()
		// The groups Parley found go in group-id, as Polis puts its own.
		res, rerr := s.results(r, c.ID)
		if rerr != nil && !apperr.Is(rerr, apperr.NotFound) {
			return rerr
		}
		if res != nil {
			for i, p := range pv.Participants {
				if pl, ok := res.Placement(int64(p.ID)); ok {
					pv.Participants[i].Group = pl.Group
				}
			}
		}
		err = polis.WriteParticipantVotes(&buf, pv)
	}
	if err != nil {
		return err
	}
	return writeCSV(w, c.ID, file, buf.Bytes())
}

// writeCSV serves one export file as a download.
func writeCSV(w http.ResponseWriter, convID int64, file string, body []byte) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="conversation-`+strconv.FormatInt(convID, 10)+"-"+file+`"`)
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, err := w.Write(body)
	return err
}
