package moderation

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/apperr"
)

func TestParseRef(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Ref
		ok   bool
	}{
		{"proposal:1", Ref{KindProposal, 1}, true},
		{"comment:42", Ref{KindComment, 42}, true},
		{"statement:7", Ref{KindStatement, 7}, true},
		{"response:9", Ref{KindResponse, 9}, true},
		{"display_name:3", Ref{KindDisplayName, 3}, true},
		{"proposal:0", Ref{}, false},
		{"proposal:-1", Ref{}, false},
		{"proposal:", Ref{}, false},
		{"proposal", Ref{}, false},
		{":1", Ref{}, false},
		{"petition:1", Ref{}, false},
		{"Proposal:1", Ref{}, false},
		{"proposal:1x", Ref{}, false},
		{"proposal:99999999999999999999", Ref{}, false},
		{"", Ref{}, false},
	} {
		got, err := ParseRef(c.in)
		if c.ok != (err == nil) || got != c.want {
			t.Errorf("ParseRef(%q) = %v, %v", c.in, got, err)
			continue
		}
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) || apperr.Message(err) != "error.moderation.ref" {
				t.Errorf("ParseRef(%q) error %v", c.in, err)
			}
			continue
		}
		if got.String() != c.in {
			t.Errorf("%v.String() = %q", got, got.String())
		}
	}
}

func TestKindsAndReasons(t *testing.T) {
	for _, k := range Kinds {
		if !k.Valid() {
			t.Errorf("%s not valid", k)
		}
	}
	if Kind("petition").Valid() || Kind("").Valid() {
		t.Error("unknown kind valid")
	}
	var signals []Reason
	for _, r := range Reasons {
		if r.Signal() {
			signals = append(signals, r)
		}
	}
	if want := []Reason{LinkSpam, Repetition, NewAccount, WordList, Flood, DisposableEmail}; !slices.Equal(signals, want) {
		t.Errorf("signals %v", signals)
	}
}

func TestParseWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"\n , \r\n", nil},
		{"Scam\nidiot", []string{"scam", "idiot"}},
		{"scam, SCAM ,Scam\nscam", []string{"scam"}},
		{"  buy   now  \r\nBuy Now", []string{"buy now"}},
		{"Crème Brûlée\nLLANFAIR", []string{"crème brûlée", "llanfair"}},
	} {
		got, err := ParseWords(c.in)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("ParseWords(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}

	long := strings.Repeat("a", MaxWordLen)
	if got, err := ParseWords(long); err != nil || len(got) != 1 {
		t.Errorf("entry of %d runes: %v", MaxWordLen, err)
	}
	if got, err := ParseWords(strings.Repeat("ŵ", MaxWordLen)); err != nil || len(got) != 1 {
		t.Errorf("entry of %d Welsh runes: %v", MaxWordLen, err)
	}
	_, err := ParseWords("ok\n" + long + "a")
	if f := apperr.FieldsOf(err); f["words"] != "error.moderation.words.too_long" {
		t.Errorf("too long: %v", err)
	}

	var many []string
	for i := range MaxWords {
		many = append(many, "w"+strconv.Itoa(i))
	}
	if got, err := ParseWords(strings.Join(many, "\n") + "\nw0\nW1"); err != nil || len(got) != MaxWords {
		t.Errorf("%d entries (and repeats): %d, %v", MaxWords, len(got), err)
	}
	_, err = ParseWords(strings.Join(many, "\n") + "\nextra")
	if f := apperr.FieldsOf(err); f["words"] != "error.moderation.words.too_many" {
		t.Errorf("too many: %v", err)
	}
}

func TestSettingsValidate(t *testing.T) {
	if err := (Settings{Words: []string{"a"}, GuidelinesEN: "Be kind.", GuidelinesCY: "Byddwch yn garedig."}).Validate(); err != nil {
		t.Error(err)
	}
	err := Settings{Words: make([]string, MaxWords+1), GuidelinesCY: strings.Repeat("a", MaxGuide+1)}.Validate()
	f := apperr.FieldsOf(err)
	if f["words"] != "error.moderation.words.too_many" || f["guidelines_cy"] != "error.moderation.guidelines.too_long" || f["guidelines_en"] != "" {
		t.Errorf("settings: %v", err)
	}
}

func TestReportValidate(t *testing.T) {
	ref := Ref{KindComment, 1}
	for _, c := range []struct {
		r     Report
		field string
		msg   string
	}{
		{Report{Ref: ref, Category: ReportSpam}, "", ""},
		{Report{Ref: ref, Category: ReportAbuse, Detail: "Threatening."}, "", ""},
		{Report{Ref: ref, Category: ReportOther, Detail: "It names my neighbour."}, "", ""},
		{Report{Ref: ref, Category: ReportOther, Detail: "  "}, "detail", "error.moderation.report.detail_required"},
		{Report{Ref: ref, Category: ""}, "category", "error.moderation.report.category"},
		{Report{Ref: ref, Category: "rude"}, "category", "error.moderation.report.category"},
		{Report{Ref: ref, Category: ReportSpam, Detail: strings.Repeat("ŵ", MaxReport)}, "", ""},
		{Report{Ref: ref, Category: ReportSpam, Detail: strings.Repeat("a", MaxReport+1)}, "detail", "error.moderation.report.too_long"},
	} {
		checkField(t, "report", c.r.Validate(), c.field, c.msg)
	}
}

func TestDecisionInputValidate(t *testing.T) {
	for _, c := range []struct {
		d     DecisionInput
		k     Kind
		field string
		msg   string
	}{
		{DecisionInput{Decision: Approve}, KindProposal, "", ""},
		{DecisionInput{Decision: ApproveTrust}, KindDisplayName, "", ""},
		{DecisionInput{Decision: Reject, Reason: "Off topic."}, KindComment, "", ""},
		{DecisionInput{Decision: RejectBlock, Reason: "Spam."}, KindStatement, "", ""},
		{DecisionInput{Decision: Reject}, KindComment, "reason", "error.moderation.reason.required"},
		{DecisionInput{Decision: RejectBlock, Reason: " \n"}, KindComment, "reason", "error.moderation.reason.required"},
		{DecisionInput{Decision: Reject, Reason: strings.Repeat("a", MaxReason+1)}, KindComment, "reason", "error.moderation.reason.too_long"},
		{DecisionInput{Decision: "delete"}, KindComment, "decision", "error.moderation.decision.choose"},
		{DecisionInput{Decision: ""}, KindComment, "decision", "error.moderation.decision.choose"},
		{DecisionInput{Decision: Redact, Redacted: "Call [redacted]."}, KindComment, "", ""},
		{DecisionInput{Decision: Redact, Redacted: "Call [redacted]."}, KindProposal, "", ""},
		{DecisionInput{Decision: Redact, Redacted: "Call [redacted]."}, KindStatement, "", ""},
		{DecisionInput{Decision: Redact, Redacted: "Jane"}, KindDisplayName, "decision", "error.moderation.redact.kind"},
		{DecisionInput{Decision: Redact, Redacted: "x"}, KindResponse, "decision", "error.moderation.redact.kind"},
		{DecisionInput{Decision: Redact, Redacted: "  "}, KindComment, "redacted", "error.moderation.redact.required"},
	} {
		checkField(t, string(c.d.Decision)+"/"+string(c.k), c.d.Validate(c.k), c.field, c.msg)
	}
	for _, d := range Decisions {
		if d.Hides() != (d == Reject || d == RejectBlock) {
			t.Errorf("%s.Hides() = %v", d, d.Hides())
		}
	}
}

func TestAppealValidate(t *testing.T) {
	checkField(t, "appeal", Appeal{Text: "It was about the road, not a person."}.Validate(), "", "")
	checkField(t, "appeal", Appeal{Text: " "}.Validate(), "appeal", "error.moderation.appeal.required")
	checkField(t, "appeal", Appeal{Text: strings.Repeat("a", MaxAppeal+1)}.Validate(), "appeal", "error.moderation.appeal.too_long")
}

func TestItemCanAppeal(t *testing.T) {
	now := time.Now()
	for _, c := range []struct {
		it   Item
		want bool
	}{
		{Item{State: Closed, Decision: Reject}, true},
		{Item{State: Closed, Decision: RejectBlock}, true},
		{Item{State: Closed, Decision: Approve}, false},
		{Item{State: Closed, Decision: ApproveTrust}, false},
		{Item{State: Closed, Decision: Redact}, false},
		{Item{State: Open, Held: true}, false},
		{Item{State: Open, Decision: Reject}, false},                    // reopened by a report
		{Item{State: Closed, Decision: Reject, AppealedAt: now}, false}, // one appeal per item
		{Item{State: Open, Decision: Reject, AppealedAt: now}, false},   // the appeal is waiting
		{Item{State: Closed, Decision: Reject, AppealedAt: now, AppealOutcome: Reject}, false},
	} {
		if got := c.it.CanAppeal(); got != c.want {
			t.Errorf("%+v.CanAppeal() = %v", c.it, got)
		}
	}
}

// checkField checks that err is nil when field is "", and otherwise an
// Invalid error with msg on field.
func checkField(t *testing.T, what string, err error, field, msg string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
		return
	}
	if !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)[field] != msg {
		t.Errorf("%s: %v, want %s on %s", what, err, msg, field)
	}
}
