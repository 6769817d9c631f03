package measure

import (
	"math"
	"sort"
	"time"
)

// Engagement is one consultation, petition, idea or conversation as the
// engagement figures see it.
type Engagement struct {
	OrgID        int64
	Kind         string // consultation, petition, idea, conversation
	ID           int64
	Title        string
	Participants int64 // people who took part (respondents, signatories, supporters, voters)
	Responses    int64 // contributions (responses, signatures, supports, votes)
	// Owed says an official answer is owed: a consultation closed, a
	// proposal past its response threshold, a conversation closed.
	Owed       bool
	ClockStart time.Time // when the answer became owed
	DueAt      time.Time // when it is due; zero: no deadline
	AnsweredAt time.Time // when it was published; zero: not yet
}

// EngagementFigures are an organisation's engagement figures for a period.
type EngagementFigures struct {
	Engagements            int
	Participants           int64 // summed over engagements: a person in two counts twice
	Responses              int64
	ResponsesPerEngagement Ratio
	Owed                   int                 // engagements owing an answer
	Answered               int                 // of those, answered
	OutcomeShare           Ratio               // answered ÷ owed: closing the loop
	MedianDaysToAnswer     Ratio               // over answered ones, days from ClockStart to AnsweredAt
	Due                    int                 // owed with a deadline that has passed or been met
	OnTime                 int                 // answered by the deadline
	OnTimeShare            Ratio               // OnTime ÷ Due
	Representativeness     *Representativeness // nil: no baseline loaded or no respondent gave an age band
}

// Engage works out the engagement figures at now (an answer not yet due is
// not counted late).
//
// An answer counts when it was published by now. One is due when it has a
// deadline that has passed, or has been answered (a deadline met early is
// counted at once); it is on time when answered by the deadline.
func Engage(es []Engagement, now time.Time) EngagementFigures {
	var f EngagementFigures
	var days []float64
	for _, e := range es {
		f.Engagements++
		f.Participants += e.Participants
		f.Responses += e.Responses
		if !e.Owed {
			continue
		}
		f.Owed++
		answered := !e.AnsweredAt.IsZero() && !e.AnsweredAt.After(now)
		if answered {
			f.Answered++
			days = append(days, max(0, e.AnsweredAt.Sub(e.ClockStart).Hours()/24))
		}
		if e.DueAt.IsZero() || (!answered && now.Before(e.DueAt)) {
			continue
		}
		f.Due++
		if answered && !e.AnsweredAt.After(e.DueAt) {
			f.OnTime++
		}
	}
	f.ResponsesPerEngagement = ratio(f.Responses, int64(f.Engagements))
	f.OutcomeShare = ratio(int64(f.Answered), int64(f.Owed))
	f.OnTimeShare = ratio(int64(f.OnTime), int64(f.Due))
	f.MedianDaysToAnswer = median(days)
	return f
}

// median is the middle value, or the mean of the two middle ones.
func median(xs []float64) Ratio {
	if len(xs) == 0 {
		return Ratio{}
	}
	sort.Float64s(xs)
	n := len(xs)
	if n%2 == 1 {
		return Ratio{Value: xs[n/2], Valid: true}
	}
	return Ratio{Value: (xs[n/2-1] + xs[n/2]) / 2, Valid: true}
}

// Representativeness compares respondents' age bands with the population's.
type Representativeness struct {
	Respondents int64 // who gave a band
	Bands       []BandShare
	// Index is 1 − half the sum of |respondent share − population share|
	// (1 − the dissimilarity index): 1 mirrors the population, 0 shares nothing.
	Index float64
}

// BandShare is one age band.
type BandShare struct {
	Band        string
	Respondents int64
	Share       float64 // of respondents who gave a band
	Population  float64 // the baseline's share
	Ratio       Ratio   // Share ÷ Population: under 0.8 under-represented, over 1.25 over
}

// Represent compares counts of respondents by band with the baseline shares.
// Only AgeBands count: "prefer not to say" and unknown keys are left out.
// The baseline is scaled to sum to 1 over AgeBands, so percentages or
// shares that round to 0.99 work as well. Nil when there is no baseline or
// no respondent gave a band.
func Represent(counts map[string]int64, baseline map[string]float64) *Representativeness {
	var people int64
	var base float64
	for _, b := range AgeBands {
		people += max(0, counts[b])
		if v := baseline[b]; v > 0 {
			base += v
		}
	}
	if people == 0 || base == 0 {
		return nil
	}
	if math.Abs(base-1) < 1e-6 {
		base = 1 // shares that sum to 1 are shown as loaded, not rescaled by rounding noise
	}
	r := &Representativeness{Respondents: people}
	var gap float64
	for _, b := range AgeBands {
		n := max(0, counts[b])
		bs := BandShare{Band: b, Respondents: n, Share: float64(n) / float64(people), Population: max(0, baseline[b]) / base}
		if bs.Population > 0 {
			bs.Ratio = Ratio{Value: bs.Share / bs.Population, Valid: true}
		}
		gap += math.Abs(bs.Share - bs.Population)
		r.Bands = append(r.Bands, bs)
	}
	r.Index = max(0, 1-gap/2)
	return r
}

// IndexInput is what the engagement index needs of one organisation.
type IndexInput struct {
	OrgID         int64
	Engagement    EngagementFigures
	DigitalTakeUp Ratio
	Population    int64
}

// The engagement index's components, in the order pages show them.
const (
	ComponentLoop    = "loop"    // closing the loop: OutcomeShare
	ComponentTimes   = "times"   // response times: OnTimeShare
	ComponentReach   = "reach"   // participants per head of population, against ReachTarget
	ComponentDigital = "digital" // digital take-up
)

// Components lists them in order.
var Components = []string{ComponentLoop, ComponentTimes, ComponentReach, ComponentDigital}

// ReachTarget is the participation (participants ÷ population) that scores
// full marks for reach: 5%, a very well-engaged place.
const ReachTarget = 0.05

// Score is one organisation's engagement index.
type Score struct {
	OrgID      int64
	Index      Ratio            // 0–100: the mean of the valid components × 100
	Components map[string]Ratio // each 0–1
	Measured   int              // how many components had data
	Rank       int              // 1 is best; 0: unranked (fewer than MinComponents measured)
}

// MinComponents is how many components an organisation needs to be ranked.
const MinComponents = 2

// Rank scores and ranks organisations, best first; ties share a rank and
// unranked ones come last in input order.
func Rank(in []IndexInput) []Score {
	scores := make([]Score, len(in))
	for i, x := range in {
		scores[i] = score(x)
	}
	sort.SliceStable(scores, func(i, j int) bool {
		a, b := scores[i], scores[j]
		if (a.Rank > 0) != (b.Rank > 0) {
			return a.Rank > 0
		}
		return a.Rank > 0 && roundIndex(a.Index.Value) > roundIndex(b.Index.Value)
	})
	for i := range scores {
		if scores[i].Rank == 0 {
			break
		}
		scores[i].Rank = i + 1
		if i > 0 && roundIndex(scores[i].Index.Value) == roundIndex(scores[i-1].Index.Value) {
			scores[i].Rank = scores[i-1].Rank
		}
	}
	return scores
}

// score works out one organisation's components and index; Rank is 1 when
// it has enough components to be ranked (Rank sets the real one), else 0.
func score(x IndexInput) Score {
	s := Score{OrgID: x.OrgID, Components: map[string]Ratio{
		ComponentLoop:    x.Engagement.OutcomeShare,
		ComponentTimes:   x.Engagement.OnTimeShare,
		ComponentDigital: x.DigitalTakeUp,
	}}
	if x.Population > 0 && x.Engagement.Engagements > 0 {
		reach := float64(x.Engagement.Participants) / float64(x.Population) / ReachTarget
		s.Components[ComponentReach] = Ratio{Value: min(1, reach), Valid: true}
	} else {
		s.Components[ComponentReach] = Ratio{}
	}
	var sum float64
	for _, c := range Components {
		if r := s.Components[c]; r.Valid {
			s.Measured++
			sum += min(1, max(0, r.Value))
		}
	}
	if s.Measured > 0 {
		s.Index = Ratio{Value: sum / float64(s.Measured) * 100, Valid: true}
	}
	if s.Measured >= MinComponents {
		s.Rank = 1
	}
	return s
}

// roundIndex compares indexes to a millionth of a point, so that sums
// worked out in a different order still tie.
func roundIndex(v float64) float64 { return math.Round(v * 1e6) }
