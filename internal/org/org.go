// Package org describes organisations: the public bodies that run
// engagements on a Parley deployment.
package org

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/apperr"
)

// Organisation is one public body: a department, a council, an authority.
type Organisation struct {
	ID        int64
	Slug      string // URL name, e.g. "north-shire"
	NameEN    string
	NameCY    string // Welsh name; empty means the English name is used
	Brand     string // "govuk", "neutral", or "" for the site's own brand
	CreatedAt time.Time
}

// Name returns the organisation's name in lang ("en" or "cy").
func (o Organisation) Name(lang string) string {
	if lang == "cy" && o.NameCY != "" {
		return o.NameCY
	}
	return o.NameEN
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// reservedSlugs would clash with the site's own paths.
var reservedSlugs = map[string]bool{"new": true, "admin": true, "staff": true, "api": true}

// Normalise trims the organisation's text fields.
func (o *Organisation) Normalise() {
	o.Slug = strings.ToLower(strings.TrimSpace(o.Slug))
	o.NameEN = strings.TrimSpace(o.NameEN)
	o.NameCY = strings.TrimSpace(o.NameCY)
	o.Brand = strings.TrimSpace(o.Brand)
}

// Validate checks the organisation's fields; messages are i18n message IDs.
func (o Organisation) Validate() error {
	var f apperr.Fields
	switch {
	case o.Slug == "":
		f.Add("slug", "error.slug.required")
	case len(o.Slug) < 2 || len(o.Slug) > 60 || !slugPattern.MatchString(o.Slug):
		f.Add("slug", "error.slug.format")
	case reservedSlugs[o.Slug]:
		f.Add("slug", "error.slug.reserved")
	}
	f.Check(o.NameEN != "", "name_en", "error.name.required")
	f.Check(utf8.RuneCountInString(o.NameEN) <= 200, "name_en", "error.name.too_long")
	f.Check(utf8.RuneCountInString(o.NameCY) <= 200, "name_cy", "error.name.too_long")
	f.Check(o.Brand == "" || o.Brand == "govuk" || o.Brand == "neutral", "brand", "error.brand.unknown")
	return f.Err()
}
