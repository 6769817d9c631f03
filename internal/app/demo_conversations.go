package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"

	"parley/internal/apperr"
	"parley/internal/conversation"
	"parley/internal/org"
	"parley/internal/polis"
)

// demoStatements are the local demo conversation's statements, with the
// leaning of each of the demo's three planted camps (+1 agree, -1 disagree,
// 0 no strong view): drivers, walkers and cyclists, and traders.
var demoStatements = []struct {
	text  string
	camps [3]int
}{
	{"The high street should be closed to cars on Saturdays.", [3]int{-1, 1, -1}},
	{"Parking in the town centre should stay free for the first hour.", [3]int{1, -1, 1}},
	{"We need more benches and shade along the high street.", [3]int{1, 1, 1}},
	{"A protected cycle lane should run from the station to the market.", [3]int{-1, 1, 0}},
	{"Empty shops should be offered to local start-ups at low rent.", [3]int{1, 1, 1}},
	{"Buses into town should run every 15 minutes until 11pm.", [3]int{0, 1, 1}},
	{"Delivery lorries should only enter the centre before 10am.", [3]int{0, 1, -1}},
	{"The council should spend the budget on fixing potholes first.", [3]int{1, -1, 0}},
	{"Public toilets in the centre should reopen.", [3]int{1, 1, 1}},
	{"The weekly market should move to the evening in summer.", [3]int{0, 0, -1}},
	{"Street trees should be planted even where they remove parking spaces.", [3]int{-1, 1, -1}},
	{"Business rates relief matters more than new cycle parking.", [3]int{1, -1, 1}},
}

// seedConversations adds the demo's conversations: a small local one with
// votes from planted camps, and one imported from Polis open data when the
// folder is there.
func (a *App) seedConversations(ctx context.Context) error {
	council, err := a.Store.OrgBySlug(ctx, DemoOrgs[1].Slug)
	if err != nil {
		return err
	}
	local, err := a.seedLocalConversation(ctx, council)
	if err != nil {
		return err
	}
	if err := a.Recompute(ctx, local); err != nil {
		return err
	}
	if a.Config.DemoPolis == "" {
		return nil
	}
	if _, err := os.Stat(a.Config.DemoPolis); err != nil {
		a.Log.Info("demo: no Polis data to import", "dir", a.Config.DemoPolis)
		return nil
	}
	dept, err := a.Store.OrgBySlug(ctx, DemoOrgs[0].Slug)
	if err != nil {
		return err
	}
	id, err := a.ImportPolis(ctx, dept.ID, a.Config.DemoPolis, conversation.Conversation{
		TitleEN:     "$15 per hour minimum wage",
		TitleCY:     "Isafswm cyflog o $15 yr awr",
		QuestionEN:  "Seattle's conversation on raising the minimum wage to $15 an hour, imported to show how Parley maps a real conversation.",
		QuestionCY:  "Sgwrs Seattle ar godi'r isafswm cyflog i $15 yr awr, wedi'i mewnforio i ddangos sut mae Parley yn mapio sgwrs go iawn.",
		Attribution: "Data gathered using the Polis software (compdemocracy.org/polis), sub-licensed under CC BY 4.0 with attribution to The Computational Democracy Project.",
		Status:      conversation.Open, Moderation: conversation.PreModeration, Anonymous: true,
	})
	if err != nil {
		return err
	}
	return a.Recompute(ctx, id)
}

func (a *App) seedLocalConversation(ctx context.Context, o org.Organisation) (int64, error) {
	texts := make([]string, len(demoStatements))
	for i, s := range demoStatements {
		texts[i] = s.text
	}
	c, err := a.Store.CreateConversation(ctx, conversation.Conversation{
		OrgID:      o.ID,
		TitleEN:    "Our town centre: what should change?",
		TitleCY:    "Canol ein tref: beth ddylai newid?",
		QuestionEN: "We are deciding how to spend £2 million on the town centre. Vote on what others have said, and add your own ideas.",
		QuestionCY: "Rydym yn penderfynu sut i wario £2 filiwn ar ganol y dref. Pleidleisiwch ar yr hyn y mae eraill wedi'i ddweud, ac ychwanegwch eich syniadau eich hun.",
		Status:     conversation.Open, Moderation: conversation.PostModeration, Anonymous: true,
	}, texts, 0)
	if err != nil {
		return 0, err
	}
	statements, err := a.Store.Statements(ctx, c.ID, conversation.Approved)
	if err != nil {
		return 0, err
	}
	// 90 residents in three camps, each voting on most statements as their
	// camp leans, with a little noise: enough for clear groups on the map.
	r := rand.New(rand.NewPCG(7, 11))
	var votes []conversation.ImportedVote
	for p := range 90 {
		camp := p % 3
		for i, st := range statements {
			if r.Float64() < 0.15 {
				continue // not seen
			}
			v := conversation.Vote(demoStatements[i].camps[camp])
			if r.Float64() < 0.15 {
				v = conversation.Vote(r.IntN(3) - 1)
			}
			votes = append(votes, conversation.ImportedVote{Participant: "resident-" + strconv.Itoa(p), Statement: strconv.FormatInt(st.ID, 10), Vote: v})
		}
	}
	return c.ID, a.Store.AddImportedVotes(ctx, c.ID, votes, conversation.ChannelEvent)
}

// ImportPolis imports a Polis open-data folder as a conversation of the
// organisation and returns its ID.
func (a *App) ImportPolis(ctx context.Context, orgID int64, dir string, c conversation.Conversation) (int64, error) {
	ex, err := polis.ReadExport(os.DirFS(dir))
	if err != nil {
		return 0, apperr.Wrap(apperr.Invalid, err, fmt.Sprintf("reading %s: %v", dir, err))
	}
	if c.TitleEN == "" {
		if topic, ok := polis.Get(ex.Summary, "topic"); ok {
			c.TitleEN = topic
		}
	}
	c.OrgID = orgID
	statements, votes := conversation.FromPolis(ex)
	saved, err := a.Store.ImportConversation(ctx, c, statements, votes, 0)
	return saved.ID, err
}
