package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"parley/internal/account"
	"parley/internal/consultation"
	"parley/internal/store"
	"parley/internal/web/htmlcheck"
)

// The optional age question: asked on the "about you" page as GOV.UK
// radios that work without JavaScript, checked, shown on the check page,
// and keyed in by staff.
func TestAgeBandQuestion(t *testing.T) {
	s := newSite(t, store.SQLite)
	c, qs := consultationFixture(t, s, consultation.AllOnOne, false)
	respond := "/consultations/" + itoa(c.ID) + "/respond"
	ann := s.client()
	code, _, h := s.post(ann, respond, nil, "")
	expectRedirect(t, "start", code, h, respond+"/about")

	_, body, _ := s.get(ann, respond+"/about")
	doc := htmlcheck.Parse(t, body)
	if n := doc.Count("input[type=radio][name=age_band]"); n != 8 || doc.Count(".govuk-radios__divider") != 1 ||
		doc.Attr("input#age_band", "value") != "16-24" || doc.Count("input[name=age_band][checked]") != 0 ||
		!strings.Contains(body, "What is your age? (optional)") {
		t.Fatalf("about page's age question (%d radios):\n%s", n, body)
	}
	_, cy, _ := s.get(ann, respond+"/about?lang=cy")
	if !strings.Contains(htmlcheck.Parse(t, cy).Text("main"), "75 neu hŷn") {
		t.Error("the Welsh page's age bands are not in Welsh")
	}
	s.get(ann, respond+"/about?lang=en")

	about := url.Values{"respondent": {"individual"}, "consent": {"no"}, "age_band": {"30-39"}}
	code, body, _ = s.post(ann, respond+"/about", about, "")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#age_band']") != 1 || doc.Count("#age_band-error") != 1 {
		t.Fatalf("an unknown band: %d\n%s", code, body)
	}
	about.Set("age_band", "65-74")
	code, _, h = s.post(ann, respond+"/about", about, "")
	expectRedirect(t, "about", code, h, respond+"/questions")

	_, body, _ = s.get(ann, respond+"/about")
	if htmlcheck.Parse(t, body).Attr("input[name=age_band][checked]", "value") != "65-74" {
		t.Error("the band given is not checked on coming back")
	}
	_, body, _ = s.get(ann, respond+"/check")
	if doc := htmlcheck.Parse(t, body); !strings.Contains(doc.Text("#age_band"), "65 to 74") {
		t.Errorf("check page's age row: %q", doc.Text("#age_band"))
	}

	// Staff key one in with a band; the response page shows it.
	staff := s.client()
	if _, err := s.store.AddStaff(ctx, s.org.ID, "editor@x.example", account.RoleEditor, 0); err != nil {
		t.Fatal(err)
	}
	s.signIn(staff, "editor@x.example")
	keyIn := "/staff/north-shire/consultations/" + itoa(c.ID) + "/responses/new"
	_, body, _ = s.get(staff, keyIn)
	if n := htmlcheck.Parse(t, body).Count("input[type=radio][name=age_band]"); n != 9 {
		t.Fatalf("key-in form has %d age radios, want 9 (not given, 7 bands, prefer not to say)", n)
	}
	answers := url.Values{"channel": {"post"}, "respondent": {"individual"}, "consent": {"no"}, "age_band": {"75+"},
		"received_at-day": {"3"}, "received_at-month": {"1"}, "received_at-year": {"2026"},
		qs[0].Field(): {"By letter."}, qs[1].Field(): {"0"}, qs[3].Field(): {"4"}}
	code, body, _ = s.upload(staff, keyIn, answers, nil)
	if code != http.StatusSeeOther {
		t.Fatalf("key in: %d\n%s", code, body)
	}
	rs, err := s.store.Responses(ctx, c.ID, consultation.ResponseFilter{})
	if err != nil || len(rs) != 1 || rs[0].AgeBand != "75+" {
		t.Fatalf("keyed-in responses %+v %v", rs, err)
	}
	_, body, _ = s.get(staff, "/staff/north-shire/consultations/"+itoa(c.ID)+"/responses/"+itoa(rs[0].ID))
	if !strings.Contains(htmlcheck.Parse(t, body).Text("main"), "75 or over") {
		t.Errorf("the response page does not show the band")
	}
}
