package api

import (
	"math"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"parley/internal/measure"
)

// maxPeriodMonths bounds a period or baseline: ten years of figures is as
// far back as anyone compares, and it bounds the work of one request.
const maxPeriodMonths = 120

// maxFilter bounds the service and channel filters.
const maxFilter = 200

// measureQuery reads the figures a request asks for: from and to (months
// written 2026-11; the last 12 months up to now by default), service and
// channel (every one when absent), and baseline_from and baseline_to (the
// baseline of the saving from shift; by default the 12 months before the
// period).
func measureQuery(q url.Values, now time.Time) (measure.Query, error) {
	var out measure.Query
	p, err := period(q, "from", "to", func(from, to measure.Month, hasFrom, hasTo bool) measure.Period {
		switch {
		case hasFrom && hasTo:
			return measure.Period{From: from, To: to}
		case hasFrom:
			return measure.Period{From: from, To: measure.MonthOf(now)}
		case hasTo:
			return measure.Period{From: to.Add(-11), To: to}
		}
		return measure.LastMonths(now, 12)
	})
	if err != nil {
		return out, err
	}
	out.Period = p
	b, err := period(q, "baseline_from", "baseline_to", func(from, to measure.Month, hasFrom, hasTo bool) measure.Period {
		switch {
		case hasFrom && hasTo:
			return measure.Period{From: from, To: to}
		case hasFrom:
			return measure.Period{From: from, To: from.Add(11)}
		case hasTo:
			return measure.Period{From: to.Add(-11), To: to}
		}
		return measure.Period{From: p.From.Add(-12), To: p.From.Add(-1)}
	})
	if err != nil {
		return out, err
	}
	out.Baseline = b
	if out.Service, err = filter(q, "service"); err != nil {
		return out, err
	}
	if out.Channel, err = filter(q, "channel"); err != nil {
		return out, err
	}
	return out, nil
}

// period reads a pair of month parameters; fill makes the period from what
// was given. The period must run forwards and be at most maxPeriodMonths.
func period(q url.Values, fromName, toName string, fill func(from, to measure.Month, hasFrom, hasTo bool) measure.Period) (measure.Period, error) {
	var from, to measure.Month
	var err error
	hasFrom, hasTo := q.Get(fromName) != "", q.Get(toName) != ""
	if hasFrom {
		if from, err = measure.ParseMonth(q.Get(fromName)); err != nil {
			return measure.Period{}, badParam(fromName, fromName+" must be a month written like 2026-11.")
		}
	}
	if hasTo {
		if to, err = measure.ParseMonth(q.Get(toName)); err != nil {
			return measure.Period{}, badParam(toName, toName+" must be a month written like 2026-11.")
		}
	}
	p := fill(from, to, hasFrom, hasTo)
	if !p.Valid() {
		return p, badParam(toName, toName+" must be the same month as "+fromName+" or later.")
	}
	if n := len(p.Months()); n > maxPeriodMonths {
		return p, badParam(toName, "A period may run for at most "+strconv.Itoa(maxPeriodMonths)+" months; this one runs for "+strconv.Itoa(n)+".")
	}
	return p, nil
}

// filter reads an optional text filter.
func filter(q url.Values, name string) (string, error) {
	v := q.Get(name)
	if utf8.RuneCountInString(v) > maxFilter || !utf8.ValidString(v) {
		return "", badParam(name, name+" must be at most "+strconv.Itoa(maxFilter)+" characters.")
	}
	return v, nil
}

// whatIfQuery reads the calculator's parameters: move percent of
// from_channel's contacts to to_channel.
func whatIfQuery(q url.Values, channels []measure.Channel) (measure.WhatIf, error) {
	known := map[string]bool{}
	for _, c := range channels {
		known[c.Key] = true
	}
	w := measure.WhatIf{From: q.Get("from_channel"), To: q.Get("to_channel")}
	if w.From == "" {
		return w, badParam("from_channel", "Give the channel to move contacts from as ?from_channel=, e.g. face_to_face.")
	}
	if !known[w.From] {
		return w, badParam("from_channel", "from_channel must be one of the organisation's channels.")
	}
	if w.To == "" {
		w.To = measure.Web
	}
	if !known[w.To] {
		return w, badParam("to_channel", "to_channel must be one of the organisation's channels.")
	}
	if w.To == w.From {
		return w, badParam("to_channel", "to_channel must differ from from_channel.")
	}
	s := q.Get("percent")
	if s == "" {
		return w, badParam("percent", "Give the share of contacts to move as ?percent=, from 0 to 100.")
	}
	pc, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(pc) || pc < 0 || pc > 100 {
		return w, badParam("percent", "percent must be a number from 0 to 100.")
	}
	w.Percent = pc
	return w, nil
}
