package web

import (
	"net/http"
	"sort"
	"strconv"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/measure"
	"parley/internal/org"
)

// maxMeasureImportBytes bounds a CSV import: about 200,000 daily rows.
const maxMeasureImportBytes = 16 << 20

// maxRowErrorsShown bounds the error table: a wholly wrong file would
// otherwise list every line.
const maxRowErrorsShown = 200

// MeasureImportPage takes a CSV file of records and, when it has
// problems, lists every one by line and column; nothing is saved then.
type MeasureImportPage struct {
	Base
	Org       OrgItem
	File      Field
	RowErrors []RowErrorItem
	More      int // problems not listed
	Channels  string
}

// RowErrorItem is one problem of an import.
type RowErrorItem struct {
	Line    string
	Column  string
	Message string
}

func (s *Server) measureImportPage(r *http.Request, o org.Organisation) (MeasureImportPage, error) {
	page := MeasureImportPage{Base: s.orgBase(r, "measures.import.title", o), Org: OrgItem{Slug: o.Slug, Name: o.Name(langOf(r))}}
	channels, err := s.Store.MeasureChannels(r.Context(), o.ID)
	if err != nil {
		return page, err
	}
	var keys []string
	for _, c := range channels {
		keys = append(keys, c.Key)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 {
			page.Channels += ", "
		}
		page.Channels += k
	}
	return page, nil
}

func (s *Server) measureImportForm(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	page, err := s.measureImportPage(r, o)
	if err != nil {
		return err
	}
	page.File = newField(page, "file", "measures.import.file", "measures.import.file_hint", "")
	return s.render(w, r, http.StatusOK, "measures-import", page)
}

// measureImport reads the uploaded CSV and saves its records, all or none.
func (s *Server) measureImport(w http.ResponseWriter, r *http.Request, o org.Organisation, p *account.Principal) error {
	page, err := s.measureImportPage(r, o)
	if err != nil {
		return err
	}
	fail := func(msg string) error {
		page.withErrors([]string{"file"}, map[string]string{"file": msg})
		page.File = newField(page, "file", "measures.import.file", "measures.import.file_hint", "")
		return s.render(w, r, http.StatusUnprocessableEntity, "measures-import", page)
	}
	if msg := parseUpload(r); msg != "" {
		return fail(msg)
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		return fail("measures.import.error.no_file")
	}
	defer f.Close()
	channels, err := s.Store.MeasureChannels(r.Context(), o.ID)
	if err != nil {
		return err
	}
	records, rowErrs := measure.ParseCSV(f, channels)
	if len(rowErrs) > 0 {
		for i, e := range rowErrs {
			if i == maxRowErrorsShown {
				page.More = len(rowErrs) - i
				break
			}
			page.RowErrors = append(page.RowErrors, rowErrorItem(page.Base, e))
		}
		return fail(page.T("measures.import.error.rows", "Count", len(rowErrs)))
	}
	if len(records) == 0 {
		return fail("measures.import.error.empty")
	}
	n, err := s.Store.ImportRecords(r.Context(), o.ID, records, p.User.ID)
	if apperr.Is(err, apperr.Invalid) {
		return fail(apperr.Message(err))
	}
	if err != nil {
		return err
	}
	// The flash is shown as it is when it is not a message ID, so it can
	// carry the count.
	s.sessions.Put(r.Context(), "flash", page.T("measures.import.done", "Count", formatCount(int64(n))))
	http.Redirect(w, r, "/staff/"+o.Slug+"/measures", http.StatusSeeOther)
	return nil
}

// rowErrorItem writes one problem in the page's language.
func rowErrorItem(b Base, e measure.RowError) RowErrorItem {
	args := make([]any, 0, 2*len(e.Args))
	keys := make([]string, 0, len(e.Args))
	for k := range e.Args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, k, e.Args[k])
	}
	item := RowErrorItem{Column: e.Column, Message: b.T(e.Key, args...)}
	if e.Line > 0 {
		item.Line = strconv.Itoa(e.Line)
	}
	return item
}
