package web

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"parley/internal/apperr"
	"parley/internal/consultation"
)

// FuzzConsultationForms feeds arbitrary form values to the parsers of the
// consultation forms: the staff question and details forms (options one per
// line, dates in three boxes), a citizen's answer, and the responses
// filter. None may panic; the staff forms' results always get a clear
// verdict from the rules the store applies (nil or Invalid with fields);
// and an answer the page accepts is one the rules accept.
func FuzzConsultationForms(f *testing.F) {
	f.Add("single", "Red | Coch\nBlue\n\n | \n", "31", "2", "2026", "1", "Red")
	f.Add("scale", "", "1", "13", "99999", "0", "")
	f.Add("text", "x|y|z", "", "", "", "200", "a\r\nb")
	f.Add("multiple", strings.Repeat("o\n", 60), "29", "2", "2027", "-1", "2")
	f.Fuzz(func(t *testing.T, kind, options, day, month, year, maxLength, answer string) {
		form := url.Values{"kind": {kind}, "text_en": {"A question"}, "options": {options}, "max_length": {maxLength},
			"title_en": {"T"}, "summary_en": {"S"}, "layout": {"one-per-page"},
			"opens_at-day": {day}, "opens_at-month": {month}, "opens_at-year": {year}}
		r := httptest.NewRequest("POST", "/", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := r.ParseForm(); err != nil {
			t.Skip()
		}

		var qf apperr.Fields
		q := consultation.Question{ID: 7, ConsultationID: 1}
		readStaffQuestion(r, &q, &qf)
		if qf.Err() == nil {
			q.Normalise()
			if err := q.Validate(); err != nil && (!apperr.Is(err, apperr.Invalid) || len(apperr.FieldsOf(err)) == 0) {
				t.Fatalf("question %+v: %v", q, err)
			}
		}

		var cf apperr.Fields
		c := consultation.Consultation{OrgID: 1}
		readStaffConsultation(r, &c, &cf)
		if cf.Err() == nil {
			c.Normalise()
			if err := c.Validate(); err != nil && (!apperr.Is(err, apperr.Invalid) || len(apperr.FieldsOf(err)) == 0) {
				t.Fatalf("details %+v: %v", c, err)
			}
		}

		for _, q := range []consultation.Question{
			{ID: 7, Kind: consultation.FreeText, TextEN: "Why?", MaxLength: 20},
			{ID: 7, Kind: consultation.Multiple, TextEN: "Which?", Options: []consultation.Option{{EN: "A"}, {EN: "B"}}},
			{ID: 7, Kind: consultation.Scale, TextEN: "Agree?", Options: consultation.DefaultScale},
		} {
			values := url.Values{"q7": strings.Split(answer, "|")}
			a, ok := answerFrom(q, values)
			var af apperr.Fields
			checkAnswer(q, a, ok, false, &af)
			if af.Err() == nil {
				var again apperr.Fields
				q.Check(a, &again)
				if again.Err() != nil {
					t.Fatalf("answer %q to %s accepted as %+v, which the rules refuse", answer, q.Kind, a)
				}
			}
		}

		_ = responseFilter(url.Values{"channel": {kind}, "respondent": {options}, "q": {answer}, "theme": {maxLength}, "after": {year}})
		_ = sniffUpload(kind, []byte(answer))
		_ = cleanUploadName(options)
	})
}
