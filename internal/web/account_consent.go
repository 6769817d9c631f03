package web

import (
	"context"
	"strconv"
	"strings"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
)

// ConsentItem is one record of consent on the account page: what was
// agreed to, about what, when, under which wording, and either when it was
// withdrawn or where to withdraw it.
type ConsentItem struct {
	Purpose   string // catalogue ID of the purpose's name
	What      string // what it is about, in the page's language
	Href      string // the page of what it is about, if any
	Detail    string // catalogue ID of the level agreed to, if any
	Version   string // the privacy notice's wording agreed to
	Given     time.Time
	Withdrawn time.Time // zero while the consent stands
	// WithdrawAction is the form that withdraws it (unfollowing, for
	// email updates); empty where there is no withdrawing.
	WithdrawAction string
}

// consentItems describes the user's records of consent, oldest first.
func (s *Server) consentItems(ctx context.Context, userID int64, b Base) ([]ConsentItem, error) {
	lang, tr := b.Lang, b.T
	cs, err := s.Store.Consents(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]ConsentItem, 0, len(cs))
	for _, c := range cs {
		it := ConsentItem{Purpose: "consent.purpose." + string(c.Purpose), Version: c.NoticeVersion, Given: c.GivenAt}
		if c.WithdrawnAt != nil {
			it.Withdrawn = *c.WithdrawnAt
		}
		kind, idText, _ := strings.Cut(c.Ref, ":")
		id, _ := strconv.ParseInt(idText, 10, 64)
		err := error(nil)
		switch c.Purpose {
		case account.PurposePrivacyNotice:
			it.What, it.Href = tr("consent.what.privacy_notice"), "/privacy"
		case account.PurposeEmailUpdates:
			it.What, it.Href, err = s.followedThing(ctx, kind, id, lang)
			if it.Href != "" {
				it.WithdrawAction = it.Href + "/unfollow"
			}
		case account.PurposePublishResponse:
			it.Detail = "consent.detail." + c.Detail
			var title string
			if r, rerr := s.Store.Response(ctx, id); rerr == nil {
				title, it.Href, err = s.followedThing(ctx, "consultation", r.ConsultationID, lang)
				it.What = tr("consent.what.response", "Title", title)
			} else {
				err = rerr
			}
		case account.PurposePetitionSignature:
			it.Detail = "consent.detail.signature"
			it.What, it.Href, err = s.followedThing(ctx, kind, id, lang)
		}
		if apperr.Is(err, apperr.NotFound) || (err == nil && it.What == "") {
			it.What, it.Href, it.WithdrawAction, err = tr("consent.what.removed"), "", "", nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// followedThing names what a consent's reference points at ("org",
// "consultation" or "proposal") and gives its page.
func (s *Server) followedThing(ctx context.Context, kind string, id int64, lang string) (name, href string, err error) {
	switch kind {
	case "org":
		o, err := s.Store.OrgByID(ctx, id)
		if err != nil {
			return "", "", err
		}
		return o.Name(lang), "/organisations/" + o.Slug, nil
	case "consultation":
		c, err := s.Store.Consultation(ctx, id)
		if err != nil {
			return "", "", err
		}
		return c.Title(lang), consultationURL(c.ID), nil
	case "proposal":
		p, err := s.Store.Proposal(ctx, id)
		if err != nil {
			return "", "", err
		}
		return p.Title, proposalPath(p.ID), nil
	}
	return "", "", nil
}
