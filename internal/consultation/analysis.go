package consultation

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"parley/internal/apperr"
	"parley/internal/jobs"
	"parley/internal/textsim"
)

// Filter narrows the responses an analysis counts.
type Filter struct {
	Channel    string     // "" for every channel
	Respondent Respondent // "" for individuals and organisations
}

// Match reports whether the response passes the filter.
func (f Filter) Match(r Response) bool {
	return (f.Channel == "" || r.Channel == f.Channel) && (f.Respondent == "" || r.Respondent == f.Respondent)
}

// Figures are the counts of an analysis.
type Figures struct {
	Responses  int
	ByChannel  []Count // every channel with at least one response, in Channels order
	ByKind     []Count // individuals, organisations
	Questions  []QuestionFigure
	FirstAt    time.Time
	LastAt     time.Time
	FreeTexted int // responses with some free text
}

// Count is a number with its share of the whole, in percent (one decimal).
type Count struct {
	Key     string
	Label   string // set by the caller in the reader's language
	Count   int
	Percent float64
}

// QuestionFigure counts the answers to one question.
type QuestionFigure struct {
	Question Question
	Answered int
	Options  []Count // choice and scale questions: one per option, in order
	// Mean is a scale question's mean position (1-based), NaN-free: 0 when
	// no one answered.
	Mean float64
}

// Analyse counts the submitted responses that pass the filter.
func Analyse(qs []Question, rs []Response, f Filter) Figures {
	var out Figures
	channels := map[string]int{}
	kinds := map[Respondent]int{}
	qf := make([]QuestionFigure, len(qs))
	index := map[int64]int{}
	for i, q := range qs {
		qf[i] = QuestionFigure{Question: q, Options: make([]Count, len(q.Options))}
		for j, o := range q.Options {
			qf[i].Options[j] = Count{Key: strconv.Itoa(j), Label: o.EN}
		}
		index[q.ID] = i
	}
	sums := make([]float64, len(qs))
	for _, r := range rs {
		if r.Status != Submitted || !f.Match(r) {
			continue
		}
		out.Responses++
		channels[r.Channel]++
		kinds[r.Respondent]++
		at := r.ReceivedAt
		if at.IsZero() {
			at = r.SubmittedAt
		}
		if out.FirstAt.IsZero() || at.Before(out.FirstAt) {
			out.FirstAt = at
		}
		if at.After(out.LastAt) {
			out.LastAt = at
		}
		texted := false
		for _, a := range r.Answers {
			i, ok := index[a.QuestionID]
			if !ok || a.Empty() {
				continue
			}
			qf[i].Answered++
			if qs[i].Kind == FreeText {
				texted = true
			}
			for _, c := range a.Choices {
				if c >= 0 && c < len(qf[i].Options) {
					qf[i].Options[c].Count++
					sums[i] += float64(c + 1)
				}
			}
		}
		if texted {
			out.FreeTexted++
		}
	}
	for i := range qf {
		for j := range qf[i].Options {
			qf[i].Options[j].Percent = percent(qf[i].Options[j].Count, qf[i].Answered)
		}
		if qs[i].Kind == Scale && qf[i].Answered > 0 {
			qf[i].Mean = math.Round(sums[i]/float64(qf[i].Answered)*100) / 100
		}
	}
	out.Questions = qf
	for _, c := range Channels {
		if n := channels[c]; n > 0 {
			out.ByChannel = append(out.ByChannel, Count{Key: c, Count: n, Percent: percent(n, out.Responses)})
		}
	}
	for _, k := range []Respondent{Individual, Organisation} {
		if n := kinds[k]; n > 0 {
			out.ByKind = append(out.ByKind, Count{Key: string(k), Count: n, Percent: percent(n, out.Responses)})
		}
	}
	return out
}

func percent(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return math.Round(float64(n)*1000/float64(of)) / 10
}

// Campaign is a cluster of form-letter responses: one template, sent by
// many, each perhaps with words of their own.
type Campaign struct {
	Size     int
	Template string
	// TemplateID is the response closest to the template.
	TemplateID int64
	Members    []CampaignMember
	// Added counts the members that added words of their own.
	Added int
}

// CampaignMember is one response of a campaign and what it added.
type CampaignMember struct {
	ResponseID int64
	Added      string // the response's words beyond the template ("" if none)
}

// Campaigns finds the form-letter clusters among the submitted responses'
// free text, largest first.
func Campaigns(qs []Question, rs []Response) []Campaign {
	docs := freeTextDocs(qs, rs)
	clusters := textsim.Campaigns(docs, textsim.Options{})
	out := make([]Campaign, len(clusters))
	for i, c := range clusters {
		k := Campaign{Size: c.Size, Template: c.Template, TemplateID: parseID(c.TemplateID)}
		for _, m := range c.Members {
			added := c.Added[m]
			if added != "" {
				k.Added++
			}
			k.Members = append(k.Members, CampaignMember{ResponseID: parseID(m), Added: added})
		}
		out[i] = k
	}
	return out
}

// CandidateThemes proposes themes from the submitted responses' free text,
// for analysts to accept, rename, merge or split. The seed makes the
// proposal repeatable.
func CandidateThemes(qs []Question, rs []Response, seed uint64) []Candidate {
	return candidates(freeTextDocs(qs, rs), textsim.ThemeOptions{Seed: seed})
}

// SplitTheme proposes two themes from the responses of one theme.
func SplitTheme(qs []Question, rs []Response, seed uint64) []Candidate {
	return candidates(freeTextDocs(qs, rs), textsim.ThemeOptions{Seed: seed, K: 2, MinSize: 1, Merge: 0.99})
}

func candidates(docs []textsim.Doc, opt textsim.ThemeOptions) []Candidate {
	if len(docs) < 2 {
		return nil
	}
	themes := textsim.Themes(docs, opt)
	out := make([]Candidate, len(themes))
	for i, t := range themes {
		c := Candidate{Label: t.Label}
		for _, m := range t.Members {
			c.Members = append(c.Members, parseID(m))
		}
		for _, q := range t.Quotes {
			c.Quotes = append(c.Quotes, Quote{ResponseID: parseID(q.ID), Text: q.Sentence})
		}
		out[i] = c
	}
	return out
}

func freeTextDocs(qs []Question, rs []Response) []textsim.Doc {
	docs := make([]textsim.Doc, 0, len(rs))
	for _, r := range rs {
		if r.Status != Submitted {
			continue
		}
		if t := r.FreeText(qs); t != "" {
			docs = append(docs, textsim.Doc{ID: strconv.FormatInt(r.ID, 10), Text: t})
		}
	}
	return docs
}

func parseID(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// Candidate is a proposed theme, not yet accepted.
type Candidate struct {
	Label   string
	Members []int64 // response IDs
	Quotes  []Quote
}

// Quote is a sentence from a response, linking back to it.
type Quote struct {
	ResponseID int64
	Text       string
}

// Theme is a theme analysts have accepted: a name, and the responses they
// assigned to it.
type Theme struct {
	ID             int64
	ConsultationID int64
	Name           string
	Description    string
	Count          int     // responses assigned
	Quotes         []Quote // a few assigned responses' words, for the outcome and the analysis page
	CreatedAt      time.Time
}

// MaxThemeName limits a theme's name.
const MaxThemeName = 120

// CleanThemeName trims a theme's name and checks it.
func CleanThemeName(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	var f apperr.Fields
	f.Check(s != "", "name", "error.theme.name.required")
	f.Check(utf8.RuneCountInString(s) <= MaxThemeName, "name", "error.theme.name.too_long")
	return s, f.Err()
}

// Job kinds of the consultation capability.
const (
	// ScheduleKind runs every minute: opens scheduled drafts whose opening
	// time has come and closes open consultations whose closing time has
	// passed.
	ScheduleKind = "consult.schedule"
	// OutcomeKind emails everyone who asked to hear back when the outcome
	// is published (followers hear through the event fan-out).
	OutcomeKind = "consult.outcome"
)

// OutcomeArgs name a consultation in a job's payload: IDs, never personal data.
type OutcomeArgs struct {
	ConsultationID int64 `json:"consultation_id"`
}

// OutcomeJob is the job that tells respondents and followers of the outcome.
func OutcomeJob(consultationID int64, now time.Time) jobs.New {
	return jobs.New{Kind: OutcomeKind, Payload: OutcomeArgs{ConsultationID: consultationID},
		Key: OutcomeKind + ":" + strconv.FormatInt(consultationID, 10), RunAt: now}
}

// ThemePart is one theme a theme is split into.
type ThemePart struct {
	Name    string
	Members []int64
}
