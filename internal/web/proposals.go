package web

import "net/http"

// proposalRoutes registers the public pages of boards and proposals.
func (s *Server) proposalRoutes(mux *http.ServeMux) {}
