package web_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"parley/internal/moderation"
	"parley/internal/proposal"
	"parley/internal/store"
)

// routeModeration holds what the route-by-role test acts on for the
// moderation pages: an open item to decide, and an appealed one; each is
// put back by restore after a successful decision.
type routeModeration struct {
	st       *store.Store
	orgID    int64
	author   int64
	board    int64
	open     int64 // an open item: a reported idea
	openIdea int64
	appealed int64 // an item whose author appealed its rejection
	n        int
}

func newRouteModeration(t *testing.T, st *store.Store, orgID, author int64) *routeModeration {
	t.Helper()
	f := &routeModeration{st: st, orgID: orgID, author: author}
	b, err := st.CreateBoard(ctx, proposal.Board{OrgID: orgID, Kind: proposal.Ideas, TitleEN: "Ideas to moderate", Moderation: proposal.PostModeration,
		Accepting: true, ResponseThreshold: 100, ResponseDays: 28}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.board = b.ID
	// Trusted, so that writing many ideas fast sends none to the queue by itself.
	if err := st.SetStanding(ctx, orgID, author, moderation.Trusted, 0); err != nil {
		t.Fatal(err)
	}
	f.openIdea = f.reported(t)
	f.open = f.itemOf(t, f.openIdea)
	f.newAppeal(t)
	return f
}

// reported writes an idea and reports it; it returns the idea's ID.
func (f *routeModeration) reported(t *testing.T) int64 {
	t.Helper()
	f.n++
	p, err := f.st.CreateProposal(ctx, proposal.Proposal{BoardID: f.board, AuthorID: f.author, AuthorName: "Ann",
		Title: "Idea number " + strconv.Itoa(f.n) + " for the square", Body: "Benches and shade."}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.report(t, p.ID)
	return p.ID
}

func (f *routeModeration) report(t *testing.T, id int64) {
	t.Helper()
	if err := f.st.Report(ctx, moderation.Report{Ref: moderation.Ref{Kind: moderation.KindProposal, ID: id}, Category: moderation.ReportSpam}); err != nil {
		t.Fatal(err)
	}
}

func (f *routeModeration) itemOf(t *testing.T, proposalID int64) int64 {
	t.Helper()
	it, err := f.st.ModerationTarget(ctx, moderation.Ref{Kind: moderation.KindProposal, ID: proposalID}, moderation.Ref{})
	if err != nil || it.ID == 0 {
		t.Fatalf("no item for idea %d: %v", proposalID, err)
	}
	return it.ID
}

// newAppeal makes an item rejected and appealed by its author.
func (f *routeModeration) newAppeal(t *testing.T) {
	t.Helper()
	id := f.itemOf(t, f.reported(t))
	if err := f.st.Decide(ctx, moderation.DecisionInput{ItemID: id, Decision: moderation.Reject, Reason: "Off topic"}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Appeal(ctx, moderation.Appeal{ItemID: id, UserID: f.author, Text: "It is on topic."}); err != nil {
		t.Fatal(err)
	}
	f.appealed = id
}

// owns reports whether a staff route is one of the moderation pages.
func (f *routeModeration) owns(pattern string) bool {
	return strings.HasPrefix(pattern, "/staff/{org}/moderation")
}

// id picks what {id} names in a route.
func (f *routeModeration) id(pattern string) int64 {
	if strings.HasSuffix(pattern, "/appeal") {
		return f.appealed
	}
	return f.open
}

// fill sets the form a route takes; every one is valid.
func (f *routeModeration) fill(form url.Values, pattern string) {
	switch pattern {
	case "/staff/{org}/moderation/{id}":
		form.Set("decision", "approve")
	case "/staff/{org}/moderation/{id}/appeal":
		form.Set("outcome", "reinstate")
	case "/staff/{org}/moderation/authors/{user}/standing":
		form.Set("standing", "")
	case "/staff/{org}/moderation/settings":
		form.Set("words", "spam")
	}
}

// restore puts back what a successful request moved on.
func (f *routeModeration) restore(t *testing.T, pattern string) {
	switch pattern {
	case "/staff/{org}/moderation/{id}":
		f.report(t, f.openIdea) // reopens the item
	case "/staff/{org}/moderation/{id}/appeal":
		f.newAppeal(t)
	}
}
