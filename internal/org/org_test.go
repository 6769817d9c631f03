package org

import (
	"strings"
	"testing"

	"parley/internal/apperr"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		o         Organisation
		badFields []string
	}{
		{Organisation{Slug: "north-shire", NameEN: "North Shire Council"}, nil},
		{Organisation{Slug: "", NameEN: ""}, []string{"slug", "name_en"}},
		{Organisation{Slug: "North Shire", NameEN: "x"}, []string{"slug"}},
		{Organisation{Slug: "a-", NameEN: "x"}, []string{"slug"}},
		{Organisation{Slug: "api", NameEN: "x"}, []string{"slug"}},
		{Organisation{Slug: "ok", NameEN: strings.Repeat("x", 201)}, []string{"name_en"}},
		{Organisation{Slug: "ok", NameEN: "x", Brand: "purple"}, []string{"brand"}},
	} {
		err := tc.o.Validate()
		fields := apperr.FieldsOf(err)
		if len(fields) != len(tc.badFields) {
			t.Errorf("%+v: fields %v, want %v", tc.o, fields, tc.badFields)
			continue
		}
		for _, f := range tc.badFields {
			if fields[f] == "" {
				t.Errorf("%+v: no message for %s", tc.o, f)
			}
		}
	}
}

func TestNameFallsBackToEnglish(t *testing.T) {
	o := Organisation{NameEN: "Transport Department"}
	if o.Name("cy") != "Transport Department" {
		t.Error("no fallback")
	}
	o.NameCY = "Adran Drafnidiaeth"
	if o.Name("cy") != "Adran Drafnidiaeth" || o.Name("en") != "Transport Department" {
		t.Error("wrong name")
	}
}
