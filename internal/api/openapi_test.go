package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/internal/store"
	"parley/internal/store/storetest"
)

// served fetches /api/v1/openapi.json as a client would and decodes it.
func served(t *testing.T, h http.Handler) document {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("openapi.json: status %d: %s", rec.Code, rec.Body)
	}
	if got := rec.Header().Get("Content-Type"); got != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	var doc document
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

var wildcard = regexp.MustCompile(`\{([^}]*)\}`)

// TestOpenAPIMatchesRoutes fails when a registered route is missing from
// the document, or the document names a path or method not registered.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	a := New(nil, nil, base) // the document needs no store; no other route is called
	doc := served(t, a.Handler())
	if doc.OpenAPI != "3.1.0" || doc.Servers[0].URL != base {
		t.Errorf("openapi %q, servers %+v", doc.OpenAPI, doc.Servers)
	}
	if len(a.routes) == 0 {
		t.Fatal("no routes registered")
	}
	registered := map[string]bool{}
	for _, rt := range a.routes {
		key := rt.method + " " + rt.pattern
		registered[key] = true

		// The mux really serves the pattern.
		sample := wildcard.ReplaceAllString(rt.pattern, "x")
		if _, p := a.mux.Handler(httptest.NewRequest(rt.method, sample, nil)); p != key {
			t.Errorf("%s: the mux routes %s to %q", key, sample, p)
		}
		op := doc.Paths[rt.pattern][strings.ToLower(rt.method)]
		if op == nil {
			t.Errorf("registered route %s is missing from openapi.json", key)
			continue
		}
		if op.Security == nil {
			t.Errorf("%s: no security requirement (use [] for public)", key)
		}
		if rt.optional {
			// No token needed, a staff token taken: [{}, {"bearer": []}].
			if len(op.Security) != 2 || len(op.Security[0]) != 0 || op.Security[1]["bearer"] == nil {
				t.Errorf("%s: token optional, but the document's security is %v", key, op.Security)
			}
		} else if needs := len(op.Security) > 0; needs != rt.auth {
			t.Errorf("%s: document says token needed %v, route says %v", key, needs, rt.auth)
		}
		if _, ok := op.Responses["401"]; ok != (rt.auth || rt.optional) {
			t.Errorf("%s: 401 documented %v, token needed %v, optional %v", key, ok, rt.auth, rt.optional)
		}
		success := false
		for _, code := range []string{"200", "201", "202", "204"} {
			success = success || op.Responses[code].Description != ""
		}
		if !success {
			t.Errorf("%s: no success response", key)
		}
		if (rt.method == "POST" || rt.method == "PATCH") && (op.RequestBody == nil || op.RequestBody.Content["application/json"].Schema == nil) {
			t.Errorf("%s: no JSON request body documented", key)
		}
		var inPath, documented []string
		for _, m := range wildcard.FindAllStringSubmatch(rt.pattern, -1) {
			inPath = append(inPath, strings.TrimSuffix(m[1], "..."))
		}
		for _, p := range op.Parameters {
			if p.In == "path" {
				documented = append(documented, p.Name)
				if !p.Required {
					t.Errorf("%s: path parameter %s not required", key, p.Name)
				}
			}
		}
		if !slices.Equal(inPath, documented) {
			t.Errorf("%s: path parameters %v, documented %v", key, inPath, documented)
		}
	}
	for path, item := range doc.Paths {
		for method := range item {
			if key := strings.ToUpper(method) + " " + path; !registered[key] {
				t.Errorf("openapi.json documents %s, which is not registered", key)
			}
		}
	}

	// Every reference resolves.
	b, _ := json.Marshal(doc)
	for _, m := range regexp.MustCompile(`"\$ref":"#/components/(schemas|responses)/([^"]+)"`).FindAllStringSubmatch(string(b), -1) {
		var ok bool
		if m[1] == "schemas" {
			_, ok = doc.Components.Schemas[m[2]]
		} else {
			_, ok = doc.Components.Responses[m[2]]
		}
		if !ok {
			t.Errorf("unresolved reference %s/%s", m[1], m[2])
		}
	}
}

// TestResponsesMatchOpenAPI checks real responses against the schemas the
// document gives for them, so the document cannot drift from the code.
func TestResponsesMatchOpenAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		mustOrg(t, s, "alpha", "Alpha", "")
		doc := served(t, f.h)
		for _, tc := range []struct {
			target, path, token string
			status              int
		}{
			{"/api/v1/organisations?limit=1", "/api/v1/organisations", f.token, 200},
			{"/api/v1/organisations/alpha", "/api/v1/organisations/{slug}", f.token, 200},
			{"/api/v1/me", "/api/v1/me", f.token, 200},
			{"/api/v1/me", "/api/v1/me", "", 401},
			{"/api/v1/organisations?limit=x", "/api/v1/organisations", f.token, 400},
			{"/api/v1/organisations/none", "/api/v1/organisations/{slug}", f.token, 404},
		} {
			t.Run(tc.target, func(t *testing.T) {
				rec := f.get(tc.target, tc.token)
				if rec.Code != tc.status {
					t.Fatalf("status %d, want %d", rec.Code, tc.status)
				}
				resp := doc.Paths[tc.path]["get"].Responses[fmt.Sprint(tc.status)]
				if resp.Ref != "" {
					resp = doc.Components.Responses[strings.TrimPrefix(resp.Ref, "#/components/responses/")]
				}
				media, ok := resp.Content[strings.TrimSuffix(rec.Header().Get("Content-Type"), "; charset=utf-8")]
				if !ok {
					t.Fatalf("content type %q not documented for %d", rec.Header().Get("Content-Type"), tc.status)
				}
				var v any
				if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
					t.Fatal(err)
				}
				for _, err := range conform(doc, media.Schema, v, "$") {
					t.Error(err)
				}
			})
		}
	})
}

// conform checks v against the parts of JSON Schema the document uses. An
// object may hold only the properties its schema names.
func conform(doc document, s *schema, v any, at string) []error {
	if s.Ref != "" {
		return conform(doc, doc.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")], v, at)
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{at}, args...)...))
	}
	if len(s.Type) > 0 && !slices.Contains(s.Type, typeOf(v)) && !(typeOf(v) == "integer" && slices.Contains(s.Type, "number")) {
		bad("%s, want %v", typeOf(v), s.Type)
		return errs
	}
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, fmt.Sprint(v)) {
		bad("%v not in %v", v, s.Enum)
	}
	if str, ok := v.(string); ok {
		switch s.Format {
		case "date-time":
			if _, err := time.Parse(time.RFC3339, str); err != nil {
				bad("not a date-time: %q", str)
			}
		case "uri":
			if u, err := url.Parse(str); err != nil || !u.IsAbs() {
				bad("not an absolute URI: %q", str)
			}
		}
	}
	switch v := v.(type) {
	case map[string]any:
		for _, name := range s.Required {
			if _, ok := v[name]; !ok {
				bad("lacks required %q", name)
			}
		}
		for name, val := range v {
			ps, ok := s.Properties[name]
			if !ok {
				ps = s.AdditionalProperties
			}
			if ps == nil {
				bad("property %q is not documented", name)
				continue
			}
			errs = append(errs, conform(doc, ps, val, at+"."+name)...)
		}
	case []any:
		for i, item := range v {
			if s.Items != nil {
				errs = append(errs, conform(doc, s.Items, item, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return errs
}

func typeOf(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if v == float64(int64(v)) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}
