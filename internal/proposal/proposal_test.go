package proposal

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"parley/internal/apperr"
)

func TestNormaliseEmail(t *testing.T) {
	for in, want := range map[string]string{
		"Jo.Bloggs@Example.org":         "jo.bloggs@example.org",
		"jo.bloggs+petitions@gmail.com": "jobloggs@gmail.com",
		"J.O.Bloggs@googlemail.com":     "jobloggs@gmail.com",
		"jo+tag@example.org":            "jo@example.org",
		" jo@example.org. ":             "jo@example.org",
		"+tag@example.org":              "+tag@example.org", // a "+" first is the name, not a tag
		"...@gmail.com":                 "",
		"no-at-sign":                    "",
		"a@b@c":                         "",
		"@example.org":                  "",
	} {
		if got := NormaliseEmail(in); got != want {
			t.Errorf("NormaliseEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalisePostcode(t *testing.T) {
	for in, want := range map[string]string{
		"sw1a1aa":   "SW1A 1AA",
		" SW1A 1AA": "SW1A 1AA",
		"m1 1ae":    "M1 1AE",
		"CF10 1EP":  "CF10 1EP",
		"EC1A 1BB":  "EC1A 1BB",
		"12345":     "",
		"SW1A":      "",
		"":          "",
	} {
		if got := NormalisePostcode(in); got != want {
			t.Errorf("NormalisePostcode(%q) = %q, want %q", in, got, want)
		}
	}
	if District("CF10 1EP") != "CF10" {
		t.Error("district")
	}
}

func TestSignatureValidate(t *testing.T) {
	s := Signature{Name: " Jo  Bloggs ", Email: "jo@example.org", Postcode: "cf101ep", UKResident: true}
	s.Normalise()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.Name != "Jo Bloggs" || s.Country != "GB" || s.Postcode != "CF10 1EP" || s.EmailNorm != "jo@example.org" || s.Domain() != "example.org" {
		t.Errorf("normalised %+v", s)
	}
	bad := Signature{Email: "not an address", Postcode: "nowhere"}
	bad.Normalise()
	f := apperr.FieldsOf(bad.Validate())
	for _, k := range []string{"name", "email", "postcode", "uk_resident"} {
		if f[k] == "" {
			t.Errorf("no error for %s in %v", k, f)
		}
	}
	abroad := Signature{Name: "Ann", Email: "ann@example.fr", Country: "fr"}
	abroad.Normalise()
	if err := abroad.Validate(); err != nil {
		t.Errorf("a signature from abroad needs no postcode or declaration: %v", err)
	}
}

func TestBlocklist(t *testing.T) {
	var entries []Block
	for _, b := range []Block{
		{Kind: BlockIP, Value: "192.0.2.0/24"},
		{Kind: BlockIP, Value: "2001:db8::1"},
		{Kind: BlockDomain, Value: "@Spam.Example."},
		{Kind: BlockEmail, Value: "Bad.Actor+x@gmail.com"},
	} {
		b.Normalise()
		if err := b.Validate(); err != nil {
			t.Fatalf("%+v: %v", b, err)
		}
		entries = append(entries, b)
	}
	l := NewBlocklist(entries)
	for _, c := range []struct {
		ip, email string
		want      BlockKind
	}{
		{"192.0.2.77", "ok@example.org", BlockIP},
		{"::ffff:192.0.2.1", "ok@example.org", BlockIP},
		{"2001:db8::1", "ok@example.org", BlockIP},
		{"198.51.100.1", "x@spam.example", BlockDomain},
		{"198.51.100.1", "x@mail.spam.example", BlockDomain},
		{"198.51.100.1", "badactor@gmail.com", BlockEmail},
		{"198.51.100.1", "x@notspam.example", ""},
	} {
		got, blocked := l.Blocked(netip.MustParseAddr(c.ip), c.email)
		if got != c.want || blocked != (c.want != "") {
			t.Errorf("Blocked(%s, %s) = %q %v, want %q", c.ip, c.email, got, blocked, c.want)
		}
	}
	for _, b := range []Block{{Kind: BlockIP, Value: "not-an-ip"}, {Kind: BlockDomain, Value: "localhost"}, {Kind: "other", Value: "x"}} {
		b.Normalise()
		if b.Validate() == nil {
			t.Errorf("%+v accepted", b)
		}
	}
}

func TestStamp(t *testing.T) {
	key := []byte("secret")
	now := time.Unix(1_800_000_000, 0)
	st := Stamp(key, now)
	if err := CheckStamp(key, st, now.Add(MinFillTime)); err != nil {
		t.Errorf("in time: %v", err)
	}
	if err := CheckStamp(key, st, now.Add(time.Second)); err != ErrStampFast {
		t.Errorf("fast: %v", err)
	}
	if err := CheckStamp(key, st, now.Add(MaxFormAge+time.Second)); err != ErrStampStale {
		t.Errorf("stale: %v", err)
	}
	if err := CheckStamp([]byte("other"), st, now.Add(time.Minute)); err != ErrStampBad {
		t.Errorf("forged: %v", err)
	}
	for _, s := range []string{"", "123", "abc.def", "1800000000." + strings.Repeat("A", 22)} {
		if err := CheckStamp(key, s, now.Add(time.Minute)); err != ErrStampBad {
			t.Errorf("%q: %v", s, err)
		}
	}
}

func TestAreas(t *testing.T) {
	rows, err := ParseAreas(strings.NewReader("prefix,code,name\nCF10,W1,Cardiff Central\nCF,W0,Cardiff\nsw1a 1aa,E1,Whitehall\nSW1A 2,E2,Downing\nE1,E3,Whitechapel\n"))
	if err != nil {
		t.Fatal(err)
	}
	l := NewAreaLookup(rows)
	for pc, want := range map[string]string{
		"CF10 1EP": "W1", // district
		"CF24 3AA": "W0", // area
		"SW1A 1AA": "E1", // full postcode
		"SW1A 2AA": "E2", // sector
		"E14 5AB":  "",   // E1 is not a prefix of E14's district
		"M1 1AE":   "",
	} {
		a, ok := l.Find(pc)
		if a.Code != want || ok != (want != "") {
			t.Errorf("Find(%s) = %+v %v, want %q", pc, a, ok, want)
		}
	}
	for _, bad := range []string{
		"",
		"postcode,code,name\nCF10,W1,x\n",
		"prefix,code,name\n12,W1,x\n",
		"prefix,code,name\nCF10,,x\n",
		"prefix,code,name\nCF10,W1,x\ncf10,W2,y\n",
		"prefix,code,name\nCF10,W1\n",
	} {
		if _, err := ParseAreas(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestBoardValidate(t *testing.T) {
	b := Board{Kind: Petitions, TitleEN: " Petitions ", ResponseThreshold: 10000, DebateThreshold: 100000,
		Categories: []Category{{NameEN: "Roads and transport"}}}
	b.Normalise()
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	if b.Categories[0].Slug != "roads-and-transport" || b.Moderation != PreModeration || b.ResponseDays != DefaultResponseDays {
		t.Errorf("normalised %+v", b)
	}
	b.DebateThreshold = 5
	if apperr.FieldsOf(b.Validate())["debate_threshold"] == "" {
		t.Error("debate below response accepted")
	}
	if err := (Board{}).Validate(); apperr.FieldsOf(err)["kind"] == "" || apperr.FieldsOf(err)["title_en"] == "" {
		t.Errorf("empty board: %v", err)
	}
}

func TestStagesAndSupport(t *testing.T) {
	pet := Board{Kind: Petitions, Moderation: PreModeration, SponsorsNeeded: 5, OpenDays: 182}
	if FirstStage(pet) != Sponsoring || AfterSponsors(pet) != Pending {
		t.Error("petition stages")
	}
	ideas := Board{Kind: Ideas, Moderation: PostModeration}
	if FirstStage(ideas) != Published {
		t.Error("post-moderated idea starts published")
	}
	if !CanModerate(Pending, Published) || !CanModerate(Published, Hidden) || CanModerate(Rejected, Hidden) || CanModerate(Published, Pending) {
		t.Error("moderation moves")
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	closes := pet.ClosesAt(now)
	if !closes.Equal(now.AddDate(0, 0, 182)) || !ideas.ClosesAt(now).IsZero() {
		t.Error("ClosesAt")
	}
	p := Proposal{Stage: Published, Status: Open, ClosesAt: closes}
	if !p.Supportable(now) || p.Supportable(closes) {
		t.Error("supportable until closing")
	}
	p.Status = Declined
	if p.Supportable(now) {
		t.Error("declined proposals take no support")
	}
	q := Proposal{ThresholdAt: now, ResponseDue: now.AddDate(0, 0, 28)}
	if !q.Awaiting() || q.Overdue(now) || !q.Overdue(now.AddDate(0, 0, 29)) {
		t.Error("awaiting and overdue")
	}
	if ValidStatus(Duplicate) || !ValidStatus(Planned) {
		t.Error("ValidStatus")
	}
	if (StatusChange{Status: Declined}).Validate() == nil {
		t.Error("a decline needs a response")
	}
}

func TestInvalidation(t *testing.T) {
	v := Invalidation{IP: " 192.0.2.9/24 ", Domain: "@Spam.Example", Reason: "bot farm"}
	v.Normalise()
	if err := v.Validate(); err != nil {
		t.Fatal(err)
	}
	if p, ok := v.Prefix(); !ok || p.String() != "192.0.2.0/24" || v.Domain != "spam.example" {
		t.Errorf("%+v", v)
	}
	if (Invalidation{Reason: "x"}).Validate() == nil {
		t.Error("an invalidation without attributes would take every signature")
	}
}

func TestSlugify(t *testing.T) {
	if got := Slugify("  Parks & Open Spaces! "); got != "parks-open-spaces" {
		t.Error(got)
	}
}
