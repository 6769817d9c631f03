package listening

import (
	"math"
	"time"
)

// DayCount is how many mentions a rule found on one day (UTC).
type DayCount struct {
	RuleID int64
	Day    string // YYYY-MM-DD
	Count  int
}

// Day is one day of a rule's volume.
type Day struct {
	Day   string
	Count int
	Spike bool // far above the rule's usual level
}

// Volume is a rule's mentions per day over a window ending today.
type Volume struct {
	Days  []Day
	Total int
	Max   int
	Spike string // the last spike's day, "" if none
}

// Spike thresholds: a day is a spike when it has at least spikeMin
// mentions and is more than spikeSigmas standard deviations above the mean
// of the days before it in the window (at least spikeHistory of them), so
// a rule's first busy day, or a quiet rule's one or two mentions, are not.
const (
	spikeMin     = 5
	spikeSigmas  = 3.0
	spikeHistory = 7
)

// Volumes spreads the counts over the days days ending today, per rule,
// with zeros for days without mentions, and flags spikes.
func Volumes(counts []DayCount, today time.Time, days int) map[int64]Volume {
	index := make(map[string]int, days)
	start := today.UTC().AddDate(0, 0, -(days - 1))
	labels := make([]string, days)
	for i := range days {
		labels[i] = start.AddDate(0, 0, i).Format("2006-01-02")
		index[labels[i]] = i
	}
	per := map[int64][]int{}
	for _, c := range counts {
		i, ok := index[c.Day]
		if !ok {
			continue
		}
		if per[c.RuleID] == nil {
			per[c.RuleID] = make([]int, days)
		}
		per[c.RuleID][i] += c.Count
	}
	out := make(map[int64]Volume, len(per))
	for id, n := range per {
		v := Volume{Days: make([]Day, days)}
		for i, c := range n {
			v.Days[i] = Day{Day: labels[i], Count: c, Spike: isSpike(n[:i], c)}
			v.Total += c
			v.Max = max(v.Max, c)
			if v.Days[i].Spike {
				v.Spike = labels[i]
			}
		}
		out[id] = v
	}
	return out
}

// isSpike reports whether c is far above the days before it.
func isSpike(before []int, c int) bool {
	if c < spikeMin || len(before) < spikeHistory {
		return false
	}
	var sum, sq float64
	for _, b := range before {
		sum += float64(b)
	}
	mean := sum / float64(len(before))
	for _, b := range before {
		sq += (float64(b) - mean) * (float64(b) - mean)
	}
	sd := math.Sqrt(sq / float64(len(before)))
	return float64(c) > mean+spikeSigmas*math.Max(sd, 1)
}
