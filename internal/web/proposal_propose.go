package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"parley/internal/apperr"
	"parley/internal/org"
	"parley/internal/proposal"
)

// Proposing follows the GOV.UK question-page pattern on one page: the
// form, then (when the board already has proposals like it) a "check these
// first" step that lists them, then the proposal's own page with a
// confirmation. It all works without JavaScript; a script only adds
// suggestions while the title is typed.

// proposeForm is what the propose form holds, as typed.
type proposeForm struct {
	Title      string
	Body       string
	Category   string
	AuthorName string
	Postcode   string
	Country    string
	UKResident bool
}

func readProposeForm(r *http.Request) proposeForm {
	return proposeForm{Title: r.PostFormValue("title"), Body: r.PostFormValue("body"), Category: r.PostFormValue("category"),
		AuthorName: r.PostFormValue("author_name"), Postcode: r.PostFormValue("postcode"),
		Country: r.PostFormValue("country"), UKResident: r.PostFormValue("uk_resident") == "yes"}
}

// ProposeFrame is what both steps of proposing show around their form.
type ProposeFrame struct {
	Base
	Org    OrgItem
	Board  BoardView
	Action string
	Back   string
	Form   proposeForm
}

// ProposePage is the form to propose an idea or start a petition.
type ProposePage struct {
	ProposeFrame
	Categories  []Option
	MaxTitle    int
	MaxBody     int
	SimilarURL  string // the suggestions' JSON, for the script
	PreModerate bool
	Sponsors    string // sponsors a petition needs, as a number ("" for none)
	Countries   []CountryOption
}

// Described is the aria-describedby list of a field with a hint (and,
// for counted fields, a character count message).
func (p ProposePage) Described(field string, extra ...string) string {
	ids := append([]string{field + "-hint"}, extra...)
	if p.ErrorFor(field) != "" {
		ids = append(ids, field+"-error")
	}
	return strings.Join(ids, " ")
}

// ProposeCheckPage lists published proposals like the one about to be
// made, so the citizen can support one of them instead.
type ProposeCheckPage struct {
	ProposeFrame
	Similar []ProposalItem
}

// ProposeClosedPage says a board is not taking new proposals.
type ProposeClosedPage struct {
	Base
	Org   OrgItem
	Board BoardView
}

func (s *Server) proposeFrame(r *http.Request, b proposal.Board, o org.Organisation, title string, f proposeForm) ProposeFrame {
	base := s.orgBase(r, title, o)
	return ProposeFrame{Base: base, Org: OrgItem{Slug: o.Slug, Name: o.Name(base.Lang)}, Board: boardView(b, base, o.Name(base.Lang), nil),
		Action: boardPath(b.ID) + "/propose", Back: boardPath(b.ID), Form: f}
}

func (s *Server) proposePage(r *http.Request, b proposal.Board, o org.Organisation, f proposeForm) ProposePage {
	title := "proposal.public.propose.title_idea"
	if b.Kind == proposal.Petitions {
		title = "proposal.public.propose.title_petition"
	}
	page := ProposePage{ProposeFrame: s.proposeFrame(r, b, o, title, f), MaxTitle: proposal.MaxTitle, MaxBody: proposal.MaxBody,
		SimilarURL: boardPath(b.ID) + "/similar", PreModerate: b.Moderation == proposal.PreModeration}
	if b.Kind == proposal.Petitions && b.SponsorsNeeded > 0 {
		page.Sponsors = groupDigits(b.SponsorsNeeded)
	}
	if b.Kind == proposal.Petitions {
		page.Countries = countryOptions(page.Lang, strings.ToUpper(strings.TrimSpace(f.Country)))
	}
	for _, c := range b.Categories {
		page.Categories = append(page.Categories, Option{Value: c.Slug, Label: c.Name(page.Lang), Selected: c.Slug == f.Category})
	}
	return page
}

// proposeStart loads the board and checks the visitor may propose on it
// now; ok false means a page or redirect has been written.
func (s *Server) proposeStart(w http.ResponseWriter, r *http.Request) (proposal.Board, org.Organisation, bool, error) {
	b, o, err := s.boardFromPath(r)
	if err != nil {
		return b, o, false, err
	}
	w.Header().Set("Cache-Control", "no-store")
	if principalOf(r) == nil {
		s.signInFirst(w, r, boardPath(b.ID)+"/propose")
		return b, o, false, nil
	}
	if !b.Accepting {
		return b, o, false, s.proposeClosed(w, r, b, o)
	}
	return b, o, true, nil
}

func (s *Server) proposeClosed(w http.ResponseWriter, r *http.Request, b proposal.Board, o org.Organisation) error {
	base := s.orgBase(r, "proposal.public.propose.closed_title", o)
	page := ProposeClosedPage{Base: base, Org: OrgItem{Slug: o.Slug, Name: o.Name(base.Lang)}, Board: boardView(b, base, o.Name(base.Lang), nil)}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusConflict
	}
	return s.render(w, r, status, "proposal-propose-closed", page)
}

func (s *Server) proposeForm(w http.ResponseWriter, r *http.Request) error {
	b, o, ok, err := s.proposeStart(w, r)
	if !ok {
		return err
	}
	u := principalOf(r)
	f := proposeForm{AuthorName: u.User.DisplayName, Country: "GB"}
	return s.render(w, r, http.StatusOK, "proposal-propose", s.proposePage(r, b, o, f))
}

// proposeFields is the order of the form's fields, for the error summary.
var proposeFields = []string{"title", "body", "category", "author_name", "postcode", "country", "uk_resident"}

func (s *Server) proposeSubmit(w http.ResponseWriter, r *http.Request) error {
	b, o, ok, err := s.proposeStart(w, r)
	if !ok {
		return err
	}
	u := principalOf(r)
	ctx := r.Context()
	f := readProposeForm(r)
	p := proposal.Proposal{BoardID: b.ID, OrgID: b.OrgID, Kind: b.Kind, AuthorID: u.User.ID, AuthorName: f.AuthorName,
		Title: f.Title, Body: f.Body, Lang: langOf(r), Category: f.Category}
	p.Normalise()
	msgs := map[string]string{}
	collect := func(err error, rename map[string]string) {
		for field, msg := range apperr.FieldsOf(err) {
			if to, ok := rename[field]; ok {
				field = to
			}
			if _, seen := msgs[field]; !seen {
				msgs[field] = msg
			}
		}
	}
	collect(p.Validate(b), nil)
	// A petition's author signs it first: their signature is checked like
	// anyone's, with the address their account has proved.
	var sig *proposal.Signature
	if b.Kind == proposal.Petitions {
		sig = &proposal.Signature{Name: p.AuthorName, Email: u.User.Email, Postcode: f.Postcode, Country: f.Country,
			UKResident: f.UKResident, IP: clientIP(r), Lang: langOf(r)}
		sig.Normalise()
		collect(sig.Validate(), map[string]string{"name": "author_name", "email": "author_name"})
		if _, seen := msgs["country"]; !seen && !knownCountry(sig.Country) {
			msgs["country"] = "error.signature.country"
		}
	}
	invalid := func(msgs map[string]string) error {
		page := s.proposePage(r, b, o, f)
		var order []string
		for _, field := range proposeFields {
			if _, ok := msgs[field]; ok {
				order = append(order, field)
			}
		}
		var rest []string
		for field := range msgs {
			if !slices.Contains(order, field) {
				rest = append(rest, field)
			}
		}
		slices.Sort(rest)
		order = append(order, rest...)
		page.withErrors(order, msgs)
		return s.render(w, r, http.StatusUnprocessableEntity, "proposal-propose", page)
	}
	if len(msgs) > 0 {
		return invalid(msgs)
	}
	if r.PostFormValue("action") == "edit" {
		// Back from the check step to change what was written.
		return s.render(w, r, http.StatusOK, "proposal-propose", s.proposePage(r, b, o, f))
	}
	if r.PostFormValue("checked") != "1" {
		similar, err := s.Store.SimilarProposals(ctx, b.ID, p.Title+" "+p.Body, 5)
		if err != nil {
			return err
		}
		page := ProposeCheckPage{ProposeFrame: s.proposeFrame(r, b, o, "proposal.public.check.title", f)}
		now := s.Now()
		for _, sp := range similar {
			if sp.Public() {
				page.Similar = append(page.Similar, s.proposalItem(page.Base, b, sp, now))
			}
		}
		if len(page.Similar) > 0 {
			return s.render(w, r, http.StatusOK, "proposal-propose-check", page)
		}
	}
	if err := s.limits.allow("propose:"+strconv.FormatInt(u.User.ID, 10), proposePerUser); err != nil {
		return err
	}
	created, err := s.Store.CreateProposal(ctx, p, sig)
	var ae *apperr.Error
	if apperr.Is(err, apperr.Invalid) && errors.As(err, &ae) && len(ae.Fields) > 0 {
		msgs = map[string]string{}
		collect(err, map[string]string{"name": "author_name", "email": "author_name"})
		return invalid(msgs)
	}
	if apperr.Is(err, apperr.Conflict) {
		// The board stopped taking proposals while this one was written.
		if now, berr := s.Store.Board(ctx, b.ID); berr == nil && !now.Accepting {
			return s.proposeClosed(w, r, now, o)
		}
	}
	if err != nil {
		return err
	}
	s.WakeJobs()
	http.Redirect(w, r, proposalPath(created.ID)+"?done=created", http.StatusSeeOther)
	return nil
}
