package web

import (
	"math"
	"net/http"
	"strconv"

	"parley/internal/apperr"
	"parley/internal/conversation"
	"parley/internal/org"
)

// OpinionPage shows the opinion groups of a conversation: the map and its
// text alternative (map page), with the organisation's response (report).
type OpinionPage struct {
	Base
	Org      OrgItem
	C        ConversationItem
	Counts   conversation.Counts
	Response []string // the organisation's response, by paragraph (report only)
	Map      *MapView // nil before the first run of the math
	Days     []DayRow // participation over time (report only)
	DayBars  []Bar
	ByMonth  bool
}

// MapView is the opinion map and what it shows, in words and tables.
type MapView struct {
	Participants, Clustered, Votes int
	ComputedAt                     string
	Dots                           []Dot // a sample of participants
	Groups                         []GroupView
	You                            *Dot // the viewer's own place, when they have one
	YouGroup                       string
	Consensus                      []StatementRow
	Width, Height                  int
}

// Dot is a point on the map, in SVG units.
type Dot struct {
	X, Y  int
	Group int
}

// GroupView is one opinion group with what sets it apart.
type GroupView struct {
	ID             int
	Label          string
	Size           int
	Percent        int
	X, Y           int // where its label sits on the map
	Representative []StatementRow
}

// StatementRow is a statement with how a group (and everyone else) voted.
type StatementRow struct {
	Text     string
	Agree    bool
	Share    int // percent
	Other    int // percent of everyone else
	HasOther bool
}

// DayRow is the number of votes in one day or month.
type DayRow struct {
	Period string
	Votes  int
}

// Bar is one bar of the participation chart, in SVG units.
type Bar struct {
	X, Y, W, H int
	Label      string
}

const (
	mapWidth, mapHeight = 640, 400
	mapPad              = 36
	maxDots             = 300 // keeps the page small however many take part
)

func (s *Server) conversationMap(w http.ResponseWriter, r *http.Request) error {
	c, o, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	page, err := s.opinionPage(r, c, o, "conversation.map.title")
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "conversation-map", page)
}

func (s *Server) conversationReport(w http.ResponseWriter, r *http.Request) error {
	c, o, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	if c.Status != conversation.Reported {
		return apperr.New(apperr.NotFound, "error.conversation.no_report")
	}
	page, err := s.opinionPage(r, c, o, "conversation.report.title")
	if err != nil {
		return err
	}
	page.Response = paragraphs(c.Response)
	days, err := s.Store.VotesPerDay(r.Context(), c.ID)
	if err != nil {
		return err
	}
	page.Days, page.ByMonth = byPeriod(days)
	page.DayBars = bars(page.Days)
	return s.render(w, r, http.StatusOK, "conversation-report", page)
}

func (s *Server) opinionPage(r *http.Request, c conversation.Conversation, o org.Organisation, title string) (OpinionPage, error) {
	lang := langOf(r)
	page := OpinionPage{Base: s.orgBase(r, title, o), Org: OrgItem{Slug: o.Slug, Name: o.Name(lang)}, C: conversationItem(c, lang)}
	page.Title = page.T(title) + ": " + page.C.Title
	var err error
	if page.Counts, err = s.Store.ConversationCounts(r.Context(), c.ID); err != nil {
		return page, err
	}
	res, err := s.results(r, c.ID)
	if apperr.Is(err, apperr.NotFound) {
		return page, nil
	}
	if err != nil {
		return page, err
	}
	statements, err := s.Store.Statements(r.Context(), c.ID, "")
	if err != nil {
		return page, err
	}
	text := make(map[int64]string, len(statements))
	for _, st := range statements {
		if st.Status == conversation.Approved {
			text[st.ID] = st.Text
		}
	}
	var you int64
	if who, ok := participantOf(r, c); ok {
		if you, err = s.Store.ParticipantID(r.Context(), c.ID, who); err != nil {
			return page, err
		}
	}
	page.Map = mapView(res, text, you)
	return page, nil
}

// mapView lays the results out for the map: coordinates scaled into the
// SVG's box, a deterministic sample of participants, and the tables.
func mapView(res *conversation.Results, text map[int64]string, you int64) *MapView {
	v := &MapView{Participants: res.Participants, Clustered: res.Clustered, Votes: res.Votes,
		ComputedAt: res.ComputedAt.UTC().Format("2 January 2006 15:04 MST"), Width: mapWidth, Height: mapHeight}
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, p := range res.Placements {
		if p.Group < 0 {
			continue
		}
		minX, maxX, minY, maxY = math.Min(minX, p.X), math.Max(maxX, p.X), math.Min(minY, p.Y), math.Max(maxY, p.Y)
	}
	if math.IsInf(minX, 0) {
		minX, maxX, minY, maxY = -1, 1, -1, 1
	}
	scale := func(x, y float64) (int, int) {
		sx := (x - minX) / math.Max(maxX-minX, 1e-9)
		sy := (y - minY) / math.Max(maxY-minY, 1e-9)
		return mapPad + int(sx*float64(mapWidth-2*mapPad)), mapPad + int(sy*float64(mapHeight-2*mapPad))
	}
	step := max(1, res.Clustered/maxDots)
	n := 0
	for _, p := range res.Placements {
		if p.Group < 0 {
			continue
		}
		if n%step == 0 {
			x, y := scale(p.X, p.Y)
			v.Dots = append(v.Dots, Dot{X: x, Y: y, Group: p.Group})
		}
		n++
		if p.ParticipantID == you {
			x, y := scale(p.X, p.Y)
			v.You = &Dot{X: x, Y: y, Group: p.Group}
			v.YouGroup = conversation.GroupLabel(p.Group)
		}
	}
	for _, g := range res.Groups {
		x, y := scale(g.X, g.Y)
		gv := GroupView{ID: g.ID, Label: g.Label(), Size: g.Size, X: x, Y: y}
		if res.Clustered > 0 {
			gv.Percent = int(math.Round(100 * float64(g.Size) / float64(res.Clustered)))
		}
		for _, sc := range g.Representative {
			if t, ok := text[sc.StatementID]; ok {
				gv.Representative = append(gv.Representative, statementRow(t, sc, true))
			}
		}
		v.Groups = append(v.Groups, gv)
	}
	for _, sc := range res.Consensus {
		if t, ok := text[sc.StatementID]; ok && len(v.Consensus) < 10 {
			v.Consensus = append(v.Consensus, statementRow(t, sc, false))
		}
	}
	return v
}

func statementRow(text string, sc conversation.Scored, other bool) StatementRow {
	return StatementRow{Text: text, Agree: sc.Direction == conversation.Agree, Share: percent(sc.Share),
		Other: percent(sc.OtherShare), HasOther: other}
}

func percent(f float64) int { return int(math.Round(100 * f)) }

// byPeriod groups vote counts by month when there are too many days to
// read as a list.
func byPeriod(days []conversation.DayCount) ([]DayRow, bool) {
	if len(days) <= 31 {
		out := make([]DayRow, len(days))
		for i, d := range days {
			out[i] = DayRow{Period: d.Day, Votes: d.Votes}
		}
		return out, false
	}
	var out []DayRow
	for _, d := range days {
		m := d.Day[:min(7, len(d.Day))]
		if len(out) > 0 && out[len(out)-1].Period == m {
			out[len(out)-1].Votes += d.Votes
			continue
		}
		out = append(out, DayRow{Period: m, Votes: d.Votes})
	}
	return out, true
}

// bars draws the participation chart: one bar per row, scaled to the busiest.
func bars(rows []DayRow) []Bar {
	const width, height, gap = 640, 160, 2
	if len(rows) == 0 {
		return nil
	}
	most := 1
	for _, r := range rows {
		most = max(most, r.Votes)
	}
	w := max(2, width/len(rows)-gap)
	out := make([]Bar, len(rows))
	for i, r := range rows {
		h := max(1, r.Votes*height/most)
		out[i] = Bar{X: i * (w + gap), Y: height - h, W: w, H: h, Label: r.Period + ": " + strconv.Itoa(r.Votes)}
	}
	return out
}
