package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/conversation"
	"parley/internal/polis"
)

// maxBallot bounds the votes one request may carry.
const maxBallot = 1000

type conversationJSON struct {
	ID           int64             `json:"id"`
	Organisation string            `json:"organisation"`
	Title        nameJSON          `json:"title"`
	Question     nameJSON          `json:"question"`
	Status       string            `json:"status"`
	Moderation   string            `json:"moderation"`
	Anonymous    bool              `json:"anonymous"`
	Attribution  string            `json:"attribution"`
	Response     string            `json:"response"`
	CreatedAt    string            `json:"created_at"`
	Counts       countsJSON        `json:"counts"`
	Links        conversationLinks `json:"links"`
}

type countsJSON struct {
	Participants int `json:"participants"`
	Votes        int `json:"votes"`
	Statements   int `json:"statements"`
	Pending      int `json:"pending"`
}

type conversationLinks struct {
	Self    string `json:"self"`
	HTML    string `json:"html"`
	Results string `json:"results"`
}

type statementJSON struct {
	ID         int64  `json:"id"`
	Text       string `json:"text"`
	Status     string `json:"status"`
	Seed       bool   `json:"seed"`
	ExternalID string `json:"external_id,omitempty"`
	CreatedAt  string `json:"created_at"`
}

func (a *API) conversationJSON(c conversation.Conversation, orgSlug string, n conversation.Counts) conversationJSON {
	id := strconv.FormatInt(c.ID, 10)
	return conversationJSON{
		ID: c.ID, Organisation: orgSlug, Status: string(c.Status), Moderation: string(c.Moderation), Anonymous: c.Anonymous,
		Title:       nameJSON{EN: c.Title("en"), CY: c.Title("cy")},
		Question:    nameJSON{EN: c.Question("en"), CY: c.Question("cy")},
		Attribution: c.Attribution, Response: c.Response, CreatedAt: timestamp(c.CreatedAt),
		Counts: countsJSON{Participants: n.Participants, Votes: n.Votes, Statements: n.Statements, Pending: n.Pending},
		Links: conversationLinks{Self: a.baseURL + "/api/v1/conversations/" + id, HTML: a.baseURL + "/conversations/" + id,
			Results: a.baseURL + "/api/v1/conversations/" + id + "/results"},
	}
}

func statementOut(s conversation.Statement) statementJSON {
	return statementJSON{ID: s.ID, Text: s.Text, Status: string(s.Status), Seed: s.Seed, ExternalID: s.ExternalID, CreatedAt: timestamp(s.CreatedAt)}
}

// readJSON decodes a request body strictly: unknown fields are errors, so
// a misspelt field is not silently ignored.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return err
		}
		return requestError{apperr.New(apperr.Invalid, "The body is not valid JSON for this endpoint: %v", err)}
	}
	if dec.Decode(&struct{}{}) != io.EOF {
		return requestError{apperr.New(apperr.Invalid, "The body must hold one JSON object.")}
	}
	return nil
}

// conversationFor loads the conversation in the path; see engagementFor.
func (a *API) conversationFor(r *http.Request, c caller, perm account.Permission) (conversation.Conversation, string, error) {
	return engagementFor(a, r, c, perm, "error.conversation.not_found", a.st.Conversation,
		func(k conversation.Conversation) (int64, bool) { return k.OrgID, k.Public() })
}

func (a *API) conversationList(w http.ResponseWriter, r *http.Request, c caller) error {
	o, pg, after, err := a.listOf(r)
	if err != nil {
		return err
	}
	all, err := a.st.Conversations(r.Context(), o.ID, c.principal.Can(o.ID, account.PermStaffArea))
	if err != nil {
		return err
	}
	counts, err := a.st.OrgConversationCounts(r.Context(), o.ID)
	if err != nil {
		return err
	}
	// Newest first, so the cursor is the last ID served and the next page
	// holds smaller ones.
	out := list[conversationJSON]{Items: []conversationJSON{}}
	for _, conv := range all {
		if after >= 0 && conv.ID >= after {
			continue
		}
		if len(out.Items) == pg.limit {
			out.NextCursor = encodeCursor(strconv.FormatInt(out.Items[len(out.Items)-1].ID, 10))
			w.Header().Set("Link", "<"+a.nextURL(r, out.NextCursor, pg.limit)+`>; rel="next"`)
			break
		}
		out.Items = append(out.Items, a.conversationJSON(conv, o.Slug, counts[conv.ID]))
	}
	return writeJSON(w, http.StatusOK, out)
}

// conversationCreate is the body of POST /api/v1/conversations.
type conversationCreate struct {
	Organisation string   `json:"organisation"`
	Title        nameJSON `json:"title"`
	Question     nameJSON `json:"question"`
	Moderation   string   `json:"moderation"`
	Anonymous    bool     `json:"anonymous"`
	Open         bool     `json:"open"`
	Statements   []string `json:"statements"`
}

func (a *API) conversationCreate(w http.ResponseWriter, r *http.Request, c caller) error {
	var in conversationCreate
	if err := readJSON(r, &in); err != nil {
		return err
	}
	o, err := a.editing(r, c, in.Organisation)
	if err != nil {
		return err
	}
	conv := conversation.Conversation{OrgID: o.ID, TitleEN: in.Title.EN, TitleCY: in.Title.CY, QuestionEN: in.Question.EN,
		QuestionCY: in.Question.CY, Moderation: conversation.Moderation(in.Moderation), Anonymous: in.Anonymous, Status: conversation.Draft}
	if in.Open {
		conv.Status = conversation.Open
	}
	conv, err = a.st.CreateConversation(r.Context(), conv, in.Statements, c.principal.User.ID)
	if err != nil {
		return err
	}
	return a.writeConversation(w, r, conv, o.Slug, http.StatusCreated)
}

func (a *API) writeConversation(w http.ResponseWriter, r *http.Request, conv conversation.Conversation, slug string, status int) error {
	n, err := a.st.ConversationCounts(r.Context(), conv.ID)
	if err != nil {
		return err
	}
	out := a.conversationJSON(conv, slug, n)
	if status == http.StatusCreated {
		w.Header().Set("Location", out.Links.Self)
	}
	return writeJSON(w, status, out)
}

func (a *API) conversationGet(w http.ResponseWriter, r *http.Request, c caller) error {
	conv, slug, err := a.conversationFor(r, c, "")
	if err != nil {
		return err
	}
	return a.writeConversation(w, r, conv, slug, http.StatusOK)
}

// conversationUpdate is the body of PATCH /api/v1/conversations/{id}:
// a change of status, or the report.
type conversationUpdate struct {
	Status   string `json:"status"`   // open or closed
	Response string `json:"response"` // publishes the report (the conversation must be closed)
}

func (a *API) conversationPatch(w http.ResponseWriter, r *http.Request, c caller) error {
	conv, slug, err := a.conversationFor(r, c, account.PermEdit)
	if err != nil {
		return err
	}
	var in conversationUpdate
	if err := readJSON(r, &in); err != nil {
		return err
	}
	switch {
	case in.Status != "" && in.Response != "":
		return requestError{apperr.New(apperr.Invalid, "Change the status or publish the report, not both at once.")}
	case in.Status == string(conversation.Open) || in.Status == string(conversation.Closed):
		err = a.st.SetConversationStatus(r.Context(), conv.ID, conversation.Status(in.Status), c.principal.User.ID)
	case in.Status != "":
		var f apperr.Fields
		f.Add("status", "The status may be open or closed; publish a report with response.")
		return f.Err()
	case in.Response != "":
		err = a.st.PublishConversationReport(r.Context(), conv.ID, in.Response, c.principal.User.ID)
	default:
		return requestError{apperr.New(apperr.Invalid, "Give a status or a response.")}
	}
	if err != nil {
		return err
	}
	if conv, err = a.st.Conversation(r.Context(), conv.ID); err != nil {
		return err
	}
	return a.writeConversation(w, r, conv, slug, http.StatusOK)
}

func (a *API) statementList(w http.ResponseWriter, r *http.Request, c caller) error {
	conv, _, err := a.conversationFor(r, c, "")
	if err != nil {
		return err
	}
	status := conversation.Approved
	if c.principal.Can(conv.OrgID, account.PermModerate) {
		status = "" // moderators see what awaits them and what they rejected
	}
	all, err := a.st.Statements(r.Context(), conv.ID, status)
	if err != nil {
		return err
	}
	out := list[statementJSON]{Items: make([]statementJSON, 0, len(all))}
	for _, s := range all {
		out.Items = append(out.Items, statementOut(s))
	}
	return writeJSON(w, http.StatusOK, out)
}

type statementsAdd struct {
	Statements []string `json:"statements"`
}

func (a *API) statementAdd(w http.ResponseWriter, r *http.Request, c caller) error {
	conv, _, err := a.conversationFor(r, c, account.PermEdit)
	if err != nil {
		return err
	}
	var in statementsAdd
	if err := readJSON(r, &in); err != nil {
		return err
	}
	if _, err := a.st.AddSeedStatements(r.Context(), conv.ID, in.Statements, c.principal.User.ID); err != nil {
		return err
	}
	return a.statementList(w, r, c)
}

// ballot is the body of POST …/votes: votes keyed in at a kiosk or an
// event, each by the participant's identity in the caller's own system.
type ballot struct {
	Channel string `json:"channel"`
	Votes   []struct {
		Participant string `json:"participant"`
		Statement   int64  `json:"statement"`
		Vote        string `json:"vote"`
	} `json:"votes"`
}

func (a *API) voteAdd(w http.ResponseWriter, r *http.Request, c caller) error {
	conv, _, err := a.conversationFor(r, c, account.PermEdit)
	if err != nil {
		return err
	}
	var in ballot
	if err := readJSON(r, &in); err != nil {
		return err
	}
	if in.Channel == "" {
		in.Channel = conversation.ChannelEvent
	}
	var f apperr.Fields
	f.Check(conversation.ValidChannel(in.Channel) && in.Channel != conversation.ChannelImport, "channel", "The channel may be web, event, face_to_face or phone.")
	f.Check(len(in.Votes) > 0 && len(in.Votes) <= maxBallot, "votes", "Send between 1 and "+strconv.Itoa(maxBallot)+" votes.")
	entries := make([]conversation.BallotEntry, 0, len(in.Votes))
	for i, v := range in.Votes {
		field := "votes[" + strconv.Itoa(i) + "]"
		vote, err := conversation.ParseVote(v.Vote)
		f.Check(err == nil, field+".vote", "The vote must be agree, disagree or pass.")
		f.Check(v.Participant != "" && len(v.Participant) <= 100, field+".participant", "Give the participant's identity, up to 100 characters.")
		entries = append(entries, conversation.BallotEntry{Participant: v.Participant, StatementID: v.Statement, Vote: vote})
	}
	if err := f.Err(); err != nil {
		return err
	}
	if err := a.st.VoteBatch(r.Context(), conv.ID, entries, in.Channel); err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]int{"accepted": len(entries)})
}

// resultsJSON is what the math found, without the map positions.
type resultsJSON struct {
	ComputedAt   string                         `json:"computed_at"`
	Votes        int                            `json:"votes"`
	Participants int                            `json:"participants"`
	Clustered    int                            `json:"clustered"`
	Groups       []conversation.Group           `json:"groups"`
	Consensus    []conversation.Scored          `json:"consensus"`
	Statements   []conversation.StatementResult `json:"statements"`
}

func (a *API) conversationResults(w http.ResponseWriter, r *http.Request, c caller) error {
	conv, _, err := a.conversationFor(r, c, "")
	if err != nil {
		return err
	}
	body, at, err := a.st.ConversationResult(r.Context(), conv.ID)
	if err != nil {
		return err
	}
	var res conversation.Results
	if err := json.Unmarshal(body, &res); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, resultsJSON{ComputedAt: timestamp(at), Votes: res.Votes, Participants: res.Participants,
		Clustered: res.Clustered, Groups: res.Groups, Consensus: res.Consensus, Statements: res.Statements})
}

// exportJSON is the conversation as the Polis open-data files hold it
// (comments.csv and votes.csv), in JSON.
type exportJSON struct {
	Comments []exportComment `json:"comments"`
	Votes    []exportVote    `json:"votes"`
}

type exportComment struct {
	ID        int    `json:"comment_id"`
	Timestamp int64  `json:"timestamp"` // milliseconds since the Unix epoch
	Agrees    int    `json:"agrees"`
	Disagrees int    `json:"disagrees"`
	Moderated int    `json:"moderated"` // 1 shown, -1 rejected
	Body      string `json:"comment_body"`
}

type exportVote struct {
	Timestamp int64 `json:"timestamp"`
	Comment   int   `json:"comment_id"`
	Voter     int   `json:"voter_id"`
	Vote      int   `json:"vote"` // 1 agree, -1 disagree, 0 pass
}

func exportOut(comments []polis.Comment, votes []polis.Vote) exportJSON {
	out := exportJSON{Comments: make([]exportComment, len(comments)), Votes: make([]exportVote, len(votes))}
	for i, c := range comments {
		out.Comments[i] = exportComment{ID: c.ID, Timestamp: c.Timestamp, Agrees: c.Agrees, Disagrees: c.Disagrees, Moderated: c.Moderated, Body: c.Body}
	}
	for i, v := range votes {
		out.Votes[i] = exportVote{Timestamp: v.Timestamp, Comment: v.Comment, Voter: v.Voter, Vote: int(v.Vote)}
	}
	return out
}

func (a *API) conversationExport(w http.ResponseWriter, r *http.Request, c caller) error {
	conv, _, err := a.conversationFor(r, c, "")
	if err != nil {
		return err
	}
	statements, err := a.st.Statements(r.Context(), conv.ID, "")
	if err != nil {
		return err
	}
	votes, err := a.st.VoteMatrix(r.Context(), conv.ID)
	if err != nil {
		return err
	}
	ex := conversation.PolisExport(statements, votes)
	return writeJSON(w, http.StatusOK, exportOut(ex.Comments, ex.Votes))
}
