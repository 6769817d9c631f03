package outbox

import (
	"strings"
	"testing"

	"parley/internal/apperr"
)

func TestMessageValidate(t *testing.T) {
	ok := Message{Kind: "sign-in", To: "a@example.org", Subject: "Sign in", Body: "Link"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]Message{
		"bad address":        {Kind: "k", To: "nobody", Subject: "s", Body: "b"},
		"header injection":   {Kind: "k", To: "a@example.org\r\nBcc: b@example.org", Subject: "s", Body: "b"},
		"subject injection":  {Kind: "k", To: "a@example.org", Subject: "s\r\nBcc: b@example.org", Body: "b"},
		"no body":            {Kind: "k", To: "a@example.org", Subject: "s"},
		"no kind (for logs)": {To: "a@example.org", Subject: "s", Body: "b"},
	} {
		if !apperr.Is(m.Validate(), apperr.Invalid) {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestEventValidate(t *testing.T) {
	for _, tc := range []struct {
		ev     Event
		fields []string
	}{
		{Event{Subject: "News", Body: "Text"}, nil},
		{Event{Subject: " ", Body: ""}, []string{"subject", "body"}},
		{Event{Subject: strings.Repeat("x", 151), Body: "b"}, []string{"subject"}},
		{Event{Subject: "two\nlines", Body: "b"}, []string{"subject"}},
		{Event{Subject: "s", Body: strings.Repeat("é", 5001)}, []string{"body"}},
	} {
		got := apperr.FieldsOf(tc.ev.Validate())
		if len(got) != len(tc.fields) {
			t.Errorf("%q: fields %v, want %v", tc.ev.Subject, got, tc.fields)
		}
		for _, f := range tc.fields {
			if got[f] == "" {
				t.Errorf("%q: no message for %s", tc.ev.Subject, f)
			}
		}
	}
}
