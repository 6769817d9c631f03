package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/measure"
	"parley/internal/org"
)

// MeasureDatasetsPage lists an organisation's datasets and creates API
// ones; a new dataset's token is shown once, on the page that answers the
// form, and never again.
type MeasureDatasetsPage struct {
	Base
	Org      OrgItem
	Datasets []DatasetItem
	Name     Field
	Token    string // the new dataset's token, only on the answer to the form
	Created  *DatasetItem
	Endpoint string // the ingest URL of the new dataset
}

// DatasetItem is a dataset in the list.
type DatasetItem struct {
	ID       int64
	Name     string
	Kind     string
	Records  string
	Created  string
	Revoked  string // when its token was revoked, or ""
	CanRevok bool
}

func (s *Server) measureDatasets(r *http.Request, o org.Organisation) (MeasureDatasetsPage, error) {
	page := MeasureDatasetsPage{Base: s.orgBase(r, "measures.datasets.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))}}
	list, err := s.Store.MeasureDatasets(r.Context(), o.ID)
	if err != nil {
		return page, err
	}
	for _, d := range list {
		page.Datasets = append(page.Datasets, datasetItem(page.Base, d))
	}
	page.Name = newField(page, "name", "measures.datasets.name", "measures.datasets.name_hint", r.PostFormValue("name"))
	return page, nil
}

func datasetItem(b Base, d measure.Dataset) DatasetItem {
	it := DatasetItem{ID: d.ID, Name: d.Name, Kind: b.T("measures.datasets.kind." + string(d.Kind)), Records: formatCount(d.Records),
		Created: b.Date(d.CreatedAt), Revoked: b.Date(d.RevokedAt)}
	it.CanRevok = d.Kind == measure.KindAPI && d.RevokedAt.IsZero()
	return it
}

func (s *Server) measureDatasetsPage(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	page, err := s.measureDatasets(r, o)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "measures-datasets", page)
}

// measureDatasetCreate creates an API dataset and shows its token, once:
// the answer is a page, not a redirect, so the token is never kept in the
// session or a URL.
func (s *Server) measureDatasetCreate(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	name := strings.TrimSpace(r.PostFormValue("name"))
	var fields apperr.Fields
	fields.Check(name != "" && utf8.RuneCountInString(name) <= 100, "name", "measures.datasets.error.name")
	err := fields.Err()
	var token string
	var d measure.Dataset
	if err == nil {
		token, d, err = s.Store.CreateDataset(r.Context(), measure.Dataset{OrgID: o.ID, Name: name, Kind: measure.KindAPI}, p.User.ID)
	}
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
		page, perr := s.measureDatasets(r, o)
		if perr != nil {
			return perr
		}
		measureFormErrors(&page.Base, err, "name")
		return s.render(w, r, http.StatusUnprocessableEntity, "measures-datasets", page)
	}
	if err != nil {
		return err
	}
	page, err := s.measureDatasets(r, o)
	if err != nil {
		return err
	}
	page.Name.Value = ""
	page.Token = token
	it := datasetItem(page.Base, d)
	page.Created = &it
	page.Endpoint = strings.TrimSuffix(s.BaseURL, "/") + "/api/v1/measures/datasets/" + strconv.FormatInt(d.ID, 10) + "/records"
	return s.render(w, r, http.StatusOK, "measures-datasets", page)
}

// orgDataset loads the dataset named by the path, if it is the organisation's.
func (s *Server) orgDataset(r *http.Request, o org.Organisation) (measure.Dataset, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return measure.Dataset{}, apperr.New(apperr.NotFound, "error.404.body")
	}
	d, err := s.Store.MeasureDataset(r.Context(), id)
	if err != nil {
		return d, err
	}
	if d.OrgID != o.ID {
		return d, apperr.New(apperr.NotFound, "error.404.body")
	}
	return d, nil
}

func (s *Server) measureDatasetRevoke(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	d, err := s.orgDataset(r, o)
	if err != nil {
		return err
	}
	if err := s.Store.RevokeDataset(r.Context(), d.ID, p.User.ID); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "flash", "measures.datasets.revoked")
	http.Redirect(w, r, "/staff/"+o.Slug+"/measures/datasets", http.StatusSeeOther)
	return nil
}

// recordsCSVHeader is the import's own header, so a download can be
// edited and imported again.
var recordsCSVHeader = []string{"date", "service", "channel", "contacts", "transactions", "started", "completed", "satisfied", "rated", "id"}

// measureDatasetRecords downloads a dataset's records as CSV, a page of
// records at a time so a large dataset streams.
func (s *Server) measureDatasetRecords(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	d, err := s.orgDataset(r, o)
	if err != nil {
		return err
	}
	// Read the first page before writing anything, so an error is still a page.
	const pageSize = 5000
	rs, _, err := s.Store.MeasureRecords(r.Context(), d.ID, 0, pageSize)
	if err != nil {
		return err
	}
	setDownload(w, "text/csv; charset=utf-8", "dataset-"+strconv.FormatInt(d.ID, 10)+"-records.csv")
	cw := csv.NewWriter(w)
	_ = cw.Write(recordsCSVHeader)
	for {
		for _, rec := range rs {
			_ = cw.Write([]string{rec.Day.String(), spreadsheetSafe(rec.Service), spreadsheetSafe(rec.Channel), countCell(rec.Contacts),
				countCell(rec.Transactions), countCell(rec.Started), countCell(rec.Completed), countCell(rec.Satisfied), countCell(rec.Rated),
				spreadsheetSafe(rec.ExtID)})
		}
		if len(rs) < pageSize {
			break
		}
		if rs, _, err = s.Store.MeasureRecords(r.Context(), d.ID, rs[len(rs)-1].ID, pageSize); err != nil {
			// Headers are sent: end the file short, and say so in the log.
			s.Log.Error("dataset records download", "dataset", d.ID, "err", err)
			break
		}
	}
	cw.Flush()
	return cw.Error()
}
