package proposal

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzParseAreas: any upload either parses into rows whose prefixes Find
// can use, or fails with an error; it never panics.
func FuzzParseAreas(f *testing.F) {
	f.Add("prefix,code,name\nCF10,W1,Cardiff\nSW1A 1,E2,Whitehall\n")
	f.Add("prefix,code,name\n\"CF10\",\"W1\",\"a, b\"\n")
	f.Add("\ufeffprefix,code,name\r\nM1 1AE,E3,\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ParseAreas(strings.NewReader(in))
		if err != nil {
			return
		}
		l := NewAreaLookup(rows)
		for _, r := range rows {
			if r.Prefix == "" || r.Code == "" {
				t.Fatalf("empty row accepted: %+v", r)
			}
			if pc := NormalisePostcode(r.Prefix); pc != "" {
				if a, ok := l.Find(pc); !ok || a != r.Area {
					t.Fatalf("full postcode %q not found as itself", pc)
				}
			}
		}
	})
}

// FuzzNormalise: the address and postcode normalisers are idempotent and
// never panic on what a form may send.
func FuzzNormalise(f *testing.F) {
	f.Add("Jo.Bloggs+x@GoogleMail.com", "sw1a1aa")
	f.Add("@", " ")
	f.Fuzz(func(t *testing.T, email, postcode string) {
		if n := NormaliseEmail(email); n != "" && NormaliseEmail(n) != n {
			t.Fatalf("NormaliseEmail not idempotent: %q → %q → %q", email, n, NormaliseEmail(n))
		}
		if p := NormalisePostcode(postcode); p != "" && NormalisePostcode(p) != p {
			t.Fatalf("NormalisePostcode not idempotent: %q → %q", postcode, p)
		}
	})
}

// FuzzCheckStamp: no form stamp but one made with the key passes.
func FuzzCheckStamp(f *testing.F) {
	key := []byte("a key")
	now := time.Unix(1_800_000_000, 0)
	f.Add(Stamp(key, now.Add(-time.Minute)))
	f.Add("1799999940.AAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, stamp string) {
		if CheckStamp(key, stamp, now) == nil && stamp != Stamp(key, now.Add(-time.Minute)) {
			ts, _, _ := strings.Cut(stamp, ".")
			sec, err := strconv.ParseInt(ts, 10, 64)
			if err != nil || Stamp(key, time.Unix(sec, 0)) != stamp {
				t.Fatalf("accepted a forged stamp %q", stamp)
			}
		}
	})
}
