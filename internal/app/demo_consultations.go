package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"parley/internal/consultation"
	"parley/internal/measure"
	"parley/internal/outbox"
)

// seedConsultations adds the demo's consultations: one open for responses,
// one closed and in analysis with a few hundred responses from every
// channel (a form-letter campaign among them), and one with its outcome
// published.
func (a *App) seedConsultations(ctx context.Context) error {
	dept, err := a.Store.OrgBySlug(ctx, DemoOrgs[0].Slug)
	if err != nil {
		return err
	}
	council, err := a.Store.OrgBySlug(ctx, DemoOrgs[1].Slug)
	if err != nil {
		return err
	}
	if _, err := a.seedOpenConsultation(ctx, council.ID); err != nil {
		return fmt.Errorf("open consultation: %w", err)
	}
	fares, err := a.seedDemoConsultation(ctx, dept.ID, faresConsultation, 420)
	if err != nil {
		return fmt.Errorf("closed consultation: %w", err)
	}
	if err := a.Store.SetConsultationStatus(ctx, fares.ID, consultation.Closed, 0); err != nil {
		return err
	}
	park, err := a.seedDemoConsultation(ctx, council.ID, parkConsultation, 160)
	if err != nil {
		return fmt.Errorf("outcome consultation: %w", err)
	}
	if err := a.Store.SetConsultationStatus(ctx, park.ID, consultation.Closed, 0); err != nil {
		return err
	}
	themes := []string{"Lighting and safety", "Play area"}
	var items []consultation.YouSaid
	for i, name := range themes {
		t, err := a.Store.CreateTheme(ctx, consultation.Theme{ConsultationID: park.ID, Name: name}, nil, 0)
		if err != nil {
			return err
		}
		items = append(items, consultation.YouSaid{ThemeID: t.ID, SaidEN: parkSaid[i][0], DidEN: parkSaid[i][1], SaidCY: parkSaid[i][2], DidCY: parkSaid[i][3]})
	}
	result := consultation.Result{
		SummaryEN:  "We received 160 responses: most online, and others by post, by phone and at two drop-in events in the park. Most people want better lighting on the paths and a bigger play area; many asked us to keep the open grass.",
		SummaryCY:  "Cawsom 160 o ymatebion: y rhan fwyaf ar-lein, ac eraill drwy'r post, dros y ffôn ac mewn dau ddigwyddiad galw heibio yn y parc. Mae'r rhan fwyaf eisiau goleuadau gwell ar y llwybrau ac ardal chwarae fwy; gofynnodd llawer i ni gadw'r glaswellt agored.",
		DecisionEN: "The council will light the main paths this winter and double the play area next spring. The open grass by the river stays as it is.",
		DecisionCY: "Bydd y cyngor yn goleuo'r prif lwybrau'r gaeaf hwn ac yn dyblu'r ardal chwarae y gwanwyn nesaf. Bydd y glaswellt agored wrth yr afon yn aros fel y mae.",
		Items:      items,
	}
	ev := outbox.Event{TargetKind: "consultation", TargetID: park.ID, Subject: "Outcome: " + park.TitleEN,
		Body: result.DecisionEN, URL: fmt.Sprintf("/consultations/%d", park.ID)}
	return a.Store.PublishOutcome(ctx, park.ID, result, ev, 0)
}

var parkSaid = [][4]string{
	{"The paths are too dark to use safely after 4pm in winter.", "We will put low-glare lights along the two main paths by December.",
		"Mae'r llwybrau'n rhy dywyll i'w defnyddio'n ddiogel ar ôl 4pm yn y gaeaf.", "Byddwn yn gosod goleuadau isel ar hyd y ddau brif lwybr erbyn mis Rhagfyr."},
	{"The play area is too small for the number of families who use it.", "We will double its size and add equipment for children with disabilities.",
		"Mae'r ardal chwarae'n rhy fach i'r nifer o deuluoedd sy'n ei defnyddio.", "Byddwn yn dyblu ei maint ac yn ychwanegu offer i blant ag anableddau."},
}

// demoConsultation is the text of a demo consultation and the words its
// generated respondents choose from.
type demoConsultation struct {
	c         consultation.Consultation
	questions []consultation.Question
	// sentences are templates of what respondents write; each {slot} is
	// filled from demoSlots. Fixed words between slots run to three at
	// most, so two independent answers rarely share a four-word shingle
	// and campaign detection sees them as the separate answers they are.
	sentences []string
	letter    string   // the campaign's form letter ("" for none)
	additions []string // what some campaigners add
}

func (a *App) seedOpenConsultation(ctx context.Context, orgID int64) (consultation.Consultation, error) {
	c, err := a.createDemoConsultation(ctx, orgID, libraryConsultation)
	if err != nil {
		return c, err
	}
	if err := a.addDemoDocument(ctx, c.ID, "Proposed opening hours (PDF)"); err != nil {
		return c, err
	}
	if err := a.Store.SetConsultationStatus(ctx, c.ID, consultation.Open, 0); err != nil {
		return c, err
	}
	return c, nil
}

func (a *App) createDemoConsultation(ctx context.Context, orgID int64, d demoConsultation) (consultation.Consultation, error) {
	c := d.c
	c.OrgID = orgID
	c, err := a.Store.CreateConsultation(ctx, c, 0)
	if err != nil {
		return c, err
	}
	for _, q := range d.questions {
		q.ConsultationID = c.ID
		if _, err := a.Store.AddQuestion(ctx, q, 0); err != nil {
			return c, err
		}
	}
	return c, nil
}

// seedDemoConsultation creates and opens a consultation and adds n
// generated responses across the channels, with a form-letter campaign
// making up about a sixth of them.
func (a *App) seedDemoConsultation(ctx context.Context, orgID int64, d demoConsultation, n int) (consultation.Consultation, error) {
	c, err := a.createDemoConsultation(ctx, orgID, d)
	if err != nil {
		return c, err
	}
	if err := a.Store.SetConsultationStatus(ctx, c.ID, consultation.Open, 0); err != nil {
		return c, err
	}
	qs, err := a.Store.Questions(ctx, c.ID)
	if err != nil {
		return c, err
	}
	rng := rand.New(rand.NewPCG(uint64(orgID), uint64(n)))
	now := time.Now().UTC()
	channels := []string{consultation.ChannelWeb, consultation.ChannelWeb, consultation.ChannelWeb, consultation.ChannelWeb,
		consultation.ChannelEmail, consultation.ChannelPost, consultation.ChannelPost, consultation.ChannelPhone,
		consultation.ChannelFaceToFace, consultation.ChannelEvent}
	rs := make([]consultation.Response, 0, n)
	// Age bands come from their own generator, so the rest of the demo
	// stays as it was.
	ages := rand.New(rand.NewPCG(uint64(orgID)+7, uint64(n)))
	for i := range n {
		r := consultation.Response{Status: consultation.Submitted, Channel: channels[rng.IntN(len(channels))],
			Respondent: consultation.Individual, Consent: consultation.PublishNot,
			ReceivedAt: now.Add(-time.Duration(rng.IntN(40*24)) * time.Hour), AgeBand: demoAgeBand(ages)}
		switch {
		case i%9 == 0:
			r.Consent = consultation.PublishAnonymous
		case i%13 == 0:
			r.Consent, r.Name = consultation.PublishNamed, demoNames[rng.IntN(len(demoNames))]
		}
		if i%25 == 0 {
			r.Respondent, r.OrgName = consultation.Organisation, demoGroups[rng.IntN(len(demoGroups))]
			r.Consent = consultation.PublishNamed
		}
		campaign := d.letter != "" && i%6 == 0
		if campaign {
			r.Channel = consultation.ChannelEmail
		}
		for _, q := range qs {
			a := consultation.Answer{QuestionID: q.ID}
			switch q.Kind {
			case consultation.FreeText:
				if campaign {
					a.Text = editLetter(rng, d.letter)
					if rng.IntN(3) == 0 {
						a.Text += " " + d.additions[rng.IntN(len(d.additions))]
					}
				} else if q.Required || rng.IntN(10) < 8 {
					a.Text = demoAnswer(rng, d.sentences, 2+rng.IntN(2))
				}
			case consultation.Multiple:
				for j := range q.Options {
					if rng.IntN(3) == 0 {
						a.Choices = append(a.Choices, j)
					}
				}
				if q.Required && len(a.Choices) == 0 {
					a.Choices = []int{rng.IntN(len(q.Options))}
				}
			default:
				// Lean towards the upper half, as support usually does.
				k := len(q.Options)
				j := rng.IntN(k)
				if rng.IntN(3) > 0 {
					j = k/2 + rng.IntN(k-k/2)
				}
				if campaign {
					j = 0
				}
				a.Choices = []int{j}
			}
			if !a.Empty() {
				r.Answers = append(r.Answers, a)
			}
		}
		if r.Channel == consultation.ChannelWeb {
			r.SubmittedAt = r.ReceivedAt
		}
		rs = append(rs, r)
	}
	if _, err := a.Store.ImportResponses(ctx, c.ID, rs, 0); err != nil {
		return c, err
	}
	return c, nil
}

// editLetter makes the small changes people make to a form letter: a
// word dropped or a greeting changed.
func editLetter(rng *rand.Rand, letter string) string {
	words := strings.Fields(letter)
	if rng.IntN(2) == 0 && len(words) > 20 {
		i := 5 + rng.IntN(len(words)-10)
		words = append(words[:i], words[i+1:]...)
	}
	greetings := []string{"Dear Sir or Madam,", "To whom it may concern,", "Dear Minister,"}
	return greetings[rng.IntN(len(greetings))] + " " + strings.Join(words, " ")
}

var demoNames = []string{"Aled Jones", "Priya Shah", "Tom Evans", "Grace Okafor", "Siân Morgan", "Daniel Kowalski"}
var demoGroups = []string{"North Shire Cycling Club", "Riverside Residents' Association", "Chamber of Commerce", "Youth Forum"}

// addDemoDocument writes a small PDF into the document directory and
// attaches it.
func (a *App) addDemoDocument(ctx context.Context, consultationID int64, title string) error {
	dir := filepath.Join(a.Config.DataDir, "documents")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	name := fmt.Sprintf("demo-%d.pdf", consultationID)
	body := demoPDF(title)
	if err := os.WriteFile(filepath.Join(dir, name), body, 0o640); err != nil {
		return err
	}
	_, err := a.Store.AddDocument(ctx, consultation.Document{ConsultationID: consultationID, Title: title,
		FileName: "proposed-opening-hours.pdf", ContentType: "application/pdf", Size: int64(len(body)), Path: name}, 0)
	return err
}

// demoPDF is a one-page PDF with a line of text, built by hand so the demo
// needs no files beside the binary.
func demoPDF(text string) []byte {
	stream := fmt.Sprintf("BT /F1 18 Tf 72 720 Td (%s) Tj ET", strings.NewReplacer("(", "", ")", "", `\`, "").Replace(text))
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return []byte(b.String())
}

var agreeScale = consultation.DefaultScale

var libraryConsultation = demoConsultation{
	c: consultation.Consultation{
		TitleEN:   "Library opening hours",
		TitleCY:   "Oriau agor llyfrgelloedd",
		SummaryEN: "We propose to open our libraries later on weekday evenings and on Sunday afternoons, and to close them on Monday mornings. Tell us what you think.",
		SummaryCY: "Rydym yn cynnig agor ein llyfrgelloedd yn hwyrach ar nosweithiau'r wythnos ac ar brynhawniau Sul, a'u cau ar foreau Llun. Dywedwch wrthym beth yw eich barn.",
		BodyEN: "## What we propose\n\nOur eight libraries open from 9am to 5pm, Monday to Saturday. Visits after 4pm have doubled since 2022, and many people have asked for Sunday opening.\n\n" +
			"We propose to:\n\n- open until **8pm** on Tuesdays and Thursdays\n- open from **1pm to 5pm** on Sundays\n- close on **Monday mornings** to pay for it\n\n" +
			"## Why we are asking\n\nThe change costs nothing extra, but it moves hours that some people rely on. Read the [proposed hours](#documents) and answer the questions below.",
		BodyCY: "## Beth rydym yn ei gynnig\n\nMae ein wyth llyfrgell ar agor o 9am tan 5pm, dydd Llun i ddydd Sadwrn. Mae ymweliadau ar ôl 4pm wedi dyblu ers 2022, ac mae llawer wedi gofyn am agor ar y Sul.\n\n" +
			"Rydym yn cynnig:\n\n- agor tan **8pm** ar ddydd Mawrth a dydd Iau\n- agor o **1pm tan 5pm** ar y Sul\n- cau ar **foreau Llun** i dalu amdano",
		Layout:   consultation.OnePerPage,
		ClosesAt: time.Now().UTC().AddDate(0, 0, 30).Truncate(24 * time.Hour),
	},
	questions: []consultation.Question{
		{Kind: consultation.Scale, TextEN: "How far do you agree with opening later on weekday evenings?", TextCY: "I ba raddau ydych chi'n cytuno ag agor yn hwyrach ar nosweithiau'r wythnos?", Required: true, Options: agreeScale},
		{Kind: consultation.Single, TextEN: "Would you use a library on Sunday afternoons?", TextCY: "A fyddech chi'n defnyddio llyfrgell ar brynhawniau Sul?", Required: true,
			Options: []consultation.Option{{EN: "Yes, most weeks", CY: "Byddwn, y rhan fwyaf o wythnosau"}, {EN: "Sometimes", CY: "Weithiau"}, {EN: "No", CY: "Na fyddwn"}}},
		{Kind: consultation.Multiple, TextEN: "Which libraries do you use?", TextCY: "Pa lyfrgelloedd ydych chi'n eu defnyddio?", HelpEN: "Select all that apply.", HelpCY: "Dewiswch bob un sy'n berthnasol.",
			Options: []consultation.Option{{EN: "Central", CY: "Canolog"}, {EN: "Riverside", CY: "Glan yr Afon"}, {EN: "Northgate", CY: "Porth y Gogledd"}, {EN: "Mobile library", CY: "Llyfrgell deithiol"}}},
		{Kind: consultation.FreeText, TextEN: "What would closing on Monday mornings mean for you?", TextCY: "Beth fyddai cau ar foreau Llun yn ei olygu i chi?", MaxLength: 2000,
			HelpEN: "Do not include personal information, such as your address.", HelpCY: "Peidiwch â chynnwys gwybodaeth bersonol, fel eich cyfeiriad."},
	},
}

var faresConsultation = demoConsultation{
	c: consultation.Consultation{
		TitleEN:   "Bus fares for young people",
		TitleCY:   "Prisiau bysiau i bobl ifanc",
		SummaryEN: "Should bus travel be free for everyone aged 16 to 21? We asked how it would change the way young people travel, and how it should be paid for.",
		SummaryCY: "A ddylai teithio ar fysiau fod am ddim i bawb rhwng 16 a 21 oed? Gofynnom sut y byddai'n newid y ffordd y mae pobl ifanc yn teithio, a sut y dylid talu amdano.",
		BodyEN:    "## The proposal\n\nFree bus travel for everyone aged 16 to 21, paid for by a levy on workplace parking in large towns.\n\nWe took responses online, by email, by post, by phone and at events in colleges.",
		BodyCY:    "## Y cynnig\n\nTeithio am ddim ar fysiau i bawb rhwng 16 a 21 oed, wedi'i ariannu gan ardoll ar barcio yn y gweithle mewn trefi mawr.",
		Layout:    consultation.AllOnOne,
	},
	questions: []consultation.Question{
		{Kind: consultation.Scale, TextEN: "How far do you agree that bus travel should be free for people aged 16 to 21?", TextCY: "I ba raddau ydych chi'n cytuno y dylai teithio ar fysiau fod am ddim i bobl 16 i 21 oed?", Required: true, Options: agreeScale},
		{Kind: consultation.Single, TextEN: "How should it be paid for?", TextCY: "Sut y dylid talu amdano?", Options: []consultation.Option{
			{EN: "A workplace parking levy", CY: "Ardoll parcio yn y gweithle"}, {EN: "General taxation", CY: "Trethiant cyffredinol"}, {EN: "Higher fares for others", CY: "Prisiau uwch i eraill"}, {EN: "It should not be paid for", CY: "Ni ddylid talu amdano"}}},
		{Kind: consultation.FreeText, TextEN: "How would free travel change the way you or your family get about?", TextCY: "Sut y byddai teithio am ddim yn newid y ffordd rydych chi neu'ch teulu'n teithio?", Required: true, MaxLength: 5000},
	},
	sentences: []string{
		"My {relative} {travels} to {place} {freq} and {cost}.",
		"{opinion} free fares {effect} {group} in {place}.",
		"Buses {problem} {time}, so {consequence}.",
		"{opinion} the levy {effect} {group} {time}.",
		"As {a_role} I {worry} about {issue}.",
		"Please {ask} before {when}.",
		"{freq} I {travels} to {place} and {problem2}.",
		"I care more about {issue} {than} {issue2}.",
	},
	letter: "I am writing to oppose the workplace parking levy proposed in this consultation. Free travel for young people is a good aim, but it must not be paid for by taxing people who have no choice but to drive to work. Many of us work shifts when no buses run, and the levy would be passed on to staff by employers. I urge the Department to find another way to fund the scheme.",
	additions: []string{
		"I work nights at the hospital and there is no bus at 6am.",
		"My employer has already said the levy would come out of our wages.",
		"There is no bus at all from my village to the industrial estate.",
	},
}

var parkConsultation = demoConsultation{
	c: consultation.Consultation{
		TitleEN:   "Riverside park improvements",
		TitleCY:   "Gwelliannau i barc glan yr afon",
		SummaryEN: "We asked what would make Riverside park better to visit, all year round.",
		SummaryCY: "Gofynnom beth fyddai'n gwneud parc glan yr afon yn well i ymweld ag ef, drwy gydol y flwyddyn.",
		BodyEN:    "The park has had no major work since 2009. We set aside £400,000 and asked residents how to spend it.",
		BodyCY:    "Nid oes gwaith mawr wedi'i wneud ar y parc ers 2009. Rydym wedi neilltuo £400,000 ac wedi gofyn i drigolion sut i'w wario.",
		Layout:    consultation.OnePerPage,
	},
	questions: []consultation.Question{
		{Kind: consultation.Multiple, TextEN: "Which improvements matter most to you?", TextCY: "Pa welliannau sydd bwysicaf i chi?", Required: true, Options: []consultation.Option{
			{EN: "Lighting on the paths", CY: "Goleuadau ar y llwybrau"}, {EN: "A bigger play area", CY: "Ardal chwarae fwy"}, {EN: "Toilets", CY: "Toiledau"}, {EN: "More bins", CY: "Mwy o finiau"}, {EN: "A café", CY: "Caffi"}}},
		{Kind: consultation.FreeText, TextEN: "Anything else we should know?", TextCY: "Unrhyw beth arall y dylem ei wybod?", MaxLength: 3000},
	},
	sentences: []string{
		"My {relative} {visits} the park {freq} and {park_problem}.",
		"{opinion} {improvement} {effect} {group} {time}.",
		"As {a_role} I {worry} about {park_issue}.",
		"Please {park_ask} before {when}.",
		"I care more about {park_issue} {than} {park_issue2}.",
		"{freq} my family {visits} the {park_place} and {park_problem}.",
	},
}

// demoSlots fill the {slot}s of the demo's answer templates.
var demoSlots = map[string][]string{
	"relative":     {"son", "daughter", "husband", "wife", "neighbour", "grandson", "granddaughter", "flatmate", "partner", "brother"},
	"travels":      {"travels", "goes", "gets", "commutes", "has to get", "usually goes", "takes the bus"},
	"place":        {"college", "the hospital", "work", "the city centre", "Northgate", "the retail park", "Riverside", "the station", "school", "the industrial estate"},
	"freq":         {"every day", "twice a week", "most weekends", "every morning", "three times a week", "now and then", "each evening"},
	"cost":         {"it costs us a fortune", "the fares add up", "we cannot afford it", "it takes over an hour", "the last bus is too early", "it is never on time"},
	"opinion":      {"I think", "I am sure", "I doubt", "Honestly,", "I believe", "In my view", "I worry"},
	"effect":       {"will help", "would hurt", "might help", "could harm", "would change life for", "does nothing for", "will matter to"},
	"group":        {"students", "young carers", "apprentices", "shift workers", "families", "older people", "small businesses", "children"},
	"problem":      {"are late", "get cancelled", "are overcrowded", "stop running", "skip our stop", "are filthy"},
	"problem2":     {"the buses are full", "it is too expensive", "the timetable is useless", "I wait ages", "nobody checks tickets"},
	"time":         {"at school time", "after 7pm", "on Sundays", "in winter", "at weekends", "every rush hour", "late at night"},
	"consequence":  {"I drive instead", "my mum gives lifts", "I walk", "we pay for taxis", "I cycle", "I miss lectures"},
	"a_role":       {"a parent", "a student", "a bus driver", "a shop owner", "a nurse", "a pensioner", "a teacher", "a carer", "a commuter"},
	"worry":        {"worry", "care", "feel strongly", "have doubts", "am anxious", "think hard"},
	"issue":        {"reliability", "safety at stops", "rural routes", "the cost of living", "night buses", "air quality", "parking"},
	"issue2":       {"cheap tickets", "new buses", "town centre parking", "cycle lanes", "faster journeys", "student discounts"},
	"than":         {"than about", "by far than about", "these days than about"},
	"ask":          {"think again", "ask drivers", "talk to colleges", "consult employers", "fix the timetable", "look at rural routes", "listen to parents"},
	"when":         {"anything changes", "you decide", "the summer", "next year", "the levy starts", "it is too late"},
	"visits":       {"walks through", "uses", "visits", "runs round", "plays in", "cycles through"},
	"park_ask":     {"think again", "ask families", "talk to the friends group", "plant new trees", "fix the lights", "consult dog walkers", "listen to children"},
	"park_problem": {"the paths are dark", "the bins overflow", "there are no toilets", "the play area is crowded", "the river path floods", "the benches are broken"},
	"improvement":  {"lighting", "a bigger play area", "toilets", "a café", "more bins", "new benches", "a raised path"},
	"park_issue":   {"lighting", "the play area", "toilets", "litter", "flooding", "the old trees", "open grass", "dog fouling"},
	"park_issue2":  {"a café", "new planting", "more parking", "events", "a fence", "sculptures"},
	"park_place":   {"play area", "river path", "open grass", "rose garden", "car park", "skate park"},
}

// demoAnswer writes an answer of n sentences from the templates.
func demoAnswer(rng *rand.Rand, templates []string, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		t := templates[rng.IntN(len(templates))]
		for {
			open := strings.IndexByte(t, '{')
			if open < 0 {
				break
			}
			end := strings.IndexByte(t[open:], '}') + open
			words := demoSlots[t[open+1:end]]
			t = t[:open] + words[rng.IntN(len(words))] + t[end+1:]
		}
		b.WriteString(strings.ToUpper(t[:1]) + t[1:])
	}
	return b.String()
}

// demoAgeBand answers the optional age question as consultation
// respondents tend to: older people more than younger ones, a fifth not
// answering and a few preferring not to say.
func demoAgeBand(rng *rand.Rand) string {
	weights := []int{4, 9, 13, 17, 21, 19, 8} // measure.AgeBands, 16-24 to 75+
	n := rng.IntN(100)
	switch {
	case n < 20:
		return ""
	case n < 25:
		return measure.PreferNotToSay
	}
	total := 0
	for _, w := range weights {
		total += w
	}
	pick := rng.IntN(total)
	for i, w := range weights {
		if pick < w {
			return measure.AgeBands[i]
		}
		pick -= w
	}
	return measure.AgeBands[len(measure.AgeBands)-1]
}
