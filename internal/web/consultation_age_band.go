package web

import (
	"strconv"
	"strings"

	"parley/internal/measure"
)

// The optional age question, asked of respondents online and keyed in by
// staff: its answers feed the representativeness figures only.

// ageBandValues are the answers the question offers, in order.
var ageBandValues = append(append([]string(nil), measure.AgeBands...), measure.PreferNotToSay)

// ageBandLabel is the message ID naming an answer ("" is not given).
func ageBandLabel(band string) string {
	if band == "" {
		return "response.age_band.none"
	}
	return "response.age_band." + strings.NewReplacer("-", "_", "+", "_plus").Replace(band)
}

func ageBandLabels(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = ageBandLabel(v)
	}
	return out
}

// AgeBandChoice is one radio of the age question.
type AgeBandChoice struct {
	ID, Value, Label string
	Checked          bool
	Divider          bool // "or" goes before it: prefer not to say
}

// ageBandChoices lists the radios, band checked.
func ageBandChoices(b Base, band string) []AgeBandChoice {
	out := make([]AgeBandChoice, len(ageBandValues))
	for i, v := range ageBandValues {
		id := "age_band"
		if i > 0 {
			id += "-" + strconv.Itoa(i+1)
		}
		out[i] = AgeBandChoice{ID: id, Value: v, Label: b.T(ageBandLabel(v)), Checked: v == band, Divider: v == measure.PreferNotToSay}
	}
	return out
}
