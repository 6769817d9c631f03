package web_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"parley/internal/account"
	"parley/internal/i18n"
	"parley/internal/moderation"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/web/htmlcheck"
)

// ideasBoard makes an ideas board of the site's organisation, with two
// categories, taking proposals.
func ideasBoard(t *testing.T, s *site, mod func(*proposal.Board)) proposal.Board {
	t.Helper()
	b := proposal.Board{OrgID: s.org.ID, Kind: proposal.Ideas, TitleEN: "Ideas for North Shire", TitleCY: "Syniadau ar gyfer Gogledd Swydd",
		DescriptionEN: "Tell us how to make the county **better**.", Moderation: proposal.PostModeration, Accepting: true,
		ResponseThreshold: 3, ResponseDays: 28,
		Categories: []proposal.Category{{Slug: "roads", NameEN: "Roads", NameCY: "Ffyrdd"}, {Slug: "parks", NameEN: "Parks", NameCY: "Parciau"}}}
	if mod != nil {
		mod(&b)
	}
	b, err := s.store.CreateBoard(ctx, b, 0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// citizen makes an account with a display name and returns its ID.
func citizen(t *testing.T, s *site, email, name string) int64 {
	t.Helper()
	u, err := s.store.EnsureUser(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	if name != "" {
		if err := s.store.SetDisplayName(ctx, u.ID, name); err != nil {
			t.Fatal(err)
		}
	}
	return u.ID
}

// idea puts an idea on board b by author.
func idea(t *testing.T, s *site, b proposal.Board, author int64, title, body, category string) proposal.Proposal {
	t.Helper()
	p, err := s.store.CreateProposal(ctx, proposal.Proposal{BoardID: b.ID, AuthorID: author, AuthorName: "Ann Author",
		Title: title, Body: body, Category: category}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBoardPageListsPublishedProposalsWithFilters(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			s := newSite(t, d)
			b := ideasBoard(t, s, nil)
			ann := citizen(t, s, "ann@example.org", "Ann")
			potholes := idea(t, s, b, ann, "Fix the potholes on Mill Lane", "The potholes are deep.", "roads")
			bins := idea(t, s, b, ann, "More bins in Victoria Park", "The park is full of litter.", "parks")
			hidden := idea(t, s, b, ann, "Something rude", "Rude words.", "parks")
			if err := s.store.ModerateProposal(ctx, hidden.ID, proposal.Hidden, "Offensive", 0); err != nil {
				t.Fatal(err)
			}
			if _, err := s.store.SetProposalStatus(ctx, proposal.StatusChange{ProposalID: bins.ID, Status: proposal.Planned,
				ResponseEN: "We will add bins in May."}); err != nil {
				t.Fatal(err)
			}
			page := "/boards/" + itoa(b.ID)
			code, body, _ := s.get(s.client(), page)
			doc := htmlcheck.Parse(t, body)
			if code != http.StatusOK || doc.Text("h1") != "Ideas for North Shire" || !strings.Contains(body, "<strong>better</strong>") {
				t.Fatalf("board page: %d\n%s", code, body)
			}
			if doc.Count(".parley-proposal") != 2 || strings.Contains(body, "Something rude") {
				t.Errorf("want the two published ideas, got %d:\n%s", doc.Count(".parley-proposal"), doc.Text("main"))
			}
			if doc.Attr("a.govuk-button--start", "href") != page+"/propose" || doc.Text("#total") != "2 ideas" {
				t.Errorf("propose button %q, total %q", doc.Attr("a.govuk-button--start", "href"), doc.Text("#total"))
			}
			if doc.Count("form[method=get][action='"+page+"'] select#status") != 1 || doc.Count("select#category option") != 3 ||
				doc.Count("input#q") != 1 || doc.Count("select#sort") != 1 {
				t.Errorf("filter form incomplete")
			}
			if !strings.Contains(doc.Text(".govuk-tag--purple"), "Planned") {
				t.Errorf("planned idea has no purple tag")
			}
			for _, tc := range []struct {
				query string
				want  []string
			}{
				{"?category=parks", []string{"More bins in Victoria Park"}},
				{"?status=planned", []string{"More bins in Victoria Park"}},
				{"?status=open", []string{"Fix the potholes on Mill Lane"}},
				{"?q=potholes", []string{"Fix the potholes on Mill Lane"}},
				{"?q=nothing+like+this", nil},
			} {
				_, body, _ := s.get(s.client(), page+tc.query)
				doc := htmlcheck.Parse(t, body)
				var got []string
				for _, n := range doc.All(".parley-proposal h3 a") {
					got = append(got, htmlcheck.TextOf(n))
				}
				if strings.Join(got, "|") != strings.Join(tc.want, "|") {
					t.Errorf("%s: got %q, want %q", tc.query, got, tc.want)
				}
			}
			// Most supported first.
			bob := citizen(t, s, "bob@example.org", "Bob")
			if err := s.store.Support(ctx, bins.ID, bob); err != nil {
				t.Fatal(err)
			}
			_, body, _ = s.get(s.client(), page+"?sort=popular")
			if first := htmlcheck.Parse(t, body).Text(".parley-proposal h3 a"); !strings.HasPrefix(first, "More bins") {
				t.Errorf("sorted by support: first %q", first)
			}
			_ = potholes

			// The organisation's page lists the board and its feeds.
			_, body, _ = s.get(s.client(), "/organisations/north-shire")
			doc = htmlcheck.Parse(t, body)
			if doc.Count("a[href='"+page+"']") != 1 || doc.Count("a[href='/feeds/boards/"+itoa(b.ID)+"/new.atom']") != 1 {
				t.Errorf("organisation page does not list the board:\n%s", doc.Text("main"))
			}
		})
	}
}

func TestBoardPaging(t *testing.T) {
	s := newSite(t, store.SQLite)
	b := ideasBoard(t, s, nil)
	ann := citizen(t, s, "ann@example.org", "Ann")
	// One person writing 23 ideas in a minute is what the new-account
	// signal holds; Ann is trusted so that all are published.
	if err := s.store.SetStanding(ctx, b.OrgID, ann, moderation.Trusted, 0); err != nil {
		t.Fatal(err)
	}
	for i := range 23 {
		idea(t, s, b, ann, "Idea number "+itoa(int64(i+1)), "Details.", "roads")
	}
	page := "/boards/" + itoa(b.ID)
	_, body, _ := s.get(s.client(), page+"?category=roads")
	doc := htmlcheck.Parse(t, body)
	if doc.Count(".parley-proposal") != 20 || doc.Attr("a[rel=next]", "href") != page+"?category=roads&page=2" || doc.Count("a[rel=prev]") != 0 {
		t.Fatalf("first page: %d items, next %q", doc.Count(".parley-proposal"), doc.Attr("a[rel=next]", "href"))
	}
	_, body, _ = s.get(s.client(), page+"?category=roads&page=2")
	doc = htmlcheck.Parse(t, body)
	if doc.Count(".parley-proposal") != 3 || doc.Count("a[rel=next]") != 0 || doc.Attr("a[rel=prev]", "href") != page+"?category=roads" {
		t.Errorf("second page: %d items", doc.Count(".parley-proposal"))
	}
}

var createdPattern = regexp.MustCompile(`^/proposals/([0-9]+)\?done=created$`)

func TestProposeChecksSimilarProposalsFirst(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			s := newSite(t, d)
			b := ideasBoard(t, s, nil)
			ann := citizen(t, s, "ann@example.org", "Ann")
			existing := idea(t, s, b, ann, "Fix the potholes on Mill Lane", "The potholes on Mill Lane are deep.", "roads")
			propose := "/boards/" + itoa(b.ID) + "/propose"

			// Signed out: sent to sign in, and back here afterwards.
			code, _, h := s.get(s.client(), propose)
			expectRedirect(t, "propose signed out", code, h, "/sign-in")

			c := s.client()
			s.signIn(c, "carys@example.org")
			code, body, _ := s.get(c, propose)
			doc := htmlcheck.Parse(t, body)
			if code != http.StatusOK || doc.Text("h1") != "Propose an idea" || doc.Attr(".govuk-character-count", "data-maxlength") != "150" ||
				doc.Count("input[type=radio][name=category]") != 2 || doc.Count("#similar[aria-live=polite]") != 1 ||
				doc.Count("script[src='/static/proposal-similar.js']") != 1 || !strings.Contains(doc.Attr("input#title", "aria-describedby"), "title-hint") {
				t.Fatalf("propose form: %d\n%s", code, body)
			}

			// Mistakes are shown in the summary and beside each field.
			code, body, _ = s.post(c, propose, url.Values{"title": {""}, "body": {"Something"}}, "")
			doc = htmlcheck.Parse(t, body)
			if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#title']") != 1 ||
				doc.Count(".govuk-error-summary a[href='#category']") != 1 || doc.Count("#title-error") != 1 || doc.Text("textarea#body") != "Something" {
				t.Fatalf("invalid proposal: %d\n%s", code, body)
			}

			form := url.Values{"title": {"Potholes on Mill Lane need fixing"}, "body": {"Mill Lane has potholes.\n\nPlease fix them."},
				"category": {"roads"}, "author_name": {"Carys"}}
			code, body, _ = s.post(c, propose, form, "")
			doc = htmlcheck.Parse(t, body)
			if code != http.StatusOK || doc.Text("h1") != "Check these first" || doc.Attr(".parley-proposal a", "href") != "/proposals/"+itoa(existing.ID) ||
				doc.Attr("input[name=checked]", "value") != "1" || doc.Attr("input[name=title]", "value") != "Potholes on Mill Lane need fixing" {
				t.Fatalf("check these first: %d\n%s", code, body)
			}
			if list, _, _ := s.store.Proposals(ctx, proposal.ListFilter{BoardID: b.ID}); len(list) != 1 {
				t.Errorf("a proposal was saved before it was confirmed")
			}

			// Going back to change it keeps what was written.
			back := url.Values{"action": {"edit"}, "checked": {"1"}}
			for k, v := range form {
				back[k] = v
			}
			code, body, _ = s.post(c, propose, back, "")
			if doc = htmlcheck.Parse(t, body); code != http.StatusOK || doc.Attr("input#title", "value") != "Potholes on Mill Lane need fixing" || doc.Count("input#category[checked]") != 1 {
				t.Errorf("edit: %d\n%s", code, body)
			}

			form.Set("checked", "1")
			form.Set("action", "continue")
			code, _, h = s.post(c, propose, form, "")
			m := createdPattern.FindStringSubmatch(h.Get("Location"))
			if code != http.StatusSeeOther || m == nil {
				t.Fatalf("create: %d %q", code, h.Get("Location"))
			}
			code, body, _ = s.get(c, h.Get("Location"))
			doc = htmlcheck.Parse(t, body)
			if code != http.StatusOK || doc.Text(".govuk-panel__title") != "Your idea has been created" || doc.Text("h1") != "Potholes on Mill Lane need fixing" ||
				doc.Text("#count") != "1 supporter" || !strings.Contains(doc.Text("#next"), "on the board now") {
				t.Errorf("created page: %d\n%s", code, body)
			}
			// The suggestions' JSON finds the new idea too.
			code, body, h = s.get(s.client(), "/boards/"+itoa(b.ID)+"/similar?q=potholes")
			var got struct {
				Proposals []struct{ Title, URL string }
			}
			if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/json") || json.Unmarshal([]byte(body), &got) != nil || len(got.Proposals) != 2 {
				t.Errorf("similar JSON: %d %s", code, body)
			}
		})
	}
}

func TestProposingOnAClosedBoard(t *testing.T) {
	s := newSite(t, store.SQLite)
	b := ideasBoard(t, s, func(b *proposal.Board) { b.Accepting = false })
	c := s.client()
	s.signIn(c, "ann@example.org")
	_, body, _ := s.get(s.client(), "/boards/"+itoa(b.ID))
	if htmlcheck.Parse(t, body).Count("a.govuk-button--start") != 0 {
		t.Errorf("closed board offers to propose")
	}
	code, body, _ := s.post(c, "/boards/"+itoa(b.ID)+"/propose", url.Values{"title": {"X"}, "body": {"Y"}, "category": {"roads"}}, "")
	if code != http.StatusConflict || !strings.Contains(body, "not taking new proposals") {
		t.Errorf("propose on closed board: %d", code)
	}
}

func TestPetitionWithSponsorsShowsTheSponsorLink(t *testing.T) {
	s := newSite(t, store.SQLite)
	b, err := s.store.CreateBoard(ctx, proposal.Board{OrgID: s.org.ID, Kind: proposal.Petitions, TitleEN: "Petitions", Accepting: true,
		Moderation: proposal.PreModeration, SponsorsNeeded: 5, ResponseThreshold: 10000, DebateThreshold: 100000, OpenDays: 182}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := s.client()
	s.signIn(c, "dai@example.org")
	propose := "/boards/" + itoa(b.ID) + "/propose"
	_, body, _ := s.get(c, propose)
	doc := htmlcheck.Parse(t, body)
	if doc.Text("h1") != "Start a petition" || doc.Count("select#country option[value=GB][selected]") != 1 || doc.Count("input#uk_resident[type=checkbox]") != 1 {
		t.Fatalf("petition form:\n%s", body)
	}
	form := url.Values{"title": {"Save the Riverside library"}, "body": {"Keep the library open."}, "author_name": {"Dai Jones"},
		"country": {"GB"}, "postcode": {"not a postcode"}}
	code, body, _ := s.post(c, propose, form, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#postcode']") != 1 ||
		doc.Count(".govuk-error-summary a[href='#uk_resident']") != 1 || doc.Attr("input#postcode", "value") != "not a postcode" {
		t.Fatalf("invalid signature: %d\n%s", code, body)
	}
	form.Set("postcode", "cf10 1aa")
	form.Set("uk_resident", "yes")
	code, _, h := s.post(c, propose, form, "")
	m := createdPattern.FindStringSubmatch(h.Get("Location"))
	if code != http.StatusSeeOther || m == nil {
		t.Fatalf("create petition: %d %q", code, h.Get("Location"))
	}
	_, body, _ = s.get(c, h.Get("Location"))
	doc = htmlcheck.Parse(t, body)
	link := doc.Attr("input#sponsor-link", "value")
	if doc.Text(".govuk-panel__title") != "Your petition has been created" || !strings.Contains(link, "/sponsor/") ||
		!strings.Contains(doc.Text("#next"), "needs 5 people") || doc.Text(".govuk-tag") != "Collecting sponsors" {
		t.Errorf("sponsor link not shown:\n%s", body)
	}
	p, err := s.store.ProposalBySponsorToken(ctx, link[strings.LastIndex(link, "/")+1:])
	if err != nil || "/proposals/"+itoa(p.ID) != "/proposals/"+m[1] || p.Supporters != 1 {
		t.Errorf("sponsor token names %+v (%v); the author's signature must count", p, err)
	}
	// Nobody else sees it yet, nor is it on the board.
	if code, _, _ := s.get(s.client(), "/proposals/"+m[1]); code != http.StatusNotFound {
		t.Errorf("petition collecting sponsors shown to the public: %d", code)
	}
	other := s.client()
	s.signIn(other, "someone@example.org")
	if code, _, _ := s.get(other, "/proposals/"+m[1]); code != http.StatusNotFound {
		t.Errorf("petition collecting sponsors shown to another citizen: %d", code)
	}
	staff := s.client()
	s.store.AddStaff(ctx, s.org.ID, "mod@x.example", account.RoleModerator, 0)
	s.signIn(staff, "mod@x.example")
	if code, body, _ := s.get(staff, "/proposals/"+m[1]); code != http.StatusOK || htmlcheck.Parse(t, body).Count("input#sponsor-link") != 0 ||
		htmlcheck.Parse(t, body).Count("a[href='/staff/north-shire/proposals/"+m[1]+"']") != 1 {
		t.Errorf("staff preview: %d (and only the author sees the sponsor link; staff get a link to manage it)", code)
	}
	if _, body, _ := s.get(s.client(), "/boards/"+itoa(b.ID)); strings.Contains(body, "Riverside") {
		t.Errorf("unpublished petition listed on the board")
	}
}

func TestPublishedPetitionPage(t *testing.T) {
	s := newSite(t, store.SQLite)
	b, err := s.store.CreateBoard(ctx, proposal.Board{OrgID: s.org.ID, Kind: proposal.Petitions, TitleEN: "Petitions", Accepting: true,
		Moderation: proposal.PostModeration, ResponseThreshold: 10000, DebateThreshold: 100000, OpenDays: 182}, 0)
	if err != nil {
		t.Fatal(err)
	}
	author := citizen(t, s, "dai@example.org", "Dai")
	p, err := s.store.CreateProposal(ctx, proposal.Proposal{BoardID: b.ID, AuthorID: author, AuthorName: "Dai Jones", Title: "Save the library",
		Body: "Keep it open."}, &proposal.Signature{Name: "Dai Jones", Email: "dai@example.org", Postcode: "CF10 1AA", Country: "GB", UKResident: true})
	if err != nil {
		t.Fatal(err)
	}
	page := "/proposals/" + itoa(p.ID)
	code, body, _ := s.get(s.client(), page)
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusOK || doc.Attr("a.govuk-button--start", "href") != page+"/sign" || doc.Text("#count") != "1 signature" ||
		!strings.Contains(doc.Text("#threshold-response-text"), "1 of the 10,000 signatures needed") || doc.Attr("#threshold-response progress", "max") != "10000" ||
		!strings.Contains(doc.Text("#threshold-debate-text"), "100,000") || doc.Count("#areas + div table tbody tr") != 1 {
		t.Errorf("petition page: %d\n%s", code, body)
	}
	if doc.Count("form[action='"+page+"/support']") != 0 {
		t.Errorf("a petition offers idea support")
	}
}

func TestIdeaSupportAndWithdraw(t *testing.T) {
	s := newSite(t, store.SQLite)
	b := ideasBoard(t, s, nil)
	ann := citizen(t, s, "ann@example.org", "Ann")
	p := idea(t, s, b, ann, "More benches", "Somewhere to sit.", "parks")
	page := "/proposals/" + itoa(p.ID)
	code, _, h := s.post(s.client(), page+"/support", nil, "")
	expectRedirect(t, "support signed out", code, h, "/sign-in")

	c := s.client()
	s.signIn(c, "bob@example.org")
	_, body, _ := s.get(c, page)
	if doc := htmlcheck.Parse(t, body); doc.Count("form[action='"+page+"/support'] button") != 1 || doc.Text("#count") != "1 supporter" ||
		!strings.Contains(doc.Text("#threshold-response-text"), "1 of the 3 supporters needed") {
		t.Fatalf("idea page:\n%s", body)
	}
	code, _, h = s.post(c, page+"/support", nil, "")
	expectRedirect(t, "support", code, h, page)
	_, body, _ = s.get(c, page)
	doc := htmlcheck.Parse(t, body)
	if doc.Text("#count") != "2 supporters" || doc.Count("form[action='"+page+"/withdraw'] button") != 1 || doc.Text(".govuk-notification-banner__heading") != "You support this idea." {
		t.Errorf("after supporting:\n%s", body)
	}
	// Supporting twice counts once.
	s.post(c, page+"/support", nil, "")
	code, _, h = s.post(c, page+"/withdraw", nil, "")
	expectRedirect(t, "withdraw", code, h, page)
	_, body, _ = s.get(c, page)
	if doc := htmlcheck.Parse(t, body); doc.Text("#count") != "1 supporter" || doc.Count("form[action='"+page+"/support']") != 1 {
		t.Errorf("after withdrawing:\n%s", body)
	}

	// Following, like consultations.
	code, _, h = s.post(c, page+"/follow", nil, "")
	expectRedirect(t, "follow", code, h, page)
	if _, body, _ := s.get(c, page); htmlcheck.Parse(t, body).Count("form[action='"+page+"/unfollow']") != 1 {
		t.Errorf("no unfollow after following")
	}
}

func TestProposalCommentsRepliesAndReports(t *testing.T) {
	s := newSite(t, store.SQLite)
	b := ideasBoard(t, s, nil)
	ann := citizen(t, s, "ann@example.org", "Ann")
	p := idea(t, s, b, ann, "More benches", "Somewhere to sit.", "parks")
	page := "/proposals/" + itoa(p.ID)

	code, _, h := s.post(s.client(), page+"/comments", url.Values{"body": {"Hello"}}, "")
	expectRedirect(t, "comment signed out", code, h, "/sign-in")

	c := s.client()
	s.signIn(c, "bob@example.org")
	code, body, _ := s.post(c, page+"/comments", url.Values{"body": {"  "}}, "")
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#comment']") != 1 || doc.Count("#comment-error") != 1 {
		t.Fatalf("empty comment: %d\n%s", code, body)
	}
	code, _, h = s.post(c, page+"/comments", url.Values{"body": {"Yes please, by the pond."}}, "")
	if code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), page+"#comment-") {
		t.Fatalf("comment: %d %q", code, h.Get("Location"))
	}
	top := strings.TrimPrefix(h.Get("Location"), page+"#comment-")
	code, _, h = s.post(c, page+"/comments", url.Values{"body": {"And by the swings."}, "parent": {top}}, "")
	if code != http.StatusSeeOther {
		t.Fatalf("reply: %d", code)
	}
	reply := strings.TrimPrefix(h.Get("Location"), page+"#comment-")
	if code, _, _ := s.post(c, page+"/comments", url.Values{"body": {"Deeper"}, "parent": {reply}}, ""); code != http.StatusBadRequest {
		t.Errorf("reply to a reply: %d", code)
	}
	// An empty reply shows its error beside its own form.
	code, body, _ = s.post(c, page+"/comments", url.Values{"body": {""}, "parent": {top}}, "")
	if doc := htmlcheck.Parse(t, body); code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#reply-"+top+"']") != 1 ||
		doc.Count("#reply-"+top+"-error") != 1 {
		t.Errorf("empty reply: %d", code)
	}
	_, body, _ = s.get(s.client(), page)
	doc = htmlcheck.Parse(t, body)
	if !strings.HasPrefix(doc.Text("#comment-"+top+" .parley-comment__body"), "Yes please, by the pond.") ||
		doc.Text("#comment-"+reply+" .parley-comment__body") != "And by the swings." || doc.Count("#comment-"+top+" details form input[name=parent][value='"+top+"']") != 0 {
		t.Errorf("thread not shown:\n%s", doc.Text("#comments ~ *"))
	}
	if doc.Count(".parley-replies #comment-"+reply) != 1 || doc.Count("a[href='/report/comment/"+reply+"']") != 1 {
		t.Errorf("reply not under its comment, or no report link")
	}
	// Signed in, a reply form sits under the top-level comment only.
	_, body, _ = s.get(c, page)
	if doc := htmlcheck.Parse(t, body); doc.Count("input[name=parent]") != 1 || doc.Attr("input[name=parent]", "value") != top ||
		doc.Count("label[for='reply-"+top+"']") != 1 {
		t.Errorf("reply forms: %d", doc.Count("input[name=parent]"))
	}

	// Reporting: sign in first, a reason is needed, reporting twice is
	// fine. The old address of the form leads to the one for every kind.
	report := "/report/comment/" + reply
	code, _, h = s.get(s.client(), page+"/comments/"+reply+"/report")
	expectRedirect(t, "old report address", code, h, report)
	code, _, h = s.get(s.client(), report)
	expectRedirect(t, "report signed out", code, h, "/sign-in")
	r := s.client()
	s.signIn(r, "carys@example.org")
	code, body, _ = s.get(r, report)
	if code != http.StatusOK || htmlcheck.Parse(t, body).Count("input[name=category]") != 5 {
		t.Fatalf("report form: %d", code)
	}
	code, body, _ = s.post(r, report, url.Values{"category": {""}}, "")
	if code != http.StatusUnprocessableEntity || htmlcheck.Parse(t, body).Count(".govuk-error-summary a[href='#category']") != 1 {
		t.Errorf("report without reason: %d", code)
	}
	code, _, h = s.post(r, report, url.Values{"category": {"spam"}, "detail": {"It is advertising."}}, "")
	expectRedirect(t, "report", code, h, "/report/sent")
	queue, _ := s.store.ModerationQueue(ctx, s.org.ID, moderation.QueueFilter{Kind: moderation.KindComment})
	if len(queue) != 1 || itoa(queue[0].Ref.ID) != reply {
		t.Errorf("reported comments %+v", queue)
	}

	// A comment a moderator hides is shown as removed, its words gone.
	if err := s.store.ModerateComment(ctx, idOf(t, reply), true, "Advertising", 0); err != nil {
		t.Fatal(err)
	}
	_, body, _ = s.get(s.client(), page)
	doc = htmlcheck.Parse(t, body)
	if strings.Contains(body, "And by the swings.") || doc.Text("#comment-"+reply) != "This comment was removed by a moderator." {
		t.Errorf("hidden comment:\n%s", doc.Text("#comment-"+reply))
	}
	if code, _, _ := s.get(r, page+"/comments/"+reply+"/report"); code != http.StatusNotFound {
		t.Errorf("hidden comment can still be reported: %d", code)
	}
}

func idOf(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("not an id: %q", s)
	}
	return n
}

func TestUnpublishedProposalIsNotFoundToOthers(t *testing.T) {
	s := newSite(t, store.SQLite)
	b := ideasBoard(t, s, func(b *proposal.Board) { b.Moderation = proposal.PreModeration })
	c := s.client()
	s.signIn(c, "ann@example.org")
	ann, _ := s.store.UserByEmail(ctx, "ann@example.org")
	p := idea(t, s, b, ann.ID, "Pending idea", "Waiting.", "roads")
	page := "/proposals/" + itoa(p.ID)
	for _, path := range []string{page, page + "/comments/1/report"} {
		if code, _, _ := s.get(s.client(), path); code != http.StatusNotFound {
			t.Errorf("%s to the public: %d", path, code)
		}
	}
	if code, _, _ := s.post(c, page+"/comments", url.Values{"body": {"Me"}}, ""); code != http.StatusNotFound {
		t.Errorf("comment on a pending idea: %d", code)
	}
	code, body, h := s.get(c, page)
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusOK || !strings.Contains(doc.Text("#next"), "A moderator will check it") || h.Get("Cache-Control") != "no-store" {
		t.Errorf("author's view of a pending idea: %d\n%s", code, body)
	}
	if err := s.store.ModerateProposal(ctx, p.ID, proposal.Rejected, "Not about the county.", 0); err != nil {
		t.Fatal(err)
	}
	_, body, _ = s.get(c, page)
	if !strings.Contains(htmlcheck.Parse(t, body).Text("#next"), "Not about the county.") {
		t.Errorf("author not told why it was rejected")
	}
}

func TestMergedProposalLinksToTheOriginal(t *testing.T) {
	s := newSite(t, store.SQLite)
	b := ideasBoard(t, s, nil)
	ann := citizen(t, s, "ann@example.org", "Ann")
	orig := idea(t, s, b, ann, "Fix Mill Lane", "Potholes.", "roads")
	dup := idea(t, s, b, ann, "Mill Lane potholes", "Same.", "roads")
	if _, err := s.store.MergeProposals(ctx, dup.ID, orig.ID, 0); err != nil {
		t.Fatal(err)
	}
	_, body, _ := s.get(s.client(), "/proposals/"+itoa(dup.ID))
	doc := htmlcheck.Parse(t, body)
	if doc.Attr(".govuk-notification-banner a", "href") != "/proposals/"+itoa(orig.ID) || doc.Count("form[action$='/support']") != 0 {
		t.Errorf("merged page:\n%s", doc.Text("main"))
	}
}

func TestAnsweredProposalAndFeeds(t *testing.T) {
	s := newSite(t, store.SQLite)
	b := ideasBoard(t, s, nil)
	ann := citizen(t, s, "ann@example.org", "Ann")
	p := idea(t, s, b, ann, "Longer library hours", "Open until 8.", "roads")
	idea(t, s, b, ann, "A new skate park", "For the young.", "parks")
	for _, e := range []string{"b@example.org", "c@example.org"} {
		if err := s.store.Support(ctx, p.ID, citizen(t, s, e, "")); err != nil {
			t.Fatal(err)
		}
	}
	page := "/proposals/" + itoa(p.ID)
	_, body, _ := s.get(s.client(), page)
	doc := htmlcheck.Parse(t, body)
	if !strings.Contains(doc.Text("#threshold-response-text"), "an official response is owed") || !strings.Contains(doc.Text("#response + p"), "will respond by") {
		t.Errorf("threshold crossed, but no deadline shown:\n%s", body)
	}
	if _, err := s.store.SetProposalStatus(ctx, proposal.StatusChange{ProposalID: p.ID, Status: proposal.UnderConsideration,
		ResponseEN: "We are costing it.", ResponseCY: "Rydym yn ei gostio."}); err != nil {
		t.Fatal(err)
	}
	_, body, _ = s.get(s.client(), page+"?lang=cy")
	doc = htmlcheck.Parse(t, body)
	if !strings.Contains(doc.Text("main"), "Ymatebodd Cyngor Gogledd Swydd") || !strings.Contains(doc.Text("main"), "Rydym yn ei gostio.") || doc.Text(".govuk-tag--light-blue") == "" {
		t.Errorf("Welsh response not shown:\n%s", doc.Text("main"))
	}
	var feed struct {
		Entries []struct {
			Title string `xml:"title"`
		} `xml:"entry"`
	}
	code, body, h := s.get(s.client(), "/feeds/boards/"+itoa(b.ID)+"/new.atom")
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/atom+xml") || xml.Unmarshal([]byte(body), &feed) != nil || len(feed.Entries) != 2 {
		t.Errorf("new feed: %d %s", code, body)
	}
	feed.Entries = nil
	code, body, _ = s.get(s.client(), "/feeds/boards/"+itoa(b.ID)+"/answered.atom")
	if code != http.StatusOK || xml.Unmarshal([]byte(body), &feed) != nil || len(feed.Entries) != 1 || feed.Entries[0].Title != "Longer library hours" {
		t.Errorf("answered feed: %d %s", code, body)
	}
}

func TestProposalPagesInWelshAndEnglish(t *testing.T) {
	s := newSite(t, store.SQLite)
	b := ideasBoard(t, s, nil)
	ann := citizen(t, s, "ann@example.org", "Ann")
	p := idea(t, s, b, ann, "More benches", "Somewhere to sit.", "parks")
	c := s.client()
	s.signIn(c, "bob@example.org")
	s.post(c, "/proposals/"+itoa(p.ID)+"/comments", url.Values{"body": {"Yes"}}, "")
	comments, _ := s.store.Comments(ctx, p.ID, false)
	paths := []string{"/boards/" + itoa(b.ID), "/proposals/" + itoa(p.ID), "/boards/" + itoa(b.ID) + "/propose",
		"/report/comment/" + itoa(comments[0].ID)}
	for _, path := range paths {
		for _, lang := range i18n.Langs {
			code, body, _ := s.get(c, path+"?lang="+lang)
			doc := htmlcheck.Parse(t, body)
			if code != http.StatusOK || doc.Attr("html", "lang") != lang || doc.Count("h1") != 1 {
				t.Errorf("%s (%s): %d, %d h1", path, lang, code, doc.Count("h1"))
				continue
			}
			// DESIGN.md's bar is 60 KB of HTML and CSS; the CSS takes
			// about half of it (TestPageWeight).
			if len(body) > 25*1024 {
				t.Errorf("%s (%s): %d bytes of HTML", path, lang, len(body))
			}
			if strings.Contains(body, "MISSING") || regexp.MustCompile(`>[a-z_]+\.[a-z_.]+<`).MatchString(body) || strings.Contains(body, "proposal.public.") {
				t.Errorf("%s (%s): untranslated message ID in page", path, lang)
			}
		}
	}
	_, body, _ := s.get(s.client(), "/boards/"+itoa(b.ID)+"?lang=cy")
	doc := htmlcheck.Parse(t, body)
	if doc.Text("h1") != "Syniadau ar gyfer Gogledd Swydd" || doc.Text("#total") != "1 syniad" || !strings.Contains(doc.Text("select#category"), "Parciau") {
		t.Errorf("Welsh board page:\n%s", doc.Text("main"))
	}
}
