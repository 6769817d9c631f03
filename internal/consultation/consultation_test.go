package consultation

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"parley/internal/apperr"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func questions() []Question {
	return []Question{
		{ID: 11, Position: 1, Kind: FreeText, TextEN: "Why?", Required: true, MaxLength: 50},
		{ID: 12, Position: 2, Kind: Single, TextEN: "Which?", Options: []Option{{EN: "Red", CY: "Coch"}, {EN: "Blue", CY: "Glas"}}},
		{ID: 13, Position: 3, Kind: Multiple, TextEN: "Which ones?", Options: []Option{{EN: "A"}, {EN: "B"}, {EN: "C"}}},
		{ID: 14, Position: 4, Kind: Scale, TextEN: "Agree?", Options: DefaultScale},
	}
}

func fieldsOf(err error) map[string]string { return apperr.FieldsOf(err) }

func TestCheckAnswers(t *testing.T) {
	qs := questions()
	tests := []struct {
		name    string
		answers []Answer
		want    map[string]string
	}{
		{"all good", []Answer{{QuestionID: 11, Text: "Because"}, {QuestionID: 12, Choices: []int{1}}, {QuestionID: 13, Choices: []int{0, 2}}, {QuestionID: 14, Choices: []int{4}}}, nil},
		{"required missing", []Answer{{QuestionID: 12, Choices: []int{0}}}, map[string]string{"q11": "error.answer.required"}},
		{"too long", []Answer{{QuestionID: 11, Text: strings.Repeat("x", 51)}}, map[string]string{"q11": "error.answer.too_long"}},
		{"two on single", []Answer{{QuestionID: 11, Text: "x"}, {QuestionID: 12, Choices: []int{0, 1}}}, map[string]string{"q12": "error.answer.invalid"}},
		{"out of range", []Answer{{QuestionID: 11, Text: "x"}, {QuestionID: 14, Choices: []int{5}}}, map[string]string{"q14": "error.answer.invalid"}},
		{"unsorted multiple", []Answer{{QuestionID: 11, Text: "x"}, {QuestionID: 13, Choices: []int{2, 0}}}, map[string]string{"q13": "error.answer.invalid"}},
		{"text on choice", []Answer{{QuestionID: 11, Text: "x"}, {QuestionID: 12, Text: "Red"}}, map[string]string{"q12": "error.answer.invalid"}},
		{"unknown question", []Answer{{QuestionID: 11, Text: "x"}, {QuestionID: 99, Text: "?"}}, map[string]string{"answers": "error.answer.unknown_question"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fieldsOf(CheckAnswers(qs, tt.answers))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseChoices(t *testing.T) {
	q := questions()[2]
	got, ok := q.ParseChoices([]string{"c", " A ", "", "2"})
	if !ok || !cmp.Equal(got, []int{0, 1, 2}) {
		t.Errorf("ParseChoices = %v %v", got, ok)
	}
	if _, ok := q.ParseChoices([]string{"D"}); ok {
		t.Error("unknown option accepted")
	}
	if got, ok := questions()[1].ParseChoices([]string{"glas"}); !ok || !cmp.Equal(got, []int{1}) {
		t.Errorf("Welsh label: %v %v", got, ok)
	}
}

func TestResponseValidate(t *testing.T) {
	qs := questions()
	base := Response{Channel: ChannelPost, ReceivedAt: now.Add(-48 * time.Hour), Answers: []Answer{{QuestionID: 11, Text: "x"}}}
	tests := []struct {
		name string
		edit func(*Response)
		want map[string]string
	}{
		{"fine", func(*Response) {}, nil},
		{"org without name", func(r *Response) { r.Respondent = Organisation }, map[string]string{"org_name": "error.response.org_name.required"}},
		{"named without name", func(r *Response) { r.Consent = PublishNamed }, map[string]string{"name": "error.response.name.required_to_publish"}},
		{"hear back without email", func(r *Response) { r.HearBack = true }, map[string]string{"email": "error.response.email.required_to_hear_back"}},
		{"bad email", func(r *Response) { r.Email = "not an email" }, map[string]string{"email": "error.response.email.invalid"}},
		{"no date offline", func(r *Response) { r.ReceivedAt = time.Time{} }, map[string]string{"received_at": "error.response.received.required"}},
		{"future date", func(r *Response) { r.ReceivedAt = now.Add(72 * time.Hour) }, map[string]string{"received_at": "error.response.received.future"}},
		{"unknown channel", func(r *Response) { r.Channel = "fax" }, map[string]string{"channel": "error.response.channel.unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base
			tt.edit(&r)
			r.Normalise()
			if diff := cmp.Diff(tt.want, fieldsOf(r.Validate(qs, now))); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResponseClock(t *testing.T) {
	closed := time.Date(2026, 1, 5, 17, 0, 0, 0, time.UTC)
	c := Consultation{Status: Closed, ClosedAt: closed}
	k, ok := c.ResponseClock(time.Date(2026, 1, 6, 9, 0, 0, 0, time.UTC))
	if !ok || k.DaysLeft != 83 || k.Overdue != 0 || !k.Due.Equal(closed.AddDate(0, 0, 84)) {
		t.Errorf("day after closing: %+v %v", k, ok)
	}
	k, _ = c.ResponseClock(closed.AddDate(0, 0, 90))
	if k.DaysLeft != 0 || k.Overdue != 6 {
		t.Errorf("overdue: %+v", k)
	}
	if _, ok := (Consultation{Status: Open}).ResponseClock(now); ok {
		t.Error("an open consultation has no clock")
	}
	c.OutcomeAt = closed.AddDate(0, 0, 30)
	if d := c.DaysToOutcome(); d != 30 {
		t.Errorf("DaysToOutcome = %d", d)
	}
}

func TestCanMove(t *testing.T) {
	for _, tt := range []struct {
		from, to Status
		ok       bool
	}{{Draft, Open, true}, {Open, Closed, true}, {Closed, Open, true}, {Closed, Outcome, true}, {Draft, Closed, false}, {Outcome, Open, false}, {Open, Outcome, false}} {
		if CanMove(tt.from, tt.to) != tt.ok {
			t.Errorf("CanMove(%s, %s) != %v", tt.from, tt.to, tt.ok)
		}
	}
}

func TestAnalyse(t *testing.T) {
	qs := questions()
	rs := []Response{
		{ID: 1, Status: Submitted, Channel: ChannelWeb, Respondent: Individual, Answers: []Answer{{QuestionID: 11, Text: "a"}, {QuestionID: 12, Choices: []int{0}}, {QuestionID: 14, Choices: []int{4}}}},
		{ID: 2, Status: Submitted, Channel: ChannelPost, Respondent: Individual, Answers: []Answer{{QuestionID: 12, Choices: []int{0}}, {QuestionID: 14, Choices: []int{1}}}},
		{ID: 3, Status: Submitted, Channel: ChannelPost, Respondent: Organisation, Answers: []Answer{{QuestionID: 12, Choices: []int{1}}, {QuestionID: 13, Choices: []int{0, 1}}}},
		{ID: 4, Status: InProgress, Channel: ChannelWeb, Answers: []Answer{{QuestionID: 12, Choices: []int{1}}}},
	}
	f := Analyse(qs, rs, Filter{})
	if f.Responses != 3 || f.FreeTexted != 1 {
		t.Fatalf("responses %d, free-texted %d", f.Responses, f.FreeTexted)
	}
	if diff := cmp.Diff([]Count{{Key: "web", Count: 1, Percent: 33.3}, {Key: "post", Count: 2, Percent: 66.7}}, f.ByChannel); diff != "" {
		t.Errorf("by channel: %s", diff)
	}
	single := f.Questions[1]
	if single.Answered != 3 || single.Options[0].Count != 2 || single.Options[0].Percent != 66.7 || single.Options[1].Percent != 33.3 {
		t.Errorf("single: %+v", single)
	}
	if scale := f.Questions[3]; scale.Answered != 2 || scale.Mean != 3.5 {
		t.Errorf("scale: %+v", scale)
	}
	post := Analyse(qs, rs, Filter{Channel: ChannelPost, Respondent: Individual})
	if post.Responses != 1 || post.Questions[1].Options[0].Count != 1 {
		t.Errorf("filtered: %+v", post)
	}
	empty := Analyse(qs, nil, Filter{})
	if empty.Responses != 0 || empty.Questions[1].Options[0].Percent != 0 {
		t.Errorf("empty: %+v", empty)
	}
}

func TestCampaigns(t *testing.T) {
	qs := questions()
	letter := "I strongly object to the closure of the Riverside library because it is the only place where children in the area can study quietly after school"
	var rs []Response
	for i := range 6 {
		text := letter
		if i == 1 || i == 4 {
			text += " and my own daughter goes there every single day"
		}
		rs = append(rs, Response{ID: int64(i + 1), Status: Submitted, Answers: []Answer{{QuestionID: 11, Text: text}}})
	}
	rs = append(rs, Response{ID: 7, Status: Submitted, Answers: []Answer{{QuestionID: 11, Text: "Please extend the opening hours of the swimming pool on Sundays for families"}}})
	cs := Campaigns(qs, rs)
	if len(cs) != 1 || cs[0].Size != 6 || cs[0].Added != 2 {
		t.Fatalf("campaigns %+v", cs)
	}
	for _, m := range cs[0].Members {
		if (m.ResponseID == 2 || m.ResponseID == 5) != strings.Contains(m.Added, "daughter") {
			t.Errorf("member %d added %q", m.ResponseID, m.Added)
		}
	}
}

func TestParseCSV(t *testing.T) {
	qs := questions()
	good := "channel,received,respondent,name,organisation,email,consent,hear_back,q1,q2,q3,q4\n" +
		"post,2026-11-01,individual,Ann,,ann@example.org,named,yes,Too many cars,Red,A|C,5\n" +
		"Face to face,2026-11-02,organisation,,Cycling Club,,no,no,Safer lanes,2,,Agree\n" +
		",,,,,,,,,,,\n"
	rs, err := ParseCSV(strings.NewReader(good), qs, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 {
		t.Fatalf("%d responses", len(rs))
	}
	want := Response{Status: Submitted, Channel: ChannelPost, Respondent: Individual, Name: "Ann", Email: "ann@example.org", Consent: PublishNamed, HearBack: true,
		ReceivedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), SubmittedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		Answers: []Answer{{QuestionID: 11, Text: "Too many cars"}, {QuestionID: 12, Choices: []int{0}}, {QuestionID: 13, Choices: []int{0, 2}}, {QuestionID: 14, Choices: []int{4}}}}
	if diff := cmp.Diff(want, rs[0]); diff != "" {
		t.Errorf("row 2 (-want +got):\n%s", diff)
	}
	if rs[1].Channel != ChannelFaceToFace || rs[1].OrgName != "Cycling Club" || !cmp.Equal(rs[1].Answers[2].Choices, []int{3}) {
		t.Errorf("row 3: %+v", rs[1])
	}

	bad := "channel,received,q1,q2\n" +
		"post,2026-11-01,Fine,Red\n" +
		"web,yesterday,,Green\n" +
		"post,2026-11-01\n"
	_, err = ParseCSV(strings.NewReader(bad), qs, now)
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("bad file: %v", err)
	}
	got := map[string]bool{}
	for _, e := range ie.Rows {
		got[e.Error()] = true
	}
	for _, w := range []string{
		"line 3, column channel: error.import.channel_web",
		"line 3, column received: error.import.date",
		"line 3, column q2: error.answer.invalid",
		"line 3, column q1: error.answer.required",
		"line 4: error.import.field_count",
	} {
		if !got[w] {
			t.Errorf("missing %q in %v", w, ie.Rows)
		}
	}

	for name, src := range map[string]string{
		"empty":          "",
		"unknown column": "channel,received,colour\npost,2026-11-01,red\n",
		"no question 9":  "channel,received,q9\npost,2026-11-01,x\n",
		"missing column": "channel,q1\npost,x\n",
		"header only":    "channel,received,q1\n",
		"bad quoting":    "channel,received,q1\npost,2026-11-01,\"unterminated\n",
	} {
		if _, err := ParseCSV(strings.NewReader(src), qs, now); !errors.As(err, &ie) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidateResult(t *testing.T) {
	r := Result{SummaryEN: "We heard", DecisionEN: "We will", Items: []YouSaid{{SaidEN: "More", DidEN: "Done"}}}
	if err := r.Validate(); err != nil {
		t.Errorf("good result: %v", err)
	}
	r.Items = append(r.Items, YouSaid{SaidEN: "Half"})
	if got := fieldsOf(r.Validate()); got["items"] != "error.consultation.outcome.item_incomplete" {
		t.Errorf("half item: %v", got)
	}
}
