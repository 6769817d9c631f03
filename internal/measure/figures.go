package measure

import "math"

// Ratio is a figure that may not exist: a rate with nothing to divide by,
// or a cost with no unit cost to go on. Pages show "no data" when !Valid.
type Ratio struct {
	Value float64
	Valid bool
}

// Money is an amount in pence. Partial says some contacts had no unit cost
// and are left out of it (UncostedContacts of them).
type Money struct {
	Pence            float64
	Valid            bool  // false: nothing could be costed
	Partial          bool  // some contacts were on channels with no unit cost
	UncostedContacts int64 // how many
}

// Query says which figures to compute.
type Query struct {
	Period   Period
	Baseline Period // zero: no savings figure
	Service  string // "": every service
	Channel  string // "": every channel (take-up and costs always use every channel of the service)
}

// Figures are one organisation's service figures for a period: the four
// GOV.UK KPIs, volumes and costs by channel and month, and the saving from
// shift against the baseline.
type Figures struct {
	Period       Period
	Contacts     int64
	Transactions int64
	Digital      int64 // transactions on digital channels

	// The four KPIs (definitions in the catalogue beside them on the pages).
	DigitalTakeUp      Ratio // digital transactions ÷ all transactions
	CostPerTransaction Money // total cost ÷ transactions
	CompletionRate     Ratio // completed ÷ started
	Satisfaction       Ratio // satisfied ÷ rated

	TotalCost Money // Σ contacts × the unit cost in force that month

	ByChannel []ChannelFigures // every channel with contacts, in the order of the channels given
	ByMonth   []MonthFigures   // every month of the period, empty ones included
	ByService []ServiceFigures // every service with contacts, by name

	Saving *Saving // nil without a baseline
}

// ChannelFigures are one channel's part.
type ChannelFigures struct {
	Channel      Channel
	Contacts     int64
	Transactions int64
	Share        Ratio    // of all transactions
	UnitCost     UnitCost // the one in force in the period's last month; Pence 0 and !Costed: none
	Costed       bool
	Cost         Money
}

// MonthFigures are one month's part, for the charts.
type MonthFigures struct {
	Month         Month
	Contacts      int64
	Transactions  int64
	Digital       int64
	DigitalTakeUp Ratio
	Cost          Money
	ByChannel     map[string]int64 // transactions by channel key
}

// ServiceFigures are one service's part.
type ServiceFigures struct {
	Service       string
	Contacts      int64
	Transactions  int64
	DigitalTakeUp Ratio
	Cost          Money
}

// Saving compares the period's cost with what the same contacts would have
// cost at the baseline period's channel mix, both at the period's unit
// costs: only the shift between channels makes the difference. Channels
// with no unit cost are left out of both sides.
type Saving struct {
	Baseline       Period
	BaselineMix    map[string]float64 // share of costed contacts by channel in the baseline
	CostAtBaseline float64            // pence
	ActualCost     float64            // pence
	Saving         float64            // pence; negative: the mix costs more now
	Valid          bool               // false: no costed contacts in the baseline or the period
}

// Compute works out the figures of q from monthly totals (of one
// organisation), the organisation's unit costs (DefaultCosts apply where it
// has none of its own) and its channels.
//
// The channel filter narrows the volumes (contacts, transactions, completion
// and satisfaction, by month and by service); digital take-up, costs, the
// breakdown by channel and the saving always use every channel of the
// service, as a share or a cost of one channel alone says nothing.
func Compute(totals []Total, costs []UnitCost, channels []Channel, q Query) Figures {
	return newComputation(costs, channels, q).run(totals)
}

// CostAt returns the unit cost in force for a channel in a month: the
// organisation's latest row from that month or before, else the default.
// A row with From 0 applies from the start; where two rows start in the
// same month the organisation's own beats a default.
func CostAt(costs []UnitCost, channel string, m Month) (UnitCost, bool) {
	var (
		best  UnitCost
		found bool
	)
	for _, c := range costs {
		if c.Channel != channel || m.Before(c.From) {
			continue
		}
		if !found || best.From.Before(c.From) || (best.From == c.From && best.Default && !c.Default) {
			best, found = c, true
		}
	}
	if found {
		return best, true
	}
	for _, c := range DefaultCosts {
		if c.Channel == channel {
			return c, true
		}
	}
	return UnitCost{}, false
}

// WhatIf is the channel-shift calculator: move Percent of From's contacts
// to To in the period and compare costs.
type WhatIf struct {
	From    string
	To      string
	Percent float64 // 0–100
}

// WhatIfResult is its answer, in pence.
type WhatIfResult struct {
	Moved     int64 // contacts moved
	CostNow   Money
	CostAfter Money
	Saving    float64
	Valid     bool // false: From or To has no unit cost
}

// Shift answers a what-if over the period's figures.
// Both channels are costed at the unit costs in force in the period's last
// month, so the saving is Moved × (From's unit cost − To's): the figure a
// digital lead can check by hand. Percent is held to 0–100.
func Shift(f Figures, costs []UnitCost, w WhatIf) WhatIfResult {
	pct := w.Percent
	if math.IsNaN(pct) || pct < 0 {
		pct = 0
	}
	if pct > 100 {
		pct = 100
	}
	var from int64
	for _, c := range f.ByChannel {
		if c.Channel.Key == w.From {
			from = c.Contacts
		}
	}
	r := WhatIfResult{Moved: int64(math.Round(float64(from) * pct / 100)), CostNow: f.TotalCost}
	uFrom, okFrom := CostAt(costs, w.From, f.Period.To)
	uTo, okTo := CostAt(costs, w.To, f.Period.To)
	if !okFrom || !okTo {
		return r
	}
	r.Valid = true
	r.Saving = float64(r.Moved) * float64(uFrom.Pence-uTo.Pence)
	r.CostAfter = f.TotalCost
	r.CostAfter.Pence -= r.Saving
	return r
}
