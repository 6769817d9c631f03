package web

import (
	"fmt"
	"net/http"
	"time"
)

// securityTxt tells security researchers where to report a problem (RFC
// 9116). Expires is kept a year ahead of today, so the file never lapses
// while the site runs.
func (s *Server) securityTxt(w http.ResponseWriter, r *http.Request) {
	contact := s.SecurityContact
	if contact == "" { // the app always sets one; a bare test server has none
		http.NotFound(w, r)
		return
	}
	expires := time.Now().UTC().Truncate(24*time.Hour).AddDate(1, 0, 0)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	fmt.Fprintf(w, "Contact: %s\nExpires: %s\nPreferred-Languages: en, cy\n", contact, expires.Format(time.RFC3339))
	if s.BaseURL != "" {
		fmt.Fprintf(w, "Canonical: %s/.well-known/security.txt\n", s.BaseURL)
	}
}
