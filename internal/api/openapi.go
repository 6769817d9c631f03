package api

import (
	"encoding/json"
	"net/http"
)

// The OpenAPI 3.1 document, as typed values. It is written by hand, apart
// from the routes, so that a test can catch a route registered without
// being described, or described without being registered.

type document struct {
	OpenAPI    string                `json:"openapi"`
	Info       info                  `json:"info"`
	Servers    []server              `json:"servers"`
	Security   []securityRequirement `json:"security"`
	Paths      map[string]pathItem   `json:"paths"`
	Components components            `json:"components"`
}

type info struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description,omitempty"`
}

type server struct {
	URL string `json:"url"`
}

// securityRequirement names security schemes; an empty list of them on an
// operation makes it public.
type securityRequirement map[string][]string

// pathItem holds a path's operations by lower-case method.
type pathItem map[string]*operation

type operation struct {
	OperationID string                `json:"operationId"`
	Summary     string                `json:"summary"`
	Description string                `json:"description,omitempty"`
	Tags        []string              `json:"tags,omitempty"`
	Parameters  []parameter           `json:"parameters,omitempty"`
	RequestBody *requestBody          `json:"requestBody,omitempty"`
	Security    []securityRequirement `json:"security"` // never nil: [] is public
	Responses   map[string]response   `json:"responses"`
}

type requestBody struct {
	Required bool                 `json:"required"`
	Content  map[string]mediaType `json:"content"`
}

type parameter struct {
	Name        string  `json:"name"`
	In          string  `json:"in"`
	Description string  `json:"description,omitempty"`
	Required    bool    `json:"required,omitempty"`
	Schema      *schema `json:"schema"`
}

type response struct {
	Ref         string               `json:"$ref,omitempty"`
	Description string               `json:"description,omitempty"`
	Headers     map[string]header    `json:"headers,omitempty"`
	Content     map[string]mediaType `json:"content,omitempty"`
}

type header struct {
	Description string  `json:"description,omitempty"`
	Schema      *schema `json:"schema"`
}

type mediaType struct {
	Schema *schema `json:"schema"`
}

type schema struct {
	Ref                  string             `json:"$ref,omitempty"`
	Type                 jsonType           `json:"type,omitempty"`
	Format               string             `json:"format,omitempty"`
	Description          string             `json:"description,omitempty"`
	Enum                 []string           `json:"enum,omitempty"`
	Minimum              *int               `json:"minimum,omitempty"`
	Maximum              *int               `json:"maximum,omitempty"`
	Default              *int               `json:"default,omitempty"`
	Properties           map[string]*schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	AdditionalProperties *schema            `json:"additionalProperties,omitempty"`
	Items                *schema            `json:"items,omitempty"`
}

// jsonType is a JSON Schema type: one name, or several (["string", "null"]).
type jsonType []string

func (t jsonType) MarshalJSON() ([]byte, error) {
	if len(t) == 1 {
		return json.Marshal(t[0])
	}
	return json.Marshal([]string(t))
}

func (t *jsonType) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*t = jsonType{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(t))
}

type components struct {
	Schemas         map[string]*schema        `json:"schemas"`
	Responses       map[string]response       `json:"responses"`
	SecuritySchemes map[string]securityScheme `json:"securitySchemes"`
}

type securityScheme struct {
	Type        string `json:"type"`
	Scheme      string `json:"scheme"`
	Description string `json:"description,omitempty"`
}

func (a *API) openapi(w http.ResponseWriter, r *http.Request) error {
	b, err := json.Marshal(a.document())
	if err != nil {
		return err
	}
	// The same for everyone, and it changes only with a release.
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	write(w, http.StatusOK, b)
	return nil
}

// Shorthands for building schemas.

func ref(name string) *schema { return &schema{Ref: "#/components/schemas/" + name} }
func str(desc string) *schema { return &schema{Type: jsonType{"string"}, Description: desc} }
func dateTime(desc string) *schema {
	return &schema{Type: jsonType{"string"}, Format: "date-time", Description: desc}
}
func uri(desc string) *schema {
	return &schema{Type: jsonType{"string"}, Format: "uri", Description: desc}
}
func intPtr(n int) *int            { return &n }
func respRef(name string) response { return response{Ref: "#/components/responses/" + name} }
func object(required []string, props map[string]*schema) *schema {
	return &schema{Type: jsonType{"object"}, Required: required, Properties: props}
}

var bearerAuth = []securityRequirement{{"bearer": {}}}

// Parameters several list endpoints share.
var (
	limitParam = parameter{Name: "limit", In: "query", Description: "Items per page.",
		Schema: &schema{Type: jsonType{"integer"}, Minimum: intPtr(1), Maximum: intPtr(maxLimit), Default: intPtr(defaultLimit)}}
	cursorParam = parameter{Name: "cursor", In: "query", Description: "The next_cursor of the previous page; absent for the first page.",
		Schema: str("")}
	orgParam = parameter{Name: "organisation", In: "query", Required: true, Description: "The organisation's slug.", Schema: str("")}
)

// withErrors returns an operation's responses: ok under its status, the
// problems every token route can give (401, default), and the listed
// error statuses, each from components.responses.
func withErrors(status string, ok response, codes ...string) map[string]response {
	out := map[string]response{status: ok, "401": respRef("Unauthorized"), "default": respRef("Problem")}
	names := map[string]string{"400": "BadRequest", "403": "Forbidden", "404": "NotFound", "409": "Conflict", "422": "Unprocessable"}
	for _, c := range codes {
		name, ok := names[c]
		if !ok {
			panic("openapi: no shared response for " + c)
		}
		out[c] = respRef(name)
	}
	return out
}

func jsonContent(s *schema) map[string]mediaType {
	return map[string]mediaType{"application/json": {Schema: s}}
}

// document describes every route registered in routes.go.
func (a *API) document() document {
	public := []securityRequirement{}
	paths := map[string]pathItem{}
	for k, v := range conversationPaths() {
		paths[k] = v
	}
	for k, v := range listeningPaths() {
		paths[k] = v
	}
	for k, v := range consultationPaths() {
		paths[k] = v
	}
	for k, v := range proposalPaths() {
		paths[k] = v
	}
	for k, v := range measurePaths() {
		paths[k] = v
	}
	doc := document{
		OpenAPI: "3.1.0",
		Info: info{
			Title:   "Parley API",
			Version: "1",
			Description: "The JSON API of a Parley deployment. Every endpoint except this document and the published " +
				"measurement figures (/api/v1/measures/organisations…, open data) needs a bearer token: a personal one " +
				"(`parley admin token --email EMAIL`), or for measurement ingest the dataset's own. Errors are RFC 9457 " +
				"problem details; lists are paginated with an opaque cursor.",
		},
		Servers:  []server{{URL: a.baseURL}},
		Security: bearerAuth,
		Paths: map[string]pathItem{
			"/api/v1/openapi.json": {"get": {
				OperationID: "getOpenAPI",
				Summary:     "This OpenAPI 3.1 document",
				Tags:        []string{"meta"},
				Security:    public,
				Responses: map[string]response{
					"200":     {Description: "The document.", Content: jsonContent(&schema{Type: jsonType{"object"}})},
					"default": respRef("Problem"),
				},
			}},
			"/api/v1/organisations": {"get": {
				OperationID: "listOrganisations",
				Summary:     "List organisations in slug order",
				Tags:        []string{"organisations"},
				Parameters:  []parameter{limitParam, cursorParam},
				Security:    bearerAuth,
				Responses: map[string]response{
					"200": {
						Description: "One page of organisations.",
						Headers: map[string]header{"Link": {
							Description: `The next page, as <URL>; rel="next". Absent on the last page.`,
							Schema:      str(""),
						}},
						Content: jsonContent(ref("OrganisationList")),
					},
					"400":     respRef("BadRequest"),
					"401":     respRef("Unauthorized"),
					"default": respRef("Problem"),
				},
			}},
			"/api/v1/organisations/{slug}": {"get": {
				OperationID: "getOrganisation",
				Summary:     "One organisation",
				Tags:        []string{"organisations"},
				Parameters: []parameter{
					{Name: "slug", In: "path", Required: true, Description: "The organisation's slug.", Schema: str("")},
				},
				Security: bearerAuth,
				Responses: map[string]response{
					"200":     {Description: "The organisation.", Content: jsonContent(ref("Organisation"))},
					"401":     respRef("Unauthorized"),
					"404":     respRef("NotFound"),
					"default": respRef("Problem"),
				},
			}},
			"/api/v1/me": {"get": {
				OperationID: "getMe",
				Summary:     "The owner of the token presented",
				Tags:        []string{"account"},
				Security:    bearerAuth,
				Responses: map[string]response{
					"200":     {Description: "The token's owner, their memberships and the token.", Content: jsonContent(ref("Me"))},
					"401":     respRef("Unauthorized"),
					"default": respRef("Problem"),
				},
			}},
		},
		Components: components{
			Schemas:   schemas(),
			Responses: problemResponses(),
			SecuritySchemes: map[string]securityScheme{
				"bearer": {Type: "http", Scheme: "bearer", Description: "A personal API token, pat_…, from `parley admin token --email EMAIL`."},
				"dataset": {Type: "http", Scheme: "bearer", Description: "A measurement dataset's ingest token, pds_…, shown once when staff " +
					"create the dataset (Staff area → Measures → Datasets). It writes that dataset's records and nothing else."},
			},
		},
	}
	for k, v := range paths {
		doc.Paths[k] = v
	}
	for k, v := range conversationSchemas() {
		doc.Components.Schemas[k] = v
	}
	for k, v := range listeningSchemas() {
		doc.Components.Schemas[k] = v
	}
	for k, v := range consultationSchemas() {
		doc.Components.Schemas[k] = v
	}
	for k, v := range proposalSchemas() {
		doc.Components.Schemas[k] = v
	}
	for k, v := range measureSchemas() {
		doc.Components.Schemas[k] = v
	}
	return doc
}

func schemas() map[string]*schema {
	return map[string]*schema{
		"Problem": object([]string{"type", "title", "status"}, map[string]*schema{
			"type":     {Type: jsonType{"string"}, Format: "uri-reference", Description: "about:blank: the status says what happened."},
			"title":    str("The HTTP status text."),
			"status":   {Type: jsonType{"integer"}, Description: "The HTTP status code."},
			"detail":   str("What went wrong, in English."),
			"instance": {Type: jsonType{"string"}, Format: "uri-reference", Description: "The path requested."},
			"errors": {Type: jsonType{"object"}, Description: "A message per invalid field or query parameter.",
				AdditionalProperties: str("")},
		}),
		"Organisation": object([]string{"slug", "name", "brand", "created_at", "links"}, map[string]*schema{
			"slug": str("URL name, e.g. north-shire."),
			"name": object([]string{"en", "cy"}, map[string]*schema{
				"en": str("English name."),
				"cy": str("Welsh name; the English name when there is no Welsh one."),
			}),
			"brand":      {Type: jsonType{"string"}, Enum: []string{"", "govuk", "neutral"}, Description: "Empty: the site's own brand."},
			"created_at": dateTime(""),
			"links": object([]string{"self", "html"}, map[string]*schema{
				"self": uri("This organisation in the API."),
				"html": uri("The organisation's public page."),
			}),
		}),
		"OrganisationList": object([]string{"items"}, map[string]*schema{
			"items":       {Type: jsonType{"array"}, Items: ref("Organisation")},
			"next_cursor": str("Pass as ?cursor= for the next page; absent on the last page."),
		}),
		"Membership": object([]string{"org_slug", "role", "links"}, map[string]*schema{
			"org_slug": str(""),
			"role":     {Type: jsonType{"string"}, Enum: []string{"admin", "editor", "moderator", "analyst"}},
			"links": object([]string{"organisation"}, map[string]*schema{
				"organisation": uri("The organisation in the API."),
			}),
		}),
		"Token": object([]string{"id", "name", "created_at", "expires_at"}, map[string]*schema{
			"id":         {Type: jsonType{"integer"}},
			"name":       str(""),
			"created_at": dateTime(""),
			"expires_at": {Type: jsonType{"string", "null"}, Format: "date-time", Description: "null: never expires."},
		}),
		"Me": object([]string{"id", "email", "display_name", "platform_admin", "memberships", "token"}, map[string]*schema{
			"id":             {Type: jsonType{"integer"}},
			"email":          {Type: jsonType{"string"}, Format: "email"},
			"display_name":   str(""),
			"platform_admin": {Type: jsonType{"boolean"}, Description: "Above every organisation."},
			"memberships":    {Type: jsonType{"array"}, Items: ref("Membership")},
			"token":          ref("Token"),
		}),
	}
}

func problemResponses() map[string]response {
	problemContent := map[string]mediaType{"application/problem+json": {Schema: ref("Problem")}}
	retry := map[string]header{"Retry-After": {Description: "Seconds to wait (with 429 and 503).", Schema: &schema{Type: jsonType{"integer"}}}}
	return map[string]response{
		"BadRequest": {Description: "A query parameter is not valid; errors names it.", Content: problemContent},
		"Unauthorized": {
			Description: "No bearer token, or one that is unknown, revoked or expired.",
			Headers:     map[string]header{"WWW-Authenticate": {Schema: str(`Bearer realm="parley"`)}},
			Content:     problemContent,
		},
		"NotFound":  {Description: "No such thing.", Content: problemContent},
		"Forbidden": {Description: "The token's owner may not do this in the organisation concerned.", Content: problemContent},
		"Conflict": {Description: "The thing is not in a state that allows this (e.g. votes on a closed conversation).",
			Content: problemContent},
		"Unprocessable": {Description: "A field is not valid; errors names each one (a rule's syntax error gives its column).",
			Content: problemContent},
		"Problem": {
			Description: "Any other error: 405 (with Allow), 413, 429 and 503 (with Retry-After), 500.",
			Headers:     retry,
			Content:     problemContent,
		},
	}
}
