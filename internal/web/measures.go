package web

import "net/http"

// measureRoutes registers the public measurement pages.
func (s *Server) measureRoutes(mux *http.ServeMux) {}
