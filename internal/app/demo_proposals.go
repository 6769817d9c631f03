package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"parley/internal/proposal"
)

// seedProposals adds the demo's boards. The council's "Ideas for North
// Shire" (post-moderation, an answer owed at 50 supporters) has an idea in
// every official status, one awaiting its answer and a duplicate merged
// into the original, with comments, a reply and a reported comment. The
// department's "Petitions" board (pre-moderation, the petitions site's
// rules) has a petition past its response threshold with about 10,400
// signatures spread over areas and awaiting its response, one collecting
// sponsors, one waiting for a moderator and an open one with a few
// hundred signatures.
func (a *App) seedProposals(ctx context.Context) error {
	dept, err := a.Store.OrgBySlug(ctx, DemoOrgs[0].Slug)
	if err != nil {
		return err
	}
	council, err := a.Store.OrgBySlug(ctx, DemoOrgs[1].Slug)
	if err != nil {
		return err
	}
	d := &demoProposals{a: a, ctx: ctx, rng: rand.New(rand.NewPCG(4, 2026)), now: time.Now().UTC()}
	for _, email := range []string{"alex.citizen@example.org", "bethan.dinesydd@example.org", "sam.resident@example.org"} {
		u, err := a.Store.UserByEmail(ctx, email)
		if err != nil {
			return err
		}
		d.citizens = append(d.citizens, u.ID)
	}
	start := time.Now()
	if err := d.ideas(council.ID, council.Slug); err != nil {
		return fmt.Errorf("ideas board: %w", err)
	}
	ideas := time.Since(start)
	if err := d.petitions(dept.ID, dept.Slug); err != nil {
		return fmt.Errorf("petitions board: %w", err)
	}
	a.Log.Info("demo boards seeded", "ideas", ideas.Round(time.Millisecond), "petitions", (time.Since(start) - ideas).Round(time.Millisecond))
	return nil
}

// demoProposals holds what the demo's boards are seeded with.
type demoProposals struct {
	a        *App
	ctx      context.Context
	rng      *rand.Rand
	now      time.Time
	citizens []int64 // Alex, Bethan, Sam
	crowd    []int64 // generated citizens who support ideas
}

func (d *demoProposals) userID(email string) (int64, error) {
	u, err := d.a.Store.UserByEmail(d.ctx, email)
	return u.ID, err
}

func (d *demoProposals) daysAgo(n float64) time.Time {
	return d.now.Add(-time.Duration(n * 24 * float64(time.Hour)))
}

// demoIdea is an idea of the council's board and what becomes of it.
type demoIdea struct {
	title, body, category string
	author                int // index into citizens
	age                   float64
	supporters            int // from the crowd, besides the demo citizens
	status                proposal.Status
	responseEN            string
	responseCY            string
}

var demoIdeas = []demoIdea{
	{title: "Drinking water fountains in Riverside park", category: "parks", author: 0, age: 20, supporters: 18,
		body: "There is nowhere to fill a water bottle in Riverside park. Families, runners and dog walkers would all use a fountain by the play area and another by the river path.\n\nOther councils have put in fountains that cost little to run."},
	{title: "A safe cycle route to Northgate school", category: "transport", author: 1, age: 45, supporters: 61, status: proposal.UnderConsideration,
		body:       "Children cycling to Northgate school have to use the ring road. A protected route along Mill Lane and through the park would let hundreds more cycle safely.",
		responseEN: "Thank you to everyone who supported this. Our transport team is surveying Mill Lane this term and will publish options for a protected route, with costs, by the spring.",
		responseCY: "Diolch i bawb a gefnogodd hyn. Mae ein tîm trafnidiaeth yn arolygu Lôn y Felin y tymor hwn a bydd yn cyhoeddi opsiynau ar gyfer llwybr gwarchodedig, gyda chostau, erbyn y gwanwyn."},
	{title: "Open Central Library on Sunday afternoons", category: "libraries", author: 2, age: 60, supporters: 55, status: proposal.Planned,
		body:       "Central Library is closed all weekend after Saturday lunchtime. Sunday afternoon opening would help students, families and people who work all week.",
		responseEN: "We will open Central Library from 1pm to 5pm on Sundays from next April, paid for by moving some weekday morning hours. The library opening hours consultation asks which hours to move.",
		responseCY: "Byddwn yn agor y Llyfrgell Ganolog o 1pm tan 5pm ar ddydd Sul o fis Ebrill nesaf, wedi'i ariannu drwy symud rhai oriau boreol yn ystod yr wythnos. Mae'r ymgynghoriad ar oriau agor llyfrgelloedd yn gofyn pa oriau i'w symud."},
	{title: "Fix the broken lights on the river path", category: "parks", author: 0, age: 75, supporters: 34, status: proposal.Started,
		body:       "Half the lamps on the river path between the footbridge and the car park have been out since last winter. It is too dark to walk there safely after 4pm.",
		responseEN: "Work has started: the first twelve lamps were replaced this month and the rest will be done by the end of next month.",
		responseCY: "Mae'r gwaith wedi dechrau: cafodd y deuddeg lamp gyntaf eu newid y mis hwn a bydd y gweddill wedi'u gwneud erbyn diwedd y mis nesaf."},
	{title: "Dog waste bins at the park entrances", category: "parks", author: 1, age: 120, supporters: 27, status: proposal.Completed,
		body:       "There are no dog waste bins at the north and east entrances of Riverside park, so bags are left on the paths.",
		responseEN: "Done: we put bins at all four entrances in the summer and empty them twice a week.",
		responseCY: "Wedi'i wneud: rhoesom finiau wrth bob un o'r pedair mynedfa yn yr haf ac rydym yn eu gwagio ddwywaith yr wythnos."},
	{title: "Free parking in the town centre on Saturdays", category: "transport", author: 2, age: 90, supporters: 22, status: proposal.Declined,
		body:       "Free parking on Saturdays would bring shoppers back to the High Street and help small shops compete with the retail park.",
		responseEN: "We cannot do this: parking charges pay for the town centre's bus service and street cleaning. Instead we are trialling one free hour on Saturday mornings at the Market Street car park.",
		responseCY: "Ni allwn wneud hyn: mae taliadau parcio'n talu am wasanaeth bysiau canol y dref a glanhau'r strydoedd. Yn hytrach, rydym yn treialu awr am ddim ar foreau Sadwrn ym maes parcio Stryd y Farchnad."},
	{title: "A bus shelter at the Mill Lane stop", category: "transport", author: 0, age: 30, supporters: 52,
		body: "Dozens of people wait at the Mill Lane stop every morning, many of them older people going to the hospital. There is no shelter and no seat."},
	{title: "Sunday opening for our libraries", category: "libraries", author: 0, age: 40, supporters: 9,
		body: "Please open the libraries on Sundays: it is the only day many working people could go."},
}

// ideaDuplicate is the index in demoIdeas of the idea merged into ideaOriginal.
const ideaDuplicate, ideaOriginal = 7, 2

func (d *demoProposals) ideas(orgID int64, slug string) error {
	ctx, st := d.ctx, d.a.Store
	editor, err := d.userID("editor@" + slug + ".example")
	if err != nil {
		return err
	}
	moderator, err := d.userID("moderator@" + slug + ".example")
	if err != nil {
		return err
	}
	// Generated citizens, so the counts look like a real board's.
	for i := range 70 {
		u, err := st.EnsureUser(ctx, fmt.Sprintf("resident%02d@north-shire.example.net", i+1))
		if err != nil {
			return err
		}
		d.crowd = append(d.crowd, u.ID)
	}
	b, err := st.CreateBoard(ctx, proposal.Board{OrgID: orgID, Kind: proposal.Ideas, TitleEN: "Ideas for North Shire", TitleCY: "Syniadau ar gyfer Gogledd Swydd",
		DescriptionEN: "Tell us how to make North Shire better, and support the ideas you like. When an idea has **50 supporters** we will answer it within 28 days.",
		DescriptionCY: "Dywedwch wrthym sut i wneud Gogledd Swydd yn well, a chefnogwch y syniadau rydych yn eu hoffi. Pan fydd gan syniad **50 o gefnogwyr** byddwn yn ei ateb o fewn 28 diwrnod.",
		Moderation:    proposal.PostModeration, Accepting: true, ResponseThreshold: 50, ResponseDays: 28,
		Categories: []proposal.Category{{Slug: "parks", NameEN: "Parks", NameCY: "Parciau"},
			{Slug: "transport", NameEN: "Transport", NameCY: "Trafnidiaeth"}, {Slug: "libraries", NameEN: "Libraries", NameCY: "Llyfrgelloedd"}},
	}, editor)
	if err != nil {
		return err
	}
	ids := make([]int64, len(demoIdeas))
	for i, idea := range demoIdeas {
		author := d.citizens[idea.author]
		p, err := st.CreateProposal(ctx, proposal.Proposal{BoardID: b.ID, AuthorID: author, AuthorName: demoAuthorNames[idea.author],
			Title: idea.title, Body: idea.body, Lang: "en", Category: idea.category}, nil)
		if err != nil {
			return fmt.Errorf("%q: %w", idea.title, err)
		}
		ids[i] = p.ID
		created := d.daysAgo(idea.age)
		if err := st.SeedProposalDates(ctx, p.ID, created, created); err != nil {
			return err
		}
		// The other demo citizens and part of the crowd, over the days since.
		var sups []proposal.Support
		for j, c := range d.citizens {
			if j != idea.author && (i+j)%2 == 0 {
				sups = append(sups, proposal.Support{UserID: c, CreatedAt: d.between(created, idea.age)})
			}
		}
		start := (i * 11) % len(d.crowd)
		if i == ideaDuplicate {
			// Overlap the original's last few supporters.
			start = (ideaOriginal*11 + demoIdeas[ideaOriginal].supporters - 4) % len(d.crowd)
		}
		for k := range idea.supporters {
			sups = append(sups, proposal.Support{UserID: d.crowd[(start+k)%len(d.crowd)], CreatedAt: d.between(created, idea.age)})
		}
		if err := st.SeedSupports(ctx, p.ID, sups); err != nil {
			return fmt.Errorf("%q supports: %w", idea.title, err)
		}
		if idea.status != "" {
			if _, err := st.SetProposalStatus(ctx, proposal.StatusChange{ProposalID: p.ID, Status: idea.status,
				ResponseEN: idea.responseEN, ResponseCY: idea.responseCY, ActorID: editor}); err != nil {
				return fmt.Errorf("%q status: %w", idea.title, err)
			}
		}
	}
	// The duplicate's supporters overlap the original's: the merge counts
	// each once.
	if _, err := st.MergeProposals(ctx, ids[ideaDuplicate], ids[ideaOriginal], moderator); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	// A conversation under the cycle route, with a reply and a comment
	// reported to moderators.
	cycle := ids[1]
	first, err := st.AddComment(ctx, proposal.Comment{ProposalID: cycle, AuthorID: d.citizens[0], AuthorName: demoAuthorNames[0],
		Body: "My two children would cycle every day if there were a safe way. At the moment I drive them, which adds to the queue outside the school."})
	if err != nil {
		return err
	}
	if _, err := st.AddComment(ctx, proposal.Comment{ProposalID: cycle, ParentID: first.ID, AuthorID: d.citizens[1], AuthorName: demoAuthorNames[1],
		Body: "Same here. Mill Lane is wide enough for a protected lane if the parking bays went."}); err != nil {
		return err
	}
	rude, err := st.AddComment(ctx, proposal.Comment{ProposalID: cycle, AuthorID: d.citizens[2], AuthorName: demoAuthorNames[2],
		Body: "Cyclists never pay road tax and should get nothing. Anyone who supports this is an idiot."})
	if err != nil {
		return err
	}
	if err := st.ReportComment(ctx, proposal.Report{CommentID: rude.ID, ReporterID: d.citizens[1], Reason: "It insults everyone who supports the idea."}); err != nil {
		return err
	}
	return d.moderation(orgID, cycle)
}

var demoAuthorNames = []string{"Alex", "Bethan", "Sam R."}

// between is a random time from start to (roughly) now, days long.
func (d *demoProposals) between(start time.Time, days float64) time.Time {
	return start.Add(time.Duration(d.rng.Float64() * days * 0.95 * 24 * float64(time.Hour)))
}

// demoAreas is the department's postcode lookup: a few dozen districts
// mapped to named areas, enough for counts by area to look real.
var demoAreas = []struct {
	code, name string
	districts  []string
	weight     int
}{
	{"cardiff-central", "Cardiff Central", []string{"CF10", "CF11", "CF24"}, 14},
	{"swansea-west", "Swansea West", []string{"SA1", "SA2"}, 7},
	{"bangor-aberconwy", "Bangor Aberconwy", []string{"LL57", "LL32"}, 4},
	{"westminster", "Cities of London and Westminster", []string{"SW1A", "SW1P", "EC1A", "WC2N"}, 10},
	{"manchester-central", "Manchester Central", []string{"M1", "M4", "M15"}, 12},
	{"leeds-central", "Leeds Central and Headingley", []string{"LS1", "LS2", "LS6"}, 9},
	{"birmingham-ladywood", "Birmingham Ladywood", []string{"B1", "B16", "B18"}, 11},
	{"bristol-central", "Bristol Central", []string{"BS1", "BS2", "BS8"}, 10},
	{"newcastle-central", "Newcastle upon Tyne Central and West", []string{"NE1", "NE4"}, 6},
	{"york-central", "York Central", []string{"YO1", "YO10"}, 5},
	{"edinburgh-east", "Edinburgh East and Musselburgh", []string{"EH1", "EH7", "EH8"}, 6},
	{"glasgow-central", "Glasgow North", []string{"G1", "G3", "G20"}, 5},
}

// outsideDistricts are districts in no area of the lookup.
var outsideDistricts = []string{"PL1", "TR1", "IV1", "BT1"}

func (d *demoProposals) petitions(orgID int64, slug string) error {
	ctx, st := d.ctx, d.a.Store
	editor, err := d.userID("editor@" + slug + ".example")
	if err != nil {
		return err
	}
	moderator, err := d.userID("moderator@" + slug + ".example")
	if err != nil {
		return err
	}
	var rows []proposal.AreaRow
	for _, a := range demoAreas {
		for _, dist := range a.districts {
			rows = append(rows, proposal.AreaRow{Prefix: dist, Area: proposal.Area{Code: a.code, Name: a.name}})
		}
	}
	if err := st.SetAreas(ctx, orgID, rows, editor); err != nil {
		return err
	}
	b, err := st.CreateBoard(ctx, proposal.Board{OrgID: orgID, Kind: proposal.Petitions, TitleEN: "Petitions", TitleCY: "Deisebau",
		DescriptionEN: "Start or sign a petition to the Department. At **10,000 signatures** we respond; at **100,000** the petition is considered for debate. " +
			"A new petition needs 5 supporters and a moderator's check before it opens, and stays open for 6 months.",
		DescriptionCY: "Dechreuwch neu llofnodwch ddeiseb i'r Adran. Ar **10,000 o lofnodion** rydym yn ymateb; ar **100,000** caiff y ddeiseb ei hystyried ar gyfer dadl. " +
			"Mae angen 5 cefnogwr a gwiriad gan gymedrolwr ar ddeiseb newydd cyn iddi agor, ac mae'n aros ar agor am 6 mis.",
		Moderation: proposal.PreModeration, Accepting: true, ResponseThreshold: proposal.DefaultResponseThreshold,
		DebateThreshold: proposal.DefaultDebateThreshold, ResponseDays: proposal.DefaultResponseDays, SponsorsNeeded: proposal.DefaultSponsors,
		OpenDays: proposal.DefaultOpenDays,
		Categories: []proposal.Category{{Slug: "rail", NameEN: "Rail", NameCY: "Rheilffyrdd"}, {Slug: "roads", NameEN: "Roads", NameCY: "Ffyrdd"},
			{Slug: "buses", NameEN: "Buses", NameCY: "Bysiau"}, {Slug: "active-travel", NameEN: "Walking and cycling", NameCY: "Cerdded a beicio"}},
	}, editor)
	if err != nil {
		return err
	}
	authors := []struct{ name, email, postcode string }{
		{"Alex Citizen", "alex.citizen@example.org", "CF10 1EP"},
		{"Bethan Dinesydd", "bethan.dinesydd@example.org", "LL57 2DG"},
		{"Sam Resident", "sam.resident@example.org", "M1 3BE"},
	}
	create := func(title, body, category string, author int) (proposal.Proposal, error) {
		au := authors[author]
		return st.CreateProposal(ctx, proposal.Proposal{BoardID: b.ID, AuthorID: d.citizens[author], AuthorName: au.name,
			Title: title, Body: body, Lang: "en", Category: category},
			&proposal.Signature{Name: au.name, Email: au.email, Postcode: au.postcode, Country: "GB", UKResident: true, Lang: "en"})
	}
	// sponsor gives a petition n sponsors: with five it goes to moderation.
	sponsor := func(p proposal.Proposal, n int, at time.Time) error {
		sigs := make([]proposal.Signature, n)
		for i := range sigs {
			sigs[i] = d.signature(p.ID, i, at.Add(time.Duration(i+1)*time.Hour))
			sigs[i].Sponsor = true
		}
		return st.SeedSignatures(ctx, p.ID, sigs)
	}
	// open sponsors, approves and backdates a petition opened days ago.
	open := func(p proposal.Proposal, days float64) error {
		created := d.daysAgo(days + 2)
		if err := st.SeedProposalDates(ctx, p.ID, created, created); err != nil {
			return err
		}
		if err := sponsor(p, proposal.DefaultSponsors, created); err != nil {
			return err
		}
		if err := st.ModerateProposal(ctx, p.ID, proposal.Published, "", moderator); err != nil {
			return err
		}
		return st.SeedProposalDates(ctx, p.ID, created, d.daysAgo(days))
	}

	// Past its response threshold nine days ago, its response due in 19 days.
	fares, err := create("Cap rail fares for commuters at 2019 levels",
		"Season tickets have risen far faster than wages since 2019. Cap commuter fares at their 2019 level, in real terms, until services are reliable again.\n\n"+
			"Many of us have no choice but to travel by train to work, and the rises have cost some of us more than £1,000 a year.", "rail", 0)
	if err != nil {
		return err
	}
	if err := open(fares, 40); err != nil {
		return err
	}
	if err := st.SeedSignatures(ctx, fares.ID, d.signatures(fares.ID, 10, 10050, d.daysAgo(40), d.daysAgo(9))); err != nil {
		return err
	}
	if err := st.SeedSignatures(ctx, fares.ID, d.signatures(fares.ID, 20000, 360, d.daysAgo(9), d.now.Add(-time.Hour))); err != nil {
		return err
	}

	// Open for twelve days, with a few hundred signatures.
	cycle, err := create("Fund safe cycle routes to every secondary school",
		"Give councils the money to build a protected cycle route to every secondary school within five years.\n\nFewer than one child in fifty cycles to school; in the Netherlands it is nearly half.", "active-travel", 1)
	if err != nil {
		return err
	}
	if err := open(cycle, 12); err != nil {
		return err
	}
	if err := st.SeedSignatures(ctx, cycle.ID, d.signatures(cycle.ID, 10, 340, d.daysAgo(12), d.now.Add(-10*time.Minute))); err != nil {
		return err
	}

	// Collecting sponsors: 2 of 5.
	buses, err := create("Make every new bus carry two wheelchair spaces",
		"New buses have one wheelchair space, shared with buggies. Require two on every new bus from 2027, so that wheelchair users are not left at the stop.", "buses", 2)
	if err != nil {
		return err
	}
	if err := sponsor(buses, 2, d.daysAgo(2)); err != nil {
		return err
	}

	// With its sponsors, waiting for a moderator.
	pavement, err := create("Ban pavement parking across England and Wales",
		"Cars parked on pavements force wheelchair users, blind people and parents with buggies into the road. Make pavement parking an offence everywhere, as it is in London and Scotland.", "roads", 0)
	if err != nil {
		return err
	}
	return sponsor(pavement, proposal.DefaultSponsors, d.daysAgo(1))
}

var (
	demoFirstNames = []string{"Aled", "Priya", "Tom", "Grace", "Siân", "Daniel", "Megan", "Omar", "Rhys", "Chloe", "Hannah", "Jack",
		"Amira", "Owen", "Lucy", "Ffion", "Mohammed", "Ella", "Gareth", "Zara", "Dylan", "Nia", "Sophie", "Ben"}
	demoLastNames = []string{"Jones", "Shah", "Evans", "Okafor", "Morgan", "Kowalski", "Williams", "Hughes", "Khan", "Roberts",
		"Davies", "Smith", "Patel", "Thomas", "Lewis", "Price", "Walker", "Ahmed", "Griffiths", "Brown"}
	demoDomains = []string{"gmail.com", "gmail.com", "gmail.com", "outlook.com", "hotmail.co.uk", "yahoo.co.uk", "btinternet.com", "icloud.com", "example.org"}
)

// signatures generates n confirmed signatures numbered from first,
// confirmed between from and to, from postcodes spread over the areas by
// weight (a few from districts in no area, a few from abroad).
func (d *demoProposals) signatures(proposalID int64, first, n int, from, to time.Time) []proposal.Signature {
	total := 0
	for _, a := range demoAreas {
		total += a.weight
	}
	span := to.Sub(from)
	out := make([]proposal.Signature, n)
	for i := range out {
		at := from.Add(time.Duration(d.rng.Float64() * float64(span)))
		out[i] = d.signature(proposalID, first+i, at)
		switch r := d.rng.IntN(100); {
		case r < 2:
			out[i].Postcode, out[i].Country, out[i].UKResident = "", []string{"FR", "ES", "IE", "AU"}[d.rng.IntN(4)], false
		case r < 6:
			out[i].Postcode = d.postcode(outsideDistricts[d.rng.IntN(len(outsideDistricts))])
		default:
			w := d.rng.IntN(total)
			for _, a := range demoAreas {
				if w < a.weight {
					out[i].Postcode = d.postcode(a.districts[d.rng.IntN(len(a.districts))])
					break
				}
				w -= a.weight
			}
		}
	}
	slices.SortFunc(out, func(x, y proposal.Signature) int { return x.ConfirmedAt.Compare(y.ConfirmedAt) })
	return out
}

// signature is the i-th generated signer of a petition, confirmed at at.
func (d *demoProposals) signature(proposalID int64, i int, at time.Time) proposal.Signature {
	first, last := demoFirstNames[i%len(demoFirstNames)], demoLastNames[(i/len(demoFirstNames))%len(demoLastNames)]
	local := strings.ToLower(strings.NewReplacer("â", "a", " ", "").Replace(first)) + "." + strings.ToLower(last) + fmt.Sprintf("%d", i)
	lang := "en"
	if i%7 == 0 {
		lang = "cy"
	}
	return proposal.Signature{ProposalID: proposalID, Name: first + " " + last, Email: local + "@" + demoDomains[i%len(demoDomains)],
		Postcode: d.postcode("CF10"), Country: "GB", UKResident: true, Lang: lang, IP: fmt.Sprintf("198.51.100.%d", 1+i%250),
		CreatedAt: at.Add(-time.Duration(1+d.rng.IntN(30)) * time.Minute), ConfirmedAt: at}
}

// postcode makes a postcode in a district.
func (d *demoProposals) postcode(district string) string {
	const letters = "ABDEFGHJLNPQRSTUWXYZ"
	return fmt.Sprintf("%s %d%c%c", district, d.rng.IntN(10), letters[d.rng.IntN(len(letters))], letters[d.rng.IntN(len(letters))])
}
