package web

import "net/http"

// staffMeasureRoutes registers the staff measurement pages.
func (s *Server) staffMeasureRoutes(mux *http.ServeMux) {}
