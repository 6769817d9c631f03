package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func TestWelshIsComplete(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	en, cy := c.IDs("en"), c.IDs("cy")
	for id := range en {
		if !cy[id] {
			t.Errorf("no Welsh for %s", id)
		}
	}
	for id := range cy {
		if !en[id] {
			t.Errorf("Welsh message %s has no English", id)
		}
	}
	p := c.Printer("cy")
	for id := range cy {
		if p.T(id) == c.Printer("en").T(id) && !sameInBoth[id] {
			t.Errorf("%s: Welsh text is the English text", id)
		}
	}
}

// sameInBoth lists messages that are rightly the same in both languages.
var sameInBoth = map[string]bool{"audit.system": true}

// usedIDs finds message IDs in templates (.T "id") and Go code (quoted IDs
// under the catalogue's prefixes).
var (
	templateID = regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	goID       = regexp.MustCompile(`"((?:error|email|measure|measures|proposal|proposals|board|boards|signature|signatures|petition|petitions|comment|consultation|consultations|question|response|respond|theme|themes|analysis|outcome|document|conversation|conversations|listening|statement|update|sign_in|sign_out|org|people|account|staff|outbox|audit|home|check_email|sign_in_link|unsubscribe|accessibility|privacy|cookies|nav|layout|footer)\.[a-z0-9_.]+)"`)
)

func TestEveryUsedMessageExists(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	en := c.IDs("en")
	missing := map[string]string{}
	root := filepath.Join("..")
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || strings.HasSuffix(path, "_test.go") {
			return err
		}
		if d.IsDir() {
			if d.Name() == "api" {
				return filepath.SkipDir // the API speaks English only, with its own texts
			}
			return nil
		}
		var re *regexp.Regexp
		switch {
		case strings.HasSuffix(path, ".tmpl"):
			re = templateID
		case strings.HasSuffix(path, ".go"):
			re = goID
		default:
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		// Audit log actions look like IDs but are codes, never shown translated.
		text := regexp.MustCompile(`(?m)^.*(Action: |action :?= ).*$`).ReplaceAllString(string(b), "")
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			id := m[1]
			if strings.HasSuffix(id, ".") || strings.HasSuffix(id, ".tmpl") || strings.HasSuffix(id, ".send") || strings.HasSuffix(id, ".fanout") {
				continue // a prefix completed at run time, a file name or a job kind
			}
			if !en[id] {
				missing[id] = path
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(missing))
	for id := range missing {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		t.Errorf("%s (used in %s) is not in the catalogue", id, missing[id])
	}
	for _, role := range []string{"admin", "editor", "moderator", "analyst"} {
		if !en["role."+role] || !en["role."+role+".hint"] {
			t.Errorf("role %s has no name or hint", role)
		}
	}
}

func TestPrinter(t *testing.T) {
	c, _ := Load()
	if got := c.Printer("cy").T("sign_in.sso_button", "Provider", "GOV.UK One Login"); got != "Mewngofnodi gyda GOV.UK One Login" {
		t.Errorf("got %q", got)
	}
	if got := c.Printer("xx").T("nav.sign_in"); got != "Sign in" {
		t.Errorf("unknown language: %q", got)
	}
	if got := c.Printer("en").T("plain text, not an id"); got != "plain text, not an id" {
		t.Errorf("non-ID text changed: %q", got)
	}
	for accept, want := range map[string]string{"cy-GB,en;q=0.5": "cy", "en-GB": "en", "fr": "en", "": "en", "fr, cy;q=0.3": "cy"} {
		if got := Match(accept); got != want {
			t.Errorf("Match(%q) = %s", accept, got)
		}
	}
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{"cy", "en-GB,en;q=0.9", "*", ";;,,", "cy;q=abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		if got := Match(accept); !Supported(got) {
			t.Errorf("Match(%q) = %q", accept, got)
		}
	})
}
