package web

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/markdown"
	"parley/internal/org"
	"parley/internal/proposal"
)

// staffProposalRoutes registers the staff pages of boards, proposals and petitions.
func (s *Server) staffProposalRoutes(mux *http.ServeMux) {
	md := markdown.New()
	const b, p = "/staff/{org}/boards", "/staff/{org}/proposals"
	s.staff(mux, "GET", b, account.PermStaffArea, s.staffBoards)
	s.staff(mux, "GET", b+"/new", account.PermEdit, s.newBoardForm)
	s.staff(mux, "POST", b, account.PermEdit, s.createBoard)
	s.staff(mux, "GET", b+"/{id}", account.PermEdit, s.editBoardForm)
	s.staff(mux, "POST", b+"/{id}", account.PermEdit, s.updateBoard)
	s.staff(mux, "GET", p, account.PermStaffArea, s.staffProposalQueue)
	s.staff(mux, "GET", p+"/{id}", account.PermStaffArea, s.manageProposal(md))
	s.staff(mux, "POST", p+"/{id}/moderate", account.PermModerate, s.moderateProposal(md))
	s.staff(mux, "POST", p+"/{id}/status", account.PermEdit, s.setProposalStatus(md))
	s.staff(mux, "POST", p+"/{id}/merge", account.PermModerate, s.mergeProposal(md))
	s.staff(mux, "POST", p+"/{id}/close", account.PermModerate, s.closePetition)
	s.staff(mux, "POST", "/staff/{org}/comments/{id}/moderate", account.PermModerate, s.moderateProposalComment(md))
	s.staffPetitionRoutes(mux)
}

func staffBoardURL(o org.Organisation, id int64) string {
	return "/staff/" + o.Slug + "/boards/" + strconv.FormatInt(id, 10)
}

func staffProposalURL(o org.Organisation, id int64) string {
	return "/staff/" + o.Slug + "/proposals/" + strconv.FormatInt(id, 10)
}

// staffBoard loads the board named by {id}, which must be the organisation's.
func (s *Server) staffBoard(r *http.Request, o org.Organisation) (proposal.Board, error) {
	id := idParam(r.PathValue("id"))
	if id <= 0 {
		return proposal.Board{}, errNotFound
	}
	b, err := s.Store.Board(r.Context(), id)
	if err == nil && b.OrgID != o.ID {
		return b, errNotFound
	}
	return b, err
}

// staffProposal loads the proposal with id, which must be the organisation's.
func (s *Server) staffProposal(r *http.Request, o org.Organisation, id int64) (proposal.Proposal, error) {
	if id <= 0 {
		return proposal.Proposal{}, errNotFound
	}
	p, err := s.Store.Proposal(r.Context(), id)
	if err == nil && p.OrgID != o.ID {
		return p, errNotFound
	}
	return p, err
}

// stageTags and statusTags colour the GOV.UK tags of stages and statuses.
var (
	stageTags = map[proposal.Stage]string{proposal.Sponsoring: "govuk-tag--light-blue", proposal.Pending: "govuk-tag--yellow",
		proposal.Published: "govuk-tag--green", proposal.Rejected: "govuk-tag--red", proposal.Hidden: "govuk-tag--grey"}
	statusTags = map[proposal.Status]string{proposal.Open: "govuk-tag--grey", proposal.UnderConsideration: "govuk-tag--light-blue",
		proposal.Planned: "govuk-tag--purple", proposal.Started: "govuk-tag--turquoise", proposal.Completed: "govuk-tag--green",
		proposal.Declined: "govuk-tag--red", proposal.Duplicate: "govuk-tag--orange"}
)

// StaffTag is a GOV.UK tag: its text and its colour class.
type StaffTag struct{ Text, Class string }

func stageTag(b Base, st proposal.Stage) StaffTag {
	return StaffTag{Text: b.T("proposals.staff.stage." + string(st)), Class: stageTags[st]}
}

func statusTag(b Base, st proposal.Status) StaffTag {
	return StaffTag{Text: b.T("proposals.staff.status." + string(st)), Class: statusTags[st]}
}

// ---- Boards ----

// StaffBoardItem is a board in the staff list.
type StaffBoardItem struct {
	ID                int64
	URL               string // the edit page
	PublicURL         string
	Title             string
	Kind              string // translated
	Moderation        string // translated
	Accepting         bool
	ResponseThreshold int
	DebateThreshold   int
	SponsorsNeeded    int
}

// StaffBoardsPage lists an organisation's boards.
type StaffBoardsPage struct {
	Base
	Org         OrgItem
	CanEdit     bool
	CanModerate bool
	Boards      []StaffBoardItem
}

func (s *Server) staffBoards(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	lang := langOf(r)
	page := StaffBoardsPage{Base: s.orgBase(r, "boards.staff.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)},
		CanEdit: p.Can(o.ID, account.PermEdit), CanModerate: p.Can(o.ID, account.PermModerate)}
	boards, err := s.Store.Boards(r.Context(), o.ID)
	if err != nil {
		return err
	}
	for _, b := range boards {
		page.Boards = append(page.Boards, StaffBoardItem{ID: b.ID, URL: staffBoardURL(o, b.ID), PublicURL: "/boards/" + strconv.FormatInt(b.ID, 10),
			Title: b.Title(lang), Kind: page.T("boards.staff.kind." + string(b.Kind)), Moderation: page.T("boards.staff.moderation." + string(b.Moderation)),
			Accepting: b.Accepting, ResponseThreshold: b.ResponseThreshold, DebateThreshold: b.DebateThreshold, SponsorsNeeded: b.SponsorsNeeded})
	}
	return s.render(w, r, http.StatusOK, "staff-boards", page)
}

// StaffBoardForm is the form of a board's text and rules, as typed.
type StaffBoardForm struct {
	Action                                         string
	New                                            bool
	Kind                                           StaffChoices // new boards only
	KindText                                       string       // an existing board's kind, translated
	TitleEN, TitleCY, DescriptionEN, DescriptionCY string
	Moderation                                     StaffChoices
	Accepting                                      bool
	ResponseThreshold, DebateThreshold             string
	ResponseDays, SponsorsNeeded, OpenDays, Alert  string
	Categories                                     string // "English | Welsh" a line
}

// StaffBoardPage creates or edits a board.
type StaffBoardPage struct {
	Base
	Org       OrgItem
	BoardID   int64
	PublicURL string
	Form      StaffBoardForm
}

// boardFields are the board form's fields in page order.
var boardFields = []string{"kind", "title_en", "title_cy", "description_en", "description_cy", "moderation", "response_threshold",
	"response_days", "debate_threshold", "sponsors_needed", "open_days", "alert_per_hour", "categories"}

// inPageOrder puts an Invalid error's fields in the order the form shows
// them, so the error summary follows the page.
func inPageOrder(err error, order []string) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) || len(ae.Order) == 0 {
		return err
	}
	var f apperr.Fields
	for _, k := range order {
		if m, ok := ae.Fields[k]; ok {
			f.Add(k, m)
		}
	}
	for _, k := range ae.Order {
		f.Add(k, ae.Fields[k])
	}
	return f.Err()
}

// boardNumbers are the whole-number fields of the board form.
var boardNumbers = []string{"response_threshold", "debate_threshold", "response_days", "sponsors_needed", "open_days", "alert_per_hour"}

func staffBoardForm(b Base, bd proposal.Board, isNew bool, action string, numbers map[string]string, categories string) StaffBoardForm {
	f := StaffBoardForm{Action: action, New: isNew, TitleEN: bd.TitleEN, TitleCY: bd.TitleCY, DescriptionEN: bd.DescriptionEN,
		DescriptionCY: bd.DescriptionCY, Accepting: bd.Accepting, Categories: categories,
		ResponseThreshold: numbers["response_threshold"], DebateThreshold: numbers["debate_threshold"], ResponseDays: numbers["response_days"],
		SponsorsNeeded: numbers["sponsors_needed"], OpenDays: numbers["open_days"], Alert: numbers["alert_per_hour"]}
	if isNew {
		f.Kind = staffChoices(b, "kind", "boards.staff.form.kind", "boards.staff.form.kind_hint",
			[]string{string(proposal.Ideas), string(proposal.Petitions)},
			[]string{"boards.staff.kind.ideas", "boards.staff.kind.petitions"}, string(bd.Kind))
	} else {
		f.KindText = b.T("boards.staff.kind." + string(bd.Kind))
	}
	f.Moderation = staffChoices(b, "moderation", "boards.staff.form.moderation", "boards.staff.form.moderation_hint",
		[]string{string(proposal.PreModeration), string(proposal.PostModeration)},
		[]string{"boards.staff.moderation.pre", "boards.staff.moderation.post"}, string(bd.Moderation))
	return f
}

// boardNumbersOf writes a board's rules as the form shows them.
func boardNumbersOf(b proposal.Board) map[string]string {
	return map[string]string{"response_threshold": strconv.Itoa(b.ResponseThreshold), "debate_threshold": strconv.Itoa(b.DebateThreshold),
		"response_days": strconv.Itoa(b.ResponseDays), "sponsors_needed": strconv.Itoa(b.SponsorsNeeded), "open_days": strconv.Itoa(b.OpenDays),
		"alert_per_hour": strconv.Itoa(b.AlertPerHour)}
}

// categoryLines writes categories one a line as "English | Welsh".
func categoryLines(cs []proposal.Category) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.NameEN)
		if c.NameCY != "" {
			b.WriteString(" | " + c.NameCY)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// readCategories reads the categories text area. A line whose English or
// Welsh name is an existing category's keeps that category's slug, so
// renaming a category in one language keeps its proposals in it. The same
// English name wins over the same Welsh name, and no slug is kept twice.
func readCategories(text string, old []proposal.Category) []proposal.Category {
	var out []proposal.Category
	used := map[string]bool{}
	for _, l := range lines(text) {
		en, cy, _ := strings.Cut(l, "|")
		c := proposal.Category{NameEN: strings.TrimSpace(en), NameCY: strings.TrimSpace(cy)}
		if c.Slug = keptSlug(c, old, used); c.Slug != "" {
			used[c.Slug] = true
		}
		out = append(out, c)
	}
	return out
}

// keptSlug is the slug of the old category a line renames, or "".
func keptSlug(c proposal.Category, old []proposal.Category, used map[string]bool) string {
	for _, same := range []func(o proposal.Category) bool{
		func(o proposal.Category) bool { return c.NameEN != "" && o.NameEN == c.NameEN },
		func(o proposal.Category) bool { return c.NameCY != "" && o.NameCY == c.NameCY },
	} {
		for _, o := range old {
			if !used[o.Slug] && same(o) {
				return o.Slug
			}
		}
	}
	return ""
}

// readBoard reads the board form into b; numbers that are not whole
// numbers go in f. It returns the numbers and categories as typed.
func readBoard(r *http.Request, b *proposal.Board, f *apperr.Fields) (map[string]string, string) {
	b.TitleEN, b.TitleCY = r.PostFormValue("title_en"), r.PostFormValue("title_cy")
	b.DescriptionEN, b.DescriptionCY = r.PostFormValue("description_en"), r.PostFormValue("description_cy")
	b.Moderation = proposal.Moderation(r.PostFormValue("moderation"))
	b.Accepting = r.PostFormValue("accepting") == "yes"
	numbers := map[string]string{}
	targets := map[string]*int{"response_threshold": &b.ResponseThreshold, "debate_threshold": &b.DebateThreshold,
		"response_days": &b.ResponseDays, "sponsors_needed": &b.SponsorsNeeded, "open_days": &b.OpenDays, "alert_per_hour": &b.AlertPerHour}
	for _, name := range boardNumbers {
		v := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(name), ",", ""))
		numbers[name] = v
		*targets[name] = 0
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			f.Add(name, "error.proposals.staff.number")
			continue
		}
		*targets[name] = n
	}
	categories := r.PostFormValue("categories")
	b.Categories = readCategories(categories, b.Categories)
	b.Normalise()
	return numbers, categories
}

func (s *Server) boardPage(r *http.Request, o org.Organisation, b proposal.Board, isNew bool, numbers map[string]string, categories string, err error) StaffBoardPage {
	title, action := "boards.staff.new.title", "/staff/"+o.Slug+"/boards"
	if !isNew {
		title, action = "boards.staff.edit.title", staffBoardURL(o, b.ID)
	}
	page := StaffBoardPage{Base: s.orgBase(r, title, o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))}, BoardID: b.ID}
	if !isNew {
		page.PublicURL = "/boards/" + strconv.FormatInt(b.ID, 10)
	}
	if err != nil {
		showFieldErrors(&page.Base, err)
	}
	page.Form = staffBoardForm(page.Base, b, isNew, action, numbers, categories)
	return page
}

func (s *Server) newBoardForm(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	b := proposal.Board{Kind: proposal.Petitions, Moderation: proposal.PreModeration, Accepting: true,
		ResponseThreshold: proposal.DefaultResponseThreshold, DebateThreshold: proposal.DefaultDebateThreshold,
		ResponseDays: proposal.DefaultResponseDays, SponsorsNeeded: proposal.DefaultSponsors, OpenDays: proposal.DefaultOpenDays,
		AlertPerHour: proposal.DefaultAlertPerHour}
	if k := proposal.Kind(r.URL.Query().Get("kind")); k == proposal.Ideas {
		// Ideas answer at a lower bar and take no sponsors, no closing date.
		b.Kind, b.ResponseThreshold, b.DebateThreshold, b.SponsorsNeeded, b.OpenDays = k, 100, 0, 0, 0
	}
	page := s.boardPage(r, o, b, true, boardNumbersOf(b), "", nil)
	return s.render(w, r, http.StatusOK, "staff-board", page)
}

func (s *Server) createBoard(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	b := proposal.Board{OrgID: o.ID, Kind: proposal.Kind(r.PostFormValue("kind"))}
	var f apperr.Fields
	numbers, categories := readBoard(r, &b, &f)
	var err error
	if len(f.Order()) > 0 {
		mergeFields(&f, b.Validate())
		err = f.Err()
	} else {
		b, err = s.Store.CreateBoard(r.Context(), b, p.User.ID)
	}
	if apperr.Is(err, apperr.Invalid) {
		err = inPageOrder(err, boardFields)
		return s.render(w, r, http.StatusUnprocessableEntity, "staff-board", s.boardPage(r, o, b, true, numbers, categories, err))
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "boards.staff.created")
	http.Redirect(w, r, "/staff/"+o.Slug+"/boards", http.StatusSeeOther)
	return nil
}

func (s *Server) editBoardForm(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	b, err := s.staffBoard(r, o)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "staff-board", s.boardPage(r, o, b, false, boardNumbersOf(b), categoryLines(b.Categories), nil))
}

func (s *Server) updateBoard(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	b, err := s.staffBoard(r, o)
	if err != nil {
		return err
	}
	var f apperr.Fields
	numbers, categories := readBoard(r, &b, &f)
	if len(f.Order()) > 0 {
		mergeFields(&f, b.Validate())
		err = f.Err()
	} else {
		err = s.Store.UpdateBoard(r.Context(), b, p.User.ID)
	}
	if apperr.Is(err, apperr.Invalid) {
		err = inPageOrder(err, boardFields)
		return s.render(w, r, http.StatusUnprocessableEntity, "staff-board", s.boardPage(r, o, b, false, numbers, categories, err))
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "boards.staff.saved")
	http.Redirect(w, r, "/staff/"+o.Slug+"/boards", http.StatusSeeOther)
	return nil
}

// ---- The queue ----

// StaffProposalItem is a proposal in a staff list.
type StaffProposalItem struct {
	ID          int64
	URL         string // the manage page
	Title       string
	Board       string
	Stage       StaffTag
	Status      StaffTag
	Supporters  int
	Sponsors    int // sponsors a petition needs (Sponsoring only)
	CreatedAt   time.Time
	ResponseDue time.Time
	Overdue     bool
}

func (s *Server) staffProposalItem(b Base, o org.Organisation, p proposal.Proposal, boards map[int64]proposal.Board, now time.Time) StaffProposalItem {
	bd := boards[p.BoardID]
	return StaffProposalItem{ID: p.ID, URL: staffProposalURL(o, p.ID), Title: p.Title, Board: bd.Title(b.Lang),
		Stage: stageTag(b, p.Stage), Status: statusTag(b, p.Status), Supporters: p.Supporters, Sponsors: bd.SponsorsNeeded,
		CreatedAt: p.CreatedAt, ResponseDue: p.ResponseDue, Overdue: p.Overdue(now)}
}

// StaffQueueSection is one list of the proposals queue.
type StaffQueueSection struct {
	ID      string // the heading's id, for the contents links
	Heading string
	Caption string
	None    string
	Total   int
	Items   []StaffProposalItem
}

// StaffCommentItem is a reported comment in the queue or a comment on the manage page.
type StaffCommentItem struct {
	ID            int64
	ProposalURL   string
	ProposalTitle string
	AuthorName    string
	Body          string
	Hidden        bool
	Reason        string
	Reports       int
	CreatedAt     time.Time
	Reply         bool
}

// StaffProposalsPage is the staff queue of proposals: what needs doing.
type StaffProposalsPage struct {
	Base
	Org         OrgItem
	CanModerate bool
	Sections    []StaffQueueSection
	Reported    []StaffCommentItem
}

// queueSize bounds each list of the queue.
const queueSize = 50

func (s *Server) staffProposalQueue(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	ctx, lang, now := r.Context(), langOf(r), s.Now()
	page := StaffProposalsPage{Base: s.orgBase(r, "proposals.staff.queue.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)},
		CanModerate: p.Can(o.ID, account.PermModerate)}
	boards, err := s.boardMap(r, o)
	if err != nil {
		return err
	}
	all := []proposal.Stage{proposal.Sponsoring, proposal.Pending, proposal.Published, proposal.Rejected, proposal.Hidden}
	for _, sec := range []struct {
		id string
		f  proposal.ListFilter
	}{
		{"pending", proposal.ListFilter{OrgID: o.ID, Stages: []proposal.Stage{proposal.Pending}}},
		{"awaiting", proposal.ListFilter{OrgID: o.ID, Awaiting: true, Sort: proposal.SortAnswer}},
		{"sponsoring", proposal.ListFilter{OrgID: o.ID, Stages: []proposal.Stage{proposal.Sponsoring}}},
		{"recent", proposal.ListFilter{OrgID: o.ID, Stages: all, Sort: proposal.SortNewest}},
	} {
		sec.f.Limit = queueSize
		list, total, err := s.Store.Proposals(ctx, sec.f)
		if err != nil {
			return err
		}
		qs := StaffQueueSection{ID: sec.id, Heading: page.T("proposals.staff.queue." + sec.id + ".heading"),
			Caption: page.T("proposals.staff.queue." + sec.id + ".caption"), None: page.T("proposals.staff.queue." + sec.id + ".none"), Total: total}
		for _, pr := range list {
			qs.Items = append(qs.Items, s.staffProposalItem(page.Base, o, pr, boards, now))
		}
		page.Sections = append(page.Sections, qs)
	}
	reported, err := s.Store.ReportedComments(ctx, o.ID)
	if err != nil {
		return err
	}
	titles := map[int64]string{}
	for _, c := range reported {
		title, ok := titles[c.ProposalID]
		if !ok {
			pr, err := s.Store.Proposal(ctx, c.ProposalID)
			if err != nil {
				return err
			}
			title, titles[c.ProposalID] = pr.Title, pr.Title
		}
		it := staffCommentItem(o, c)
		it.ProposalTitle = title
		page.Reported = append(page.Reported, it)
	}
	return s.render(w, r, http.StatusOK, "staff-proposals", page)
}

func staffCommentItem(o org.Organisation, c proposal.Comment) StaffCommentItem {
	return StaffCommentItem{ID: c.ID, ProposalURL: staffProposalURL(o, c.ProposalID), AuthorName: c.AuthorName, Body: c.Body,
		Hidden: c.State == proposal.CommentHidden, Reason: c.Reason, Reports: c.Reports, CreatedAt: c.CreatedAt, Reply: c.ParentID != 0}
}

// boardMap loads the organisation's boards by ID.
func (s *Server) boardMap(r *http.Request, o org.Organisation) (map[int64]proposal.Board, error) {
	boards, err := s.Store.Boards(r.Context(), o.ID)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]proposal.Board, len(boards))
	for _, b := range boards {
		m[b.ID] = b
	}
	return m, nil
}

// ---- One proposal ----

// StaffProposalDetail is the proposal the manage page is about.
type StaffProposalDetail struct {
	ID                int64
	PublicURL         string
	Title             string
	Body              template.HTML
	Kind              string // "ideas" or "petitions"
	Board             string
	BoardURL          string
	Category          string
	AuthorName        string
	Lang              string // translated
	Stage             StaffTag
	Status            StaffTag
	Public            bool
	Reason            string
	Supporters        int
	SponsorsNeeded    int
	Sponsoring        bool
	ResponseThreshold int
	DebateThreshold   int
	ResponseEN        string
	ResponseCY        string
	CreatedAt         time.Time
	PublishedAt       time.Time
	ClosesAt          time.Time
	ThresholdAt       time.Time
	ResponseDue       time.Time
	RespondedAt       time.Time
	DebateAt          time.Time
	Awaiting          bool
	Overdue           bool
	MergedInto        int64
	MergedIntoURL     string
}

// StaffStatusChangeItem is a row of the status history.
type StaffStatusChangeItem struct {
	Status   StaffTag
	Response string
	At       time.Time
}

// StaffMergeCandidate is a proposal the duplicate may be merged into.
type StaffMergeCandidate struct {
	ID         int64
	Title      string
	Supporters int
	Checked    bool
}

// StaffProposalPage is where staff manage one proposal.
type StaffProposalPage struct {
	Base
	Org         OrgItem
	P           StaffProposalDetail
	CanEdit     bool
	CanModerate bool
	// Moderation: the stages the proposal may move to, and the reason as typed.
	Decisions StaffChoices
	Reason    string
	// The official status form, shown for published proposals.
	CanAnswer  bool
	StatusForm StaffChoices
	ResponseEN string
	ResponseCY string
	History    []StaffStatusChangeItem
	// CanClose offers closing a published petition that still takes signatures.
	CanClose bool
	// Merging, shown for published proposals not merged already.
	CanMerge   bool
	Candidates []StaffMergeCandidate
	IntoNumber string
	Areas      []proposal.AreaCount
	AreasMore  int // areas beyond those listed
	Comments   []StaffCommentItem
}

// areasShown bounds the counts-by-area table on the manage page.
const areasShown = 30

// decisionsFrom lists the stages a moderator may move a proposal to, in
// the order the form offers them.
func decisionsFrom(st proposal.Stage) []proposal.Stage {
	var out []proposal.Stage
	for _, to := range []proposal.Stage{proposal.Published, proposal.Rejected, proposal.Hidden} {
		if proposal.CanModerate(st, to) {
			out = append(out, to)
		}
	}
	return out
}

func decisionLabel(from, to proposal.Stage) string {
	if to == proposal.Published && (from == proposal.Hidden || from == proposal.Rejected) {
		return "proposals.staff.decision.restore"
	}
	return "proposals.staff.decision." + string(to)
}

func (s *Server) proposalPage(r *http.Request, o org.Organisation, pr *account.Principal, p proposal.Proposal, md *markdown.Renderer) (StaffProposalPage, error) {
	ctx, lang, now := r.Context(), langOf(r), s.Now()
	page := StaffProposalPage{Base: s.orgBase(r, "", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)},
		CanEdit: pr.Can(o.ID, account.PermEdit), CanModerate: pr.Can(o.ID, account.PermModerate),
		ResponseEN: p.ResponseEN, ResponseCY: p.ResponseCY}
	page.Title = p.Title
	b, err := s.Store.Board(ctx, p.BoardID)
	if err != nil {
		return page, err
	}
	d := StaffProposalDetail{ID: p.ID, PublicURL: "/proposals/" + strconv.FormatInt(p.ID, 10), Title: p.Title, Body: md.Render(p.Body),
		Kind: string(b.Kind), Board: b.Title(lang), BoardURL: "/boards/" + strconv.FormatInt(b.ID, 10), AuthorName: p.AuthorName,
		Lang: page.T("proposals.staff.lang." + p.Lang), Stage: stageTag(page.Base, p.Stage), Status: statusTag(page.Base, p.Status),
		Public: p.Public(), Reason: p.Reason, Supporters: p.Supporters, SponsorsNeeded: b.SponsorsNeeded, Sponsoring: p.Stage == proposal.Sponsoring,
		ResponseThreshold: b.ResponseThreshold, DebateThreshold: b.DebateThreshold, ResponseEN: p.ResponseEN, ResponseCY: p.ResponseCY,
		CreatedAt: p.CreatedAt, PublishedAt: p.PublishedAt, ClosesAt: p.ClosesAt, ThresholdAt: p.ThresholdAt, ResponseDue: p.ResponseDue,
		RespondedAt: p.RespondedAt, DebateAt: p.DebateAt, Awaiting: p.Awaiting(), Overdue: p.Overdue(now), MergedInto: p.MergedInto}
	if c, ok := b.Category(p.Category); ok {
		d.Category = c.Name(lang)
	}
	if p.MergedInto != 0 {
		d.MergedIntoURL = staffProposalURL(o, p.MergedInto)
	}
	page.P = d
	if page.CanModerate {
		var values, labels []string
		for _, to := range decisionsFrom(p.Stage) {
			values, labels = append(values, string(to)), append(labels, decisionLabel(p.Stage, to))
		}
		if len(values) > 0 {
			page.Decisions = staffChoices(page.Base, "to", "proposals.staff.moderate.legend", "", values, labels)
		}
	}
	published := p.Stage == proposal.Published && p.MergedInto == 0
	page.CanClose = page.CanModerate && published && p.Kind == proposal.Petitions && (p.ClosesAt.IsZero() || p.ClosesAt.After(s.Now()))
	if page.CanEdit && published {
		page.CanAnswer = true
		var values, labels []string
		for _, st := range proposal.Statuses {
			if proposal.ValidStatus(st) {
				values, labels = append(values, string(st)), append(labels, "proposals.staff.status."+string(st))
			}
		}
		page.StatusForm = staffChoices(page.Base, "status", "proposals.staff.answer.status", "proposals.staff.answer.status_hint", values, labels, string(p.Status))
	}
	changes, err := s.Store.StatusChanges(ctx, p.ID)
	if err != nil {
		return page, err
	}
	for _, c := range changes {
		resp := c.ResponseEN
		if lang == "cy" && c.ResponseCY != "" {
			resp = c.ResponseCY
		}
		page.History = append(page.History, StaffStatusChangeItem{Status: statusTag(page.Base, c.Status), Response: resp, At: c.At})
	}
	if page.CanModerate && published {
		page.CanMerge = true
		similar, err := s.Store.SimilarProposals(ctx, p.BoardID, p.Title, 6)
		if err != nil {
			return page, err
		}
		for _, c := range similar {
			if c.ID != p.ID && c.MergedInto == 0 && len(page.Candidates) < 5 {
				page.Candidates = append(page.Candidates, StaffMergeCandidate{ID: c.ID, Title: c.Title, Supporters: c.Supporters})
			}
		}
	}
	if b.Kind == proposal.Petitions {
		areas, err := s.Store.CountsByArea(ctx, p.ID)
		if err != nil {
			return page, err
		}
		if len(areas) > areasShown {
			page.AreasMore = len(areas) - areasShown
			areas = areas[:areasShown]
		}
		page.Areas = areas
	}
	comments, err := s.Store.Comments(ctx, p.ID, true)
	if err != nil {
		return page, err
	}
	for _, c := range comments {
		page.Comments = append(page.Comments, staffCommentItem(o, c))
		for _, rep := range c.Replies {
			page.Comments = append(page.Comments, staffCommentItem(o, rep))
		}
	}
	return page, nil
}

func (s *Server) manageProposal(md *markdown.Renderer) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, o org.Organisation, pr *account.Principal) error {
		p, err := s.staffProposal(r, o, idParam(r.PathValue("id")))
		if err != nil {
			return err
		}
		page, err := s.proposalPage(r, o, pr, p, md)
		if err != nil {
			return err
		}
		return s.render(w, r, http.StatusOK, "staff-proposal", page)
	}
}

// proposalError shows the manage page again with a form's errors and what was typed.
func (s *Server) proposalError(w http.ResponseWriter, r *http.Request, o org.Organisation, pr *account.Principal, p proposal.Proposal,
	md *markdown.Renderer, err error, fill func(*StaffProposalPage)) error {
	page, perr := s.proposalPage(r, o, pr, p, md)
	if perr != nil {
		return perr
	}
	showFieldErrors(&page.Base, err)
	// The forms were built before the errors were known.
	page.Decisions.Error, page.StatusForm.Error = page.ErrorFor("to"), page.ErrorFor("status")
	fill(&page)
	return s.render(w, r, http.StatusUnprocessableEntity, "staff-proposal", page)
}

// setProposalStatus records an official status with its response; the
// store emails the supporters through a job.
func (s *Server) setProposalStatus(md *markdown.Renderer) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, o org.Organisation, pr *account.Principal) error {
		p, err := s.staffProposal(r, o, idParam(r.PathValue("id")))
		if err != nil {
			return err
		}
		c := proposal.StatusChange{ProposalID: p.ID, Status: proposal.Status(r.PostFormValue("status")),
			ResponseEN: strings.TrimSpace(r.PostFormValue("response_en")), ResponseCY: strings.TrimSpace(r.PostFormValue("response_cy")), ActorID: pr.User.ID}
		err = c.Validate()
		if err == nil {
			_, err = s.Store.SetProposalStatus(r.Context(), c)
		}
		if apperr.Is(err, apperr.Invalid) {
			return s.proposalError(w, r, o, pr, p, md, err, func(pg *StaffProposalPage) {
				pg.ResponseEN, pg.ResponseCY = c.ResponseEN, c.ResponseCY
				for i := range pg.StatusForm.Items {
					pg.StatusForm.Items[i].Checked = pg.StatusForm.Items[i].Value == string(c.Status)
				}
			})
		}
		if err != nil {
			return err
		}
		s.WakeJobs()
		s.sessions.Put(r.Context(), "flash", "proposals.staff.answer.saved")
		http.Redirect(w, r, staffProposalURL(o, p.ID), http.StatusSeeOther)
		return nil
	}
}
