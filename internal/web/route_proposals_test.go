package web_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"parley/internal/proposal"
	"parley/internal/store"
)

// routeProposals holds what the route-by-role test acts on for the staff
// pages of boards, proposals and petitions; each route that moves
// something on is put back by restore.
type routeProposals struct {
	st        *store.Store
	orgID     int64
	board     int64
	published int64 // moderated, answered and offered for merging
	original  int64 // the merge target
	comment   int64
	block     int64
	n         int
}

func newRouteProposals(t testing.TB, st *store.Store, orgID int64) *routeProposals {
	t.Helper()
	f := &routeProposals{st: st, orgID: orgID}
	b, err := st.CreateBoard(ctx, proposal.Board{OrgID: orgID, Kind: proposal.Petitions, TitleEN: "Petitions", Moderation: proposal.PostModeration,
		Accepting: true, ResponseThreshold: 10, DebateThreshold: 100, ResponseDays: 28}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.board = b.ID
	for i, title := range []string{"Fix the potholes on the A1", "Repair the A1 potholes"} {
		p, err := st.CreateProposal(ctx, proposal.Proposal{BoardID: b.ID, AuthorName: "Ann", Title: title, Body: "They are deep."}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.Stage != proposal.Published {
			t.Fatalf("petition at %s", p.Stage)
		}
		if i == 0 {
			f.published = p.ID
		} else {
			f.original = p.ID
		}
	}
	c, err := st.AddComment(ctx, proposal.Comment{ProposalID: f.published, AuthorName: "Bob", Body: "Hear, hear."})
	if err != nil {
		t.Fatal(err)
	}
	f.comment = c.ID
	f.newBlock(t)
	return f
}

func (f *routeProposals) newBlock(t testing.TB) {
	f.n++
	b, err := f.st.AddBlock(ctx, proposal.Block{OrgID: f.orgID, Kind: proposal.BlockDomain, Value: "spam" + strconv.Itoa(f.n) + ".example"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.block = b.ID
}

// owns reports whether a staff route is one of the proposal pages.
func (f *routeProposals) owns(pattern string) bool {
	for _, p := range []string{"/staff/{org}/boards", "/staff/{org}/proposals", "/staff/{org}/comments/", "/staff/{org}/petitions/"} {
		if strings.HasPrefix(pattern, p) {
			return true
		}
	}
	return false
}

// id picks what {id} names in a route.
func (f *routeProposals) id(pattern string) int64 {
	switch {
	case strings.HasPrefix(pattern, "/staff/{org}/boards/"):
		return f.board
	case strings.HasPrefix(pattern, "/staff/{org}/comments/"):
		return f.comment
	case strings.HasPrefix(pattern, "/staff/{org}/petitions/blocks/"):
		return f.block
	}
	return f.published
}

// fill sets the form a route takes; every one is valid, so a role that is
// let through succeeds.
func (f *routeProposals) fill(form url.Values, pattern string) {
	f.n++
	set := func(kv ...string) {
		for i := 0; i < len(kv); i += 2 {
			form.Set(kv[i], kv[i+1])
		}
	}
	switch pattern {
	case "/staff/{org}/boards", "/staff/{org}/boards/{id}":
		set("kind", "ideas", "title_en", "Ideas "+strconv.Itoa(f.n), "moderation", "post", "accepting", "yes", "response_threshold", "100",
			"debate_threshold", "0", "response_days", "28", "sponsors_needed", "0", "open_days", "0", "alert_per_hour", "0", "categories", "Roads | Ffyrdd")
	case "/staff/{org}/proposals/{id}/moderate":
		set("to", "hidden", "reason", "Off topic")
	case "/staff/{org}/proposals/{id}/status":
		set("status", "open", "response_en", "")
	case "/staff/{org}/proposals/{id}/merge":
		// The first step only shows the confirmation.
		set("into_number", strconv.FormatInt(f.original, 10))
	case "/staff/{org}/comments/{id}/moderate":
		set("action", "hide", "reason", "Rude")
	case "/staff/{org}/petitions/blocks":
		set("kind", "domain", "value", "junk"+strconv.Itoa(f.n)+".example", "note", "Bot")
	case "/staff/{org}/petitions/invalidate":
		// A preview: nothing changes.
		form.Del("name")
		form.Del("email")
		set("domain", "nobody.example", "reason", "Bot")
	}
}

// restore puts back what a successful request moved on.
func (f *routeProposals) restore(t testing.TB, pattern string) {
	var err error
	switch pattern {
	case "/staff/{org}/proposals/{id}/moderate":
		err = f.st.ModerateProposal(ctx, f.published, proposal.Published, "", 0)
	case "/staff/{org}/comments/{id}/moderate":
		err = f.st.ModerateComment(ctx, f.comment, false, "", 0)
	case "/staff/{org}/petitions/blocks/{id}/delete":
		f.newBlock(t)
	}
	if err != nil {
		t.Fatal(err)
	}
}
