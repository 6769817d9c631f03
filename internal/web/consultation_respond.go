package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/org"
	"parley/internal/outbox"
)

// The respond journey follows the GOV.UK question-page pattern: who is
// responding, then the questions (one a page, or all on one), then check
// your answers, then a confirmation. Every POST saves what was given, so
// nothing is lost, and nothing needs JavaScript.

// resumeLinkTTL is how long a save-and-return link works.
const resumeLinkTTL = 7 * 24 * time.Hour

// respondKey is the session key of the response under way for a
// consultation; respondedKey that of the one just submitted, for the
// confirmation page.
func respondKey(cid int64) string   { return "respond:" + strconv.FormatInt(cid, 10) }
func respondedKey(cid int64) string { return "responded:" + strconv.FormatInt(cid, 10) }

// Rate limits: starting and saving write rows; asking for a resume link
// sends email.
var (
	respondStartPerIP = rule{burst: 60, every: 5 * time.Second}
	resumePerIP       = rule{burst: 10, every: time.Minute}
	resumePerResponse = rule{burst: 3, every: 5 * time.Minute}
)

// journey is what every step of the journey works on.
type journey struct {
	c  consultation.Consultation
	o  org.Organisation
	qs []consultation.Question
	r  consultation.Response
}

func (j *journey) url(rest string) string { return consultationURL(j.c.ID) + "/respond" + rest }

// questionURL is the page of the nth question (1-based).
func (j *journey) questionURL(n int) string {
	if j.c.Layout == consultation.AllOnOne {
		return j.url("/questions")
	}
	return j.url("/questions/" + strconv.Itoa(n))
}

// firstQuestionURL is where the questions start, or the check page when
// there are none.
func (j *journey) firstQuestionURL() string {
	if len(j.qs) == 0 {
		return j.url("/check")
	}
	return j.questionURL(1)
}

// lastQuestionURL is the page before the check page.
func (j *journey) lastQuestionURL() string {
	if len(j.qs) == 0 {
		return j.url("/about")
	}
	return j.questionURL(len(j.qs))
}

type journeyHandler func(w http.ResponseWriter, r *http.Request, j *journey) error

// respond loads the journey of the response this browser has under way;
// without one the visitor goes back to the consultation page to start, and
// once the consultation has closed they are told so.
func (s *Server) respond(fn journeyHandler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, o, err := s.consultationFromPath(r)
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store")
		if !c.Responding() {
			return s.respondClosed(w, r, c, o)
		}
		ctx := r.Context()
		id := s.sessions.GetInt64(ctx, respondKey(c.ID))
		if id == 0 {
			http.Redirect(w, r, consultationURL(c.ID), http.StatusSeeOther)
			return nil
		}
		resp, err := s.Store.Response(ctx, id)
		if apperr.Is(err, apperr.NotFound) || (err == nil && resp.ConsultationID != c.ID) {
			s.sessions.Remove(ctx, respondKey(c.ID))
			http.Redirect(w, r, consultationURL(c.ID), http.StatusSeeOther)
			return nil
		}
		if err != nil {
			return err
		}
		if resp.Status != consultation.InProgress {
			s.sessions.Remove(ctx, respondKey(c.ID))
			s.sessions.Put(ctx, respondedKey(c.ID), resp.ID)
			http.Redirect(w, r, consultationURL(c.ID)+"/respond/done", http.StatusSeeOther)
			return nil
		}
		qs, err := s.Store.Questions(ctx, c.ID)
		if err != nil {
			return err
		}
		err = fn(w, r, &journey{c: c, o: o, qs: qs, r: resp})
		if apperr.Is(err, apperr.Conflict) {
			// The consultation closed while they were answering.
			if now, cerr := s.Store.Consultation(ctx, c.ID); cerr == nil && !now.Responding() {
				return s.respondClosed(w, r, now, o)
			}
		}
		return err
	}
}

// RespondClosedPage tells a respondent the consultation is no longer
// taking responses, so what they were writing was not sent.
type RespondClosedPage struct {
	Base
	Org        OrgItem
	C          PublicConsultation
	InProgress bool // they had a response under way
}

func (s *Server) respondClosed(w http.ResponseWriter, r *http.Request, c consultation.Consultation, o org.Organisation) error {
	lang := langOf(r)
	page := RespondClosedPage{Base: s.orgBase(r, "respond.closed.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)},
		C: publicConsultation(c, lang)}
	page.InProgress = s.sessions.GetInt64(r.Context(), respondKey(c.ID)) != 0
	s.sessions.Remove(r.Context(), respondKey(c.ID))
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusConflict
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, status, "consultation-respond-closed", page)
}

// respondStart creates the response (or carries on with the one under way)
// and goes to the first question page.
func (s *Server) respondStart(w http.ResponseWriter, r *http.Request) error {
	c, o, err := s.consultationFromPath(r)
	if err != nil {
		return err
	}
	if !c.Responding() {
		return s.respondClosed(w, r, c, o)
	}
	ctx := r.Context()
	next := consultationURL(c.ID) + "/respond/about"
	if id := s.sessions.GetInt64(ctx, respondKey(c.ID)); id != 0 {
		if resp, err := s.Store.Response(ctx, id); err == nil && resp.ConsultationID == c.ID && resp.Status == consultation.InProgress {
			http.Redirect(w, r, next, http.StatusSeeOther)
			return nil
		}
	}
	if err := s.limits.allow("respond-start:"+clientIP(r), respondStartPerIP); err != nil {
		return err
	}
	resp := consultation.Response{ConsultationID: c.ID, Channel: consultation.ChannelWeb, Status: consultation.InProgress,
		Respondent: consultation.Individual, Consent: consultation.PublishNot}
	if p := principalOf(r); p != nil {
		resp.UserID, resp.Email, resp.Name = p.User.ID, p.User.Email, p.User.DisplayName
	}
	resp, err = s.Store.StartResponse(ctx, resp)
	if apperr.Is(err, apperr.Conflict) {
		return s.respondClosed(w, r, c, o)
	}
	if err != nil {
		return err
	}
	s.sessions.Put(ctx, respondKey(c.ID), resp.ID)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// RespondFrame is what every page of the journey shows around its form.
type RespondFrame struct {
	Base
	Org    OrgItem
	C      PublicConsultation
	Back   string // the Back link
	Return string // "check" when changing an answer from the check page
}

func (s *Server) respondFrame(r *http.Request, j *journey, title string) RespondFrame {
	lang := langOf(r)
	f := RespondFrame{Base: s.orgBase(r, title, j.o), Org: OrgItem{Slug: j.o.Slug, Name: j.o.Name(lang)},
		C: publicConsultation(j.c, lang)}
	if returning(r) {
		f.Return = "check"
	}
	return f
}

// returning reports whether the visitor came from the check page to
// change an answer, so Continue takes them back there.
func returning(r *http.Request) bool {
	if r.Method == http.MethodPost {
		return r.PostFormValue("return") == "check"
	}
	return r.URL.Query().Get("return") == "check"
}

// RespondAboutPage asks who is responding and what may be done with the response.
type RespondAboutPage struct {
	RespondFrame
	Respondent string
	OrgName    string
	Name       string
	Email      string
	Consent    string
	HearBack   bool
	AgeBands   []AgeBandChoice // the optional age question
}

func (s *Server) aboutPage(r *http.Request, j *journey, resp consultation.Response) RespondAboutPage {
	page := RespondAboutPage{RespondFrame: s.respondFrame(r, j, "respond.about.title"), Respondent: string(resp.Respondent),
		OrgName: resp.OrgName, Name: resp.Name, Email: resp.Email, Consent: string(resp.Consent), HearBack: resp.HearBack}
	page.Back = consultationURL(j.c.ID)
	if page.Return != "" {
		page.Back = j.url("/check")
	}
	page.AgeBands = ageBandChoices(page.Base, resp.AgeBand)
	return page
}

func (s *Server) respondAbout(w http.ResponseWriter, r *http.Request, j *journey) error {
	return s.render(w, r, http.StatusOK, "consultation-respond-about", s.aboutPage(r, j, j.r))
}

func (s *Server) respondAboutSave(w http.ResponseWriter, r *http.Request, j *journey) error {
	resp := j.r
	resp.Respondent = consultation.Respondent(r.PostFormValue("respondent"))
	resp.OrgName = r.PostFormValue("org_name")
	resp.Name = r.PostFormValue("name")
	resp.Email = r.PostFormValue("email")
	resp.Consent = consultation.Consent(r.PostFormValue("consent"))
	resp.HearBack = r.PostFormValue("hear_back") == "yes"
	resp.AgeBand = r.PostFormValue("age_band")
	resp.Channel = consultation.ChannelWeb
	resp.Normalise()
	err := resp.ValidateAbout()
	if err == nil {
		resp.Answers = nil
		err = s.Store.SaveResponse(r.Context(), resp, nil)
	}
	var ae *apperr.Error
	if apperr.Is(err, apperr.Invalid) && errors.As(err, &ae) && len(ae.Fields) > 0 {
		page := s.aboutPage(r, j, resp)
		// What was typed is shown again as typed, even if normalising dropped it.
		page.OrgName = r.PostFormValue("org_name")
		page.withErrors(ae.Order, ae.Fields)
		return s.render(w, r, http.StatusUnprocessableEntity, "consultation-respond-about", page)
	}
	if err != nil {
		return err
	}
	next := j.firstQuestionURL()
	if returning(r) {
		next = j.url("/check")
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// RespondQuestionsPage asks one question (one-per-page layout) or all of
// them (all-on-one).
type RespondQuestionsPage struct {
	RespondFrame
	OnePerPage bool
	N, Total   int // one-per-page: this question's number and how many there are
	Action     string
	Questions  []QuestionView
}

// QuestionView is a question as its form field draws it.
type QuestionView struct {
	ID       int64
	Field    string
	N        int
	Text     string
	Help     string
	Kind     string
	Required bool
	Limit    int
	Options  []OptionView
	Value    string // free text as given
	Error    string
	// Words the field partial needs, in the page's language.
	Heading  bool   // the question is the page's heading (one per page)
	Optional string // "(optional)" when it is
	Prefix   string // "Error:" for screen readers
	Info     string // the character count's message
}

// Described is the question's aria-describedby list.
func (q QuestionView) Described(extra ...string) string {
	var ids []string
	if q.Help != "" {
		ids = append(ids, q.Field+"-hint")
	}
	ids = append(ids, extra...)
	if q.Error != "" {
		ids = append(ids, q.Field+"-error")
	}
	return strings.Join(ids, " ")
}

// finishQuestions fills in the words each question's partial shows.
func finishQuestions(page *RespondQuestionsPage) {
	for i := range page.Questions {
		q := &page.Questions[i]
		q.Heading = page.OnePerPage
		if !q.Required {
			q.Optional = page.T("respond.optional")
		}
		q.Prefix = page.T("error.prefix")
		q.Info = page.T("respond.char_limit", "Max", q.Limit)
	}
}

// OptionView is one radio or checkbox; the first carries the question's
// field as its ID, so the error summary's link lands on it.
type OptionView struct {
	ID      string
	Value   string // the option's number, 1-based
	Label   string
	Checked bool
}

func questionView(q consultation.Question, n int, a consultation.Answer, lang string) QuestionView {
	v := QuestionView{ID: q.ID, Field: q.Field(), N: n, Text: q.Text(lang), Help: q.Help(lang), Kind: string(q.Kind),
		Required: q.Required, Limit: q.Limit(), Value: a.Text}
	chosen := map[int]bool{}
	for _, c := range a.Choices {
		chosen[c] = true
	}
	for i, o := range q.Options {
		id := v.Field
		if i > 0 {
			id += "-" + strconv.Itoa(i+1)
		}
		v.Options = append(v.Options, OptionView{ID: id, Value: strconv.Itoa(i + 1), Label: o.Label(lang), Checked: chosen[i]})
	}
	return v
}

// answerFrom reads a question's answer from a form; ok is false when a
// choice is not one of the question's options.
func answerFrom(q consultation.Question, form url.Values) (consultation.Answer, bool) {
	a := consultation.Answer{QuestionID: q.ID}
	if q.Kind == consultation.FreeText {
		// Browsers send CRLF line breaks; the character count counts one.
		a.Text = strings.TrimSpace(strings.ReplaceAll(form.Get(q.Field()), "\r\n", "\n"))
		return a, true
	}
	seen := map[int]bool{}
	ok := true
	for _, v := range form[q.Field()] {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > len(q.Options) {
			ok = false
			continue
		}
		seen[n-1] = true
	}
	for i := range q.Options {
		if seen[i] {
			a.Choices = append(a.Choices, i)
		}
	}
	return a, ok
}

// checkAnswer validates one answer. Saving to come back later lets a
// required question stay unanswered, but not a wrong answer.
func checkAnswer(q consultation.Question, a consultation.Answer, ok, later bool, f *apperr.Fields) {
	if !ok {
		f.Add(q.Field(), "error.answer.invalid")
		return
	}
	if later && a.Empty() {
		return
	}
	q.Check(a, f)
}

// saveAnswers stores the answers given; an empty answer clears any saved one.
func (s *Server) saveAnswers(r *http.Request, j *journey, answers []consultation.Answer) error {
	resp := j.r
	resp.Answers = nil
	var clear []int64
	for _, a := range answers {
		if a.Empty() {
			clear = append(clear, a.QuestionID)
		} else {
			resp.Answers = append(resp.Answers, a)
		}
	}
	return s.Store.SaveResponse(r.Context(), resp, clear)
}

// questionN reads {n}: the question's position, 1-based.
func questionN(r *http.Request, j *journey) (int, error) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > len(j.qs) {
		return 0, errNotFound
	}
	return n, nil
}

func (s *Server) respondQuestionPage(r *http.Request, j *journey, n int, a consultation.Answer) RespondQuestionsPage {
	q := j.qs[n-1]
	page := RespondQuestionsPage{RespondFrame: s.respondFrame(r, j, ""), OnePerPage: true, N: n, Total: len(j.qs),
		Action: j.questionURL(n), Questions: []QuestionView{questionView(q, n, a, langOf(r))}}
	page.Title = page.Questions[0].Text
	switch {
	case page.Return != "":
		page.Back = j.url("/check")
	case n == 1:
		page.Back = j.url("/about")
	default:
		page.Back = j.questionURL(n - 1)
	}
	finishQuestions(&page)
	return page
}

func (s *Server) respondQuestion(w http.ResponseWriter, r *http.Request, j *journey) error {
	if j.c.Layout == consultation.AllOnOne {
		http.Redirect(w, r, j.url("/questions"), http.StatusSeeOther)
		return nil
	}
	n, err := questionN(r, j)
	if err != nil {
		return err
	}
	page := s.respondQuestionPage(r, j, n, j.r.Answer(j.qs[n-1].ID))
	return s.render(w, r, http.StatusOK, "consultation-respond-questions", page)
}

func (s *Server) respondQuestionSave(w http.ResponseWriter, r *http.Request, j *journey) error {
	if j.c.Layout == consultation.AllOnOne {
		return errNotFound
	}
	n, err := questionN(r, j)
	if err != nil {
		return err
	}
	q := j.qs[n-1]
	later := r.PostFormValue("later") != ""
	a, ok := answerFrom(q, r.PostForm)
	var f apperr.Fields
	checkAnswer(q, a, ok, later, &f)
	if f.Err() == nil {
		err = s.saveAnswers(r, j, []consultation.Answer{a})
	} else {
		err = f.Err()
	}
	var ae *apperr.Error
	if apperr.Is(err, apperr.Invalid) && errors.As(err, &ae) && len(ae.Fields) > 0 {
		page := s.respondQuestionPage(r, j, n, a)
		page.withErrors(ae.Order, ae.Fields)
		page.Questions[0].Error = page.ErrorFor(q.Field())
		return s.render(w, r, http.StatusUnprocessableEntity, "consultation-respond-questions", page)
	}
	if err != nil {
		return err
	}
	next := j.url("/check")
	switch {
	case later:
		next = j.url("/save")
	case returning(r):
	case n < len(j.qs):
		next = j.questionURL(n + 1)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) allQuestionsPage(r *http.Request, j *journey, answers map[int64]consultation.Answer) RespondQuestionsPage {
	page := RespondQuestionsPage{RespondFrame: s.respondFrame(r, j, "respond.questions.title"), Total: len(j.qs),
		Action: j.url("/questions")}
	lang := langOf(r)
	for i, q := range j.qs {
		a, ok := answers[q.ID]
		if !ok {
			a = j.r.Answer(q.ID)
		}
		page.Questions = append(page.Questions, questionView(q, i+1, a, lang))
	}
	page.Back = j.url("/about")
	if page.Return != "" {
		page.Back = j.url("/check")
	}
	finishQuestions(&page)
	return page
}

func (s *Server) respondQuestions(w http.ResponseWriter, r *http.Request, j *journey) error {
	if j.c.Layout != consultation.AllOnOne {
		http.Redirect(w, r, j.firstQuestionURL(), http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "consultation-respond-questions", s.allQuestionsPage(r, j, nil))
}

func (s *Server) respondQuestionsSave(w http.ResponseWriter, r *http.Request, j *journey) error {
	if j.c.Layout != consultation.AllOnOne {
		return errNotFound
	}
	later := r.PostFormValue("later") != ""
	var f apperr.Fields
	given := map[int64]consultation.Answer{}
	var answers []consultation.Answer
	for _, q := range j.qs {
		a, ok := answerFrom(q, r.PostForm)
		checkAnswer(q, a, ok, later, &f)
		given[q.ID] = a
		answers = append(answers, a)
	}
	err := f.Err()
	if err == nil {
		err = s.saveAnswers(r, j, answers)
	}
	var ae *apperr.Error
	if apperr.Is(err, apperr.Invalid) && errors.As(err, &ae) && len(ae.Fields) > 0 {
		page := s.allQuestionsPage(r, j, given)
		page.Errors = numberedErrors(page.Base, j.qs, ae)
		for i := range page.Questions {
			page.Questions[i].Error = page.T(ae.Fields[page.Questions[i].Field])
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "consultation-respond-questions", page)
	}
	if err != nil {
		return err
	}
	next := j.url("/check")
	if later {
		next = j.url("/save")
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// numberedErrors is the error summary of a page showing many questions:
// each message about an answer says which question it is about.
func numberedErrors(b Base, qs []consultation.Question, ae *apperr.Error) []FieldError {
	n := map[string]int{}
	for i, q := range qs {
		n[q.Field()] = i + 1
	}
	var out []FieldError
	for _, field := range ae.Order {
		msg := b.T(ae.Fields[field])
		if i, ok := n[field]; ok {
			msg = b.T("respond.question_error", "N", i, "Message", msg)
		}
		out = append(out, FieldError{Field: field, Msg: msg})
	}
	return out
}

// RespondCheckPage shows every answer before the response is sent.
type RespondCheckPage struct {
	RespondFrame
	About   []CheckRow
	Answers []CheckRow
}

// CheckRow is one row of the check-your-answers summary list.
type CheckRow struct {
	ID         string // the field, so an error summary link lands on the row
	Key        string
	Value      string
	Lines      []string // choices, one a line
	Change     string
	ChangeText string
}

func (s *Server) checkPage(r *http.Request, j *journey) RespondCheckPage {
	page := RespondCheckPage{RespondFrame: s.respondFrame(r, j, "respond.check.title")}
	page.Back = j.lastQuestionURL()
	lang := page.Lang
	about := j.url("/about?return=check")
	resp := j.r
	notGiven := page.T("respond.check.not_given")
	change := page.T("respond.check.change")
	orDefault := func(v string) string {
		if v == "" {
			return notGiven
		}
		return v
	}
	as := page.T("respond.about.individual")
	if resp.Respondent == consultation.Organisation {
		as = page.T("respond.check.for_org", "Org", resp.OrgName)
	}
	hear := page.T("respond.check.no")
	if resp.HearBack {
		hear = page.T("respond.check.yes")
	}
	consent := map[consultation.Consent]string{consultation.PublishNot: "respond.about.consent_no",
		consultation.PublishAnonymous: "respond.about.consent_anonymous", consultation.PublishNamed: "respond.about.consent_named"}
	page.About = []CheckRow{
		{ID: "respondent", Key: page.T("respond.check.responding_as"), Value: as, Change: about},
		{ID: "name", Key: page.T("respond.about.name"), Value: orDefault(resp.Name), Change: about},
		{ID: "email", Key: page.T("respond.about.email"), Value: orDefault(resp.Email), Change: about},
		{ID: "consent", Key: page.T("respond.check.publish"), Value: page.T(consent[resp.Consent]), Change: about},
		{ID: "hear_back", Key: page.T("respond.check.hear_back"), Value: hear, Change: about},
		{ID: "age_band", Key: page.T("respond.check.age_band"), Value: page.T(ageBandLabel(resp.AgeBand)), Change: about},
	}
	if resp.Respondent == consultation.Organisation {
		page.About[0].ID = "org_name"
	}
	for i := range page.About {
		page.About[i].ChangeText = change
	}
	for i, q := range j.qs {
		a := resp.Answer(q.ID)
		row := CheckRow{ChangeText: change, ID: q.Field(), Key: strconv.Itoa(i+1) + ". " + q.Text(lang), Change: j.questionURL(i+1) + "?return=check"}
		if j.c.Layout == consultation.AllOnOne {
			row.Change += "#" + q.Field()
		}
		switch {
		case a.Empty():
			row.Value = page.T("respond.check.not_answered")
		case q.Kind == consultation.FreeText:
			row.Value = a.Text
		default:
			row.Lines = choiceLabels(q, a, lang)
		}
		page.Answers = append(page.Answers, row)
	}
	return page
}

func (s *Server) respondCheck(w http.ResponseWriter, r *http.Request, j *journey) error {
	return s.render(w, r, http.StatusOK, "consultation-respond-check", s.checkPage(r, j))
}

func (s *Server) respondSubmit(w http.ResponseWriter, r *http.Request, j *journey) error {
	resp, err := s.Store.SubmitResponse(r.Context(), j.r.ID, s.receipt(langOf(r)))
	var ae *apperr.Error
	if apperr.Is(err, apperr.Invalid) && errors.As(err, &ae) && len(ae.Fields) > 0 {
		page := s.checkPage(r, j)
		page.Errors = numberedErrors(page.Base, j.qs, ae)
		return s.render(w, r, http.StatusUnprocessableEntity, "consultation-respond-check", page)
	}
	if err != nil {
		return err
	}
	s.WakeJobs()
	s.sessions.Remove(r.Context(), respondKey(j.c.ID))
	s.sessions.Put(r.Context(), respondedKey(j.c.ID), resp.ID)
	http.Redirect(w, r, j.url("/done"), http.StatusSeeOther)
	return nil
}

// receipt composes the email with a copy of the answers, in the language
// the respondent used; it is sent only when they gave an address.
func (s *Server) receipt(lang string) func(consultation.Consultation, []consultation.Question, consultation.Response) (outbox.Message, bool) {
	p := s.Catalogue.Printer(lang)
	return func(c consultation.Consultation, qs []consultation.Question, resp consultation.Response) (outbox.Message, bool) {
		if resp.Email == "" {
			return outbox.Message{}, false
		}
		var b strings.Builder
		for i, q := range qs {
			b.WriteString(strconv.Itoa(i+1) + ". " + q.Text(lang) + "\n")
			a := resp.Answer(q.ID)
			switch {
			case a.Empty():
				b.WriteString(p.T("respond.check.not_answered") + "\n")
			case q.Kind == consultation.FreeText:
				b.WriteString(a.Text + "\n")
			default:
				for _, l := range choiceLabels(q, a, lang) {
					b.WriteString("- " + l + "\n")
				}
			}
			b.WriteString("\n")
		}
		next := p.T("email.respond.receipt.no_hear_back")
		if resp.HearBack {
			next = p.T("email.respond.receipt.hear_back")
		}
		title := strings.Join(strings.Fields(c.Title(lang)), " ")
		return outbox.Message{
			Kind:    "consultation-receipt",
			To:      resp.Email,
			Subject: p.T("email.respond.receipt.subject", "Title", title),
			Body: p.T("email.respond.receipt.body", "Title", title, "Reference", strconv.FormatInt(resp.ID, 10),
				"Answers", b.String(), "Next", next, "Link", s.BaseURL+consultationURL(c.ID)),
		}, true
	}
}

// RespondDonePage confirms the response was received.
type RespondDonePage struct {
	Base
	Org       OrgItem
	C         PublicConsultation
	Reference string
	Email     string
	HearBack  bool
	Published bool // they agreed to publication
}

func (s *Server) respondDone(w http.ResponseWriter, r *http.Request) error {
	c, o, err := s.consultationFromPath(r)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	id := s.sessions.GetInt64(r.Context(), respondedKey(c.ID))
	if id == 0 {
		http.Redirect(w, r, consultationURL(c.ID), http.StatusSeeOther)
		return nil
	}
	resp, err := s.Store.Response(r.Context(), id)
	if err != nil {
		return err
	}
	if resp.ConsultationID != c.ID || resp.Status != consultation.Submitted {
		return errNotFound
	}
	lang := langOf(r)
	page := RespondDonePage{Base: s.orgBase(r, "respond.done.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)},
		C: publicConsultation(c, lang), Reference: strconv.FormatInt(resp.ID, 10), Email: resp.Email, HearBack: resp.HearBack,
		Published: resp.Consent != consultation.PublishNot}
	return s.render(w, r, http.StatusOK, "consultation-respond-done", page)
}

// RespondSavePage asks where to send a link to come back to the response,
// then says it has been sent.
type RespondSavePage struct {
	RespondFrame
	Email string
	Sent  bool
	Days  int
}

func (s *Server) savePage(r *http.Request, j *journey) RespondSavePage {
	page := RespondSavePage{RespondFrame: s.respondFrame(r, j, "respond.save.title"), Email: j.r.Email,
		Days: int(resumeLinkTTL / (24 * time.Hour))}
	page.Back = j.url("/check")
	return page
}

func (s *Server) respondSaveForm(w http.ResponseWriter, r *http.Request, j *journey) error {
	page := s.savePage(r, j)
	if r.URL.Query().Get("sent") != "" {
		if sent := s.sessions.GetString(r.Context(), "respond_saved_to"); sent != "" {
			page.Sent, page.Email = true, sent
			page.Title = page.T("respond.save.sent_title")
		}
	}
	return s.render(w, r, http.StatusOK, "consultation-respond-save", page)
}

func (s *Server) respondSave(w http.ResponseWriter, r *http.Request, j *journey) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	if !consultation.ValidEmail(email) {
		page := s.savePage(r, j)
		page.Email = r.PostFormValue("email")
		msg := "error.response.email.invalid"
		if email == "" {
			msg = "respond.save.email_required"
		}
		page.withErrors([]string{"email"}, map[string]string{"email": msg})
		return s.render(w, r, http.StatusUnprocessableEntity, "consultation-respond-save", page)
	}
	if err := s.limits.allow("resume-ip:"+clientIP(r), resumePerIP); err != nil {
		return err
	}
	if err := s.limits.allow("resume-response:"+strconv.FormatInt(j.r.ID, 10), resumePerResponse); err != nil {
		return err
	}
	lang := langOf(r)
	p := s.Catalogue.Printer(lang)
	title := strings.Join(strings.Fields(j.c.Title(lang)), " ")
	days := int(resumeLinkTTL / (24 * time.Hour))
	compose := func(to, token string) outbox.Message {
		link := s.BaseURL + j.url("/resume/"+token) + "?lang=" + lang
		return outbox.Message{Kind: "consultation-resume", To: to,
			Subject: p.T("email.respond.resume.subject", "Title", title),
			Body:    p.T("email.respond.resume.body", "Title", title, "Link", link, "Days", days)}
	}
	if err := s.Store.CreateResumeLink(r.Context(), j.r.ID, email, resumeLinkTTL, compose); err != nil {
		return err
	}
	s.WakeJobs()
	s.sessions.Put(r.Context(), "respond_saved_to", email)
	http.Redirect(w, r, j.url("/save?sent=1"), http.StatusSeeOther)
	return nil
}

// RespondResumePage asks the visitor to confirm, so that mail scanners
// that follow links do not spend a resume link.
type RespondResumePage struct {
	Base
	Org    OrgItem
	C      PublicConsultation
	Action string
}

func (s *Server) respondResumeForm(w http.ResponseWriter, r *http.Request) error {
	c, o, err := s.consultationFromPath(r)
	if err != nil {
		return err
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	if !c.Responding() {
		return s.respondClosed(w, r, c, o)
	}
	lang := langOf(r)
	page := RespondResumePage{Base: s.orgBase(r, "respond.resume.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)},
		C: publicConsultation(c, lang), Action: consultationURL(c.ID) + "/respond/resume/" + url.PathEscape(r.PathValue("token"))}
	return s.render(w, r, http.StatusOK, "consultation-respond-resume", page)
}

func (s *Server) respondResume(w http.ResponseWriter, r *http.Request) error {
	c, o, err := s.consultationFromPath(r)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	if !c.Responding() {
		return s.respondClosed(w, r, c, o)
	}
	if err := s.limits.allow("resume-ip:"+clientIP(r), resumePerIP); err != nil {
		return err
	}
	resp, err := s.Store.UseResumeLink(r.Context(), r.PathValue("token"))
	if apperr.Is(err, apperr.Conflict) {
		// Closed since the page was shown, or the response was sent meanwhile.
		if now, cerr := s.Store.Consultation(r.Context(), c.ID); cerr == nil && !now.Responding() {
			return s.respondClosed(w, r, now, o)
		}
	}
	if apperr.Is(err, apperr.Unauthenticated) || apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Conflict) ||
		(err == nil && resp.ConsultationID != c.ID) {
		b := s.orgBase(r, "respond.resume.invalid_title", o)
		return s.render(w, r, http.StatusGone, "error", ErrorPage{Base: b, Status: http.StatusGone,
			Heading: b.T("respond.resume.invalid_title"), Message: b.T("respond.resume.invalid_body")})
	}
	if err != nil {
		return err
	}
	// A fresh session token, so one planted before cannot read the response.
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), respondKey(c.ID), resp.ID)
	qs, err := s.Store.Questions(r.Context(), c.ID)
	if err != nil {
		return err
	}
	j := &journey{c: c, o: o, qs: qs, r: resp}
	next := j.url("/check")
	for i, q := range qs {
		if resp.Answer(q.ID).Empty() {
			next = j.questionURL(i + 1)
			break
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}
