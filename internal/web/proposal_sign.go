package web

import "net/http"

// signatureRoutes registers the petition signing journey.
func (s *Server) signatureRoutes(mux *http.ServeMux) {}
