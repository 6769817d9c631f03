package api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"parley/internal/apperr"
	"parley/internal/org"
)

// orgJSON is an organisation in responses.
type orgJSON struct {
	Slug      string   `json:"slug"`
	Name      nameJSON `json:"name"`
	Brand     string   `json:"brand"`
	CreatedAt string   `json:"created_at"`
	Links     orgLinks `json:"links"`
}

type nameJSON struct {
	EN string `json:"en"`
	CY string `json:"cy"` // the English name when there is no Welsh one, as the site shows
}

type orgLinks struct {
	Self string `json:"self"`
	HTML string `json:"html"`
}

func (a *API) orgJSON(o org.Organisation) orgJSON {
	return orgJSON{
		Slug:      o.Slug,
		Name:      nameJSON{EN: o.Name("en"), CY: o.Name("cy")},
		Brand:     o.Brand,
		CreatedAt: timestamp(o.CreatedAt),
		Links:     a.orgLinks(o.Slug),
	}
}

func (a *API) orgLinks(slug string) orgLinks {
	s := url.PathEscape(slug)
	return orgLinks{Self: a.baseURL + "/api/v1/organisations/" + s, HTML: a.baseURL + "/organisations/" + s}
}

// timestamp formats t for responses: RFC 3339 in UTC, to the second.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (a *API) orgList(w http.ResponseWriter, r *http.Request, _ caller) error {
	pg, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	// One more than asked for says whether there is a next page.
	orgs, err := a.st.Orgs(r.Context(), pg.after, pg.limit+1)
	if err != nil {
		return err
	}
	out := list[orgJSON]{Items: make([]orgJSON, 0, min(len(orgs), pg.limit))}
	if len(orgs) > pg.limit {
		orgs = orgs[:pg.limit]
		out.NextCursor = encodeCursor(orgs[len(orgs)-1].Slug)
		w.Header().Set("Link", "<"+a.nextURL(r, out.NextCursor, pg.limit)+`>; rel="next"`)
	}
	for _, o := range orgs {
		out.Items = append(out.Items, a.orgJSON(o))
	}
	return writeJSON(w, http.StatusOK, out)
}

// nextURL is the address of the page after the one being served, with
// the request's filters kept.
func (a *API) nextURL(r *http.Request, cursor string, limit int) string {
	q := r.URL.Query()
	q.Set("cursor", cursor)
	q.Set("limit", strconv.Itoa(limit))
	return a.baseURL + r.URL.EscapedPath() + "?" + q.Encode()
}

func (a *API) orgGet(w http.ResponseWriter, r *http.Request, _ caller) error {
	o, err := a.st.OrgBySlug(r.Context(), r.PathValue("slug"))
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Wrap(apperr.NotFound, err, "error.org.not_found")
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.orgJSON(o))
}
