package api

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// letter is a form letter a campaign asked people to send.
const letter = "I object to the closure of the Riverside library because it is the only place in the ward " +
	"where children can do homework after school, where older people can use a computer with help, and where " +
	"job seekers can print their applications for free. Please keep it open six days a week."

// TestConsultationAPI runs a consultation through the API: a refused then
// accepted creation, publishing, responses keyed in by batch (one refused,
// then all), search, the CSV export, the analysis with its campaign,
// closing and the outcome, with the refusals of other roles on the way.
func TestConsultationAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		doc := served(t, f.h)
		// conformTo checks a response body against the document's schema.
		conformTo := func(rec *httptest.ResponseRecorder, path, method string, status int) {
			t.Helper()
			resp := doc.Paths[path][method].Responses[fmt.Sprint(status)]
			var v any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Fatal(err)
			}
			for _, err := range conform(doc, resp.Content["application/json"].Schema, v, method+" "+path) {
				t.Error(err)
			}
		}
		o, _ := s.OrgBySlug(ctx, "north-shire")
		token := func(email string, role account.Role) string {
			t.Helper()
			u, err := s.AddStaff(ctx, o.ID, email, role, 0)
			if err != nil {
				t.Fatal(err)
			}
			plain, _, err := s.CreateAPIToken(ctx, u.ID, "t", time.Time{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			return plain
		}
		analyst := token("analyst@north-shire.example", account.RoleAnalyst)
		citizenUser, _ := s.EnsureUser(ctx, "citizen@example.org")
		citizen, _, _ := s.CreateAPIToken(ctx, citizenUser.ID, "mine", time.Time{}, 0)
		other := mustOrg(t, s, "elsewhere", "Elsewhere", "")
		ou, _ := s.AddStaff(ctx, other.ID, "officer@elsewhere.example", account.RoleAdmin, 0)
		otherToken, _, _ := s.CreateAPIToken(ctx, ou.ID, "x", time.Time{}, 0)

		const listPath = "/api/v1/consultations?organisation=north-shire"
		questions := func(third string) string {
			return `[
				{"kind": "multiple", "text": {"en": "How do you reach the library?"}, "options": [{"en": "Bus"}, {"en": "Car", "cy": "Car"}, {"en": "Bike"}]},
				{"kind": "scale", "text": {"en": "The library matters to me"}},
				` + third + `]`
		}
		create := func(qs string) string {
			return `{"organisation": "north-shire", "title": {"en": "Riverside library", "cy": "Llyfrgell Glan yr Afon"},
				"summary": {"en": "Should we keep Riverside library open?"}, "body": {"en": "We must save **£200,000**."},
				"layout": "all-on-one", "questions": ` + qs + `}`
		}
		// A bad question refuses the whole creation: nothing is left half made.
		bad := create(questions(`{"kind": "text", "text": {"en": ""}}, {"kind": "single", "text": {"en": "One?"}, "options": [{"en": "Only"}]}`))
		rec := f.send("POST", "/api/v1/consultations", f.token, bad)
		checkProblem(t, rec, http.StatusUnprocessableEntity, "/api/v1/consultations", "questions[2].text_en", "questions[3].options")
		if got := decode[list[consultationJSON]](t, f.get(listPath, f.token), http.StatusOK); len(got.Items) != 0 {
			t.Fatalf("a refused creation left %d consultations", len(got.Items))
		}
		good := create(questions(`{"kind": "text", "text": {"en": "Tell us more"}, "required": true, "max_length": 2000}`))
		for who, tok := range map[string]string{"analyst": analyst, "citizen": citizen} {
			if rec := f.send("POST", "/api/v1/consultations", tok, good); rec.Code != http.StatusForbidden {
				t.Errorf("%s creating: %d", who, rec.Code)
			}
		}
		rec = f.send("POST", "/api/v1/consultations", f.token, good)
		c := decode[consultationJSON](t, rec, http.StatusCreated)
		if c.Status != "draft" || c.Layout != "all-on-one" || len(c.Questions) != 3 || rec.Header().Get("Location") != c.Links.Self {
			t.Fatalf("created %+v, Location %q", c, rec.Header().Get("Location"))
		}
		if c.Documents == nil || len(c.Documents) != 0 {
			t.Errorf("documents %v, want []", c.Documents)
		}
		if q := c.Questions[1]; q.Kind != "scale" || len(q.Options) != 5 || q.Position != 2 {
			t.Errorf("scale question %+v", q)
		}
		conformTo(f.send("POST", "/api/v1/consultations", f.token, good), "/api/v1/consultations", "post", 201)
		path := fmt.Sprintf("/api/v1/consultations/%d", c.ID)
		textQ := c.Questions[2].ID

		// Drafts are the organisation's staff's only.
		for who, tok := range map[string]string{"other organisation": otherToken, "citizen": citizen} {
			if rec := f.get(path, tok); rec.Code != http.StatusNotFound {
				t.Errorf("%s reads a draft: %d", who, rec.Code)
			}
			if rec := f.send("POST", path+"/publish", tok, ""); rec.Code != http.StatusNotFound {
				t.Errorf("%s publishes a draft: %d", who, rec.Code)
			}
		}
		if c := decode[consultationJSON](t, f.send("PATCH", path, f.token, `{"title": {"en": "Riverside library's future"}, "closes_at": "2030-01-01T12:00:00Z"}`), http.StatusOK); c.Title.EN != "Riverside library's future" || c.Title.CY != "Llyfrgell Glan yr Afon" || c.ClosesAt != "2030-01-01T12:00:00Z" {
			t.Errorf("after PATCH: %+v", c)
		}
		if rec := f.send("PATCH", path, f.token, `{"layout": "sideways"}`); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("bad layout: %d", rec.Code)
		}
		checkProblem(t, f.send("PATCH", path, f.token, `{"scheduled": true}`), http.StatusUnprocessableEntity, path, "opens_at")
		if rec := f.send("PATCH", path, f.token, `{"title": {"en": "x"}, "status": "open"}`); rec.Code != http.StatusBadRequest {
			t.Errorf("status by PATCH: %d", rec.Code)
		}
		if rec := f.send("PATCH", path, analyst, `{"title": {"en": "x"}}`); rec.Code != http.StatusForbidden {
			t.Errorf("analyst updating: %d", rec.Code)
		}
		if c := decode[consultationJSON](t, f.send("POST", path+"/publish", f.token, "{}"), http.StatusOK); c.Status != "open" || c.OpenedAt == "" {
			t.Errorf("after publishing: %+v", c)
		}
		got := decode[consultationJSON](t, f.get(path, citizen), http.StatusOK)
		if got.Status != "open" || len(got.Questions) != 3 {
			t.Errorf("citizen reads %+v", got)
		}
		conformTo(f.get(path, f.token), "/api/v1/consultations/{id}", "get", 200)
		if p := checkProblem(t, f.send("POST", path+"/publish", f.token, ""), http.StatusConflict, path+"/publish"); !strings.Contains(p.Detail, "draft → open") {
			t.Errorf("publishing twice: %q", p.Detail)
		}

		// Responses keyed in: a batch with one bad response stores nothing.
		resp := func(channel, text string, choices string) string {
			return fmt.Sprintf(`{"channel": %q, "received_at": "2026-03-02", "respondent": "individual",
				"answers": [{"position": 1, "choices": %s}, {"position": 2, "choices": [3]}, {"question": %d, "text": %q}]}`,
				channel, choices, textQ, text)
		}
		batch := func(rs ...string) string { return `{"responses": [` + strings.Join(rs, ",") + `]}` }
		rec = f.send("POST", path+"/responses", f.token, batch(resp("post", "Keep it open.", `["Bus"]`), resp("email", "Close it.", `["Train"]`),
			resp("post", "", `[0]`)))
		checkProblem(t, rec, http.StatusUnprocessableEntity, path+"/responses", "responses[1].answers[0].choices", "responses[2].q"+fmt.Sprint(textQ))
		if got := decode[list[responseJSON]](t, f.get(path+"/responses", f.token), http.StatusOK); len(got.Items) != 0 {
			t.Fatalf("a refused batch stored %d responses", len(got.Items))
		}
		var rs []string
		for i := range 8 {
			rs = append(rs, resp("post", letter+fmt.Sprintf(" Signed, resident number %d.", i), `["Bus", "bike"]`))
		}
		rs = append(rs,
			resp("email", "The opening hours should be longer on Saturdays, and the hospital outreach van should stop here.", `[1]`),
			resp("event", "Parking near the building is impossible during the market.", `["Car"]`),
			resp("phone", "My grandson learnt to read there; closing it would be a great loss to the whole town.", `["Bike"]`))
		if got := decode[responsesCreated](t, f.send("POST", path+"/responses", f.token, batch(rs...)), http.StatusCreated); got.Imported != 11 {
			t.Errorf("imported %d", got.Imported)
		}
		one := `{"channel": "face_to_face", "received_at": "2026-03-03T10:00:00Z", "respondent": "organisation", "org_name": "Friends of Riverside",
			"email": "friends@example.org", "hear_back": true, "consent": "named", "age_band": "45-54",
			"answers": [{"position": 1, "choices": ["Bus"]}, {"position": 3, "text": "=SUM(A1) is what we think of the budget."}]}`
		rec = f.send("POST", path+"/responses", f.token, one)
		created := decode[responsesCreated](t, rec, http.StatusCreated)
		if created.Imported != 1 || created.Response == nil || created.Response.OrgName != "Friends of Riverside" || len(created.Response.Answers) != 2 ||
			created.Response.AgeBand != "45-54" {
			t.Errorf("created %+v", created)
		}
		if rec := f.send("POST", path+"/responses", f.token, `{"channel": "post", "received_at": "2026-03-03", "age_band": "40s", "answers": [{"position": 3, "text": "x"}]}`); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "age_band") {
			t.Errorf("an unknown age band: %d %s", rec.Code, rec.Body)
		}
		if rec := f.send("POST", path+"/responses", f.token, `{"channel": "web", "received_at": "2026-03-03", "answers": [{"position": 3, "text": "x"}]}`); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("a web response keyed in: %d", rec.Code)
		}
		checkProblem(t, f.send("POST", path+"/responses", f.token, `{"channel": "phone", "received_at": "2026-03-03",
			"answers": [{"question": 999999, "text": "x"}, {"position": 3, "question": 1}, {"position": 1, "text": "Bus"}]}`),
			http.StatusUnprocessableEntity, path+"/responses", "answers[0].question", "answers[1]", "answers[2].text", "q"+fmt.Sprint(textQ))
		if rec := f.send("POST", path+"/responses", analyst, one); rec.Code != http.StatusForbidden {
			t.Errorf("analyst keying in: %d", rec.Code)
		}

		// Lists: pages, filters and search.
		page := decode[list[responseJSON]](t, f.get(path+"/responses?limit=5", f.token), http.StatusOK)
		if len(page.Items) != 5 || page.NextCursor == "" {
			t.Fatalf("first page: %d items, cursor %q", len(page.Items), page.NextCursor)
		}
		seen := len(page.Items)
		for page.NextCursor != "" {
			page = decode[list[responseJSON]](t, f.get(path+"/responses?limit=5&cursor="+page.NextCursor, f.token), http.StatusOK)
			seen += len(page.Items)
		}
		if seen != 12 {
			t.Errorf("pages held %d responses", seen)
		}
		conformTo(f.get(path+"/responses", f.token), "/api/v1/consultations/{id}/responses", "get", 200)
		if got := decode[list[responseJSON]](t, f.get(path+"/responses?channel=post", f.token), http.StatusOK); len(got.Items) != 8 {
			t.Errorf("channel=post: %d", len(got.Items))
		}
		if got := decode[list[responseJSON]](t, f.get(path+"/responses?respondent=organisation", f.token), http.StatusOK); len(got.Items) != 1 {
			t.Errorf("respondent=organisation: %d", len(got.Items))
		}
		found := decode[list[responseJSON]](t, f.get(path+"/responses?q=hospital", f.token), http.StatusOK)
		if len(found.Items) != 1 || found.Items[0].Channel != "email" {
			t.Errorf("search: %+v", found.Items)
		}
		if rec := f.get(path+"/responses?channel=pigeon", f.token); rec.Code != http.StatusBadRequest {
			t.Errorf("unknown channel: %d", rec.Code)
		}
		for who, tok := range map[string]string{"other organisation": otherToken, "citizen": citizen} {
			for _, p := range []string{"/responses", "/responses.csv", "/analysis"} {
				if rec := f.get(path+p, tok); rec.Code != http.StatusForbidden {
					t.Errorf("%s reads %s: %d", who, p, rec.Code)
				}
			}
		}

		// The CSV export reads back: one row per response, one column per question.
		rec = f.get(path+"/responses.csv", analyst)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("export: %d %q", rec.Code, rec.Header().Get("Content-Type"))
		}
		rows, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 13 || strings.Join(rows[0], ",") != "id,submitted,channel,received,respondent,name,organisation,email,reference,consent,hear_back,age_band,q1,q2,q3" {
			t.Fatalf("export: %d rows, header %v", len(rows), rows[0])
		}
		if r := rows[1]; r[2] != "post" || r[11] != "" || r[12] != "Bus|Bike" || r[13] != "Agree" || !strings.HasPrefix(r[14], "I object") {
			t.Errorf("first row %q", r)
		}
		if r := rows[12]; r[6] != "Friends of Riverside" || r[10] != "yes" || r[11] != "45-54" || r[14] != "'=SUM(A1) is what we think of the budget." {
			t.Errorf("last row %q", r)
		}

		// The analysis finds the campaign and counts every channel.
		an := decode[analysisJSON](t, f.get(path+"/analysis", analyst), http.StatusOK)
		if an.Figures.Responses != 12 || len(an.Figures.Questions) != 3 || an.Figures.Questions[0].Options[0].Count != 9 {
			t.Errorf("figures %+v", an.Figures)
		}
		if len(an.Campaigns) != 1 || an.Campaigns[0].Size != 8 || an.Campaigns[0].Added == 0 {
			t.Errorf("campaigns %+v", an.Campaigns)
		}
		conformTo(f.get(path+"/analysis", analyst), "/api/v1/consultations/{id}/analysis", "get", 200)
		if got := decode[analysisJSON](t, f.get(path+"/analysis?channel=email", analyst), http.StatusOK); got.Figures.Responses != 1 || got.Figures.Channel != "email" {
			t.Errorf("email figures %+v", got.Figures)
		}

		// Closing, then the outcome.
		if rec := f.send("POST", path+"/outcome", f.token, `{"summary": {"en": "Most want it open."}, "decision": {"en": "It stays open."}}`); rec.Code != http.StatusConflict {
			t.Errorf("outcome while open: %d %s", rec.Code, rec.Body)
		}
		if c := decode[consultationJSON](t, f.send("POST", path+"/close", f.token, ""), http.StatusOK); c.Status != "closed" || c.Clock == nil || c.Clock.DaysLeft < 80 {
			t.Errorf("after closing: %+v", c)
		}
		rec = f.send("POST", path+"/outcome", f.token, `{"summary": {"en": "Most want it open."}, "decision": {"en": ""}}`)
		checkProblem(t, rec, http.StatusUnprocessableEntity, path+"/outcome", "decision_en")
		c = decode[consultationJSON](t, f.send("POST", path+"/outcome", f.token, `{"summary": {"en": "Most want it open."}, "decision": {"en": "It stays open."},
			"items": [{"said": {"en": "Open on Saturdays"}, "did": {"en": "We will open until 5pm on Saturdays"}}]}`), http.StatusOK)
		if c.Status != "outcome" || c.Outcome == nil || c.Outcome.Decision.EN != "It stays open." || len(c.Outcome.Items) != 1 {
			t.Errorf("after the outcome: %+v", c)
		}
		conformTo(f.get(path, citizen), "/api/v1/consultations/{id}", "get", 200)
		ls := decode[list[consultationJSON]](t, f.get(listPath, citizen), http.StatusOK)
		// The second consultation, made for the schema check, is a draft.
		if len(ls.Items) != 1 || ls.Items[0].ID != c.ID {
			t.Errorf("citizen's list: %+v", ls.Items)
		}
		if ls := decode[list[consultationJSON]](t, f.get(listPath, f.token), http.StatusOK); len(ls.Items) != 2 {
			t.Errorf("staff list: %d", len(ls.Items))
		}
		conformTo(f.get(listPath, f.token), "/api/v1/consultations", "get", 200)
	})
}
