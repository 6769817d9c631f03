package web_test

import (
	"net/http"
	"strconv"
	"testing"

	"parley/internal/proposal"
	"parley/internal/store"
)

// TestStaffClosePetition: a moderator closes a petition that stays open
// until closed by hand; its page then offers no signing and the form is
// gone; analysts may not close; ideas offer no close.
func TestStaffClosePetition(t *testing.T) {
	s := newStaffProposalSite(t, store.SQLite)
	pets := s.board(t, proposal.Board{Kind: proposal.Petitions})
	p := s.propose(t, pets.ID, "Keep the ferry running", 0)
	path := "/staff/" + s.org.Slug + "/proposals/" + strconv.FormatInt(p.ID, 10)
	public := "/proposals/" + strconv.FormatInt(p.ID, 10)

	_, doc := s.page(s.moderator, path, http.StatusOK)
	if doc.Count("form[action='"+path+"/close']") != 1 {
		t.Fatal("no close form for the moderator")
	}
	if _, doc := s.page(s.analyst, path, http.StatusOK); doc.Count("form[action='"+path+"/close']") != 0 {
		t.Error("analyst offered the close form")
	}
	if code, _, _ := s.post(s.analyst, path+"/close", nil, ""); code != http.StatusForbidden {
		t.Errorf("analyst close: %d", code)
	}
	if _, doc := s.page(s.citizen, public, http.StatusOK); doc.Count("a[href='"+public+"/sign']") != 1 {
		t.Fatal("open petition offers no signing")
	}
	if code, _, _ := s.post(s.moderator, path+"/close", nil, ""); code != http.StatusSeeOther {
		t.Fatalf("close: %d", code)
	}
	if code, _, _ := s.post(s.moderator, path+"/close", nil, ""); code != http.StatusSeeOther {
		t.Errorf("closing again: %d", code)
	}
	if _, doc := s.page(s.moderator, path, http.StatusOK); doc.Count("form[action='"+path+"/close']") != 0 {
		t.Error("closed petition still offers closing")
	}
	if _, doc := s.page(s.citizen, public, http.StatusOK); doc.Count("a[href='"+public+"/sign']") != 0 {
		t.Error("closed petition still offers signing")
	}
	if code, _, _ := s.get(s.citizen, public+"/sign"); code == http.StatusOK {
		t.Errorf("sign form of a closed petition: %d", code)
	}
	ideas := s.board(t, proposal.Board{Kind: proposal.Ideas})
	author, err := s.store.EnsureUser(ctx, "ann@x.example")
	if err != nil {
		t.Fatal(err)
	}
	idea := s.propose(t, ideas.ID, "More benches", author.ID)
	ipath := "/staff/" + s.org.Slug + "/proposals/" + strconv.FormatInt(idea.ID, 10)
	if _, doc := s.page(s.moderator, ipath, http.StatusOK); doc.Count("form[action='"+ipath+"/close']") != 0 {
		t.Error("an idea offers closing")
	}
}
