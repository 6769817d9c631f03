package app

import (
	"fmt"

	"parley/internal/moderation"
	"parley/internal/proposal"
)

// moderation fills North Shire's moderation queue with one of each kind
// of case, so that every page of the queue has something on it: a
// comment held by the link-spam signal, the reported comment (reported
// before this runs), a comment hidden with a reason and appealed by its
// author, another hidden and not yet appealed, a word list, and a trusted
// and a blocked author.
func (d *demoProposals) moderation(orgID, cycle int64) error {
	ctx, st := d.ctx, d.a.Store
	moderator, err := d.userID("moderator@" + DemoOrgs[1].Slug + ".example")
	if err != nil {
		return err
	}
	if err := st.SaveModerationSettings(ctx, moderation.Settings{OrgID: orgID, Words: []string{"idiot", "scam"}}, moderator); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	// Held by a signal: a generated resident sharing nothing but links.
	spammer := d.crowd[len(d.crowd)-1]
	if _, err := st.AddComment(ctx, proposal.Comment{ProposalID: cycle, AuthorID: spammer, AuthorName: "Deals4U",
		Body: "Cheap bikes at https://bikes.example.com/deal and https://bikes.example.com/more and www.cheap-bikes.example.net"}); err != nil {
		return fmt.Errorf("held comment: %w", err)
	}
	// Hidden with a reason, then appealed: the appeal waits for a moderator.
	sam := d.citizens[2]
	c, err := st.AddComment(ctx, proposal.Comment{ProposalID: cycle, AuthorID: sam, AuthorName: demoAuthorNames[2],
		Body: "The council wasted money on the last cycle lane. Ask the man at 14 Mill Lane, he will tell you."})
	if err != nil {
		return fmt.Errorf("appealed comment: %w", err)
	}
	ref := moderation.Ref{Kind: moderation.KindComment, ID: c.ID}
	if err := st.Report(ctx, moderation.Report{Ref: ref, ReporterID: d.citizens[0], Category: moderation.ReportPersonalData,
		Detail: "It points at one person's house."}); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	it, err := d.openItem(orgID, ref)
	if err != nil {
		return err
	}
	if err := st.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Reject, ActorID: moderator,
		Reason: "It points at a private person's home. Please make your point without naming or locating anyone."}); err != nil {
		return fmt.Errorf("decide: %w", err)
	}
	if err := st.Appeal(ctx, moderation.Appeal{ItemID: it.ID, UserID: sam,
		Text: "I did not name anyone. The point about the cost of the last lane is fair comment."}); err != nil {
		return fmt.Errorf("appeal: %w", err)
	}
	// Alex's link to a campaign elsewhere was hidden; he has not appealed yet.
	alex := d.citizens[0]
	c, err = st.AddComment(ctx, proposal.Comment{ProposalID: cycle, AuthorID: alex, AuthorName: demoAuthorNames[0],
		Body: "Sign the other petition too: https://campaign.example.org/cycle-now and share it at https://campaign.example.org/share"})
	if err != nil {
		return fmt.Errorf("hidden comment: %w", err)
	}
	if it, err = d.openItem(orgID, moderation.Ref{Kind: moderation.KindComment, ID: c.ID}); err != nil {
		return err
	}
	if err := st.Decide(ctx, moderation.DecisionInput{ItemID: it.ID, Decision: moderation.Reject, ActorID: moderator,
		Reason: "Comments here are about this idea; please do not link to other campaigns."}); err != nil {
		return fmt.Errorf("decide: %w", err)
	}
	// Bethan has written well for years; the generated spammer is blocked.
	if err := st.SetStanding(ctx, orgID, d.citizens[1], moderation.Trusted, moderator); err != nil {
		return err
	}
	return st.SetStanding(ctx, orgID, d.crowd[len(d.crowd)-2], moderation.Blocked, moderator)
}

// openItem finds the open queue item about ref.
func (d *demoProposals) openItem(orgID int64, ref moderation.Ref) (moderation.Item, error) {
	items, err := d.a.Store.ModerationQueue(d.ctx, orgID, moderation.QueueFilter{Kind: ref.Kind, Limit: 1000})
	if err != nil {
		return moderation.Item{}, err
	}
	for _, it := range items {
		if it.Ref == ref {
			return it, nil
		}
	}
	return moderation.Item{}, fmt.Errorf("no open item for %s", ref)
}
