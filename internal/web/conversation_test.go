package web_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"parley/internal/account"
	"parley/internal/conversation"
	"parley/internal/polis"
	"parley/internal/store"
	"parley/internal/web/htmlcheck"
)

// TestConversationJourney runs a conversation through the HTML forms: staff
// create and open it, people vote without an account and add statements,
// a moderator approves one, the map shows the groups, the data exports in
// the Polis format, and the report is published.
func TestConversationJourney(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { conversationJourney(t, d) })
	}
}

func conversationJourney(t *testing.T, d store.Dialect) {
	s := newSite(t, d)
	staff := s.client()
	s.store.AddStaff(ctx, s.org.ID, "editor@x.example", account.RoleEditor, 0)
	s.store.AddStaff(ctx, s.org.ID, "moderator@x.example", account.RoleModerator, 0)
	s.signIn(staff, "editor@x.example")

	// A form with a mistake is shown again with the error and what was typed.
	code, body, _ := s.post(staff, "/staff/north-shire/conversations", url.Values{"title_en": {"Parks"}, "moderation": {"pre"},
		"anonymous": {"yes"}, "statements": {"More trees"}}, "")
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#question_en']") != 1 || doc.Attr("#title_en", "value") != "Parks" {
		t.Fatalf("invalid create: %d\n%s", code, body)
	}
	seeds := []string{"More trees in the park", "A café by the lake", "Dogs on leads everywhere", "Close the park at dusk",
		"Free summer concerts", "More bins and fewer signs", "A skate park for teenagers", "Keep the grass long for wildlife"}
	code, _, h := s.post(staff, "/staff/north-shire/conversations", url.Values{"title_en": {"Parks"}, "question_en": {"What should change in the park?"},
		"moderation": {"pre"}, "anonymous": {"yes"}, "statements": {strings.Join(seeds, "\n")}}, "")
	if code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/staff/north-shire/conversations/") {
		t.Fatalf("create: %d %s", code, h.Get("Location"))
	}
	manage := h.Get("Location")
	id, _ := strconv.ParseInt(manage[strings.LastIndex(manage, "/")+1:], 10, 64)
	public := "/conversations/" + itoa(id)

	// A draft is not public.
	if code, _, _ := s.get(s.client(), public); code != http.StatusNotFound {
		t.Errorf("draft seen by the public: %d", code)
	}
	if code, _, _ := s.post(staff, manage+"/status", url.Values{"status": {"open"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("open: %d", code)
	}

	// Twelve people vote without accounts, in two camps: the first half
	// agree with the even statements, the second with the odd ones.
	for p := range 12 {
		c := s.client()
		for range seeds {
			code, body, _ := s.get(c, public)
			doc := htmlcheck.Parse(t, body)
			if code != http.StatusOK {
				t.Fatalf("page: %d", code)
			}
			sid := doc.Attr("input[name=statement]", "value")
			if sid == "" {
				t.Fatalf("participant %d: no statement to vote on:\n%s", p, body)
			}
			idx := indexOf(seeds, doc.Text(".parley-statement"))
			vote := "disagree"
			if (idx%2 == 0) == (p < 6) {
				vote = "agree"
			}
			if code, _, h := s.post(c, public+"/vote", url.Values{"statement": {sid}, "vote": {vote}}, ""); code != http.StatusSeeOther {
				t.Fatalf("vote: %d %s", code, h.Get("Location"))
			}
		}
		// Every statement seen, never one twice.
		_, body, _ := s.get(c, public)
		if htmlcheck.Parse(t, body).Count("input[name=statement]") != 0 {
			t.Fatalf("participant %d offered a statement after voting on all", p)
		}
		if p == 0 {
			// A statement too long is refused with the GOV.UK error pattern.
			code, body, _ := s.post(c, public+"/statements", url.Values{"statement": {strings.Repeat("x", 300)}}, "")
			if code != http.StatusUnprocessableEntity || htmlcheck.Parse(t, body).Count("#statement-error") != 1 {
				t.Errorf("long statement: %d", code)
			}
			if code, _, _ := s.post(c, public+"/statements", url.Values{"statement": {"Longer opening hours in summer"}}, ""); code != http.StatusSeeOther {
				t.Errorf("add statement: %d", code)
			}
		}
	}
	counts, err := s.store.ConversationCounts(ctx, id)
	if err != nil || counts.Participants != 12 || counts.Votes != 12*len(seeds) || counts.Pending != 1 {
		t.Fatalf("counts %+v %v", counts, err)
	}

	// The moderator approves the new statement; it is then offered.
	mod := s.client()
	s.signIn(mod, "moderator@x.example")
	pending, _ := s.store.Statements(ctx, id, conversation.Pending)
	if code, _, _ := s.post(mod, manage+"/statements/"+itoa(pending[0].ID), url.Values{"decision": {"approved"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("approve: %d", code)
	}
	// A moderator may not open or close.
	if code, _, _ := s.post(mod, manage+"/status", url.Values{"status": {"closed"}}, ""); code != http.StatusForbidden {
		t.Errorf("moderator closing: %d", code)
	}

	// The math runs (the job does this a few seconds after votes), and the
	// map shows two groups split as voted.
	if err := conversation.Recompute(ctx, s.store, id); err != nil {
		t.Fatal(err)
	}
	code, body, _ = s.get(s.client(), public+"/map")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusOK || doc.Count("svg.parley-map title") < 1 || doc.Count("svg.parley-map desc") != 1 {
		t.Fatalf("map: %d\n%s", code, body)
	}
	res, err := resultsOf(s, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Groups) != 2 || res.Groups[0].Size != 6 || res.Groups[1].Size != 6 {
		t.Errorf("groups: %+v", res.Groups)
	}
	if !strings.Contains(doc.Text("h3#group-A"), "6") || doc.Count("table td") == 0 {
		t.Errorf("group tables missing:\n%s", body)
	}

	// Open data: the votes read back with the Polis reader.
	code, body, h = s.get(s.client(), public+"/export/votes.csv")
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s", code, h.Get("Content-Type"))
	}
	votes, err := polis.ReadVotes(strings.NewReader(body))
	if err != nil || len(votes) != 12*len(seeds) {
		t.Errorf("exported votes: %d, %v", len(votes), err)
	}
	_, body, _ = s.get(s.client(), public+"/export/participants-votes.csv")
	pv, err := polis.ReadParticipantVotes(strings.NewReader(body))
	if err != nil || len(pv.Participants) != 12 || pv.Participants[0].Group < 0 {
		t.Errorf("participants-votes: %v %+v", err, pv)
	}
	if code, _, _ := s.get(s.client(), public+"/export/secrets.csv"); code != http.StatusNotFound {
		t.Errorf("unknown export file: %d", code)
	}

	// Closed: no more votes; the report is published with the response.
	if code, _, _ := s.get(s.client(), public+"/report"); code != http.StatusNotFound {
		t.Errorf("report before publishing: %d", code)
	}
	if code, _, _ := s.post(staff, manage+"/status", url.Values{"status": {"closed"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("close: %d", code)
	}
	late := s.client()
	_, body, _ = s.get(late, public)
	if htmlcheck.Parse(t, body).Count("form[action$='/vote']") != 0 {
		t.Error("a closed conversation offers a vote")
	}
	if code, _, _ := s.post(late, public+"/vote", url.Values{"statement": {itoa(pending[0].ID)}, "vote": {"agree"}}, ""); code != http.StatusConflict {
		t.Errorf("vote on a closed conversation: %d", code)
	}
	if code, _, _ := s.post(staff, manage+"/report", url.Values{"response": {"We heard you.\n\nWe will plant trees."}}, ""); code != http.StatusSeeOther {
		t.Fatalf("report: %d", code)
	}
	code, body, _ = s.get(s.client(), public+"/report?lang=cy")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusOK || !strings.Contains(body, "We will plant trees.") || doc.Attr("html", "lang") != "cy" || doc.Count("svg.parley-chart rect") == 0 {
		t.Errorf("report: %d\n%s", code, body)
	}
	// The organisation's page lists it, and so does its Atom feed.
	_, body, _ = s.get(s.client(), "/organisations/north-shire")
	if !strings.Contains(body, public) {
		t.Error("organisation page does not list the conversation")
	}
	code, body, h = s.get(s.client(), "/feeds/organisations/north-shire/conversations.atom")
	var feed struct {
		Entries []struct {
			Title string `xml:"title"`
			Link  struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(body), &feed); code != http.StatusOK || err != nil || h.Get("Content-Type") != "application/atom+xml; charset=utf-8" ||
		len(feed.Entries) != 1 || feed.Entries[0].Title != "Parks" || !strings.HasSuffix(feed.Entries[0].Link.Href, public) {
		t.Errorf("feed: %d %v %+v", code, err, feed)
	}
}

// TestConversationNeedsSignInUnlessAnonymousAllowed checks both ways of taking part.
func TestConversationNeedsSignInUnlessAnonymousAllowed(t *testing.T) {
	s := newSite(t, store.SQLite)
	c, err := s.store.CreateConversation(ctx, conversation.Conversation{OrgID: s.org.ID, TitleEN: "Roads", QuestionEN: "Which first?",
		Status: conversation.Open, Anonymous: false}, []string{"Fix the A1"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.store.Statements(ctx, c.ID, conversation.Approved)
	visitor := s.client()
	_, body, _ := s.get(visitor, "/conversations/"+itoa(c.ID))
	doc := htmlcheck.Parse(t, body)
	if doc.Count("form[action$='/vote']") != 0 || doc.Attr("a.govuk-button--start", "href") != "/sign-in?return=/conversations/"+itoa(c.ID) {
		t.Fatalf("signed-out page offers a vote or no sign-in:\n%s", body)
	}
	code, _, h := s.post(visitor, "/conversations/"+itoa(c.ID)+"/vote", url.Values{"statement": {itoa(st[0].ID)}, "vote": {"agree"}}, "")
	if code != http.StatusSeeOther || h.Get("Location") != "/sign-in" {
		t.Errorf("vote signed out: %d %s", code, h.Get("Location"))
	}
	s.signIn(visitor, "resident@x.example")
	if code, _, _ := s.post(visitor, "/conversations/"+itoa(c.ID)+"/vote", url.Values{"statement": {itoa(st[0].ID)}, "vote": {"agree"}}, ""); code != http.StatusSeeOther {
		t.Errorf("vote signed in: %d", code)
	}
	// A vote that is not agree, disagree or pass is refused.
	if code, _, _ := s.post(visitor, "/conversations/"+itoa(c.ID)+"/vote", url.Values{"statement": {itoa(st[0].ID)}, "vote": {"maybe"}}, ""); code != http.StatusBadRequest {
		t.Errorf("bad vote: %d", code)
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func resultsOf(s *site, id int64) (*conversation.Results, error) {
	body, _, err := s.store.ConversationResult(ctx, id)
	if err != nil {
		return nil, err
	}
	res := new(conversation.Results)
	return res, json.Unmarshal(body, res)
}

// TestImportPolisUpload imports a small Polis export through the staff
// form, with a malformed file refused first, naming its line.
func TestImportPolisUpload(t *testing.T) {
	s := newSite(t, store.SQLite)
	staff := s.client()
	s.store.AddStaff(ctx, s.org.ID, "editor@x.example", account.RoleEditor, 0)
	s.signIn(staff, "editor@x.example")
	comments := "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n" +
		"1000,x,0,1,1,0,1,Trees are good\n1000,x,1,1,0,1,1,Cars are good\n1000,x,2,2,0,0,-1,Spam\n"
	votes := "timestamp,datetime,comment-id,voter-id,vote\n1001,x,0,1,1\n1002,x,1,1,-1\n1003,x,0,2,-1\n1004,x,0,1,-1\n"
	upload := func(votes string) (int, string, http.Header) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("title_en", "Imported")
		mw.WriteField("question_en", "Trees or cars?")
		mw.WriteField("attribution", "Data from Polis, CC BY 4.0")
		for name, content := range map[string]string{"comments": comments, "votes": votes} {
			w, _ := mw.CreateFormFile(name, name+".csv")
			w.Write([]byte(content))
		}
		mw.Close()
		req, _ := http.NewRequest("POST", s.srv.URL+"/staff/north-shire/conversations/import", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", s.srv.URL)
		resp, err := staff.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	code, body, _ := upload("timestamp,datetime,comment-id,voter-id,vote\n1001,x,0,1,yes\n")
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "line 2") {
		t.Fatalf("bad votes file: %d\n%s", code, body)
	}
	code, _, h := upload(votes)
	if code != http.StatusSeeOther {
		t.Fatalf("import: %d", code)
	}
	loc := h.Get("Location")
	id, _ := strconv.ParseInt(loc[strings.LastIndex(loc, "/")+1:], 10, 64)
	c, _ := s.store.Conversation(ctx, id)
	counts, _ := s.store.ConversationCounts(ctx, id)
	// The spam comment is kept, rejected; voter 1's later vote on comment 0 replaces the first.
	if c.Status != conversation.Closed || c.Attribution == "" || counts.Statements != 2 || counts.Votes != 3 || counts.Participants != 2 {
		t.Errorf("imported %+v counts %+v", c, counts)
	}
	m, _ := s.store.VoteMatrix(ctx, id)
	for _, v := range m {
		if v.At.UnixMilli() == 1001 {
			t.Error("the earlier vote of voter 1 on comment 0 was kept")
		}
	}
}
