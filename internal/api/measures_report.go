package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"parley/internal/measure"
	"parley/internal/org"
)

// queryKey identifies a query in the figure cache.
func queryKey(q measure.Query) string {
	return strings.Join([]string{q.Period.From.String(), q.Period.To.String(), q.Baseline.From.String(),
		q.Baseline.To.String(), strconv.Quote(q.Service), strconv.Quote(q.Channel)}, "|")
}

// measureComparison is the cross-organisation comparison: every
// organisation the caller may see, ranked on the engagement index.
func (a *API) measureComparison(w http.ResponseWriter, r *http.Request, c caller) error {
	now := a.now()
	q, err := measureQuery(r.URL.Query(), now)
	if err != nil {
		return err
	}
	ids, settings, err := a.visibleOrgs(r.Context(), c)
	if err != nil {
		return err
	}
	out := comparisonJSON{Query: queryOut(q), Items: []comparisonRowJSON{}}
	if ids != nil && len(ids) == 0 {
		// Nothing published: Compare takes nil to mean every organisation.
		return writeJSON(w, http.StatusOK, out)
	}
	key := "compare|all|"
	if ids != nil {
		sorted := slices.Clone(ids)
		slices.Sort(sorted)
		var b strings.Builder
		b.WriteString("compare|")
		for _, id := range sorted {
			b.WriteString(strconv.FormatInt(id, 10))
			b.WriteByte(',')
		}
		key = b.String() + "|"
	}
	items, err := a.figures.get(key+queryKey(q), now, func() (any, error) {
		return a.compare(r.Context(), ids, settings, q, now)
	})
	if err != nil {
		return err
	}
	out.Items = items.([]comparisonRowJSON)
	return writeJSON(w, http.StatusOK, out)
}

// compare works out the comparison's rows.
func (a *API) compare(ctx context.Context, ids []int64, settings map[int64]measure.Settings, q measure.Query, now time.Time) ([]comparisonRowJSON, error) {
	rows, err := measure.Compare(ctx, a.st, ids, q, now)
	if err != nil {
		return nil, err
	}
	orgs, err := a.orgsByID(ctx)
	if err != nil {
		return nil, err
	}
	items := []comparisonRowJSON{}
	for _, row := range rows {
		o, ok := orgs[row.OrgID]
		if !ok {
			continue // deleted since its figures were read
		}
		public := row.Public || settings[row.OrgID].Public
		items = append(items, comparisonRowJSON{Organisation: a.measureOrgOut(o), Public: public,
			EngagementIndex: scoreOut(row.Score), Transactions: row.Transactions, DigitalTakeUp: ratioOut(row.DigitalTakeUp),
			CostPerTransaction: moneyOut(row.CostPerTransaction), TotalCost: moneyOut(row.TotalCost),
			Saving: savingOut(row.Saving), Engagement: engagementOut(row.Engagement)})
	}
	return items, nil
}

// report returns an organisation's report, from the cache when it can.
func (a *API) report(ctx context.Context, orgID int64, q measure.Query, now time.Time) (measure.Report, error) {
	v, err := a.figures.get("report|"+strconv.FormatInt(orgID, 10)+"|"+queryKey(q), now, func() (any, error) {
		return measure.OrgReport(ctx, a.st, orgID, q, now)
	})
	if err != nil {
		return measure.Report{}, err
	}
	return v.(measure.Report), nil
}

// measureRequest reads what the figures of one organisation are asked
// for: the organisation in the path (which the caller must be allowed to
// read), the query, and the time it is answered at.
func (a *API) measureRequest(r *http.Request, c caller) (org.Organisation, measure.Query, time.Time, error) {
	now := a.now()
	o, _, err := a.measureOrg(r, c)
	if err != nil {
		return o, measure.Query{}, now, err
	}
	q, err := measureQuery(r.URL.Query(), now)
	return o, q, now, err
}

// measureReport is one organisation's figures.
func (a *API) measureReport(w http.ResponseWriter, r *http.Request, c caller) error {
	o, q, now, err := a.measureRequest(r, c)
	if err != nil {
		return err
	}
	rep, err := a.report(r.Context(), o.ID, q, now)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.reportOut(o, rep))
}

// measureWhatIf is the channel-shift calculator: what the period's
// contacts would have cost with percent of one channel's moved to another.
func (a *API) measureWhatIf(w http.ResponseWriter, r *http.Request, c caller) error {
	o, q, now, err := a.measureRequest(r, c)
	if err != nil {
		return err
	}
	// The calculator moves contacts between channels: it works on every
	// channel of the service, whatever channel filter came with it.
	q.Channel = ""
	rep, err := a.report(r.Context(), o.ID, q, now)
	if err != nil {
		return err
	}
	wi, err := whatIfQuery(r.URL.Query(), rep.Channels)
	if err != nil {
		return err
	}
	res := measure.Shift(rep.Figures, rep.Costs, wi)
	out := whatIfJSON{Organisation: a.measureOrgOut(o), Query: queryOut(q), FromChannel: wi.From, ToChannel: wi.To,
		Percent: wi.Percent, Moved: res.Moved, CostNow: moneyOut(res.CostNow), CostAfter: moneyOut(res.CostAfter)}
	if res.Valid {
		s := res.Saving
		out.Saving = &s
	}
	return writeJSON(w, http.StatusOK, out)
}
