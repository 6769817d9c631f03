package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"parley/internal/account"
	"parley/internal/consultation"
	"parley/internal/store"
	"parley/internal/web"
	"parley/internal/web/htmlcheck"
)

// TestAttachMentionPage adds a mention to a consultation from the
// mention's page and finds it among the consultation's responses, from
// the social channel.
func TestAttachMentionPage(t *testing.T) {
	s := newSite(t, store.SQLite, func(o *web.Options) { o.Feeds = fakeFeeds{} })
	editor, mod := s.client(), s.client()
	s.store.AddStaff(ctx, s.org.ID, "editor@x.example", account.RoleEditor, 0)
	s.store.AddStaff(ctx, s.org.ID, "moderator@x.example", account.RoleModerator, 0)
	s.signIn(editor, "editor@x.example")
	s.signIn(mod, "moderator@x.example")
	_, _, m := listeningFixture(t, s.store, s.org.ID)

	c, err := s.store.CreateConsultation(ctx, consultation.Consultation{OrgID: s.org.ID, TitleEN: "Bus lanes", SummaryEN: "About bus lanes"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.AddQuestion(ctx, consultation.Question{ConsultationID: c.ID, Kind: consultation.FreeText, TextEN: "What do you think?", Required: true}, 0); err != nil {
		t.Fatal(err)
	}
	draft, _ := s.store.CreateConsultation(ctx, consultation.Consultation{OrgID: s.org.ID, TitleEN: "Trams", SummaryEN: "About trams"}, 0)
	if err := s.store.SetConsultationStatus(ctx, c.ID, consultation.Open, 0); err != nil {
		t.Fatal(err)
	}
	page := "/staff/north-shire/listening/mentions/" + itoa(m.ID)

	// Editors see the form, offering open and closed consultations only;
	// moderators, who may not add responses, do not.
	_, body, _ := s.get(editor, page)
	doc := htmlcheck.Parse(t, body)
	if doc.Count("form[action='"+page+"/attach'] select#consultation option[value='"+itoa(c.ID)+"']") != 1 ||
		doc.Count("option[value='"+itoa(draft.ID)+"']") != 0 {
		t.Fatalf("attach form:\n%s", body)
	}
	if _, body, _ := s.get(mod, page); strings.Contains(body, page+"/attach") {
		t.Error("moderator offered the attach form")
	}
	if code, _, _ := s.post(mod, page+"/attach", url.Values{"consultation": {itoa(c.ID)}}, ""); code != http.StatusForbidden {
		t.Errorf("moderator attach: %d", code)
	}

	// No consultation chosen: an error on the field.
	code, body, _ := s.post(editor, page+"/attach", url.Values{"consultation": {""}}, "")
	if doc := htmlcheck.Parse(t, body); code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary a[href='#consultation']") != 1 {
		t.Fatalf("no consultation: %d\n%s", code, body)
	}

	// Attached: back on the mention page, a banner links to the response,
	// and the form gives way to the link.
	code, _, h := s.post(editor, page+"/attach", url.Values{"consultation": {itoa(c.ID)}}, "")
	if code != http.StatusSeeOther || h.Get("Location") != page {
		t.Fatalf("attach: %d %v", code, h)
	}
	rs, err := s.store.Responses(ctx, c.ID, consultation.ResponseFilter{})
	if err != nil || len(rs) != 1 {
		t.Fatalf("responses %v %v", rs, err)
	}
	respURL := "/staff/north-shire/consultations/" + itoa(c.ID) + "/responses/" + itoa(rs[0].ID)
	_, body, _ = s.get(editor, page)
	doc = htmlcheck.Parse(t, body)
	if doc.Count(".govuk-notification-banner--success a[href='"+respURL+"']") != 1 || doc.Count("dd a[href='"+respURL+"']") != 1 ||
		strings.Contains(body, page+"/attach") {
		t.Fatalf("after attach:\n%s", body)
	}
	// The banner is shown once.
	if _, body, _ := s.get(editor, page); strings.Contains(body, "govuk-notification-banner--success") {
		t.Error("banner shown again")
	}
	if code, _, _ := s.post(editor, page+"/attach", url.Values{"consultation": {itoa(c.ID)}}, ""); code != http.StatusConflict {
		t.Errorf("attached twice: %d", code)
	}

	// The consultation's responses list it, from social media, with the
	// mention's words.
	code, body, _ = s.get(editor, "/staff/north-shire/consultations/"+itoa(c.ID)+"/responses?channel=social")
	doc = htmlcheck.Parse(t, body)
	if code != http.StatusOK || doc.Count("tbody tr") != 1 || !strings.Contains(doc.Text("tbody"), "Social media") ||
		doc.Count("tbody a[href='"+respURL+"']") != 1 {
		t.Fatalf("responses list: %d\n%s", code, body)
	}
	_, body, _ = s.get(editor, respURL)
	if !strings.Contains(body, "A new bus lane for the high street") || !strings.Contains(body, m.Link) {
		t.Errorf("response page:\n%s", body)
	}
}
