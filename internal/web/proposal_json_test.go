package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"parley/internal/i18n"
	"parley/internal/moderation"
	"parley/internal/org"
	"parley/internal/proposal"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestProposalJSON reads the researchers' JSON of petitions and ideas as
// the petitions site's readers would: one petition with its signatures by
// area, an answered idea in both languages, a board's list page by page,
// 404 for what is not published, 304 for what the client has, and the
// few seconds' cache.
func TestProposalJSON(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, st *store.Store, clock *storetest.Clock) {
		ctx := context.Background()
		cat, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		now := clock.Now
		srv, err := New(Options{Store: st, Sessions: st.Sessions(), Catalogue: cat, BaseURL: "https://parley.example/", Brand: "neutral",
			SiteName: "Parley", SessionTTL: time.Hour, SignInLinkTTL: time.Minute, MaxBodyBytes: 1 << 20, PageCacheTTL: 5 * time.Second, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		h := srv.Handler()
		get := func(target string, header ...string) *httptest.ResponseRecorder {
			t.Helper()
			req := httptest.NewRequest(http.MethodGet, target, nil)
			for i := 0; i+1 < len(header); i += 2 {
				req.Header.Set(header[i], header[i+1])
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}
		type doc struct {
			Links map[string]*string `json:"links"`
			Data  petitionData       `json:"data"`
		}
		type listDoc struct {
			Links listLinks      `json:"links"`
			Meta  listMeta       `json:"meta"`
			Data  []petitionData `json:"data"`
		}
		read := func(target string, v any) *httptest.ResponseRecorder {
			t.Helper()
			rec := get(target)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("%s: Content-Type %q", target, ct)
			}
			if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
				t.Fatalf("%s: %v", target, err)
			}
			return rec
		}

		o, err := st.CreateOrg(ctx, org.Organisation{Slug: "north-shire", NameEN: "North Shire", NameCY: "Gogledd Swydd"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		author, _ := st.EnsureUser(ctx, "author@example.org")
		staff, _ := st.AddStaff(ctx, o.ID, "mod@north-shire.example", "admin", 0)
		if err := st.SetAreas(ctx, o.ID, []proposal.AreaRow{
			{Prefix: "CF10", Area: proposal.Area{Code: "W01", Name: "Cardiff Central"}},
			{Prefix: "SA1", Area: proposal.Area{Code: "W02", Name: "Swansea West"}},
		}, staff.ID); err != nil {
			t.Fatal(err)
		}
		pb, err := st.CreateBoard(ctx, proposal.Board{OrgID: o.ID, Kind: proposal.Petitions, TitleEN: "Petitions", Moderation: proposal.PreModeration,
			Accepting: true, ResponseThreshold: 5, DebateThreshold: 100, SponsorsNeeded: 2, OpenDays: 182, ResponseDays: 28,
			Categories: []proposal.Category{{Slug: "rail", NameEN: "Rail", NameCY: "Rheilffyrdd"}}}, staff.ID)
		if err != nil {
			t.Fatal(err)
		}
		sig := func(i int, pc string, sponsor bool) proposal.Signature {
			return proposal.Signature{Name: "Signer", Email: fmt.Sprintf("s%d@example.org", i), Postcode: pc, Country: "GB", UKResident: true, Sponsor: sponsor}
		}
		petition := func(title string) proposal.Proposal {
			t.Helper()
			p, err := st.CreateProposal(ctx, proposal.Proposal{BoardID: pb.ID, AuthorID: author.ID, AuthorName: "Ann Author", Title: title,
				Body: "Cap fares at 2019 levels.\n\nSeason tickets rose faster than wages.", Category: "rail"},
				&proposal.Signature{Name: "Ann Author", Email: "author@example.org", Postcode: "CF10 1AA", Country: "GB", UKResident: true})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		fares, sponsoring := petition("Cap rail fares"), petition("Collecting sponsors")
		if err := st.SeedSignatures(ctx, fares.ID, []proposal.Signature{sig(1, "CF10 2AA", true), sig(2, "CF10 2AB", true)}); err != nil {
			t.Fatal(err)
		}
		if err := st.ModerateProposal(ctx, fares.ID, proposal.Published, "", staff.ID); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
		if err := st.SeedSignatures(ctx, fares.ID, []proposal.Signature{sig(3, "SA1 1AA", false), sig(4, "SA1 2AA", false), sig(5, "M1 1AA", false)}); err != nil {
			t.Fatal(err)
		}

		var d doc
		path := fmt.Sprintf("/proposals/%d.json", fares.ID)
		rec := read(path, &d)
		a := d.Data.Attributes
		if d.Data.Type != "petition" || d.Data.ID != fares.ID || *d.Links["self"] != "https://parley.example"+path || d.Data.Links.Self != *d.Links["self"] {
			t.Errorf("petition document %+v", d)
		}
		if a.Action != "Cap rail fares" || a.Background != "Cap fares at 2019 levels." || a.AdditionalDetails != "Season tickets rose faster than wages." ||
			a.State != "open" || a.SignatureCount != 6 || a.OpenedAt == nil || a.ClosingAt == nil || a.ClosedAt != nil ||
			a.ResponseThresholdReachedAt == nil || a.ResponseDueAt == nil || a.GovernmentResponse != nil || a.DebateThresholdReachedAt != nil ||
			*a.Category != "rail" || *a.CategoryName != "Rail" || *a.CreatorName != "Ann Author" {
			t.Errorf("petition attributes %+v", a)
		}
		areas := map[string]int{}
		sum := 0
		for _, c := range a.SignaturesByArea {
			areas[c.Code] += c.SignatureCount
			sum += c.SignatureCount
		}
		if sum != a.SignatureCount || areas["W01"] != 3 || areas["W02"] != 2 || areas[""] != 1 {
			t.Errorf("signatures by area %+v", a.SignaturesByArea)
		}
		for k, want := range map[string]string{"Cache-Control": "public, max-age=10", "Access-Control-Allow-Origin": "*"} {
			if got := rec.Header().Get(k); got != want {
				t.Errorf("%s: %q, want %q", k, got, want)
			}
		}
		etag := rec.Header().Get("ETag")
		if r := get(path, "If-None-Match", etag); r.Code != http.StatusNotModified || r.Body.Len() != 0 {
			t.Errorf("If-None-Match: %d %q", r.Code, r.Body)
		}

		// Not published, or nothing at all: 404 in JSON.
		for _, target := range []string{fmt.Sprintf("/proposals/%d.json", sponsoring.ID), "/proposals/99999.json", "/boards/99999.json"} {
			r := get(target)
			if r.Code != http.StatusNotFound || r.Header().Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("%s: %d %s %q", target, r.Code, r.Header().Get("Content-Type"), r.Body)
			}
		}
		if r := get(fmt.Sprintf("/boards/%d.json?page=0", pb.ID)); r.Code != http.StatusBadRequest {
			t.Errorf("page 0: %d", r.Code)
		}

		// An idea, answered, in English and Welsh; the cached document
		// stays for a few seconds, then shows the answer.
		ib, err := st.CreateBoard(ctx, proposal.Board{OrgID: o.ID, Kind: proposal.Ideas, TitleEN: "Ideas", Moderation: proposal.PostModeration,
			Accepting: true, ResponseDays: 28}, staff.ID)
		if err != nil {
			t.Fatal(err)
		}
		// 52 ideas in a minute from one account is what the signals hold.
		if err := st.SetStanding(ctx, o.ID, author.ID, moderation.Trusted, staff.ID); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i := range 52 {
			p, err := st.CreateProposal(ctx, proposal.Proposal{BoardID: ib.ID, AuthorID: author.ID, Title: fmt.Sprintf("Idea %d", i+1), Body: "Why."}, nil)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, p.ID)
		}
		ideaPath := fmt.Sprintf("/proposals/%d.json", ids[0])
		read(ideaPath, &d)
		if d.Data.Type != "idea" || d.Data.Attributes.Status != "open" || d.Data.Attributes.SignatureCount != 1 || d.Data.Attributes.Category != nil {
			t.Errorf("idea %+v", d.Data)
		}
		if _, err := st.SetProposalStatus(ctx, proposal.StatusChange{ProposalID: ids[0], Status: proposal.Completed,
			ResponseEN: "Done.\n\nWe built it in May.", ResponseCY: "Wedi'i wneud.\n\nFe'i hadeiladwyd ym mis Mai.", ActorID: staff.ID}); err != nil {
			t.Fatal(err)
		}
		read(ideaPath, &d)
		if d.Data.Attributes.Status != "open" {
			t.Errorf("the cached document changed at once: %+v", d.Data.Attributes)
		}
		clock.Advance(6 * time.Second)
		read(ideaPath, &d)
		a = d.Data.Attributes
		if a.Status != "completed" || a.State != "closed" || a.ClosedAt == nil || a.GovernmentResponse == nil ||
			a.GovernmentResponse.Summary != "Done." || a.GovernmentResponse.Details != "Done.\n\nWe built it in May." ||
			a.GovernmentResponse.RespondedOn != clock.Now().UTC().Format(time.DateOnly) || a.GovernmentResponseAt == nil {
			t.Errorf("answered idea %+v %+v", a, a.GovernmentResponse)
		}
		read(ideaPath+"?lang=cy", &d)
		if d.Data.Attributes.GovernmentResponse == nil || d.Data.Attributes.GovernmentResponse.Summary != "Wedi'i wneud." {
			t.Errorf("Welsh response %+v", d.Data.Attributes.GovernmentResponse)
		}

		// A board's list, 50 a page, newest first.
		var l listDoc
		boardPath := fmt.Sprintf("/boards/%d.json", ib.ID)
		read(boardPath, &l)
		if len(l.Data) != 50 || l.Meta.Count != 52 || l.Data[0].ID != ids[51] || l.Links.Next == nil || l.Links.Prev != nil ||
			*l.Links.Next != "https://parley.example"+boardPath+"?page=2" || l.Links.Last != *l.Links.Next || l.Links.First != "https://parley.example"+boardPath ||
			l.Data[0].Attributes.SignaturesByArea != nil || l.Meta.Board.Kind != "ideas" {
			t.Errorf("page 1: %d items, meta %+v, links %+v", len(l.Data), l.Meta, l.Links)
		}
		read(*l.Links.Next, &l)
		if len(l.Data) != 2 || l.Data[1].ID != ids[0] || l.Links.Next != nil || l.Links.Prev == nil || *l.Links.Prev != "https://parley.example"+boardPath {
			t.Errorf("page 2: %d items, links %+v", len(l.Data), l.Links)
		}
		read(boardPath+"?state=with_response", &l)
		if len(l.Data) != 1 || l.Data[0].ID != ids[0] || l.Links.Self != "https://parley.example"+boardPath+"?state=with_response" {
			t.Errorf("with_response: %d items, links %+v", len(l.Data), l.Links)
		}
		read(fmt.Sprintf("/boards/%d.json", pb.ID), &l)
		if len(l.Data) != 1 || l.Data[0].ID != fares.ID || l.Data[0].Attributes.SignatureCount != 6 {
			t.Errorf("petitions board lists %+v", l.Data)
		}
	})
}
