// Package i18n holds Parley's message catalogues, English and Welsh, and
// picks the right words for a page. Every citizen-facing string lives here
// under a message ID; a test keeps the two catalogues complete.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var locales embed.FS

// Langs are the languages Parley speaks, the default first.
var Langs = []string{"en", "cy"}

// Supported reports whether lang is one of Langs.
func Supported(lang string) bool { return lang == "en" || lang == "cy" }

// Catalogue holds the messages of every language.
type Catalogue struct {
	localizers map[string]*goi18n.Localizer
	ids        map[string]map[string]bool // lang → message IDs
}

// Load reads the embedded catalogues.
func Load() (*Catalogue, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalogue{localizers: map[string]*goi18n.Localizer{}, ids: map[string]map[string]bool{}}
	for _, lang := range Langs {
		// A language's messages are in LANG.json and in AREA.LANG.json, so
		// each capability keeps its words in its own pair of files.
		paths, err := fs.Glob(locales, "locales/*"+lang+".json")
		if err != nil {
			return nil, err
		}
		c.ids[lang] = map[string]bool{}
		for _, path := range paths {
			base := strings.TrimPrefix(path, "locales/")
			if base != lang+".json" && !strings.HasSuffix(base, "."+lang+".json") {
				continue
			}
			data, err := fs.ReadFile(locales, path)
			if err != nil {
				return nil, err
			}
			// go-i18n takes the language from the file name's last part
			// before the extension, so AREA.LANG.json parses as LANG.
			mf, err := b.ParseMessageFileBytes(data, path)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			for _, m := range mf.Messages {
				if c.ids[lang][m.ID] {
					return nil, fmt.Errorf("%s: message %s is defined twice", path, m.ID)
				}
				c.ids[lang][m.ID] = true
			}
		}
		c.localizers[lang] = goi18n.NewLocalizer(b, lang)
	}
	return c, nil
}

// IDs returns the message IDs of a language.
func (c *Catalogue) IDs(lang string) map[string]bool { return c.ids[lang] }

// Printer speaks one language.
type Printer struct {
	Lang string
	c    *Catalogue
}

// Printer returns a printer for lang, English when lang is unknown.
func (c *Catalogue) Printer(lang string) Printer {
	if !Supported(lang) {
		lang = "en"
	}
	return Printer{Lang: lang, c: c}
}

// T returns the message with the ID in the printer's language, filled in
// with args given as name, value pairs ({{.Name}} in the message). Text that
// is not a known ID is returned as it is, so error messages from other
// packages that carry no ID still show.
func (p Printer) T(id string, args ...any) string {
	if p.c == nil || !p.c.ids["en"][id] {
		return id
	}
	var data map[string]any
	if len(args) > 0 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	s, err := p.c.localizers[p.Lang].Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Known reports whether id is a message ID.
func (p Printer) Known(id string) bool { return p.c != nil && p.c.ids["en"][id] }

// Other returns the language a switch link offers.
func Other(lang string) string {
	if lang == "cy" {
		return "en"
	}
	return "cy"
}

// Match picks a supported language from an Accept-Language header.
func Match(accept string) string {
	for _, part := range strings.Split(accept, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if strings.HasPrefix(tag, "cy") {
			return "cy"
		}
		if strings.HasPrefix(tag, "en") {
			return "en"
		}
	}
	return "en"
}
