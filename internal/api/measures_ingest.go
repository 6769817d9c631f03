package api

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"parley/internal/apperr"
	"parley/internal/measure"
)

// ingestResult is the answer to a batch.
type ingestResult struct {
	Created  int `json:"created"`
	Replaced int `json:"replaced"`
}

// ingest takes a batch of records for a dataset: POST
// /api/v1/measures/datasets/{id}/records with the dataset's own token. The
// batch is stored whole or not at all; a record whose _id the dataset
// already holds replaces it.
func (a *API) ingest(w http.ResponseWriter, r *http.Request) error {
	ds, err := a.datasetCaller(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.New(apperr.NotFound, "error.measure.dataset.not_found")
	}
	if id != ds.ID {
		return apperr.New(apperr.Forbidden, "error.measure.token.other")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err // too large (413), or the client went away
	}
	channels, err := a.st.MeasureChannels(r.Context(), ds.OrgID)
	if err != nil {
		return err
	}
	rs, rowErrs := measure.ParseIngest(body, channels)
	if len(rowErrs) > 0 {
		return batchError(rowErrs)
	}
	for i := range rs {
		rs[i].DatasetID, rs[i].OrgID = ds.ID, ds.OrgID
	}
	res, err := a.st.IngestRecords(r.Context(), ds.ID, rs)
	if err != nil {
		return err
	}
	a.figures.changed()
	return writeJSON(w, http.StatusOK, ingestResult{Created: res.Created, Replaced: res.Replaced})
}

// datasetCaller returns the live dataset whose token the request carries.
// Staff tokens are refused without a lookup: the two kinds never stand in
// for each other.
func (a *API) datasetCaller(r *http.Request) (measure.Dataset, error) {
	if r.Header.Get("Authorization") == "" {
		return measure.Dataset{}, apperr.New(apperr.Unauthenticated, "error.measure.token.required")
	}
	plain := bearer(r)
	if plain == "" || len(plain) > maxToken || !strings.HasPrefix(plain, measure.TokenPrefix) {
		return measure.Dataset{}, apperr.New(apperr.Unauthenticated, "error.measure.token.invalid")
	}
	ds, err := a.st.DatasetByToken(r.Context(), plain)
	if apperr.Is(err, apperr.Unauthenticated) || apperr.Is(err, apperr.NotFound) {
		return ds, apperr.Wrap(apperr.Unauthenticated, err, "error.measure.token.invalid")
	}
	return ds, err
}

// batchError is the 400 for a batch with bad records: one message per
// record and field, records[i] counting from 0 as the array does ("body"
// for a problem with the whole body).
func batchError(rowErrs []measure.RowError) error {
	fields := map[string]string{}
	var order []string
	for _, e := range rowErrs {
		key := "body"
		if e.Line > 0 {
			key = "records[" + strconv.Itoa(e.Line-1) + "]"
		}
		if e.Column != "" {
			key += "." + e.Column
		}
		msg := rowText(e)
		if prev, ok := fields[key]; ok {
			fields[key] = prev + " " + msg
			continue
		}
		fields[key] = msg
		order = append(order, key)
	}
	return requestError{&apperr.Error{Kind: apperr.Invalid, Msg: "error.measure.batch", Fields: fields, Order: order}}
}

// rowText is a row error in English: the catalogue's text for its key,
// filled in with its arguments.
func rowText(e measure.RowError) string {
	p := englishCatalogue()
	if p == nil || !p.Known(e.Key) {
		if e.Key == "" {
			return "This value is not valid."
		}
		return fmt.Sprintf("This value is not valid (%s).", e.Key)
	}
	args := make([]any, 0, 2*len(e.Args))
	for k, v := range e.Args {
		args = append(args, k, v)
	}
	return p.T(e.Key, args...)
}
