package web

import (
	"testing"
	"time"
)

func TestDateInThePageLanguage(t *testing.T) {
	day := time.Date(2026, 1, 5, 23, 30, 0, 0, time.UTC)
	for _, tt := range []struct{ lang, want string }{{"en", "5 January 2026"}, {"cy", "5 Ionawr 2026"}} {
		if got := (Base{Lang: tt.lang}).Date(day); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.lang, got, tt.want)
		}
	}
	if got := (Base{Lang: "cy"}).Date(time.Time{}); got != "" {
		t.Errorf("zero time: %q", got)
	}
}
