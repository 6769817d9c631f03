package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"parley/internal/account"
	"parley/internal/consultation"
	"parley/internal/store"
	"parley/internal/web"
	"parley/internal/web/htmlcheck"
)

// file is a file in a multipart form.
type file struct{ name, content string }

// upload posts a multipart form as a browser would.
func (s *site) upload(c *http.Client, path string, fields url.Values, files map[string]file) (int, string, http.Header) {
	s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for field, f := range files {
		w, _ := mw.CreateFormFile(field, f.name)
		w.Write([]byte(f.content))
	}
	mw.Close()
	req, _ := http.NewRequest("POST", s.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", s.srv.URL)
	resp, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// TestStaffConsultationAuthoringAndOfflineResponses runs the staff side of
// a consultation through the HTML forms: create (with a mistake first),
// questions of every kind, documents (refusing what is not one), open,
// key in a postal response with its scan, import a CSV batch (a bad file
// first), search and export.
func TestStaffConsultationAuthoringAndOfflineResponses(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { staffConsultationJourney(t, d) })
	}
}

func staffConsultationJourney(t *testing.T, d store.Dialect) {
	docs := t.TempDir()
	s := newSite(t, d, func(o *web.Options) { o.DocumentDir = docs })
	staff := s.client()
	if _, err := s.store.AddStaff(ctx, s.org.ID, "editor@x.example", account.RoleEditor, 0); err != nil {
		t.Fatal(err)
	}
	s.signIn(staff, "editor@x.example")

	// Create: a missing summary and an impossible date come back with the
	// GOV.UK error pattern and what was typed.
	form := url.Values{"title_en": {"Bus lanes"}, "title_cy": {"Lonydd bysiau"}, "summary_en": {""}, "body_en": {"## Why\n\nBuses are late."},
		"layout": {"one-per-page"}, "opens_at-day": {"31"}, "opens_at-month": {"2"}, "opens_at-year": {"2030"}}
	code, body, _ := s.post(staff, "/staff/north-shire/consultations", form, "")
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#summary_en']") != 1 ||
		doc.Count(".govuk-error-summary a[href='#opens_at']") != 1 || doc.Attr("#title_en", "value") != "Bus lanes" ||
		doc.Count("#opens_at-error") != 1 || doc.Attr("#opens_at", "value") != "31" {
		t.Fatalf("invalid create: %d\n%s", code, body)
	}
	form.Set("summary_en", "Should the high street have a bus lane?")
	form.Set("opens_at-day", "28")
	code, _, h := s.post(staff, "/staff/north-shire/consultations", form, "")
	if code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/staff/north-shire/consultations/") {
		t.Fatalf("create: %d %s", code, h.Get("Location"))
	}
	manage := h.Get("Location")
	id, _ := strconv.ParseInt(manage[strings.LastIndex(manage, "/")+1:], 10, 64)
	c, err := s.store.Consultation(ctx, id)
	if err != nil || c.Status != consultation.Draft || c.TitleCY != "Lonydd bysiau" || c.OpensAt.Day() != 28 {
		t.Fatalf("created: %+v %v", c, err)
	}
	// The list shows it.
	if code, body, _ := s.get(staff, "/staff/north-shire/consultations"); code != http.StatusOK || !strings.Contains(body, manage) {
		t.Errorf("list: %d", code)
	}

	// Questions of all four kinds; a choice question with one option is refused.
	code, body, _ = s.post(staff, manage+"/questions", url.Values{"kind": {"single"}, "text_en": {"Do you take the bus?"}, "options": {"Yes"}}, "")
	if code != http.StatusUnprocessableEntity || htmlcheck.Parse(t, body).Count(".govuk-error-summary a[href='#options']") != 1 {
		t.Fatalf("one option: %d\n%s", code, body)
	}
	for _, q := range []url.Values{
		{"kind": {"text"}, "text_en": {"What would you change?"}, "text_cy": {"Beth fyddech chi'n ei newid?"}, "required": {"yes"}, "max_length": {"500"}},
		{"kind": {"single"}, "text_en": {"Do you take the bus?"}, "options": {"Yes | Ydw\nNo | Na\n"}},
		{"kind": {"multiple"}, "text_en": {"When do you travel?"}, "options": {"Morning\nAfternoon\nEvening"}},
		{"kind": {"scale"}, "text_en": {"A bus lane is a good idea"}},
	} {
		if code, body, _ := s.post(staff, manage+"/questions", q, ""); code != http.StatusSeeOther {
			t.Fatalf("add %s question: %d\n%s", q.Get("kind"), code, body)
		}
	}
	qs, err := s.store.Questions(ctx, id)
	if err != nil || len(qs) != 4 || qs[0].MaxLength != 500 || !qs[0].Required || qs[1].Options[0].CY != "Ydw" ||
		len(qs[2].Options) != 3 || len(qs[3].Options) != len(consultation.DefaultScale) {
		t.Fatalf("questions: %+v %v", qs, err)
	}
	// Move the scale up one, and back.
	if code, _, _ := s.post(staff, manage+"/questions/"+itoa(qs[3].ID)+"/move", url.Values{"direction": {"up"}}, ""); code != http.StatusSeeOther {
		t.Errorf("move: %d", code)
	}
	if moved, _ := s.store.Questions(ctx, id); len(moved) != 4 || moved[2].ID != qs[3].ID {
		t.Errorf("after move: %+v", moved)
	}
	s.post(staff, manage+"/questions/"+itoa(qs[3].ID)+"/move", url.Values{"direction": {"down"}}, "")

	// Documents: a real PDF is kept under a random name; an .exe and a PDF
	// that is not one are refused.
	pdf := "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
	code, body, _ = s.upload(staff, manage+"/documents", url.Values{"doc_title": {"Full proposal"}}, map[string]file{"document": {"proposal.pdf", pdf}})
	if code != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", code, body)
	}
	for _, f := range []file{{"setup.exe", "MZ\x90\x00"}, {"fake.pdf", "MZ\x90\x00 not a pdf"}} {
		code, body, _ := s.upload(staff, manage+"/documents", url.Values{"doc_title": {"Bad"}}, map[string]file{"document": f})
		if code != http.StatusUnprocessableEntity || htmlcheck.Parse(t, body).Count(".govuk-error-summary a[href='#document']") != 1 {
			t.Errorf("%s accepted: %d", f.name, code)
		}
	}
	ds, err := s.store.Documents(ctx, id)
	if err != nil || len(ds) != 1 || ds[0].Title != "Full proposal" || ds[0].ContentType != "application/pdf" || strings.Contains(ds[0].Path, "proposal") {
		t.Fatalf("documents: %+v %v", ds, err)
	}
	if b, err := os.ReadFile(filepath.Join(docs, ds[0].Path)); err != nil || string(b) != pdf {
		t.Errorf("stored file: %v", err)
	}
	code, body, h = s.get(staff, manage+"/documents/"+itoa(ds[0].ID))
	if code != http.StatusOK || body != pdf || !strings.Contains(h.Get("Content-Disposition"), "proposal.pdf") {
		t.Errorf("download: %d %q", code, h.Get("Content-Disposition"))
	}

	// The preview shows the draft and every question, read-only.
	code, body, _ = s.get(staff, manage+"/preview")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusOK || doc.Count(".govuk-notification-banner") != 1 || doc.Count("textarea[disabled]") != 1 ||
		doc.Count("input[type=radio][disabled]") != 2+len(consultation.DefaultScale) || doc.Count("input[type=checkbox][disabled]") != 3 ||
		doc.Count(".parley-markdown h3") != 1 {
		t.Errorf("preview: %d\n%s", code, body)
	}

	// Open: the questions lock.
	if code, _, _ := s.post(staff, manage+"/status", url.Values{"status": {"open"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("open: %d", code)
	}
	_, body, _ = s.get(staff, manage)
	if doc := htmlcheck.Parse(t, body); doc.Count("form[action$='/questions']") != 0 || doc.Count(".govuk-inset-text") == 0 {
		t.Errorf("questions not locked once open")
	}

	// Key in a postal response: first without the date received or the
	// required answer, then properly with its scan.
	keyIn := manage + "/responses/new"
	answers := url.Values{"channel": {"post"}, "respondent": {"individual"}, "name": {"Ann Jones"}, "consent": {"anonymous"},
		qs[1].Field(): {"0"}, qs[2].Field(): {"0", "2"}, qs[3].Field(): {"4"}}
	code, body, _ = s.upload(staff, keyIn, answers, nil)
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#received_at']") != 1 ||
		doc.Count(".govuk-error-summary a[href='#"+qs[0].Field()+"']") != 1 || doc.Attr("#name", "value") != "Ann Jones" ||
		doc.Count("input[name='"+qs[2].Field()+"'][checked]") != 2 {
		t.Fatalf("invalid key-in: %d\n%s", code, body)
	}
	answers.Set("received_at-day", "3")
	answers.Set("received_at-month", "1")
	answers.Set("received_at-year", "2026")
	answers.Set(qs[0].Field(), "Move the bus stop by the library closer to the station.")
	answers.Set("email", "ann@example.org")
	answers.Set("hear_back", "yes")
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
	code, body, h = s.upload(staff, keyIn, answers, map[string]file{"scan": {"letter.png", png}})
	if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "channel=post") {
		t.Fatalf("key in: %d %s\n%s", code, h.Get("Location"), body)
	}
	_, body, _ = s.get(staff, h.Get("Location"))
	doc = htmlcheck.Parse(t, body)
	if doc.Count(".govuk-notification-banner--success") != 1 || doc.Count("#channel-2[checked]") != 1 || doc.Attr("#received_at", "value") != "3" {
		t.Errorf("next key-in form: %s", doc.Text(".govuk-notification-banner"))
	}
	rs, err := s.store.Responses(ctx, id, consultation.ResponseFilter{})
	if err != nil || len(rs) != 1 || rs[0].Channel != consultation.ChannelPost || rs[0].ScanID == 0 || !rs[0].HearBack || rs[0].ReceivedAt.Day() != 3 {
		t.Fatalf("keyed in: %+v %v", rs, err)
	}
	code, body, _ = s.get(staff, manage+"/scans/"+itoa(rs[0].ScanID))
	if code != http.StatusOK || body != png {
		t.Errorf("scan: %d", code)
	}
	// The response page shows it all.
	code, body, _ = s.get(staff, manage+"/responses/"+itoa(rs[0].ID))
	if code != http.StatusOK || !strings.Contains(body, "ann@example.org") || !strings.Contains(body, "Evening") || !strings.Contains(body, "/scans/") {
		t.Errorf("response page: %d\n%s", code, body)
	}

	// CSV import: a file with a bad row imports nothing and says where.
	bad := "channel,received,name,q1,q2\nemail,2026-01-04,Bob,Fewer cars,yes\nevent,04/13/2026,Cy,More buses,maybe\n"
	code, body, _ = s.upload(staff, manage+"/responses/import", nil, map[string]file{"file": {"batch.csv", bad}})
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary") != 1 || !strings.Contains(doc.Text("#problems"), "received") ||
		!strings.Contains(doc.Text("#problems"), "q2") || !strings.Contains(doc.Text("#problems tbody td"), "3") {
		t.Fatalf("bad import: %d\n%s", code, body)
	}
	if rs, _ := s.store.Responses(ctx, id, consultation.ResponseFilter{}); len(rs) != 1 {
		t.Fatalf("a bad file imported %d responses", len(rs)-1)
	}
	good := "channel,received,name,q1,q2,q3\nemail,2026-01-04,Bob,Fewer cars on the high street,yes,Morning|Evening\n" +
		"event,2026-01-05,Cy,More buses please,no,\nphone,2026-01-06,,Keep the parking,2,Afternoon\n"
	code, _, h = s.upload(staff, manage+"/responses/import", nil, map[string]file{"file": {"batch.csv", good}})
	if code != http.StatusSeeOther {
		t.Fatalf("import: %d", code)
	}
	_, body, _ = s.get(staff, h.Get("Location"))
	if !strings.Contains(htmlcheck.Parse(t, body).Text(".govuk-notification-banner"), "3") {
		t.Errorf("no count after import")
	}
	if rs, _ := s.store.Responses(ctx, id, consultation.ResponseFilter{}); len(rs) != 4 {
		t.Fatalf("imported: %d responses", len(rs))
	}
	// The template has the header the import reads.
	code, body, _ = s.get(staff, manage+"/responses/import/template.csv")
	if code != http.StatusOK || !strings.HasPrefix(body, "channel,received,") || !strings.Contains(body, ",q4") {
		t.Errorf("template: %d %q", code, body)
	}

	// Search and filters.
	_, body, _ = s.get(staff, manage+"/responses?q=buses")
	doc = htmlcheck.Parse(t, body)
	if doc.Count("tbody tr") != 1 || !strings.Contains(doc.Text("tbody"), "Cy") {
		t.Errorf("search: %d rows\n%s", doc.Count("tbody tr"), doc.Text("tbody"))
	}
	_, body, _ = s.get(staff, manage+"/responses?channel=post")
	if doc := htmlcheck.Parse(t, body); doc.Count("tbody tr") != 1 || !strings.Contains(doc.Text("tbody"), "Ann Jones") {
		t.Errorf("channel filter: %d rows", doc.Count("tbody tr"))
	}

	// Export: every response, email included, one column per question.
	code, body, h = s.get(staff, manage+"/responses.csv")
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s", code, h.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 5 {
		t.Fatalf("export rows: %d %v", len(rows), err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	if rows[1][col["email"]] != "ann@example.org" || rows[1][col["channel"]] != "post" || rows[1][col["q3"]] != "Morning|Evening" ||
		rows[1][col["q4"]] != "Strongly agree" || rows[2][col["q3"]] != "Morning|Evening" {
		t.Errorf("export: %v", rows)
	}
	code, body, _ = s.get(staff, manage+"/responses.json")
	var ex struct {
		Questions []struct{ Column string }
		Responses []struct {
			Email   string
			Answers map[string]any
		}
	}
	if err := json.Unmarshal([]byte(body), &ex); code != http.StatusOK || err != nil || len(ex.Questions) != 4 || len(ex.Responses) != 4 ||
		ex.Responses[0].Email != "ann@example.org" {
		t.Errorf("json export: %d %v %+v", code, err, ex)
	}

	// An analyst reads responses but may not key them in.
	s.store.AddStaff(ctx, s.org.ID, "analyst@x.example", account.RoleAnalyst, 0)
	analyst := s.client()
	s.signIn(analyst, "analyst@x.example")
	if code, _, _ := s.get(analyst, manage+"/responses"); code != http.StatusOK {
		t.Errorf("analyst list: %d", code)
	}
	if code, _, _ := s.upload(analyst, keyIn, answers, nil); code != http.StatusForbidden {
		t.Errorf("analyst keying in: %d", code)
	}
	// Redaction: the analyst replaces the words to publish.
	code, _, _ = s.post(analyst, manage+"/responses/"+itoa(rs[0].ID)+"/redact", url.Values{qs[0].Field(): {"Move the bus stop closer to the station."}}, "")
	if code != http.StatusSeeOther {
		t.Fatalf("redact: %d", code)
	}
	if r, err := s.store.Response(ctx, rs[0].ID); err != nil || r.Redacted[qs[0].ID] != "Move the bus stop closer to the station." {
		t.Errorf("redacted: %+v %v", r.Redacted, err)
	}
}
