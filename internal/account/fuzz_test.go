package account

import (
	"strings"
	"testing"
)

func FuzzNormaliseEmail(f *testing.F) {
	for _, s := range []string{"a@b.org", " A@B.ORG ", "x", "a@b", "\"q\"@b.org", "a@b.org\r\nBcc: c@d.org", "ü@ß.de"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := NormaliseEmail(in)
		if err != nil {
			return
		}
		if strings.ContainsAny(out, " \r\n<>,;") || out != strings.ToLower(out) || !strings.Contains(out, "@") {
			t.Errorf("NormaliseEmail(%q) = %q: unsafe result", in, out)
		}
		again, err := NormaliseEmail(out)
		if err != nil || again != out {
			t.Errorf("not idempotent: %q → %q → %q (%v)", in, out, again, err)
		}
	})
}
