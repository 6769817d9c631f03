package web

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/conversation"
	"parley/internal/org"
)

// participantCookie holds a browser's secret for conversations that allow
// taking part without an account. Only its hash, salted with the
// conversation, is stored, so two conversations cannot be linked by it.
const participantCookie = "parley_participant"

// participantCookieAge keeps the identity for a conversation's usual life.
const participantCookieAge = 180 * 24 * time.Hour

// ConversationPage is a conversation's public page: the next statement to
// vote on, and the form to add one.
type ConversationPage struct {
	Base
	Org       OrgItem
	C         ConversationItem
	Counts    conversation.Counts
	Statement *conversation.Statement // the next statement to vote on; nil when none is left
	// Reportable: the statement may be reported from here (not one staff
	// wrote to start the conversation, nor the viewer's own).
	Reportable  bool
	Voted       int  // statements this participant has voted on
	CanTakePart bool // open, and signed in or anonymous participation allowed
	SignInURL   string
	NewText     string // the add-a-statement form, refilled after an error
	MaxChars    int
}

// ConversationItem is a conversation in the page's language.
type ConversationItem struct {
	ID          int64
	Title       string
	Question    string
	Status      string
	Attribution string
	Moderation  string
	Reported    bool
	Open        bool
}

func conversationItem(c conversation.Conversation, lang string) ConversationItem {
	return ConversationItem{ID: c.ID, Title: c.Title(lang), Question: c.Question(lang), Status: string(c.Status),
		Attribution: c.Attribution, Moderation: string(c.Moderation), Reported: c.Status == conversation.Reported, Open: c.Voting()}
}

// conversationFromPath loads the public conversation named by {id}, and its organisation.
func (s *Server) conversationFromPath(r *http.Request) (conversation.Conversation, org.Organisation, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return conversation.Conversation{}, org.Organisation{}, errNotFound
	}
	c, err := s.Store.Conversation(r.Context(), id)
	if err != nil {
		return c, org.Organisation{}, err
	}
	o, err := s.Store.OrgByID(r.Context(), c.OrgID)
	if err != nil {
		return c, o, err
	}
	if !c.Public() {
		// A draft is seen only by its organisation's staff.
		if p := principalOf(r); p == nil || !p.Can(o.ID, account.PermStaffArea) {
			return c, o, errNotFound
		}
	}
	return c, o, nil
}

// participantOf says who is taking part: the signed-in user, or the
// browser's cookie when the conversation allows that. ok is false when the
// visitor must sign in first.
func participantOf(r *http.Request, c conversation.Conversation) (conversation.Participant, bool) {
	if p := principalOf(r); p != nil {
		return conversation.Participant{UserID: p.User.ID}, true
	}
	if !c.Anonymous {
		return conversation.Participant{}, false
	}
	if ck, err := r.Cookie(participantCookie); err == nil && len(ck.Value) >= 32 && len(ck.Value) <= 100 {
		return conversation.Participant{CookieHash: cookieHash(ck.Value, c.ID)}, true
	}
	return conversation.Participant{}, true // a newcomer: the cookie is set on their first vote
}

func cookieHash(secret string, convID int64) string {
	return account.HashSecret(secret + ":" + strconv.FormatInt(convID, 10))
}

// ensureParticipant gives a newcomer to an anonymous conversation their cookie.
func (s *Server) ensureParticipant(w http.ResponseWriter, r *http.Request, c conversation.Conversation) (conversation.Participant, error) {
	p, ok := participantOf(r, c)
	if !ok {
		return p, apperr.New(apperr.Unauthenticated, "error.conversation.sign_in")
	}
	if p.UserID != 0 || p.CookieHash != "" {
		return p, nil
	}
	secret, _ := account.NewSecret("")
	http.SetCookie(w, &http.Cookie{Name: participantCookie, Value: secret, Path: "/conversations/",
		MaxAge: int(participantCookieAge / time.Second), HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	return conversation.Participant{CookieHash: cookieHash(secret, c.ID)}, nil
}

func (s *Server) conversationPage(w http.ResponseWriter, r *http.Request) error {
	c, o, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	page, err := s.conversationView(r, c, o)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "conversation", page)
}

func (s *Server) conversationView(r *http.Request, c conversation.Conversation, o org.Organisation) (ConversationPage, error) {
	lang := langOf(r)
	page := ConversationPage{Base: s.orgBase(r, "", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)},
		C: conversationItem(c, lang), MaxChars: conversation.MaxStatement,
		SignInURL: "/sign-in?return=/conversations/" + strconv.FormatInt(c.ID, 10)}
	page.Title = page.C.Title
	// What was just done is said in the address, not the session, so
	// voting writes nothing but the vote.
	switch r.URL.Query().Get("done") {
	case "voted":
		page.Flash = page.T("conversation.voted")
	case "added":
		page.Flash = page.T("conversation.statement_added")
	case "pending":
		page.Flash = page.T("conversation.statement_pending")
	}
	ctx := r.Context()
	var err error
	if page.Counts, err = s.Store.ConversationCounts(ctx, c.ID); err != nil {
		return page, err
	}
	who, ok := participantOf(r, c)
	page.CanTakePart = ok && c.Voting()
	if !page.CanTakePart {
		return page, nil
	}
	pid, err := s.Store.ParticipantID(ctx, c.ID, who)
	if err != nil {
		return page, err
	}
	seen := map[int64]conversation.Vote{}
	if pid != 0 {
		if seen, err = s.Store.VotedStatements(ctx, c.ID, pid); err != nil {
			return page, err
		}
	}
	page.Voted = len(seen)
	statements, err := s.Store.Statements(ctx, c.ID, conversation.Approved)
	if err != nil {
		return page, err
	}
	res, err := s.results(r, c.ID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return page, err
	}
	if next, ok := conversation.Next(res, statements, seen, rand.Float64()); ok {
		page.Statement = &next
		page.Reportable = !next.Seed && (pid == 0 || next.ParticipantID != pid)
	}
	return page, nil
}

func (s *Server) conversationVote(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	if _, ok := participantOf(r, c); !ok {
		return s.toSignIn(w, r, c)
	}
	sid, err := strconv.ParseInt(r.PostFormValue("statement"), 10, 64)
	if err != nil {
		return apperr.New(apperr.Invalid, "error.statement.not_found")
	}
	v, err := conversation.ParseVote(r.PostFormValue("vote"))
	if err != nil {
		return apperr.New(apperr.Invalid, "error.vote.choose")
	}
	// Generous: a person votes every few seconds, a kiosk or a shared
	// connection (a school, a library) many times that.
	if err := s.limits.allow("vote:"+clientIP(r), rule{burst: 120, every: 50 * time.Millisecond}); err != nil {
		return err
	}
	who, err := s.ensureParticipant(w, r, c)
	if err != nil {
		return err
	}
	if _, err := s.Store.Vote(r.Context(), c.ID, who, sid, v, conversation.ChannelWeb); err != nil {
		return err
	}
	http.Redirect(w, r, "/conversations/"+strconv.FormatInt(c.ID, 10)+"?done=voted#vote", http.StatusSeeOther)
	return nil
}

func (s *Server) conversationAddStatement(w http.ResponseWriter, r *http.Request) error {
	c, o, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	if _, ok := participantOf(r, c); !ok {
		return s.toSignIn(w, r, c)
	}
	if err := s.limits.allow("statement:"+clientIP(r), rule{burst: 10, every: 30 * time.Second}); err != nil {
		return err
	}
	text := r.PostFormValue("statement")
	who, err := s.ensureParticipant(w, r, c)
	if err != nil {
		return err
	}
	st, err := s.Store.AddStatement(r.Context(), c.ID, who, text)
	if apperr.Is(err, apperr.Invalid) {
		page, perr := s.conversationView(r, c, o)
		if perr != nil {
			return perr
		}
		page.NewText = text
		var ae *apperr.Error
		errors.As(err, &ae)
		page.withErrors(ae.Order, ae.Fields)
		w.Header().Set("Cache-Control", "no-store")
		return s.render(w, r, http.StatusUnprocessableEntity, "conversation", page)
	}
	if err != nil {
		return err
	}
	done := "added"
	if st.Status == conversation.Pending {
		done = "pending"
	}
	http.Redirect(w, r, "/conversations/"+strconv.FormatInt(c.ID, 10)+"?done="+done, http.StatusSeeOther)
	return nil
}

// toSignIn sends a visitor who must sign in to take part to the sign-in
// page, and back to the conversation afterwards.
func (s *Server) toSignIn(w http.ResponseWriter, r *http.Request, c conversation.Conversation) error {
	s.sessions.Put(r.Context(), "return_to", "/conversations/"+strconv.FormatInt(c.ID, 10))
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
	return nil
}

// resultsCache keeps decoded results per conversation until a newer run
// is saved: the map and report pages then cost no JSON decoding.
type resultsCache struct {
	mu      sync.Mutex
	entries map[int64]*conversation.Results
}

// results returns the conversation's latest results (NotFound before the first run).
func (s *Server) results(r *http.Request, convID int64) (*conversation.Results, error) {
	at, err := s.Store.ConversationResultAt(r.Context(), convID)
	if err != nil {
		return nil, err
	}
	s.resultsCache.mu.Lock()
	res, ok := s.resultsCache.entries[convID]
	s.resultsCache.mu.Unlock()
	if ok && res.ComputedAt.Equal(at) {
		return res, nil
	}
	body, at, err := s.Store.ConversationResult(r.Context(), convID)
	if err != nil {
		return nil, err
	}
	res = new(conversation.Results)
	if err := json.Unmarshal(body, res); err != nil {
		return nil, err
	}
	res.ComputedAt = at
	s.resultsCache.mu.Lock()
	defer s.resultsCache.mu.Unlock()
	if s.resultsCache.entries == nil || len(s.resultsCache.entries) > 1000 {
		s.resultsCache.entries = map[int64]*conversation.Results{}
	}
	s.resultsCache.entries[convID] = res
	return res, nil
}
