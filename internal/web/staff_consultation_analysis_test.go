package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/consultation"
	"parley/internal/outbox"
	"parley/internal/store"
	"parley/internal/web/htmlcheck"
)

// TestConsultationAnalysis runs an analyst through a closed consultation's
// responses from three channels: the figures with and without a filter, a
// form-letter campaign put in a theme, themes accepted, renamed, merged and
// filled by search, and the outcome published.
func TestConsultationAnalysis(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { consultationAnalysis(t, d) })
	}
}

// The campaign's template, sent six times by email: four add words of
// their own, one of them about parking, which a search for parking finds
// along with the four letters by post.
const campaignTemplate = "I am writing to oppose the plan to close the Riverside library. The library is a lifeline for " +
	"older people, for children after school and for everyone looking for work who has no computer at home. Closing it would " +
	"save very little money and cost the town a great deal. Please keep the Riverside library open with its present hours."

var campaignAdded = []string{"", "", "My grandmother goes there every week.", "Parking near it is already hard enough.",
	"The children's reading group meets on Saturdays.", "It is the only warm place for many in winter."}

// The letters by post and the calls by phone: each its own words.
var postTexts = []string{
	"Parking charges in the centre are far too high for shoppers and drive people to the retail park outside the town.",
	"We need more parking spaces near the station for commuters who now leave their cars in residential streets.",
	"Free parking on Sundays would bring families back to the market and help the small traders survive.",
	"The new parking meters do not take coins and many older residents have no smartphone to pay with an app.",
}

var phoneTexts = []string{
	"The buses stop running too early in the evening so people cannot get home from late shifts at the hospital.",
	"Bus fares have risen again and the number nine route to the villages has been cut to twice a day.",
}

func consultationAnalysis(t *testing.T, d store.Dialect) {
	s := newSite(t, d)
	s.store.AddStaff(ctx, s.org.ID, "analyst@x.example", account.RoleAnalyst, 0)
	s.store.AddStaff(ctx, s.org.ID, "editor@x.example", account.RoleEditor, 0)
	c, qs := analysisFixture(t, s)
	base := "/staff/north-shire/consultations/" + itoa(c.ID)

	analyst := s.client()
	s.signIn(analyst, "analyst@x.example")

	// The figures: 12 responses, 6 by email, 4 by post, 2 by phone.
	code, body, _ := s.get(analyst, base+"/analysis")
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusOK {
		t.Fatalf("analysis: %d\n%s", code, body)
	}
	if got := doc.Text("#responses-count"); got != "Responses: 12" {
		t.Errorf("count %q", got)
	}
	// A chart of channels and one per choice question, each with a title,
	// a description and its table.
	if n := doc.Count("svg[role=img]"); n != 3 {
		t.Errorf("%d charts, want 3", n)
	}
	if doc.Count("svg[role=img] > title") != 3 || doc.Count("svg[role=img] > desc") != 3 {
		t.Error("a chart has no title or desc")
	}
	if got := doc.Text("#chart-q" + itoa(qs[0].ID) + "-desc"); !strings.Contains(got, "Yes: 8, that is 66.7%.") || !strings.Contains(got, "No: 4, that is 33.3%.") {
		t.Errorf("chart description %q", got)
	}
	if got := figureRow(doc, "question-"+itoa(qs[0].ID), "Yes"); got != "8 66.7%" {
		t.Errorf("Yes row %q", got)
	}
	if got := doc.Text("#question-" + itoa(qs[1].ID)); !strings.Contains(got, "Average: 2.83 on a scale of 1 to 5.") {
		t.Errorf("scale mean missing: %q", got)
	}
	if got := doc.Text("main"); !strings.Contains(got, "Responses in campaigns: 6, in 1 campaigns.") {
		t.Errorf("campaign note missing: %q", got)
	}
	if doc.Attr("form[role=search]", "action") != base+"/responses" || doc.Count("form[role=search] input[name=q]") != 1 {
		t.Error("no search box going to the responses list")
	}

	// In Welsh too.
	_, body, _ = s.get(analyst, base+"/analysis?lang=cy")
	if doc := htmlcheck.Parse(t, body); doc.Text("h1") != "Dadansoddi" || doc.Text("#responses-count") != "Ymatebion: 12" {
		t.Errorf("Welsh page: %q %q", doc.Text("h1"), doc.Text("#responses-count"))
	}
	// Filtered to post: the 4 letters, all answering No.
	_, body, _ = s.get(analyst, base+"/analysis?channel=post&respondent=&lang=en")
	doc = htmlcheck.Parse(t, body)
	if got := doc.Text("#responses-count"); got != "Responses: 4 of 12" {
		t.Errorf("filtered count %q", got)
	}
	if got := figureRow(doc, "question-"+itoa(qs[0].ID), "No"); got != "4 100.0%" {
		t.Errorf("filtered No row %q", got)
	}
	if doc.Attr("#channel option[selected]", "value") != "post" {
		t.Error("the filter does not keep its choice")
	}
	// Organisations only: the one phone call from a residents' association.
	_, body, _ = s.get(analyst, base+"/analysis?respondent=organisation")
	if got := htmlcheck.Parse(t, body).Text("#responses-count"); got != "Responses: 1 of 12" {
		t.Errorf("organisations %q", got)
	}

	// Candidate themes: accept the first with a name of our own.
	_, body, _ = s.get(analyst, base+"/themes")
	doc = htmlcheck.Parse(t, body)
	if doc.Count("form[action$='/themes/accept']") == 0 {
		t.Fatalf("no candidate themes proposed:\n%s", doc.Text("main"))
	}
	idx := doc.Attr("form[action$='/themes/accept'] input[name=candidate]", "value")
	version := doc.Attr("form[action$='/themes/accept'] input[name=version]", "value")
	size := doc.Text("#candidate-" + idx + "-heading .govuk-caption-m")
	code, _, _ = s.post(analyst, base+"/themes/accept", url.Values{"candidate": {idx}, "version": {version}, "name": {"Buses"}}, "")
	if code != http.StatusSeeOther {
		t.Fatalf("accept: %d", code)
	}
	buses := themeNamed(t, s, c.ID, "Buses")
	if want := "Responses: " + strconv.Itoa(buses.Count); buses.Count == 0 || size != want {
		t.Errorf("accepted theme has %d responses; the proposal said %q", buses.Count, size)
	}
	_, body, _ = s.get(analyst, base+"/themes")
	doc = htmlcheck.Parse(t, body)
	if doc.Count("#candidate-"+idx) != 0 {
		t.Error("the accepted proposal is still proposed")
	}
	if doc.Attr("#theme-"+itoa(buses.ID)+" a[href*='?theme=']", "href") != base+"/responses?theme="+itoa(buses.ID) {
		t.Error("no link to the theme's responses")
	}

	// The campaign: 6 letters, its template, what each added.
	_, body, _ = s.get(analyst, base+"/analysis/campaigns")
	doc = htmlcheck.Parse(t, body)
	if got := doc.Text("#campaigns-summary"); got != "6 responses in 1 campaigns, out of 12 responses." {
		t.Errorf("campaigns summary %q", got)
	}
	if got := doc.Text("main section h2"); got != "Campaign 1: 6 responses" {
		t.Errorf("campaign heading %q", got)
	}
	if got := doc.Text("main section .govuk-inset-text"); !strings.Contains(got, "Riverside library") {
		t.Errorf("template %q", got)
	}
	if got := doc.Text("main section"); !strings.Contains(got, "Responses that added words of their own: 4 of 6") ||
		!strings.Contains(got, "My grandmother goes there every week") {
		t.Errorf("added words missing: %q", got)
	}
	if doc.Count("main section tbody tr") != 6 || !strings.HasPrefix(doc.Attr("main section tbody a", "href"), base+"/responses/") {
		t.Errorf("members: %d rows", doc.Count("main section tbody tr"))
	}
	key := doc.Attr("main section input[name=campaign]", "value")
	code, _, _ = s.post(analyst, base+"/analysis/campaigns/theme", url.Values{"campaign": {key}, "theme": {"new"}, "name": {"Keep the library"}}, "")
	if code != http.StatusSeeOther {
		t.Fatalf("campaign to theme: %d", code)
	}
	library := themeNamed(t, s, c.ID, "Keep the library")
	if library.Count != 6 {
		t.Errorf("campaign theme has %d responses", library.Count)
	}

	// A name too long is refused beside its campaign.
	code, body, _ = s.post(analyst, base+"/analysis/campaigns/theme", url.Values{"campaign": {key}, "theme": {"new"}, "name": {strings.Repeat("x", 200)}}, "")
	if code != http.StatusUnprocessableEntity || htmlcheck.Parse(t, body).Count(".govuk-error-summary a[href='#name-"+key+"']") != 1 {
		t.Errorf("long name: %d", code)
	}

	// Assign by search: the four letters about parking and the letter that
	// added a word about it.
	code, _, _ = s.post(analyst, base+"/themes/assign", url.Values{"q": {"parking"}, "theme": {"new"}, "name": {"Parking"}}, "")
	if code != http.StatusSeeOther {
		t.Fatalf("assign by search: %d", code)
	}
	parking := themeNamed(t, s, c.ID, "Parking")
	if parking.Count != 5 {
		t.Errorf("parking theme has %d responses, want 5", parking.Count)
	}
	code, body, _ = s.post(analyst, base+"/themes/assign", url.Values{"q": {"zeppelin"}, "theme": {"new"}, "name": {"Nothing"}}, "")
	if code != http.StatusUnprocessableEntity || htmlcheck.Parse(t, body).Count("#q-error") != 1 {
		t.Errorf("search finding nothing: %d", code)
	}

	// Rename, then merge: one response is in both, and counts once.
	code, body, _ = s.post(analyst, base+"/themes/"+itoa(parking.ID)+"/rename", url.Values{"name": {" "}}, "")
	if doc := htmlcheck.Parse(t, body); code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#name-"+itoa(parking.ID)+"']") != 1 ||
		doc.Count("#name-"+itoa(parking.ID)+"-error") != 1 {
		t.Errorf("empty name: %d", code)
	}
	code, _, _ = s.post(analyst, base+"/themes/"+itoa(parking.ID)+"/rename", url.Values{"name": {"Parking in the centre"},
		"description": {"Charges, spaces and meters"}}, "")
	if code != http.StatusSeeOther {
		t.Fatalf("rename: %d", code)
	}
	if got, _ := s.store.Theme(ctx, parking.ID); got.Name != "Parking in the centre" || got.Description != "Charges, spaces and meters" {
		t.Errorf("renamed to %q %q", got.Name, got.Description)
	}
	code, _, _ = s.post(analyst, base+"/themes/"+itoa(library.ID)+"/merge", url.Values{"from": {itoa(parking.ID)}}, "")
	if code != http.StatusSeeOther {
		t.Fatalf("merge: %d", code)
	}
	if got, _ := s.store.Theme(ctx, library.ID); got.Count != 10 {
		t.Errorf("merged theme has %d responses, want 10", got.Count)
	}
	if _, err := s.store.Theme(ctx, parking.ID); err == nil {
		t.Error("the merged theme still exists")
	}

	// One by one: the response page's form sets a response's themes.
	rs, _ := s.store.Responses(ctx, c.ID, consultation.ResponseFilter{})
	first := rs[0].ID
	code, _, h := s.post(analyst, base+"/responses/"+itoa(first)+"/themes", url.Values{"theme": {itoa(buses.ID)}}, "")
	if code != http.StatusSeeOther || h.Get("Location") != base+"/responses/"+itoa(first)+"#themes" {
		t.Fatalf("response themes: %d %s", code, h.Get("Location"))
	}
	got, _ := s.store.ResponseThemes(ctx, c.ID)
	if len(got[first]) != 1 || got[first][0] != buses.ID {
		t.Errorf("response %d has themes %v, want only %d", first, got[first], buses.ID)
	}

	// An analyst may not publish the outcome.
	if code, _, _ := s.get(analyst, base+"/outcome"); code != http.StatusForbidden {
		t.Errorf("analyst outcome page: %d", code)
	}
	editor := s.client()
	s.signIn(editor, "editor@x.example")
	// Not before the consultation closes.
	_, body, _ = s.get(editor, base+"/outcome")
	if htmlcheck.Parse(t, body).Count("#not-closed") != 1 {
		t.Error("the outcome form is offered while open")
	}
	if err := s.store.SetConsultationStatus(ctx, c.ID, consultation.Closed, 0); err != nil {
		t.Fatal(err)
	}
	_, body, _ = s.get(editor, base+"/outcome")
	doc = htmlcheck.Parse(t, body)
	if got := doc.Text("#summary_en"); !strings.Contains(got, "We received 12 responses: 6 by email (50.0%); 4 by post (33.3%); 2 by phone (16.7%).") ||
		!strings.Contains(got, "6 responses came from 1 organised campaigns") {
		t.Errorf("generated summary %q", got)
	}
	if got := doc.Text("#summary_cy"); !strings.Contains(got, "Cawsom 12 o ymatebion") {
		t.Errorf("generated Welsh summary %q", got)
	}
	if doc.Count("textarea[name^=said_en_]") != 5 {
		t.Errorf("%d blank items", doc.Count("textarea[name^=said_en_]"))
	}
	form := url.Values{"summary_en": {doc.Text("#summary_en")}, "summary_cy": {doc.Text("#summary_cy")},
		"said_en_1": {"Keep the library open"}, "did_en_1": {"The library stays open"}, "theme_1": {itoa(library.ID)},
		"said_en_2": {""}, "did_en_2": {""}, "theme_2": {""}}
	code, body, _ = s.post(editor, base+"/outcome", form, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#decision_en']") != 1 || doc.Text("#said_en_1") != "Keep the library open" {
		t.Fatalf("outcome without a decision: %d", code)
	}
	form.Set("decision_en", "We will keep the Riverside library open.")
	if code, _, _ = s.post(editor, base+"/outcome", form, ""); code != http.StatusSeeOther {
		t.Fatalf("publish: %d", code)
	}
	after, _ := s.store.Consultation(ctx, c.ID)
	if after.Status != consultation.Outcome || len(after.Result.Items) != 1 || after.Result.Items[0].ThemeID != library.ID ||
		after.Result.DecisionEN != "We will keep the Riverside library open." {
		t.Errorf("after publishing: %s %+v", after.Status, after.Result)
	}
	if j, _ := s.store.JobsByKind(ctx, consultation.OutcomeKind, 10); len(j) != 1 {
		t.Errorf("%d outcome jobs", len(j))
	}
	if j, _ := s.store.JobsByKind(ctx, outbox.FanOutJobKind, 10); len(j) != 1 {
		t.Errorf("%d fan-out jobs (the event for followers)", len(j))
	}
	_, body, _ = s.get(editor, base+"/outcome")
	if !strings.Contains(htmlcheck.Parse(t, body).Text("main"), "The outcome has been published.") {
		t.Error("the outcome page does not say it is published")
	}
}

// analysisFixture makes an open consultation with three questions and 12
// responses: 6 campaign letters by email (Yes, Agree), 4 letters by post
// (No, Strongly disagree) and 2 phone calls (Yes, Neither), one from an
// organisation.
func analysisFixture(t *testing.T, s *site) (consultation.Consultation, []consultation.Question) {
	t.Helper()
	c, err := s.store.CreateConsultation(ctx, consultation.Consultation{OrgID: s.org.ID, TitleEN: "Libraries and town centre",
		SummaryEN: "How should the town centre change?"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var qs []consultation.Question
	for _, q := range []consultation.Question{
		{ConsultationID: c.ID, Kind: consultation.Single, TextEN: "Do you use the library?", Options: []consultation.Option{{EN: "Yes", CY: "Ydw"}, {EN: "No", CY: "Nac ydw"}}},
		{ConsultationID: c.ID, Kind: consultation.Scale, TextEN: "The plan is right", Options: consultation.DefaultScale},
		{ConsultationID: c.ID, Kind: consultation.FreeText, TextEN: "Tell us more"},
	} {
		q, err := s.store.AddQuestion(ctx, q, 0)
		if err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
	}
	if err := s.store.SetConsultationStatus(ctx, c.ID, consultation.Open, 0); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	answers := func(choice, scale int, text string) []consultation.Answer {
		return []consultation.Answer{{QuestionID: qs[0].ID, Choices: []int{choice}}, {QuestionID: qs[1].ID, Choices: []int{scale}},
			{QuestionID: qs[2].ID, Text: text}}
	}
	var batch []consultation.Response
	for i, added := range campaignAdded {
		text := campaignTemplate
		if added != "" {
			text += " " + added
		}
		batch = append(batch, consultation.Response{Channel: consultation.ChannelEmail, Respondent: consultation.Individual,
			Name: "Writer " + strconv.Itoa(i), ReceivedAt: at, Answers: answers(0, 3, text)})
	}
	for _, text := range postTexts {
		batch = append(batch, consultation.Response{Channel: consultation.ChannelPost, Respondent: consultation.Individual,
			ReceivedAt: at, Answers: answers(1, 0, text)})
	}
	if n, err := s.store.ImportResponses(ctx, c.ID, batch, 0); err != nil || n != len(batch) {
		t.Fatalf("import: %d %v", n, err)
	}
	for i, text := range phoneTexts {
		r := consultation.Response{ConsultationID: c.ID, Channel: consultation.ChannelPhone, Respondent: consultation.Individual,
			ReceivedAt: at, Answers: answers(0, 2, text)}
		if i == 1 {
			r.Respondent, r.OrgName = consultation.Organisation, "Villages Residents' Association"
		}
		if _, err := s.store.KeyInResponse(ctx, r, 0); err != nil {
			t.Fatal(err)
		}
	}
	return c, qs
}

// figureRow returns the count and share in a question's table row whose
// header is label, as "count share".
func figureRow(doc *htmlcheck.Doc, section, label string) string {
	for _, tr := range doc.All("#" + section + " tbody tr") {
		text := strings.Join(strings.Fields(htmlcheck.TextOf(tr)), " ")
		if rest, ok := strings.CutPrefix(text, label+" "); ok {
			return rest
		}
	}
	return ""
}

var spaces = regexp.MustCompile(`\s+`)

// themeNamed finds a consultation's theme by name.
func themeNamed(t *testing.T, s *site, consultationID int64, name string) consultation.Theme {
	t.Helper()
	themes, err := s.store.Themes(ctx, consultationID)
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range themes {
		if spaces.ReplaceAllString(th.Name, " ") == name {
			return th
		}
	}
	t.Fatalf("no theme %q among %+v", name, themes)
	return consultation.Theme{}
}
