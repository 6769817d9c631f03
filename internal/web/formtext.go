package web

import (
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"parley/internal/apperr"
)

// checkFormText refuses a request whose form values (the query, a posted
// form, and the text fields of a multipart form) are not text Parley can
// keep: invalid UTF-8, or holding a NUL byte. Browsers send neither.
// PostgreSQL refuses both in text columns, and SQLite's full-text search
// reads a NUL as the end of the query, so either would otherwise reach the
// database and fail there as a server error. Uploaded files are not
// checked: their parsers judge their contents.
func checkFormText(r *http.Request) error {
	if r.Form == nil {
		// GET and the like: only the query. A query that does not parse
		// is left to the handler, as before.
		_ = r.ParseForm()
	}
	if !textOK(r.Form) {
		return apperr.New(apperr.Invalid, "error.form.text")
	}
	if r.Method != http.MethodPost {
		return nil
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		// A form that does not parse is left to its handler, which says
		// what was wrong with the upload.
		if err := r.ParseMultipartForm(1 << 20); err == nil && !textOK(r.MultipartForm.Value) {
			return apperr.New(apperr.Invalid, "error.form.text")
		}
	}
	return nil
}

func textOK(form map[string][]string) bool {
	for k, vs := range form {
		if !utf8.ValidString(k) || strings.IndexByte(k, 0) >= 0 {
			return false
		}
		for _, v := range vs {
			if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
				return false
			}
		}
	}
	return true
}
