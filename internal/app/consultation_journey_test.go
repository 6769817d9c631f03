package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/mail/smtptest"
	"parley/internal/store/storetest"
)

// TestConsultationJourney is the end-to-end test of issue 3: a consultation
// created and opened through the API, answered through the HTML forms (with
// validation errors on the way), a postal response keyed in by an editor
// signed in by email link, a form-letter campaign sent to the API in a batch,
// closed, its campaign found, themes made and assigned, the outcome
// published, and the respondent told by email over real SMTP. It runs on
// SQLite, and on PostgreSQL when PARLEY_TEST_DATABASE_URL is set.
func TestConsultationJourney(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { consultationJourney(t) })
	t.Run("postgres", func(t *testing.T) { consultationJourney(t, "--database-url", storetest.PostgresURL(t)) })
}

// The campaign's form letter; each copy is edited a little and some add a
// sentence of their own.
const journeyLetter = "Dear Council, I am writing to object to the plan to close Riverside library. " +
	"The library is the only place in the ward where children can do homework in peace, where older people " +
	"can use a computer with help, and where job seekers can print their applications for free. Closing it " +
	"would save very little money and cost the community a great deal. Please find the savings elsewhere " +
	"and keep the library open with its current staff and opening hours. Yours faithfully"

const (
	journeyOrg        = "riverside"
	journeyEditor     = "editor@riverside.example"
	journeyCitizen    = "rhiannon@example.org"
	journeyWebText    = "My children walk there after school. Saturday opening matters most to us, please keep it."
	journeyPostText   = "I work all week, so Saturday is the only day I can visit. Please do not cut those hours."
	journeyDecisionEN = "Riverside library stays open. We will find the savings by sharing the building with the advice centre."
)

func consultationJourney(t *testing.T, dbArgs ...string) {
	ctx := context.Background()
	smtp := smtptest.Start(t)
	// The server's address is known before the app is opened, so that the
	// links in emails point at it.
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	args := append([]string{"--base-url", base, "--page-cache", "0", "--smtp-host", smtp.Host(), "--smtp-port", strconv.Itoa(smtp.Port()),
		"--smtp-tls", "none", "--smtp-from", "parley@test.example"}, dbArgs...)
	a := openApp(t, args...)
	srv.Config.Handler = a.Handler()
	srv.Start()
	defer srv.Close()
	runJobs := func() {
		t.Helper()
		if _, err := a.Runner.RunDue(ctx); err != nil {
			t.Fatalf("jobs: %v", err)
		}
	}

	// An organisation with an editor, who has an API token.
	ad := Admin{Store: a.Store}
	if _, err := ad.CreateOrg(ctx, journeyOrg, "Riverside Council", "Cyngor Glan yr Afon", "neutral"); err != nil {
		t.Fatal(err)
	}
	if _, err := ad.CreateUser(ctx, journeyEditor, journeyOrg, "editor", false); err != nil {
		t.Fatal(err)
	}
	token, _, err := ad.Token(ctx, journeyEditor, "journey", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	api := newJourneyClient(t, base)
	api.token = token

	// 1. Create the consultation through the API, with a single-choice, a
	// scale and a free-text question, and open it.
	var k journeyConsultation
	resp := api.api("POST", "/api/v1/consultations", map[string]any{
		"organisation": journeyOrg,
		"title":        map[string]string{"en": "Riverside library", "cy": "Llyfrgell Glan yr Afon"},
		"summary":      map[string]string{"en": "Should we keep Riverside library open?"},
		"body":         map[string]string{"en": "We must save **£200,000** next year."},
		"layout":       "one-per-page",
		"closes_at":    time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339),
		"questions": []map[string]any{
			{"kind": "single", "text": map[string]string{"en": "How often do you use the library?"}, "required": true,
				"options": []map[string]string{{"en": "Every week"}, {"en": "Every month"}, {"en": "Rarely"}}},
			{"kind": "scale", "text": map[string]string{"en": "The library matters to me"}},
			{"kind": "text", "text": map[string]string{"en": "Tell us more"}, "help": map[string]string{"en": "Up to 2,000 characters"}, "max_length": 2000},
		},
	}, &k)
	resp.want(http.StatusCreated)
	if loc := resp.header.Get("Location"); loc != k.Links.Self || k.Links.Self != base+"/api/v1/consultations/"+strconv.FormatInt(k.ID, 10) {
		t.Errorf("Location %q, self %q", loc, k.Links.Self)
	}
	if k.Status != "draft" || len(k.Questions) != 3 || k.Responses != 0 {
		t.Fatalf("created %+v", k)
	}
	single, scale, free := k.Questions[0], k.Questions[1], k.Questions[2]
	if single.Kind != "single" || scale.Kind != "scale" || free.Kind != "text" || len(scale.Options) != 5 || !single.Required || free.MaxLength != 2000 {
		t.Fatalf("questions %+v", k.Questions)
	}
	cpath := "/consultations/" + strconv.FormatInt(k.ID, 10)
	staffPath := "/staff/" + journeyOrg + cpath
	apiPath := "/api/v1" + cpath

	citizen := newJourneyClient(t, base)
	citizen.get(cpath).want(http.StatusNotFound) // a draft is not public
	api.api("POST", apiPath+"/publish", nil, &k).want(http.StatusOK)
	if k.Status != "open" || k.OpenedAt == "" {
		t.Fatalf("published %+v", k)
	}

	// 2. A citizen responds through the HTML forms.
	page := citizen.get(cpath).want(http.StatusOK)
	page.contains(`action="` + cpath + `/respond"`)
	citizen.post(cpath+"/respond", nil).redirect(cpath + "/respond/about")
	citizen.get(cpath + "/respond/about").want(http.StatusOK).contains(`name="hear_back"`)
	about := url.Values{"respondent": {"individual"}, "name": {"Rhiannon Jones"}, "email": {""}, "consent": {"anonymous"}, "hear_back": {"yes"}}
	citizen.post(cpath+"/respond/about", about).want(http.StatusUnprocessableEntity).
		contains("govuk-error-summary", `href="#email"`, "Enter an email address so we can tell you the outcome")
	about.Set("email", journeyCitizen)
	citizen.post(cpath+"/respond/about", about).redirect(cpath + "/respond/questions/1")

	q1 := cpath + "/respond/questions/1"
	citizen.get(q1).want(http.StatusOK).contains("How often do you use the library?", `name="`+journeyName(single)+`"`)
	citizen.post(q1, url.Values{}).want(http.StatusUnprocessableEntity).contains("govuk-error-summary", "Answer this question")
	citizen.post(q1, url.Values{journeyName(single): {"4"}}).want(http.StatusUnprocessableEntity).contains("Choose one of the options given")
	citizen.post(q1, url.Values{journeyName(single): {"1"}}).redirect(cpath + "/respond/questions/2") // 1-based: Every week
	citizen.get(cpath+"/respond/questions/2").want(http.StatusOK).contains("The library matters to me", "Strongly agree")
	citizen.post(cpath+"/respond/questions/2", url.Values{journeyName(scale): {"5"}}).redirect(cpath + "/respond/questions/3")
	citizen.post(cpath+"/respond/questions/3", url.Values{journeyName(free): {strings.Repeat("x", 2001)}}).
		want(http.StatusUnprocessableEntity).contains("Your answer is too long")
	citizen.post(cpath+"/respond/questions/3", url.Values{journeyName(free): {journeyWebText}}).redirect(cpath + "/respond/check")
	citizen.get(cpath+"/respond/check").want(http.StatusOK).
		contains("Every week", "Strongly agree", html.EscapeString(journeyWebText), journeyCitizen, "Rhiannon Jones")
	citizen.post(cpath+"/respond/submit", nil).redirect(cpath + "/respond/done")
	done := citizen.get(cpath + "/respond/done").want(http.StatusOK)
	done.contains("Response sent")
	// Going back to the form after sending does not start it again.
	citizen.get(cpath + "/respond/check").redirect(cpath)

	// The receipt, with a copy of the answers, goes out over SMTP.
	runJobs()
	msgs := smtp.WaitFor(t, 1, 5*time.Second)
	receipt := journeyMail(t, msgs, journeyCitizen, "Your response to Riverside library")
	for _, want := range []string{"Every week", "Strongly agree", journeyWebText, base + cpath} {
		if !strings.Contains(receipt, want) {
			t.Errorf("receipt lacks %q:\n%s", want, receipt)
		}
	}

	// 3. The editor signs in by email link and keys in a postal response,
	// with the scanned letter.
	editor := newJourneyClient(t, base)
	editor.post("/sign-in", url.Values{"email": {journeyEditor}}).redirect("/sign-in/check-email")
	runJobs()
	msgs = smtp.WaitFor(t, 2, 5*time.Second)
	link := regexp.MustCompile(`/sign-in/link/([A-Za-z0-9_\-]+)`).FindStringSubmatch(journeyMail(t, msgs, journeyEditor, "sign in"))
	if link == nil {
		t.Fatal("no sign-in link in the editor's email")
	}
	editor.get(link[0]).want(http.StatusOK)
	editor.post(link[0], nil).want(http.StatusSeeOther)
	editor.get(staffPath+"/responses/new").want(http.StatusOK).contains(`enctype="multipart/form-data"`, `name="scan"`)
	received := time.Now().UTC().AddDate(0, 0, -2)
	letter := []journeyField{
		{"channel", "post"},
		{"received_at-day", strconv.Itoa(received.Day())}, {"received_at-month", strconv.Itoa(int(received.Month()))},
		{"received_at-year", strconv.Itoa(received.Year())},
		{"respondent", "individual"}, {"name", "Gareth Post"}, {"email", "gareth@example.org"}, {"consent", "no"},
		{"reference", "Letter 1"},
		{journeyName(single), "0"}, // the staff form numbers options from 0: Every week
		{journeyName(scale), "3"},  // Agree
		{journeyName(free), journeyPostText},
	}
	// A missing choice is refused, and nothing is saved.
	editor.multipart(staffPath+"/responses/new", letter[:len(letter)-3], "", nil).want(http.StatusUnprocessableEntity).
		contains("govuk-error-summary", "Answer this question")
	r := editor.multipart(staffPath+"/responses/new", letter, "letter-1.pdf", []byte("%PDF-1.4\n% a scanned letter\n%%EOF\n"))
	r.want(http.StatusSeeOther)
	if !strings.HasPrefix(r.location, staffPath+"/responses/new?") || !strings.Contains(r.location, "channel=post") {
		t.Errorf("after keying in: %q", r.location)
	}
	editor.get(r.location).want(http.StatusOK).contains("saved. Enter the next one below.")

	// A campaign of form letters arrives by email, keyed in by the API.
	var batch []map[string]any
	const letters = 6
	for i := range letters {
		text := strings.Replace(journeyLetter, "Dear Council", []string{"Dear Council", "Dear Sir or Madam", "To the council"}[i%3], 1)
		if i%2 == 1 {
			text += fmt.Sprintf(" I have used the library for %d years.", 10+i)
		}
		rsp := map[string]any{"channel": "email", "received_at": received.Format("2006-01-02"), "respondent": "individual",
			"email": fmt.Sprintf("writer%d@example.org", i), "reference": fmt.Sprintf("Email %d", i+1),
			"answers": []map[string]any{{"position": 1, "choices": []string{"Every week"}}, {"position": 3, "text": text}}}
		if i == 2 {
			// The web respondent also sent the letter and asked to hear back:
			// they are told once.
			rsp["email"], rsp["hear_back"] = strings.ToUpper(journeyCitizen[:1])+journeyCitizen[1:], true
		}
		batch = append(batch, rsp)
	}
	// A bad letter stores none of the batch.
	bad := append(append([]map[string]any{}, batch...), map[string]any{"channel": "web", "received_at": received.Format("2006-01-02")})
	var problem struct {
		Errors map[string]string `json:"errors"`
	}
	api.api("POST", apiPath+"/responses", map[string]any{"responses": bad}, &problem).want(http.StatusUnprocessableEntity)
	if _, ok := problem.Errors["responses[6].channel"]; !ok {
		t.Errorf("batch errors %v", problem.Errors)
	}
	var imported struct {
		Imported int `json:"imported"`
	}
	api.api("POST", apiPath+"/responses", map[string]any{"responses": batch}, &imported).want(http.StatusCreated)
	if imported.Imported != letters {
		t.Fatalf("imported %d", imported.Imported)
	}
	var list struct {
		Items []struct {
			ID      int64  `json:"id"`
			Channel string `json:"channel"`
			ScanID  int64  `json:"scan_id"`
		} `json:"items"`
	}
	api.api("GET", apiPath+"/responses?limit=100", nil, &list).want(http.StatusOK)
	channels := map[string]int{}
	var postID, webID int64
	for _, x := range list.Items {
		channels[x.Channel]++
		switch x.Channel {
		case "post":
			postID = x.ID
			if x.ScanID == 0 {
				t.Error("the postal response lost its scan")
			}
		case "web":
			webID = x.ID
		}
	}
	if len(list.Items) != 2+letters || channels["web"] != 1 || channels["post"] != 1 || channels["email"] != letters {
		t.Fatalf("responses by channel %v", channels)
	}

	// 4. Close it: the 12-week clock starts, and nobody can respond now.
	api.api("POST", apiPath+"/close", nil, &k).want(http.StatusOK)
	if k.Status != "closed" || k.Responses != 2+letters || k.Clock == nil || k.Clock.DaysLeft != 84 {
		t.Fatalf("closed %+v clock %+v", k, k.Clock)
	}
	late := newJourneyClient(t, base)
	late.get(cpath).want(http.StatusOK).contains("This consultation has closed", "84 days left")
	late.post(cpath+"/respond", nil).want(http.StatusConflict)

	// The analysis finds the campaign, and counts every channel.
	var an journeyAnalysis
	api.api("GET", apiPath+"/analysis", nil, &an).want(http.StatusOK)
	byChannel := map[string]int{}
	for _, c := range an.Figures.ByChannel {
		byChannel[c.Key] = c.Count
	}
	if an.Figures.Responses != 2+letters || byChannel["web"] != 1 || byChannel["post"] != 1 || byChannel["email"] != letters || len(byChannel) != 3 {
		t.Errorf("figures: %d responses, by channel %v", an.Figures.Responses, byChannel)
	}
	for _, q := range an.Figures.Questions {
		switch q.QuestionID {
		case single.ID:
			if q.Answered != 2+letters || q.Options[0].Count != 2+letters || q.Options[0].Percent != 100 {
				t.Errorf("single-choice figures %+v", q)
			}
		case scale.ID:
			if q.Answered != 2 || q.Options[3].Count != 1 || q.Options[4].Count != 1 || q.Mean != 4.5 {
				t.Errorf("scale figures %+v", q)
			}
		}
	}
	var emailOnly journeyAnalysis
	api.api("GET", apiPath+"/analysis?channel=email", nil, &emailOnly).want(http.StatusOK)
	if emailOnly.Figures.Responses != letters {
		t.Errorf("email figures: %d responses", emailOnly.Figures.Responses)
	}
	if len(an.Campaigns) != 1 || an.Campaigns[0].Size != letters || len(an.Campaigns[0].Members) != letters ||
		!strings.Contains(an.Campaigns[0].Template, "object to the plan to close Riverside library") {
		t.Fatalf("campaigns %+v", an.Campaigns)
	}
	campaign := an.Campaigns[0]
	added := 0
	for _, m := range campaign.Members {
		if m.ResponseID == postID || m.ResponseID == webID {
			t.Errorf("response %d is not a form letter", m.ResponseID)
		}
		if strings.Contains(m.Added, "years") {
			added++
		}
	}
	// Three letters added a sentence; unless it is the template, each keeps it.
	if added < letters/2-1 {
		t.Errorf("%d members keep what they added: %+v", added, campaign.Members)
	}
	editor.get(staffPath + "/analysis").want(http.StatusOK)
	editor.get(staffPath+"/analysis/campaigns").want(http.StatusOK).
		contains(fmt.Sprintf("Campaign 1: %d responses", letters), fmt.Sprintf("%d responses in 1 campaigns, out of %d responses.", letters, 2+letters))

	// The campaign becomes a theme from its page; a second theme is made on
	// the themes page and filled by searching the free text.
	editor.post(staffPath+"/analysis/campaigns/theme", url.Values{"campaign": {strconv.FormatInt(campaign.TemplateID, 10)},
		"theme": {"new"}, "name": {"Keep the library open (campaign)"}}).want(http.StatusSeeOther)
	editor.get(staffPath + "/themes").want(http.StatusOK)
	editor.post(staffPath+"/themes", url.Values{"name": {""}}).want(http.StatusUnprocessableEntity).contains("govuk-error-summary")
	editor.post(staffPath+"/themes", url.Values{"name": {"Saturday opening"}, "description": {"Asks to keep the weekend hours"}}).
		redirect(staffPath + "/themes#themes")
	api.api("GET", apiPath+"/analysis", nil, &an).want(http.StatusOK)
	themes := map[string]journeyTheme{}
	for _, th := range an.Themes {
		themes[th.Name] = th
	}
	saturday, campaignTheme := themes["Saturday opening"], themes["Keep the library open (campaign)"]
	if len(an.Themes) != 2 || saturday.ID == 0 || saturday.Count != 0 || campaignTheme.Count != letters {
		t.Fatalf("themes %+v", an.Themes)
	}
	editor.post(staffPath+"/themes/assign", url.Values{"q": {"nothingmatchesthis"}, "theme": {strconv.FormatInt(saturday.ID, 10)}}).
		want(http.StatusUnprocessableEntity)
	editor.post(staffPath+"/themes/assign", url.Values{"q": {"Saturday"}, "theme": {strconv.FormatInt(saturday.ID, 10)}}).
		redirect(staffPath + "/themes#themes")
	editor.get(staffPath+"/themes").want(http.StatusOK).contains("Saturday opening", "Responses: 2", fmt.Sprintf("Responses: %d", letters))
	api.api("GET", apiPath+"/analysis", nil, &an).want(http.StatusOK)
	for _, th := range an.Themes {
		if th.Name != "Saturday opening" {
			continue
		}
		quoted := map[int64]bool{}
		for _, q := range th.Quotes {
			quoted[q.ResponseID] = true
		}
		if th.Count != 2 || !quoted[webID] || !quoted[postID] {
			t.Errorf("Saturday theme %+v (web %d, post %d)", th, webID, postID)
		}
	}
	var inTheme struct {
		Items []struct {
			ID       int64   `json:"id"`
			ThemeIDs []int64 `json:"theme_ids"`
		} `json:"items"`
	}
	api.api("GET", apiPath+"/responses?q=Saturday", nil, &inTheme).want(http.StatusOK)
	if len(inTheme.Items) != 2 {
		t.Errorf("search finds %d responses", len(inTheme.Items))
	}
	for _, x := range inTheme.Items {
		if len(x.ThemeIDs) != 1 || x.ThemeIDs[0] != saturday.ID {
			t.Errorf("response %d themes %v", x.ID, x.ThemeIDs)
		}
	}

	// 5. Publish the outcome from the staff page, keeping the summary it
	// drafts from the figures.
	form := editor.get(staffPath + "/outcome").want(http.StatusOK)
	summary := journeyTextarea(t, form.body, "summary_en")
	for _, want := range []string{fmt.Sprintf("We received %d responses", 2+letters), "1 online", "1 by post", fmt.Sprintf("%d by email", letters),
		fmt.Sprintf("%d responses came from 1 organised campaigns", letters), "Saturday opening (2)"} {
		if !strings.Contains(summary, want) {
			t.Errorf("drafted summary lacks %q:\n%s", want, summary)
		}
	}
	outcome := url.Values{"summary_en": {summary}, "summary_cy": {""}, "decision_en": {journeyDecisionEN}, "decision_cy": {""},
		"said_en_1": {"Keep it open on Saturdays"}, "did_en_1": {"Saturday hours stay as they are"}, "said_cy_1": {""}, "did_cy_1": {""},
		"theme_1":   {strconv.FormatInt(saturday.ID, 10)},
		"said_en_2": {""}, "did_en_2": {""}, "said_cy_2": {""}, "did_cy_2": {""}, "theme_2": {""}}
	editor.post(staffPath+"/outcome", url.Values{"summary_en": {summary}, "decision_en": {""}, "said_en_1": {""}}).
		want(http.StatusUnprocessableEntity).contains("govuk-error-summary")
	editor.post(staffPath+"/outcome", outcome).redirect(staffPath + "/outcome")
	k = journeyConsultation{} // decoded afresh: the clock is absent now
	api.api("GET", apiPath, nil, &k).want(http.StatusOK)
	if k.Status != "outcome" || k.Outcome == nil || k.Outcome.Decision.EN != journeyDecisionEN || len(k.Outcome.Items) != 1 ||
		k.Outcome.Items[0].ThemeID != saturday.ID || k.Clock != nil {
		t.Fatalf("after the outcome %+v", k)
	}
	late.get(cpath).want(http.StatusOK).contains("We asked, you said, we did", "Keep it open on Saturdays", html.EscapeString(journeyDecisionEN))

	// The jobs email everyone who asked to hear back, once per address.
	runJobs()
	smtp.WaitFor(t, 3, 5*time.Second)
	time.Sleep(100 * time.Millisecond) // anything more would have come by now
	msgs = smtp.Messages()
	if len(msgs) != 3 {
		for _, m := range msgs {
			t.Logf("to %v: %s", m.To, m.Subject())
		}
		t.Fatalf("%d emails sent, want a receipt, a sign-in link and one outcome", len(msgs))
	}
	told := journeyMail(t, msgs, journeyCitizen, "Outcome published: Riverside library")
	for _, want := range []string{base + cpath, journeyDecisionEN, fmt.Sprintf("We received %d responses", 2+letters)} {
		if !strings.Contains(told, want) {
			t.Errorf("outcome email lacks %q:\n%s", want, told)
		}
	}
	journeyMail(t, msgs, journeyCitizen, "Your response to Riverside library") // the receipt, still there
	sent, err := a.Store.Outbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, m := range sent {
		kinds[m.Kind]++
		if m.SentAt.IsZero() {
			t.Errorf("%s email to %s not sent: %s", m.Kind, m.To, m.LastError)
		}
	}
	if len(sent) != 3 || kinds["consultation-receipt"] != 1 || kinds["consultation-outcome"] != 1 || kinds["sign-in"] != 1 {
		t.Errorf("outbox %v", kinds)
	}
	// Running the jobs again tells nobody twice.
	runJobs()
	if n := len(smtp.Messages()); n != 3 {
		t.Errorf("%d emails after running the jobs again", n)
	}
}

// journeyMail returns the text of the one message to the address whose
// subject contains subject.
func journeyMail(t *testing.T, msgs []smtptest.Message, to, subject string) string {
	t.Helper()
	var found []string
	for _, m := range msgs {
		if len(m.To) == 1 && strings.EqualFold(m.To[0], to) && strings.Contains(m.Subject(), subject) {
			body, err := m.Text()
			if err != nil {
				t.Fatal(err)
			}
			found = append(found, body)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d emails to %s about %q", len(found), to, subject)
	}
	return found[0]
}

func journeyName(q journeyQuestion) string { return "q" + strconv.FormatInt(q.ID, 10) }

// journeyTextarea returns the unescaped text of the named textarea of a page.
func journeyTextarea(t *testing.T, page, name string) string {
	t.Helper()
	m := regexp.MustCompile(`<textarea[^>]* name="` + regexp.QuoteMeta(name) + `"[^>]*>([^<]*)</textarea>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no textarea %s", name)
	}
	return strings.TrimPrefix(html.UnescapeString(m[1]), "\n")
}

type journeyText struct {
	EN string `json:"en"`
	CY string `json:"cy"`
}

type journeyQuestion struct {
	ID        int64         `json:"id"`
	Kind      string        `json:"kind"`
	Required  bool          `json:"required"`
	MaxLength int           `json:"max_length"`
	Options   []journeyText `json:"options"`
}

type journeyConsultation struct {
	ID        int64             `json:"id"`
	Status    string            `json:"status"`
	OpenedAt  string            `json:"opened_at"`
	Responses int               `json:"responses"`
	Questions []journeyQuestion `json:"questions"`
	Clock     *struct {
		DaysLeft int `json:"days_left"`
	} `json:"response_clock"`
	Outcome *struct {
		Decision journeyText `json:"decision"`
		Items    []struct {
			ThemeID int64 `json:"theme_id"`
		} `json:"items"`
	} `json:"outcome"`
	Links struct {
		Self string `json:"self"`
	} `json:"links"`
}

type journeyCount struct {
	Key     string  `json:"key"`
	Count   int     `json:"count"`
	Percent float64 `json:"percent"`
}

type journeyTheme struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Count  int    `json:"count"`
	Quotes []struct {
		ResponseID int64 `json:"response_id"`
	} `json:"quotes"`
}

type journeyAnalysis struct {
	Figures struct {
		Responses int            `json:"responses"`
		ByChannel []journeyCount `json:"by_channel"`
		Questions []struct {
			QuestionID int64          `json:"question_id"`
			Answered   int            `json:"answered"`
			Mean       float64        `json:"mean"`
			Options    []journeyCount `json:"options"`
		} `json:"questions"`
	} `json:"figures"`
	Campaigns []struct {
		Size       int    `json:"size"`
		Template   string `json:"template"`
		TemplateID int64  `json:"template_response_id"`
		Members    []struct {
			ResponseID int64  `json:"response_id"`
			Added      string `json:"added"`
		} `json:"members"`
	} `json:"campaigns"`
	Themes []journeyTheme `json:"themes"`
}

// journeyClient is a browser without JavaScript (cookies, no automatic
// redirects, an Origin on every POST) or, with a token, an API client.
type journeyClient struct {
	t     *testing.T
	base  string
	c     *http.Client
	token string
}

func newJourneyClient(t *testing.T, base string) *journeyClient {
	return newJourneyClientFrom(t, base, "")
}

// newJourneyClientFrom is a client whose requests come from a loopback
// address of its own (127.0.0.0/8), as different people's would, so that
// the per-address rate limits see them apart; "" is the default address.
func newJourneyClientFrom(t *testing.T, base, ip string) *journeyClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if ip != "" {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
		tr.DialContext = d.DialContext
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &journeyClient{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type journeyField struct{ name, value string }

// journeyResponse is what came back, with the request for messages.
type journeyResponse struct {
	t        *testing.T
	req      string
	status   int
	body     string
	location string
	header   http.Header
}

func (c *journeyClient) do(req *http.Request) journeyResponse {
	c.t.Helper()
	if req.Method == http.MethodPost {
		req.Header.Set("Origin", c.base)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return journeyResponse{t: c.t, req: req.Method + " " + req.URL.RequestURI(), status: resp.StatusCode, body: string(b),
		location: resp.Header.Get("Location"), header: resp.Header}
}

func (c *journeyClient) get(path string) journeyResponse {
	c.t.Helper()
	req, err := http.NewRequest("GET", c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

func (c *journeyClient) post(path string, form url.Values) journeyResponse {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// multipart posts a form as multipart/form-data, with a file in "scan"
// when fileName is given.
func (c *journeyClient) multipart(path string, fields []journeyField, fileName string, file []byte) journeyResponse {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range fields {
		if err := mw.WriteField(f.name, f.value); err != nil {
			c.t.Fatal(err)
		}
	}
	if fileName != "" {
		fw, err := mw.CreateFormFile("scan", fileName)
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(file)
	}
	if err := mw.Close(); err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest("POST", c.base+path, &b)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// api sends in as JSON (nothing when nil) and decodes the answer into out.
func (c *journeyClient) api(method, path string, in, out any) journeyResponse {
	c.t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			c.t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	r := c.do(req)
	if out != nil && strings.HasPrefix(r.header.Get("Content-Type"), "application/") {
		if err := json.Unmarshal([]byte(r.body), out); err != nil {
			c.t.Fatalf("%s: %v in %s", r.req, err, r.body)
		}
	}
	return r
}

func (r journeyResponse) want(status int) journeyResponse {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("%s: status %d, want %d (location %q)\n%s", r.req, r.status, status, r.location, clipBody(r.body))
	}
	return r
}

// redirect checks the response is 303 See Other to the path.
func (r journeyResponse) redirect(path string) journeyResponse {
	r.t.Helper()
	r.want(http.StatusSeeOther)
	if r.location != path {
		r.t.Fatalf("%s: redirected to %q, want %q", r.req, r.location, path)
	}
	return r
}

func (r journeyResponse) contains(parts ...string) journeyResponse {
	r.t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.body, p) {
			r.t.Errorf("%s: page lacks %q\n%s", r.req, p, clipBody(r.body))
		}
	}
	return r
}

// clipBody keeps a page's main content, short enough to read in a failure.
func clipBody(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 4000 {
		return s[:4000] + "…"
	}
	return s
}
