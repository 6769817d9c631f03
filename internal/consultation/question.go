package consultation

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"parley/internal/apperr"
)

// Kind is what sort of answer a question takes.
type Kind string

const (
	FreeText Kind = "text"     // a paragraph of the respondent's own words
	Single   Kind = "single"   // one option (radios)
	Multiple Kind = "multiple" // any number of options (checkboxes)
	Scale    Kind = "scale"    // a point on a scale, e.g. 1 strongly disagree … 5 strongly agree
)

// Question is one question of a consultation.
type Question struct {
	ID             int64
	ConsultationID int64
	Position       int // 1, 2, … in the order asked
	Kind           Kind
	TextEN         string
	TextCY         string
	HelpEN         string
	HelpCY         string
	Required       bool
	MaxLength      int      // free text: characters allowed (0: MaxAnswer)
	Options        []Option // single and multiple choice; for a scale, its labels from low to high
}

// Option is one choice of a choice question, or one point of a scale.
type Option struct {
	EN string
	CY string
}

// Label returns the option's text in lang.
func (o Option) Label(lang string) string { return pick(lang, o.EN, o.CY) }

// Text and Help return the question's words in lang.
func (q Question) Text(lang string) string { return pick(lang, q.TextEN, q.TextCY) }
func (q Question) Help(lang string) string { return pick(lang, q.HelpEN, q.HelpCY) }

// Limit is the number of characters a free-text answer may have.
func (q Question) Limit() int {
	if q.MaxLength <= 0 || q.MaxLength > MaxAnswer {
		return MaxAnswer
	}
	return q.MaxLength
}

// Choice reports whether the question's answer is one or more of its options.
func (q Question) Choice() bool { return q.Kind == Single || q.Kind == Multiple || q.Kind == Scale }

// Normalise trims the text fields and drops empty options.
func (q *Question) Normalise() {
	for _, p := range []*string{&q.TextEN, &q.TextCY, &q.HelpEN, &q.HelpCY} {
		*p = strings.TrimSpace(*p)
	}
	var opts []Option
	for _, o := range q.Options {
		o.EN, o.CY = strings.TrimSpace(o.EN), strings.TrimSpace(o.CY)
		if o.EN != "" || o.CY != "" {
			opts = append(opts, o)
		}
	}
	q.Options = opts
	if q.Kind == FreeText {
		q.Options = nil
	}
}

// DefaultScale is the five-point agreement scale used when staff give no labels.
var DefaultScale = []Option{
	{EN: "Strongly disagree", CY: "Anghytuno'n gryf"},
	{EN: "Disagree", CY: "Anghytuno"},
	{EN: "Neither agree nor disagree", CY: "Ddim yn cytuno nac yn anghytuno"},
	{EN: "Agree", CY: "Cytuno"},
	{EN: "Strongly agree", CY: "Cytuno'n gryf"},
}

// Validate checks the question; messages are i18n message IDs.
func (q Question) Validate() error {
	var f apperr.Fields
	switch q.Kind {
	case FreeText, Single, Multiple, Scale:
	default:
		f.Add("kind", "error.question.kind.unknown")
	}
	f.Check(q.TextEN != "", "text_en", "error.question.text.required")
	f.Check(!tooLong(q.TextEN, MaxQuestion), "text_en", "error.question.text.too_long")
	f.Check(!tooLong(q.TextCY, MaxQuestion), "text_cy", "error.question.text.too_long")
	f.Check(!tooLong(q.HelpEN, MaxHelp), "help_en", "error.question.help.too_long")
	f.Check(!tooLong(q.HelpCY, MaxHelp), "help_cy", "error.question.help.too_long")
	f.Check(q.MaxLength >= 0 && q.MaxLength <= MaxAnswer, "max_length", "error.question.max_length.range")
	if q.Kind == Single || q.Kind == Multiple || q.Kind == Scale {
		f.Check(len(q.Options) >= 2, "options", "error.question.options.too_few")
		f.Check(len(q.Options) <= MaxOptions, "options", "error.question.options.too_many")
		for _, o := range q.Options {
			if o.EN == "" || tooLong(o.EN, MaxOption) || tooLong(o.CY, MaxOption) {
				f.Add("options", "error.question.options.invalid")
				break
			}
		}
	}
	return f.Err()
}

// Answer is a respondent's answer to one question. Text holds free text;
// Choices holds the chosen options' indexes (0-based) for choice and scale
// questions, in increasing order.
type Answer struct {
	QuestionID int64
	Text       string
	Choices    []int
}

// Empty reports whether nothing was answered.
func (a Answer) Empty() bool { return strings.TrimSpace(a.Text) == "" && len(a.Choices) == 0 }

// Check validates an answer against its question. The field name is
// "q<ID>" so forms can show the message beside the question.
func (q Question) Check(a Answer, f *apperr.Fields) {
	field := q.Field()
	if a.Empty() {
		f.Check(!q.Required, field, "error.answer.required")
		return
	}
	switch q.Kind {
	case FreeText:
		f.Check(len(a.Choices) == 0, field, "error.answer.invalid")
		f.Check(utf8.RuneCountInString(a.Text) <= q.Limit(), field, "error.answer.too_long")
	default:
		f.Check(a.Text == "", field, "error.answer.invalid")
		ok := (q.Kind == Multiple || len(a.Choices) == 1)
		for i, c := range a.Choices {
			if c < 0 || c >= len(q.Options) || (i > 0 && c <= a.Choices[i-1]) {
				ok = false
			}
		}
		f.Check(ok, field, "error.answer.invalid")
	}
}

// Field is the form field name of the question's answer.
func (q Question) Field() string { return "q" + strconv.FormatInt(q.ID, 10) }

// CheckAnswers validates a full set of answers to the questions: every
// required question answered, every answer fitting its question, and no
// answer to a question that is not asked.
func CheckAnswers(qs []Question, answers []Answer) error {
	var f apperr.Fields
	checkAnswers(qs, answers, &f)
	return f.Err()
}

func checkAnswers(qs []Question, answers []Answer, f *apperr.Fields) {
	byID := map[int64]Answer{}
	for _, a := range answers {
		byID[a.QuestionID] = a
	}
	asked := map[int64]bool{}
	for _, q := range qs {
		asked[q.ID] = true
		q.Check(byID[q.ID], f)
	}
	for _, a := range answers {
		if !asked[a.QuestionID] {
			f.Add("answers", "error.answer.unknown_question")
			break
		}
	}
}

// ParseChoices turns the option labels or 1-based numbers a form or CSV file
// gives into a question's 0-based choice indexes, in increasing order.
// Values are matched against the option's English and Welsh labels without
// regard to case, then as numbers 1…len(options).
func (q Question) ParseChoices(values []string) ([]int, bool) {
	seen := map[int]bool{}
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		i := q.optionIndex(v)
		if i < 0 {
			return nil, false
		}
		seen[i] = true
	}
	var out []int
	for i := range q.Options {
		if seen[i] {
			out = append(out, i)
		}
	}
	return out, true
}

func (q Question) optionIndex(v string) int {
	for i, o := range q.Options {
		if strings.EqualFold(v, o.EN) || (o.CY != "" && strings.EqualFold(v, o.CY)) {
			return i
		}
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= len(q.Options) {
		return n - 1
	}
	return -1
}
