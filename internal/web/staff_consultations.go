package web

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/markdown"
	"parley/internal/org"
)

// staffConsultationRoutes registers the staff pages of consultations:
// authoring, offline responses, analysis, themes and the outcome.
func (s *Server) staffConsultationRoutes(mux *http.ServeMux) {
	const c = "/staff/{org}/consultations"
	s.staff(mux, "GET", c, account.PermStaffArea, s.staffConsultations)
	s.staff(mux, "GET", c+"/new", account.PermEdit, s.newConsultationForm)
	s.staff(mux, "POST", c, account.PermEdit, s.createConsultation)
	s.staff(mux, "GET", c+"/{id}", account.PermStaffArea, s.manageConsultation)
	s.staff(mux, "POST", c+"/{id}", account.PermEdit, s.updateConsultation)
	s.staff(mux, "POST", c+"/{id}/status", account.PermEdit, s.setConsultationStatus)
	s.staff(mux, "POST", c+"/{id}/questions", account.PermEdit, s.addConsultationQuestion)
	s.staff(mux, "GET", c+"/{id}/questions/{question}", account.PermEdit, s.editConsultationQuestion)
	s.staff(mux, "POST", c+"/{id}/questions/{question}", account.PermEdit, s.updateConsultationQuestion)
	s.staff(mux, "POST", c+"/{id}/questions/{question}/move", account.PermEdit, s.moveConsultationQuestion)
	s.staff(mux, "POST", c+"/{id}/questions/{question}/delete", account.PermEdit, s.deleteConsultationQuestion)
	s.staff(mux, "POST", c+"/{id}/documents", account.PermEdit, s.uploadConsultationDocument)
	s.staff(mux, "GET", c+"/{id}/documents/{doc}", account.PermStaffArea, s.staffDocumentFile(false))
	s.staff(mux, "POST", c+"/{id}/documents/{doc}/delete", account.PermEdit, s.deleteConsultationDocument)
	s.staff(mux, "GET", c+"/{id}/preview", account.PermStaffArea, s.previewConsultation)
	s.staffConsultationResponseRoutes(mux)
	s.staffConsultationAnalysisRoutes(mux)
}

// StaffConsultationItem is a consultation as staff pages show it.
type StaffConsultationItem struct {
	ID        int64
	URL       string // the manage page
	Title     string
	Summary   string
	Status    string
	Layout    string
	OpensAt   time.Time
	ClosesAt  time.Time
	Scheduled bool
	Responses int
}

func staffConsultationItem(o org.Organisation, c consultation.Consultation, lang string) StaffConsultationItem {
	return StaffConsultationItem{ID: c.ID, URL: staffConsultationURL(o, c.ID), Title: c.Title(lang), Summary: c.Summary(lang),
		Status: string(c.Status), Layout: layoutID(c.Layout), OpensAt: c.OpensAt, ClosesAt: c.ClosesAt, Scheduled: c.Scheduled}
}

func staffConsultationURL(o org.Organisation, id int64) string {
	return "/staff/" + o.Slug + "/consultations/" + strconv.FormatInt(id, 10)
}

// layoutID is the message ID naming a layout (IDs take no hyphens).
func layoutID(l consultation.Layout) string {
	if l == consultation.AllOnOne {
		return "consultations.layout.all_on_one"
	}
	return "consultations.layout.one_per_page"
}

// staffConsultation loads the consultation named by {id}, which must be the organisation's.
func (s *Server) staffConsultation(r *http.Request, o org.Organisation) (consultation.Consultation, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return consultation.Consultation{}, errNotFound
	}
	c, err := s.Store.Consultation(r.Context(), id)
	if err == nil && c.OrgID != o.ID {
		return c, errNotFound
	}
	return c, err
}

// showFieldErrors puts an Invalid error's field messages in the error summary.
func showFieldErrors(b *Base, err error) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return
	}
	if len(ae.Order) == 0 && ae.Msg != "" {
		b.Errors = append(b.Errors, FieldError{Field: "main-content", Msg: b.T(ae.Msg)})
		return
	}
	b.withErrors(ae.Order, ae.Fields)
}

// mergeFields adds an Invalid error's field messages to f.
func mergeFields(f *apperr.Fields, err error) {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		for _, k := range ae.Order {
			f.Add(k, ae.Fields[k])
		}
	}
}

// StaffConsultationsPage lists an organisation's consultations for staff.
type StaffConsultationsPage struct {
	Base
	Org           OrgItem
	CanEdit       bool
	Consultations []StaffConsultationItem
}

func (s *Server) staffConsultations(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	lang := langOf(r)
	page := StaffConsultationsPage{Base: s.orgBase(r, "consultations.list.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)},
		CanEdit: p.Can(o.ID, account.PermEdit)}
	list, err := s.Store.Consultations(r.Context(), o.ID, true)
	if err != nil {
		return err
	}
	counts, err := s.Store.ConsultationResponseCounts(r.Context(), o.ID)
	if err != nil {
		return err
	}
	for _, c := range list {
		it := staffConsultationItem(o, c, lang)
		it.Responses = counts[c.ID]
		page.Consultations = append(page.Consultations, it)
	}
	return s.render(w, r, http.StatusOK, "consultation-staff-list", page)
}

// StaffDate is what was typed in a GOV.UK date input.
type StaffDate struct{ Day, Month, Year string }

func staffDateOf(t time.Time) StaffDate {
	if t.IsZero() {
		return StaffDate{}
	}
	t = t.UTC()
	return StaffDate{Day: strconv.Itoa(t.Day()), Month: strconv.Itoa(int(t.Month())), Year: strconv.Itoa(t.Year())}
}

func staffDateFrom(r *http.Request, name string) StaffDate {
	return StaffDate{Day: strings.TrimSpace(r.FormValue(name + "-day")), Month: strings.TrimSpace(r.FormValue(name + "-month")),
		Year: strings.TrimSpace(r.FormValue(name + "-year"))}
}

// Empty reports whether nothing was typed.
func (d StaffDate) Empty() bool { return d.Day == "" && d.Month == "" && d.Year == "" }

// Time returns the date at the given hour and minute (UTC); ok is false
// when it is not a real date. An empty date is the zero time.
func (d StaffDate) Time(hour, min int) (time.Time, bool) {
	if d.Empty() {
		return time.Time{}, true
	}
	day, err1 := strconv.Atoi(d.Day)
	month, err2 := strconv.Atoi(d.Month)
	year, err3 := strconv.Atoi(d.Year)
	if err1 != nil || err2 != nil || err3 != nil || year < 2000 || year > 9999 || month < 1 || month > 12 || day < 1 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, min, 0, 0, time.UTC)
	if t.Day() != day { // 31 February
		return time.Time{}, false
	}
	return t, true
}

// StaffDateField is a GOV.UK date input as the cs-date partial draws it. The
// day input's id is the field's name, so the error summary links to it.
type StaffDateField struct {
	Name, Legend, Hint, Error, Prefix string
	Value                             StaffDate
	DayLabel, MonthLabel, YearLabel   string
}

func staffDateField(b Base, name, legend, hint string, v StaffDate) StaffDateField {
	f := StaffDateField{Name: name, Legend: b.T(legend), Error: b.ErrorFor(name), Prefix: b.T("error.prefix"), Value: v,
		DayLabel: b.T("consultations.date.day"), MonthLabel: b.T("consultations.date.month"), YearLabel: b.T("consultations.date.year")}
	if hint != "" {
		f.Hint = b.T(hint)
	}
	return f
}

// StaffChoices is a set of GOV.UK radios (or checkboxes) as the cs-choices
// partial draws it; the first item's id is the field's name.
type StaffChoices struct {
	Name, Legend, Hint, Error, Prefix string
	Checkboxes, Small, Inline         bool
	Items                             []StaffChoice
}

// StaffChoice is one radio.
type StaffChoice struct {
	ID, Value, Label, Hint string
	Checked                bool
}

func staffChoices(b Base, name, legend, hint string, values, labels []string, chosen ...string) StaffChoices {
	f := StaffChoices{Name: name, Legend: b.T(legend), Error: b.ErrorFor(name), Prefix: b.T("error.prefix"), Small: true}
	if hint != "" {
		f.Hint = b.T(hint)
	}
	for i, v := range values {
		id := name
		if i > 0 {
			id = name + "-" + strconv.Itoa(i+1)
		}
		it := StaffChoice{ID: id, Value: v, Label: b.T(labels[i])}
		for _, c := range chosen {
			it.Checked = it.Checked || c == v
		}
		f.Items = append(f.Items, it)
	}
	return f
}

// StaffConsultationForm is the details form, on the new and manage pages.
type StaffConsultationForm struct {
	TitleEN, TitleCY, SummaryEN, SummaryCY, BodyEN, BodyCY string
	Layout                                                 StaffChoices
	Opens, Closes                                          StaffDateField
	Moderation                                             StaffChoices // published responses: pre- or post-moderation
}

func staffConsultationForm(b Base, c consultation.Consultation, opens, closes StaffDate) StaffConsultationForm {
	return StaffConsultationForm{TitleEN: c.TitleEN, TitleCY: c.TitleCY, SummaryEN: c.SummaryEN, SummaryCY: c.SummaryCY, BodyEN: c.BodyEN, BodyCY: c.BodyCY,
		Layout: staffChoices(b, "layout", "consultations.form.layout", "consultations.form.layout_hint",
			[]string{string(consultation.OnePerPage), string(consultation.AllOnOne)},
			[]string{"consultations.layout.one_per_page", "consultations.layout.all_on_one"}, string(c.Layout)),
		Opens:  staffDateField(b, "opens_at", "consultations.form.opens", "consultations.form.opens_hint", opens),
		Closes: staffDateField(b, "closes_at", "consultations.form.closes", "consultations.form.closes_hint", closes),
		Moderation: staffChoices(b, "moderation", "moderation.staff.consultation.legend", "moderation.staff.consultation.hint",
			[]string{string(consultation.PreModeration), string(consultation.PostModeration)},
			[]string{"moderation.staff.consultation.pre", "moderation.staff.consultation.post"}, string(c.Moderation))}
}

// readStaffConsultation reads the details form into c; date errors go in f.
func readStaffConsultation(r *http.Request, c *consultation.Consultation, f *apperr.Fields) (opens, closes StaffDate) {
	c.TitleEN, c.TitleCY = r.FormValue("title_en"), r.FormValue("title_cy")
	c.SummaryEN, c.SummaryCY = r.FormValue("summary_en"), r.FormValue("summary_cy")
	c.BodyEN, c.BodyCY = r.FormValue("body_en"), r.FormValue("body_cy")
	c.Layout = consultation.Layout(r.FormValue("layout"))
	c.Moderation = consultation.Moderation(r.FormValue("moderation"))
	opens, closes = staffDateFrom(r, "opens_at"), staffDateFrom(r, "closes_at")
	var ok bool
	// Open at the start of the day and close at its end, as people read
	// "closes on 3 March".
	if c.OpensAt, ok = opens.Time(0, 0); !ok {
		f.Add("opens_at", "error.consultations.date.invalid")
	}
	if c.ClosesAt, ok = closes.Time(23, 59); !ok {
		f.Add("closes_at", "error.consultations.date.invalid")
	}
	c.Normalise()
	return opens, closes
}

// NewConsultationPage is the form that starts a consultation.
type NewConsultationPage struct {
	Base
	Org  OrgItem
	Form StaffConsultationForm
}

func (s *Server) newConsultationForm(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	page := NewConsultationPage{Base: s.orgBase(r, "consultations.new.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))}}
	page.Form = staffConsultationForm(page.Base, consultation.Consultation{Layout: consultation.OnePerPage, Moderation: consultation.PostModeration}, StaffDate{}, StaffDate{})
	return s.render(w, r, http.StatusOK, "consultation-new", page)
}

func (s *Server) createConsultation(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c := consultation.Consultation{OrgID: o.ID, Status: consultation.Draft}
	var f apperr.Fields
	opens, closes := readStaffConsultation(r, &c, &f)
	var err error
	if len(f.Order()) > 0 {
		mergeFields(&f, c.Validate())
		err = f.Err()
	} else {
		c, err = s.Store.CreateConsultation(r.Context(), c, p.User.ID)
	}
	if apperr.Is(err, apperr.Invalid) {
		page := NewConsultationPage{Base: s.orgBase(r, "consultations.new.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))}}
		showFieldErrors(&page.Base, err)
		page.Form = staffConsultationForm(page.Base, c, opens, closes)
		return s.render(w, r, http.StatusUnprocessableEntity, "consultation-new", page)
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "consultations.created")
	http.Redirect(w, r, staffConsultationURL(o, c.ID), http.StatusSeeOther)
	return nil
}

// StaffQuestionItem is a question in the manage list.
type StaffQuestionItem struct {
	ID        int64
	Position  int
	Kind      string
	TextEN    string
	TextCY    string
	HelpEN    string
	Required  bool
	MaxLength int
	Options   []string // "English | Welsh"
	First     bool
	Last      bool
}

// StaffQuestionForm is the add and edit form of a question.
type StaffQuestionForm struct {
	Action                         string
	Kind                           StaffChoices
	TextEN, TextCY, HelpEN, HelpCY string
	Required                       bool
	MaxLength                      string
	Options                        string
}

var questionKinds = []string{string(consultation.FreeText), string(consultation.Single), string(consultation.Multiple), string(consultation.Scale)}

func staffQuestionForm(b Base, action string, q consultation.Question, maxLength, options string) StaffQuestionForm {
	return StaffQuestionForm{Action: action,
		Kind: staffChoices(b, "kind", "consultations.question.kind", "", questionKinds,
			[]string{"consultations.kind.text", "consultations.kind.single", "consultations.kind.multiple", "consultations.kind.scale"}, string(q.Kind)),
		TextEN: q.TextEN, TextCY: q.TextCY, HelpEN: q.HelpEN, HelpCY: q.HelpCY, Required: q.Required, MaxLength: maxLength, Options: options}
}

// staffOptionLines writes options one a line as "English | Welsh".
func staffOptionLines(opts []consultation.Option) string {
	var b strings.Builder
	for _, o := range opts {
		b.WriteString(o.EN)
		if o.CY != "" {
			b.WriteString(" | " + o.CY)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// readStaffQuestion reads the question form; a bad length goes in f.
func readStaffQuestion(r *http.Request, q *consultation.Question, f *apperr.Fields) (maxLength, options string) {
	q.Kind = consultation.Kind(r.FormValue("kind"))
	q.TextEN, q.TextCY = r.FormValue("text_en"), r.FormValue("text_cy")
	q.HelpEN, q.HelpCY = r.FormValue("help_en"), r.FormValue("help_cy")
	q.Required = r.FormValue("required") == "yes"
	maxLength, options = strings.TrimSpace(r.FormValue("max_length")), r.FormValue("options")
	q.MaxLength = 0
	if maxLength != "" {
		n, err := strconv.Atoi(maxLength)
		if err != nil || n < 0 {
			f.Add("max_length", "error.question.max_length.range")
		}
		q.MaxLength = n
	}
	q.Options = nil
	for _, l := range lines(options) {
		en, cy, _ := strings.Cut(l, "|")
		q.Options = append(q.Options, consultation.Option{EN: strings.TrimSpace(en), CY: strings.TrimSpace(cy)})
	}
	if q.Kind == consultation.Scale && len(q.Options) == 0 {
		q.Options = append([]consultation.Option(nil), consultation.DefaultScale...)
	}
	if q.Kind != consultation.FreeText {
		q.MaxLength = 0
	}
	q.Normalise()
	return maxLength, options
}

// StaffDocumentItem is a document in a list.
type StaffDocumentItem struct {
	ID       int64
	Title    string
	FileName string
	Type     string // PDF, ODT, DOCX
	Size     string
	URL      string
}

func staffDocumentItem(o org.Organisation, d consultation.Document) StaffDocumentItem {
	ext := strings.ToUpper(strings.TrimPrefix(fileExt(d.FileName), "."))
	kind := "documents"
	if d.Scan {
		kind = "scans"
	}
	return StaffDocumentItem{ID: d.ID, Title: d.Title, FileName: d.FileName, Type: ext, Size: fileSize(d.Size),
		URL: staffConsultationURL(o, d.ConsultationID) + "/" + kind + "/" + strconv.FormatInt(d.ID, 10)}
}

func fileExt(name string) string {
	if i := strings.LastIndex(name, "."); i >= 0 {
		return strings.ToLower(name[i:])
	}
	return ""
}

// fileSize writes a file size the way GOV.UK attachment lists do.
func fileSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatInt((n+512)>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// ManageConsultationPage is where staff run one consultation.
type ManageConsultationPage struct {
	Base
	Org           OrgItem
	C             StaffConsultationItem
	CanEdit       bool
	CanAnalyse    bool
	Locked        bool // questions cannot change once the consultation has opened
	CanOpen       bool
	CanSchedule   bool
	CanUnschedule bool
	CanClose      bool
	CanReopen     bool
	Form          StaffConsultationForm
	Questions     []StaffQuestionItem
	Q             StaffQuestionForm
	Documents     []StaffDocumentItem
	DocTitle      string
}

func (s *Server) manageConsultationPage(r *http.Request, o org.Organisation, p *account.Principal, c consultation.Consultation) (ManageConsultationPage, error) {
	lang := langOf(r)
	page := ManageConsultationPage{Base: s.orgBase(r, "", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)}, C: staffConsultationItem(o, c, lang),
		CanEdit: p.Can(o.ID, account.PermEdit), CanAnalyse: p.Can(o.ID, account.PermAnalyse), Locked: c.Status != consultation.Draft}
	page.Title = page.C.Title
	page.CanOpen = page.CanEdit && consultation.CanMove(c.Status, consultation.Open) && c.Status == consultation.Draft
	page.CanSchedule = page.CanOpen && !c.Scheduled
	page.CanUnschedule = page.CanOpen && c.Scheduled
	page.CanClose = page.CanEdit && consultation.CanMove(c.Status, consultation.Closed)
	page.CanReopen = page.CanEdit && c.Status == consultation.Closed
	ctx := r.Context()
	counts, err := s.Store.ConsultationResponseCounts(ctx, o.ID)
	if err != nil {
		return page, err
	}
	page.C.Responses = counts[c.ID]
	qs, err := s.Store.Questions(ctx, c.ID)
	if err != nil {
		return page, err
	}
	for i, q := range qs {
		it := StaffQuestionItem{ID: q.ID, Position: i + 1, Kind: string(q.Kind), TextEN: q.TextEN, TextCY: q.TextCY, HelpEN: q.HelpEN,
			Required: q.Required, MaxLength: q.MaxLength, First: i == 0, Last: i == len(qs)-1}
		if q.Kind == consultation.FreeText {
			it.MaxLength = q.Limit()
		}
		for _, op := range q.Options {
			l := op.EN
			if op.CY != "" {
				l += " | " + op.CY
			}
			it.Options = append(it.Options, l)
		}
		page.Questions = append(page.Questions, it)
	}
	docs, err := s.Store.Documents(ctx, c.ID)
	if err != nil {
		return page, err
	}
	for _, d := range docs {
		page.Documents = append(page.Documents, staffDocumentItem(o, d))
	}
	return page, nil
}

// fillManage fills the page's forms: from the consultation, or from what
// was typed when a form failed (fill runs after the errors are set).
func (s *Server) renderManage(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal, c consultation.Consultation,
	err error, fill func(*ManageConsultationPage)) error {
	page, perr := s.manageConsultationPage(r, o, p, c)
	if perr != nil {
		return perr
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusUnprocessableEntity
		showFieldErrors(&page.Base, err)
	}
	page.Form = staffConsultationForm(page.Base, c, staffDateOf(c.OpensAt), staffDateOf(c.ClosesAt))
	page.Q = staffQuestionForm(page.Base, page.C.URL+"/questions", consultation.Question{Kind: consultation.FreeText}, "", "")
	if fill != nil {
		fill(&page)
	}
	return s.render(w, r, status, "consultation-manage", page)
}

func (s *Server) manageConsultation(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	return s.renderManage(w, r, o, p, c, nil, nil)
}

func (s *Server) updateConsultation(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	saved, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	c := saved
	var f apperr.Fields
	opens, closes := readStaffConsultation(r, &c, &f)
	if !c.OpensAt.Equal(saved.OpensAt) {
		// Approval to open was for the old date.
		c.Scheduled = false
	}
	if len(f.Order()) > 0 {
		mergeFields(&f, c.Validate())
		err = f.Err()
	} else {
		err = s.Store.UpdateConsultation(r.Context(), c, p.User.ID)
	}
	if apperr.Is(err, apperr.Invalid) {
		return s.renderManage(w, r, o, p, saved, err, func(pg *ManageConsultationPage) {
			pg.Form = staffConsultationForm(pg.Base, c, opens, closes)
		})
	}
	if err != nil {
		return err
	}
	s.WakeJobs()
	s.sessions.Put(r.Context(), "flash", "consultations.saved")
	http.Redirect(w, r, staffConsultationURL(o, c.ID), http.StatusSeeOther)
	return nil
}

// setConsultationStatus opens, closes, reopens or schedules a consultation.
func (s *Server) setConsultationStatus(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	ctx := r.Context()
	action := r.FormValue("status")
	switch action {
	case "open", "closed":
		err = s.Store.SetConsultationStatus(ctx, c.ID, consultation.Status(action), p.User.ID)
	case "schedule", "unschedule":
		if c.Status != consultation.Draft {
			return apperr.New(apperr.Conflict, "error.consultations.schedule.not_draft")
		}
		if action == "schedule" && (c.OpensAt.IsZero() || !c.OpensAt.After(s.Now())) {
			var f apperr.Fields
			f.Add("opens_at", "error.consultations.schedule.no_date")
			return s.renderManage(w, r, o, p, c, f.Err(), nil)
		}
		c.Scheduled = action == "schedule"
		err = s.Store.UpdateConsultation(ctx, c, p.User.ID)
	default:
		return apperr.New(apperr.Invalid, "error.consultation.status.unknown")
	}
	if err != nil {
		return err
	}
	s.WakeJobs()
	s.sessions.Put(ctx, "flash", "consultations.flash."+action)
	http.Redirect(w, r, staffConsultationURL(o, c.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) addConsultationQuestion(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	q := consultation.Question{ConsultationID: c.ID}
	var f apperr.Fields
	maxLength, options := readStaffQuestion(r, &q, &f)
	if len(f.Order()) > 0 {
		mergeFields(&f, q.Validate())
		err = f.Err()
	} else {
		_, err = s.Store.AddQuestion(r.Context(), q, p.User.ID)
	}
	if apperr.Is(err, apperr.Invalid) {
		return s.renderManage(w, r, o, p, c, err, func(pg *ManageConsultationPage) {
			pg.Q = staffQuestionForm(pg.Base, pg.C.URL+"/questions", q, maxLength, options)
		})
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "consultations.question.added")
	http.Redirect(w, r, staffConsultationURL(o, c.ID)+"#questions", http.StatusSeeOther)
	return nil
}

// staffQuestion loads the question named by {question}, which must be the consultation's.
func (s *Server) staffQuestion(r *http.Request, c consultation.Consultation) (consultation.Question, error) {
	id, err := strconv.ParseInt(r.PathValue("question"), 10, 64)
	if err != nil {
		return consultation.Question{}, errNotFound
	}
	qs, err := s.Store.Questions(r.Context(), c.ID)
	if err != nil {
		return consultation.Question{}, err
	}
	for _, q := range qs {
		if q.ID == id {
			return q, nil
		}
	}
	return consultation.Question{}, errNotFound
}

// ConsultationQuestionPage changes one question of a draft consultation.
type ConsultationQuestionPage struct {
	Base
	Org      OrgItem
	C        StaffConsultationItem
	Position int
	Locked   bool
	Q        StaffQuestionForm
}

func (s *Server) consultationQuestionPage(r *http.Request, o org.Organisation, c consultation.Consultation, q consultation.Question, err error, maxLength, options string) ConsultationQuestionPage {
	lang := langOf(r)
	page := ConsultationQuestionPage{Base: s.orgBase(r, "consultations.question.edit_title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)},
		C: staffConsultationItem(o, c, lang), Position: q.Position, Locked: c.Status != consultation.Draft}
	showFieldErrors(&page.Base, err)
	page.Q = staffQuestionForm(page.Base, page.C.URL+"/questions/"+strconv.FormatInt(q.ID, 10), q, maxLength, options)
	return page
}

func (s *Server) editConsultationQuestion(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	q, err := s.staffQuestion(r, c)
	if err != nil {
		return err
	}
	ml := ""
	if q.MaxLength > 0 {
		ml = strconv.Itoa(q.MaxLength)
	}
	return s.render(w, r, http.StatusOK, "consultation-question", s.consultationQuestionPage(r, o, c, q, nil, ml, staffOptionLines(q.Options)))
}

func (s *Server) updateConsultationQuestion(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	q, err := s.staffQuestion(r, c)
	if err != nil {
		return err
	}
	var f apperr.Fields
	maxLength, options := readStaffQuestion(r, &q, &f)
	if len(f.Order()) > 0 {
		mergeFields(&f, q.Validate())
		err = f.Err()
	} else {
		err = s.Store.UpdateQuestion(r.Context(), q, p.User.ID)
	}
	if apperr.Is(err, apperr.Invalid) {
		return s.render(w, r, http.StatusUnprocessableEntity, "consultation-question", s.consultationQuestionPage(r, o, c, q, err, maxLength, options))
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "consultations.question.saved")
	http.Redirect(w, r, staffConsultationURL(o, c.ID)+"#questions", http.StatusSeeOther)
	return nil
}

func (s *Server) moveConsultationQuestion(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	q, err := s.staffQuestion(r, c)
	if err != nil {
		return err
	}
	if err := s.Store.MoveQuestion(r.Context(), q.ID, r.FormValue("direction") == "up", p.User.ID); err != nil {
		return err
	}
	http.Redirect(w, r, staffConsultationURL(o, c.ID)+"#questions", http.StatusSeeOther)
	return nil
}

func (s *Server) deleteConsultationQuestion(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	q, err := s.staffQuestion(r, c)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteQuestion(r.Context(), q.ID, p.User.ID); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "consultations.question.deleted")
	http.Redirect(w, r, staffConsultationURL(o, c.ID)+"#questions", http.StatusSeeOther)
	return nil
}

func (s *Server) uploadConsultationDocument(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	var f apperr.Fields
	title := ""
	if msg := parseUpload(r); msg != "" {
		f.Add("document", msg)
	} else {
		defer r.MultipartForm.RemoveAll()
		title = strings.TrimSpace(r.FormValue("doc_title"))
		f.Check(title != "", "doc_title", "error.consultations.document.title_required")
		f.Check(len([]rune(title)) <= consultation.MaxTitle, "doc_title", "error.consultation.title.too_long")
		if len(f.Order()) == 0 {
			d, msg, found, err := s.saveUpload(r, "document", c.ID, consultation.DocumentTypes)
			switch {
			case err != nil:
				return err
			case !found:
				f.Add("document", errUploadRequired)
			case msg != "":
				f.Add("document", msg)
			default:
				d.Title = title
				if _, err := s.Store.AddDocument(r.Context(), d, p.User.ID); err != nil {
					s.removeFile(d.Path)
					if !apperr.Is(err, apperr.Invalid) {
						return err
					}
					f.Add("doc_title", firstFieldMsg(err))
				}
			}
		}
	}
	if len(f.Order()) > 0 {
		return s.renderManage(w, r, o, p, c, f.Err(), func(pg *ManageConsultationPage) { pg.DocTitle = title })
	}
	s.sessions.Put(r.Context(), "flash", "consultations.document.added")
	http.Redirect(w, r, staffConsultationURL(o, c.ID)+"#documents", http.StatusSeeOther)
	return nil
}

// firstFieldMsg is the first field message of an Invalid error, or its message.
func firstFieldMsg(err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		if len(ae.Order) > 0 {
			return ae.Fields[ae.Order[0]]
		}
		return ae.Msg
	}
	return "error.400.title"
}

// staffDocument loads the document named by {doc}, which must be the
// consultation's and, with scan, a scanned response (otherwise not).
func (s *Server) staffDocument(r *http.Request, c consultation.Consultation, scan bool) (consultation.Document, error) {
	id, err := strconv.ParseInt(r.PathValue("doc"), 10, 64)
	if err != nil {
		return consultation.Document{}, errNotFound
	}
	d, err := s.Store.Document(r.Context(), id)
	if err == nil && (d.ConsultationID != c.ID || d.Scan != scan) {
		return d, errNotFound
	}
	return d, err
}

func (s *Server) staffDocumentFile(scan bool) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
		c, err := s.staffConsultation(r, o)
		if err != nil {
			return err
		}
		d, err := s.staffDocument(r, c, scan)
		if err != nil {
			return err
		}
		return s.serveDocument(w, r, d)
	}
}

func (s *Server) deleteConsultationDocument(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	d, err := s.staffDocument(r, c, false)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteDocument(r.Context(), d.ID, p.User.ID); err != nil {
		return err
	}
	s.removeFile(d.Path)
	s.sessions.Put(r.Context(), "flash", "consultations.document.deleted")
	http.Redirect(w, r, staffConsultationURL(o, c.ID)+"#documents", http.StatusSeeOther)
	return nil
}

// StaffAnswerField is a question's answer as a form draws it: for keying in a
// response, and read-only in the preview.
type StaffAnswerField struct {
	Name      string // "q<ID>", also the first input's id
	Number    int
	Kind      string
	Label     string
	Hint      string
	Error     string
	Prefix    string
	Optional  string // "(optional)" when not required
	Text      string
	Limit     int
	LimitText string
	Options   []StaffChoice
	Disabled  bool
}

// staffAnswerFields builds the answer inputs of the questions in lang, filled
// from the answers given.
func staffAnswerFields(b Base, qs []consultation.Question, answers func(consultation.Question) consultation.Answer, disabled bool) []StaffAnswerField {
	var out []StaffAnswerField
	for i, q := range qs {
		a := answers(q)
		f := StaffAnswerField{Name: q.Field(), Number: i + 1, Kind: string(q.Kind), Label: q.Text(b.Lang), Hint: q.Help(b.Lang),
			Error: b.ErrorFor(q.Field()), Prefix: b.T("error.prefix"), Text: a.Text, Disabled: disabled}
		if !q.Required {
			f.Optional = b.T("consultations.optional")
		}
		if q.Kind == consultation.FreeText {
			f.Limit = q.Limit()
			f.LimitText = b.T("consultations.answer.limit", "Count", f.Limit)
		}
		for j, op := range q.Options {
			id := f.Name
			if j > 0 {
				id = f.Name + "-" + strconv.Itoa(j+1)
			}
			it := StaffChoice{ID: id, Value: strconv.Itoa(j), Label: op.Label(b.Lang)}
			for _, c := range a.Choices {
				it.Checked = it.Checked || c == j
			}
			f.Options = append(f.Options, it)
		}
		out = append(out, f)
	}
	return out
}

// ConsultationPreviewPage shows a consultation as citizens will see it, draft or not.
type ConsultationPreviewPage struct {
	Base
	Org       OrgItem
	C         StaffConsultationItem
	Body      template.HTML
	Documents []StaffDocumentItem
	Questions []StaffAnswerField
}

func (s *Server) previewConsultation(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	c, err := s.staffConsultation(r, o)
	if err != nil {
		return err
	}
	lang := langOf(r)
	page := ConsultationPreviewPage{Base: s.orgBase(r, "", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)}, C: staffConsultationItem(o, c, lang),
		Body: markdown.New().Render(c.Body(lang))}
	page.Title = page.T("consultations.preview.title", "Title", page.C.Title)
	ctx := r.Context()
	docs, err := s.Store.Documents(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, d := range docs {
		page.Documents = append(page.Documents, staffDocumentItem(o, d))
	}
	qs, err := s.Store.Questions(ctx, c.ID)
	if err != nil {
		return err
	}
	page.Questions = staffAnswerFields(page.Base, qs, func(q consultation.Question) consultation.Answer { return consultation.Answer{} }, true)
	return s.render(w, r, http.StatusOK, "consultation-preview", page)
}
