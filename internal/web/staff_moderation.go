package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/moderation"
	"parley/internal/org"
)

// staffModerationRoutes registers the organisation's moderation queue:
// every kind of thing citizens write, in one place.
func (s *Server) staffModerationRoutes(mux *http.ServeMux) {
	const m = "/staff/{org}/moderation"
	s.staff(mux, "GET", m, account.PermModerate, s.moderationQueue)
	s.staff(mux, "GET", m+"/settings", account.PermModerate, s.moderationSettings)
	s.staff(mux, "POST", m+"/settings", account.PermModerate, s.saveModerationSettings)
	s.staff(mux, "GET", m+"/authors", account.PermModerate, s.moderationAuthors)
	s.staff(mux, "POST", m+"/authors/{user}/standing", account.PermModerate, s.setModerationStanding)
	s.staff(mux, "GET", m+"/{id}", account.PermModerate, s.moderationItem)
	s.staff(mux, "POST", m+"/{id}", account.PermModerate, s.decideModeration)
	s.staff(mux, "POST", m+"/{id}/appeal", account.PermModerate, s.decideModerationAppeal)
}

func staffModerationURL(o org.Organisation) string { return "/staff/" + o.Slug + "/moderation" }

func staffModerationItemURL(o org.Organisation, id int64) string {
	return staffModerationURL(o) + "/" + strconv.FormatInt(id, 10)
}

// ModerationNav is the moderation pages' own navigation.
type ModerationNav struct {
	Org     OrgItem
	Current string // "open", "closed", "authors", "settings" or ""
	Open    int    // open items, shown beside the queue's link
}

func (s *Server) moderationNav(r *http.Request, o org.Organisation, current string) (ModerationNav, map[moderation.Reason]int, error) {
	nav := ModerationNav{Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))}, Current: current}
	counts, err := s.Store.ModerationCounts(r.Context(), o.ID)
	if err != nil {
		return nav, nil, err
	}
	nav.Open = counts[""]
	return nav, counts, nil
}

// StaffModerationFlag is one reason an item is in the queue.
type StaffModerationFlag struct {
	Reason   string // translated
	Category string // a report's category, translated; "" otherwise
	Detail   string // the words matched, a report's text, an appeal
	Report   bool
	At       time.Time
}

// StaffModerationItem is an item as the queue and the item page show it.
type StaffModerationItem struct {
	ID         int64
	URL        string
	Kind       string // translated
	WhereTitle string
	WhereURL   string // the staff page of the engagement or the content; "" when none
	AuthorName string
	AuthorID   int64
	Standing   StaffTag // Text "" for an author in normal standing
	Text       string   // truncated in the queue, whole on the item page
	Truncated  bool
	Flags      []StaffModerationFlag
	Held       bool
	Open       bool
	Decision   StaffTag // Text "" until decided
	OpenedAt   time.Time
	DecidedAt  time.Time
}

// queueExcerpt bounds the text the queue shows of each item.
const queueExcerpt = 280

// excerpt cuts text to n characters, at a space where it can.
func excerpt(text string, n int) (string, bool) {
	if utf8.RuneCountInString(text) <= n {
		return text, false
	}
	cut := string([]rune(text)[:n])
	if i := strings.LastIndexAny(cut, " \n"); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimSpace(cut) + "…", true
}

var decisionTags = map[moderation.Decision]string{moderation.Approve: "govuk-tag--green", moderation.ApproveTrust: "govuk-tag--green",
	moderation.Redact: "govuk-tag--blue", moderation.Reject: "govuk-tag--red", moderation.RejectBlock: "govuk-tag--red"}

func standingTag(b Base, st moderation.Standing) StaffTag {
	switch st {
	case moderation.Trusted:
		return StaffTag{Text: b.T("moderation.staff.standing.trusted"), Class: "govuk-tag--green"}
	case moderation.Blocked:
		return StaffTag{Text: b.T("moderation.staff.standing.blocked"), Class: "govuk-tag--red"}
	}
	return StaffTag{}
}

// whereURL is the staff page where a moderator sees the item in context.
func whereURL(o org.Organisation, it moderation.Item) string {
	staff := "/staff/" + o.Slug
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	switch {
	case it.WhereKind == moderation.KindProposal && it.WhereID > 0:
		return staff + "/proposals/" + id(it.WhereID)
	case it.Ref.Kind == moderation.KindProposal:
		return staff + "/proposals/" + id(it.Ref.ID)
	case it.Ref.Kind == moderation.KindComment && it.WhereID > 0:
		return staff + "/proposals/" + id(it.WhereID) + "#comments"
	case it.Ref.Kind == moderation.KindStatement && it.WhereID > 0:
		return staff + "/conversations/" + id(it.WhereID)
	case it.Ref.Kind == moderation.KindResponse && it.WhereID > 0:
		return staff + "/consultations/" + id(it.WhereID) + "/responses/" + id(it.Ref.ID)
	}
	return ""
}

func (s *Server) staffModerationItem(b Base, o org.Organisation, it moderation.Item, standings map[int64]moderation.Standing, cut int) StaffModerationItem {
	v := StaffModerationItem{ID: it.ID, URL: staffModerationItemURL(o, it.ID), Kind: b.T("moderation.kind." + string(it.Ref.Kind)),
		WhereTitle: it.WhereTitle, WhereURL: whereURL(o, it), AuthorName: it.AuthorName, AuthorID: it.AuthorID,
		Held: it.Held && it.State == moderation.Open, Open: it.State == moderation.Open, OpenedAt: it.OpenedAt, DecidedAt: it.DecidedAt, Text: it.Text}
	if it.AuthorID != 0 {
		v.Standing = standingTag(b, standings[it.AuthorID])
	}
	if cut > 0 {
		v.Text, v.Truncated = excerpt(it.Text, cut)
	}
	if it.Decision != "" {
		v.Decision = StaffTag{Text: b.T("moderation.decision." + string(it.Decision)), Class: decisionTags[it.Decision]}
	}
	for _, f := range it.Flags {
		sf := StaffModerationFlag{Reason: b.T("moderation.reason." + string(f.Reason)), Detail: f.Detail, At: f.At, Report: f.Reason == moderation.Reported}
		if f.Category != "" {
			sf.Category = b.T("moderation.category." + string(f.Category))
		}
		v.Flags = append(v.Flags, sf)
	}
	return v
}

// standingMap loads the organisation's trusted and blocked authors.
func (s *Server) standingMap(r *http.Request, o org.Organisation) (map[int64]moderation.Standing, error) {
	list, err := s.Store.Standings(r.Context(), o.ID)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]moderation.Standing, len(list))
	for _, a := range list {
		m[a.UserID] = a.Standing
	}
	return m, nil
}

// StaffReasonCount is a row of the count of open items by reason.
type StaffReasonCount struct {
	Reason string // translated
	Count  int
	URL    string // the queue filtered by the reason
}

// StaffModerationQueuePage is the organisation's moderation queue.
type StaffModerationQueuePage struct {
	Base
	Nav      ModerationNav
	Open     bool // open items (else decided ones)
	State    string
	Kinds    []StaffOption
	Reasons  []StaffOption
	Filtered bool
	Counts   []StaffReasonCount
	Items    []StaffModerationItem
	Limit    int
}

// moderationQueueSize bounds one page of the queue.
const moderationQueueSize = 100

func (s *Server) moderationQueue(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	ctx, q := r.Context(), r.URL.Query()
	f := moderation.QueueFilter{State: moderation.Open, Limit: moderationQueueSize}
	current := "open"
	if q.Get("state") == string(moderation.Closed) {
		f.State, current = moderation.Closed, "closed"
	}
	if k := moderation.Kind(q.Get("kind")); k.Valid() {
		f.Kind = k
	}
	for _, x := range moderation.Reasons {
		if q.Get("reason") == string(x) {
			f.Reason = x
		}
	}
	title := "moderation.staff.queue.title"
	if f.State == moderation.Closed {
		title = "moderation.staff.queue.decided_title"
	}
	page := StaffModerationQueuePage{Base: s.orgBase(r, title, o), Open: f.State == moderation.Open, State: string(f.State),
		Filtered: f.Kind != "" || f.Reason != "", Limit: moderationQueueSize}
	nav, counts, err := s.moderationNav(r, o, current)
	if err != nil {
		return err
	}
	page.Nav = nav
	page.Kinds = []StaffOption{{Value: "", Label: page.T("moderation.staff.filter.any_kind")}}
	for _, k := range moderation.Kinds {
		page.Kinds = append(page.Kinds, StaffOption{Value: string(k), Label: page.T("moderation.kind." + string(k)), Selected: k == f.Kind})
	}
	page.Reasons = []StaffOption{{Value: "", Label: page.T("moderation.staff.filter.any_reason")}}
	for _, x := range moderation.Reasons {
		page.Reasons = append(page.Reasons, StaffOption{Value: string(x), Label: page.T("moderation.reason." + string(x)), Selected: x == f.Reason})
		if n := counts[x]; n > 0 {
			page.Counts = append(page.Counts, StaffReasonCount{Reason: page.T("moderation.reason." + string(x)), Count: n,
				URL: staffModerationURL(o) + "?" + url.Values{"reason": {string(x)}}.Encode()})
		}
	}
	items, err := s.Store.ModerationQueue(ctx, o.ID, f)
	if err != nil {
		return err
	}
	standings, err := s.standingMap(r, o)
	if err != nil {
		return err
	}
	for _, it := range items {
		page.Items = append(page.Items, s.staffModerationItem(page.Base, o, it, standings, queueExcerpt))
	}
	return s.render(w, r, http.StatusOK, "staff-moderation", page)
}

// StaffModerationHistory is the decision and the appeal, as the item page
// shows them.
type StaffModerationHistory struct {
	Decision        StaffTag
	Reason          string
	DecidedBy       string
	DecidedAt       time.Time
	AppealText      string
	AppealedAt      time.Time
	AppealOutcome   string // translated; "" until decided
	AppealReason    string
	AppealDecidedAt time.Time
}

// StaffModerationItemPage is one item, with the form to decide it.
type StaffModerationItemPage struct {
	Base
	Nav     ModerationNav
	Item    StaffModerationItem
	History StaffModerationHistory
	Decided bool // it has been decided at least once
	// Deciding: the decision form, shown while the item is open and not appealed.
	CanDecide bool
	Decisions StaffChoices
	Reason    string
	CanRedact bool
	Redacted  string
	// Appeal: the form to decide an appeal, shown while one waits.
	CanDecideAppeal bool
	AppealChoices   StaffChoices
	AppealReason    string
}

// staffName names a member of staff, or says the person is no longer staff.
func (s *Server) staffNames(r *http.Request, o org.Organisation) (map[int64]string, error) {
	staff, err := s.Store.Staff(r.Context(), o.ID)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(staff))
	for _, m := range staff {
		names[m.User.ID] = m.User.DisplayName
		if names[m.User.ID] == "" {
			names[m.User.ID] = m.User.Email
		}
	}
	return names, nil
}

// staffModeration loads the item named by {id}, which must be the organisation's.
func (s *Server) staffModeration(r *http.Request, o org.Organisation) (moderation.Item, error) {
	id := idParam(r.PathValue("id"))
	if id <= 0 {
		return moderation.Item{}, errNotFound
	}
	it, err := s.Store.ModerationItem(r.Context(), id)
	if err == nil && it.OrgID != o.ID {
		return moderation.Item{}, errNotFound
	}
	return it, err
}

// appealWaits reports whether the item is open because its author appealed.
func appealWaits(it moderation.Item) bool {
	return it.State == moderation.Open && !it.AppealedAt.IsZero() && it.AppealOutcome == ""
}

// decisionsFor lists the decisions the form offers for an item: no
// redaction of names or responses, no trust or block without an author.
func decisionsFor(it moderation.Item) []moderation.Decision {
	var out []moderation.Decision
	for _, d := range moderation.Decisions {
		switch {
		case d == moderation.Redact && (it.Ref.Kind == moderation.KindDisplayName || it.Ref.Kind == moderation.KindResponse):
		case (d == moderation.ApproveTrust || d == moderation.RejectBlock) && it.AuthorID == 0:
		default:
			out = append(out, d)
		}
	}
	return out
}

func (s *Server) moderationItemPage(r *http.Request, o org.Organisation, it moderation.Item) (StaffModerationItemPage, error) {
	page := StaffModerationItemPage{Base: s.orgBase(r, "", o)}
	nav, _, err := s.moderationNav(r, o, "")
	if err != nil {
		return page, err
	}
	page.Nav = nav
	standings, err := s.standingMap(r, o)
	if err != nil {
		return page, err
	}
	page.Item = s.staffModerationItem(page.Base, o, it, standings, 0)
	page.Title = page.T("moderation.staff.item.title", "Kind", page.Item.Kind, "ID", it.ID)
	if it.Decision != "" {
		page.Decided = true
		names, err := s.staffNames(r, o)
		if err != nil {
			return page, err
		}
		h := StaffModerationHistory{Decision: page.Item.Decision, Reason: it.Reason, DecidedBy: names[it.DecidedBy], DecidedAt: it.DecidedAt,
			AppealText: it.AppealText, AppealedAt: it.AppealedAt, AppealReason: it.AppealReason, AppealDecidedAt: it.AppealDecidedAt}
		if h.DecidedBy == "" {
			h.DecidedBy = page.T("moderation.staff.item.former_staff")
		}
		switch it.AppealOutcome {
		case moderation.Approve:
			h.AppealOutcome = page.T("moderation.staff.appeal.reinstated")
		case moderation.Reject:
			h.AppealOutcome = page.T("moderation.staff.appeal.upheld")
		}
		page.History = h
	}
	switch {
	case appealWaits(it):
		page.CanDecideAppeal = true
		page.AppealChoices = staffChoices(page.Base, "outcome", "moderation.staff.appeal.legend", "",
			[]string{"reinstate", "uphold"}, []string{"moderation.staff.appeal.reinstate", "moderation.staff.appeal.uphold"})
		page.AppealChoices.Items[0].Hint = page.T("moderation.staff.appeal.reinstate_hint")
		page.AppealChoices.Items[1].Hint = page.T("moderation.staff.appeal.uphold_hint")
	case it.State == moderation.Open:
		page.CanDecide = true
		var values, labels []string
		for _, d := range decisionsFor(it) {
			values, labels = append(values, string(d)), append(labels, "moderation.staff.decide."+string(d))
			page.CanRedact = page.CanRedact || d == moderation.Redact
		}
		page.Decisions = staffChoices(page.Base, "decision", "moderation.staff.decide.legend", "", values, labels)
		for i := range page.Decisions.Items {
			page.Decisions.Items[i].Hint = page.T("moderation.staff.decide." + page.Decisions.Items[i].Value + "_hint")
		}
		page.Redacted = it.Text
	}
	return page, nil
}

func (s *Server) moderationItem(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	it, err := s.staffModeration(r, o)
	if err != nil {
		return err
	}
	page, err := s.moderationItemPage(r, o, it)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "staff-moderation-item", page)
}

// moderationItemError shows the item page again with a form's errors; a
// conflict (someone decided first) shows the item as it now is.
func (s *Server) moderationItemError(w http.ResponseWriter, r *http.Request, o org.Organisation, it moderation.Item, err error, fill func(*StaffModerationItemPage)) error {
	status := http.StatusUnprocessableEntity
	if apperr.Is(err, apperr.Conflict) {
		status = http.StatusConflict
		fresh, ferr := s.Store.ModerationItem(r.Context(), it.ID)
		if ferr != nil {
			return ferr
		}
		it, fill = fresh, nil
		err = apperr.New(apperr.Conflict, "error.moderation.decided")
	}
	page, perr := s.moderationItemPage(r, o, it)
	if perr != nil {
		return perr
	}
	if len(apperr.FieldsOf(err)) == 0 {
		page.Errors = append(page.Errors, FieldError{Field: "history", Msg: page.T(apperr.Message(err))})
	} else {
		showFieldErrors(&page.Base, err)
	}
	// The forms were built before the errors were known.
	page.Decisions.Error, page.AppealChoices.Error = page.ErrorFor("decision"), page.ErrorFor("outcome")
	if fill != nil {
		fill(&page)
	}
	return s.render(w, r, status, "staff-moderation-item", page)
}

// decideModeration applies a moderator's decision to an item.
func (s *Server) decideModeration(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	it, err := s.staffModeration(r, o)
	if err != nil {
		return err
	}
	d := moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Decision(r.PostFormValue("decision")),
		Reason: strings.TrimSpace(r.PostFormValue("reason")), ActorID: p.User.ID}
	if d.Decision == moderation.Redact {
		d.Redacted = strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("redacted"), "\r\n", "\n"))
	}
	switch {
	case it.State != moderation.Open || appealWaits(it):
		err = apperr.New(apperr.Conflict, "error.moderation.decided")
	default:
		err = d.Validate(it.Ref.Kind)
		if err == nil {
			err = s.Store.Decide(r.Context(), d)
		}
	}
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
		err = inPageOrder(err, []string{"decision", "reason", "redacted"})
		return s.moderationItemError(w, r, o, it, err, func(pg *StaffModerationItemPage) {
			pg.Reason = d.Reason
			if d.Decision == moderation.Redact {
				pg.Redacted = r.PostFormValue("redacted")
			}
			for i := range pg.Decisions.Items {
				pg.Decisions.Items[i].Checked = pg.Decisions.Items[i].Value == string(d.Decision)
			}
		})
	}
	if err != nil {
		return err
	}
	s.WakeJobs()
	s.sessions.Put(r.Context(), "flash", "moderation.staff.decided."+string(d.Decision))
	http.Redirect(w, r, staffModerationURL(o), http.StatusSeeOther)
	return nil
}

// decideModerationAppeal reinstates or upholds an appealed decision.
func (s *Server) decideModerationAppeal(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	it, err := s.staffModeration(r, o)
	if err != nil {
		return err
	}
	outcome := r.PostFormValue("outcome")
	reason := strings.TrimSpace(r.PostFormValue("appeal_reason"))
	var f apperr.Fields
	f.Check(outcome == "reinstate" || outcome == "uphold", "outcome", "error.moderation.appeal.outcome")
	f.Check(outcome != "uphold" || reason != "", "appeal_reason", "error.moderation.reason.required")
	f.Check(utf8.RuneCountInString(reason) <= moderation.MaxReason, "appeal_reason", "error.moderation.reason.too_long")
	err = f.Err()
	if !appealWaits(it) {
		err = apperr.New(apperr.Conflict, "error.moderation.decided")
	}
	if err == nil {
		err = s.Store.DecideAppeal(r.Context(), it.ID, outcome == "reinstate", reason, p.User.ID)
	}
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
		if fe := apperr.FieldsOf(err); len(fe) > 0 {
			if m, ok := fe["reason"]; ok { // the store's name for the field
				var g apperr.Fields
				g.Add("appeal_reason", m)
				err = g.Err()
			}
		}
		return s.moderationItemError(w, r, o, it, err, func(pg *StaffModerationItemPage) {
			pg.AppealReason = reason
			for i := range pg.AppealChoices.Items {
				pg.AppealChoices.Items[i].Checked = pg.AppealChoices.Items[i].Value == outcome
			}
		})
	}
	if err != nil {
		return err
	}
	s.WakeJobs()
	s.sessions.Put(r.Context(), "flash", "moderation.staff.appeal.done_"+outcome)
	http.Redirect(w, r, staffModerationURL(o), http.StatusSeeOther)
	return nil
}
