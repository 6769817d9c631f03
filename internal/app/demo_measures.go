package app

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"parley/internal/apperr"
	"parley/internal/consultation"
	"parley/internal/measure"
	"parley/internal/org"
	"parley/internal/outbox"
)

// The demo's measurement data: two years of daily contacts and
// transactions by service and channel for each demo organisation and for
// three councils that only bring measurement data, each with its own pace
// of shift from face to face, phone and post to the web, so that the
// dashboards and the ranking tell a story (two of those councils also run
// a consultation, so they are ranked). North Shire has its own unit
// costs (from its finance team) and sends its records through an ingest
// API dataset; the others keep Socitm's defaults and import theirs.

// demoMeasureOrgs are the organisations with measurement data only.
var demoMeasureOrgs = []org.Organisation{
	{Slug: "harbour-city-council", NameEN: "Harbour City Council", NameCY: "Cyngor Dinas yr Harbwr"},
	{Slug: "west-dale-borough-council", NameEN: "West Dale Borough Council", NameCY: "Cyngor Bwrdeistref Gorllewin Dale"},
	{Slug: "upland-district-council", NameEN: "Upland District Council", NameCY: "Cyngor Dosbarth yr Ucheldir"},
}

// demoService is a service with its daily transactions at the start and
// whether it measures completion and satisfaction.
type demoService struct {
	name     string
	perDay   float64
	journeys bool // started/completed and satisfaction on digital channels
}

// demoShift is an organisation's channel mix at the start and end of the
// two years (shares of transactions; the rest is split as the start had it).
type demoShift struct {
	slug       string
	services   []demoService
	webFrom    float64 // web's share at the start
	webTo      float64 // and at the end
	population int64   // 0: not given (reach not measured)
	api        bool    // records come through an ingest API dataset
}

var demoShifts = []demoShift{
	{slug: "north-shire-council", webFrom: 0.34, webTo: 0.68, population: 612_000, api: true, services: []demoService{
		{"Council tax", 420, true}, {"Parking permits", 130, true}, {"Bulky waste", 70, true}, {"Planning comments", 45, false}}},
	{slug: "department-for-transport-policy", webFrom: 0.52, webTo: 0.71, population: 56_500_000, services: []demoService{
		{"Concessionary travel passes", 900, true}, {"Blue badge appeals", 140, false}, {"Road safety enquiries", 260, false}}},
	{slug: "harbour-city-council", webFrom: 0.55, webTo: 0.84, population: 238_000, services: []demoService{
		{"Council tax", 800, true}, {"Parking permits", 300, true}, {"Missed bins", 220, false}}},
	{slug: "west-dale-borough-council", webFrom: 0.22, webTo: 0.29, population: 96_000, services: []demoService{
		{"Council tax", 150, false}, {"Bulky waste", 40, false}, {"Housing repairs", 90, false}}},
	{slug: "upland-district-council", webFrom: 0.18, webTo: 0.46, population: 61_000, services: []demoService{
		{"Council tax", 110, true}, {"Planning comments", 25, false}}},
}

// demoMix is each channel's share of the non-web transactions at the start;
// face to face, phone and post shrink relative to email and social.
var demoMix = []struct {
	channel string
	share   float64
	shrinks bool
}{
	{measure.Phone, 0.50, true}, {measure.FaceToFace, 0.22, true}, {measure.Post, 0.10, true},
	{measure.Email, 0.10, false}, {measure.Social, 0.03, false}, {measure.Event, 0.05, true},
}

// demoAgeBaseline is a census-like population by age band (16 and over).
var demoAgeBaseline = map[string]float64{"16-24": 0.13, "25-34": 0.17, "35-44": 0.16, "45-54": 0.17, "55-64": 0.15, "65-74": 0.12, "75+": 0.10}

// demoOwnCosts are North Shire's own unit costs, in pence per contact.
var demoOwnCosts = map[string]int64{measure.FaceToFace: 1040, measure.Phone: 395, measure.Web: 21, measure.Email: 160, measure.Post: 610}

const demoCostSource = "North Shire finance team, activity-based costing 2025/26"

// seedMeasures adds the measurement demo. It runs after the other seeds so
// that collecting Parley's own activity finds their engagements.
func (a *App) seedMeasures(ctx context.Context) error {
	for _, o := range demoMeasureOrgs {
		if _, err := a.Store.CreateOrg(ctx, o, 0); err != nil && !apperr.Is(err, apperr.Conflict) {
			return err
		}
	}
	end := measure.DayOf(time.Now()).Time().AddDate(0, 0, -1) // yesterday: whole days only
	start := end.AddDate(-2, 0, 1)
	for i, sh := range demoShifts {
		o, err := a.Store.OrgBySlug(ctx, sh.slug)
		if err != nil {
			return err
		}
		set := measure.Settings{OrgID: o.ID, Public: true, Population: sh.population,
			Baseline: demoAgeBaseline, BaselineSource: "Census 2021 (ONS), usual residents aged 16 and over, rounded"}
		if err := a.Store.SetMeasureSettings(ctx, set, 0); err != nil {
			return fmt.Errorf("%s settings: %w", sh.slug, err)
		}
		rs := demoRecords(o.ID, sh, start, end, rand.New(rand.NewPCG(uint64(i+1), 2026)))
		if sh.api {
			if err := a.seedOwnCosts(ctx, o.ID); err != nil {
				return err
			}
			if err := a.ingestDemo(ctx, o.ID, rs); err != nil {
				return fmt.Errorf("%s records: %w", sh.slug, err)
			}
			continue
		}
		if _, err := a.Store.ImportRecords(ctx, o.ID, rs, 0); err != nil {
			return fmt.Errorf("%s records: %w", sh.slug, err)
		}
	}
	if err := a.seedMeasureEngagements(ctx); err != nil {
		return err
	}
	// Parley's own activity, now rather than at the job's first run.
	_, err := a.Store.CollectActivity(ctx)
	return err
}

// seedMeasureEngagements gives two of the measurement-only councils an
// engagement each, so the ranking has a leader and a laggard: Harbour City
// consulted and published what it did; West Dale consulted and has not
// answered. Upland runs nothing on Parley and stays unranked.
func (a *App) seedMeasureEngagements(ctx context.Context) error {
	harbour, err := a.Store.OrgBySlug(ctx, "harbour-city-council")
	if err != nil {
		return err
	}
	westDale, err := a.Store.OrgBySlug(ctx, "west-dale-borough-council")
	if err != nil {
		return err
	}
	c, err := a.seedDemoConsultation(ctx, harbour.ID, parkConsultation, 140)
	if err != nil {
		return fmt.Errorf("harbour consultation: %w", err)
	}
	if err := a.Store.SetConsultationStatus(ctx, c.ID, consultation.Closed, 0); err != nil {
		return err
	}
	result := consultation.Result{
		SummaryEN:  "We received 140 responses, most of them online. People want the paths lit and the play area made bigger.",
		SummaryCY:  "Cawsom 140 o ymatebion, y rhan fwyaf ar-lein. Mae pobl eisiau goleuo'r llwybrau a gwneud yr ardal chwarae'n fwy.",
		DecisionEN: "We will light the main paths this winter and enlarge the play area in the spring.",
		DecisionCY: "Byddwn yn goleuo'r prif lwybrau'r gaeaf hwn ac yn ehangu'r ardal chwarae yn y gwanwyn.",
	}
	ev := outbox.Event{TargetKind: "consultation", TargetID: c.ID, Subject: "Outcome: " + c.TitleEN,
		Body: result.DecisionEN, URL: fmt.Sprintf("/consultations/%d", c.ID)}
	if err := a.Store.PublishOutcome(ctx, c.ID, result, ev, 0); err != nil {
		return fmt.Errorf("harbour outcome: %w", err)
	}
	c, err = a.seedDemoConsultation(ctx, westDale.ID, parkConsultation, 60)
	if err != nil {
		return fmt.Errorf("west dale consultation: %w", err)
	}
	return a.Store.SetConsultationStatus(ctx, c.ID, consultation.Closed, 0)
}

// seedOwnCosts gives North Shire its own unit costs: last year's from the
// start, and a face-to-face cost that rose this April.
func (a *App) seedOwnCosts(ctx context.Context, orgID int64) error {
	for ch, p := range demoOwnCosts {
		if err := a.Store.SetUnitCost(ctx, measure.UnitCost{OrgID: orgID, Channel: ch, Pence: p, Source: demoCostSource}, 0); err != nil {
			return fmt.Errorf("unit cost %s: %w", ch, err)
		}
	}
	april := measure.Month(time.Now().Year()*100 + 4)
	return a.Store.SetUnitCost(ctx, measure.UnitCost{OrgID: orgID, Channel: measure.FaceToFace, From: april, Pence: 1095,
		Source: demoCostSource + " (revised April)"}, 0)
}

// ingestDemo sends records through an API dataset, as an organisation's
// contact-centre system would, in batches of the largest size.
func (a *App) ingestDemo(ctx context.Context, orgID int64, rs []measure.Record) error {
	_, ds, err := a.Store.CreateDataset(ctx, measure.Dataset{OrgID: orgID, Name: "Contact centre feed", Kind: measure.KindAPI}, 0)
	if err != nil {
		return err
	}
	for i := 0; i < len(rs); i += measure.MaxBatch {
		b := rs[i:min(i+measure.MaxBatch, len(rs))]
		for j := range b {
			b[j].DatasetID = ds.ID
		}
		if _, err := a.Store.IngestRecords(ctx, ds.ID, b); err != nil {
			return err
		}
	}
	return nil
}

// demoRecords makes one record per service, channel and day from start to
// end: the web's share moves from webFrom to webTo along an S-curve, the
// shrinking channels give way, weekends are quiet and face to face is shut
// on Sundays.
func demoRecords(orgID int64, sh demoShift, start, end time.Time, rng *rand.Rand) []measure.Record {
	total := end.Sub(start).Hours()/24 + 1
	var rs []measure.Record
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		frac := d.Sub(start).Hours() / 24 / total
		s := 1 / (1 + math.Exp(-8*(frac-0.5))) // S-curve from ~0 to ~1
		web := sh.webFrom + (sh.webTo-sh.webFrom)*s
		// Shrinking channels lose what the web gains; email and social keep
		// their share of the whole.
		var keep, shrink float64
		for _, m := range demoMix {
			if m.shrinks {
				shrink += m.share
			} else {
				keep += m.share
			}
		}
		rest := 1 - sh.webFrom
		weekday := 1.0
		switch d.Weekday() {
		case time.Saturday:
			weekday = 0.45
		case time.Sunday:
			weekday = 0.3
		}
		seasonal := 1 + 0.15*math.Sin(2*math.Pi*float64(d.YearDay())/365) // council tax bills in spring
		for _, svc := range sh.services {
			volume := svc.perDay * weekday * seasonal * (1 + 0.08*frac) // demand grows a little
			shares := map[string]float64{measure.Web: web}
			for _, m := range demoMix {
				share := m.share * rest
				if m.shrinks {
					// The shrinking channels share what is left after the
					// web and the steady ones.
					share = m.share / shrink * (1 - web - keep*rest)
				}
				shares[m.channel] = math.Max(share, 0)
			}
			if d.Weekday() == time.Sunday {
				shares[measure.FaceToFace], shares[measure.Event] = 0, 0
			}
			for _, ch := range measure.Builtin {
				tx := int64(math.Round(volume * shares[ch.Key] * (0.85 + 0.3*rng.Float64())))
				if tx == 0 {
					continue
				}
				r := measure.Record{OrgID: orgID, Service: svc.name, Channel: ch.Key, Day: measure.DayOf(d),
					ExtID: fmt.Sprintf("%s/%s/%s", svc.name, ch.Key, measure.DayOf(d).Key()), Transactions: tx}
				// Phone and face to face carry failure demand: chasing calls
				// and visits that complete nothing.
				switch ch.Key {
				case measure.Phone:
					r.Contacts = tx + tx*35/100
				case measure.FaceToFace:
					r.Contacts = tx + tx/5
				default:
					r.Contacts = tx + tx/20
				}
				if svc.journeys && ch.Digital {
					completion := 0.68 + 0.17*s // the forms got better
					r.Started = int64(math.Round(float64(tx) / completion))
					r.Completed = tx
					r.Rated = tx / 8
					r.Satisfied = int64(math.Round(float64(r.Rated) * (0.74 + 0.1*s)))
				}
				rs = append(rs, r)
			}
		}
	}
	return rs
}
