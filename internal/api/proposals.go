package api

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/i18n"
	"parley/internal/proposal"
)

// The proposal endpoints: an organisation's boards of ideas and petitions,
// their proposals with support counts (by area too), and the official
// answers staff give. Only published proposals are shown outside the
// organisation's staff; the researchers' JSON in the petitions site's
// shape is served by the web layer at /proposals/{id}.json.

type categoryJSON struct {
	Slug string   `json:"slug"`
	Name textJSON `json:"name"`
}

type boardJSON struct {
	ID                int64          `json:"id"`
	Organisation      string         `json:"organisation"`
	Kind              string         `json:"kind"`
	Title             textJSON       `json:"title"`
	Description       textJSON       `json:"description"`
	Moderation        string         `json:"moderation"`
	Accepting         bool           `json:"accepting"`
	ResponseThreshold int            `json:"response_threshold"`
	DebateThreshold   int            `json:"debate_threshold"`
	ResponseDays      int            `json:"response_days"`
	SponsorsNeeded    int            `json:"sponsors_needed"`
	OpenDays          int            `json:"open_days"`
	Categories        []categoryJSON `json:"categories"`
	CreatedAt         string         `json:"created_at"`
	Links             boardLinks     `json:"links"`
}

type boardLinks struct {
	Self      string `json:"self"`
	HTML      string `json:"html"`
	JSON      string `json:"json"`
	Proposals string `json:"proposals"`
}

func (a *API) boardOut(b proposal.Board, slug string) boardJSON {
	id := strconv.FormatInt(b.ID, 10)
	out := boardJSON{ID: b.ID, Organisation: slug, Kind: string(b.Kind), Title: textJSON{EN: b.TitleEN, CY: b.TitleCY},
		Description: textJSON{EN: b.DescriptionEN, CY: b.DescriptionCY}, Moderation: string(b.Moderation), Accepting: b.Accepting,
		ResponseThreshold: b.ResponseThreshold, DebateThreshold: b.DebateThreshold, ResponseDays: b.ResponseDays,
		SponsorsNeeded: b.SponsorsNeeded, OpenDays: b.OpenDays, Categories: []categoryJSON{}, CreatedAt: timestamp(b.CreatedAt),
		Links: boardLinks{Self: a.baseURL + "/api/v1/boards/" + id, HTML: a.baseURL + "/boards/" + id,
			JSON: a.baseURL + "/boards/" + id + ".json", Proposals: a.baseURL + "/api/v1/proposals?board=" + id}}
	for _, c := range b.Categories {
		out.Categories = append(out.Categories, categoryJSON{Slug: c.Slug, Name: textJSON{EN: c.NameEN, CY: c.NameCY}})
	}
	return out
}

// boardList lists an organisation's boards, newest first. Boards are
// public: every one is listed to every token.
func (a *API) boardList(w http.ResponseWriter, r *http.Request, _ caller) error {
	o, pg, after, err := a.listOf(r)
	if err != nil {
		return err
	}
	boards, err := a.st.Boards(r.Context(), o.ID)
	if err != nil {
		return err
	}
	slices.SortFunc(boards, func(x, y proposal.Board) int { return cmp.Compare(y.ID, x.ID) })
	ids := make([]int64, len(boards))
	items := make([]boardJSON, len(boards))
	for i, b := range boards {
		ids[i], items[i] = b.ID, a.boardOut(b, o.Slug)
	}
	return pageOf(a, w, r, pg, after, ids, items)
}

func (a *API) boardGet(w http.ResponseWriter, r *http.Request, _ caller) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.New(apperr.NotFound, "error.proposal.board.not_found")
	}
	b, err := a.st.Board(r.Context(), id)
	if err != nil {
		return notFoundAs(err, "error.proposal.board.not_found")
	}
	o, err := a.st.OrgByID(r.Context(), b.OrgID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.boardOut(b, o.Slug))
}

// boardIn is the body of POST /api/v1/boards.
type boardIn struct {
	Organisation      string   `json:"organisation"`
	Kind              string   `json:"kind"`
	Title             textJSON `json:"title"`
	Description       textJSON `json:"description"`
	Moderation        string   `json:"moderation"`
	Accepting         *bool    `json:"accepting"`
	ResponseThreshold *int     `json:"response_threshold"`
	DebateThreshold   *int     `json:"debate_threshold"`
	ResponseDays      int      `json:"response_days"`
	SponsorsNeeded    *int     `json:"sponsors_needed"`
	OpenDays          *int     `json:"open_days"`
	AlertPerHour      int      `json:"alert_per_hour"`
	Categories        []struct {
		Slug string   `json:"slug"`
		Name textJSON `json:"name"`
	} `json:"categories"`
}

// orDefault is *p, or def when the field was left out.
func orDefault(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

func (a *API) boardCreate(w http.ResponseWriter, r *http.Request, c caller) error {
	var in boardIn
	if err := readJSON(r, &in); err != nil {
		return err
	}
	o, err := a.editing(r, c, in.Organisation)
	if err != nil {
		return err
	}
	b := proposal.Board{OrgID: o.ID, Kind: proposal.Kind(in.Kind), TitleEN: in.Title.EN, TitleCY: in.Title.CY,
		DescriptionEN: in.Description.EN, DescriptionCY: in.Description.CY, Moderation: proposal.Moderation(in.Moderation),
		Accepting: in.Accepting == nil || *in.Accepting, ResponseDays: in.ResponseDays, AlertPerHour: in.AlertPerHour}
	// A petitions board left to its defaults gets the petitions site's rules.
	if b.Kind == proposal.Petitions {
		b.ResponseThreshold = orDefault(in.ResponseThreshold, proposal.DefaultResponseThreshold)
		b.DebateThreshold = orDefault(in.DebateThreshold, proposal.DefaultDebateThreshold)
		b.SponsorsNeeded = orDefault(in.SponsorsNeeded, proposal.DefaultSponsors)
		b.OpenDays = orDefault(in.OpenDays, proposal.DefaultOpenDays)
	} else {
		b.ResponseThreshold = orDefault(in.ResponseThreshold, 0)
		b.DebateThreshold = orDefault(in.DebateThreshold, 0)
		b.SponsorsNeeded = orDefault(in.SponsorsNeeded, 0)
		b.OpenDays = orDefault(in.OpenDays, 0)
	}
	for _, k := range in.Categories {
		b.Categories = append(b.Categories, proposal.Category{Slug: proposal.Slugify(k.Slug), NameEN: k.Name.EN, NameCY: k.Name.CY})
	}
	b.Normalise()
	var f apperr.Fields
	addFields(&f, "", b.Validate())
	if err := f.Err(); err != nil {
		return err
	}
	b, err = a.st.CreateBoard(r.Context(), b, c.principal.User.ID)
	if err != nil {
		return err
	}
	out := a.boardOut(b, o.Slug)
	w.Header().Set("Location", out.Links.Self)
	return writeJSON(w, http.StatusCreated, out)
}

// Proposals.

type proposalJSON struct {
	ID           int64         `json:"id"`
	BoardID      int64         `json:"board_id"`
	Organisation string        `json:"organisation"`
	Kind         string        `json:"kind"`
	Title        string        `json:"title"`
	Body         string        `json:"body"`
	Lang         string        `json:"lang"`
	Category     string        `json:"category"`
	AuthorName   string        `json:"author_name"`
	Stage        string        `json:"stage"`
	Reason       string        `json:"reason,omitempty"`
	Status       string        `json:"status"`
	Response     textJSON      `json:"response"`
	StatusAt     string        `json:"status_at,omitempty"`
	Supporters   int           `json:"supporters"`
	CreatedAt    string        `json:"created_at"`
	PublishedAt  string        `json:"published_at,omitempty"`
	ClosesAt     string        `json:"closes_at,omitempty"`
	ThresholdAt  string        `json:"threshold_at,omitempty"`
	ResponseDue  string        `json:"response_due,omitempty"`
	RespondedAt  string        `json:"responded_at,omitempty"`
	DebateAt     string        `json:"debate_at,omitempty"`
	MergedInto   int64         `json:"merged_into,omitempty"`
	Awaiting     bool          `json:"awaiting_response"`
	Overdue      bool          `json:"overdue"`
	Areas        []areaJSON    `json:"areas,omitzero"` // nil in lists
	Links        proposalLinks `json:"links"`
}

type proposalLinks struct {
	Self          string `json:"self"`
	HTML          string `json:"html"`
	JSON          string `json:"json"`
	Board         string `json:"board"`
	Areas         string `json:"areas"`
	StatusChanges string `json:"status_changes"`
}

type areaJSON struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func (a *API) proposalURL(id int64) string {
	return a.baseURL + "/api/v1/proposals/" + strconv.FormatInt(id, 10)
}

// proposalOut is a proposal as the API shows it; staff (of the
// proposal's organisation) also see a moderator's reason.
func (a *API) proposalOut(p proposal.Proposal, slug string, staff bool, now time.Time) proposalJSON {
	self := a.proposalURL(p.ID)
	html := a.baseURL + "/proposals/" + strconv.FormatInt(p.ID, 10)
	out := proposalJSON{ID: p.ID, BoardID: p.BoardID, Organisation: slug, Kind: string(p.Kind), Title: p.Title, Body: p.Body,
		Lang: p.Lang, Category: p.Category, AuthorName: p.AuthorName, Stage: string(p.Stage), Status: string(p.Status),
		Response: textJSON{EN: p.ResponseEN, CY: p.ResponseCY}, StatusAt: optTime(p.StatusAt, timestamp(p.StatusAt)),
		Supporters: p.Supporters, CreatedAt: timestamp(p.CreatedAt), PublishedAt: optTime(p.PublishedAt, timestamp(p.PublishedAt)),
		ClosesAt: optTime(p.ClosesAt, timestamp(p.ClosesAt)), ThresholdAt: optTime(p.ThresholdAt, timestamp(p.ThresholdAt)),
		ResponseDue: optTime(p.ResponseDue, timestamp(p.ResponseDue)), RespondedAt: optTime(p.RespondedAt, timestamp(p.RespondedAt)),
		DebateAt: optTime(p.DebateAt, timestamp(p.DebateAt)), MergedInto: p.MergedInto, Awaiting: p.Awaiting(), Overdue: p.Overdue(now),
		Links: proposalLinks{Self: self, HTML: html, JSON: html + ".json", Board: a.baseURL + "/api/v1/boards/" + strconv.FormatInt(p.BoardID, 10),
			Areas: self + "/areas", StatusChanges: self + "/status-changes"}}
	if staff {
		out.Reason = p.Reason
	}
	return out
}

func areasOut(cs []proposal.AreaCount) []areaJSON {
	out := make([]areaJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, areaJSON{Code: c.Code, Name: c.Name, Count: c.Count})
	}
	return out
}

// proposalFor loads the proposal in the path: one that is not published
// is the organisation's staff's only (404 for anyone else).
func (a *API) proposalFor(r *http.Request, c caller, perm account.Permission) (proposal.Proposal, string, error) {
	p, slug, err := engagementFor(a, r, c, perm, "error.proposal.not_found", a.st.Proposal,
		func(p proposal.Proposal) (int64, bool) { return p.OrgID, p.Public() })
	return p, slug, notFoundAs(err, "error.proposal.not_found")
}

// notFoundAs gives a NotFound error the message id, so the problem says
// what was not found.
func notFoundAs(err error, id string) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Wrap(apperr.NotFound, err, id)
	}
	return err
}

// proposalList is one page of proposals with the number that match.
type proposalList struct {
	Items      []proposalJSON `json:"items"`
	Total      int            `json:"total"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

var allStages = []proposal.Stage{proposal.Sponsoring, proposal.Pending, proposal.Published, proposal.Rejected, proposal.Hidden}

// proposalList lists a board's or an organisation's proposals, newest
// first. The cursor holds the number of proposals already served: a list
// by popularity has no stable key, and new proposals go to the front.
func (a *API) proposalList(w http.ResponseWriter, r *http.Request, c caller) error {
	q := r.URL.Query()
	pg, err := parsePage(q)
	if err != nil {
		return err
	}
	var f proposal.ListFilter
	var orgID int64
	if s := q.Get("board"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return badParam("board", "board must be a board's ID.")
		}
		b, err := a.st.Board(r.Context(), id)
		if apperr.Is(err, apperr.NotFound) {
			return badParam("board", "There is no board with that ID.")
		}
		if err != nil {
			return err
		}
		f.BoardID, orgID = b.ID, b.OrgID
	}
	if s := q.Get("organisation"); s != "" {
		o, err := a.st.OrgBySlug(r.Context(), s)
		if apperr.Is(err, apperr.NotFound) {
			return badParam("organisation", "There is no organisation with that slug.")
		}
		if err != nil {
			return err
		}
		if f.BoardID != 0 && o.ID != orgID {
			return badParam("board", "The board is not one of the organisation's.")
		}
		f.OrgID, orgID = o.ID, o.ID
	}
	if orgID == 0 {
		return badParam("organisation", "Give the board's ID as ?board= or the organisation's slug as ?organisation=.")
	}
	if s := q.Get("status"); s != "" {
		if !slices.Contains(proposal.Statuses, proposal.Status(s)) {
			return badParam("status", "status must be one of open, under_consideration, planned, started, completed, declined, duplicate.")
		}
		f.Status = proposal.Status(s)
	}
	f.Category = q.Get("category")
	staff := c.principal.Can(orgID, account.PermStaffArea)
	if s := q.Get("stage"); s != "" {
		if !slices.Contains(allStages, proposal.Stage(s)) {
			return badParam("stage", "stage must be one of sponsoring, pending, published, rejected, hidden.")
		}
		if proposal.Stage(s) != proposal.Published && !staff {
			return apperr.New(apperr.Forbidden, "error.forbidden")
		}
		f.Stages = []proposal.Stage{proposal.Stage(s)}
	} else if staff {
		f.Stages = allStages
	}
	if pg.after != "" {
		n, err := strconv.Atoi(pg.after)
		if err != nil || n < 0 || strconv.Itoa(n) != pg.after {
			return badParam("cursor", "error.cursor.format")
		}
		f.Offset = n
	}
	f.Sort, f.Limit = proposal.SortNewest, pg.limit
	ps, total, err := a.st.Proposals(r.Context(), f)
	if err != nil {
		return err
	}
	o, err := a.st.OrgByID(r.Context(), orgID)
	if err != nil {
		return err
	}
	now := time.Now()
	out := proposalList{Items: make([]proposalJSON, 0, len(ps)), Total: total}
	for _, p := range ps {
		out.Items = append(out.Items, a.proposalOut(p, o.Slug, staff, now))
	}
	if next := f.Offset + len(ps); len(ps) > 0 && next < total {
		out.NextCursor = encodeCursor(strconv.Itoa(next))
		w.Header().Set("Link", "<"+a.nextURL(r, out.NextCursor, pg.limit)+`>; rel="next"`)
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) proposalGet(w http.ResponseWriter, r *http.Request, c caller) error {
	p, slug, err := a.proposalFor(r, c, "")
	if err != nil {
		return err
	}
	return a.writeProposal(w, r, p, slug, c)
}

// writeProposal writes one proposal with its support by area.
func (a *API) writeProposal(w http.ResponseWriter, r *http.Request, p proposal.Proposal, slug string, c caller) error {
	areas, err := a.st.CountsByArea(r.Context(), p.ID)
	if err != nil {
		return err
	}
	out := a.proposalOut(p, slug, c.principal.Can(p.OrgID, account.PermStaffArea), time.Now())
	out.Areas = areasOut(areas)
	return writeJSON(w, http.StatusOK, out)
}

type areasJSON struct {
	ProposalID int64      `json:"proposal_id"`
	Supporters int        `json:"supporters"`
	Items      []areaJSON `json:"items"`
}

func (a *API) proposalAreas(w http.ResponseWriter, r *http.Request, c caller) error {
	p, _, err := a.proposalFor(r, c, "")
	if err != nil {
		return err
	}
	areas, err := a.st.CountsByArea(r.Context(), p.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, areasJSON{ProposalID: p.ID, Supporters: p.Supporters, Items: areasOut(areas)})
}

// statusIn is the body of POST /api/v1/proposals/{id}/status.
type statusIn struct {
	Status   string   `json:"status"`
	Response textJSON `json:"response"`
}

func (a *API) proposalStatus(w http.ResponseWriter, r *http.Request, c caller) error {
	p, slug, err := a.proposalFor(r, c, account.PermEdit)
	if err != nil {
		return err
	}
	var in statusIn
	if err := readJSON(r, &in); err != nil {
		return err
	}
	ch := proposal.StatusChange{ProposalID: p.ID, Status: proposal.Status(strings.TrimSpace(in.Status)),
		ResponseEN: strings.TrimSpace(in.Response.EN), ResponseCY: strings.TrimSpace(in.Response.CY), ActorID: c.principal.User.ID}
	var f apperr.Fields
	addFields(&f, "", ch.Validate())
	if err := f.Err(); err != nil {
		return err
	}
	if _, err := a.st.SetProposalStatus(r.Context(), ch); err != nil {
		return err
	}
	p, err = a.st.Proposal(r.Context(), p.ID)
	if err != nil {
		return err
	}
	return a.writeProposal(w, r, p, slug, c)
}

type statusChangeJSON struct {
	ID       int64    `json:"id"`
	Status   string   `json:"status"`
	Response textJSON `json:"response"`
	At       string   `json:"at"`
}

func (a *API) proposalStatusChanges(w http.ResponseWriter, r *http.Request, c caller) error {
	p, _, err := a.proposalFor(r, c, "")
	if err != nil {
		return err
	}
	cs, err := a.st.StatusChanges(r.Context(), p.ID)
	if err != nil {
		return err
	}
	out := list[statusChangeJSON]{Items: make([]statusChangeJSON, 0, len(cs))}
	for _, ch := range cs {
		out.Items = append(out.Items, statusChangeJSON{ID: ch.ID, Status: string(ch.Status),
			Response: textJSON{EN: ch.ResponseEN, CY: ch.ResponseCY}, At: timestamp(ch.At)})
	}
	return writeJSON(w, http.StatusOK, out)
}

// proposalMessages are the English texts of the proposal messages the
// store and the API give that the catalogue may not hold.
var proposalMessages = map[string]string{
	"error.proposal.not_found":       "No proposal has this ID, or your token may not see it.",
	"error.proposal.board.not_found": "No board has this ID.",
}

// englishCatalogue is the English catalogue, loaded once for the proposal messages.
var englishCatalogue = sync.OnceValue(func() *i18n.Printer {
	c, err := i18n.Load()
	if err != nil {
		return nil
	}
	p := c.Printer("en")
	return &p
})
