package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/markdown"
	"parley/internal/moderation"
	"parley/internal/org"
	"parley/internal/proposal"
)

// proposalRoutes registers the public pages of boards and proposals. The
// markdown renderer is made once here and handed to the handlers that need it.
func (s *Server) proposalRoutes(mux *http.ServeMux) {
	md := markdown.New()
	mux.Handle("GET /boards/{id}", s.h(s.boardGet(md)))
	mux.Handle("GET /boards/{id}/similar", s.h(s.similarProposals))
	mux.Handle("GET /boards/{id}/propose", s.h(s.proposeForm))
	mux.Handle("POST /boards/{id}/propose", s.h(s.proposeSubmit))
	mux.Handle("GET /proposals/{id}", s.h(s.proposalGet(md)))
	mux.Handle("POST /proposals/{id}/support", s.h(s.proposalSupport(true)))
	mux.Handle("POST /proposals/{id}/withdraw", s.h(s.proposalSupport(false)))
	mux.Handle("POST /proposals/{id}/follow", s.h(s.proposalFollow(true)))
	mux.Handle("POST /proposals/{id}/unfollow", s.h(s.proposalFollow(false)))
	mux.Handle("POST /proposals/{id}/comments", s.h(s.proposalComment(md)))
	mux.Handle("GET /proposals/{id}/comments/{comment}/report", s.h(s.reportComment))
	mux.Handle("POST /proposals/{id}/comments/{comment}/report", s.h(s.reportComment))
	// Feeds are not put through the page cache: it serves what it keeps
	// as HTML. They carry their own Cache-Control instead.
	mux.Handle("GET /feeds/boards/{id}/new.atom", s.h(s.cached(s.boardFeed(false))))
	mux.Handle("GET /feeds/boards/{id}/answered.atom", s.h(s.cached(s.boardFeed(true))))
}

// Rate limits per signed-in user: proposing and commenting write what
// others read; the similar-proposals lookup runs a search per keystroke
// pause, so it is limited per address.
var (
	proposePerUser = rule{burst: 5, every: 10 * time.Minute}
	commentPerUser = rule{burst: 10, every: time.Minute}
	reportPerUser  = rule{burst: 20, every: time.Minute}
	supportPerUser = rule{burst: 30, every: 10 * time.Second}
	similarPerIP   = rule{burst: 30, every: 200 * time.Millisecond}
)

func boardPath(id int64) string    { return "/boards/" + strconv.FormatInt(id, 10) }
func proposalPath(id int64) string { return "/proposals/" + strconv.FormatInt(id, 10) }

// pathInt64 reads a positive ID from a path segment.
func pathInt64(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// boardFromPath loads the board named by {id} and its organisation.
// Boards are public; what is on them is filtered by stage.
func (s *Server) boardFromPath(r *http.Request) (proposal.Board, org.Organisation, error) {
	id, err := pathInt64(r, "id")
	if err != nil {
		return proposal.Board{}, org.Organisation{}, err
	}
	b, err := s.Store.Board(r.Context(), id)
	if err != nil {
		return b, org.Organisation{}, err
	}
	o, err := s.Store.OrgByID(r.Context(), b.OrgID)
	return b, o, err
}

// mayPreview reports whether the visitor may see a proposal that is not
// public: its author (to follow it through sponsoring and moderation, and
// to read why it was refused) and the organisation's staff.
func mayPreview(r *http.Request, p proposal.Proposal) bool {
	u := principalOf(r)
	return u != nil && (u.User.ID == p.AuthorID || u.Can(p.OrgID, account.PermStaffArea))
}

// proposalFromPath loads the proposal named by {id} with its board and
// organisation. Anyone else than its author and staff gets 404 for a
// proposal that is not published, so its existence is not disclosed;
// public says whether it is published, for the actions only published
// proposals take.
func (s *Server) proposalFromPath(r *http.Request) (proposal.Proposal, proposal.Board, org.Organisation, error) {
	var b proposal.Board
	var o org.Organisation
	id, err := pathInt64(r, "id")
	if err != nil {
		return proposal.Proposal{}, b, o, err
	}
	p, err := s.Store.Proposal(r.Context(), id)
	if err != nil {
		return p, b, o, err
	}
	if !p.Public() && !mayPreview(r, p) {
		return p, b, o, errNotFound
	}
	if b, err = s.Store.Board(r.Context(), p.BoardID); err != nil {
		return p, b, o, err
	}
	o, err = s.Store.OrgByID(r.Context(), p.OrgID)
	return p, b, o, err
}

// publicProposal loads a published proposal for an action (support,
// comment, follow, report); others are not found.
func (s *Server) publicProposal(r *http.Request) (proposal.Proposal, proposal.Board, org.Organisation, error) {
	p, b, o, err := s.proposalFromPath(r)
	if err == nil && !p.Public() {
		err = errNotFound
	}
	return p, b, o, err
}

// signInFirst sends a signed-out visitor to sign in, coming back to back.
func (s *Server) signInFirst(w http.ResponseWriter, r *http.Request, back string) {
	s.sessions.Put(r.Context(), "return_to", back)
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
}

// BoardView is a board in the page's language, with its rules as sentences.
type BoardView struct {
	ID          int64
	Title       string
	Petitions   bool
	Accepting   bool
	Description template.HTML
	Rules       []string
	ProposeText string // "Start a petition" or "Propose an idea"
}

func boardView(b proposal.Board, base Base, orgName string, md *markdown.Renderer) BoardView {
	v := BoardView{ID: b.ID, Title: b.Title(base.Lang), Petitions: b.Kind == proposal.Petitions, Accepting: b.Accepting}
	if md != nil {
		v.Description = md.Render(b.Description(base.Lang))
	}
	kind := "ideas"
	v.ProposeText = base.T("proposal.public.propose_idea")
	if v.Petitions {
		kind = "petitions"
		v.ProposeText = base.T("proposal.public.start_petition")
	}
	if b.Kind == proposal.Petitions && b.SponsorsNeeded > 0 {
		v.Rules = append(v.Rules, base.T("proposal.public.rule.sponsors", "Count", groupDigits(b.SponsorsNeeded)))
	}
	if b.Moderation == proposal.PreModeration {
		v.Rules = append(v.Rules, base.T("proposal.public.rule.pre."+kind))
	} else {
		v.Rules = append(v.Rules, base.T("proposal.public.rule.post."+kind))
	}
	if b.Kind == proposal.Petitions && b.OpenDays > 0 {
		v.Rules = append(v.Rules, base.T("proposal.public.rule.open_days", "Days", b.OpenDays))
	}
	if b.ResponseThreshold > 0 {
		v.Rules = append(v.Rules, base.T("proposal.public.rule.response."+kind, "Count", groupDigits(b.ResponseThreshold),
			"Org", orgName, "Days", b.ResponseDays))
	}
	if b.Kind == proposal.Petitions && b.DebateThreshold > 0 {
		v.Rules = append(v.Rules, base.T("proposal.public.rule.debate", "Count", groupDigits(b.DebateThreshold)))
	}
	return v
}

// ProposalItem is a proposal in a list.
type ProposalItem struct {
	ID         int64
	URL        string
	Title      string
	Lang       string // the language it was written in
	Summary    string
	Supporters string // "1,234 signatures"
	Tag        StatusTag
	Category   string
	Date       time.Time
}

// StatusTag is a proposal's status as a GOV.UK tag: its words and colour.
type StatusTag struct {
	Text  string
	Class string // a govuk-tag modifier: "blue", "green"…
}

// citizenTag shows where a proposal is: its official status once
// published, a closed petition as closed, and otherwise its stage (only its
// author and staff see those).
func citizenTag(base Base, p proposal.Proposal, now time.Time) StatusTag {
	switch p.Stage {
	case proposal.Sponsoring:
		return StatusTag{base.T("proposal.public.stage.sponsoring"), "yellow"}
	case proposal.Pending:
		return StatusTag{base.T("proposal.public.stage.pending"), "yellow"}
	case proposal.Rejected:
		return StatusTag{base.T("proposal.public.stage.rejected"), "red"}
	case proposal.Hidden:
		return StatusTag{base.T("proposal.public.stage.hidden"), "grey"}
	}
	if p.Status == proposal.Open && !p.ClosesAt.IsZero() && !now.Before(p.ClosesAt) {
		return StatusTag{base.T("proposal.public.closed"), "grey"}
	}
	return StatusTag{base.T("proposal.public.status." + string(p.Status)), citizenTagColour(p.Status)}
}

// citizenTagColour follows the GOV.UK tag colours: blue for what is open,
// green for what is done, red for what was declined.
func citizenTagColour(s proposal.Status) string {
	switch s {
	case proposal.Open:
		return "blue"
	case proposal.UnderConsideration:
		return "light-blue"
	case proposal.Planned:
		return "purple"
	case proposal.Started:
		return "turquoise"
	case proposal.Completed:
		return "green"
	case proposal.Declined:
		return "red"
	}
	return "grey"
}

// supportersText is the count with its noun: signatures for petitions,
// supporters for ideas.
func supportersText(base Base, kind proposal.Kind, n int) string {
	noun := "supporters"
	if kind == proposal.Petitions {
		noun = "signatures"
	}
	if n == 1 {
		return base.T("proposal.public.count." + noun + "_one")
	}
	return base.T("proposal.public.count."+noun, "Count", groupDigits(n))
}

// groupDigits writes n with thousands separated by commas, as both
// English and Welsh do.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// bodySummary cuts a body to its first words, as plain text, for lists
// and feeds.
func bodySummary(body string, n int) string {
	text := strings.Join(strings.Fields(plainMarkdown(body)), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)[:n]
	if i := strings.LastIndexByte(string(r), ' '); i > n/2 {
		return string(r)[:i] + "…"
	}
	return string(r) + "…"
}

var (
	mdLink      = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdLineStart = regexp.MustCompile(`(?m)^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)`)
	mdEmphasis  = strings.NewReplacer("**", "", "__", "", "~~", "", "`", "")
)

// plainMarkdown drops the markup of the markdown citizens write (links
// keep their words), so a summary reads as text.
func plainMarkdown(s string) string {
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdLineStart.ReplaceAllString(s, "")
	return mdEmphasis.Replace(s)
}

func (s *Server) proposalItem(base Base, b proposal.Board, p proposal.Proposal, now time.Time) ProposalItem {
	it := ProposalItem{ID: p.ID, URL: proposalPath(p.ID), Title: p.Title, Lang: p.Lang, Summary: bodySummary(p.Body, 200),
		Supporters: supportersText(base, p.Kind, p.Supporters), Tag: citizenTag(base, p, now), Date: p.PublishedAt}
	if it.Date.IsZero() {
		it.Date = p.CreatedAt
	}
	if c, ok := b.Category(p.Category); ok {
		it.Category = c.Name(base.Lang)
	}
	return it
}

// BoardPage is a board: its rules, the way to propose, and its published
// proposals, filtered, searched, sorted and paged by a GET form.
type BoardPage struct {
	Base
	Org        OrgItem
	Board      BoardView
	ProposeURL string
	Proposals  []ProposalItem
	Total      string // how many match, as words
	Query      string
	Filtered   bool // any filter or search is set
	Statuses   []Option
	Categories []Option
	Sorts      []Option
	PageN      int
	Pages      int
	Prev, Next string
	FeedNew    string
	FeedAnswer string
}

// boardPageSize is how many proposals one page of a board lists.
const boardPageSize = 20

// boardGet serves a board's page, or its JSON when the ID ends in ".json".
func (s *Server) boardGet(md *markdown.Renderer) handler {
	return s.orJSON(s.cached(s.citizenBoardPage(md)), s.boardJSON)
}

// orJSON serves page, or the open data when the {id} in the path ends in
// ".json" (as the UK petitions site's addresses do).
func (s *Server) orJSON(page handler, data func(w http.ResponseWriter, r *http.Request, id int64) error) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if id, ok := strings.CutSuffix(r.PathValue("id"), ".json"); ok {
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil || n <= 0 {
				return errNotFound
			}
			return data(w, r, n)
		}
		return page(w, r)
	}
}

func (s *Server) citizenBoardPage(md *markdown.Renderer) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		b, o, err := s.boardFromPath(r)
		if err != nil {
			return err
		}
		base := s.orgBase(r, "", o)
		lang := base.Lang
		page := BoardPage{Base: base, Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)}, Board: boardView(b, base, o.Name(lang), md),
			ProposeURL: boardPath(b.ID) + "/propose", FeedNew: "/feeds/boards/" + strconv.FormatInt(b.ID, 10) + "/new.atom",
			FeedAnswer: "/feeds/boards/" + strconv.FormatInt(b.ID, 10) + "/answered.atom"}
		page.Title = page.Board.Title
		q := r.URL.Query()
		f := proposal.ListFilter{BoardID: b.ID, Sort: proposal.SortNewest, Limit: boardPageSize}
		if st := proposal.Status(q.Get("status")); proposal.ValidStatus(st) || st == proposal.Duplicate {
			f.Status = st
		}
		if _, ok := b.Category(q.Get("category")); ok {
			f.Category = q.Get("category")
		}
		if q.Get("sort") == proposal.SortPopular {
			f.Sort = proposal.SortPopular
		}
		f.Query = strings.Join(strings.Fields(q.Get("q")), " ")
		if utf8.RuneCountInString(f.Query) > 200 {
			f.Query = string([]rune(f.Query)[:200])
		}
		page.Query = f.Query
		page.Filtered = f.Status != "" || f.Category != "" || f.Query != ""
		page.PageN = 1
		if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 && n <= 10000 {
			page.PageN = n
		}
		f.Offset = (page.PageN - 1) * boardPageSize
		list, total, err := s.Store.Proposals(r.Context(), f)
		if err != nil {
			return err
		}
		now := s.Now()
		for _, p := range list {
			if !p.Public() {
				continue // the filter's promise, kept twice
			}
			page.Proposals = append(page.Proposals, s.proposalItem(base, b, p, now))
		}
		noun := "ideas"
		if b.Kind == proposal.Petitions {
			noun = "petitions"
		}
		if total == 1 {
			page.Total = base.T("proposal.public.total." + noun + "_one")
		} else {
			page.Total = base.T("proposal.public.total."+noun, "Count", groupDigits(total))
		}
		page.Pages = max(1, (total+boardPageSize-1)/boardPageSize)
		link := func(n int) string {
			v := url.Values{}
			for _, k := range []string{"q", "status", "category", "sort"} {
				if x := q.Get(k); x != "" {
					v.Set(k, x)
				}
			}
			if n > 1 {
				v.Set("page", strconv.Itoa(n))
			}
			if len(v) == 0 {
				return boardPath(b.ID)
			}
			return boardPath(b.ID) + "?" + v.Encode()
		}
		if page.PageN > 1 {
			page.Prev = link(min(page.PageN-1, page.Pages))
		}
		if page.PageN < page.Pages {
			page.Next = link(page.PageN + 1)
		}
		page.Statuses = []Option{{Value: "", Label: base.T("proposal.public.filter.any_status"), Selected: f.Status == ""}}
		for _, st := range proposal.Statuses {
			page.Statuses = append(page.Statuses, Option{Value: string(st), Label: base.T("proposal.public.status." + string(st)), Selected: f.Status == st})
		}
		if len(b.Categories) > 0 {
			page.Categories = []Option{{Value: "", Label: base.T("proposal.public.filter.any_category"), Selected: f.Category == ""}}
			for _, c := range b.Categories {
				page.Categories = append(page.Categories, Option{Value: c.Slug, Label: c.Name(lang), Selected: f.Category == c.Slug})
			}
		}
		page.Sorts = []Option{
			{Value: proposal.SortNewest, Label: base.T("proposal.public.sort.newest"), Selected: f.Sort == proposal.SortNewest},
			{Value: proposal.SortPopular, Label: base.T("proposal.public.sort.popular"), Selected: f.Sort == proposal.SortPopular},
		}
		return s.render(w, r, http.StatusOK, "board", page)
	}
}

// similarItem is one suggestion of the as-you-type lookup.
type similarItem struct {
	Title      string `json:"title"`
	URL        string `json:"url"`
	Supporters string `json:"supporters"`
}

// similarProposals answers the propose form's script with published
// proposals like what is being typed. Without the script the "check these
// first" step does the same job.
func (s *Server) similarProposals(w http.ResponseWriter, r *http.Request) error {
	b, o, err := s.boardFromPath(r)
	if err != nil {
		return err
	}
	if err := s.limits.allow("similar:"+clientIP(r), similarPerIP); err != nil {
		return err
	}
	q := strings.Join(strings.Fields(r.URL.Query().Get("q")), " ")
	if utf8.RuneCountInString(q) > 200 {
		q = string([]rune(q)[:200])
	}
	out := struct {
		Proposals []similarItem `json:"proposals"`
	}{Proposals: []similarItem{}}
	if utf8.RuneCountInString(q) >= 3 {
		list, err := s.Store.SimilarProposals(r.Context(), b.ID, q, 5)
		if err != nil {
			return err
		}
		base := s.orgBase(r, "", o)
		for _, p := range list {
			if p.Public() {
				out.Proposals = append(out.Proposals, similarItem{Title: p.Title, URL: proposalPath(p.ID),
					Supporters: supportersText(base, p.Kind, p.Supporters)})
			}
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=30")
	return json.NewEncoder(w).Encode(out)
}

// ProposalView is a proposal in the page's language.
type ProposalView struct {
	ID         int64
	URL        string
	Title      string
	Lang       string // the language it was written in
	Author     string
	Date       time.Time
	Category   string
	Tag        StatusTag
	Body       template.HTML
	Supporters string
	Petition   bool
	Stage      string
	Reason     string // a moderator's reason, for its author
	Closes     time.Time
	Closed     bool
}

// ThresholdView is the progress towards one of a board's thresholds, told
// in words with a progress bar beside them.
type ThresholdView struct {
	ID      string // "response" or "debate"
	Heading string
	Text    string
	Value   int
	Max     int
	Reached bool
}

// ChangeView is one official status given to a proposal, with its response.
type ChangeView struct {
	Tag      StatusTag
	Date     time.Time
	Response template.HTML
}

// AreaRow is one row of the signatures-by-area table.
type AreaRow struct {
	Name  string
	Count string
}

// CommentView is a comment as the page shows it; the words of one a
// moderator removed are never put on the page.
type CommentView struct {
	ID        int64
	Anchor    string
	Author    string
	Date      time.Time
	Body      []string // its lines
	Removed   bool
	ReportURL string
	// Words the comment partial needs, in the page's language.
	DateText     string
	RemovedText  string
	ReportText   string
	ReportHidden string     // what the report link is about, for screen readers
	NameReport   ReportLink // "Report this name", beside the author's name
	Waiting      string     // for its author: a moderator has yet to check it
	Replies      []CommentView
	ReplyField   string // the reply form's field, under top-level comments
	ReplyValue   string
	ReplyError   string
}

// ProposalPage is a proposal's public page.
type ProposalPage struct {
	Base
	Org   OrgItem
	Board BoardView
	P     ProposalView
	// For its author: the confirmation after proposing, and where it is
	// on its way to publication.
	Created        bool
	IsAuthor       bool
	PreModeration  bool   // the board's moderators check proposals before they are published
	StaffURL       string // the proposal's staff page, for the organisation's staff
	SponsorURL     string
	SponsorsNeeded string
	MergedInto     *ProposalItem
	Thresholds     []ThresholdView
	// The answer owed once the response threshold is crossed.
	Awaiting  bool
	Due       time.Time
	Overdue   bool
	Responded time.Time
	Response  template.HTML
	Changes   []ChangeView
	// Signatures by area: the top rows, or all of them on request.
	Areas      []AreaRow
	AreasTotal int
	AllAreas   bool
	AreasURL   string
	// Taking part.
	CanSign     bool
	SignURL     string
	CanSupport  bool
	Supporting  bool
	Following   bool
	Comments    []CommentView
	CommentOpen bool // comments are taken: the proposal is published
	// Moderation: report the proposal or its author's name, and the
	// organisation's guidelines.
	Report     ReportLink
	NameReport ReportLink
	Guidelines string
	NewComment string
}

// topAreas is how many areas the page shows before "Show all".
const topAreas = 10

// proposalGet serves a proposal's page, or its JSON when the ID ends in ".json".
func (s *Server) proposalGet(md *markdown.Renderer) handler {
	return s.orJSON(s.cached(s.citizenProposalPage(md)), s.proposalJSON)
}

func (s *Server) citizenProposalPage(md *markdown.Renderer) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, b, o, err := s.proposalFromPath(r)
		if err != nil {
			return err
		}
		page, err := s.buildProposalPage(r, md, p, b, o)
		if err != nil {
			return err
		}
		if !p.Public() {
			// Only its author and staff see it: never keep it anywhere shared.
			w.Header().Set("Cache-Control", "no-store")
		}
		return s.render(w, r, http.StatusOK, "proposal", page)
	}
}

// buildProposalPage fills a proposal's page; forms that fail (a comment)
// show it again with their errors.
func (s *Server) buildProposalPage(r *http.Request, md *markdown.Renderer, p proposal.Proposal, b proposal.Board, o org.Organisation) (ProposalPage, error) {
	ctx := r.Context()
	base := s.orgBase(r, "", o)
	lang := base.Lang
	now := s.Now()
	page := ProposalPage{Base: base, Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)}, Board: boardView(b, base, o.Name(lang), nil)}
	page.P = ProposalView{ID: p.ID, URL: proposalPath(p.ID), Title: p.Title, Lang: p.Lang, Author: p.AuthorName,
		Date: p.PublishedAt, Tag: citizenTag(base, p, now), Body: md.Render(p.Body),
		Supporters: supportersText(base, p.Kind, p.Supporters), Petition: p.Kind == proposal.Petitions,
		Stage: string(p.Stage), Closes: p.ClosesAt, Closed: !p.ClosesAt.IsZero() && !now.Before(p.ClosesAt)}
	page.Title = p.Title
	if page.P.Author == "" {
		page.P.Author = base.T("proposal.public.anonymous")
	}
	if page.P.Date.IsZero() {
		page.P.Date = p.CreatedAt
	}
	if c, ok := b.Category(p.Category); ok {
		page.P.Category = c.Name(lang)
	}
	u := page.User
	page.IsAuthor = u != nil && u.User.ID == p.AuthorID
	page.PreModeration = b.Moderation == proposal.PreModeration
	page.Guidelines = guidelinesPath(o.Slug)
	if p.Public() {
		page.Report, page.NameReport = proposalReportLinks(base, p)
	}
	if u != nil && u.Can(p.OrgID, account.PermStaffArea) {
		page.StaffURL = "/staff/" + url.PathEscape(o.Slug) + "/proposals/" + strconv.FormatInt(p.ID, 10)
	}
	if page.IsAuthor {
		page.Created = r.URL.Query().Get("done") == "created"
		if p.Stage == proposal.Rejected || p.Stage == proposal.Hidden {
			page.P.Reason = p.Reason
		}
		if p.Stage == proposal.Sponsoring && p.SponsorToken != "" {
			page.SponsorURL = s.BaseURL + "/sponsor/" + url.PathEscape(p.SponsorToken)
			page.SponsorsNeeded = groupDigits(b.SponsorsNeeded)
		}
	}
	if p.MergedInto != 0 {
		if into, err := s.Store.Proposal(ctx, p.MergedInto); err == nil && into.Public() {
			it := s.proposalItem(base, b, into, now)
			page.MergedInto = &it
		} else if err != nil && !apperr.Is(err, apperr.NotFound) {
			return page, err
		}
	}

	// Progress towards the thresholds, and the answer owed.
	noun := "ideas"
	if page.P.Petition {
		noun = "petitions"
	}
	if b.ResponseThreshold > 0 {
		t := ThresholdView{ID: "response", Heading: base.T("proposal.public.progress.response_heading"),
			Value: min(p.Supporters, b.ResponseThreshold), Max: b.ResponseThreshold, Reached: !p.ThresholdAt.IsZero()}
		if t.Reached {
			t.Text = base.T("proposal.public.progress.response_reached", "Count", supportersText(base, p.Kind, b.ResponseThreshold), "Date", base.Date(p.ThresholdAt))
		} else {
			t.Text = base.T("proposal.public.progress.response."+noun, "Count", groupDigits(p.Supporters), "Target", groupDigits(b.ResponseThreshold),
				"Left", groupDigits(max(0, b.ResponseThreshold-p.Supporters)))
		}
		page.Thresholds = append(page.Thresholds, t)
	}
	if page.P.Petition && b.DebateThreshold > 0 {
		t := ThresholdView{ID: "debate", Heading: base.T("proposal.public.progress.debate_heading"),
			Value: min(p.Supporters, b.DebateThreshold), Max: b.DebateThreshold, Reached: !p.DebateAt.IsZero()}
		if t.Reached {
			t.Text = base.T("proposal.public.progress.debate_reached", "Count", groupDigits(b.DebateThreshold), "Date", base.Date(p.DebateAt))
		} else {
			t.Text = base.T("proposal.public.progress.debate", "Count", groupDigits(p.Supporters), "Target", groupDigits(b.DebateThreshold),
				"Left", groupDigits(max(0, b.DebateThreshold-p.Supporters)))
		}
		page.Thresholds = append(page.Thresholds, t)
	}
	page.Awaiting, page.Due, page.Overdue = p.Awaiting(), p.ResponseDue, p.Overdue(now)
	if !p.RespondedAt.IsZero() {
		page.Responded = p.RespondedAt
		page.Response = md.Render(p.Response(lang))
	}
	changes, err := s.Store.StatusChanges(ctx, p.ID)
	if err != nil {
		return page, err
	}
	// Newest first: the latest answer is what readers come for. The one
	// shown as the official response is not repeated below it.
	for i := len(changes) - 1; i >= 0; i-- {
		c := changes[i]
		resp := c.ResponseEN
		if lang == "cy" && c.ResponseCY != "" {
			resp = c.ResponseCY
		}
		if i == len(changes)-1 && page.Response != "" && resp == p.Response(lang) {
			continue
		}
		page.Changes = append(page.Changes, ChangeView{Tag: StatusTag{base.T("proposal.public.status." + string(c.Status)), citizenTagColour(c.Status)},
			Date: c.At, Response: md.Render(resp)})
	}

	// Signatures by area.
	if page.P.Petition && p.Public() {
		areas, err := s.Store.CountsByArea(ctx, p.ID)
		if err != nil {
			return page, err
		}
		page.AreasTotal = len(areas)
		page.AllAreas = r.URL.Query().Get("areas") == "all"
		if !page.AllAreas && len(areas) > topAreas {
			areas = areas[:topAreas]
			page.AreasURL = proposalPath(p.ID) + "?areas=all#areas"
		} else if page.AllAreas && len(areas) > topAreas {
			page.AreasURL = proposalPath(p.ID) + "#areas"
		}
		for _, a := range areas {
			name := a.Name
			if a.Code == "" || name == "" {
				name = base.T("proposal.public.areas.unknown")
			}
			page.Areas = append(page.Areas, AreaRow{Name: name, Count: groupDigits(a.Count)})
		}
	}

	// Taking part.
	supportable := p.Supportable(now)
	if page.P.Petition {
		page.CanSign, page.SignURL = supportable, proposalPath(p.ID)+"/sign"
	} else {
		page.CanSupport = supportable
		if u != nil && p.Public() {
			if page.Supporting, err = s.Store.Supports(ctx, p.ID, u.User.ID); err != nil {
				return page, err
			}
		}
	}
	if u != nil && p.Public() {
		if page.Following, err = s.Store.IsSubscribed(ctx, u.User.ID, "proposal", p.ID); err != nil {
			return page, err
		}
	}
	page.CommentOpen = p.Public()
	if p.Public() {
		// Hidden comments are read too, to keep their place in the thread
		// (and their replies); commentView drops their words.
		list, err := s.Store.Comments(ctx, p.ID, true)
		if err != nil {
			return page, err
		}
		for _, c := range list {
			v := threadComment(base, p.ID, c)
			v.ReplyField = "reply-" + strconv.FormatInt(c.ID, 10)
			for _, rep := range c.Replies {
				v.Replies = append(v.Replies, threadComment(base, p.ID, rep))
			}
			page.Comments = append(page.Comments, v)
		}
	}
	return page, nil
}

func commentView(base Base, proposalID int64, c proposal.Comment) CommentView {
	v := CommentView{ID: c.ID, Anchor: "comment-" + strconv.FormatInt(c.ID, 10), Author: c.AuthorName, Date: c.CreatedAt,
		DateText: base.Date(c.CreatedAt)}
	if c.State != proposal.CommentVisible {
		v.Removed, v.Author, v.RemovedText = true, "", base.T("proposal.public.comment.removed")
		return v
	}
	v.Body = lines(c.Body)
	if v.Author == "" {
		v.Author = base.T("proposal.public.anonymous")
	}
	v.ReportURL = reportPath(moderation.Ref{Kind: moderation.KindComment, ID: c.ID}, moderation.Ref{})
	v.ReportText = base.T("proposal.public.comment.report")
	v.ReportHidden = base.T("proposal.public.comment.report_whose", "Name", v.Author)
	return v
}

// proposalSupport adds or withdraws a signed-in citizen's support of an idea.
func (s *Server) proposalSupport(on bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, _, _, err := s.publicProposal(r)
		if err != nil {
			return err
		}
		back := proposalPath(p.ID)
		u := principalOf(r)
		if u == nil {
			s.signInFirst(w, r, back)
			return nil
		}
		if p.Kind != proposal.Ideas {
			// Petitions are signed, by email, on their own form.
			http.Redirect(w, r, back+"/sign", http.StatusSeeOther)
			return nil
		}
		if err := s.limits.allow("support:"+strconv.FormatInt(u.User.ID, 10), supportPerUser); err != nil {
			return err
		}
		flash := "proposal.public.supported"
		if on {
			err = s.Store.Support(r.Context(), p.ID, u.User.ID)
		} else {
			err, flash = s.Store.Withdraw(r.Context(), p.ID, u.User.ID), "proposal.public.withdrawn"
		}
		if apperr.Is(err, apperr.Conflict) {
			return apperr.New(apperr.Conflict, "proposal.public.not_supportable")
		}
		if err != nil {
			return err
		}
		s.sessions.Put(r.Context(), "flash", flash)
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
}

// proposalFollow subscribes a signed-in citizen to a proposal's news.
func (s *Server) proposalFollow(on bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, _, _, err := s.publicProposal(r)
		if err != nil {
			return err
		}
		back := proposalPath(p.ID)
		u := principalOf(r)
		if u == nil {
			s.signInFirst(w, r, back)
			return nil
		}
		flash := "proposal.public.followed"
		if on {
			err = s.Store.Subscribe(r.Context(), u.User.ID, "proposal", p.ID)
		} else {
			err, flash = s.Store.Unsubscribe(r.Context(), u.User.ID, "proposal", p.ID), "proposal.public.unfollowed"
		}
		if err != nil {
			return err
		}
		s.sessions.Put(r.Context(), "flash", flash)
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
}

// boardFeed is an Atom feed of a board's newest published proposals, or of
// those answered, latest answer first.
func (s *Server) boardFeed(answered bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		b, o, err := s.boardFromPath(r)
		if err != nil {
			return err
		}
		f := proposal.ListFilter{BoardID: b.ID, Sort: proposal.SortNewest, Limit: 50}
		if answered {
			// No sort given: the store lists the latest answer first.
			f.Answered, f.Sort = true, ""
		}
		list, _, err := s.Store.Proposals(r.Context(), f)
		if err != nil {
			return err
		}
		lang := langOf(r)
		pr := s.Catalogue.Printer(lang)
		name, kind := "new", "proposal.public.feed.new"
		if answered {
			name, kind = "answered", "proposal.public.feed.answered"
		}
		self := s.BaseURL + "/feeds/boards/" + strconv.FormatInt(b.ID, 10) + "/" + name + ".atom"
		feed := atomFeed{Lang: lang, ID: self, Title: o.Name(lang) + ": " + b.Title(lang) + " – " + pr.T(kind),
			Updated: atomTime(b.CreatedAt), Author: atomAuthor{Name: o.Name(lang)},
			Links: []atomLink{{Rel: "self", Href: self, Type: "application/atom+xml"}, {Rel: "alternate", Href: s.BaseURL + boardPath(b.ID)}}}
		for _, p := range list {
			if !p.Public() {
				continue
			}
			updated := latest(p.CreatedAt, p.PublishedAt)
			text := bodySummary(p.Body, 300)
			if answered {
				updated = latest(updated, p.StatusAt, p.RespondedAt)
				text = pr.T("proposal.public.status."+string(p.Status)) + ": " + bodySummary(p.Response(lang), 300)
			}
			if updated.After(parseAtom(feed.Updated)) {
				feed.Updated = atomTime(updated)
			}
			link := s.BaseURL + proposalPath(p.ID)
			feed.Entries = append(feed.Entries, atomEntry{ID: link, Title: p.Title, Updated: atomTime(updated),
				Link: atomLink{Href: link}, Summary: text, Cat: []atomTerm{{Term: string(p.Status)}}})
		}
		return writeAtom(w, feed)
	}
}

// BoardItem is a board as its organisation's page lists it.
type BoardItem struct {
	ID         int64
	URL        string
	Title      string
	Petitions  bool
	FeedNew    string
	FeedAnswer string
}

// orgBoards lists an organisation's boards for its page.
func (s *Server) orgBoards(r *http.Request, o org.Organisation) ([]BoardItem, error) {
	list, err := s.Store.Boards(r.Context(), o.ID)
	if err != nil {
		return nil, err
	}
	lang := langOf(r)
	out := make([]BoardItem, 0, len(list))
	for _, b := range list {
		id := strconv.FormatInt(b.ID, 10)
		out = append(out, BoardItem{ID: b.ID, URL: boardPath(b.ID), Title: b.Title(lang), Petitions: b.Kind == proposal.Petitions,
			FeedNew: "/feeds/boards/" + id + "/new.atom", FeedAnswer: "/feeds/boards/" + id + "/answered.atom"})
	}
	return out, nil
}
