package api

import (
	"net/http"
	"strconv"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/listening"
	"parley/internal/org"
)

// The listening endpoints: an organisation's feeds and rules, and the
// mentions they found, which staff triage.

type feedJSON struct {
	ID           int64  `json:"id"`
	Organisation string `json:"organisation"`
	URL          string `json:"url"`
	Title        string `json:"title"`
	SiteURL      string `json:"site_url"`
	ErrorCount   int    `json:"error_count"`
	Parked       bool   `json:"parked"`
	LastError    string `json:"last_error"`
	CheckedAt    string `json:"checked_at,omitempty"`
	NextCheckAt  string `json:"next_check_at"`
	CreatedAt    string `json:"created_at"`
}

type ruleJSON struct {
	ID           int64  `json:"id"`
	Organisation string `json:"organisation"`
	Name         string `json:"name"`
	Query        string `json:"query"`
	Alert        string `json:"alert"`
	CreatedAt    string `json:"created_at"`
}

type mentionJSON struct {
	ID           int64   `json:"id"`
	Organisation string  `json:"organisation"`
	FeedID       int64   `json:"feed_id,omitempty"`
	Source       string  `json:"source"`
	RuleIDs      []int64 `json:"rule_ids"`
	Link         string  `json:"link"`
	Title        string  `json:"title"`
	Excerpt      string  `json:"excerpt"`
	Author       string  `json:"author"`
	Published    string  `json:"published,omitempty"`
	Status       string  `json:"status"`
	AssigneeID   int64   `json:"assignee_id,omitempty"`
	Note         string  `json:"note"`
	AnswerURL    string  `json:"answer_url"`
	Conversation int64   `json:"conversation_id,omitempty"`
	Proposal     int64   `json:"proposal_id,omitempty"`
	CreatedAt    string  `json:"created_at"`
}

func optTime(t interface{ IsZero() bool }, s string) string {
	if t.IsZero() {
		return ""
	}
	return s
}

func feedOut(f listening.Feed, slug string) feedJSON {
	return feedJSON{ID: f.ID, Organisation: slug, URL: f.URL, Title: f.Title, SiteURL: f.SiteURL, ErrorCount: f.ErrorCount,
		Parked: f.Parked, LastError: f.LastError, CheckedAt: optTime(f.CheckedAt, timestamp(f.CheckedAt)),
		NextCheckAt: timestamp(f.NextCheckAt), CreatedAt: timestamp(f.CreatedAt)}
}

func ruleOut(r listening.Rule, slug string) ruleJSON {
	return ruleJSON{ID: r.ID, Organisation: slug, Name: r.Name, Query: r.Query, Alert: string(r.Alert), CreatedAt: timestamp(r.CreatedAt)}
}

func mentionOut(m listening.Mention, slug string) mentionJSON {
	ids := m.RuleIDs
	if ids == nil {
		ids = []int64{}
	}
	return mentionJSON{ID: m.ID, Organisation: slug, FeedID: m.FeedID, Source: m.FeedTitle, RuleIDs: ids, Link: m.Link, Title: m.Title,
		Excerpt: m.Excerpt, Author: m.Author, Published: optTime(m.Published, timestamp(m.Published)), Status: string(m.Status),
		AssigneeID: m.AssigneeID, Note: m.Note, AnswerURL: m.AnswerURL, Conversation: m.ConversationID, Proposal: m.ProposalID, CreatedAt: timestamp(m.CreatedAt)}
}

// listeningOrg reads ?organisation= and checks the caller may see its
// listening (any staff role).
func (a *API) listeningOrg(r *http.Request, c caller) (org.Organisation, error) {
	slug := r.URL.Query().Get("organisation")
	if slug == "" {
		return org.Organisation{}, badParam("organisation", "Give the organisation's slug as ?organisation=.")
	}
	o, err := a.st.OrgBySlug(r.Context(), slug)
	if apperr.Is(err, apperr.NotFound) {
		return o, badParam("organisation", "There is no organisation with that slug.")
	}
	if err != nil {
		return o, err
	}
	return o, c.principal.Authorize(o.ID, account.PermStaffArea)
}

// bodyOrg finds the organisation a request body names and checks perm.
func (a *API) bodyOrg(r *http.Request, c caller, slug string, perm account.Permission) (org.Organisation, error) {
	o, err := a.st.OrgBySlug(r.Context(), slug)
	if apperr.Is(err, apperr.NotFound) {
		var f apperr.Fields
		f.Add("organisation", "There is no organisation with that slug.")
		return o, f.Err()
	}
	if err != nil {
		return o, err
	}
	return o, c.principal.Authorize(o.ID, perm)
}

// cursorID reads the page's cursor as the last ID served; -1 for none.
func cursorID(pg page) (int64, error) {
	if pg.after == "" {
		return -1, nil
	}
	id, err := strconv.ParseInt(pg.after, 10, 64)
	if err != nil || id < 0 {
		return 0, badParam("cursor", "error.cursor.format")
	}
	return id, nil
}

// pageOf serves items newest first (by descending ID) after the cursor.
func pageOf[T any](a *API, w http.ResponseWriter, r *http.Request, pg page, after int64, ids []int64, items []T) error {
	out := list[T]{Items: []T{}}
	for i, id := range ids {
		if after >= 0 && id >= after {
			continue
		}
		if len(out.Items) == pg.limit {
			out.NextCursor = encodeCursor(strconv.FormatInt(ids[i-1], 10))
			w.Header().Set("Link", "<"+a.nextURL(r, out.NextCursor, pg.limit)+`>; rel="next"`)
			break
		}
		out.Items = append(out.Items, items[i])
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) feedList(w http.ResponseWriter, r *http.Request, c caller) error {
	o, err := a.listeningOrg(r, c)
	if err != nil {
		return err
	}
	pg, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	after, err := cursorID(pg)
	if err != nil {
		return err
	}
	feeds, err := a.st.Feeds(r.Context(), o.ID)
	if err != nil {
		return err
	}
	ids, items := make([]int64, len(feeds)), make([]feedJSON, len(feeds))
	for i, f := range feeds {
		ids[i], items[i] = f.ID, feedOut(f, o.Slug)
	}
	return pageOf(a, w, r, pg, after, ids, items)
}

// feedCreate is the body of POST /api/v1/listening/feeds.
type feedCreate struct {
	Organisation string `json:"organisation"`
	URL          string `json:"url"`
	Title        string `json:"title"`
}

func (a *API) feedCreate(w http.ResponseWriter, r *http.Request, c caller) error {
	var in feedCreate
	if err := readJSON(r, &in); err != nil {
		return err
	}
	o, err := a.bodyOrg(r, c, in.Organisation, account.PermEdit)
	if err != nil {
		return err
	}
	f, err := a.st.CreateFeed(r.Context(), listening.Feed{OrgID: o.ID, URL: in.URL, Title: in.Title}, c.principal.User.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, feedOut(f, o.Slug))
}

func (a *API) ruleList(w http.ResponseWriter, r *http.Request, c caller) error {
	o, err := a.listeningOrg(r, c)
	if err != nil {
		return err
	}
	rules, err := a.st.Rules(r.Context(), o.ID)
	if err != nil {
		return err
	}
	out := list[ruleJSON]{Items: []ruleJSON{}}
	for _, ru := range rules {
		out.Items = append(out.Items, ruleOut(ru, o.Slug))
	}
	return writeJSON(w, http.StatusOK, out)
}

// ruleCreate is the body of POST /api/v1/listening/rules.
type ruleCreate struct {
	Organisation string `json:"organisation"`
	Name         string `json:"name"`
	Query        string `json:"query"`
	Alert        string `json:"alert"`
}

func (a *API) ruleCreate(w http.ResponseWriter, r *http.Request, c caller) error {
	var in ruleCreate
	if err := readJSON(r, &in); err != nil {
		return err
	}
	o, err := a.bodyOrg(r, c, in.Organisation, account.PermEdit)
	if err != nil {
		return err
	}
	ru, err := a.st.CreateRule(r.Context(), listening.Rule{OrgID: o.ID, Name: in.Name, Query: in.Query, Alert: listening.AlertMode(in.Alert)}, c.principal.User.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, ruleOut(ru, o.Slug))
}

func (a *API) mentionList(w http.ResponseWriter, r *http.Request, c caller) error {
	o, err := a.listeningOrg(r, c)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	pg, err := parsePage(q)
	if err != nil {
		return err
	}
	after, err := cursorID(pg)
	if err != nil {
		return err
	}
	fl := listening.MentionFilter{Status: listening.Status(q.Get("status")), Search: q.Get("q"), Limit: pg.limit + 1}
	if len(fl.Search) > 200 {
		return badParam("q", "Search for 200 characters or fewer.")
	}
	if fl.Status != "" && !listening.ValidStatus(fl.Status) {
		return badParam("status", "The status may be new, relevant, not_relevant or answered.")
	}
	for name, p := range map[string]*int64{"rule": &fl.RuleID, "feed": &fl.FeedID} {
		if s := q.Get(name); s != "" {
			if *p, err = strconv.ParseInt(s, 10, 64); err != nil || *p <= 0 {
				return badParam(name, "Give the "+name+"'s ID.")
			}
		}
	}
	if after >= 0 {
		fl.Before = max(after, 1)
	}
	ms, err := a.st.Mentions(r.Context(), o.ID, fl)
	if err != nil {
		return err
	}
	ids, items := make([]int64, len(ms)), make([]mentionJSON, len(ms))
	for i, m := range ms {
		ids[i], items[i] = m.ID, mentionOut(m, o.Slug)
	}
	return pageOf(a, w, r, pg, -1, ids, items)
}

// mentionUpdate is the body of PATCH /api/v1/listening/mentions/{id}: the
// whole triage decision.
type mentionUpdate struct {
	Status         string `json:"status"`
	AssigneeID     int64  `json:"assignee_id"`
	Note           string `json:"note"`
	AnswerURL      string `json:"answer_url"`
	ConversationID int64  `json:"conversation_id"`
	ProposalID     int64  `json:"proposal_id"`
}

func (a *API) mentionPatch(w http.ResponseWriter, r *http.Request, c caller) error {
	m, slug, err := a.mentionFor(r, c, account.PermModerate)
	if err != nil {
		return err
	}
	var in mentionUpdate
	if err := readJSON(r, &in); err != nil {
		return err
	}
	t := listening.Triage{Status: listening.Status(in.Status), AssigneeID: in.AssigneeID, Note: in.Note, AnswerURL: in.AnswerURL,
		ConversationID: in.ConversationID, ProposalID: in.ProposalID}
	if err := a.st.TriageMention(r.Context(), m.ID, t, c.principal.User.ID); err != nil {
		return err
	}
	if m, err = a.st.Mention(r.Context(), m.ID); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, mentionOut(m, slug))
}

type webhookJSON struct {
	ID           int64  `json:"id"`
	Organisation string `json:"organisation"`
	URL          string `json:"url"`
	Secret       string `json:"secret,omitempty"`
	CreatedAt    string `json:"created_at"`
}

func webhookOut(w listening.Webhook, slug string) webhookJSON {
	return webhookJSON{ID: w.ID, Organisation: slug, URL: w.URL, Secret: w.Secret, CreatedAt: timestamp(w.CreatedAt)}
}

// webhookList lists the webhooks, without secrets. Their URLs may carry
// the receiver's tokens, so only editors and admins see them.
func (a *API) webhookList(w http.ResponseWriter, r *http.Request, c caller) error {
	o, err := a.listeningOrg(r, c)
	if err != nil {
		return err
	}
	if err := c.principal.Authorize(o.ID, account.PermEdit); err != nil {
		return err
	}
	hooks, err := a.st.Webhooks(r.Context(), o.ID)
	if err != nil {
		return err
	}
	out := list[webhookJSON]{Items: []webhookJSON{}}
	for _, h := range hooks {
		out.Items = append(out.Items, webhookOut(h, o.Slug))
	}
	return writeJSON(w, http.StatusOK, out)
}

// webhookCreate is the body of POST /api/v1/listening/webhooks.
type webhookCreate struct {
	Organisation string `json:"organisation"`
	URL          string `json:"url"`
}

// webhookCreate saves a webhook and returns its secret, once.
func (a *API) webhookCreate(w http.ResponseWriter, r *http.Request, c caller) error {
	var in webhookCreate
	if err := readJSON(r, &in); err != nil {
		return err
	}
	o, err := a.bodyOrg(r, c, in.Organisation, account.PermEdit)
	if err != nil {
		return err
	}
	h, err := a.st.CreateWebhook(r.Context(), listening.Webhook{OrgID: o.ID, URL: in.URL}, c.principal.User.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, webhookOut(h, o.Slug))
}

func (a *API) webhookDelete(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	h, err := a.st.Webhook(r.Context(), id)
	if err != nil {
		return err
	}
	if !c.principal.Can(h.OrgID, account.PermStaffArea) {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	if err := c.principal.Authorize(h.OrgID, account.PermEdit); err != nil {
		return err
	}
	if err := a.st.DeleteWebhook(r.Context(), id, c.principal.User.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// mentionFor loads the mention in the path: mentions are never public, so
// only the organisation's staff see one, and perm is needed to act on it.
func (a *API) mentionFor(r *http.Request, c caller, perm account.Permission) (listening.Mention, string, error) {
	return engagementFor(a, r, c, perm, "error.not_found", a.st.Mention,
		func(m listening.Mention) (int64, bool) { return m.OrgID, false })
}
