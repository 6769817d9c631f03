package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"parley/internal/store"
	"parley/internal/web"
)

// TestCachedFeedsKeepTheirContentType: a feed served from the page cache
// is still Atom, not HTML.
func TestCachedFeedsKeepTheirContentType(t *testing.T) {
	s := newSite(t, store.SQLite, func(o *web.Options) { o.PageCacheTTL = time.Minute })
	for i := range 2 {
		resp, err := http.Get(s.srv.URL + "/feeds/organisations/north-shire/consultations.atom")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "application/atom+xml") {
			t.Errorf("request %d: %d %q", i+1, resp.StatusCode, ct)
		}
	}
}
