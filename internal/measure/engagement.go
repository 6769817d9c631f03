package measure

import "time"

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
func Engage(es []Engagement, now time.Time) EngagementFigures {
	panic("measure.Engage: not written yet")
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
func Represent(counts map[string]int64, baseline map[string]float64) *Representativeness {
	panic("measure.Represent: not written yet")
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
	panic("measure.Rank: not written yet")
}
