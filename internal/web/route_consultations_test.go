package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/internal/consultation"
	"parley/internal/store"
)

// consultationUploads are the staff POST routes that take a file: the
// route-by-role test's plain form is refused by them as invalid.
var consultationUploads = map[string]bool{
	"/staff/{org}/consultations/{id}/documents":        true,
	"/staff/{org}/consultations/{id}/responses/new":    true,
	"/staff/{org}/consultations/{id}/responses/import": true,
}

// routeConsultations holds what the route-by-role test acts on; each
// route that consumes something is given a new one by restore.
type routeConsultations struct {
	st             *store.Store
	dir            string
	draft, closed  int64
	question       int64
	document, scan int64
	response       int64
	theme, other   int64
}

func newRouteConsultations(t testing.TB, st *store.Store, orgID int64, dir string) *routeConsultations {
	t.Helper()
	f := &routeConsultations{st: st, dir: dir}
	draft, err := st.CreateConsultation(ctx, consultation.Consultation{OrgID: orgID, TitleEN: "Draft plan", SummaryEN: "Not yet open"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.draft = draft.ID
	f.newQuestion(t)
	c, err := st.CreateConsultation(ctx, consultation.Consultation{OrgID: orgID, TitleEN: "Roads plan", SummaryEN: "Which roads first?"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.closed = c.ID
	q, err := st.AddQuestion(ctx, consultation.Question{ConsultationID: c.ID, Kind: consultation.FreeText, TextEN: "Your views"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetConsultationStatus(ctx, c.ID, consultation.Open, 0); err != nil {
		t.Fatal(err)
	}
	r, err := st.KeyInResponse(ctx, consultation.Response{ConsultationID: c.ID, Channel: consultation.ChannelPost,
		ReceivedAt: time.Now().Add(-time.Hour), Answers: []consultation.Answer{{QuestionID: q.ID, Text: "Fix the potholes on the A1 first."}}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.response = r.ID
	if err := st.SetConsultationStatus(ctx, c.ID, consultation.Closed, 0); err != nil {
		t.Fatal(err)
	}
	f.document = f.newDocument(t, false)
	f.scan = f.newDocument(t, true)
	f.theme = f.newTheme(t, "Potholes")
	f.other = f.newTheme(t, "Speed")
	return f
}

// id picks the consultation a route acts on: questions change only in a draft.
func (f *routeConsultations) id(pattern string) int64 {
	if strings.Contains(pattern, "/questions") {
		return f.draft
	}
	return f.closed
}

func (f *routeConsultations) doc(pattern string) int64 {
	if strings.Contains(pattern, "/scans/") {
		return f.scan
	}
	return f.document
}

func (f *routeConsultations) newQuestion(t testing.TB) {
	q, err := f.st.AddQuestion(ctx, consultation.Question{ConsultationID: f.draft, Kind: consultation.FreeText, TextEN: "Why?"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.question = q.ID
}

func (f *routeConsultations) newDocument(t testing.TB, scan bool) int64 {
	name := "plan.pdf"
	if scan {
		name = "letter.pdf"
	}
	if err := os.WriteFile(filepath.Join(f.dir, name), []byte("%PDF-1.4\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := f.st.AddDocument(ctx, consultation.Document{ConsultationID: f.closed, Title: "Plan", FileName: name,
		ContentType: "application/pdf", Size: 15, Path: name, Scan: scan}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

func (f *routeConsultations) newTheme(t testing.TB, name string) int64 {
	th, err := f.st.CreateTheme(ctx, consultation.Theme{ConsultationID: f.closed, Name: name}, []int64{f.response}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return th.ID
}

// restore puts back what a successful request used up or moved on.
func (f *routeConsultations) restore(t testing.TB, pattern string) {
	switch strings.TrimPrefix(pattern, "/staff/{org}/consultations/{id}") {
	case "/status":
		// The plain form reopens the closed consultation: close it again.
		if err := f.st.SetConsultationStatus(ctx, f.closed, consultation.Closed, 0); err != nil {
			t.Fatal(err)
		}
	case "/questions/{question}/delete":
		f.newQuestion(t)
	case "/documents/{doc}/delete":
		f.document = f.newDocument(t, false)
	case "/themes/{theme}/delete", "/themes/{theme}/split":
		f.theme = f.newTheme(t, "Potholes")
	case "/themes/{theme}/merge":
		f.other = f.newTheme(t, "Speed")
	}
}
