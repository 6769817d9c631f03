package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"parley/internal/apperr"
	"parley/internal/moderation"
)

// An author's view of moderation: what of theirs is waiting for a
// moderator or was hidden, the moderator's reason, and one appeal per
// decision.

// AuthorItemView is one of the author's contributions in moderation.
type AuthorItemView struct {
	ID         int64
	Anchor     string
	Kind       string // "Comment", "Idea or petition"…
	Where      string
	What       string // kind and where, for screen readers
	Text       []string
	Date       time.Time
	Tag        StatusTag
	Status     string // a sentence saying where it is
	Reason     string // the moderator's reason
	AppealURL  string // when it may be appealed
	AppealText []string
	Appealed   time.Time
	Outcome    string // the appeal's outcome, as a sentence
	OutReason  string // the reason given for it
}

// AccountModerationPage lists the signed-in person's contributions that a
// moderator is looking at or has hidden.
type AccountModerationPage struct {
	Base
	Items []AuthorItemView
}

func authorItemView(base Base, it moderation.Item) AuthorItemView {
	v := AuthorItemView{ID: it.ID, Anchor: "item-" + strconv.FormatInt(it.ID, 10),
		Kind: base.T("moderation.kind." + string(it.Ref.Kind)), Where: it.WhereTitle, Text: lines(it.Text), Date: it.OpenedAt}
	if !it.DecidedAt.IsZero() {
		v.Date = it.DecidedAt
	}
	v.What = v.Kind
	if v.Where != "" {
		v.What += " – " + v.Where
	}
	switch {
	case !it.AppealedAt.IsZero():
		v.Reason, v.AppealText, v.Appealed = it.Reason, lines(it.AppealText), it.AppealedAt
		switch {
		case it.AppealOutcome == moderation.Approve:
			v.Tag = StatusTag{base.T("moderation.public.mine.tag.reinstated"), "green"}
			v.Outcome, v.OutReason = base.T("moderation.public.mine.reinstated"), it.AppealReason
			v.Date = it.AppealDecidedAt
		case it.AppealOutcome != "":
			v.Tag = StatusTag{base.T("moderation.public.mine.tag.upheld"), "red"}
			v.Outcome, v.OutReason = base.T("moderation.public.mine.upheld"), it.AppealReason
			v.Date = it.AppealDecidedAt
		default:
			v.Tag = StatusTag{base.T("moderation.public.mine.tag.appealed"), "blue"}
			v.Outcome = base.T("moderation.public.mine.appealed")
		}
		v.Status = base.T("moderation.public.mine.hidden")
	case it.State == moderation.Open:
		v.Tag = StatusTag{base.T("moderation.public.mine.tag.waiting"), "yellow"}
		v.Status = base.T("moderation.public.mine.waiting")
	case it.Decision.Hides():
		v.Tag = StatusTag{base.T("moderation.public.mine.tag.hidden"), "red"}
		v.Status, v.Reason = base.T("moderation.public.mine.hidden"), it.Reason
	case it.Decision == moderation.Redact:
		v.Tag = StatusTag{base.T("moderation.public.mine.tag.edited"), "turquoise"}
		v.Status, v.Reason = base.T("moderation.public.mine.edited"), it.Reason
	default:
		v.Tag = StatusTag{base.T("moderation.public.mine.tag.shown"), "green"}
		v.Status = base.T("moderation.public.mine.shown")
	}
	if it.CanAppeal() {
		v.AppealURL = "/account/moderation/" + strconv.FormatInt(it.ID, 10) + "/appeal"
	}
	return v
}

func (s *Server) accountModeration(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	items, err := s.Store.AuthorItems(r.Context(), u.User.ID)
	if err != nil {
		return err
	}
	page := AccountModerationPage{Base: s.base(r, "moderation.public.mine.title")}
	for _, it := range items {
		page.Items = append(page.Items, authorItemView(page.Base, it))
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "account-moderation", page)
}

// AppealPage is the form to appeal a moderator's decision.
type AppealPage struct {
	Base
	Item      AuthorItemView
	Action    string
	Appeal    string
	AppealMax int
	MaxText   string // AppealMax in words
}

// appealTarget loads the signed-in author's item named by {id}; anyone
// else's is not found, and one that cannot be appealed is a conflict
// with a message saying why.
func (s *Server) appealTarget(r *http.Request) (AppealPage, moderation.Item, error) {
	u, err := requireUser(r)
	if err != nil {
		return AppealPage{}, moderation.Item{}, err
	}
	id, err := pathInt64(r, "id")
	if err != nil {
		return AppealPage{}, moderation.Item{}, err
	}
	it, err := s.Store.ModerationItem(r.Context(), id)
	if apperr.Is(err, apperr.NotFound) || (err == nil && (it.AuthorID == 0 || it.AuthorID != u.User.ID)) {
		return AppealPage{}, it, errNotFound
	}
	if err != nil {
		return AppealPage{}, it, err
	}
	if err := appealable(it); err != nil {
		return AppealPage{}, it, err
	}
	base := s.base(r, "moderation.public.appeal.title")
	page := AppealPage{Base: base, Item: authorItemView(base, it), Action: "/account/moderation/" + strconv.FormatInt(it.ID, 10) + "/appeal",
		AppealMax: moderation.MaxAppeal, MaxText: groupDigits(moderation.MaxAppeal)}
	return page, it, nil
}

// appealable says why an item cannot be appealed, if it cannot.
func appealable(it moderation.Item) error {
	switch {
	case it.CanAppeal():
		return nil
	case !it.AppealedAt.IsZero():
		return apperr.New(apperr.Conflict, "moderation.public.appeal.already")
	default:
		return apperr.New(apperr.Conflict, "moderation.public.appeal.not_hidden")
	}
}

func (s *Server) appealForm(w http.ResponseWriter, r *http.Request) error {
	page, _, err := s.appealTarget(r)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "account-moderation-appeal", page)
}

func (s *Server) appealSubmit(w http.ResponseWriter, r *http.Request) error {
	page, it, err := s.appealTarget(r)
	if err != nil {
		return err
	}
	a := moderation.Appeal{ItemID: it.ID, UserID: page.User.User.ID, Text: strings.TrimSpace(r.PostFormValue("appeal"))}
	err = a.Validate()
	if err == nil {
		err = s.Store.Appeal(r.Context(), a)
	}
	if msg := apperr.FieldsOf(err)["appeal"]; apperr.Is(err, apperr.Invalid) && msg != "" {
		page.Appeal = r.PostFormValue("appeal")
		page.withErrors([]string{"appeal"}, map[string]string{"appeal": msg})
		w.Header().Set("Cache-Control", "no-store")
		return s.render(w, r, http.StatusUnprocessableEntity, "account-moderation-appeal", page)
	}
	switch {
	case apperr.Is(err, apperr.NotFound):
		return errNotFound
	case apperr.Is(err, apperr.Conflict):
		// Appealed from another tab in the meantime.
		return apperr.New(apperr.Conflict, "moderation.public.appeal.already")
	case err != nil:
		return err
	}
	s.sessions.Put(r.Context(), "flash", "moderation.public.appeal.done")
	http.Redirect(w, r, "/account/moderation#item-"+strconv.FormatInt(it.ID, 10), http.StatusSeeOther)
	return nil
}
