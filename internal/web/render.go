package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"parley/internal/account"
	"parley/internal/i18n"
)

//go:embed views
var views embed.FS

// templates holds one parsed template set per page: the layout plus the
// page's own file, so each page defines its own "content" block.
type templates struct {
	pages map[string]*template.Template
}

var funcs = template.FuncMap{
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2 January 2006 15:04 MST")
	},
	"field": newField,
}

// translator is what a form field needs of its page.
type translator interface {
	T(id string, args ...any) string
	ErrorFor(field string) string
}

// Field is a form field as the text-input and text-area partials draw it.
type Field struct {
	Name, Label, Hint, Error, Prefix, Value string
	Described                               string // the aria-describedby list
}

// newField builds a Field from message IDs, the form's value and the page's errors.
func newField(page translator, name, label, hint, value string) Field {
	f := Field{Name: name, Label: page.T(label), Error: page.ErrorFor(name), Prefix: page.T("error.prefix"), Value: value}
	var ids []string
	if hint != "" {
		f.Hint = page.T(hint)
		ids = append(ids, name+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, name+"-error")
	}
	f.Described = strings.Join(ids, " ")
	return f
}

func parseTemplates() (*templates, error) {
	layout, err := template.New("layout.tmpl").Funcs(funcs).ParseFS(views, "views/layout.tmpl", "views/partials/*.tmpl")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(views, "views/pages/*.tmpl")
	if err != nil {
		return nil, err
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, n := range names {
		page, err := template.Must(layout.Clone()).ParseFS(views, n)
		if err != nil {
			return nil, err
		}
		t.pages[strings.TrimSuffix(strings.TrimPrefix(n, "views/pages/"), ".tmpl")] = page
	}
	return t, nil
}

// Base is embedded in every page: what the layout needs.
type Base struct {
	Lang      string
	Title     string // the page's own title, before the site name
	Nonce     string // CSP nonce for the one inline script
	Brand     string
	SiteName  string
	Path      string // the current path and query, for the language switch
	User      *account.Principal
	Flash     string
	Errors    []FieldError // the error summary, in page order
	DevOutbox bool
	p         i18n.Printer
}

// FieldError is one entry of the GOV.UK error summary.
type FieldError struct {
	Field string
	Msg   string
}

// T translates a message ID into the page's language.
func (b Base) T(id string, args ...any) string { return b.p.T(id, args...) }

// ErrorFor returns the message for a form field, or "".
func (b Base) ErrorFor(field string) string {
	for _, e := range b.Errors {
		if e.Field == field {
			return e.Msg
		}
	}
	return ""
}

// OtherLang is the language the switch offers.
func (b Base) OtherLang() string { return i18n.Other(b.Lang) }

// SwitchURL is the current page in the other language.
func (b Base) SwitchURL() string {
	u, err := url.Parse(b.Path)
	if err != nil {
		u = &url.URL{Path: "/"}
	}
	q := u.Query()
	q.Set("lang", b.OtherLang())
	u.RawQuery = q.Encode()
	return u.String()
}

// FullTitle is the <title>: page, site, and "Error: " first when a form failed.
func (b Base) FullTitle() string {
	t := b.Title + " – " + b.SiteName
	if len(b.Errors) > 0 {
		t = b.T("error.title_prefix") + " " + t
	}
	return t
}

// base returns the Base for a request.
func (s *Server) base(r *http.Request, title string) Base {
	lang := langOf(r)
	p := s.Catalogue.Printer(lang)
	b := Base{
		Lang:      lang,
		Title:     p.T(title),
		Nonce:     nonceOf(r),
		Brand:     s.Brand,
		SiteName:  s.SiteName,
		Path:      r.URL.RequestURI(),
		User:      principalOf(r),
		DevOutbox: s.DevOutbox,
		p:         p,
	}
	b.Flash = s.sessions.PopString(r.Context(), "flash")
	if b.Flash != "" {
		b.Flash = p.T(b.Flash)
	}
	return b
}

// withErrors fills in the error summary from per-field message IDs.
func (b *Base) withErrors(order []string, fields map[string]string) {
	for _, f := range order {
		b.Errors = append(b.Errors, FieldError{Field: f, Msg: b.T(fields[f])})
	}
}

// render writes a page with a status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, page any) error {
	t, ok := s.templates.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	buf := buffers.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); buffers.Put(buf) }()
	if err := t.ExecuteTemplate(buf, "layout.tmpl", page); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// buffers are reused between renders: pages are a few kilobytes each.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// welshMonths are the months in Welsh, for dates on Welsh pages.
var welshMonths = [...]string{"Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
	"Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"}

// Date formats a day in the page's language ("" for the zero time).
func (b Base) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	if b.Lang == "cy" {
		return strconv.Itoa(t.Day()) + " " + welshMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return t.Format("2 January 2006")
}
