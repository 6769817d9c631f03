package web

import (
	"net/http"

	"parley/internal/account"
	"parley/internal/org"
)

// staffMeasureRoutes registers the staff measurement pages. Reading the
// figures needs PermAnalyse; changing unit costs and channels and
// importing records PermEdit; ingest tokens, publishing and the population
// baseline PermManageStaff.
func (s *Server) staffMeasureRoutes(mux *http.ServeMux) {
	s.staff(mux, "GET", "/staff/{org}/measures", account.PermAnalyse, s.staffMeasures)
	s.staff(mux, "GET", "/staff/{org}/measures/what-if", account.PermAnalyse, s.staffMeasuresWhatIf)
	s.staff(mux, "GET", "/staff/{org}/measures.csv", account.PermAnalyse, s.staffMeasuresDownload("csv"))
	s.staff(mux, "GET", "/staff/{org}/measures.json", account.PermAnalyse, s.staffMeasuresDownload("json"))
	s.staff(mux, "GET", "/staff/{org}/measures/costs", account.PermAnalyse, s.measureCostsPage)
	s.staff(mux, "POST", "/staff/{org}/measures/costs", account.PermEdit, s.measureCostSave)
	s.staff(mux, "POST", "/staff/{org}/measures/costs/delete", account.PermEdit, s.measureCostDelete)
	s.staff(mux, "GET", "/staff/{org}/measures/channels", account.PermAnalyse, s.measureChannelsPage)
	s.staff(mux, "POST", "/staff/{org}/measures/channels", account.PermEdit, s.measureChannelAdd)
	s.staff(mux, "GET", "/staff/{org}/measures/import", account.PermEdit, s.measureImportForm)
	s.staff(mux, "POST", "/staff/{org}/measures/import", account.PermEdit, s.measureImport)
	s.staff(mux, "GET", "/staff/{org}/measures/datasets", account.PermManageStaff, s.measureDatasetsPage)
	s.staff(mux, "POST", "/staff/{org}/measures/datasets", account.PermManageStaff, s.measureDatasetCreate)
	s.staff(mux, "POST", "/staff/{org}/measures/datasets/{id}/revoke", account.PermManageStaff, s.measureDatasetRevoke)
	s.staff(mux, "GET", "/staff/{org}/measures/datasets/{id}/records.csv", account.PermManageStaff, s.measureDatasetRecords)
	s.staff(mux, "GET", "/staff/{org}/measures/settings", account.PermManageStaff, s.measureSettingsPage)
	s.staff(mux, "POST", "/staff/{org}/measures/settings", account.PermManageStaff, s.measureSettingsSave)
}

func (s *Server) staffMeasures(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	page, f, err := s.measureOrgPage(r, o, true, "/staff/"+o.Slug+"/measures")
	if err != nil {
		return err
	}
	return s.render(w, r, filterStatus(f), "measures-org", page)
}

func (s *Server) staffMeasuresWhatIf(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	return s.whatIf(w, r, o, true, "/staff/"+o.Slug+"/measures")
}

func (s *Server) staffMeasuresDownload(format string) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
		return s.downloadOrgReport(w, r, o, format)
	}
}
