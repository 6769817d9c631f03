package api

import (
	"context"
	"net/http"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/measure"
	"parley/internal/org"
)

// The measurement endpoints: the ingest API organisations send their
// channel data to (modelled on the UK Performance Platform's write API,
// with a token per dataset), and the open data of channel shift and
// engagement figures. Figures are public for organisations that publish
// them; a staff token adds the caller's own organisations, a platform
// administrator's every one.

// MeasureStore is what the measurement endpoints need of the database.
type MeasureStore interface {
	DatasetByToken(ctx context.Context, plain string) (measure.Dataset, error)
	IngestRecords(ctx context.Context, datasetID int64, rs []measure.Record) (measure.IngestResult, error)
	MeasureChannels(ctx context.Context, orgID int64) ([]measure.Channel, error)
	UnitCosts(ctx context.Context, orgID int64) ([]measure.UnitCost, error)
	MeasureTotals(ctx context.Context, f measure.TotalsFilter) ([]measure.Total, error)
	Engagements(ctx context.Context, orgIDs []int64, p measure.Period) (map[int64][]measure.Engagement, error)
	AgeBandCounts(ctx context.Context, orgIDs []int64, p measure.Period) (map[int64]map[string]int64, error)
	MeasureSettings(ctx context.Context, orgID int64) (measure.Settings, error)
	AllMeasureSettings(ctx context.Context) (map[int64]measure.Settings, error)
}

// maxIngestBody bounds an ingest batch: measure.MaxBatch records of a few
// hundred bytes each fit with room to spare.
const maxIngestBody = 8 << 20

// measureRoutes registers the measurement endpoints.
func (a *API) measureRoutes() {
	// The dataset's own token, not a staff one: checked by the handler.
	a.add("POST /api/v1/measures/datasets/{id}/records", route{auth: true},
		a.serveLimit(a.ingest, maxIngestBody))
	a.open("GET /api/v1/measures/organisations", a.measureComparison)
	a.open("GET /api/v1/measures/organisations/{slug}", a.measureReport)
	a.open("GET /api/v1/measures/organisations/{slug}/what-if", a.measureWhatIf)
}

// open registers a route that needs no token but takes a staff one: a
// token that is sent must be valid, and its owner may see more.
func (a *API) open(pattern string, h authFunc) {
	a.add(pattern, route{optional: true}, a.serve(func(w http.ResponseWriter, r *http.Request) error {
		var c caller
		if r.Header.Get("Authorization") != "" {
			var err error
			if c, err = a.authenticate(r); err != nil {
				return err
			}
		}
		return h(w, r, c)
	}))
}

// mayRead says whether the caller may see an organisation's figures:
// published ones are open data; otherwise the organisation's analysts (and
// platform administrators) only.
func mayRead(c caller, st measure.Settings) bool {
	return st.Public || c.principal.Can(st.OrgID, account.PermAnalyse)
}

// measureOrg loads the organisation in the path and its settings, and
// checks the caller may read its figures. Unpublished figures are a 404
// to others, so a request cannot tell them from none.
func (a *API) measureOrg(r *http.Request, c caller) (org.Organisation, measure.Settings, error) {
	o, err := a.st.OrgBySlug(r.Context(), r.PathValue("slug"))
	if apperr.Is(err, apperr.NotFound) {
		return o, measure.Settings{}, apperr.Wrap(apperr.NotFound, err, "error.org.not_found")
	}
	if err != nil {
		return o, measure.Settings{}, err
	}
	st, err := a.st.MeasureSettings(r.Context(), o.ID)
	if err != nil {
		return o, st, err
	}
	st.OrgID = o.ID
	if !mayRead(c, st) {
		return o, st, apperr.New(apperr.NotFound, "error.measure.not_published")
	}
	return o, st, nil
}

// visibleOrgs lists the organisations whose figures the caller may see in
// the comparison: published ones, plus the caller's own; nil for a
// platform administrator (every organisation with figures).
func (a *API) visibleOrgs(ctx context.Context, c caller) ([]int64, map[int64]measure.Settings, error) {
	all, err := a.st.AllMeasureSettings(ctx)
	if err != nil {
		return nil, nil, err
	}
	if c.principal != nil && c.principal.User.PlatformAdmin {
		return nil, all, nil
	}
	ids := []int64{}
	seen := map[int64]bool{}
	for id, st := range all {
		st.OrgID = id
		if mayRead(c, st) {
			ids = append(ids, id)
			seen[id] = true
		}
	}
	if c.principal != nil {
		for _, m := range c.principal.Memberships {
			if !seen[m.OrgID] && c.principal.Can(m.OrgID, account.PermAnalyse) {
				ids = append(ids, m.OrgID)
				seen[m.OrgID] = true
			}
		}
	}
	return ids, all, nil
}

// orgsByID reads every organisation once, for the comparison's names.
func (a *API) orgsByID(ctx context.Context) (map[int64]org.Organisation, error) {
	out := map[int64]org.Organisation{}
	after := ""
	for {
		orgs, err := a.st.Orgs(ctx, after, maxLimit)
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			out[o.ID] = o
		}
		if len(orgs) < maxLimit {
			return out, nil
		}
		after = orgs[len(orgs)-1].Slug
	}
}

// measureMessages are the English texts of the measurement messages.
var measureMessages = map[string]string{
	"error.measure.not_published":     "This organisation does not publish its figures, or your token may not see them.",
	"error.measure.token.required":    "This endpoint needs the dataset's ingest token: send the header Authorization: Bearer pds_….",
	"error.measure.token.invalid":     "The ingest token is not valid: it may be mistyped or revoked. Ingest takes a dataset token (pds_…), not a staff token.",
	"error.measure.token.other":       "This token belongs to another dataset: send records to the dataset the token was made for.",
	"error.measure.dataset.not_found": "No API dataset has this ID.",
	"error.measure.batch.too_big":     "A batch may hold at most 10,000 records.",
	"error.measure.record.invalid":    "A record is not valid.",
	"error.measure.batch":             "Some records are not valid: see errors, one message per record and field; nothing was stored.",
}
