package web

import (
	"strings"
	"testing"

	"parley/internal/proposal"
)

// FuzzReadCategories: whatever is typed into the board's categories box
// reads without panicking, and categories a board accepts write out again
// as lines that read back the same.
func FuzzReadCategories(f *testing.F) {
	f.Add("Roads\nParks | Parciau\n\n  Libraries  |  Llyfrgelloedd ")
	f.Add("|\n||\n Roads | Ffyrdd | extra")
	f.Fuzz(func(t *testing.T, text string) {
		cs := readCategories(text, []proposal.Category{{Slug: "roads", NameEN: "Roads", NameCY: "Ffyrdd"}})
		b := proposal.Board{Kind: proposal.Ideas, TitleEN: "Ideas", Categories: cs}
		b.Normalise()
		if b.Validate() != nil {
			return
		}
		again := readCategories(categoryLines(b.Categories), b.Categories)
		if len(again) != len(b.Categories) {
			t.Fatalf("%q: %d categories, %d after writing them out", text, len(b.Categories), len(again))
		}
		for i, c := range again {
			if c.Slug != b.Categories[i].Slug || c.NameEN != b.Categories[i].NameEN {
				t.Fatalf("%q: category %d came back as %+v, was %+v", text, i, c, b.Categories[i])
			}
		}
	})
}

// FuzzInvalidationForm: any bulk invalidation form reads into an
// invalidation that is either refused with field errors or has at least
// one attribute to match, so it can never take every signature.
func FuzzInvalidationForm(f *testing.F) {
	f.Add("12", "192.0.2.0/24", "", "", "", "", "3", "3", "2026", "14:30", "", "", "", "", "bots")
	f.Add("#x", "::1", "@Spam.Example", "a+b@gmail.com", "sw1a1aa", "Jo", "31", "2", "2026", "25:00", "1", "1", "1", "", "")
	f.Fuzz(func(t *testing.T, pid, ip, domain, email, postcode, name, fd, fm, fy, ft, td, tm, ty, tt, reason string) {
		vals := map[string]string{"proposal": pid, "ip": ip, "domain": domain, "email": email, "postcode": postcode, "name": name,
			"from-day": fd, "from-month": fm, "from-year": fy, "from_time": ft, "to-day": td, "to-month": tm, "to-year": ty, "to_time": tt, "reason": reason}
		raw := readInvalidationRaw(func(k string) string { return vals[k] })
		inv, err := raw.invalidation()
		if err != nil {
			return
		}
		if inv.IP == "" && inv.Domain == "" && inv.Email == "" && inv.Postcode == "" && inv.Name == "" && inv.From.IsZero() {
			t.Fatalf("accepted an invalidation with nothing to match: %+v", inv)
		}
		if strings.TrimSpace(inv.Reason) == "" {
			t.Fatalf("accepted an invalidation without a reason: %+v", inv)
		}
	})
}
