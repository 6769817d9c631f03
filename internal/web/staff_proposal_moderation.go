package web

import (
	"net/http"
	"strconv"
	"strings"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/markdown"
	"parley/internal/org"
	"parley/internal/proposal"
)

// moderateProposal approves, rejects, hides or restores a proposal. A
// rejection or a hiding needs a reason: the author sees it.
func (s *Server) moderateProposal(md *markdown.Renderer) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, o org.Organisation, pr *account.Principal) error {
		p, err := s.staffProposal(r, o, idParam(r.PathValue("id")))
		if err != nil {
			return err
		}
		to := proposal.Stage(r.PostFormValue("to"))
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		var f apperr.Fields
		f.Check(proposal.CanModerate(p.Stage, to), "to", "error.proposals.staff.decision")
		f.Check(reason != "" || (to != proposal.Rejected && to != proposal.Hidden), "reason", "error.proposals.staff.reason.required")
		f.Check(len([]rune(reason)) <= proposal.MaxReason, "reason", "error.proposals.staff.reason.too_long")
		err = f.Err()
		if err == nil {
			err = s.Store.ModerateProposal(r.Context(), p.ID, to, reason, pr.User.ID)
		}
		if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
			if len(apperr.FieldsOf(err)) == 0 {
				err = fieldErr("to", "error.proposals.staff.decision")
			}
			return s.proposalError(w, r, o, pr, p, md, err, func(pg *StaffProposalPage) {
				pg.Reason = reason
				for i := range pg.Decisions.Items {
					pg.Decisions.Items[i].Checked = pg.Decisions.Items[i].Value == string(to)
				}
			})
		}
		if err != nil {
			return err
		}
		s.WakeJobs()
		s.sessions.Put(r.Context(), "flash", decisionLabel(p.Stage, to)+"_done")
		http.Redirect(w, r, staffProposalURL(o, p.ID), http.StatusSeeOther)
		return nil
	}
}

// StaffMergeSide is one of the two proposals of a merge.
type StaffMergeSide struct {
	ID         int64
	URL        string
	Title      string
	Supporters int
	Status     StaffTag
}

// StaffProposalMergePage asks a moderator to confirm a merge.
type StaffProposalMergePage struct {
	Base
	Org    OrgItem
	From   StaffMergeSide // the duplicate
	Into   StaffMergeSide // the original
	Action string
}

// closePetition stops a petition taking signatures now, for boards whose
// petitions stay open until closed by hand (or to end one early).
func (s *Server) closePetition(w http.ResponseWriter, r *http.Request, o org.Organisation, pr *account.Principal) error {
	p, err := s.staffProposal(r, o, idParam(r.PathValue("id")))
	if err != nil {
		return err
	}
	if err := s.Store.ClosePetition(r.Context(), p.ID, pr.User.ID); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "proposals.staff.close.done")
	http.Redirect(w, r, staffProposalURL(o, p.ID), http.StatusSeeOther)
	return nil
}

// mergeProposal merges the proposal into the original a moderator chose:
// the first POST shows both to confirm; the second (confirm=yes) merges.
func (s *Server) mergeProposal(md *markdown.Renderer) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, o org.Organisation, pr *account.Principal) error {
		p, err := s.staffProposal(r, o, idParam(r.PathValue("id")))
		if err != nil {
			return err
		}
		number := strings.TrimPrefix(strings.TrimSpace(r.PostFormValue("into_number")), "#")
		choice := number
		if choice == "" {
			choice = r.PostFormValue("into")
		}
		into, ferr := s.mergeTarget(r, o, p, choice, number != "")
		if ferr != nil {
			return s.proposalError(w, r, o, pr, p, md, ferr, func(pg *StaffProposalPage) {
				pg.IntoNumber = number
			})
		}
		if r.PostFormValue("confirm") != "yes" {
			page := StaffProposalMergePage{Base: s.orgBase(r, "proposals.staff.merge.confirm_title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))},
				Action: staffProposalURL(o, p.ID) + "/merge"}
			page.From = StaffMergeSide{ID: p.ID, URL: staffProposalURL(o, p.ID), Title: p.Title, Supporters: p.Supporters, Status: statusTag(page.Base, p.Status)}
			page.Into = StaffMergeSide{ID: into.ID, URL: staffProposalURL(o, into.ID), Title: into.Title, Supporters: into.Supporters, Status: statusTag(page.Base, into.Status)}
			return s.render(w, r, http.StatusOK, "staff-proposal-merge", page)
		}
		if _, err := s.Store.MergeProposals(r.Context(), p.ID, into.ID, pr.User.ID); apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
			return s.proposalError(w, r, o, pr, p, md, fieldErr(mergeField(number != ""), "error.proposals.staff.merge.refused"), func(pg *StaffProposalPage) {
				pg.IntoNumber = number
			})
		} else if err != nil {
			return err
		}
		s.WakeJobs()
		s.sessions.Put(r.Context(), "flash", "proposals.staff.merge.done")
		http.Redirect(w, r, staffProposalURL(o, into.ID), http.StatusSeeOther)
		return nil
	}
}

// mergeField is the field a merge error belongs to: the number typed, or
// the list of similar proposals.
func mergeField(typed bool) string {
	if typed {
		return "into_number"
	}
	return "into"
}

// mergeTarget checks the original a moderator chose: a published proposal
// of the same board, not this one and not itself merged away.
func (s *Server) mergeTarget(r *http.Request, o org.Organisation, p proposal.Proposal, choice string, typed bool) (proposal.Proposal, error) {
	field := mergeField(typed)
	if choice == "" {
		return proposal.Proposal{}, fieldErr("into_number", "error.proposals.staff.merge.choose")
	}
	id, err := strconv.ParseInt(choice, 10, 64)
	if err != nil || id <= 0 {
		return proposal.Proposal{}, fieldErr(field, "error.proposals.staff.merge.number")
	}
	if id == p.ID {
		return proposal.Proposal{}, fieldErr(field, "error.proposals.staff.merge.self")
	}
	into, err := s.staffProposal(r, o, id)
	if apperr.Is(err, apperr.NotFound) {
		return into, fieldErr(field, "error.proposals.staff.merge.not_found")
	}
	if err != nil {
		return into, err
	}
	switch {
	case into.BoardID != p.BoardID:
		return into, fieldErr(field, "error.proposals.staff.merge.other_board")
	case into.Stage != proposal.Published || into.MergedInto != 0:
		return into, fieldErr(field, "error.proposals.staff.merge.not_published")
	}
	return into, nil
}

// moderateProposalComment hides or restores a comment; the store resolves
// its reports. It returns to the queue or to the proposal, as asked.
func (s *Server) moderateProposalComment(md *markdown.Renderer) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, o org.Organisation, pr *account.Principal) error {
		c, err := s.Store.Comment(r.Context(), idParam(r.PathValue("id")))
		if err != nil {
			return err
		}
		p, err := s.staffProposal(r, o, c.ProposalID)
		if err != nil {
			return err
		}
		hide := r.PostFormValue("action") != "restore"
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		if len([]rune(reason)) > proposal.MaxReason {
			return s.proposalError(w, r, o, pr, p, md, fieldErr(commentReasonField(c.ID), "error.proposals.staff.reason.too_long"), func(*StaffProposalPage) {})
		}
		if err := s.Store.ModerateComment(r.Context(), c.ID, hide, reason, pr.User.ID); err != nil {
			return err
		}
		flash := "comments.staff.hidden"
		if !hide {
			flash = "comments.staff.restored"
		}
		s.sessions.Put(r.Context(), "flash", flash)
		to := staffProposalURL(o, p.ID) + "#comments"
		if r.PostFormValue("from") == "queue" {
			to = "/staff/" + o.Slug + "/proposals#reported"
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return nil
	}
}

// commentReasonField is the id of the reason input of a comment's hide form.
func commentReasonField(id int64) string { return "comment-reason-" + strconv.FormatInt(id, 10) }
