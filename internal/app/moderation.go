package app

import (
	"context"
	"strings"

	"parley/internal/jobs"
	"parley/internal/moderation"
	"parley/internal/outbox"
)

// moderationJob tells an author what a moderator decided about what they
// wrote: that it was hidden, with the reason and how to appeal, or how
// their appeal ended. The store remembers what it told them, so the job
// may run twice.
func (a *App) moderationJob(ctx context.Context, j jobs.Job) error {
	var p struct {
		ItemID int64 `json:"item_id"`
	}
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	return a.sent(a.Store.SendModerationEmail(ctx, p.ItemID, a.moderationEmailFor(ctx)))
}

// moderationEmailFor composes authors' emails, reading each organisation once.
func (a *App) moderationEmailFor(ctx context.Context) func(it moderation.Item, to, lang string) outbox.Message {
	orgs := a.orgNames(ctx)
	return func(it moderation.Item, to, lang string) outbox.Message {
		return a.moderationEmail(orgs(it.OrgID).Name(emailLang(lang)), it, to, lang)
	}
}

// moderationEmail is the author's email about one decision. It quotes
// the reason but not what they wrote: the account page shows that, behind
// sign-in, and an email may be read by others.
func (a *App) moderationEmail(orgName string, it moderation.Item, to, lang string) outbox.Message {
	lang = emailLang(lang)
	pr := a.Catalogue.Printer(lang)
	kind := pr.T("email.moderation.kind." + string(it.Ref.Kind))
	base := strings.TrimRight(a.Config.BaseURL, "/")
	var subject, body string
	switch it.AppealOutcome {
	case moderation.Approve:
		subject = pr.T("email.moderation.reinstated.subject", "Org", orgName)
		body = pr.T("email.moderation.reinstated.body", "Kind", kind, "Where", it.WhereTitle, "Org", orgName)
	case moderation.Reject:
		subject = pr.T("email.moderation.upheld.subject", "Org", orgName)
		body = pr.T("email.moderation.upheld.body", "Kind", kind, "Where", it.WhereTitle, "Org", orgName)
	default:
		subject = pr.T("email.moderation.hidden.subject", "Org", orgName)
		body = pr.T("email.moderation.hidden.body", "Kind", kind, "Where", it.WhereTitle, "Org", orgName)
	}
	reason := it.Reason
	if it.AppealOutcome != "" {
		reason = it.AppealReason
	}
	if strings.TrimSpace(reason) != "" {
		body += "\n\n" + pr.T("email.moderation.reason") + "\n\n" + strings.TrimSpace(reason)
	}
	body += "\n\n" + pr.T("email.moderation.see", "Link", base+"/account/moderation")
	if it.AppealOutcome == "" {
		body += "\n\n" + pr.T("email.moderation.appeal")
	}
	body += "\n\n--\n" + pr.T("email.moderation.why", "Site", a.Config.SiteName) + "\n"
	return outbox.Message{Kind: "moderation", To: to, Subject: subject, Body: body}
}
