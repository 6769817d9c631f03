package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestProposalAPI opens boards through the API, lists and reads
// proposals as staff, a citizen and another organisation (who see
// published ones only), reads a petition's counts by area and gives an
// idea its official answer, with the refusals on the way; every response
// is held to the OpenAPI document.
func TestProposalAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		doc := served(t, f.h)
		conformTo := func(rec *httptest.ResponseRecorder, path, method string, status int) {
			t.Helper()
			if rec.Code != status {
				t.Fatalf("%s %s: status %d, want %d: %s", method, path, rec.Code, status, rec.Body)
			}
			resp := doc.Paths[path][method].Responses[fmt.Sprint(status)]
			if resp.Ref != "" {
				resp = doc.Components.Responses[strings.TrimPrefix(resp.Ref, "#/components/responses/")]
			}
			media, ok := resp.Content[strings.TrimSuffix(rec.Header().Get("Content-Type"), "; charset=utf-8")]
			if !ok {
				t.Fatalf("%s %s: content type %q not documented for %d", method, path, rec.Header().Get("Content-Type"), status)
			}
			var v any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Fatal(err)
			}
			for _, err := range conform(doc, media.Schema, v, method+" "+path) {
				t.Error(err)
			}
		}
		o, _ := s.OrgBySlug(ctx, "north-shire")
		token := func(email string, role account.Role) (string, int64) {
			t.Helper()
			u, err := s.AddStaff(ctx, o.ID, email, role, 0)
			if err != nil {
				t.Fatal(err)
			}
			plain, _, err := s.CreateAPIToken(ctx, u.ID, "t", time.Time{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			return plain, u.ID
		}
		analyst, _ := token("analyst@north-shire.example", account.RoleAnalyst)
		_, moderator := token("moderator@north-shire.example", account.RoleModerator)
		citizenUser, _ := s.EnsureUser(ctx, "citizen@example.org")
		citizen, _, _ := s.CreateAPIToken(ctx, citizenUser.ID, "mine", time.Time{}, 0)
		other := mustOrg(t, s, "elsewhere", "Elsewhere", "")
		ou, _ := s.AddStaff(ctx, other.ID, "officer@elsewhere.example", account.RoleAdmin, 0)
		otherToken, _, _ := s.CreateAPIToken(ctx, ou.ID, "x", time.Time{}, 0)

		// Boards: refused, then created.
		checkProblem(t, f.send("POST", "/api/v1/boards", f.token, `{"organisation": "north-shire", "kind": "ideas", "title": {"en": ""}, "debate_threshold": 5, "response_threshold": 10}`),
			http.StatusUnprocessableEntity, "/api/v1/boards", "debate_threshold", "title_en")
		checkProblem(t, f.send("POST", "/api/v1/boards", f.token, `{"organisation": "north-shire", "kind": "ideas", "title": {"en": "x"}, "colour": "red"}`),
			http.StatusBadRequest, "/api/v1/boards")
		ideasBody := `{"organisation": "north-shire", "kind": "ideas", "title": {"en": "Ideas for North Shire", "cy": "Syniadau"},
			"moderation": "post", "response_threshold": 3, "categories": [{"name": {"en": "Parks", "cy": "Parciau"}}, {"slug": "buses", "name": {"en": "Buses"}}]}`
		for who, tok := range map[string]string{"analyst": analyst, "citizen": citizen, "other organisation": otherToken} {
			if rec := f.send("POST", "/api/v1/boards", tok, ideasBody); rec.Code != http.StatusForbidden {
				t.Errorf("%s creating a board: %d", who, rec.Code)
			}
		}
		rec := f.send("POST", "/api/v1/boards", f.token, ideasBody)
		conformTo(rec, "/api/v1/boards", "post", 201)
		var ideas boardJSON
		_ = json.Unmarshal(rec.Body.Bytes(), &ideas)
		if ideas.Kind != "ideas" || ideas.Moderation != "post" || ideas.ResponseThreshold != 3 || len(ideas.Categories) != 2 ||
			ideas.Categories[0].Slug != "parks" || !ideas.Accepting || rec.Header().Get("Location") != ideas.Links.Self {
			t.Errorf("ideas board %+v, Location %q", ideas, rec.Header().Get("Location"))
		}
		petitions := decode[boardJSON](t, f.send("POST", "/api/v1/boards", f.token, `{"organisation": "north-shire", "kind": "petitions", "title": {"en": "Petitions"}}`), http.StatusCreated)
		if petitions.ResponseThreshold != 10000 || petitions.DebateThreshold != 100000 || petitions.SponsorsNeeded != 5 || petitions.OpenDays != 182 || petitions.Moderation != "pre" {
			t.Errorf("petitions board defaults %+v", petitions)
		}
		boards := decode[list[boardJSON]](t, f.get("/api/v1/boards?organisation=north-shire", citizen), http.StatusOK)
		if len(boards.Items) != 2 || boards.Items[0].ID != petitions.ID {
			t.Errorf("boards %+v", boards)
		}
		conformTo(f.get("/api/v1/boards?organisation=north-shire&limit=1", citizen), "/api/v1/boards", "get", 200)
		conformTo(f.get(fmt.Sprintf("/api/v1/boards/%d", ideas.ID), otherToken), "/api/v1/boards/{id}", "get", 200)
		checkProblem(t, f.get("/api/v1/boards/99999", f.token), http.StatusNotFound, "/api/v1/boards/99999")
		checkProblem(t, f.get("/api/v1/boards", f.token), http.StatusBadRequest, "/api/v1/boards", "organisation")

		// Proposals: two published ideas, a petition collecting sponsors.
		idea := func(title string) proposal.Proposal {
			t.Helper()
			p, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: ideas.ID, AuthorID: citizenUser.ID, AuthorName: "Cit",
				Title: title, Body: "Because.\n\nMore.", Category: "parks"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		fountain, shelter := idea("Water fountains"), idea("A bus shelter")
		pet, err := s.CreateProposal(ctx, proposal.Proposal{BoardID: petitions.ID, AuthorID: citizenUser.ID, Title: "Cap fares", Body: "Please."},
			&proposal.Signature{Name: "Cit Izen", Email: "citizen@example.org", Postcode: "CF10 1AA", Country: "GB", UKResident: true})
		if err != nil || pet.Stage != proposal.Sponsoring {
			t.Fatalf("petition %+v, %v", pet, err)
		}
		petPath := fmt.Sprintf("/api/v1/proposals/%d", pet.ID)
		for who, tok := range map[string]string{"citizen": citizen, "other organisation": otherToken} {
			got := decode[proposalList](t, f.get(fmt.Sprintf("/api/v1/proposals?board=%d", petitions.ID), tok), http.StatusOK)
			if got.Total != 0 || len(got.Items) != 0 {
				t.Errorf("%s lists a petition collecting sponsors: %+v", who, got)
			}
			checkProblem(t, f.get(petPath, tok), http.StatusNotFound, petPath)
			checkProblem(t, f.get(petPath+"/areas", tok), http.StatusNotFound, petPath+"/areas")
			if rec := f.get(fmt.Sprintf("/api/v1/proposals?board=%d&stage=sponsoring", petitions.ID), tok); rec.Code != http.StatusForbidden {
				t.Errorf("%s asks for stage sponsoring: %d", who, rec.Code)
			}
		}
		staffList := decode[proposalList](t, f.get("/api/v1/proposals?organisation=north-shire", analyst), http.StatusOK)
		if staffList.Total != 3 || staffList.Items[0].ID != pet.ID || staffList.Items[0].Stage != "sponsoring" {
			t.Errorf("staff list %+v", staffList)
		}
		conformTo(f.get("/api/v1/proposals?organisation=north-shire", analyst), "/api/v1/proposals", "get", 200)
		conformTo(f.get(petPath, analyst), "/api/v1/proposals/{id}", "get", 200)

		// Paging: one a page, following the cursor.
		rec = f.get(fmt.Sprintf("/api/v1/proposals?board=%d&limit=1", ideas.ID), citizen)
		page1 := decode[proposalList](t, rec, http.StatusOK)
		if page1.Total != 2 || len(page1.Items) != 1 || page1.Items[0].ID != shelter.ID || page1.NextCursor == "" || !strings.Contains(rec.Header().Get("Link"), `rel="next"`) {
			t.Fatalf("page 1 %+v", page1)
		}
		page2 := decode[proposalList](t, f.get(fmt.Sprintf("/api/v1/proposals?board=%d&limit=1&cursor=%s", ideas.ID, page1.NextCursor), citizen), http.StatusOK)
		if len(page2.Items) != 1 || page2.Items[0].ID != fountain.ID || page2.NextCursor != "" {
			t.Errorf("page 2 %+v", page2)
		}
		for target, field := range map[string]string{
			"/api/v1/proposals":                                                        "organisation",
			"/api/v1/proposals?board=abc":                                              "board",
			"/api/v1/proposals?board=99999":                                            "board",
			"/api/v1/proposals?organisation=nowhere":                                   "organisation",
			"/api/v1/proposals?organisation=north-shire&status=done":                   "status",
			"/api/v1/proposals?organisation=north-shire&stage=gone":                    "stage",
			"/api/v1/proposals?organisation=north-shire&cursor=!!":                     "cursor",
			fmt.Sprintf("/api/v1/proposals?organisation=elsewhere&board=%d", ideas.ID): "board",
		} {
			path, _, _ := strings.Cut(target, "?")
			checkProblem(t, f.get(target, citizen), http.StatusBadRequest, path, field)
		}

		// The petition gets its sponsors, a moderator's approval and
		// signatures from areas of the organisation's lookup.
		sponsors := make([]proposal.Signature, 5)
		for i := range sponsors {
			sponsors[i] = proposal.Signature{Name: "Sponsor", Email: fmt.Sprintf("sponsor%d@example.org", i), Postcode: "CF10 2AB",
				Country: "GB", UKResident: true, Sponsor: true}
		}
		if err := s.SeedSignatures(ctx, pet.ID, sponsors); err != nil {
			t.Fatal(err)
		}
		if err := s.ModerateProposal(ctx, pet.ID, proposal.Published, "", moderator); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAreas(ctx, o.ID, []proposal.AreaRow{
			{Prefix: "CF10", Area: proposal.Area{Code: "W01", Name: "Cardiff Central"}},
			{Prefix: "SA1", Area: proposal.Area{Code: "W02", Name: "Swansea West"}},
		}, f.user.ID); err != nil {
			t.Fatal(err)
		}
		var sigs []proposal.Signature
		for i, pc := range []string{"SA1 1AA", "SA1 2BB", "SA1 3CC", "M1 1AA", "CF10 3DE"} {
			sigs = append(sigs, proposal.Signature{Name: "Signer", Email: fmt.Sprintf("signer%d@example.org", i), Postcode: pc, Country: "GB", UKResident: true})
		}
		if err := s.SeedSignatures(ctx, pet.ID, sigs); err != nil {
			t.Fatal(err)
		}
		areas := decode[areasJSON](t, f.get(petPath+"/areas", citizen), http.StatusOK)
		sum := 0
		byCode := map[string]int{}
		for _, a := range areas.Items {
			sum += a.Count
			byCode[a.Code] = a.Count
		}
		if sum != areas.Supporters || areas.Supporters != 11 || byCode["W02"] != 3 || byCode["W01"] != 1 || byCode[""] != 7 { // the first six signed before the lookup was loaded
			t.Errorf("areas %+v", areas)
		}
		conformTo(f.get(petPath+"/areas", otherToken), "/api/v1/proposals/{id}/areas", "get", 200)
		one := decode[proposalJSON](t, f.get(petPath, citizen), http.StatusOK)
		if one.Supporters != 11 || len(one.Areas) != len(areas.Items) || one.Stage != "published" || one.ClosesAt == "" || one.Links.JSON != base+"/proposals/"+fmt.Sprint(pet.ID)+".json" {
			t.Errorf("petition read by a citizen %+v", one)
		}

		// An official answer.
		statusPath := fmt.Sprintf("/api/v1/proposals/%d/status", fountain.ID)
		for who, tok := range map[string]string{"analyst": analyst, "citizen": citizen, "other organisation": otherToken} {
			if rec := f.send("POST", statusPath, tok, `{"status": "planned", "response": {"en": "Yes."}}`); rec.Code != http.StatusForbidden {
				t.Errorf("%s answering: %d", who, rec.Code)
			}
		}
		p := checkProblem(t, f.send("POST", statusPath, f.token, `{"status": "planned"}`), http.StatusUnprocessableEntity, statusPath, "response_en")
		if p.Errors["response_en"] == "The request is not valid." {
			t.Errorf("response_en message is not specific: %+v", p)
		}
		checkProblem(t, f.send("POST", statusPath, f.token, `{"status": "duplicate", "response": {"en": "Same."}}`), http.StatusUnprocessableEntity, statusPath, "status")
		checkProblem(t, f.send("POST", statusPath, f.token, `{"status": "planned", "response": "Yes"}`), http.StatusBadRequest, statusPath)
		rec = f.send("POST", statusPath, f.token, `{"status": "planned", "response": {"en": "We will put in two fountains.", "cy": "Byddwn yn gosod dwy ffynnon."}}`)
		conformTo(rec, "/api/v1/proposals/{id}/status", "post", 200)
		var answered proposalJSON
		_ = json.Unmarshal(rec.Body.Bytes(), &answered)
		if answered.Status != "planned" || answered.Response.CY != "Byddwn yn gosod dwy ffynnon." || answered.StatusAt == "" {
			t.Errorf("answered %+v", answered)
		}
		planned := decode[proposalList](t, f.get("/api/v1/proposals?organisation=north-shire&status=planned", otherToken), http.StatusOK)
		if planned.Total != 1 || planned.Items[0].ID != fountain.ID {
			t.Errorf("planned %+v", planned)
		}
		changesPath := fmt.Sprintf("/api/v1/proposals/%d/status-changes", fountain.ID)
		changes := decode[list[statusChangeJSON]](t, f.get(changesPath, citizen), http.StatusOK)
		if len(changes.Items) != 1 || changes.Items[0].Status != "planned" || changes.Items[0].Response.EN != "We will put in two fountains." {
			t.Errorf("status changes %+v", changes)
		}
		conformTo(f.get(changesPath, citizen), "/api/v1/proposals/{id}/status-changes", "get", 200)
		checkProblem(t, f.get("/api/v1/proposals/0", f.token), http.StatusNotFound, "/api/v1/proposals/0")
		checkProblem(t, f.get("/api/v1/proposals/99999/status-changes", f.token), http.StatusNotFound, "/api/v1/proposals/99999/status-changes")
	})
}
