package web

import (
	"errors"
	"net/http"
	"slices"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/listening"
	"parley/internal/org"
	"parley/internal/proposal"
)

// Bringing a mention into a consultation: on the mention's page, editors
// add it to one of the organisation's open or closed consultations as a
// response from the social channel.

// attachedKey is the session key that tells the mention's page, after the
// redirect, to announce the response just made.
const attachedKey = "listening_attached"

// MentionAttach is the mention page's part about consultations: the form
// that attaches it, or the response it became.
type MentionAttach struct {
	CanAttach     bool
	Consultations []Option // open and closed consultations; drafts take no responses
	// ResponseURL is the staff page of the response the mention became
	// ("" when not attached), in ConsultationTitle.
	ResponseURL       string
	ResponseID        int64
	ConsultationTitle string
	Just              bool // attached by the request before: show the success banner
}

// mentionAttach fills the page's consultation part.
func (s *Server) mentionAttach(r *http.Request, o org.Organisation, p *account.Principal, m listening.Mention, page *MentionPage) error {
	lang := langOf(r)
	a := &page.Attach
	a.CanAttach = p.Can(o.ID, account.PermEdit)
	if m.ConsultationResponseID != 0 {
		a.ResponseID = m.ConsultationResponseID
		a.ResponseURL = "/staff/" + o.Slug + "/consultations/" + idString(m.ConsultationID) + "/responses/" + idString(m.ConsultationResponseID)
		c, err := s.Store.Consultation(r.Context(), m.ConsultationID)
		if err != nil {
			return err
		}
		a.ConsultationTitle = c.Title(lang)
		a.Just = s.sessions.PopString(r.Context(), attachedKey) == idString(m.ConsultationResponseID)
		return nil
	}
	if !a.CanAttach {
		return nil
	}
	cs, err := s.Store.Consultations(r.Context(), o.ID, true)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.Status == consultation.Open || c.Status == consultation.Closed {
			a.Consultations = append(a.Consultations, Option{Value: idString(c.ID),
				Label: c.Title(lang) + " (" + page.T("consultations.status."+string(c.Status)) + ")"})
		}
	}
	return nil
}

// attachMention makes the mention a response to the chosen consultation,
// then shows the mention again with a link to the response.
func (s *Server) attachMention(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	m, err := s.orgMention(r, o)
	if err != nil {
		return err
	}
	cid := r.PostFormValue("consultation")
	resp, err := s.Store.AttachMention(r.Context(), m.ID, idParam(cid), p.User.ID)
	if apperr.Is(err, apperr.Invalid) {
		page, perr := s.mentionPage(r, o, p, m)
		if perr != nil {
			return perr
		}
		s.statusOptions(&page)
		for i := range page.Attach.Consultations {
			page.Attach.Consultations[i].Selected = page.Attach.Consultations[i].Value == cid
		}
		var ae *apperr.Error
		errors.As(err, &ae)
		page.withErrors(ae.Order, ae.Fields)
		return s.render(w, r, http.StatusUnprocessableEntity, "listening-mention", page)
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), attachedKey, idString(resp.ID))
	http.Redirect(w, r, "/staff/"+o.Slug+"/listening/mentions/"+idString(m.ID), http.StatusSeeOther)
	return nil
}

// mentionProposals offers the organisation's published proposals (newest
// first, and the linked one even when it is no longer published) for
// linking the mention to the idea or petition it speaks to.
func (s *Server) mentionProposals(r *http.Request, o org.Organisation, m listening.Mention, page *MentionPage) error {
	ps, _, err := s.Store.Proposals(r.Context(), proposal.ListFilter{OrgID: o.ID, Limit: 200})
	if err != nil {
		return err
	}
	if m.ProposalID != 0 && !slices.ContainsFunc(ps, func(p proposal.Proposal) bool { return p.ID == m.ProposalID }) {
		linked, err := s.Store.Proposal(r.Context(), m.ProposalID)
		if err != nil {
			return err
		}
		ps = append([]proposal.Proposal{linked}, ps...)
	}
	page.Proposals = append(page.Proposals, Option{Value: "", Label: page.T("listening.mention.no_proposal"), Selected: m.ProposalID == 0})
	for _, p := range ps {
		opt := Option{Value: idString(p.ID), Label: p.Title, Selected: p.ID == m.ProposalID}
		page.Proposals = append(page.Proposals, opt)
		if opt.Selected {
			page.LinkedProposal = &opt
		}
	}
	return nil
}
