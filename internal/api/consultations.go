package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/consultation"
)

// The consultation endpoints: staff author and run consultations, key in
// responses that came by post, email, phone or at events, export them, and
// read the analysis.

// maxBatch bounds the responses one request may carry; larger batches go
// through the CSV import page, which reports problems row by row.
const maxBatch = 1000

// maxSearch bounds the words searched for in free-text answers.
const maxSearch = 200

// textJSON is a text in English and Welsh. Unlike names elsewhere, cy is
// empty when there is no Welsh text, so what is read can be sent back.
type textJSON struct {
	EN string `json:"en"`
	CY string `json:"cy"`
}

type consultationJSON struct {
	ID           int64          `json:"id"`
	Organisation string         `json:"organisation"`
	Title        textJSON       `json:"title"`
	Summary      textJSON       `json:"summary"`
	Body         textJSON       `json:"body"`
	Status       string         `json:"status"`
	Layout       string         `json:"layout"`
	OpensAt      string         `json:"opens_at,omitempty"`
	ClosesAt     string         `json:"closes_at,omitempty"`
	Scheduled    bool           `json:"scheduled"`
	CreatedAt    string         `json:"created_at"`
	OpenedAt     string         `json:"opened_at,omitempty"`
	ClosedAt     string         `json:"closed_at,omitempty"`
	Responses    int            `json:"responses"`
	Clock        *clockJSON     `json:"response_clock,omitempty"`
	Outcome      *outcomeJSON   `json:"outcome,omitempty"`
	Questions    []questionJSON `json:"questions,omitzero"` // nil in lists
	Documents    []documentJSON `json:"documents,omitzero"`
	Links        consultLinks   `json:"links"`
}

type consultLinks struct {
	Self      string `json:"self"`
	HTML      string `json:"html"`
	Responses string `json:"responses"`
	Analysis  string `json:"analysis"`
}

type clockJSON struct {
	Due      string `json:"due"`
	DaysLeft int    `json:"days_left"`
	Overdue  int    `json:"overdue"`
}

type outcomeJSON struct {
	PublishedAt string        `json:"published_at"`
	Summary     textJSON      `json:"summary"`
	Decision    textJSON      `json:"decision"`
	Items       []youSaidJSON `json:"items"`
}

type youSaidJSON struct {
	ThemeID int64    `json:"theme_id,omitempty"`
	Said    textJSON `json:"said"`
	Did     textJSON `json:"did"`
}

type questionJSON struct {
	ID        int64      `json:"id"`
	Position  int        `json:"position"`
	Kind      string     `json:"kind"`
	Text      textJSON   `json:"text"`
	Help      textJSON   `json:"help"`
	Required  bool       `json:"required"`
	MaxLength int        `json:"max_length,omitempty"`
	Options   []textJSON `json:"options"`
}

type documentJSON struct {
	ID          int64         `json:"id"`
	Title       string        `json:"title"`
	FileName    string        `json:"file_name"`
	ContentType string        `json:"content_type"`
	Size        int64         `json:"size"`
	CreatedAt   string        `json:"created_at"`
	Links       documentLinks `json:"links"`
}

type documentLinks struct {
	HTML string `json:"html"`
}

func (a *API) consultationURL(id int64) string {
	return a.baseURL + "/api/v1/consultations/" + strconv.FormatInt(id, 10)
}

func (a *API) consultationJSON(c consultation.Consultation, slug string, responses int, now time.Time) consultationJSON {
	self := a.consultationURL(c.ID)
	out := consultationJSON{
		ID: c.ID, Organisation: slug, Status: string(c.Status), Layout: string(c.Layout), Scheduled: c.Scheduled,
		Title:   textJSON{EN: c.TitleEN, CY: c.TitleCY},
		Summary: textJSON{EN: c.SummaryEN, CY: c.SummaryCY},
		Body:    textJSON{EN: c.BodyEN, CY: c.BodyCY},
		OpensAt: optTime(c.OpensAt, timestamp(c.OpensAt)), ClosesAt: optTime(c.ClosesAt, timestamp(c.ClosesAt)),
		CreatedAt: timestamp(c.CreatedAt), OpenedAt: optTime(c.OpenedAt, timestamp(c.OpenedAt)),
		ClosedAt: optTime(c.ClosedAt, timestamp(c.ClosedAt)), Responses: responses,
		Links: consultLinks{Self: self, HTML: a.baseURL + "/consultations/" + strconv.FormatInt(c.ID, 10),
			Responses: self + "/responses", Analysis: self + "/analysis"},
	}
	if k, ok := c.ResponseClock(now); ok {
		out.Clock = &clockJSON{Due: timestamp(k.Due), DaysLeft: k.DaysLeft, Overdue: k.Overdue}
	}
	if c.Status == consultation.Outcome {
		o := &outcomeJSON{PublishedAt: timestamp(c.OutcomeAt), Items: []youSaidJSON{},
			Summary:  textJSON{EN: c.Result.SummaryEN, CY: c.Result.SummaryCY},
			Decision: textJSON{EN: c.Result.DecisionEN, CY: c.Result.DecisionCY}}
		for _, y := range c.Result.Items {
			o.Items = append(o.Items, youSaidJSON{ThemeID: y.ThemeID, Said: textJSON{EN: y.SaidEN, CY: y.SaidCY}, Did: textJSON{EN: y.DidEN, CY: y.DidCY}})
		}
		out.Outcome = o
	}
	return out
}

func questionOut(q consultation.Question) questionJSON {
	out := questionJSON{ID: q.ID, Position: q.Position, Kind: string(q.Kind), Required: q.Required, MaxLength: q.MaxLength,
		Text: textJSON{EN: q.TextEN, CY: q.TextCY}, Help: textJSON{EN: q.HelpEN, CY: q.HelpCY}, Options: []textJSON{}}
	for _, o := range q.Options {
		out.Options = append(out.Options, textJSON{EN: o.EN, CY: o.CY})
	}
	return out
}

func (a *API) documentOut(consultationID int64, d consultation.Document) documentJSON {
	return documentJSON{ID: d.ID, Title: d.Title, FileName: d.FileName, ContentType: d.ContentType, Size: d.Size,
		CreatedAt: timestamp(d.CreatedAt), Links: documentLinks{HTML: a.baseURL + "/consultations/" +
			strconv.FormatInt(consultationID, 10) + "/documents/" + strconv.FormatInt(d.ID, 10)}}
}

// consultationFor loads the consultation in the path; see engagementFor.
func (a *API) consultationFor(r *http.Request, c caller, perm account.Permission) (consultation.Consultation, string, error) {
	return engagementFor(a, r, c, perm, "error.consultation.not_found", a.st.Consultation,
		func(k consultation.Consultation) (int64, bool) { return k.OrgID, k.Public() })
}

func (a *API) consultationList(w http.ResponseWriter, r *http.Request, c caller) error {
	o, pg, after, err := a.listOf(r)
	if err != nil {
		return err
	}
	all, err := a.st.Consultations(r.Context(), o.ID, c.principal.Can(o.ID, account.PermStaffArea))
	if err != nil {
		return err
	}
	counts, err := a.st.ConsultationResponseCounts(r.Context(), o.ID)
	if err != nil {
		return err
	}
	now := time.Now()
	// Newest first, so the cursor is the last ID served and the next page
	// holds smaller ones.
	out := list[consultationJSON]{Items: []consultationJSON{}}
	for _, k := range all {
		if after >= 0 && k.ID >= after {
			continue
		}
		if len(out.Items) == pg.limit {
			out.NextCursor = encodeCursor(strconv.FormatInt(out.Items[len(out.Items)-1].ID, 10))
			w.Header().Set("Link", "<"+a.nextURL(r, out.NextCursor, pg.limit)+`>; rel="next"`)
			break
		}
		out.Items = append(out.Items, a.consultationJSON(k, o.Slug, counts[k.ID], now))
	}
	return writeJSON(w, http.StatusOK, out)
}

// writeConsultation writes one consultation with its questions and
// published documents.
func (a *API) writeConsultation(w http.ResponseWriter, r *http.Request, k consultation.Consultation, slug string, status int) error {
	ctx := r.Context()
	counts, err := a.st.ConsultationResponseCounts(ctx, k.OrgID)
	if err != nil {
		return err
	}
	qs, err := a.st.Questions(ctx, k.ID)
	if err != nil {
		return err
	}
	docs, err := a.st.Documents(ctx, k.ID)
	if err != nil {
		return err
	}
	out := a.consultationJSON(k, slug, counts[k.ID], time.Now())
	out.Questions = make([]questionJSON, 0, len(qs))
	for _, q := range qs {
		out.Questions = append(out.Questions, questionOut(q))
	}
	out.Documents = make([]documentJSON, 0, len(docs))
	for _, d := range docs {
		out.Documents = append(out.Documents, a.documentOut(k.ID, d))
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", out.Links.Self)
	}
	return writeJSON(w, status, out)
}

func (a *API) consultationGet(w http.ResponseWriter, r *http.Request, c caller) error {
	k, slug, err := a.consultationFor(r, c, "")
	if err != nil {
		return err
	}
	return a.writeConsultation(w, r, k, slug, http.StatusOK)
}

// questionIn is a question in a request body.
type questionIn struct {
	Kind      string     `json:"kind"`
	Text      textJSON   `json:"text"`
	Help      textJSON   `json:"help"`
	Required  bool       `json:"required"`
	MaxLength int        `json:"max_length"`
	Options   []textJSON `json:"options"`
}

func (q questionIn) question(consultationID int64, position int) consultation.Question {
	out := consultation.Question{ConsultationID: consultationID, Position: position, Kind: consultation.Kind(q.Kind),
		TextEN: q.Text.EN, TextCY: q.Text.CY, HelpEN: q.Help.EN, HelpCY: q.Help.CY, Required: q.Required, MaxLength: q.MaxLength}
	for _, o := range q.Options {
		out.Options = append(out.Options, consultation.Option{EN: o.EN, CY: o.CY})
	}
	out.Normalise()
	if out.Kind == consultation.Scale && len(out.Options) == 0 {
		out.Options = consultation.DefaultScale
	}
	return out
}

// consultationCreate is the body of POST /api/v1/consultations.
type consultationCreate struct {
	Organisation string       `json:"organisation"`
	Title        textJSON     `json:"title"`
	Summary      textJSON     `json:"summary"`
	Body         textJSON     `json:"body"`
	Layout       string       `json:"layout"`
	OpensAt      string       `json:"opens_at"`
	ClosesAt     string       `json:"closes_at"`
	Scheduled    bool         `json:"scheduled"`
	Questions    []questionIn `json:"questions"`
}

func (a *API) consultationCreate(w http.ResponseWriter, r *http.Request, c caller) error {
	var in consultationCreate
	if err := readJSON(r, &in); err != nil {
		return err
	}
	o, err := a.editing(r, c, in.Organisation)
	if err != nil {
		return err
	}
	k := consultation.Consultation{OrgID: o.ID, TitleEN: in.Title.EN, TitleCY: in.Title.CY, SummaryEN: in.Summary.EN,
		SummaryCY: in.Summary.CY, BodyEN: in.Body.EN, BodyCY: in.Body.CY, Layout: consultation.Layout(in.Layout),
		Status: consultation.Draft, Scheduled: in.Scheduled}
	var f apperr.Fields
	k.OpensAt = parseTime(in.OpensAt, "opens_at", &f)
	k.ClosesAt = parseTime(in.ClosesAt, "closes_at", &f)
	k.Normalise()
	addFields(&f, "", k.Validate())
	checkSchedule(k, &f)
	f.Check(len(in.Questions) <= maxQuestions, "questions", "Give "+strconv.Itoa(maxQuestions)+" questions or fewer.")
	// The consultation and each question are saved in transactions of
	// their own, so every question is checked before anything is saved:
	// a bad one leaves nothing half made.
	qs := make([]consultation.Question, len(in.Questions))
	for i, q := range in.Questions {
		qs[i] = q.question(0, i+1)
		addFields(&f, "questions["+strconv.Itoa(i)+"].", qs[i].Validate())
	}
	if err := f.Err(); err != nil {
		return err
	}
	k, err = a.st.CreateConsultation(r.Context(), k, c.principal.User.ID)
	if err != nil {
		return err
	}
	for _, q := range qs {
		q.ConsultationID = k.ID
		if _, err := a.st.AddQuestion(r.Context(), q, c.principal.User.ID); err != nil {
			return err
		}
	}
	return a.writeConsultation(w, r, k, o.Slug, http.StatusCreated)
}

// maxQuestions bounds the questions created with a consultation.
const maxQuestions = 200

// textPatch changes one or both languages of a text; an absent one is kept.
type textPatch struct {
	EN *string `json:"en"`
	CY *string `json:"cy"`
}

func (p *textPatch) apply(en, cy *string) {
	if p == nil {
		return
	}
	if p.EN != nil {
		*en = *p.EN
	}
	if p.CY != nil {
		*cy = *p.CY
	}
}

// consultationUpdate is the body of PATCH /api/v1/consultations/{id}: the
// fields given change, the others stay.
type consultationUpdate struct {
	Title     *textPatch `json:"title"`
	Summary   *textPatch `json:"summary"`
	Body      *textPatch `json:"body"`
	Layout    *string    `json:"layout"`
	OpensAt   *string    `json:"opens_at"`  // "" clears: opened by hand
	ClosesAt  *string    `json:"closes_at"` // "" clears: closed by hand
	Scheduled *bool      `json:"scheduled"`
}

func (a *API) consultationPatch(w http.ResponseWriter, r *http.Request, c caller) error {
	k, slug, err := a.consultationFor(r, c, account.PermEdit)
	if err != nil {
		return err
	}
	var in consultationUpdate
	if err := readJSON(r, &in); err != nil {
		return err
	}
	var f apperr.Fields
	in.Title.apply(&k.TitleEN, &k.TitleCY)
	in.Summary.apply(&k.SummaryEN, &k.SummaryCY)
	in.Body.apply(&k.BodyEN, &k.BodyCY)
	if in.Layout != nil {
		k.Layout = consultation.Layout(*in.Layout)
	}
	if in.OpensAt != nil {
		k.OpensAt = parseTime(*in.OpensAt, "opens_at", &f)
	}
	if in.ClosesAt != nil {
		k.ClosesAt = parseTime(*in.ClosesAt, "closes_at", &f)
	}
	if in.Scheduled != nil {
		k.Scheduled = *in.Scheduled
	}
	k.Normalise()
	addFields(&f, "", k.Validate())
	checkSchedule(k, &f)
	if err := f.Err(); err != nil {
		return err
	}
	if err := a.st.UpdateConsultation(r.Context(), k, c.principal.User.ID); err != nil {
		return err
	}
	return a.rewrite(w, r, k.ID, slug)
}

// rewrite reads the consultation again and writes it as it now is.
func (a *API) rewrite(w http.ResponseWriter, r *http.Request, id int64, slug string) error {
	k, err := a.st.Consultation(r.Context(), id)
	if err != nil {
		return err
	}
	return a.writeConsultation(w, r, k, slug, http.StatusOK)
}

// consultationPublish opens a draft (or reopens a closed consultation) now.
func (a *API) consultationPublish(w http.ResponseWriter, r *http.Request, c caller) error {
	return a.move(w, r, c, consultation.Open)
}

func (a *API) consultationClose(w http.ResponseWriter, r *http.Request, c caller) error {
	return a.move(w, r, c, consultation.Closed)
}

func (a *API) move(w http.ResponseWriter, r *http.Request, c caller, to consultation.Status) error {
	k, slug, err := a.consultationFor(r, c, account.PermEdit)
	if err != nil {
		return err
	}
	if err := readEmpty(r); err != nil {
		return err
	}
	if err := a.st.SetConsultationStatus(r.Context(), k.ID, to, c.principal.User.ID); err != nil {
		return err
	}
	return a.rewrite(w, r, k.ID, slug)
}

// readEmpty accepts an empty body or an empty JSON object: the actions
// that take no fields still take a body, so that a client sending {} is
// not refused.
func readEmpty(r *http.Request) error {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	return decodeStrict(b, &struct{}{})
}

// decodeStrict is readJSON for a body already read.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return requestError{apperr.New(apperr.Invalid, "The body is not valid JSON for this endpoint: %v", err)}
	}
	if dec.Decode(&struct{}{}) != io.EOF {
		return requestError{apperr.New(apperr.Invalid, "The body must hold one JSON object.")}
	}
	return nil
}

// outcomeIn is the body of POST …/outcome.
type outcomeIn struct {
	Summary  textJSON `json:"summary"`
	Decision textJSON `json:"decision"`
	Items    []struct {
		ThemeID int64    `json:"theme_id"`
		Said    textJSON `json:"said"`
		Did     textJSON `json:"did"`
	} `json:"items"`
}

func (a *API) consultationOutcome(w http.ResponseWriter, r *http.Request, c caller) error {
	k, slug, err := a.consultationFor(r, c, account.PermEdit)
	if err != nil {
		return err
	}
	var in outcomeIn
	if err := readJSON(r, &in); err != nil {
		return err
	}
	res := consultation.Result{SummaryEN: strings.TrimSpace(in.Summary.EN), SummaryCY: strings.TrimSpace(in.Summary.CY),
		DecisionEN: strings.TrimSpace(in.Decision.EN), DecisionCY: strings.TrimSpace(in.Decision.CY)}
	for _, y := range in.Items {
		res.Items = append(res.Items, consultation.YouSaid{ThemeID: y.ThemeID, SaidEN: strings.TrimSpace(y.Said.EN),
			SaidCY: strings.TrimSpace(y.Said.CY), DidEN: strings.TrimSpace(y.Did.EN), DidCY: strings.TrimSpace(y.Did.CY)})
	}
	var f apperr.Fields
	addFields(&f, "", res.Validate())
	if err := f.Err(); err != nil {
		return err
	}
	if err := a.st.PublishOutcome(r.Context(), k.ID, res, consultation.OutcomeEvent(k, res), c.principal.User.ID); err != nil {
		return err
	}
	return a.rewrite(w, r, k.ID, slug)
}

// checkSchedule refuses a schedule with no time to open at: the
// scheduler would never open it.
func checkSchedule(k consultation.Consultation, f *apperr.Fields) {
	f.Check(!k.Scheduled || !k.OpensAt.IsZero() || k.Status != consultation.Draft, "opens_at", "Give opens_at to open on a schedule.")
}

// parseTime reads an optional RFC 3339 time; "" is the zero time.
func parseTime(s, field string, f *apperr.Fields) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		f.Add(field, "Give a date and time in RFC 3339 form, like 2026-05-01T09:00:00Z.")
		return time.Time{}
	}
	return t.UTC()
}

// parseDay reads a date received: YYYY-MM-DD or RFC 3339.
func parseDay(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// addFields copies the field errors of a domain error into f, each under
// prefix and in English. Any other error is kept as a message on the
// prefix itself.
func addFields(f *apperr.Fields, prefix string, err error) {
	if err == nil {
		return
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) || len(ae.Fields) == 0 {
		f.Add(strings.TrimSuffix(prefix, "."), english(apperr.Message(err), apperr.KindOf(err)))
		return
	}
	for _, field := range ae.Order {
		f.Add(prefix+field, domainText(ae.Fields[field]))
	}
}

// domainText is the English of a message ID: the API's own wording where
// it has one, else the English catalogue's (the API speaks English only),
// else the ID, for which english() gives the kind's text.
func domainText(id string) string {
	if s, ok := apiMessages[id]; ok {
		return s
	}
	if s, ok := proposalMessages[id]; ok {
		return s
	}
	if p := englishCatalogue(); p != nil && strings.HasPrefix(id, "error.") && p.Known(id) {
		return p.T(id)
	}
	return id
}

// inEnglishHandler adapts a handler of consultations or proposals: the
// domain's message IDs in its errors become English, as problem.go's
// messages do for the others.
func inEnglishHandler(h authFunc) authFunc {
	return func(w http.ResponseWriter, r *http.Request, c caller) error {
		return inEnglish(h(w, r, c))
	}
}

// inEnglish translates the consultation message IDs of an error, and turns
// the rows of a refused batch into fields (responses[i]…).
func inEnglish(err error) error {
	var ae *apperr.Error
	if err == nil || !errors.As(err, &ae) {
		return err
	}
	var re requestError
	if errors.As(err, &re) {
		return err // the API's own words already
	}
	out := &apperr.Error{Kind: ae.Kind, Msg: domainText(ae.Msg), Err: ae.Err, Order: ae.Order}
	var ie *consultation.ImportError
	if errors.As(err, &ie) {
		var f apperr.Fields
		for _, row := range ie.Rows {
			field := "responses[" + strconv.Itoa(row.Line-2) + "]"
			if row.Column != "" {
				field += "." + row.Column
			}
			f.Add(field, domainText(row.Message))
		}
		fe := f.Err().(*apperr.Error)
		out.Msg, out.Fields, out.Order = fe.Msg, fe.Fields, fe.Order
		return out
	}
	if len(ae.Fields) > 0 {
		out.Fields = make(map[string]string, len(ae.Fields))
		for k, v := range ae.Fields {
			out.Fields[k] = domainText(v)
		}
		out.Order = ae.Order
	}
	return out
}

// apiMessages are the English texts of consultation messages the store
// gives that the catalogue's domain file does not hold.
var apiMessages = map[string]string{
	"error.consultation.not_found":          "No consultation has this ID, or your token may not see it.",
	"error.consultation.draft":              "The consultation is a draft: publish it before keying in responses.",
	"error.consultation.not_draft":          "This can change only while the consultation is a draft.",
	"error.consultation.not_open":           "The consultation is not open.",
	"error.consultation.status.move":        "The consultation cannot move there from its status: draft → open → closed → outcome, and a closed one may reopen until its outcome is published.",
	"error.consultation.outcome.not_closed": "Close the consultation before publishing its outcome.",
	"error.consultation.outcome.theme":      "Each item's theme_id must be one of the consultation's themes.",
	"error.import.rows":                     "Some responses are not valid: see errors; none was stored.",
	"error.import.no_rows":                  "Send at least one response.",
	"error.import.channel_web":              "Online responses come through the site: use email, post, phone, face_to_face, event or social.",
	"error.response.scan.unknown":           "scan_id must be a scan of this consultation.",
}

// Responses.

type responseJSON struct {
	ID         int64            `json:"id"`
	Channel    string           `json:"channel"`
	Respondent string           `json:"respondent"`
	Name       string           `json:"name"`
	OrgName    string           `json:"org_name"`
	Email      string           `json:"email"`
	Consent    string           `json:"consent"`
	HearBack   bool             `json:"hear_back"`
	AgeBand    string           `json:"age_band"`
	Reference  string           `json:"reference"`
	ScanID     int64            `json:"scan_id,omitempty"`
	ReceivedAt string           `json:"received_at,omitempty"`
	Submitted  string           `json:"submitted_at,omitempty"`
	CreatedAt  string           `json:"created_at"`
	Answers    []answerJSON     `json:"answers"`
	Redacted   map[int64]string `json:"redacted,omitempty"`
	ThemeIDs   []int64          `json:"theme_ids"`
	Links      documentLinks    `json:"links"`
}

type answerJSON struct {
	QuestionID int64    `json:"question_id"`
	Position   int      `json:"position"`
	Text       string   `json:"text,omitempty"`
	Choices    []string `json:"choices,omitempty"` // the options' English labels
}

func (a *API) responseOut(k consultation.Consultation, slug string, qs []consultation.Question, rs consultation.Response, themes []int64) responseJSON {
	out := responseJSON{ID: rs.ID, Channel: rs.Channel, Respondent: string(rs.Respondent), Name: rs.Name, OrgName: rs.OrgName,
		Email: rs.Email, Consent: string(rs.Consent), HearBack: rs.HearBack, AgeBand: rs.AgeBand, Reference: rs.Reference, ScanID: rs.ScanID,
		ReceivedAt: optTime(rs.ReceivedAt, timestamp(rs.ReceivedAt)), Submitted: optTime(rs.SubmittedAt, timestamp(rs.SubmittedAt)),
		CreatedAt: timestamp(rs.CreatedAt), Answers: []answerJSON{}, Redacted: rs.Redacted, ThemeIDs: themes,
		Links: documentLinks{HTML: a.baseURL + "/staff/" + slug + "/consultations/" + strconv.FormatInt(k.ID, 10) +
			"/responses/" + strconv.FormatInt(rs.ID, 10)}}
	if out.ThemeIDs == nil {
		out.ThemeIDs = []int64{}
	}
	for _, q := range qs {
		ans := rs.Answer(q.ID)
		if ans.Empty() {
			continue
		}
		out.Answers = append(out.Answers, answerJSON{QuestionID: q.ID, Position: q.Position, Text: ans.Text, Choices: labels(q, ans.Choices)})
	}
	return out
}

func labels(q consultation.Question, choices []int) []string {
	var out []string
	for _, c := range choices {
		if c >= 0 && c < len(q.Options) {
			out = append(out, q.Options[c].EN)
		}
	}
	return out
}

// responseFilter reads the filters the response list, the export and the
// analysis share.
func responseFilter(r *http.Request) (consultation.ResponseFilter, error) {
	q := r.URL.Query()
	var f consultation.ResponseFilter
	if ch := q.Get("channel"); ch != "" {
		if !consultation.ValidChannel(ch) {
			return f, badParam("channel", "channel must be one of "+strings.Join(consultation.Channels, ", ")+".")
		}
		f.Channel = ch
	}
	switch rp := consultation.Respondent(q.Get("respondent")); rp {
	case "", consultation.Individual, consultation.Organisation:
		f.Respondent = rp
	default:
		return f, badParam("respondent", "respondent must be individual or organisation.")
	}
	if s := strings.TrimSpace(q.Get("q")); s != "" {
		if utf8.RuneCountInString(s) > maxSearch {
			return f, badParam("q", "q must be "+strconv.Itoa(maxSearch)+" characters or fewer.")
		}
		f.Search = s
	}
	return f, nil
}

func (a *API) responseList(w http.ResponseWriter, r *http.Request, c caller) error {
	k, slug, err := a.consultationFor(r, c, account.PermStaffArea)
	if err != nil {
		return err
	}
	f, err := responseFilter(r)
	if err != nil {
		return err
	}
	pg, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	if pg.after != "" {
		if f.After, err = strconv.ParseInt(pg.after, 10, 64); err != nil || f.After < 0 {
			return badParam("cursor", "error.cursor.format")
		}
	}
	// One more than asked for says whether there is a next page.
	f.Limit = pg.limit + 1
	ctx := r.Context()
	rs, err := a.st.Responses(ctx, k.ID, f)
	if err != nil {
		return err
	}
	qs, err := a.st.Questions(ctx, k.ID)
	if err != nil {
		return err
	}
	themes, err := a.st.ResponseThemes(ctx, k.ID)
	if err != nil {
		return err
	}
	out := list[responseJSON]{Items: make([]responseJSON, 0, min(len(rs), pg.limit))}
	if len(rs) > pg.limit {
		rs = rs[:pg.limit]
		out.NextCursor = encodeCursor(strconv.FormatInt(rs[len(rs)-1].ID, 10))
		w.Header().Set("Link", "<"+a.nextURL(r, out.NextCursor, pg.limit)+`>; rel="next"`)
	}
	for _, rs := range rs {
		out.Items = append(out.Items, a.responseOut(k, slug, qs, rs, themes[rs.ID]))
	}
	return writeJSON(w, http.StatusOK, out)
}

// responseIn is a response keyed in through the API.
type responseIn struct {
	Channel    string     `json:"channel"`
	ReceivedAt string     `json:"received_at"`
	Respondent string     `json:"respondent"`
	Name       string     `json:"name"`
	OrgName    string     `json:"org_name"`
	Email      string     `json:"email"`
	Consent    string     `json:"consent"`
	HearBack   bool       `json:"hear_back"`
	AgeBand    string     `json:"age_band"`
	Reference  string     `json:"reference"`
	Answers    []answerIn `json:"answers"`
}

// answerIn names its question by ID or by position (1-based), and gives
// text or choices: labels (English or Welsh, any case) or 0-based indexes
// into the question's options.
type answerIn struct {
	Question int64      `json:"question"`
	Position int        `json:"position"`
	Text     string     `json:"text"`
	Choices  []choiceIn `json:"choices"`
}

// choiceIn is an option's label or its 0-based index.
type choiceIn struct {
	label string
	index int
	isInt bool
}

func (c *choiceIn) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &c.label); err == nil {
		return nil
	}
	c.isInt = true
	if err := json.Unmarshal(b, &c.index); err != nil {
		return errors.New("a choice is an option's label (a string) or its index (an integer)")
	}
	return nil
}

// match returns the option index a choice names, or -1.
func (c choiceIn) match(q consultation.Question) int {
	if c.isInt {
		if c.index >= 0 && c.index < len(q.Options) {
			return c.index
		}
		return -1
	}
	v := strings.TrimSpace(c.label)
	for i, o := range q.Options {
		if strings.EqualFold(v, o.EN) || (o.CY != "" && strings.EqualFold(v, o.CY)) {
			return i
		}
	}
	return -1
}

// response turns what was sent into a submitted offline response, adding
// any problem to f under prefix.
func (in responseIn) response(consultationID int64, qs []consultation.Question, actorID int64, now time.Time, prefix string, f *apperr.Fields) consultation.Response {
	rs := consultation.Response{ConsultationID: consultationID, Status: consultation.Submitted,
		Channel: strings.TrimSpace(in.Channel), Respondent: consultation.Respondent(in.Respondent), Name: in.Name, OrgName: in.OrgName,
		Email: in.Email, Consent: consultation.Consent(in.Consent), HearBack: in.HearBack, AgeBand: in.AgeBand, Reference: in.Reference, KeyedBy: actorID}
	offline := false
	for _, ch := range consultation.OfflineChannels {
		offline = offline || ch == rs.Channel
	}
	f.Check(offline, prefix+"channel", "channel must be one of "+strings.Join(consultation.OfflineChannels, ", ")+": online responses come through the site.")
	if in.ReceivedAt != "" {
		t, ok := parseDay(in.ReceivedAt)
		f.Check(ok, prefix+"received_at", "Give the date received as YYYY-MM-DD or an RFC 3339 time.")
		rs.ReceivedAt = t
	}
	byID := map[int64]consultation.Question{}
	for _, q := range qs {
		byID[q.ID] = q
	}
	given := map[int64]bool{}
	parseOK := true
	for i, a := range in.Answers {
		at := prefix + "answers[" + strconv.Itoa(i) + "]"
		var q consultation.Question
		var ok bool
		switch {
		case a.Question != 0 && a.Position != 0:
			f.Add(at, "Name the question by question or by position, not both.")
		case a.Question != 0:
			q, ok = byID[a.Question]
			f.Check(ok, at+".question", "There is no question with this ID in the consultation.")
		case a.Position > 0 && a.Position <= len(qs):
			q, ok = qs[a.Position-1], true
		default:
			f.Add(at+".position", "Give the question's ID as question, or its position (from 1) as position.")
		}
		if !ok {
			parseOK = false
			continue
		}
		if given[q.ID] {
			f.Add(at, "The question is answered twice.")
			parseOK = false
			continue
		}
		given[q.ID] = true
		// What does not fit the kind of question is reported here, and
		// left out of the answer so that it is not reported twice.
		ans := consultation.Answer{QuestionID: q.ID}
		if !q.Choice() {
			ans.Text = a.Text
		}
		if q.Choice() {
			if a.Text != "" {
				f.Add(at+".text", "This is a choice question: give choices, not text.")
				parseOK = false
			}
			seen := map[int]bool{}
			for _, c := range a.Choices {
				n := c.match(q)
				if n < 0 {
					f.Add(at+".choices", "Each choice must be one of the question's option labels, or an index into its options from 0.")
					parseOK = false
					break
				}
				seen[n] = true
			}
			for n := range q.Options {
				if seen[n] {
					ans.Choices = append(ans.Choices, n)
				}
			}
		} else if len(a.Choices) > 0 {
			f.Add(at+".choices", "This is a free-text question: give text, not choices.")
			parseOK = false
		}
		if !ans.Empty() {
			rs.Answers = append(rs.Answers, ans)
		}
	}
	rs.Normalise()
	rs.SubmittedAt = rs.ReceivedAt
	if err := rs.Validate(qs, now); err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			for _, field := range ae.Order {
				// The channel was checked above, in terms the API uses;
				// answers that could not be read are reported already.
				if field == "channel" || (!parseOK && field == "answers") {
					continue
				}
				f.Add(prefix+field, domainText(ae.Fields[field]))
			}
		} else {
			addFields(f, prefix, err)
		}
	}
	return rs
}

// responsesIn is the batch form of POST …/responses.
type responsesIn struct {
	Responses []responseIn `json:"responses"`
}

type responsesCreated struct {
	Imported int           `json:"imported"`
	Response *responseJSON `json:"response,omitempty"`
}

func (a *API) responseCreate(w http.ResponseWriter, r *http.Request, c caller) error {
	k, slug, err := a.consultationFor(r, c, account.PermEdit)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	// One response, or {"responses": […]}: the key tells them apart.
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(b, &probe); err != nil {
		return requestError{apperr.New(apperr.Invalid, "The body is not valid JSON for this endpoint: %v", err)}
	}
	_, batch := probe["responses"]
	var ins []responseIn
	if batch {
		var in responsesIn
		if err := decodeStrict(b, &in); err != nil {
			return err
		}
		ins = in.Responses
	} else {
		var in responseIn
		if err := decodeStrict(b, &in); err != nil {
			return err
		}
		ins = []responseIn{in}
	}
	var f apperr.Fields
	if len(ins) == 0 || len(ins) > maxBatch {
		f.Add("responses", "Send between 1 and "+strconv.Itoa(maxBatch)+" responses.")
		return f.Err()
	}
	ctx := r.Context()
	qs, err := a.st.Questions(ctx, k.ID)
	if err != nil {
		return err
	}
	now := time.Now()
	actor := c.principal.User.ID
	rs := make([]consultation.Response, len(ins))
	for i, in := range ins {
		prefix := ""
		if batch {
			prefix = "responses[" + strconv.Itoa(i) + "]."
		}
		rs[i] = in.response(k.ID, qs, actor, now, prefix, &f)
	}
	// Every response is checked before any is stored, so a bad one
	// stores nothing.
	if err := f.Err(); err != nil {
		return err
	}
	if batch {
		n, err := a.st.ImportResponses(ctx, k.ID, rs, actor)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusCreated, responsesCreated{Imported: n})
	}
	saved, err := a.st.KeyInResponse(ctx, rs[0], actor)
	if err != nil {
		return err
	}
	out := a.responseOut(k, slug, qs, saved, nil)
	return writeJSON(w, http.StatusCreated, responsesCreated{Imported: 1, Response: &out})
}

// responseExport writes the responses as CSV: the columns of the CSV
// import, so a file exported can be edited and imported elsewhere, after
// the response's ID and when it was submitted.
func (a *API) responseExport(w http.ResponseWriter, r *http.Request, c caller) error {
	k, _, err := a.consultationFor(r, c, account.PermStaffArea)
	if err != nil {
		return err
	}
	f, err := responseFilter(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	qs, err := a.st.Questions(ctx, k.ID)
	if err != nil {
		return err
	}
	rs, err := a.st.Responses(ctx, k.ID, f)
	if err != nil {
		return err
	}
	// Nothing can fail from here but the client going away, so the file
	// is streamed rather than held twice in memory.
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="consultation-`+strconv.FormatInt(k.ID, 10)+`-responses.csv"`)
	w.WriteHeader(http.StatusOK)
	writeResponsesCSV(w, qs, rs)
	return nil
}

// writeResponsesCSV writes one row per response and one column per
// question (q1, q2, … by position, as the import reads them); choices are
// the options' English labels joined by "|".
func writeResponsesCSV(w io.Writer, qs []consultation.Question, rs []consultation.Response) {
	cw := csv.NewWriter(w)
	header := []string{"id", "submitted", "channel", "received", "respondent", "name", "organisation", "email",
		"reference", "consent", "hear_back", "age_band"}
	for i := range qs {
		header = append(header, "q"+strconv.Itoa(i+1))
	}
	_ = cw.Write(header)
	row := make([]string, len(header))
	for _, rs := range rs {
		hear := "no"
		if rs.HearBack {
			hear = "yes"
		}
		row = append(row[:0], strconv.FormatInt(rs.ID, 10), optTime(rs.SubmittedAt, timestamp(rs.SubmittedAt)), rs.Channel,
			optTime(rs.ReceivedAt, timestamp(rs.ReceivedAt)), string(rs.Respondent), cell(rs.Name), cell(rs.OrgName),
			cell(rs.Email), cell(rs.Reference), string(rs.Consent), hear, rs.AgeBand)
		for _, q := range qs {
			ans := rs.Answer(q.ID)
			if q.Choice() {
				row = append(row, cell(strings.Join(labels(q, ans.Choices), "|")))
			} else {
				row = append(row, cell(ans.Text))
			}
		}
		_ = cw.Write(row)
	}
	cw.Flush() // an error means the client has gone
}

// cell guards a spreadsheet against what people wrote: a cell beginning
// with = + - @ (or a tab or carriage return) would run as a formula when
// the file is opened, so it is prefixed with an apostrophe (OWASP's advice).
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Analysis.

type analysisJSON struct {
	Figures    figuresJSON     `json:"figures"`
	Campaigns  []campaignJSON  `json:"campaigns"`
	Themes     []themeJSON     `json:"themes"`
	Candidates []candidateJSON `json:"candidates"`
}

type figuresJSON struct {
	Channel      string               `json:"channel,omitempty"`
	Respondent   string               `json:"respondent,omitempty"`
	Responses    int                  `json:"responses"`
	FreeTexted   int                  `json:"free_texted"`
	FirstAt      string               `json:"first_at,omitempty"`
	LastAt       string               `json:"last_at,omitempty"`
	ByChannel    []countJSON          `json:"by_channel"`
	ByRespondent []countJSON          `json:"by_respondent"`
	Questions    []questionFigureJSON `json:"questions"`
}

type countJSON struct {
	Key     string  `json:"key"`
	Label   string  `json:"label,omitempty"`
	Count   int     `json:"count"`
	Percent float64 `json:"percent"`
}

type questionFigureJSON struct {
	QuestionID int64       `json:"question_id"`
	Position   int         `json:"position"`
	Kind       string      `json:"kind"`
	Text       string      `json:"text"`
	Answered   int         `json:"answered"`
	Mean       float64     `json:"mean,omitempty"`
	Options    []countJSON `json:"options"`
}

type campaignJSON struct {
	Size       int                  `json:"size"`
	Template   string               `json:"template"`
	TemplateID int64                `json:"template_response_id"`
	Added      int                  `json:"added"`
	Members    []campaignMemberJSON `json:"members"`
}

type campaignMemberJSON struct {
	ResponseID int64  `json:"response_id"`
	Added      string `json:"added"`
}

type quoteJSON struct {
	ResponseID int64  `json:"response_id"`
	Text       string `json:"text"`
}

type themeJSON struct {
	ID          int64       `json:"id"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Count       int         `json:"count"`
	Quotes      []quoteJSON `json:"quotes"`
}

type candidateJSON struct {
	Label   string      `json:"label"`
	Size    int         `json:"size"`
	Members []int64     `json:"members"`
	Quotes  []quoteJSON `json:"quotes"`
}

func countsOut(cs []consultation.Count) []countJSON {
	out := make([]countJSON, len(cs))
	for i, c := range cs {
		out[i] = countJSON{Key: c.Key, Label: c.Label, Count: c.Count, Percent: c.Percent}
	}
	return out
}

func quotesOut(qs []consultation.Quote) []quoteJSON {
	out := make([]quoteJSON, len(qs))
	for i, q := range qs {
		out[i] = quoteJSON{ResponseID: q.ResponseID, Text: q.Text}
	}
	return out
}

func figuresOut(fig consultation.Figures, f consultation.Filter) figuresJSON {
	out := figuresJSON{Channel: f.Channel, Respondent: string(f.Respondent), Responses: fig.Responses, FreeTexted: fig.FreeTexted,
		FirstAt: optTime(fig.FirstAt, timestamp(fig.FirstAt)), LastAt: optTime(fig.LastAt, timestamp(fig.LastAt)),
		ByChannel: countsOut(fig.ByChannel), ByRespondent: countsOut(fig.ByKind), Questions: make([]questionFigureJSON, len(fig.Questions))}
	for i, q := range fig.Questions {
		out.Questions[i] = questionFigureJSON{QuestionID: q.Question.ID, Position: q.Question.Position, Kind: string(q.Question.Kind),
			Text: q.Question.TextEN, Answered: q.Answered, Mean: q.Mean, Options: countsOut(q.Options)}
	}
	return out
}

func (a *API) consultationAnalysis(w http.ResponseWriter, r *http.Request, c caller) error {
	k, _, err := a.consultationFor(r, c, account.PermAnalyse)
	if err != nil {
		return err
	}
	rf, err := responseFilter(r)
	if err != nil {
		return err
	}
	if rf.Search != "" {
		return badParam("q", "The analysis takes channel and respondent; search the responses list instead.")
	}
	ctx := r.Context()
	qs, err := a.st.Questions(ctx, k.ID)
	if err != nil {
		return err
	}
	// Every submitted response: the filter narrows the figures, while
	// campaigns and candidate themes are found across every channel.
	rs, err := a.st.Responses(ctx, k.ID, consultation.ResponseFilter{})
	if err != nil {
		return err
	}
	themes, err := a.st.Themes(ctx, k.ID)
	if err != nil {
		return err
	}
	out := analysisJSON{Figures: figuresOut(consultation.Analyse(qs, rs, rf.Filter), rf.Filter),
		Campaigns: []campaignJSON{}, Themes: []themeJSON{}, Candidates: []candidateJSON{}}
	for _, cp := range consultation.Campaigns(qs, rs) {
		j := campaignJSON{Size: cp.Size, Template: cp.Template, TemplateID: cp.TemplateID, Added: cp.Added,
			Members: make([]campaignMemberJSON, len(cp.Members))}
		for i, m := range cp.Members {
			j.Members[i] = campaignMemberJSON{ResponseID: m.ResponseID, Added: m.Added}
		}
		out.Campaigns = append(out.Campaigns, j)
	}
	for _, t := range themes {
		out.Themes = append(out.Themes, themeJSON{ID: t.ID, Name: t.Name, Description: t.Description, Count: t.Count, Quotes: quotesOut(t.Quotes)})
	}
	// Seeded by the consultation, so the same responses propose the same
	// candidates each time.
	for _, cd := range consultation.CandidateThemes(qs, rs, uint64(k.ID)) {
		members := cd.Members
		if members == nil {
			members = []int64{}
		}
		out.Candidates = append(out.Candidates, candidateJSON{Label: cd.Label, Size: len(cd.Members), Members: members, Quotes: quotesOut(cd.Quotes)})
	}
	return writeJSON(w, http.StatusOK, out)
}
