package web

import "net/http"

// staffProposalRoutes registers the staff pages of boards, proposals and petitions.
func (s *Server) staffProposalRoutes(mux *http.ServeMux) {}
