package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/listening"
	"parley/internal/org"
)

// The listening inbox: mentions found in the feeds an organisation
// watches, with filters, and one page per mention to triage it.

// ListeningNav is the sub-navigation shared by the listening pages.
type ListeningNav struct {
	Org     OrgItem
	Current string // "inbox", "feeds" or "rules"
}

// MentionItem is a mention as the pages show it, its matched terms marked.
type MentionItem struct {
	listening.Mention
	TitleMarks   []listening.Segment
	ExcerptMarks []listening.Segment
	Rules        []string // names of the rules it matched
	Assignee     string
}

// Option is one choice of a select or radios.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// ListeningInboxPage is the mentions inbox.
type ListeningInboxPage struct {
	Base
	Nav      ListeningNav
	Statuses []Option
	Rules    []Option
	Feeds    []Option
	Mentions []MentionItem
	Filtered bool
	Search   string
	NextURL  string // the next page of the same filter; "" at the end
}

const inboxPageSize = 50

func listeningNav(o org.Organisation, lang, current string) ListeningNav {
	return ListeningNav{Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)}, Current: current}
}

func idParam(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func (s *Server) listeningInbox(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	ctx, lang, q := r.Context(), langOf(r), r.URL.Query()
	fl := listening.MentionFilter{Status: listening.Status(q.Get("status")), RuleID: idParam(q.Get("rule")),
		FeedID: idParam(q.Get("feed")), Search: strings.TrimSpace(q.Get("q")), Before: idParam(q.Get("before")), Limit: inboxPageSize + 1}
	if len(fl.Search) > 200 {
		fl.Search = fl.Search[:200]
	}
	if !listening.ValidStatus(fl.Status) {
		fl.Status = ""
	}
	page := ListeningInboxPage{Base: s.orgBase(r, "listening.inbox.title", o), Nav: listeningNav(o, lang, "inbox"),
		Filtered: fl.Status != "" || fl.RuleID != 0 || fl.FeedID != 0 || fl.Search != "", Search: fl.Search}
	page.Statuses = append(page.Statuses, Option{Value: "", Label: page.T("listening.filter.any_status")})
	for _, st := range listening.Statuses {
		page.Statuses = append(page.Statuses, Option{Value: string(st), Label: page.T("listening.status." + string(st)), Selected: st == fl.Status})
	}
	rules, err := s.Store.Rules(ctx, o.ID)
	if err != nil {
		return err
	}
	page.Rules = append(page.Rules, Option{Value: "", Label: page.T("listening.filter.any_rule")})
	for _, ru := range rules {
		page.Rules = append(page.Rules, Option{Value: idString(ru.ID), Label: ru.Name, Selected: ru.ID == fl.RuleID})
	}
	feeds, err := s.Store.Feeds(ctx, o.ID)
	if err != nil {
		return err
	}
	page.Feeds = append(page.Feeds, Option{Value: "", Label: page.T("listening.filter.any_feed")})
	for _, f := range feeds {
		page.Feeds = append(page.Feeds, Option{Value: idString(f.ID), Label: feedName(f), Selected: f.ID == fl.FeedID})
	}
	ms, err := s.Store.Mentions(ctx, o.ID, fl)
	if err != nil {
		return err
	}
	if len(ms) > inboxPageSize {
		ms = ms[:inboxPageSize]
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("before", idString(ms[len(ms)-1].ID))
		page.NextURL = "/staff/" + o.Slug + "/listening?" + next.Encode()
	}
	page.Mentions = mentionItems(ms, rules, nil)
	return s.render(w, r, http.StatusOK, "listening-inbox", page)
}

func idString(n int64) string { return strconv.FormatInt(n, 10) }

func feedName(f listening.Feed) string {
	if f.Title != "" {
		return f.Title
	}
	return f.URL
}

// mentionItems marks the matched terms of each mention and names its rules
// and assignee.
func mentionItems(ms []listening.Mention, rules []listening.Rule, staff []account.StaffMember) []MentionItem {
	names := make(map[int64]string, len(rules))
	for _, r := range rules {
		names[r.ID] = r.Name
	}
	people := make(map[int64]string, len(staff))
	for _, m := range staff {
		people[m.User.ID] = staffName(m)
	}
	matcher := listening.NewMatcher(rules)
	out := make([]MentionItem, 0, len(ms))
	for _, m := range ms {
		it := MentionItem{Mention: m, Assignee: people[m.AssigneeID]}
		it.TitleMarks, it.ExcerptMarks = matcher.Highlight(m)
		for _, id := range m.RuleIDs {
			if n, ok := names[id]; ok {
				it.Rules = append(it.Rules, n)
			}
		}
		out = append(out, it)
	}
	return out
}

func staffName(m account.StaffMember) string {
	if m.User.DisplayName != "" {
		return m.User.DisplayName + " (" + m.User.Email + ")"
	}
	return m.User.Email
}

// MentionPage shows one mention and, to moderators, the triage form.
type MentionPage struct {
	Base
	Nav       ListeningNav
	M         MentionItem
	CanTriage bool
	Statuses  []Option
	Assignees []Option
	// Conversations are the organisation's conversations the mention may
	// be brought into; Linked is the one it is, if any.
	Conversations []Option
	Linked        *ConversationItem
	// Proposals are the organisation's published ideas and petitions the
	// mention may be linked to; LinkedProposal is the one it is, if any.
	Proposals      []Option
	LinkedProposal *Option
	Note           string
	AnswerURL      string
	StatusValue    string
	Attach         MentionAttach // adding it to a consultation as a response
}

func (s *Server) orgMention(r *http.Request, o org.Organisation) (listening.Mention, error) {
	id := idParam(r.PathValue("id"))
	if id == 0 {
		return listening.Mention{}, errNotFound
	}
	m, err := s.Store.Mention(r.Context(), id)
	if err == nil && m.OrgID != o.ID {
		return m, errNotFound
	}
	return m, err
}

func (s *Server) mentionPage(r *http.Request, o org.Organisation, p *account.Principal, m listening.Mention) (MentionPage, error) {
	lang := langOf(r)
	page := MentionPage{Base: s.orgBase(r, "listening.mention.title", o), Nav: listeningNav(o, lang, "inbox"),
		CanTriage: p.Can(o.ID, account.PermModerate), Note: m.Note, AnswerURL: m.AnswerURL, StatusValue: string(m.Status)}
	rules, err := s.Store.Rules(r.Context(), o.ID)
	if err != nil {
		return page, err
	}
	staff, err := s.Store.Staff(r.Context(), o.ID)
	if err != nil {
		return page, err
	}
	page.M = mentionItems([]listening.Mention{m}, rules, staff)[0]
	if m.Title != "" {
		page.Title = m.Title
	}
	page.Assignees = append(page.Assignees, Option{Value: "", Label: page.T("listening.mention.nobody"), Selected: m.AssigneeID == 0})
	for _, st := range staff {
		page.Assignees = append(page.Assignees, Option{Value: idString(st.User.ID), Label: staffName(st), Selected: st.User.ID == m.AssigneeID})
	}
	convs, err := s.Store.Conversations(r.Context(), o.ID, true)
	if err != nil {
		return page, err
	}
	page.Conversations = append(page.Conversations, Option{Value: "", Label: page.T("listening.mention.no_conversation"), Selected: m.ConversationID == 0})
	for _, c := range convs {
		page.Conversations = append(page.Conversations, Option{Value: idString(c.ID), Label: c.Title(lang), Selected: c.ID == m.ConversationID})
		if c.ID == m.ConversationID {
			item := conversationItem(c, lang)
			page.Linked = &item
		}
	}
	if err := s.mentionProposals(r, o, m, &page); err != nil {
		return page, err
	}
	return page, s.mentionAttach(r, o, p, m, &page)
}

func (s *Server) statusOptions(page *MentionPage) {
	page.Statuses = nil
	for _, st := range listening.Statuses {
		page.Statuses = append(page.Statuses, Option{Value: string(st), Label: page.T("listening.status." + string(st)), Selected: string(st) == page.StatusValue})
	}
}

func (s *Server) listeningMention(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	m, err := s.orgMention(r, o)
	if err != nil {
		return err
	}
	page, err := s.mentionPage(r, o, p, m)
	if err != nil {
		return err
	}
	s.statusOptions(&page)
	return s.render(w, r, http.StatusOK, "listening-mention", page)
}

func (s *Server) triageMention(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	m, err := s.orgMention(r, o)
	if err != nil {
		return err
	}
	t := listening.Triage{Status: listening.Status(r.PostFormValue("status")), AssigneeID: idParam(r.PostFormValue("assignee")),
		Note: r.PostFormValue("note"), AnswerURL: r.PostFormValue("answer_url"), ConversationID: idParam(r.PostFormValue("conversation")),
		ProposalID: idParam(r.PostFormValue("proposal"))}
	err = s.Store.TriageMention(r.Context(), m.ID, t, p.User.ID)
	if apperr.Is(err, apperr.Invalid) {
		page, perr := s.mentionPage(r, o, p, m)
		if perr != nil {
			return perr
		}
		page.Note, page.AnswerURL, page.StatusValue = strings.TrimSpace(t.Note), strings.TrimSpace(t.AnswerURL), string(t.Status)
		for i := range page.Assignees {
			page.Assignees[i].Selected = page.Assignees[i].Value == r.PostFormValue("assignee")
		}
		for i := range page.Conversations {
			page.Conversations[i].Selected = page.Conversations[i].Value == r.PostFormValue("conversation")
		}
		for i := range page.Proposals {
			page.Proposals[i].Selected = page.Proposals[i].Value == r.PostFormValue("proposal")
		}
		s.statusOptions(&page)
		var ae *apperr.Error
		errors.As(err, &ae)
		page.withErrors(ae.Order, ae.Fields)
		return s.render(w, r, http.StatusUnprocessableEntity, "listening-mention", page)
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "listening.mention.saved")
	http.Redirect(w, r, "/staff/"+o.Slug+"/listening/mentions/"+idString(m.ID), http.StatusSeeOther)
	return nil
}
