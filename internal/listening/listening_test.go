package listening

import (
	"strings"
	"testing"
	"time"

	"parley/internal/apperr"
)

func TestNormaliseLink(t *testing.T) {
	for in, want := range map[string]string{
		"https://News.example/a?utm_source=x&id=2&fbclid=1#top": "https://news.example/a?id=2",
		"https://news.example:443/a?b=2&a=1":                    "https://news.example/a?a=1&b=2",
		"http://x.example/p?gclid=3&UTM_Medium=e":               "http://x.example/p",
		"  https://x.example/p  ":                               "https://x.example/p",
		"not a url":                                             "not a url",
	} {
		if got := NormaliseLink(in); got != want {
			t.Errorf("NormaliseLink(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlainText(t *testing.T) {
	got := PlainText(`<p>Bus <b>lanes</b> &amp; trams</p><script>alert(1)</script><style>p{}</style><br>ok`, 100)
	if got != "Bus lanes & trams ok" {
		t.Errorf("got %q", got)
	}
	long := PlainText(strings.Repeat("word ", 500), 20)
	if len([]rune(long)) != 20 || !strings.HasSuffix(long, "…") {
		t.Errorf("clipped %q", long)
	}
}

func TestRuleValidate(t *testing.T) {
	r := Rule{Name: "Buses", Query: `bus AND (lane OR "bus stop"`}
	r.Normalise()
	err := r.Validate()
	msg := apperr.FieldsOf(err)["query"]
	if !apperr.Is(err, apperr.Invalid) || !strings.HasPrefix(msg, "Column ") {
		t.Fatalf("syntax error: %v %q", err, msg)
	}
	r.Query = `bus AND (lane OR "bus stop")`
	if err := r.Validate(); err != nil {
		t.Errorf("valid rule: %v", err)
	}
	r.Alert = "hourly"
	if apperr.FieldsOf(r.Validate())["alert"] == "" {
		t.Error("unknown alert mode accepted")
	}
}

func TestTriageValidate(t *testing.T) {
	for _, c := range []struct {
		t     Triage
		field string
	}{
		{Triage{Status: "maybe"}, "status"},
		{Triage{Status: Answered}, "answer_url"},
		{Triage{Status: Answered, AnswerURL: "javascript:alert(1)"}, "answer_url"},
		{Triage{Status: Relevant, Note: strings.Repeat("n", MaxNote+1)}, "note"},
	} {
		if apperr.FieldsOf(c.t.Validate())[c.field] == "" {
			t.Errorf("%+v: no error on %s", c.t, c.field)
		}
	}
	if err := (Triage{Status: Answered, AnswerURL: "https://social.example/@council/1"}).Validate(); err != nil {
		t.Error(err)
	}
}

func TestNormaliseFeedURL(t *testing.T) {
	if _, err := NormaliseFeedURL(" https://x.example/feed "); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "ftp://x.example/", "/feed", "https://"} {
		if _, err := NormaliseFeedURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSignature(t *testing.T) {
	ts := time.Unix(1_800_000_000, 0)
	sig := Sign("s3cret", ts, []byte(`{"a":1}`))
	if !strings.HasPrefix(sig, "v1=") || len(sig) != 3+64 {
		t.Fatalf("signature %q", sig)
	}
	if !Verify("s3cret", "1800000000", sig, []byte(`{"a":1}`)) {
		t.Error("good signature refused")
	}
	for _, c := range []struct{ secret, ts, body string }{
		{"other", "1800000000", `{"a":1}`}, {"s3cret", "1800000001", `{"a":1}`}, {"s3cret", "1800000000", `{"a":2}`}, {"s3cret", "x", `{"a":1}`},
	} {
		if Verify(c.secret, c.ts, sig, []byte(c.body)) {
			t.Errorf("forged %+v accepted", c)
		}
	}
}
