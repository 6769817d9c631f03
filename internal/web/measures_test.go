package web_test

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/i18n"
	"parley/internal/measure"
	"parley/internal/org"
	"parley/internal/store"
	"parley/internal/web"
	"parley/internal/web/htmlcheck"
)

// measureNow is the clock of the measurement tests: the default period is
// December 2025 to November 2026, the baseline the 12 months before.
var measureNow = time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)

func atMeasureNow(o *web.Options) { o.Now = func() time.Time { return measureNow } }

// seedMeasures gives the site's organisation a small, hand-computable set
// of records, published, with a population and an age baseline:
//
//	October 2026: web 300 transactions, phone 100, email 50 (email has no
//	unit cost). Costs: web 300 × 15p + phone 100 × 283p = £328.00;
//	take-up (300 + 50) ÷ 450 = 77.8%; cost per transaction £328.00 ÷ 400
//	costed transactions = £0.82; 50 contacts left out of costs.
//	October 2025 (baseline): web 100, phone 300.
func seedMeasures(t *testing.T, s *site) {
	t.Helper()
	rs := []measure.Record{
		{Service: "Council tax", Channel: measure.Web, Day: 20261003, Contacts: 300, Transactions: 300},
		{Service: "Council tax", Channel: measure.Phone, Day: 20261003, Contacts: 100, Transactions: 100},
		{Service: "Parking", Channel: measure.Email, Day: 20261010, Contacts: 50, Transactions: 50},
		{Service: "Council tax", Channel: measure.Web, Day: 20251003, Contacts: 100, Transactions: 100},
		{Service: "Council tax", Channel: measure.Phone, Day: 20251003, Contacts: 300, Transactions: 300},
	}
	if _, err := s.store.ImportRecords(ctx, s.org.ID, rs, 0); err != nil {
		t.Fatal(err)
	}
	st := measure.Settings{OrgID: s.org.ID, Public: true, Population: 10000, BaselineSource: "Census 2021",
		Baseline: map[string]float64{"16-24": 0.15, "25-34": 0.15, "35-44": 0.15, "45-54": 0.15, "55-64": 0.15, "65-74": 0.15, "75+": 0.10}}
	if err := s.store.SetMeasureSettings(ctx, st, 0); err != nil {
		t.Fatal(err)
	}
}

func TestMeasurePublicDashboards(t *testing.T) {
	s := newSite(t, store.SQLite, atMeasureNow)
	seedMeasures(t, s)
	c := s.client()
	for _, lang := range i18n.Langs {
		for _, path := range []string{"/measures", "/measures/method", "/organisations/north-shire/measures", "/organisations/north-shire/measures/what-if"} {
			code, body, _ := s.get(c, path+"?lang="+lang)
			if code != http.StatusOK {
				t.Fatalf("%s (%s): %d", path, lang, code)
			}
			doc := htmlcheck.Parse(t, body)
			if doc.Count("h1") != 1 || doc.Attr("html", "lang") != lang {
				t.Errorf("%s (%s): %d h1, lang %q", path, lang, doc.Count("h1"), doc.Attr("html", "lang"))
			}
			if untranslated.MatchString(body) {
				t.Errorf("%s (%s): untranslated message ID in page", path, lang)
			}
			// Every chart is an image with a title and a description, and
			// has a table beside it.
			for _, svg := range doc.All("svg[role=img]") {
				if htmlcheck.TextOf(svg) == "" {
					t.Errorf("%s: a chart with no title or description", path)
				}
			}
			if n := doc.Count("svg[role=img]"); n > 0 && doc.Count("table") == 0 {
				t.Errorf("%s: %d charts and no table", path, n)
			}
		}
	}

	_, body, _ := s.get(c, "/organisations/north-shire/measures?lang=en")
	doc := htmlcheck.Parse(t, body)
	for sel, want := range map[string]string{
		"#kpi-take-up":              "77.8%",
		"#kpi-cost-per-transaction": "£0.82",
		"#kpi-total-cost":           "£328.00",
		"#kpi-transactions":         "450",
		"#kpi-completion":           "No data",
	} {
		if got := doc.Text(sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if !strings.Contains(doc.Text("main"), "Excludes 50 contacts on channels with no unit cost") {
		t.Error("the page does not say 50 contacts were left out of costs")
	}
	if doc.Count("svg#chart-volume, svg[aria-labelledby='chart-volume-title chart-volume-desc']") != 1 ||
		doc.Count("svg[aria-labelledby='chart-take-up-title chart-take-up-desc']") != 1 ||
		doc.Count("svg[aria-labelledby='chart-represent-title chart-represent-desc']") != 0 {
		t.Errorf("charts: volume %d, take-up %d", doc.Count("svg[aria-labelledby='chart-volume-title chart-volume-desc']"),
			doc.Count("svg[aria-labelledby='chart-take-up-title chart-take-up-desc']"))
	}
	if !strings.Contains(doc.Text("#volume-caption"), "Transactions by channel, digital take-up and cost by month") || doc.Count("table.govuk-table caption#volume-caption") != 1 {
		t.Error("no table of the volume chart's figures")
	}
	// The saving from shift: October 2026 at October 2025's mix (25% web,
	// 75% phone): 400 × (0.25 × 15p + 0.75 × 283p) = £864.00, against the
	// £328.00 it cost: £536.00 saved.
	if got := doc.Text("#saving-value"); got != "£536.00" {
		t.Errorf("saving %q, want £536.00", got)
	}

	// Welsh: the same figures, Welsh words.
	_, body, _ = s.get(c, "/organisations/north-shire/measures?lang=cy")
	doc = htmlcheck.Parse(t, body)
	if doc.Text("#kpi-take-up") != "77.8%" || !strings.Contains(doc.Text("main"), "Defnydd digidol") {
		t.Errorf("Welsh dashboard: %q", doc.Text("#kpi-take-up"))
	}

	// A period with no data says so rather than showing zeros as figures.
	_, body, _ = s.get(c, "/organisations/north-shire/measures?from=2020-01&to=2020-03&lang=en")
	doc = htmlcheck.Parse(t, body)
	if doc.Text("#kpi-take-up") != "No data" || doc.Text("#kpi-cost-per-transaction") != "No data" || doc.Count("#no-data") != 1 {
		t.Errorf("empty period: take-up %q, cost %q", doc.Text("#kpi-take-up"), doc.Text("#kpi-cost-per-transaction"))
	}

	// The service filter narrows the figures.
	_, body, _ = s.get(c, "/organisations/north-shire/measures?service=Parking")
	if got := htmlcheck.Parse(t, body).Text("#kpi-transactions"); got != "50" {
		t.Errorf("Parking transactions %q, want 50", got)
	}

	// The comparison lists the published organisation, ranked or not, and links to it.
	_, body, _ = s.get(c, "/measures")
	doc = htmlcheck.Parse(t, body)
	if doc.Attr("#ranking-caption ~ tbody a, table tbody a", "href") != "/organisations/north-shire/measures" {
		t.Errorf("the comparison does not link the organisation: %q", doc.Text("main"))
	}
	// The organisation page links its published figures.
	_, body, _ = s.get(c, "/organisations/north-shire")
	if htmlcheck.Parse(t, body).Count("a[href='/organisations/north-shire/measures']") != 1 {
		t.Error("the organisation page does not link its figures")
	}
}

func TestMeasureFilterErrors(t *testing.T) {
	s := newSite(t, store.SQLite, atMeasureNow)
	seedMeasures(t, s)
	for _, tc := range []struct{ query, field string }{
		{"from=soon", "from"},
		{"from=2026-05&to=2026-01", "to"},
		{"from=2000-01&to=2026-01", "to"},
		{"service=Nothing", "service"},
		{"channel=pigeon", "channel"},
	} {
		for _, path := range []string{"/organisations/north-shire/measures", "/measures"} {
			if path == "/measures" && tc.field == "channel" {
				continue
			}
			code, body, _ := s.get(s.client(), path+"?"+tc.query)
			doc := htmlcheck.Parse(t, body)
			if code != http.StatusBadRequest || doc.Attr(".govuk-error-summary a", "href") != "#"+tc.field || doc.Count("#"+tc.field) != 1 {
				t.Errorf("%s?%s: %d, summary links %q", path, tc.query, code, doc.Attr(".govuk-error-summary a", "href"))
			}
		}
	}
}

func TestMeasureWhatIf(t *testing.T) {
	s := newSite(t, store.SQLite, atMeasureNow)
	seedMeasures(t, s)
	c := s.client()
	// Moving half of phone's 100 contacts to the web saves 50 × (283p − 15p).
	code, body, _ := s.get(c, "/organisations/north-shire/measures/what-if?move_from=phone&move_to=web&percent=50")
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusOK || doc.Text("#whatif-saving") != "£134.00" || doc.Text("#whatif-now") != "£328.00" || doc.Text("#whatif-after") != "£194.00" {
		t.Errorf("what-if: %d saving %q now %q after %q", code, doc.Text("#whatif-saving"), doc.Text("#whatif-now"), doc.Text("#whatif-after"))
	}
	// The form keeps the choices.
	if doc.Attr("#move_from option[selected]", "value") != "phone" || doc.Attr("#percent", "value") != "50" {
		t.Error("the form does not keep its choices")
	}
	// A channel with no unit cost cannot be compared.
	_, body, _ = s.get(c, "/organisations/north-shire/measures/what-if?move_from=email&move_to=web&percent=50")
	if !strings.Contains(htmlcheck.Parse(t, body).Text("#result"), "no cost per contact") {
		t.Error("moving from a channel with no unit cost is not explained")
	}
	for _, q := range []string{"move_from=phone&move_to=web&percent=150", "move_from=phone&move_to=phone&percent=5", "move_from=x&move_to=web&percent=5"} {
		code, body, _ := s.get(c, "/organisations/north-shire/measures/what-if?"+q)
		if doc := htmlcheck.Parse(t, body); code != http.StatusBadRequest || doc.Count(".govuk-error-summary") != 1 || doc.Count("#result") != 0 {
			t.Errorf("%s: %d", q, code)
		}
	}
}

func TestMeasureDownloads(t *testing.T) {
	s := newSite(t, store.SQLite, atMeasureNow)
	seedMeasures(t, s)
	c := s.client()
	code, body, h := s.get(c, "/organisations/north-shire/measures.json")
	if code != http.StatusOK || h.Get("Content-Type") != "application/json" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("json: %d %q", code, h.Get("Content-Type"))
	}
	var rep struct {
		Period        struct{ From, To string }
		Transactions  int64    `json:"transactions"`
		DigitalTakeUp *float64 `json:"digital_take_up"`
		TotalCost     struct {
			Pence            *float64 `json:"pence"`
			UncostedContacts int64    `json:"uncosted_contacts"`
		} `json:"total_cost"`
		CompletionRate *float64 `json:"completion_rate"`
		Saving         *struct {
			Saving float64 `json:"saving_pence"`
		} `json:"saving"`
	}
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Period.From != "2025-12" || rep.Period.To != "2026-11" || rep.Transactions != 450 || rep.DigitalTakeUp == nil ||
		*rep.DigitalTakeUp < 0.7777 || *rep.DigitalTakeUp > 0.7778 || rep.TotalCost.Pence == nil || *rep.TotalCost.Pence != 32800 ||
		rep.TotalCost.UncostedContacts != 50 || rep.CompletionRate != nil || rep.Saving == nil || rep.Saving.Saving != 53600 {
		t.Errorf("json report: %s", body)
	}

	code, body, h = s.get(c, "/organisations/north-shire/measures.csv?from=2026-10&to=2026-10")
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d", code)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, r := range rows[1:] {
		if r[4] == "" && r[5] == "" && r[6] == "" {
			found[r[3]] = r[7]
		}
	}
	if found["transactions"] != "450" || found["total_cost"] != "32800" || found["digital_take_up"][:6] != "0.7777" || found["completion_rate"] != "" {
		t.Errorf("csv figures: %v", found)
	}

	code, body, _ = s.get(c, "/measures.csv")
	rows, _ = csv.NewReader(strings.NewReader(body)).ReadAll()
	if code != http.StatusOK || len(rows) != 2 || rows[1][1] != "north-shire" || rows[1][12] != "450" {
		t.Errorf("comparison csv: %d %v", code, rows)
	}
	code, body, _ = s.get(c, "/measures.json")
	var cmp struct {
		Organisations []struct {
			Organisation string `json:"organisation"`
		} `json:"organisations"`
	}
	if err := json.Unmarshal([]byte(body), &cmp); code != http.StatusOK || err != nil || len(cmp.Organisations) != 1 || cmp.Organisations[0].Organisation != "north-shire" {
		t.Errorf("comparison json: %d %v %s", code, err, body)
	}
}

// TestUnpublishedMeasuresAreStaffOnly: an organisation that has not opted
// in has no public page and is not in the public comparison, but its own
// staff and platform administrators see it.
func TestUnpublishedMeasuresAreStaffOnly(t *testing.T) {
	s := newSite(t, store.SQLite, atMeasureNow)
	seedMeasures(t, s)
	other, err := s.store.CreateOrg(ctx, org.Organisation{Slug: "quiet", NameEN: "Quiet Council"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.ImportRecords(ctx, other.ID, []measure.Record{{Service: "Bins", Channel: "web", Day: 20261001, Contacts: 5, Transactions: 5}}, 0); err != nil {
		t.Fatal(err)
	}
	anon := s.client()
	for _, path := range []string{"/organisations/quiet/measures", "/organisations/quiet/measures.csv", "/organisations/quiet/measures.json", "/organisations/quiet/measures/what-if"} {
		if code, _, _ := s.get(anon, path); code != http.StatusNotFound {
			t.Errorf("%s for the public: %d", path, code)
		}
	}
	if _, body, _ := s.get(anon, "/measures"); strings.Contains(body, "Quiet Council") {
		t.Error("an unpublished organisation is in the public comparison")
	}
	if _, body, _ := s.get(anon, "/measures.json"); strings.Contains(body, "quiet") {
		t.Error("an unpublished organisation is in the public download")
	}
	staff := s.client()
	if _, err := s.store.AddStaff(ctx, other.ID, "analyst@quiet.example", account.RoleAnalyst, 0); err != nil {
		t.Fatal(err)
	}
	s.signIn(staff, "analyst@quiet.example")
	code, body, _ := s.get(staff, "/organisations/quiet/measures")
	if code != http.StatusOK || !strings.Contains(body, "has not published") {
		t.Errorf("own staff: %d", code)
	}
	if _, body, _ := s.get(staff, "/measures"); !strings.Contains(body, "Quiet Council") {
		t.Error("staff do not see their own organisation in the comparison")
	}
}

func TestStaffMeasurePages(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { staffMeasureJourney(t, d) })
	}
}

func staffMeasureJourney(t *testing.T, d store.Dialect) {
	s := newSite(t, d, atMeasureNow, func(o *web.Options) { o.SignInBurst = 100 })
	seedMeasures(t, s)
	if _, err := s.store.AddStaff(ctx, s.org.ID, "admin@x.example", account.RoleAdmin, 0); err != nil {
		t.Fatal(err)
	}
	c := s.client()
	s.signIn(c, "admin@x.example")
	base := "/staff/north-shire/measures"
	for _, path := range []string{base, base + "/what-if?move_from=phone&move_to=web&percent=10", base + "/costs", base + "/channels",
		base + "/import", base + "/datasets", base + "/settings", base + ".csv", base + ".json"} {
		for _, lang := range i18n.Langs {
			code, body, h := s.get(c, path+sep(path)+"lang="+lang)
			if code != http.StatusOK {
				t.Fatalf("%s (%s): %d", path, lang, code)
			}
			if h.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: Cache-Control %q", path, h.Get("Cache-Control"))
			}
			if strings.HasPrefix(h.Get("Content-Type"), "text/html") && (untranslated.MatchString(body) || htmlcheck.Parse(t, body).Count("h1") != 1) {
				t.Errorf("%s (%s): untranslated ID or not one h1", path, lang)
			}
		}
	}
	// The staff organisation page links the dashboard.
	if _, body, _ := s.get(c, "/staff/north-shire"); htmlcheck.Parse(t, body).Count("a[href='"+base+"']") != 1 {
		t.Error("no link to the measures from the staff organisation page")
	}

	// Unit costs: a bad one is refused with every problem, a good one saved.
	code, body, _ := s.post(c, base+"/costs", url.Values{"channel": {"pigeon"}, "cost": {"lots"}, "from": {"May"}}, "")
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary li") != 4 {
		t.Errorf("bad cost: %d, %d errors: %s", code, doc.Count(".govuk-error-summary li"), doc.Text(".govuk-error-summary"))
	}
	if code, _, _ := s.post(c, base+"/costs", url.Values{"channel": {"email"}, "cost": {"£0.40"}, "from": {"2026-01"}, "source": {"Audit of 2026 call costs"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("cost: %d", code)
	}
	_, body, _ = s.get(c, base+"?lang=en")
	doc = htmlcheck.Parse(t, body)
	// Email now costs 40p a contact: £328.00 + 50 × 40p, over all 450 transactions.
	if doc.Text("#kpi-total-cost") != "£348.00" || strings.Contains(doc.Text("main"), "Excludes") {
		t.Errorf("after the email cost: total %q", doc.Text("#kpi-total-cost"))
	}
	if _, body, _ := s.get(c, base+"/costs"); !strings.Contains(body, "Audit of 2026 call costs") || !strings.Contains(body, measure.SocitmSource) {
		t.Error("the costs page does not list sources")
	}
	if code, _, _ := s.post(c, base+"/costs/delete", url.Values{"channel": {"email"}, "from": {"2026-01"}}, ""); code != http.StatusSeeOther {
		t.Errorf("delete cost: %d", code)
	}
	if _, body, _ := s.get(c, base+"/costs"); strings.Contains(body, "Audit of 2026 call costs") {
		t.Error("the deleted cost is still listed: " + htmlcheck.Parse(t, body).Text("main"))
	}

	// Channels: a key must be plain, and unique.
	if code, _, _ := s.post(c, base+"/channels", url.Values{"key": {"Web Chat"}, "name_en": {"Web chat"}, "digital": {"yes"}}, ""); code != http.StatusUnprocessableEntity {
		t.Errorf("bad key: %d", code)
	}
	if code, _, _ := s.post(c, base+"/channels", url.Values{"key": {"webchat"}, "name_en": {"Web chat"}, "name_cy": {"Sgwrs ar y we"}, "digital": {"yes"}}, ""); code != http.StatusSeeOther {
		t.Errorf("channel: %d", code)
	}
	if code, body, _ := s.post(c, base+"/channels", url.Values{"key": {"webchat"}, "name_en": {"Again"}, "digital": {"no"}}, ""); code != http.StatusUnprocessableEntity ||
		htmlcheck.Parse(t, body).Attr(".govuk-error-summary a", "href") != "#key" {
		t.Errorf("duplicate channel: %d", code)
	}

	// Import: a file with problems saves nothing and lists each by line.
	bad := "date,service,channel,transactions\n2026-10-05,Bins,web,10\n2026-13-01,Bins,web,5\n2026-10-06,Bins,pigeon,5\n"
	code, body, _ = s.upload(c, base+"/import", nil, map[string]file{"file": {"bad.csv", bad}})
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count("#row-errors tbody tr") != 2 || doc.Attr(".govuk-error-summary a", "href") != "#file" {
		t.Errorf("bad import: %d, %d rows: %s", code, doc.Count("#row-errors tbody tr"), doc.Text("#row-errors"))
	}
	lines := doc.All("#row-errors tbody tr td:first-child")
	if len(lines) == 2 && (htmlcheck.TextOf(lines[0]) != "3" || htmlcheck.TextOf(lines[1]) != "4") {
		t.Errorf("error lines %q %q", htmlcheck.TextOf(lines[0]), htmlcheck.TextOf(lines[1]))
	}
	if services, _ := s.store.MeasureServices(ctx, s.org.ID); len(services) != 2 {
		t.Errorf("a bad import saved something: services %v", services)
	}
	good := "date,service,channel,transactions\n2026-10-05,Bins,web,10\n2026-10-06,Bins,webchat,5\n"
	if code, _, h := s.upload(c, base+"/import", nil, map[string]file{"file": {"good.csv", good}}); code != http.StatusSeeOther || h.Get("Location") != base {
		t.Fatalf("import: %d", code)
	}
	_, body, _ = s.get(c, base+"?service=Bins")
	doc = htmlcheck.Parse(t, body)
	if doc.Text("#kpi-transactions") != "15" || !strings.Contains(doc.Text(".govuk-notification-banner"), "2 records imported") {
		t.Errorf("after import: %q, banner %q", doc.Text("#kpi-transactions"), doc.Text(".govuk-notification-banner"))
	}

	// Datasets: the token is shown once, on the answer to the form.
	code, body, _ = s.post(c, base+"/datasets", url.Values{"name": {"Contact centre"}}, "")
	doc = htmlcheck.Parse(t, body)
	token := doc.Attr("#token", "value")
	if code != http.StatusOK || !strings.HasPrefix(token, measure.TokenPrefix) {
		t.Fatalf("dataset: %d token %q", code, token)
	}
	if _, body, _ := s.get(c, base+"/datasets"); strings.Contains(body, token) {
		t.Error("the token is shown again")
	}
	ds, err := s.store.MeasureDatasets(ctx, s.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	var api, imported measure.Dataset
	for _, x := range ds {
		switch x.Kind {
		case measure.KindAPI:
			api = x
		case measure.KindCSV:
			imported = x
		}
	}
	if code, _, _ := s.post(c, base+"/datasets/"+itoa(api.ID)+"/revoke", nil, ""); code != http.StatusSeeOther {
		t.Errorf("revoke: %d", code)
	}
	if _, err := s.store.DatasetByToken(ctx, token); err == nil {
		t.Error("a revoked token still works")
	}
	code, body, _ = s.get(c, base+"/datasets/"+itoa(imported.ID)+"/records.csv")
	rows, _ := csv.NewReader(strings.NewReader(body)).ReadAll()
	if code != http.StatusOK || len(rows) != 8 || strings.Join(rows[0], ",") != "date,service,channel,contacts,transactions,started,completed,satisfied,rated,id" {
		t.Errorf("records download: %d, %d rows", code, len(rows))
	}
	// Another organisation's dataset is not found here.
	if code, _, _ := s.get(c, base+"/datasets/999999/records.csv"); code != http.StatusNotFound {
		t.Errorf("unknown dataset: %d", code)
	}

	// Settings: shares in per cent must add up to 100.
	form := url.Values{"public": {"yes"}, "population": {"120,000"}, "source": {"Census 2021"}}
	for i, v := range []string{"10", "20", "20", "20", "10", "10", "5"} {
		form.Set("band_"+itoa(int64(i)), v)
	}
	code, body, _ = s.post(c, base+"/settings", form, "")
	if code != http.StatusUnprocessableEntity || htmlcheck.Parse(t, body).Attr(".govuk-error-summary a", "href") != "#band_0" {
		t.Errorf("shares adding to 95: %d", code)
	}
	form.Set("band_6", "10")
	if code, _, _ := s.post(c, base+"/settings", form, ""); code != http.StatusSeeOther {
		t.Errorf("settings: %d", code)
	}
	st, _ := s.store.MeasureSettings(ctx, s.org.ID)
	if !st.Public || st.Population != 120000 || st.Baseline["75+"] != 0.10 || st.BaselineSource != "Census 2021" {
		t.Errorf("settings saved as %+v", st)
	}
	// Unpublishing takes the public page away.
	form.Del("public")
	s.post(c, base+"/settings", form, "")
	if code, _, _ := s.get(s.client(), "/organisations/north-shire/measures"); code != http.StatusNotFound {
		t.Errorf("unpublished public page: %d", code)
	}
}

// untranslated finds a message ID left in a page (not a link to /measures.csv).
var untranslated = regexp.MustCompile(`(measures?|error)\.[a-z_]+\.[a-z_]`)

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

// TestMeasurePageWeight holds the dashboards to the page-weight bar with a
// full year of figures: four services on every built-in channel every
// month, an age baseline and published costs.
func TestMeasurePageWeight(t *testing.T) {
	s := newSite(t, store.SQLite, atMeasureNow)
	seedMeasures(t, s)
	var rs []measure.Record
	for m := measure.Month(202512); !measure.Month(202611).Before(m); m = m.Add(1) {
		for _, sv := range []string{"Council tax", "Parking permits", "Bulky waste", "Planning comments"} {
			for i, c := range measure.Builtin {
				n := int64(1000*(i+1)) + int64(m%100)*37
				rs = append(rs, measure.Record{Service: sv, Channel: c.Key, Day: measure.Day(int(m)*100 + 3), Contacts: n + 17, Transactions: n,
					Started: n + 100, Completed: n, Satisfied: n / 2, Rated: n})
			}
		}
	}
	if _, err := s.store.ImportRecords(ctx, s.org.ID, rs, 0); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", s.srv.URL+"/static/dist/neutral.css", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	css, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Skip("assets not built (make assets)")
	}
	for _, path := range []string{"/measures", "/measures/method", "/organisations/north-shire/measures",
		"/organisations/north-shire/measures/what-if?move_from=phone&move_to=web&percent=20"} {
		_, body, _ := s.get(s.client(), path)
		t.Logf("%s: %d bytes HTML + %d bytes CSS (gzip)", path, len(body), len(css))
		if total := len(body) + len(css); total > 60*1024 {
			t.Errorf("%s weighs %d bytes, over 60 KB", path, total)
		}
	}
}
