package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/conversation"
	"parley/internal/org"
	"parley/internal/polis"
)

// StaffConversationsPage lists an organisation's conversations for staff.
type StaffConversationsPage struct {
	Base
	Org           OrgItem
	CanEdit       bool
	Conversations []StaffConversationItem
}

// StaffConversationItem is a conversation in the staff list.
type StaffConversationItem struct {
	ConversationItem
	Counts conversation.Counts
}

func (s *Server) staffConversations(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	lang := langOf(r)
	page := StaffConversationsPage{Base: s.orgBase(r, "conversations.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)},
		CanEdit: p.Can(o.ID, account.PermEdit)}
	list, err := s.Store.Conversations(r.Context(), o.ID, true)
	if err != nil {
		return err
	}
	counts, err := s.Store.OrgConversationCounts(r.Context(), o.ID)
	if err != nil {
		return err
	}
	for _, c := range list {
		page.Conversations = append(page.Conversations, StaffConversationItem{ConversationItem: conversationItem(c, lang), Counts: counts[c.ID]})
	}
	return s.render(w, r, http.StatusOK, "staff-conversations", page)
}

// NewConversationPage is the form that starts a conversation.
type NewConversationPage struct {
	Base
	Org        OrgItem
	TitleEN    string
	TitleCY    string
	QuestionEN string
	QuestionCY string
	Moderation string
	Anonymous  bool
	Seeds      string
}

func (s *Server) newConversationForm(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	page := NewConversationPage{Base: s.orgBase(r, "conversations.new.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))},
		Moderation: string(conversation.PostModeration), Anonymous: true}
	return s.render(w, r, http.StatusOK, "conversation-new", page)
}

func (s *Server) createConversation(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c := conversation.Conversation{OrgID: o.ID, TitleEN: r.PostFormValue("title_en"), TitleCY: r.PostFormValue("title_cy"),
		QuestionEN: r.PostFormValue("question_en"), QuestionCY: r.PostFormValue("question_cy"),
		Moderation: conversation.Moderation(r.PostFormValue("moderation")), Anonymous: r.PostFormValue("anonymous") == "yes",
		Status: conversation.Draft}
	seeds := r.PostFormValue("statements")
	c, err := s.Store.CreateConversation(r.Context(), c, lines(seeds), p.User.ID)
	if apperr.Is(err, apperr.Invalid) {
		page := NewConversationPage{Base: s.orgBase(r, "conversations.new.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))},
			TitleEN: c.TitleEN, TitleCY: c.TitleCY, QuestionEN: c.QuestionEN, QuestionCY: c.QuestionCY,
			Moderation: string(c.Moderation), Anonymous: c.Anonymous, Seeds: seeds}
		var ae *apperr.Error
		errors.As(err, &ae)
		page.withErrors(ae.Order, ae.Fields)
		return s.render(w, r, http.StatusUnprocessableEntity, "conversation-new", page)
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "conversations.created")
	http.Redirect(w, r, staffConversationURL(o, c.ID), http.StatusSeeOther)
	return nil
}

func staffConversationURL(o org.Organisation, id int64) string {
	return "/staff/" + o.Slug + "/conversations/" + strconv.FormatInt(id, 10)
}

// lines splits a text area into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// ManageConversationPage is where staff run one conversation.
type ManageConversationPage struct {
	Base
	Org         OrgItem
	C           ConversationItem
	Counts      conversation.Counts
	Pending     []conversation.Statement
	Statements  []conversation.Statement
	CanEdit     bool
	CanModerate bool
	CanOpen     bool
	CanClose    bool
	CanReport   bool
	Response    string
	Seeds       string
}

// staffConversation loads the conversation named by {id}, which must be the organisation's.
func (s *Server) staffConversation(r *http.Request, o org.Organisation) (conversation.Conversation, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return conversation.Conversation{}, errNotFound
	}
	c, err := s.Store.Conversation(r.Context(), id)
	if err == nil && c.OrgID != o.ID {
		return c, errNotFound
	}
	return c, err
}

func (s *Server) manageConversationPage(r *http.Request, o org.Organisation, p *account.Principal, c conversation.Conversation) (ManageConversationPage, error) {
	lang := langOf(r)
	page := ManageConversationPage{Base: s.orgBase(r, "", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)}, C: conversationItem(c, lang),
		CanEdit: p.Can(o.ID, account.PermEdit), CanModerate: p.Can(o.ID, account.PermModerate), Response: c.Response}
	page.Title = page.C.Title
	page.CanOpen = page.CanEdit && conversation.CanMove(c.Status, conversation.Open)
	page.CanClose = page.CanEdit && conversation.CanMove(c.Status, conversation.Closed)
	page.CanReport = page.CanEdit && (c.Status == conversation.Closed || c.Status == conversation.Reported)
	var err error
	if page.Counts, err = s.Store.ConversationCounts(r.Context(), c.ID); err != nil {
		return page, err
	}
	all, err := s.Store.Statements(r.Context(), c.ID, "")
	if err != nil {
		return page, err
	}
	for _, st := range all {
		if st.Status == conversation.Pending {
			page.Pending = append(page.Pending, st)
		} else {
			page.Statements = append(page.Statements, st)
		}
	}
	return page, nil
}

func (s *Server) manageConversation(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConversation(r, o)
	if err != nil {
		return err
	}
	page, err := s.manageConversationPage(r, o, p, c)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "conversation-manage", page)
}

// manageError shows the manage page again with a form's errors.
func (s *Server) manageError(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal, c conversation.Conversation, err error, fill func(*ManageConversationPage)) error {
	page, perr := s.manageConversationPage(r, o, p, c)
	if perr != nil {
		return perr
	}
	fill(&page)
	var ae *apperr.Error
	errors.As(err, &ae)
	page.withErrors(ae.Order, ae.Fields)
	return s.render(w, r, http.StatusUnprocessableEntity, "conversation-manage", page)
}

func (s *Server) conversationStatus(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConversation(r, o)
	if err != nil {
		return err
	}
	to := conversation.Status(r.PostFormValue("status"))
	if to != conversation.Open && to != conversation.Closed {
		return apperr.New(apperr.Invalid, "error.conversation.status.unknown")
	}
	if err := s.Store.SetConversationStatus(r.Context(), c.ID, to, p.User.ID); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "conversations.status."+string(to))
	http.Redirect(w, r, staffConversationURL(o, c.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) conversationSeeds(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConversation(r, o)
	if err != nil {
		return err
	}
	seeds := r.PostFormValue("statements")
	if _, err := s.Store.AddSeedStatements(r.Context(), c.ID, lines(seeds), p.User.ID); apperr.Is(err, apperr.Invalid) {
		return s.manageError(w, r, o, p, c, err, func(pg *ManageConversationPage) { pg.Seeds = seeds })
	} else if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "conversations.seeded")
	http.Redirect(w, r, staffConversationURL(o, c.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) moderateStatement(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConversation(r, o)
	if err != nil {
		return err
	}
	sid, err := strconv.ParseInt(r.PathValue("statement"), 10, 64)
	if err != nil {
		return errNotFound
	}
	to := conversation.StatementStatus(r.PostFormValue("decision"))
	if err := s.Store.ModerateStatement(r.Context(), c.ID, sid, to, p.User.ID); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "conversations.moderated."+string(to))
	http.Redirect(w, r, staffConversationURL(o, c.ID)+"#moderation", http.StatusSeeOther)
	return nil
}

func (s *Server) conversationPublishReport(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConversation(r, o)
	if err != nil {
		return err
	}
	response := strings.TrimSpace(r.PostFormValue("response"))
	if err := s.Store.PublishConversationReport(r.Context(), c.ID, response, p.User.ID); apperr.Is(err, apperr.Invalid) {
		return s.manageError(w, r, o, p, c, err, func(pg *ManageConversationPage) { pg.Response = response })
	} else if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "conversations.reported")
	http.Redirect(w, r, staffConversationURL(o, c.ID), http.StatusSeeOther)
	return nil
}

// paragraphs splits text on blank lines, for display as paragraphs.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// maxImportBytes bounds an upload of Polis files: vTaiwan's whole export
// is under 4 MB.
const maxImportBytes = 64 << 20

// ImportConversationPage is the form that imports a Polis export.
type ImportConversationPage struct {
	Base
	Org         OrgItem
	TitleEN     string
	QuestionEN  string
	Attribution string
}

func (s *Server) importConversationForm(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	page := ImportConversationPage{Base: s.orgBase(r, "conversations.import.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))}}
	return s.render(w, r, http.StatusOK, "conversation-import", page)
}

// importConversation reads uploaded Polis files (comments.csv with
// votes.csv or participants-votes.csv) into a new, closed conversation.
func (s *Server) importConversation(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return apperr.Wrap(apperr.Invalid, err, "error.import.form")
	}
	defer r.MultipartForm.RemoveAll()
	page := ImportConversationPage{Base: s.orgBase(r, "conversations.import.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))},
		TitleEN: strings.TrimSpace(r.FormValue("title_en")), QuestionEN: strings.TrimSpace(r.FormValue("question_en")),
		Attribution: strings.TrimSpace(r.FormValue("attribution"))}
	ex, fields := readPolisUpload(r)
	if len(fields.Order()) == 0 {
		statements, votes := conversation.FromPolis(ex)
		c := conversation.Conversation{OrgID: o.ID, TitleEN: page.TitleEN, QuestionEN: page.QuestionEN, Attribution: page.Attribution,
			Status: conversation.Closed, Moderation: conversation.PreModeration}
		saved, err := s.Store.ImportConversation(r.Context(), c, statements, votes, p.User.ID)
		if err == nil {
			s.WakeJobs()
			s.sessions.Put(r.Context(), "flash", "conversations.imported")
			http.Redirect(w, r, staffConversationURL(o, saved.ID), http.StatusSeeOther)
			return nil
		}
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Kind != apperr.Invalid {
			return err
		}
		for _, f := range ae.Order {
			fields.Add(f, ae.Fields[f])
		}
		if len(ae.Order) == 0 {
			fields.Add("comments", ae.Msg)
		}
	}
	var ae *apperr.Error
	errors.As(fields.Err(), &ae)
	page.withErrors(ae.Order, ae.Fields)
	return s.render(w, r, http.StatusUnprocessableEntity, "conversation-import", page)
}

// readPolisUpload parses the uploaded files; a file that does not parse is
// a field error naming its line and column.
func readPolisUpload(r *http.Request) (*polis.Export, apperr.Fields) {
	var ex polis.Export
	var fields apperr.Fields
	read := func(field string, required bool, parse func(f io.Reader) error) {
		f, _, err := r.FormFile(field)
		if errors.Is(err, http.ErrMissingFile) {
			if required {
				fields.Add(field, "error.import."+field+".required")
			}
			return
		}
		if err != nil {
			fields.Add(field, "error.import.form")
			return
		}
		defer f.Close()
		if err := parse(f); err != nil {
			fields.Add(field, err.Error())
		}
	}
	read("comments", true, func(f io.Reader) (err error) { ex.Comments, err = polis.ReadComments(f); return })
	read("votes", false, func(f io.Reader) (err error) { ex.Votes, err = polis.ReadVotes(f); return })
	read("participants", false, func(f io.Reader) (err error) { ex.Participants, err = polis.ReadParticipantVotes(f); return })
	if len(fields.Order()) == 0 && len(ex.Votes) == 0 && (ex.Participants == nil || len(ex.Participants.Participants) == 0) {
		fields.Add("votes", "error.import.votes.required")
	}
	return &ex, fields
}
