package web

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"parley/internal/consultation"
)

// Uploads are checked twice: by the extension of the file's name and by
// its first bytes, so a renamed executable is refused even when it is
// called report.pdf. The bytes are kept under DocumentDir with a random
// name: the name a user gave never reaches the file system.

// Field messages of an upload, i18n message IDs.
const (
	errUploadRequired = "error.consultations.upload.required"
	errUploadType     = "error.consultations.upload.type"
	errUploadContent  = "error.consultations.upload.content"
	errUploadTooBig   = "error.consultations.upload.too_big"
	errUploadForm     = "error.consultations.upload.form"
)

// uploadLimit is the body limit of a staff POST that carries an upload —
// a Polis export, a consultation's document, scan or CSV import, a
// petition board's postcode lookup — and 0 for every other request;
// limitBody raises the server-wide limit to it.
func uploadLimit(r *http.Request) int64 {
	path := r.URL.Path
	if r.Method == http.MethodPost && strings.HasPrefix(path, "/api/v1/measures/datasets/") {
		// Measurement ingest batches (up to measure.MaxBatch records): the
		// API bounds them itself at 8 MiB.
		return 8<<20 + 1<<16
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(path, "/staff/") {
		return 0
	}
	switch {
	case strings.HasSuffix(path, "/conversations/import"):
		return maxImportBytes
	case strings.HasSuffix(path, "/measures/import"):
		// A measurement CSV import, only as a multipart upload.
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			return maxMeasureImportBytes + 1<<20
		}
	case strings.HasSuffix(path, "/petitions/areas"):
		// Only as a multipart upload: a plain form body is parsed whole
		// into memory.
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			return maxAreasBytes + 1<<20
		}
	case !strings.Contains(path, "/consultations/"):
	case strings.HasSuffix(path, "/responses/import"):
		return consultation.MaxImportBytes + 1<<20
	case strings.HasSuffix(path, "/documents"), strings.HasSuffix(path, "/responses/new"):
		// The file plus the form's other fields.
		return consultation.MaxDocumentSize + 1<<20
	}
	return 0
}

// parseUpload parses a multipart form, keeping up to 1 MB in memory and
// the rest in temporary files; it returns a field message when the form
// cannot be read (a body over the limit, or not an upload at all).
func parseUpload(r *http.Request) string {
	err := r.ParseMultipartForm(1 << 20)
	var mbe *http.MaxBytesError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &mbe):
		return errUploadTooBig
	}
	return errUploadForm
}

// uploadMagic says what the first bytes of a file of each extension must be.
var uploadMagic = map[string][][]byte{
	".pdf":  {[]byte("%PDF-")},
	".docx": {[]byte("PK\x03\x04")},
	// An OpenDocument file is a ZIP whose first entry is the uncompressed
	// "mimetype" file naming the type.
	".odt":  {[]byte("PK\x03\x04")},
	".png":  {[]byte("\x89PNG\r\n\x1a\n")},
	".jpg":  {[]byte("\xff\xd8\xff")},
	".jpeg": {[]byte("\xff\xd8\xff")},
}

const odtMime = "mimetypeapplication/vnd.oasis.opendocument.text"

// sniffUpload reports whether head, the first bytes of a file, fit the extension.
func sniffUpload(ext string, head []byte) bool {
	for _, m := range uploadMagic[ext] {
		if bytes.HasPrefix(head, m) {
			if ext == ".odt" {
				return len(head) >= 30+len(odtMime) && string(head[30:30+len(odtMime)]) == odtMime
			}
			return true
		}
	}
	return false
}

// cleanUploadName keeps a user's file name for display and downloads only:
// no directories, no control characters, not too long.
func cleanUploadName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 200 {
		name = string(r[len(r)-200:])
	}
	if name == "" || name == "." {
		name = "document"
	}
	return name
}

// saveUpload checks the uploaded file in field against types and stores it
// under DocumentDir. It returns the document to record (no ID yet), or a
// field message; found is false when no file was given.
func (s *Server) saveUpload(r *http.Request, field string, consultationID int64, types map[string]string) (d consultation.Document, msg string, found bool, err error) {
	f, fh, ferr := r.FormFile(field)
	if errors.Is(ferr, http.ErrMissingFile) {
		return d, "", false, nil
	}
	if ferr != nil {
		return d, errUploadForm, true, nil
	}
	defer f.Close()
	if fh.Size == 0 && fh.Filename == "" {
		return d, "", false, nil
	}
	name := cleanUploadName(fh.Filename)
	ext := strings.ToLower(filepath.Ext(name))
	ctype, ok := types[ext]
	if !ok {
		return d, errUploadType, true, nil
	}
	if fh.Size > consultation.MaxDocumentSize {
		return d, errUploadTooBig, true, nil
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if !sniffUpload(ext, head[:n]) {
		return d, errUploadContent, true, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return d, "", true, err
	}
	rel, size, err := s.storeFile(f, consultationID, ext)
	if err != nil {
		return d, "", true, err
	}
	if size > consultation.MaxDocumentSize {
		s.removeFile(rel)
		return d, errUploadTooBig, true, nil
	}
	return consultation.Document{ConsultationID: consultationID, FileName: name, ContentType: ctype, Size: size, Path: rel}, "", true, nil
}

// storeFile writes src to a new file with a random name and returns its
// path relative to DocumentDir. The file is synced before it is named, so
// a crash leaves either the whole file or none.
func (s *Server) storeFile(src io.Reader, consultationID int64, ext string) (string, int64, error) {
	if s.DocumentDir == "" {
		return "", 0, errors.New("documents: no document directory configured")
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", 0, err
	}
	rel := filepath.Join("consultations", strconv.FormatInt(consultationID, 10), hex.EncodeToString(b[:])+ext)
	full := filepath.Join(s.DocumentDir, rel)
	if err := os.MkdirAll(filepath.Dir(full), 0o750); err != nil {
		return "", 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(full), ".upload-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	n, err := io.Copy(tmp, io.LimitReader(src, consultation.MaxDocumentSize+1))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), full)
	}
	if err != nil {
		return "", 0, err
	}
	return filepath.ToSlash(rel), n, nil
}

// removeFile deletes a stored file; a failure is logged, not shown: the
// row is already gone and an orphan file harms no one.
func (s *Server) removeFile(rel string) {
	if rel == "" || !filepath.IsLocal(filepath.FromSlash(rel)) {
		return
	}
	if err := os.Remove(filepath.Join(s.DocumentDir, filepath.FromSlash(rel))); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.Log.Warn("document file not removed", "path", rel, "err", err)
	}
}

// serveDocument sends a stored document as a download.
func (s *Server) serveDocument(w http.ResponseWriter, r *http.Request, d consultation.Document) error {
	rel := filepath.FromSlash(d.Path)
	if d.Path == "" || s.DocumentDir == "" || !filepath.IsLocal(rel) {
		return errNotFound
	}
	f, err := os.Open(filepath.Join(s.DocumentDir, rel))
	if errors.Is(err, os.ErrNotExist) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	ct := d.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": cleanUploadName(d.FileName)}))
	h.Set("X-Content-Type-Options", "nosniff")
	// ServeContent answers range and conditional requests, so a large
	// document resumes after a dropped connection.
	http.ServeContent(w, r, "", st.ModTime(), f)
	return nil
}

// uploadedFile opens an uploaded file of a multipart form; ok is false
// when none was chosen.
func uploadedFile(r *http.Request, field string) (multipart.File, *multipart.FileHeader, bool) {
	f, fh, err := r.FormFile(field)
	if err != nil {
		return nil, nil, false
	}
	if fh.Size == 0 && fh.Filename == "" {
		f.Close()
		return nil, nil, false
	}
	return f, fh, true
}
