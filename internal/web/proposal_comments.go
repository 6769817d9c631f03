package web

import (
	"net/http"
	"strconv"

	"parley/internal/apperr"
	"parley/internal/markdown"
	"parley/internal/proposal"
)

// Comments are threaded one level: a reply form sits under each top-level
// comment, and a reply to a reply is refused. Each comment can be reported
// to the organisation's moderators.

// proposalComment adds a comment or a reply; a mistake shows the
// proposal's page again with the error beside the form that failed.
func (s *Server) proposalComment(md *markdown.Renderer) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, b, o, err := s.publicProposal(r)
		if err != nil {
			return err
		}
		back := proposalPath(p.ID)
		u := principalOf(r)
		if u == nil {
			s.signInFirst(w, r, back+"#comments")
			return nil
		}
		ctx := r.Context()
		c := proposal.Comment{ProposalID: p.ID, AuthorID: u.User.ID, AuthorName: u.User.DisplayName, Body: r.PostFormValue("body")}
		field := "comment"
		if v := r.PostFormValue("parent"); v != "" {
			parent, err := strconv.ParseInt(v, 10, 64)
			if err != nil || parent <= 0 {
				return apperr.New(apperr.Invalid, "proposal.public.comment.bad_parent")
			}
			// Threads are one level deep: only a visible top-level comment
			// of this proposal takes replies.
			pc, err := s.Store.Comment(ctx, parent)
			if apperr.Is(err, apperr.NotFound) || (err == nil && (pc.ProposalID != p.ID || pc.ParentID != 0 || pc.State != proposal.CommentVisible)) {
				return apperr.New(apperr.Invalid, "proposal.public.comment.bad_parent")
			}
			if err != nil {
				return err
			}
			c.ParentID = parent
			field = "reply-" + strconv.FormatInt(parent, 10)
		}
		c.Normalise()
		err = c.Validate()
		if err == nil {
			if err = s.limits.allow("comment:"+strconv.FormatInt(u.User.ID, 10), commentPerUser); err != nil {
				return err
			}
			c, err = s.Store.AddComment(ctx, c)
		}
		if msg := apperr.FieldsOf(err)["body"]; apperr.Is(err, apperr.Invalid) && msg != "" {
			page, perr := s.buildProposalPage(r, md, p, b, o)
			if perr != nil {
				return perr
			}
			page.withErrors([]string{field}, map[string]string{field: msg})
			typed := r.PostFormValue("body")
			if c.ParentID == 0 {
				page.NewComment = typed
			}
			for i := range page.Comments {
				if page.Comments[i].ReplyField == field {
					page.Comments[i].ReplyValue, page.Comments[i].ReplyError = typed, page.ErrorFor(field)
				}
			}
			w.Header().Set("Cache-Control", "no-store")
			return s.render(w, r, http.StatusUnprocessableEntity, "proposal", page)
		}
		if err != nil {
			return err
		}
		s.sessions.Put(ctx, "flash", "proposal.public.comment.added")
		http.Redirect(w, r, back+"#comment-"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
		return nil
	}
}

// CommentReportPage asks why a comment should be looked at by a moderator.
type CommentReportPage struct {
	Base
	Org      OrgItem
	Proposal ProposalItem
	Comment  CommentView
	Action   string
	Back     string
	Reason   string
}

// reportTarget loads the proposal and the comment to report; only visible
// comments of published proposals can be reported.
func (s *Server) reportTarget(w http.ResponseWriter, r *http.Request) (CommentReportPage, proposal.Comment, bool, error) {
	p, b, o, err := s.publicProposal(r)
	if err != nil {
		return CommentReportPage{}, proposal.Comment{}, false, err
	}
	id, err := pathInt64(r, "comment")
	if err != nil {
		return CommentReportPage{}, proposal.Comment{}, false, err
	}
	c, err := s.Store.Comment(r.Context(), id)
	if err != nil {
		return CommentReportPage{}, c, false, err
	}
	if c.ProposalID != p.ID || c.State != proposal.CommentVisible {
		return CommentReportPage{}, c, false, errNotFound
	}
	action := proposalPath(p.ID) + "/comments/" + strconv.FormatInt(c.ID, 10) + "/report"
	if principalOf(r) == nil {
		// Reports are kept one per person, so reporting needs an account.
		s.signInFirst(w, r, action)
		return CommentReportPage{}, c, false, nil
	}
	base := s.orgBase(r, "proposal.public.report.title", o)
	page := CommentReportPage{Base: base, Org: OrgItem{Slug: o.Slug, Name: o.Name(base.Lang)},
		Proposal: s.proposalItem(base, b, p, s.Now()), Comment: commentView(base, p.ID, c), Action: action,
		Back: proposalPath(p.ID) + "#comment-" + strconv.FormatInt(c.ID, 10)}
	w.Header().Set("Cache-Control", "no-store")
	return page, c, true, nil
}

func (s *Server) reportCommentForm(w http.ResponseWriter, r *http.Request) error {
	page, _, ok, err := s.reportTarget(w, r)
	if !ok {
		return err
	}
	return s.render(w, r, http.StatusOK, "proposal-report", page)
}

func (s *Server) reportComment(w http.ResponseWriter, r *http.Request) error {
	page, c, ok, err := s.reportTarget(w, r)
	if !ok {
		return err
	}
	u := principalOf(r)
	rep := proposal.Report{CommentID: c.ID, ReporterID: u.User.ID, Reason: r.PostFormValue("reason")}
	err = rep.Validate()
	if err == nil {
		if err = s.limits.allow("report:"+strconv.FormatInt(u.User.ID, 10), reportPerUser); err != nil {
			return err
		}
		err = s.Store.ReportComment(r.Context(), rep)
	}
	if msg := apperr.FieldsOf(err)["reason"]; apperr.Is(err, apperr.Invalid) && msg != "" {
		page.Reason = r.PostFormValue("reason")
		page.withErrors([]string{"reason"}, map[string]string{"reason": msg})
		return s.render(w, r, http.StatusUnprocessableEntity, "proposal-report", page)
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "proposal.public.report.done")
	http.Redirect(w, r, page.Back, http.StatusSeeOther)
	return nil
}
