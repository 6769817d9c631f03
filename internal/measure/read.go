package measure

import (
	"context"
	"slices"
)

// orgsData is what reports read from the source for some organisations.
type orgsData struct {
	totals      map[int64][]Total
	channels    map[int64][]Channel
	costs       map[int64][]UnitCost
	engagements map[int64][]Engagement
	ages        map[int64]map[string]int64
}

// orgData is one organisation's part.
type orgData struct {
	id       int64
	totals   []Total
	channels []Channel
	costs    []UnitCost
}

// readOrgs reads the totals (every service and channel: the index always
// uses them all, and Compute narrows), engagements and age bands of the
// organisations (nil: all), then each one's channels and unit costs.
func readOrgs(ctx context.Context, src Source, orgIDs []int64, q Query) (*orgsData, error) {
	d := &orgsData{totals: map[int64][]Total{}, channels: map[int64][]Channel{}, costs: map[int64][]UnitCost{}}
	span := q.Period
	if q.Baseline.Valid() {
		span.From = min(span.From, q.Baseline.From)
		span.To = max(span.To, q.Baseline.To)
	}
	totals, err := src.MeasureTotals(ctx, TotalsFilter{OrgIDs: orgIDs, Period: span})
	if err != nil {
		return nil, err
	}
	for _, t := range totals {
		d.totals[t.OrgID] = append(d.totals[t.OrgID], t)
	}
	if d.engagements, err = src.Engagements(ctx, orgIDs, q.Period); err != nil {
		return nil, err
	}
	if d.ages, err = src.AgeBandCounts(ctx, orgIDs, q.Period); err != nil {
		return nil, err
	}
	ids := orgIDs
	if ids == nil {
		ids = d.orgIDs(nil)
	}
	for _, id := range ids {
		if _, done := d.channels[id]; done {
			continue
		}
		if d.channels[id], err = src.MeasureChannels(ctx, id); err != nil {
			return nil, err
		}
		if d.costs[id], err = src.UnitCosts(ctx, id); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// orgIDs lists, in order, every organisation with totals, engagements or
// settings.
func (d *orgsData) orgIDs(settings map[int64]Settings) []int64 {
	seen := map[int64]bool{}
	var ids []int64
	add := func(id int64) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for id := range d.totals {
		add(id)
	}
	for id := range d.engagements {
		add(id)
	}
	for id := range d.channels {
		add(id)
	}
	for id := range settings {
		add(id)
	}
	slices.Sort(ids)
	return ids
}

func (d *orgsData) org(id int64) orgData {
	return orgData{id: id, totals: d.totals[id], channels: d.channels[id], costs: d.costs[id]}
}

// indexInput is what the engagement index takes of an organisation: its
// digital take-up over every service and channel in the period.
func (o orgData) indexInput(q Query, e EngagementFigures, st Settings) IndexInput {
	all := Compute(o.totals, o.costs, o.channels, Query{Period: q.Period})
	return IndexInput{OrgID: o.id, Engagement: e, DigitalTakeUp: all.DigitalTakeUp, Population: st.Population}
}
