package web

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/org"
)

// Responses that came by other channels (keyed in one by one or imported
// from a CSV file), and the staff's view of every response: list, search,
// read, redact for publication, export.
func (s *Server) staffConsultationResponseRoutes(mux *http.ServeMux) {
	const c = "/staff/{org}/consultations/{id}"
	s.staff(mux, "GET", c+"/responses", account.PermStaffArea, s.staffResponses)
	s.staff(mux, "GET", c+"/responses/new", account.PermEdit, s.keyInForm)
	s.staff(mux, "POST", c+"/responses/new", account.PermEdit, s.keyIn)
	s.staff(mux, "GET", c+"/responses/import", account.PermEdit, s.importResponsesForm)
	s.staff(mux, "POST", c+"/responses/import", account.PermEdit, s.importResponses)
	s.staff(mux, "GET", c+"/responses/import/template.csv", account.PermEdit, s.importTemplate)
	s.staff(mux, "GET", c+"/responses.csv", account.PermStaffArea, s.exportResponsesCSV)
	s.staff(mux, "GET", c+"/responses.json", account.PermStaffArea, s.exportResponsesJSON)
	s.staff(mux, "GET", c+"/responses/{response}", account.PermStaffArea, s.staffResponse)
	s.staff(mux, "POST", c+"/responses/{response}/redact", account.PermAnalyse, s.redactResponse)
	s.staff(mux, "GET", c+"/scans/{doc}", account.PermStaffArea, s.staffDocumentFile(true))
}

var (
	respondentValues = []string{string(consultation.Individual), string(consultation.Organisation)}
	respondentLabels = []string{"consultations.respondent.individual", "consultations.respondent.organisation"}
	consentValues    = []string{string(consultation.PublishNot), string(consultation.PublishAnonymous), string(consultation.PublishNamed)}
	consentLabels    = []string{"consultations.consent.no", "consultations.consent.anonymous", "consultations.consent.named"}
)

func channelLabels(channels []string) []string {
	out := make([]string, len(channels))
	for i, c := range channels {
		out[i] = "consultations.channel." + c
	}
	return out
}

// KeyInPage is the form staff key a response in with, one after another.
type KeyInPage struct {
	Base
	Org        OrgItem
	C          StaffConsultationItem
	Draft      bool // responses are taken once the consultation has opened
	Channel    StaffChoices
	Received   StaffDateField
	Respondent StaffChoices
	Name       string
	OrgName    string
	Email      string
	Consent    StaffChoices
	HearBack   bool
	AgeBand    StaffChoices // optional: only if the respondent gave it
	Reference  string
	Answers    []StaffAnswerField
}

func (s *Server) keyInPage(r *http.Request, o org.Organisation, c consultation.Consultation, qs []consultation.Question,
	resp consultation.Response, received StaffDate, err error) KeyInPage {
	lang := langOf(r)
	page := KeyInPage{Base: s.orgBase(r, "consultations.keyin.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)},
		C: staffConsultationItem(o, c, lang), Draft: c.Status == consultation.Draft,
		Name: resp.Name, OrgName: resp.OrgName, Email: resp.Email, HearBack: resp.HearBack, Reference: resp.Reference}
	showFieldErrors(&page.Base, err)
	b := page.Base
	page.Channel = staffChoices(b, "channel", "consultations.keyin.channel", "", consultation.OfflineChannels, channelLabels(consultation.OfflineChannels), resp.Channel)
	page.Received = staffDateField(b, "received_at", "consultations.keyin.received", "consultations.keyin.received_hint", received)
	page.Respondent = staffChoices(b, "respondent", "consultations.keyin.respondent", "", respondentValues, respondentLabels, string(resp.Respondent))
	page.Consent = staffChoices(b, "consent", "consultations.keyin.consent", "consultations.keyin.consent_hint", consentValues, consentLabels, string(resp.Consent))
	bands := append([]string{""}, ageBandValues...)
	page.AgeBand = staffChoices(b, "age_band", "consultations.keyin.age_band", "consultations.keyin.age_band_hint", bands, ageBandLabels(bands), resp.AgeBand)
	page.Answers = staffAnswerFields(b, qs, func(q consultation.Question) consultation.Answer { return resp.Answer(q.ID) }, false)
	return page
}

func (s *Server) keyInForm(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	qs, err := s.Store.Questions(r.Context(), c.ID)
	if err != nil {
		return err
	}
	// The last response's channel and date carry over: a batch of letters
	// usually shares them.
	resp := consultation.Response{Respondent: consultation.Individual, Consent: consultation.PublishNot}
	var received StaffDate
	if ch := r.URL.Query().Get("channel"); ch != consultation.ChannelWeb && consultation.ValidChannel(ch) {
		resp.Channel = ch
	}
	if t, err := time.Parse("2006-01-02", r.URL.Query().Get("received")); err == nil {
		received = staffDateOf(t)
	}
	return s.render(w, r, http.StatusOK, "consultation-keyin", s.keyInPage(r, o, c, qs, resp, received, nil))
}

// staffAnswers reads the answers of a staff form; a choice that is not one
// of the question's options goes in f.
func staffAnswers(r *http.Request, qs []consultation.Question, f *apperr.Fields) []consultation.Answer {
	var out []consultation.Answer
	for _, q := range qs {
		a := consultation.Answer{QuestionID: q.ID}
		if q.Kind == consultation.FreeText {
			a.Text = strings.TrimSpace(strings.ReplaceAll(r.FormValue(q.Field()), "\r\n", "\n"))
		} else {
			seen := map[int]bool{}
			for _, v := range r.Form[q.Field()] {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 || n >= len(q.Options) {
					f.Add(q.Field(), "error.answer.invalid")
					continue
				}
				if !seen[n] {
					seen[n] = true
					a.Choices = append(a.Choices, n)
				}
			}
			sort.Ints(a.Choices)
		}
		if !a.Empty() {
			out = append(out, a)
		}
	}
	return out
}

// inOrder returns an Invalid error with the fields of err in the order
// the form shows them, so the error summary reads down the page.
func inOrder(err error, order []string) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Kind != apperr.Invalid {
		return err
	}
	var f apperr.Fields
	for _, k := range order {
		if m, ok := ae.Fields[k]; ok {
			f.Add(k, m)
		}
	}
	for _, k := range ae.Order {
		f.Add(k, ae.Fields[k])
	}
	if len(f.Order()) == 0 {
		return err
	}
	return f.Err()
}

func (s *Server) keyIn(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	ctx := r.Context()
	qs, err := s.Store.Questions(ctx, c.ID)
	if err != nil {
		return err
	}
	var f apperr.Fields
	multipart := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
	if multipart {
		if msg := parseUpload(r); msg != "" {
			f.Add("scan", msg)
			multipart = false
		} else {
			defer r.MultipartForm.RemoveAll()
		}
	}
	resp := consultation.Response{ConsultationID: c.ID, Status: consultation.Submitted, Channel: r.FormValue("channel"),
		Respondent: consultation.Respondent(r.FormValue("respondent")), Name: r.FormValue("name"), OrgName: r.FormValue("org_name"),
		Email: r.FormValue("email"), Consent: consultation.Consent(r.FormValue("consent")), HearBack: r.FormValue("hear_back") == "yes",
		AgeBand: r.FormValue("age_band"), Reference: r.FormValue("reference"), KeyedBy: p.User.ID}
	if resp.Channel == "" || resp.Channel == consultation.ChannelWeb {
		f.Add("channel", "error.response.channel.unknown")
		resp.Channel = "unknown" // Normalise would take an empty channel for the web
	}
	received := staffDateFrom(r, "received_at")
	// Noon: the day stays the same in every time zone around the UK.
	t, ok := received.Time(12, 0)
	if !ok {
		f.Add("received_at", "error.consultations.date.invalid")
	}
	resp.ReceivedAt, resp.SubmittedAt = t, t
	resp.Answers = staffAnswers(r, qs, &f)
	resp.Normalise()
	mergeFields(&f, resp.Validate(qs, s.Now()))
	order := []string{"channel", "received_at", "respondent", "name", "org_name", "email", "consent", "hear_back", "age_band", "reference"}
	for _, q := range qs {
		order = append(order, q.Field())
	}
	order = append(order, "scan")
	fail := func(err error) error {
		if resp.Channel == "unknown" {
			resp.Channel = ""
		}
		page := s.keyInPage(r, o, c, qs, resp, received, inOrder(err, order))
		return s.render(w, r, http.StatusUnprocessableEntity, "consultation-keyin", page)
	}
	if len(f.Order()) > 0 {
		return fail(f.Err())
	}
	// The scan is stored only once the response is known to be valid, so a
	// form sent back with errors leaves no file behind.
	var scan consultation.Document
	if multipart {
		d, msg, found, err := s.saveUpload(r, "scan", c.ID, consultation.ScanTypes)
		if err != nil {
			return err
		}
		if msg != "" {
			f.Add("scan", msg)
			return fail(f.Err())
		}
		if found {
			d.Scan = true
			d.Title = d.FileName
			if scan, err = s.Store.AddDocument(ctx, d, p.User.ID); err != nil {
				s.removeFile(d.Path)
				return err
			}
			resp.ScanID = scan.ID
		}
	}
	saved, err := s.Store.KeyInResponse(ctx, resp, p.User.ID)
	if err != nil {
		if scan.ID != 0 {
			if derr := s.Store.DeleteDocument(ctx, scan.ID, p.User.ID); derr == nil {
				s.removeFile(scan.Path)
			}
		}
		if apperr.Is(err, apperr.Invalid) {
			return fail(err)
		}
		return err
	}
	s.WakeJobs()
	b := s.base(r, "")
	s.sessions.Put(ctx, "flash", b.T("consultations.keyin.saved", "ID", saved.ID))
	next := url.Values{"channel": {resp.Channel}, "received": {resp.ReceivedAt.Format("2006-01-02")}}
	http.Redirect(w, r, staffConsultationURL(o, c.ID)+"/responses/new?"+next.Encode(), http.StatusSeeOther)
	return nil
}

// ImportResponsesPage imports a batch of offline responses from CSV.
type ImportResponsesPage struct {
	Base
	Org       OrgItem
	C         StaffConsultationItem
	Draft     bool
	Columns   []ImportColumn
	Questions []ImportQuestion
	Problems  []ImportProblem
}

// ImportColumn is one named column of the import file.
type ImportColumn struct {
	Name     string
	Meaning  string
	Required bool
}

// ImportQuestion is a question's column of the import file.
type ImportQuestion struct {
	Column  string
	Text    string
	Kind    string
	Options []string
}

// ImportProblem is one row of the problems table.
type ImportProblem struct {
	Line    int
	Column  string
	Message string
	Value   string
}

var importColumns = []string{"channel", "received", "respondent", "name", "organisation", "email", "reference", "consent", "hear_back", "age_band"}

func (s *Server) importPage(r *http.Request, o org.Organisation, c consultation.Consultation, qs []consultation.Question) ImportResponsesPage {
	lang := langOf(r)
	page := ImportResponsesPage{Base: s.orgBase(r, "consultations.import.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)},
		C: staffConsultationItem(o, c, lang), Draft: c.Status == consultation.Draft}
	for _, col := range importColumns {
		page.Columns = append(page.Columns, ImportColumn{Name: col, Meaning: page.T("consultations.import.col." + col),
			Required: col == "channel" || col == "received"})
	}
	for i, q := range qs {
		iq := ImportQuestion{Column: "q" + strconv.Itoa(i+1), Text: q.Text(lang), Kind: page.T("consultations.kind." + string(q.Kind))}
		for j, op := range q.Options {
			iq.Options = append(iq.Options, strconv.Itoa(j+1)+": "+op.Label(lang))
		}
		page.Questions = append(page.Questions, iq)
	}
	return page
}

func (s *Server) importResponsesForm(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	qs, err := s.Store.Questions(r.Context(), c.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "consultation-import", s.importPage(r, o, c, qs))
}

func (s *Server) importResponses(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	ctx := r.Context()
	qs, err := s.Store.Questions(ctx, c.ID)
	if err != nil {
		return err
	}
	page := s.importPage(r, o, c, qs)
	fail := func(msg string, args ...any) error {
		page.Errors = append(page.Errors, FieldError{Field: "file", Msg: page.T(msg, args...)})
		return s.render(w, r, http.StatusUnprocessableEntity, "consultation-import", page)
	}
	if msg := parseUpload(r); msg != "" {
		return fail(msg)
	}
	defer r.MultipartForm.RemoveAll()
	file, _, ok := uploadedFile(r, "file")
	if !ok {
		return fail(errUploadRequired)
	}
	defer file.Close()
	rs, err := consultation.ParseCSV(file, qs, s.Now())
	var ie *consultation.ImportError
	if errors.As(err, &ie) {
		for _, row := range ie.Rows {
			page.Problems = append(page.Problems, ImportProblem{Line: row.Line, Column: row.Column, Message: page.T(row.Message), Value: row.Value})
		}
		return fail("consultations.import.problems", "Count", len(ie.Rows))
	}
	if err != nil {
		return err
	}
	for i := range rs {
		rs[i].ConsultationID, rs[i].KeyedBy = c.ID, p.User.ID
	}
	n, err := s.Store.ImportResponses(ctx, c.ID, rs, p.User.ID)
	if apperr.Is(err, apperr.Invalid) {
		return fail(firstFieldMsg(err))
	}
	if err != nil {
		return err
	}
	s.WakeJobs()
	s.sessions.Put(ctx, "flash", page.T("consultations.import.done", "Count", n))
	http.Redirect(w, r, staffConsultationURL(o, c.ID)+"/responses", http.StatusSeeOther)
	return nil
}

// importTemplate is a CSV file with the header row the import expects.
func (s *Server) importTemplate(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	qs, err := s.Store.Questions(r.Context(), c.ID)
	if err != nil {
		return err
	}
	header := append([]string(nil), importColumns...)
	for i := range qs {
		header = append(header, "q"+strconv.Itoa(i+1))
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="consultation-`+strconv.FormatInt(c.ID, 10)+`-import.csv"`)
	cw := csv.NewWriter(w)
	cw.Write(header)
	cw.Flush()
	return cw.Error()
}

// responseFilter reads the list's filters from the query.
func responseFilter(q url.Values) consultation.ResponseFilter {
	var f consultation.ResponseFilter
	if ch := q.Get("channel"); consultation.ValidChannel(ch) {
		f.Channel = ch
	}
	if rp := consultation.Respondent(q.Get("respondent")); rp == consultation.Individual || rp == consultation.Organisation {
		f.Respondent = rp
	}
	f.Search = strings.TrimSpace(q.Get("q"))
	if len([]rune(f.Search)) > 200 {
		f.Search = string([]rune(f.Search)[:200])
	}
	f.ThemeID, _ = strconv.ParseInt(q.Get("theme"), 10, 64)
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	return f
}

// StaffResponsesPage lists, filters and searches a consultation's responses.
type StaffResponsesPage struct {
	Base
	Org         OrgItem
	C           StaffConsultationItem
	CanEdit     bool
	Search      string
	Channels    []StaffOption
	Respondents []StaffOption
	Themes      []StaffOption
	Filtered    bool
	Rows        []StaffResponseRow
	Next        string // the next page, "" on the last
	First       string // the first page, "" on it
	Export      string // the query of the filters, for the export links
}

// StaffOption is an option of a select.
type StaffOption struct {
	Value, Label string
	Selected     bool
}

// StaffResponseRow is one response in the list.
type StaffResponseRow struct {
	ID       int64
	URL      string
	Channel  string
	Received time.Time
	Who      string
	Words    string
}

const staffResponsesPerPage = 50

// respondentName is who a response is from, as staff see it.
func respondentName(b Base, resp consultation.Response) string {
	switch {
	case resp.Respondent == consultation.Organisation && resp.Name != "":
		return resp.OrgName + " (" + resp.Name + ")"
	case resp.Respondent == consultation.Organisation:
		return resp.OrgName
	case resp.Name != "":
		return resp.Name
	}
	return b.T("consultations.responses.no_name")
}

func (s *Server) staffResponses(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	ctx := r.Context()
	lang := langOf(r)
	page := StaffResponsesPage{Base: s.orgBase(r, "consultations.responses.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)},
		C: staffConsultationItem(o, c, lang), CanEdit: p.Can(o.ID, account.PermEdit)}
	q := r.URL.Query()
	f := responseFilter(q)
	page.Search = f.Search
	page.Filtered = f.Channel != "" || f.Respondent != "" || f.Search != "" || f.ThemeID != 0
	page.Channels = []StaffOption{{Value: "", Label: page.T("consultations.responses.all_channels")}}
	for _, ch := range consultation.Channels {
		page.Channels = append(page.Channels, StaffOption{Value: ch, Label: page.T("consultations.channel." + ch), Selected: f.Channel == ch})
	}
	page.Respondents = []StaffOption{{Value: "", Label: page.T("consultations.responses.all_respondents")}}
	for i, v := range respondentValues {
		page.Respondents = append(page.Respondents, StaffOption{Value: v, Label: page.T(respondentLabels[i]), Selected: string(f.Respondent) == v})
	}
	themes, err := s.Store.Themes(ctx, c.ID)
	if err != nil {
		return err
	}
	if len(themes) > 0 {
		page.Themes = []StaffOption{{Value: "", Label: page.T("consultations.responses.all_themes")}}
		for _, t := range themes {
			page.Themes = append(page.Themes, StaffOption{Value: strconv.FormatInt(t.ID, 10), Label: t.Name, Selected: f.ThemeID == t.ID})
		}
	}
	qs, err := s.Store.Questions(ctx, c.ID)
	if err != nil {
		return err
	}
	f.Limit = staffResponsesPerPage + 1
	list, err := s.Store.Responses(ctx, c.ID, f)
	if err != nil {
		return err
	}
	more := len(list) > staffResponsesPerPage
	if more {
		list = list[:staffResponsesPerPage]
	}
	for _, resp := range list {
		page.Rows = append(page.Rows, StaffResponseRow{ID: resp.ID, URL: staffConsultationURL(o, c.ID) + "/responses/" + strconv.FormatInt(resp.ID, 10),
			Channel: page.T("consultations.channel." + resp.Channel), Received: resp.ReceivedAt, Who: respondentName(page.Base, resp),
			Words: clipWords(resp.FreeText(qs), 25)})
	}
	base := url.Values{}
	for _, k := range []string{"channel", "respondent", "q", "theme"} {
		if v := q.Get(k); v != "" {
			base.Set(k, v)
		}
	}
	page.Export = base.Encode()
	if more {
		next := url.Values{}
		for k, v := range base {
			next[k] = v
		}
		next.Set("after", strconv.FormatInt(list[len(list)-1].ID, 10))
		page.Next = "?" + next.Encode()
	}
	if f.After != 0 {
		page.First = "?" + base.Encode()
	}
	return s.render(w, r, http.StatusOK, "consultation-staff-responses", page)
}

// clipWords keeps the first n words of text.
func clipWords(text string, n int) string {
	words := strings.Fields(text)
	if len(words) > n {
		return strings.Join(words[:n], " ") + " …"
	}
	return strings.Join(words, " ")
}

// StaffResponsePage shows one response in full.
type StaffResponsePage struct {
	Base
	Org        OrgItem
	C          StaffConsultationItem
	R          StaffResponseView
	Answers    []StaffAnswerView
	CanRedact  bool
	Redactable bool // some free text to redact
	ScanURL    string
	ThemeForm  *ResponseThemeForm // nil for staff who may not analyse
}

// StaffResponseView is a response's details.
type StaffResponseView struct {
	ID          int64
	Channel     string
	Respondent  string
	Name        string
	OrgName     string
	Email       string
	Consent     string
	HearBack    bool
	AgeBand     string // the band's name, or "not given"
	Reference   string
	ReceivedAt  time.Time
	SubmittedAt time.Time
	Published   bool
}

// StaffAnswerView is a question with its answer, and for free text the
// words to publish.
type StaffAnswerView struct {
	Number     int
	Question   string
	Field      string
	FreeText   bool
	Text       string
	Paragraphs []string
	Choices    []string
	Publish    string // the words published in place of Text
	Redacted   bool
}

func (s *Server) staffResponseFromPath(r *http.Request, c consultation.Consultation) (consultation.Response, error) {
	id, err := strconv.ParseInt(r.PathValue("response"), 10, 64)
	if err != nil {
		return consultation.Response{}, errNotFound
	}
	resp, err := s.Store.Response(r.Context(), id)
	if err == nil && (resp.ConsultationID != c.ID || resp.Status != consultation.Submitted) {
		return resp, errNotFound
	}
	return resp, err
}

func (s *Server) staffResponsePage(r *http.Request, o org.Organisation, p *account.Principal, c consultation.Consultation, resp consultation.Response) (StaffResponsePage, error) {
	lang := langOf(r)
	ctx := r.Context()
	page := StaffResponsePage{Base: s.orgBase(r, "", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)}, C: staffConsultationItem(o, c, lang),
		CanRedact: p.Can(o.ID, account.PermAnalyse)}
	page.Title = page.T("consultations.response.title", "ID", resp.ID)
	page.R = StaffResponseView{ID: resp.ID, Channel: page.T("consultations.channel." + resp.Channel),
		Respondent: page.T("consultations.respondent." + string(resp.Respondent)), Name: resp.Name, OrgName: resp.OrgName, Email: resp.Email,
		Consent: page.T("consultations.consent." + string(resp.Consent)), HearBack: resp.HearBack, AgeBand: page.T(ageBandLabel(resp.AgeBand)), Reference: resp.Reference,
		ReceivedAt: resp.ReceivedAt, SubmittedAt: resp.SubmittedAt, Published: resp.Published()}
	if resp.ScanID != 0 {
		page.ScanURL = staffConsultationURL(o, c.ID) + "/scans/" + strconv.FormatInt(resp.ScanID, 10)
	}
	qs, err := s.Store.Questions(ctx, c.ID)
	if err != nil {
		return page, err
	}
	for i, q := range qs {
		a := resp.Answer(q.ID)
		v := StaffAnswerView{Number: i + 1, Question: q.Text(lang), Field: q.Field(), FreeText: q.Kind == consultation.FreeText, Text: a.Text,
			Paragraphs: paragraphs(a.Text)}
		for _, ch := range a.Choices {
			if ch >= 0 && ch < len(q.Options) {
				v.Choices = append(v.Choices, q.Options[ch].Label(lang))
			}
		}
		if v.FreeText && a.Text != "" {
			page.Redactable = true
			v.Publish = a.Text
			if red, ok := resp.Redacted[q.ID]; ok {
				v.Publish, v.Redacted = red, true
			}
		}
		page.Answers = append(page.Answers, v)
	}
	page.ThemeForm, err = s.responseThemeForm(ctx, o, p, c.ID, resp.ID)
	return page, err
}

func (s *Server) staffResponse(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	resp, err := s.staffResponseFromPath(r, c)
	if err != nil {
		return err
	}
	page, err := s.staffResponsePage(r, o, p, c, resp)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "consultation-staff-response", page)
}

// redactResponse sets the words published for each free-text answer; an
// answer left as given is published as given.
func (s *Server) redactResponse(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	resp, err := s.staffResponseFromPath(r, c)
	if err != nil {
		return err
	}
	qs, err := s.Store.Questions(r.Context(), c.ID)
	if err != nil {
		return err
	}
	red := map[int64]string{}
	for _, q := range qs {
		a := resp.Answer(q.ID)
		if q.Kind != consultation.FreeText || a.Text == "" {
			continue
		}
		vals, sent := r.PostForm[q.Field()]
		if !sent {
			if old, ok := resp.Redacted[q.ID]; ok {
				red[q.ID] = old
			}
			continue
		}
		v := strings.TrimSpace(strings.ReplaceAll(vals[0], "\r\n", "\n"))
		if v != a.Text {
			red[q.ID] = v
		}
	}
	if err := s.Store.RedactResponse(r.Context(), resp.ID, red, p.User.ID); apperr.Is(err, apperr.Invalid) {
		page, perr := s.staffResponsePage(r, o, p, c, resp)
		if perr != nil {
			return perr
		}
		showFieldErrors(&page.Base, err)
		return s.render(w, r, http.StatusUnprocessableEntity, "consultation-staff-response", page)
	} else if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "consultations.response.redacted_flash")
	http.Redirect(w, r, staffConsultationURL(o, c.ID)+"/responses/"+strconv.FormatInt(resp.ID, 10), http.StatusSeeOther)
	return nil
}

// exportRows loads the responses an export holds: every submitted one,
// narrowed by the list's filters when given.
func (s *Server) exportRows(r *http.Request, o org.Organisation) (consultation.Consultation, []consultation.Question, []consultation.Response, error) {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return c, nil, nil, err
	}
	qs, err := s.Store.Questions(r.Context(), c.ID)
	if err != nil {
		return c, nil, nil, err
	}
	f := responseFilter(r.URL.Query())
	f.After = 0
	rs, err := s.Store.Responses(r.Context(), c.ID, f)
	return c, qs, rs, err
}

// spreadsheetSafe stops a cell being read as a formula when the file is
// opened in a spreadsheet: respondents' words are not to be run.
func spreadsheetSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func exportDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func exportAnswer(q consultation.Question, a consultation.Answer) (string, []string) {
	if q.Kind == consultation.FreeText {
		return a.Text, nil
	}
	labels := []string{}
	for _, ch := range a.Choices {
		if ch >= 0 && ch < len(q.Options) {
			labels = append(labels, q.Options[ch].EN)
		}
	}
	return strings.Join(labels, "|"), labels
}

func (s *Server) exportResponsesCSV(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, qs, rs, err := s.exportRows(r, o)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="consultation-`+strconv.FormatInt(c.ID, 10)+`-responses.csv"`)
	cw := csv.NewWriter(w)
	header := []string{"id", "channel", "received", "submitted", "respondent", "name", "organisation", "email", "consent", "hear_back", "reference", "scan", "age_band"}
	for i := range qs {
		header = append(header, "q"+strconv.Itoa(i+1))
	}
	cw.Write(header)
	for _, resp := range rs {
		row := []string{strconv.FormatInt(resp.ID, 10), resp.Channel, exportDate(resp.ReceivedAt), exportDate(resp.SubmittedAt), string(resp.Respondent),
			spreadsheetSafe(resp.Name), spreadsheetSafe(resp.OrgName), spreadsheetSafe(resp.Email), string(resp.Consent), yesNo(resp.HearBack),
			spreadsheetSafe(resp.Reference), yesNo(resp.ScanID != 0), resp.AgeBand}
		for _, q := range qs {
			v, _ := exportAnswer(q, resp.Answer(q.ID))
			row = append(row, spreadsheetSafe(v))
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// The JSON export: the questions once, then every response.
type exportQuestion struct {
	Column  string   `json:"column"`
	ID      int64    `json:"id"`
	Kind    string   `json:"kind"`
	Text    string   `json:"text"`
	Options []string `json:"options,omitempty"`
}

type exportResponse struct {
	ID           int64          `json:"id"`
	Channel      string         `json:"channel"`
	ReceivedAt   string         `json:"received_at"`
	SubmittedAt  string         `json:"submitted_at"`
	Respondent   string         `json:"respondent"`
	Name         string         `json:"name"`
	Organisation string         `json:"organisation"`
	Email        string         `json:"email"`
	Consent      string         `json:"consent"`
	HearBack     bool           `json:"hear_back"`
	Reference    string         `json:"reference"`
	Scan         bool           `json:"scan"`
	AgeBand      string         `json:"age_band"`
	Answers      map[string]any `json:"answers"`
}

func (s *Server) exportResponsesJSON(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, qs, rs, err := s.exportRows(r, o)
	if err != nil {
		return err
	}
	head := struct {
		ID        int64            `json:"id"`
		Title     string           `json:"title"`
		Status    string           `json:"status"`
		Questions []exportQuestion `json:"questions"`
	}{ID: c.ID, Title: c.TitleEN, Status: string(c.Status), Questions: []exportQuestion{}}
	for i, q := range qs {
		eq := exportQuestion{Column: "q" + strconv.Itoa(i+1), ID: q.ID, Kind: string(q.Kind), Text: q.TextEN}
		for _, op := range q.Options {
			eq.Options = append(eq.Options, op.EN)
		}
		head.Questions = append(head.Questions, eq)
	}
	hb, err := json.Marshal(head)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="consultation-`+strconv.FormatInt(c.ID, 10)+`-responses.json"`)
	// Written a response at a time: an export may hold 100,000 of them.
	w.Write(hb[:len(hb)-1])
	w.Write([]byte(`,"responses":[`))
	for i, resp := range rs {
		er := exportResponse{ID: resp.ID, Channel: resp.Channel, ReceivedAt: exportDate(resp.ReceivedAt), SubmittedAt: exportDate(resp.SubmittedAt),
			Respondent: string(resp.Respondent), Name: resp.Name, Organisation: resp.OrgName, Email: resp.Email, Consent: string(resp.Consent),
			HearBack: resp.HearBack, Reference: resp.Reference, Scan: resp.ScanID != 0, AgeBand: resp.AgeBand, Answers: map[string]any{}}
		for j, q := range qs {
			a := resp.Answer(q.ID)
			if a.Empty() {
				continue
			}
			text, labels := exportAnswer(q, a)
			if q.Kind == consultation.FreeText {
				er.Answers["q"+strconv.Itoa(j+1)] = text
			} else {
				er.Answers["q"+strconv.Itoa(j+1)] = labels
			}
		}
		b, err := json.Marshal(er)
		if err != nil {
			return err
		}
		if i > 0 {
			w.Write([]byte(","))
		}
		w.Write(b)
	}
	_, err = w.Write([]byte("]}\n"))
	return err
}
