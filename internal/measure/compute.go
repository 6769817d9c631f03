package measure

import "sort"

// computation holds what Compute needs while it walks the totals once.
type computation struct {
	costs    []UnitCost
	channels []Channel
	q        Query
	months   map[Month]int // index into Figures.ByMonth

	fig       Figures
	all       counts // every channel of the service: take-up and costs
	cost      moneySum
	costedTx  int64 // transactions on costed channels: cost per transaction's divisor
	monthAll  []counts
	monthCost []moneySum
	byChannel map[string]*channelSum
	byService map[string]*serviceSum
	started   int64
	completed int64
	satisfied int64
	rated     int64
}

// counts are contacts, transactions and digital transactions.
type counts struct{ contacts, transactions, digital int64 }

// moneySum adds up costs, counting the contacts that had no unit cost.
type moneySum struct {
	pence    float64
	costed   int64 // contacts costed
	uncosted int64 // contacts on channels with no unit cost
}

func (m *moneySum) add(contacts int64, u UnitCost, costed bool) {
	if !costed {
		m.uncosted += contacts
		return
	}
	m.costed += contacts
	m.pence += float64(contacts) * float64(u.Pence)
}

func (m moneySum) money() Money {
	return Money{Pence: m.pence, Valid: m.costed > 0, Partial: m.uncosted > 0, UncostedContacts: m.uncosted}
}

type channelSum struct {
	counts
	cost moneySum
}

type serviceSum struct {
	narrowed counts // on the filtered channel
	all      counts
	cost     moneySum
}

func newComputation(costs []UnitCost, channels []Channel, q Query) *computation {
	c := &computation{costs: costs, channels: channels, q: q, months: map[Month]int{},
		byChannel: map[string]*channelSum{}, byService: map[string]*serviceSum{}}
	c.fig.Period = q.Period
	if q.Period.Valid() {
		for i, m := range q.Period.Months() {
			c.months[m] = i
			c.fig.ByMonth = append(c.fig.ByMonth, MonthFigures{Month: m, ByChannel: map[string]int64{}})
		}
	}
	c.monthAll = make([]counts, len(c.fig.ByMonth))
	c.monthCost = make([]moneySum, len(c.fig.ByMonth))
	return c
}

func (c *computation) digital(key string) bool {
	ch, _ := FindChannel(c.channels, key)
	return ch.Digital
}

func (c *computation) run(totals []Total) Figures {
	digital := map[string]bool{}
	for _, t := range totals {
		if c.q.Service != "" && t.Service != c.q.Service {
			continue
		}
		i, ok := c.months[t.Month]
		if !ok {
			continue
		}
		d, seen := digital[t.Channel]
		if !seen {
			d = c.digital(t.Channel)
			digital[t.Channel] = d
		}
		c.add(i, t, d)
	}
	c.finish()
	c.fig.Saving = saving(totals, c.costs, c.q)
	return c.fig
}

// add counts one monthly total of the period.
func (c *computation) add(i int, t Total, digital bool) {
	n := counts{contacts: max(t.Contacts, t.Transactions), transactions: t.Transactions}
	if digital {
		n.digital = t.Transactions
	}
	u, costed := CostAt(c.costs, t.Channel, t.Month)

	c.all.plus(n)
	c.cost.add(n.contacts, u, costed)
	if costed {
		c.costedTx += n.transactions
	}
	c.monthAll[i].plus(n)
	c.monthCost[i].add(n.contacts, u, costed)

	ch := c.byChannel[t.Channel]
	if ch == nil {
		ch = &channelSum{}
		c.byChannel[t.Channel] = ch
	}
	ch.plus(n)
	ch.cost.add(n.contacts, u, costed)

	sv := c.byService[t.Service]
	if sv == nil {
		sv = &serviceSum{}
		c.byService[t.Service] = sv
	}
	sv.all.plus(n)
	sv.cost.add(n.contacts, u, costed)

	if c.q.Channel != "" && t.Channel != c.q.Channel {
		return
	}
	c.fig.Contacts += n.contacts
	c.fig.Transactions += n.transactions
	mf := &c.fig.ByMonth[i]
	mf.Contacts += n.contacts
	mf.Transactions += n.transactions
	mf.ByChannel[t.Channel] += n.transactions
	sv.narrowed.plus(n)
	c.started += t.Started
	c.completed += t.Completed
	c.satisfied += t.Satisfied
	c.rated += t.Rated
}

func (n *counts) plus(o counts) {
	n.contacts += o.contacts
	n.transactions += o.transactions
	n.digital += o.digital
}

// finish turns the sums into figures.
func (c *computation) finish() {
	f := &c.fig
	f.Digital = c.all.digital
	f.DigitalTakeUp = ratio(c.all.digital, c.all.transactions)
	f.TotalCost = c.cost.money()
	f.CostPerTransaction = f.TotalCost
	f.CostPerTransaction.Pence, f.CostPerTransaction.Valid = 0, false
	if f.TotalCost.Valid && c.costedTx > 0 {
		f.CostPerTransaction.Pence = f.TotalCost.Pence / float64(c.costedTx)
		f.CostPerTransaction.Valid = true
	}
	f.CompletionRate = capped(ratio(c.completed, c.started))
	f.Satisfaction = capped(ratio(c.satisfied, c.rated))

	for i := range f.ByMonth {
		m := &f.ByMonth[i]
		m.Digital = c.monthAll[i].digital
		m.DigitalTakeUp = ratio(c.monthAll[i].digital, c.monthAll[i].transactions)
		m.Cost = c.monthCost[i].money()
	}

	for _, key := range c.channelOrder() {
		s := c.byChannel[key]
		if s == nil || s.contacts == 0 {
			continue
		}
		ch, ok := FindChannel(c.channels, key)
		if !ok {
			ch = Channel{Key: key, NameEN: key}
		}
		cf := ChannelFigures{Channel: ch, Contacts: s.contacts, Transactions: s.transactions,
			Share: ratio(s.transactions, c.all.transactions), Cost: s.cost.money()}
		cf.UnitCost, cf.Costed = CostAt(c.costs, key, c.q.Period.To)
		f.ByChannel = append(f.ByChannel, cf)
	}

	names := make([]string, 0, len(c.byService))
	for name, s := range c.byService {
		if s.all.contacts > 0 {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		s := c.byService[name]
		f.ByService = append(f.ByService, ServiceFigures{Service: name, Contacts: s.narrowed.contacts,
			Transactions: s.narrowed.transactions, DigitalTakeUp: ratio(s.all.digital, s.all.transactions),
			Cost: s.cost.money()})
	}
}

// channelOrder is the channels given, in order, then any other keys the
// totals hold (a channel since removed), by key.
func (c *computation) channelOrder() []string {
	var keys []string
	listed := map[string]bool{}
	for _, ch := range c.channels {
		if !listed[ch.Key] {
			listed[ch.Key] = true
			keys = append(keys, ch.Key)
		}
	}
	var rest []string
	for key := range c.byChannel {
		if !listed[key] {
			rest = append(rest, key)
		}
	}
	sort.Strings(rest)
	return append(keys, rest...)
}

// ratio is a ÷ b, not valid when b is zero.
func ratio(a, b int64) Ratio {
	if b == 0 {
		return Ratio{}
	}
	return Ratio{Value: float64(a) / float64(b), Valid: true}
}

// capped holds a rate to 1: a journey started late in one month may
// complete in the next, so a month can show more completions than starts.
func capped(r Ratio) Ratio {
	if r.Value > 1 {
		r.Value = 1
	}
	return r
}
