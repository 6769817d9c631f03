package web

import (
	"net/http"
	"strconv"

	"parley/internal/apperr"
	"parley/internal/markdown"
	"parley/internal/moderation"
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
		if c.State == proposal.CommentVisible {
			s.sessions.Put(ctx, "flash", "proposal.public.comment.added")
		} else {
			// Held for a moderator: pre-moderated, or an automatic check.
			s.sessions.Put(ctx, "flash", "moderation.public.comment.held")
		}
		http.Redirect(w, r, back+"#comment-"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
		return nil
	}
}

// reportComment keeps the old address of a comment's report form working:
// reports of every kind now go through one form (moderation_public.go).
// Only visible comments of published proposals can be reported.
func (s *Server) reportComment(w http.ResponseWriter, r *http.Request) error {
	p, _, _, err := s.publicProposal(r)
	if err != nil {
		return err
	}
	id, err := pathInt64(r, "comment")
	if err != nil {
		return err
	}
	c, err := s.Store.Comment(r.Context(), id)
	if err != nil {
		return err
	}
	if c.ProposalID != p.ID || c.State != proposal.CommentVisible {
		return errNotFound
	}
	http.Redirect(w, r, reportPath(moderation.Ref{Kind: moderation.KindComment, ID: c.ID}, moderation.Ref{}), http.StatusSeeOther)
	return nil
}
