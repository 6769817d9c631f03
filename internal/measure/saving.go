package measure

import "sort"

// saving works out the saving from shift (see Saving): the period's costed
// contacts, month by month, spread over the channels at the baseline's mix
// and costed at the period's unit costs, less what they did cost. The
// channels compared are those with a unit cost in every month of the
// period, so both sides cost the same contacts.
func saving(totals []Total, costs []UnitCost, q Query) *Saving {
	if !q.Baseline.Valid() || !q.Period.Valid() {
		return nil
	}
	s := &Saving{Baseline: q.Baseline, BaselineMix: map[string]float64{}}
	periodMonths := q.Period.Months()
	inPeriod := map[Month]bool{}
	for _, m := range periodMonths {
		inPeriod[m] = true
	}

	// Which channels are costed throughout the period.
	costed := map[string]bool{}
	seen := map[string]bool{}
	for _, t := range totals {
		if seen[t.Channel] || (q.Service != "" && t.Service != q.Service) {
			continue
		}
		seen[t.Channel] = true
		ok := true
		for _, m := range periodMonths {
			if _, has := CostAt(costs, t.Channel, m); !has {
				ok = false
				break
			}
		}
		costed[t.Channel] = ok
	}

	baseline := map[string]int64{}
	var baselineAll int64
	period := map[Month]map[string]int64{}
	for _, t := range totals {
		if !costed[t.Channel] || (q.Service != "" && t.Service != q.Service) {
			continue
		}
		n := max(t.Contacts, t.Transactions)
		if q.Baseline.From <= t.Month && t.Month <= q.Baseline.To {
			baseline[t.Channel] += n
			baselineAll += n
		}
		if inPeriod[t.Month] {
			if period[t.Month] == nil {
				period[t.Month] = map[string]int64{}
			}
			period[t.Month][t.Channel] += n
		}
	}
	if baselineAll == 0 || len(period) == 0 {
		return s
	}
	for ch, n := range baseline {
		s.BaselineMix[ch] = float64(n) / float64(baselineAll)
	}
	keys := sortedKeys(costed) // a fixed order: the same sums to the last penny every time
	for _, m := range periodMonths {
		var contacts int64
		for _, ch := range keys {
			n := period[m][ch]
			u, _ := CostAt(costs, ch, m)
			contacts += n
			s.ActualCost += float64(n) * float64(u.Pence)
		}
		for _, ch := range keys {
			if share, ok := s.BaselineMix[ch]; ok {
				u, _ := CostAt(costs, ch, m)
				s.CostAtBaseline += float64(contacts) * share * float64(u.Pence)
			}
		}
	}
	s.Saving = s.CostAtBaseline - s.ActualCost
	s.Valid = true
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
