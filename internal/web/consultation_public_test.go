package web_test

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"parley/internal/consultation"
	"parley/internal/outbox"
	"parley/internal/store"
	"parley/internal/web"
	"parley/internal/web/htmlcheck"
)

// consultationFixture creates a consultation of the site's organisation
// with four questions, one of each kind, and opens it unless draft.
func consultationFixture(t *testing.T, s *site, layout consultation.Layout, draft bool) (consultation.Consultation, []consultation.Question) {
	t.Helper()
	c, err := s.store.CreateConsultation(ctx, consultation.Consultation{OrgID: s.org.ID, TitleEN: "Bus lanes on the High Street",
		TitleCY: "Lonydd bysiau ar y Stryd Fawr", SummaryEN: "Should the High Street have bus lanes?",
		BodyEN: "## Why we ask\n\nBuses are **slow** at peak times.", Layout: layout}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var qs []consultation.Question
	for _, q := range []consultation.Question{
		{Kind: consultation.FreeText, TextEN: "What do you think of the proposal?", TextCY: "Beth yw eich barn am y cynnig?",
			HelpEN: "Tell us in your own words.", Required: true, MaxLength: 200},
		{Kind: consultation.Single, TextEN: "How do you travel into town?", Required: true,
			Options: []consultation.Option{{EN: "Bus"}, {EN: "Car"}, {EN: "Bicycle"}}},
		{Kind: consultation.Multiple, TextEN: "Which days do you travel?",
			Options: []consultation.Option{{EN: "Weekdays"}, {EN: "Saturday"}, {EN: "Sunday"}}},
		{Kind: consultation.Scale, TextEN: "Bus lanes would make the High Street better", Required: true,
			Options: consultation.DefaultScale},
	} {
		q.ConsultationID = c.ID
		added, err := s.store.AddQuestion(ctx, q, 0)
		if err != nil {
			t.Fatal(err)
		}
		qs = append(qs, added)
	}
	if !draft {
		if err := s.store.SetConsultationStatus(ctx, c.ID, consultation.Open, 0); err != nil {
			t.Fatal(err)
		}
	}
	return c, qs
}

// expectRedirect fails unless a POST or GET answered 303 to want.
func expectRedirect(t *testing.T, what string, code int, h http.Header, want string) {
	t.Helper()
	if code != http.StatusSeeOther || h.Get("Location") != want {
		t.Fatalf("%s: %d to %q, want 303 to %q", what, code, h.Get("Location"), want)
	}
}

var resumePattern = regexp.MustCompile(`/consultations/[0-9]+/respond/resume/[A-Za-z0-9_\-]+`)

// TestRespondJourney answers a one-question-a-page consultation as a
// citizen would, without JavaScript: about you (with a mistake), the
// questions (with a mistake), save and come back on another device by the
// emailed link, change an answer from the check page, send, get the
// receipt; then the response is published with consent only.
func TestRespondJourney(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { respondJourney(t, d) })
	}
}

func respondJourney(t *testing.T, d store.Dialect) {
	s := newSite(t, d)
	c, qs := consultationFixture(t, s, consultation.OnePerPage, false)
	page := "/consultations/" + itoa(c.ID)
	respond := page + "/respond"

	code, body, _ := s.get(s.client(), page)
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusOK || doc.Text("h1") != "Bus lanes on the High Street" || doc.Count("form[action='"+respond+"'] button") != 1 {
		t.Fatalf("consultation page: %d\n%s", code, body)
	}
	if doc.Text("h2.govuk-heading-l") == "" || !strings.Contains(body, "<strong>slow</strong>") {
		t.Errorf("body not rendered from markdown:\n%s", body)
	}
	if _, cy, _ := s.get(s.client(), page+"?lang=cy"); htmlcheck.Parse(t, cy).Text("h1") != "Lonydd bysiau ar y Stryd Fawr" {
		t.Errorf("Welsh title not shown")
	}

	ann := s.client()
	code, _, h := s.post(ann, respond, nil, "")
	expectRedirect(t, "start", code, h, respond+"/about")
	code, body, _ = s.get(ann, respond+"/about")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusOK || doc.Attr("a.govuk-back-link", "href") != page || doc.Count("input[name=respondent]") != 2 || doc.Count("input[name=consent]") != 3 {
		t.Fatalf("about page: %d\n%s", code, body)
	}

	// For an organisation, but no organisation named: the error is shown
	// in the summary and beside the field, and what was typed is kept.
	about := url.Values{"respondent": {"organisation"}, "name": {"Ann Example"}, "email": {"ann@example.org"},
		"consent": {"named"}, "hear_back": {"yes"}}
	code, body, _ = s.post(ann, respond+"/about", about, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#org_name']") != 1 ||
		doc.Count("#org_name-error") != 1 || doc.Attr("#name", "value") != "Ann Example" || !strings.HasPrefix(doc.Text("title"), "Error:") {
		t.Fatalf("about with a mistake: %d\n%s", code, body)
	}
	about.Set("respondent", "individual")
	code, _, h = s.post(ann, respond+"/about", about, "")
	expectRedirect(t, "about", code, h, respond+"/questions/1")

	// Question 1: free text with a character count; too long is refused
	// and the text kept.
	q1 := respond + "/questions/1"
	code, body, _ = s.get(ann, q1)
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusOK || doc.Attr(".govuk-character-count", "data-maxlength") != "200" || doc.Count("h1 label[for='"+qs[0].Field()+"']") != 1 ||
		doc.Attr("a.govuk-back-link", "href") != respond+"/about" || doc.Text("#"+qs[0].Field()+"-hint") != "Tell us in your own words." {
		t.Fatalf("question 1: %d\n%s", code, body)
	}
	long := strings.Repeat("Buses are too slow. ", 11)
	code, body, _ = s.post(ann, q1, url.Values{qs[0].Field(): {long}}, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#"+qs[0].Field()+"']") != 1 ||
		doc.Count("#"+qs[0].Field()+"-error") != 1 || doc.Text("textarea#"+qs[0].Field()) != strings.TrimSpace(long) {
		t.Fatalf("too long an answer: %d\n%s", code, body)
	}
	code, body, _ = s.post(ann, q1, url.Values{qs[0].Field(): {""}}, "")
	if code != http.StatusUnprocessableEntity || !strings.Contains(htmlcheck.Parse(t, body).Text(".govuk-error-summary"), "Answer this question") {
		t.Fatalf("required answer missing: %d", code)
	}
	code, _, h = s.post(ann, q1, url.Values{qs[0].Field(): {"Bus lanes will speed up my commute."}}, "")
	expectRedirect(t, "question 1", code, h, respond+"/questions/2")

	// Question 2: radios, back to question 1.
	code, body, _ = s.get(ann, respond+"/questions/2")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusOK || doc.Count("input[type=radio][name='"+qs[1].Field()+"']") != 3 || doc.Attr("a.govuk-back-link", "href") != q1 ||
		doc.Count("legend h1") != 1 || strings.Contains(doc.Text("legend"), "(optional)") {
		t.Fatalf("question 2: %d\n%s", code, body)
	}
	code, _, h = s.post(ann, respond+"/questions/2", url.Values{qs[1].Field(): {"2"}}, "")
	expectRedirect(t, "question 2", code, h, respond+"/questions/3")

	// Question 3 is optional, and says so; save and come back later.
	_, body, _ = s.get(ann, respond+"/questions/3")
	doc = htmlcheck.Parse(t, body)
	if !strings.Contains(doc.Text("legend"), "(optional)") || doc.Count("input[type=checkbox][name='"+qs[2].Field()+"']") != 3 {
		t.Fatalf("question 3:\n%s", body)
	}
	code, _, h = s.post(ann, respond+"/questions/3", url.Values{qs[2].Field(): {"1", "3"}, "later": {"yes"}}, "")
	expectRedirect(t, "save for later", code, h, respond+"/save")
	_, body, _ = s.get(ann, respond+"/save")
	if htmlcheck.Parse(t, body).Attr("input#email", "value") != "ann@example.org" {
		t.Errorf("save page does not offer the address given:\n%s", body)
	}
	code, body, _ = s.post(ann, respond+"/save", url.Values{"email": {"not an address"}}, "")
	if code != http.StatusUnprocessableEntity || htmlcheck.Parse(t, body).Count(".govuk-error-summary a[href='#email']") != 1 {
		t.Errorf("bad address: %d", code)
	}
	code, _, h = s.post(ann, respond+"/save", url.Values{"email": {"ann@example.org"}}, "")
	expectRedirect(t, "send link", code, h, respond+"/save?sent=1")
	_, body, _ = s.get(ann, respond+"/save?sent=1")
	if !strings.Contains(htmlcheck.Parse(t, body).Text("main"), "ann@example.org") {
		t.Errorf("check your email page:\n%s", body)
	}
	msgs, _ := s.store.Outbox(ctx, 1)
	link := resumePattern.FindString(msgs[0].Body)
	if len(msgs) == 0 || msgs[0].To != "ann@example.org" || link == "" {
		t.Fatalf("resume email: %+v", msgs)
	}

	// On another device: the link's page only asks to confirm (scanners
	// that follow links spend nothing); confirming goes to the first
	// unanswered question.
	phone := s.client()
	code, body, _ = s.get(phone, link)
	if code != http.StatusOK || htmlcheck.Parse(t, body).Attr("main form", "action") != link {
		t.Fatalf("resume page: %d\n%s", code, body)
	}
	code, _, h = s.post(phone, link, nil, "")
	expectRedirect(t, "resume", code, h, respond+"/questions/4")
	if code, _, _ := s.post(s.client(), link, nil, ""); code != http.StatusGone {
		t.Errorf("resume link used twice: %d", code)
	}
	_, body, _ = s.get(phone, respond+"/questions/3")
	if n := htmlcheck.Parse(t, body).Count("input[type=checkbox][checked]"); n != 2 {
		t.Errorf("saved choices not shown: %d checked", n)
	}
	code, _, h = s.post(phone, respond+"/questions/4", url.Values{qs[3].Field(): {"4"}}, "")
	expectRedirect(t, "question 4", code, h, respond+"/check")

	// Check your answers, change one, and come back to the check page.
	code, body, _ = s.get(phone, respond+"/check")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusOK || doc.Count(".govuk-summary-list__row") != 10 || !strings.Contains(doc.Text("main"), "Weekdays") ||
		!strings.Contains(doc.Text("main"), "Agree") || doc.Attr("a.govuk-back-link", "href") != respond+"/questions/4" {
		t.Fatalf("check page: %d\n%s", code, body)
	}
	change := doc.Attr("#"+qs[0].Field()+" .govuk-summary-list__actions a", "href")
	if change != q1+"?return=check" {
		t.Fatalf("change link %q", change)
	}
	_, body, _ = s.get(phone, change)
	doc = htmlcheck.Parse(t, body)
	if doc.Attr("a.govuk-back-link", "href") != respond+"/check" || doc.Attr("input[name=return]", "value") != "check" {
		t.Fatalf("changing an answer:\n%s", body)
	}
	code, _, h = s.post(phone, q1, url.Values{qs[0].Field(): {"Bus lanes will halve my commute."}, "return": {"check"}}, "")
	expectRedirect(t, "change", code, h, respond+"/check")

	code, _, h = s.post(phone, respond+"/submit", nil, "")
	expectRedirect(t, "submit", code, h, respond+"/done")
	code, body, _ = s.get(phone, respond+"/done")
	doc = htmlcheck.Parse(t, body)
	list, _ := s.store.Responses(ctx, c.ID, consultation.ResponseFilter{})
	if code != http.StatusOK || len(list) != 1 || doc.Text(".govuk-panel #reference") != itoa(list[0].ID) {
		t.Fatalf("done: %d, %d responses\n%s", code, len(list), body)
	}
	if a := list[0].Answer(qs[0].ID); a.Text != "Bus lanes will halve my commute." || list[0].Channel != consultation.ChannelWeb {
		t.Errorf("stored response: %+v", list[0])
	}
	msgs, _ = s.store.Outbox(ctx, 1)
	if len(msgs) == 0 || msgs[0].To != "ann@example.org" || msgs[0].Kind != "consultation-receipt" {
		t.Fatalf("no receipt: %+v", msgs)
	}
	for _, want := range []string{"Bus lanes will halve my commute.", "Car", "Weekdays", "Sunday", "Agree", itoa(list[0].ID)} {
		if !strings.Contains(msgs[0].Body, want) {
			t.Errorf("receipt lacks %q:\n%s", want, msgs[0].Body)
		}
	}
	// The journey is over: its pages send the visitor back to the start.
	if code, _, h := s.get(phone, respond+"/check"); code != http.StatusSeeOther || h.Get("Location") != page {
		t.Errorf("check after sending: %d %s", code, h.Get("Location"))
	}

	// Bob says nothing may be published; Carol starts but is too late.
	bob := s.client()
	s.post(bob, respond, nil, "")
	s.post(bob, respond+"/about", url.Values{"respondent": {"individual"}, "consent": {"no"}}, "")
	s.post(bob, q1, url.Values{qs[0].Field(): {"Private thoughts of Bob."}}, "")
	s.post(bob, respond+"/questions/2", url.Values{qs[1].Field(): {"1"}}, "")
	s.post(bob, respond+"/questions/4", url.Values{qs[3].Field(): {"1"}}, "")
	if code, _, _ := s.post(bob, respond+"/submit", nil, ""); code != http.StatusSeeOther {
		t.Fatalf("Bob's submit: %d", code)
	}
	carol := s.client()
	s.post(carol, respond, nil, "")

	if code, body, _ := s.get(s.client(), page+"/responses"); code != http.StatusOK || strings.Contains(body, "Ann Example") {
		t.Errorf("responses published while open: %d", code)
	}
	if err := s.store.SetConsultationStatus(ctx, c.ID, consultation.Closed, 0); err != nil {
		t.Fatal(err)
	}
	code, body, _ = s.post(carol, respond+"/about", url.Values{"respondent": {"individual"}, "consent": {"no"}}, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusConflict || doc.Text("h1") != "This consultation has closed" || doc.Count(".govuk-warning-text") != 1 {
		t.Errorf("closed mid-journey: %d\n%s", code, body)
	}

	// Staff redact Ann's words before they are read publicly.
	if err := s.store.RedactResponse(ctx, list[0].ID, map[int64]string{qs[0].ID: "Bus lanes will halve my [redacted]."}, 0); err != nil {
		t.Fatal(err)
	}
	code, body, _ = s.get(s.client(), page+"/responses")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusOK || doc.Count(".govuk-summary-card") != 1 || doc.Text(".govuk-summary-card__title") != "Ann Example" {
		t.Fatalf("published responses: %d\n%s", code, body)
	}
	if !strings.Contains(body, "Bus lanes will halve my [redacted].") || strings.Contains(body, "halve my commute") ||
		strings.Contains(body, "Private thoughts") || !strings.Contains(doc.Text("main"), "Car") {
		t.Errorf("published response text:\n%s", doc.Text("main"))
	}
	// Anyone may report a published response to the moderators.
	if doc.Count(".govuk-summary-card__actions a[href='/report/response/"+itoa(list[0].ID)+"']") != 1 {
		t.Errorf("no report link on the published response")
	}
}

// TestRespondAllOnOne answers every question on one page; the errors say
// which question they are about, and without an address no email is sent.
func TestRespondAllOnOne(t *testing.T) {
	s := newSite(t, store.SQLite)
	c, qs := consultationFixture(t, s, consultation.AllOnOne, false)
	respond := "/consultations/" + itoa(c.ID) + "/respond"
	b := s.client()
	s.post(b, respond, nil, "")
	code, _, h := s.post(b, respond+"/about", url.Values{"respondent": {"organisation"}, "org_name": {"Cycling Club"},
		"consent": {"anonymous"}}, "")
	expectRedirect(t, "about", code, h, respond+"/questions")
	if code, _, h := s.get(b, respond+"/questions/2"); code != http.StatusSeeOther || h.Get("Location") != respond+"/questions" {
		t.Errorf("one-per-page URL on an all-on-one consultation: %d %s", code, h.Get("Location"))
	}
	code, body, _ := s.get(b, respond+"/questions")
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusOK || doc.Count("h1") != 1 || doc.Count("fieldset") != 3 || doc.Count("textarea") != 1 {
		t.Fatalf("all questions: %d\n%s", code, body)
	}
	code, body, _ = s.post(b, respond+"/questions", url.Values{qs[0].Field(): {"Cyclists need room too."}, qs[2].Field(): {"2"}}, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary li") != 2 ||
		!strings.HasPrefix(doc.Text(".govuk-error-summary a[href='#"+qs[1].Field()+"']"), "Question 2:") ||
		doc.Text("textarea#"+qs[0].Field()) != "Cyclists need room too." || doc.Count("input#"+qs[2].Field()+"-2[checked]") != 1 {
		t.Fatalf("missing answers: %d\n%s", code, body)
	}
	code, _, h = s.post(b, respond+"/questions", url.Values{qs[0].Field(): {"Cyclists need room too."}, qs[1].Field(): {"3"},
		qs[2].Field(): {"2"}, qs[3].Field(): {"5"}}, "")
	expectRedirect(t, "answers", code, h, respond+"/check")
	_, body, _ = s.get(b, respond+"/check")
	if !strings.Contains(htmlcheck.Parse(t, body).Text("main"), "On behalf of Cycling Club") {
		t.Errorf("check page:\n%s", body)
	}
	// Every page of the journey in both languages: one h1, no message IDs.
	for _, path := range []string{"/consultations/" + itoa(c.ID), respond + "/about", respond + "/questions", respond + "/check", respond + "/save"} {
		for _, lang := range []string{"en", "cy"} {
			code, body, _ := s.get(b, path+"?lang="+lang)
			doc := htmlcheck.Parse(t, body)
			if code != http.StatusOK || doc.Count("h1") != 1 || doc.Attr("html", "lang") != lang ||
				regexp.MustCompile(`>\s*[a-z_]+\.[a-z_.]+\s*<`).MatchString(body) {
				t.Errorf("%s (%s): %d, %d h1\n%s", path, lang, code, doc.Count("h1"), body)
			}
		}
	}
	before, _ := s.store.Outbox(ctx, 100)
	code, _, h = s.post(b, respond+"/submit", nil, "")
	expectRedirect(t, "submit", code, h, respond+"/done")
	if after, _ := s.store.Outbox(ctx, 100); len(after) != len(before) {
		t.Errorf("an email was sent without an address")
	}
	list, _ := s.store.Responses(ctx, c.ID, consultation.ResponseFilter{})
	if len(list) != 1 || list[0].OrgName != "Cycling Club" || list[0].Answer(qs[3].ID).Choices[0] != 4 {
		t.Errorf("stored: %+v", list)
	}
}

// TestConsultationLifecyclePages checks what the public sees at each
// status: drafts are not found, a closed consultation shows the 12-week
// response clock, an outcome shows "We asked, you said, we did".
func TestConsultationLifecyclePages(t *testing.T) {
	s := newSite(t, store.SQLite)
	draft, _ := consultationFixture(t, s, consultation.OnePerPage, true)
	for _, path := range []string{"", "/responses", "/respond/about"} {
		if code, _, _ := s.get(s.client(), "/consultations/"+itoa(draft.ID)+path); code != http.StatusNotFound {
			t.Errorf("draft%s: %d", path, code)
		}
	}
	if code, _, _ := s.post(s.client(), "/consultations/"+itoa(draft.ID)+"/respond", nil, ""); code != http.StatusNotFound {
		t.Errorf("responding to a draft: %d", code)
	}

	c, _ := consultationFixture(t, s, consultation.OnePerPage, false)
	page := "/consultations/" + itoa(c.ID)
	if err := s.store.SetConsultationStatus(ctx, c.ID, consultation.Closed, 0); err != nil {
		t.Fatal(err)
	}
	code, body, _ := s.get(s.client(), page)
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusOK || !strings.Contains(doc.Text("#clock"), "84 days left") || doc.Count("form[action='"+page+"/respond']") != 0 {
		t.Errorf("closed page: %d %q", code, doc.Text("#clock"))
	}
	if code, body, _ := s.post(s.client(), page+"/respond", nil, ""); code != http.StatusConflict || !strings.Contains(body, "This consultation has closed") {
		t.Errorf("starting after closing: %d", code)
	}

	err := s.store.PublishOutcome(ctx, c.ID, consultation.Result{SummaryEN: "Most people **agreed**.", DecisionEN: "We will build the bus lanes.",
		Items: []consultation.YouSaid{{SaidEN: "Buses are slow", DidEN: "We add bus lanes"}}},
		outbox.Event{TargetKind: "consultation", TargetID: c.ID, Subject: "Outcome", Body: "The outcome is published", URL: page}, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ = s.get(s.client(), page)
	doc = htmlcheck.Parse(t, body)
	if !strings.Contains(body, "<strong>agreed</strong>") || !strings.Contains(doc.Text("main"), "We will build the bus lanes.") ||
		doc.Text("table td") != "Buses are slow" || doc.Count("#clock") != 0 {
		t.Errorf("outcome page:\n%s", doc.Text("main"))
	}

	// The organisation's page and Atom feed list the public ones only.
	_, body, _ = s.get(s.client(), "/organisations/north-shire")
	if org := htmlcheck.Parse(t, body); org.Count("a[href='"+page+"']") != 1 || org.Count("a[href='/consultations/"+itoa(draft.ID)+"']") != 0 ||
		org.Count("a[href='/feeds/organisations/north-shire/consultations.atom']") != 1 {
		t.Errorf("organisation page:\n%s", org.Text("main"))
	}
	code, body, h := s.get(s.client(), "/feeds/organisations/north-shire/consultations.atom")
	var feed struct {
		Entries []struct {
			Title string `xml:"title"`
		} `xml:"entry"`
	}
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/atom+xml") || xml.Unmarshal([]byte(body), &feed) != nil || len(feed.Entries) != 1 {
		t.Errorf("feed: %d %s\n%s", code, h.Get("Content-Type"), body)
	}

	// Following needs an account; signed in, it subscribes.
	if code, _, h := s.post(s.client(), page+"/follow", nil, ""); code != http.StatusSeeOther || h.Get("Location") != "/sign-in" {
		t.Errorf("follow signed out: %d %s", code, h.Get("Location"))
	}
	fan := s.client()
	s.signIn(fan, "fan@example.org")
	if code, _, _ := s.post(fan, page+"/follow", nil, ""); code != http.StatusSeeOther {
		t.Errorf("follow: %d", code)
	}
	if _, body, _ := s.get(fan, page); htmlcheck.Parse(t, body).Count("form[action='"+page+"/unfollow']") != 1 {
		t.Errorf("no unfollow button after following")
	}
}

// TestConsultationDocuments serves a published document as a download and
// never a scanned response.
func TestConsultationDocuments(t *testing.T) {
	dir := t.TempDir()
	s := newSite(t, store.SQLite, func(o *web.Options) { o.DocumentDir = dir })
	c, _ := consultationFixture(t, s, consultation.OnePerPage, false)
	other, _ := consultationFixture(t, s, consultation.OnePerPage, false)
	pdf := []byte("%PDF-1.4 a proposal")
	if err := os.MkdirAll(filepath.Join(dir, "c"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "c", "1.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	add := func(cid int64, scan bool) consultation.Document {
		d, err := s.store.AddDocument(ctx, consultation.Document{ConsultationID: cid, Title: "The proposal", FileName: "bus \"lanes\".pdf",
			ContentType: "application/pdf", Size: int64(len(pdf)), Path: "c/1.pdf", Scan: scan}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	doc, scan, elsewhere := add(c.ID, false), add(c.ID, true), add(other.ID, false)
	page := "/consultations/" + itoa(c.ID)

	_, body, _ := s.get(s.client(), page)
	list := htmlcheck.Parse(t, body)
	if list.Attr("a[href='"+page+"/documents/"+itoa(doc.ID)+"']", "href") == "" || !strings.Contains(list.Text("main"), "PDF, 19 B") ||
		strings.Contains(body, "/documents/"+itoa(scan.ID)) {
		t.Errorf("documents list:\n%s", list.Text("main"))
	}
	code, body, h := s.get(s.client(), page+"/documents/"+itoa(doc.ID))
	if code != http.StatusOK || body != string(pdf) || h.Get("Content-Type") != "application/pdf" ||
		h.Get("Content-Disposition") != `attachment; filename="bus lanes.pdf"` || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download: %d %q %q %q", code, h.Get("Content-Type"), h.Get("Content-Disposition"), h.Get("X-Content-Type-Options"))
	}
	for _, id := range []int64{scan.ID, elsewhere.ID, 999999} {
		if code, _, _ := s.get(s.client(), page+"/documents/"+itoa(id)); code != http.StatusNotFound {
			t.Errorf("document %d: %d", id, code)
		}
	}
}
