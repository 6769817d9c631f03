package api

import (
	"context"
	"net/http"
	"strconv"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/org"
)

// What the handlers of conversations, consultations and mentions share:
// loading the thing in the path with its access check, reading a list
// request, and checking the organisation a create request names.

// engagementFor loads the engagement (conversation, consultation) named in
// the path and checks that the caller may see it (drafts: the
// organisation's staff only) and, when perm is set, act on it. It returns
// the organisation's slug, for links.
func engagementFor[T any](a *API, r *http.Request, c caller, perm account.Permission, notFound string,
	load func(context.Context, int64) (T, error), scope func(T) (orgID int64, public bool)) (T, string, error) {
	var zero T
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return zero, "", apperr.New(apperr.NotFound, "%s", notFound)
	}
	k, err := load(r.Context(), id)
	if err != nil {
		return k, "", err
	}
	orgID, public := scope(k)
	if !public && !c.principal.Can(orgID, account.PermStaffArea) {
		return k, "", apperr.New(apperr.NotFound, "%s", notFound)
	}
	if perm != "" {
		if err := c.principal.Authorize(orgID, perm); err != nil {
			return k, "", err
		}
	}
	o, err := a.st.OrgByID(r.Context(), orgID)
	return k, o.Slug, err
}

// listOf reads a request for a list of an organisation's engagements: the
// organisation from ?organisation=SLUG, the page, and the cursor as the
// last ID served (-1 for the first page).
func (a *API) listOf(r *http.Request) (org.Organisation, page, int64, error) {
	slug := r.URL.Query().Get("organisation")
	if slug == "" {
		return org.Organisation{}, page{}, 0, badParam("organisation", "Give the organisation's slug as ?organisation=.")
	}
	o, err := a.st.OrgBySlug(r.Context(), slug)
	if apperr.Is(err, apperr.NotFound) {
		return o, page{}, 0, badParam("organisation", "There is no organisation with that slug.")
	}
	if err != nil {
		return o, page{}, 0, err
	}
	pg, err := parsePage(r.URL.Query())
	if err != nil {
		return o, pg, 0, err
	}
	after := int64(-1)
	if pg.after != "" {
		if after, err = strconv.ParseInt(pg.after, 10, 64); err != nil {
			return o, pg, 0, badParam("cursor", "error.cursor.format")
		}
	}
	return o, pg, after, nil
}

// editing loads the organisation a create request names in its body and
// checks that the caller may create engagements in it.
func (a *API) editing(r *http.Request, c caller, slug string) (org.Organisation, error) {
	o, err := a.st.OrgBySlug(r.Context(), slug)
	if apperr.Is(err, apperr.NotFound) {
		var f apperr.Fields
		f.Add("organisation", "There is no organisation with that slug.")
		return o, f.Err()
	}
	if err != nil {
		return o, err
	}
	return o, c.principal.Authorize(o.ID, account.PermEdit)
}
