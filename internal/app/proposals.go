package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"parley/internal/apperr"
	"parley/internal/jobs"
	"parley/internal/org"
	"parley/internal/outbox"
	"parley/internal/proposal"
	"parley/internal/store"
)

// proposalNotifier is what the proposal jobs need of the store: each
// method puts one email per recipient in the outbox, composed by compose,
// and marks the change, merge or threshold told, in one transaction, so a
// job run twice sends nothing twice.
type proposalNotifier interface {
	// SendStatusEmails tells a proposal's supporters about a status change.
	SendStatusEmails(ctx context.Context, changeID int64, compose func(p proposal.Proposal, c proposal.StatusChange, to, lang string) outbox.Message) (int, error)
	// SendMergeEmails tells a duplicate's supporters it was merged.
	SendMergeEmails(ctx context.Context, mergeID int64, compose func(from, into proposal.Proposal, to, lang string) outbox.Message) (int, error)
	// SendThresholdEmails tells the organisation's staff that a proposal
	// crossed its response or debate threshold.
	SendThresholdEmails(ctx context.Context, proposalID int64, threshold string, compose func(p proposal.Proposal, to, lang string) outbox.Message) (int, error)
}

// registerProposalJobs registers the jobs of ideas and petitions.
func (a *App) registerProposalJobs(runner *jobs.Runner) {
	runner.Handle(proposal.StatusJob, a.proposalStatusJob)
	runner.Handle(proposal.MergeJob, a.proposalMergeJob)
	runner.Handle(proposal.ThresholdJob, a.proposalThresholdJob)
}

// notifier is the store, seen through what the jobs need of it.
func (a *App) notifier() proposalNotifier { return a.Store }

// sent finishes a notification job: a proposal or change that is gone
// will not come back, so its job stops; emails queued go at once.
func (a *App) sent(n int, err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return jobs.Permanent(err)
	}
	if err == nil && n > 0 {
		a.Runner.Wake()
	}
	return err
}

func (a *App) proposalStatusJob(ctx context.Context, j jobs.Job) error {
	var p struct {
		ChangeID int64 `json:"change_id"`
	}
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	st := a.notifier()
	orgs, memo := a.orgNames(ctx), byLang()
	return a.sent(st.SendStatusEmails(ctx, p.ChangeID, func(pr proposal.Proposal, c proposal.StatusChange, to, lang string) outbox.Message {
		return memo(to, lang, func() outbox.Message { return a.statusEmail(orgs(pr.OrgID), pr, c, to, lang) })
	}))
}

func (a *App) proposalMergeJob(ctx context.Context, j jobs.Job) error {
	var p struct {
		MergeID int64 `json:"merge_id"`
	}
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	st := a.notifier()
	orgs, memo := a.orgNames(ctx), byLang()
	return a.sent(st.SendMergeEmails(ctx, p.MergeID, func(from, into proposal.Proposal, to, lang string) outbox.Message {
		return memo(to, lang, func() outbox.Message { return a.mergeEmail(orgs(into.OrgID), from, into, to, lang) })
	}))
}

func (a *App) proposalThresholdJob(ctx context.Context, j jobs.Job) error {
	var p struct {
		ProposalID int64  `json:"proposal_id"`
		Threshold  string `json:"threshold"`
	}
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	if p.Threshold != "response" && p.Threshold != "debate" {
		return jobs.Permanent(errors.New("unknown threshold " + strconv.Quote(p.Threshold)))
	}
	st := a.notifier()
	orgs := a.orgNames(ctx)
	var board *proposal.Board // read once, for the first email
	return a.sent(st.SendThresholdEmails(ctx, p.ProposalID, p.Threshold, func(pr proposal.Proposal, to, lang string) outbox.Message {
		if board == nil {
			b, err := a.Store.Board(ctx, pr.BoardID)
			if err != nil {
				b = proposal.Board{ResponseThreshold: pr.Supporters, DebateThreshold: pr.Supporters}
			}
			board = &b
		}
		return a.thresholdEmail(orgs(pr.OrgID), *board, pr, p.Threshold, to, lang)
	}))
}

// byLang returns a memo of one job's email by language: every supporter of
// a petition gets the same words, so a response to 100,000 signers is
// composed twice, not 100,000 times; only the address changes.
func byLang() func(to, lang string, compose func() outbox.Message) outbox.Message {
	seen := map[string]outbox.Message{}
	return func(to, lang string, compose func() outbox.Message) outbox.Message {
		lang = emailLang(lang)
		m, ok := seen[lang]
		if !ok {
			m = compose()
			seen[lang] = m
		}
		m.To = to
		return m
	}
}

// orgNames returns a lookup of organisations that reads each one once per
// job; an organisation that cannot be read is named by the site.
func (a *App) orgNames(ctx context.Context) func(id int64) org.Organisation {
	seen := map[int64]org.Organisation{}
	return func(id int64) org.Organisation {
		if o, ok := seen[id]; ok {
			return o
		}
		o, err := a.Store.OrgByID(ctx, id)
		if err != nil {
			o = org.Organisation{ID: id, NameEN: a.Config.SiteName}
		}
		seen[id] = o
		return o
	}
}

func emailLang(lang string) string {
	if lang == "cy" {
		return "cy"
	}
	return "en"
}

// proposalLink is the proposal's public page, absolute for email.
func (a *App) proposalLink(id int64) string {
	return strings.TrimRight(a.Config.BaseURL, "/") + "/proposals/" + strconv.FormatInt(id, 10)
}

// statusEmail tells a supporter the organisation's new official status
// and its response.
func (a *App) statusEmail(o org.Organisation, p proposal.Proposal, c proposal.StatusChange, to, lang string) outbox.Message {
	lang = emailLang(lang)
	pr := a.Catalogue.Printer(lang)
	status := pr.T(statusMessage(c.Status))
	response := c.ResponseEN
	if lang == "cy" && strings.TrimSpace(c.ResponseCY) != "" {
		response = c.ResponseCY
	}
	var b strings.Builder
	b.WriteString(pr.T("email.proposal.notify.status.body", "Title", p.Title, "Org", o.Name(lang), "Status", status))
	if strings.TrimSpace(response) != "" {
		b.WriteString("\n\n" + pr.T("email.proposal.notify.status.response") + "\n\n" + strings.TrimSpace(response))
	}
	b.WriteString("\n\n" + pr.T("email.proposal.notify.read", "Link", a.proposalLink(p.ID)))
	b.WriteString("\n\n--\n" + pr.T("email.proposal.notify.why_supporter", "Site", a.Config.SiteName) + "\n")
	return outbox.Message{Kind: "proposal-status", To: to, Body: b.String(),
		Subject: pr.T("email.proposal.notify.status.subject", "Title", p.Title, "Status", status)}
}

// mergeEmail tells a supporter of a duplicate that their support now
// counts for the original.
func (a *App) mergeEmail(o org.Organisation, from, into proposal.Proposal, to, lang string) outbox.Message {
	lang = emailLang(lang)
	pr := a.Catalogue.Printer(lang)
	body := pr.T("email.proposal.notify.merge.body", "From", from.Title, "Into", into.Title, "Org", o.Name(lang)) +
		"\n\n" + pr.T("email.proposal.notify.read", "Link", a.proposalLink(into.ID)) +
		"\n\n--\n" + pr.T("email.proposal.notify.why_supporter", "Site", a.Config.SiteName) + "\n"
	return outbox.Message{Kind: "proposal-merge", To: to, Body: body,
		Subject: pr.T("email.proposal.notify.merge.subject", "From", from.Title)}
}

// thresholdEmail tells a member of staff that a proposal needs their
// organisation's answer (response) or is to be considered for debate.
func (a *App) thresholdEmail(o org.Organisation, b proposal.Board, p proposal.Proposal, threshold, to, lang string) outbox.Message {
	lang = emailLang(lang)
	pr := a.Catalogue.Printer(lang)
	manage := strings.TrimRight(a.Config.BaseURL, "/") + "/staff/" + o.Slug + "/proposals/" + strconv.FormatInt(p.ID, 10)
	var subject, body string
	if threshold == "debate" {
		subject = pr.T("email.proposal.notify.debate.subject", "Title", p.Title)
		body = pr.T("email.proposal.notify.debate.body", "Title", p.Title, "Count", formatCount(b.DebateThreshold))
	} else {
		subject = pr.T("email.proposal.notify.threshold.subject", "Title", p.Title)
		body = pr.T("email.proposal.notify.threshold.body", "Title", p.Title, "Count", formatCount(b.ResponseThreshold))
		if !p.ResponseDue.IsZero() {
			body += " " + pr.T("email.proposal.notify.threshold.due", "Date", emailDate(p.ResponseDue, lang))
		}
	}
	body += "\n\n" + pr.T("email.proposal.notify.threshold.manage", "Link", manage) +
		"\n" + pr.T("email.proposal.notify.read", "Link", a.proposalLink(p.ID)) +
		"\n\n--\n" + pr.T("email.proposal.notify.why_staff", "Org", o.Name(lang), "Site", a.Config.SiteName) + "\n"
	return outbox.Message{Kind: "proposal-threshold", To: to, Subject: subject, Body: body}
}

// statusMessage is the message ID of a status's name in emails.
func statusMessage(s proposal.Status) string {
	switch s {
	case proposal.UnderConsideration:
		return "email.proposal.notify.status_name.under_consideration"
	case proposal.Planned:
		return "email.proposal.notify.status_name.planned"
	case proposal.Started:
		return "email.proposal.notify.status_name.started"
	case proposal.Completed:
		return "email.proposal.notify.status_name.completed"
	case proposal.Declined:
		return "email.proposal.notify.status_name.declined"
	case proposal.Duplicate:
		return "email.proposal.notify.status_name.duplicate"
	}
	return "email.proposal.notify.status_name.open"
}

// formatCount writes a count with thousands separators, as both languages do.
func formatCount(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

var emailWelshMonths = [...]string{"Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
	"Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"}

// emailDate writes a date as GOV.UK does ("5 January 2026"), in lang.
func emailDate(t time.Time, lang string) string {
	t = t.UTC()
	if lang == "cy" {
		return strconv.Itoa(t.Day()) + " " + emailWelshMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return t.Format("2 January 2006")
}

// The store provides the notifications; this fails to compile if their
// signatures drift from what the jobs call.
var _ proposalNotifier = (*store.Store)(nil)
