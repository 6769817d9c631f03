package web

import "net/http"

// consultationRoutes registers the public consultation pages and the
// respond journey.
func (s *Server) consultationRoutes(mux *http.ServeMux) {}
