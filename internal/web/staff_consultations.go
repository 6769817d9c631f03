package web

import "net/http"

// staffConsultationRoutes registers the staff pages of consultations:
// authoring, offline responses, analysis, themes and the outcome.
func (s *Server) staffConsultationRoutes(mux *http.ServeMux) {}
