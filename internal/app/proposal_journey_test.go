package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/jobs"
	"parley/internal/mail/smtptest"
	"parley/internal/proposal"
	"parley/internal/store/storetest"
)

// TestProposalJourney is the end-to-end test of issue 4, through the HTML
// forms and real SMTP: a petitions board made by an editor; a citizen
// proposes a petition; two sponsors sign through the sponsor link and
// confirm by email; a moderator approves it; people sign and confirm by
// their email links (twice, and with a Gmail-style variant of an address,
// counting once); a blocked domain is refused; the threshold is crossed
// and the staff are told; the editor answers and every supporter is
// emailed; signatures from one domain are invalidated in bulk and leave
// the counts. Then on an ideas board two ideas with overlapping
// supporters are merged and the count is their union. It runs on SQLite,
// and on PostgreSQL when PARLEY_TEST_DATABASE_URL is set.
func TestProposalJourney(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { proposalJourney(t) })
	t.Run("postgres", func(t *testing.T) { proposalJourney(t, "--database-url", storetest.PostgresURL(t)) })
}

const (
	pjOrg       = "riverside"
	pjEditor    = "editor@riverside.example"
	pjModerator = "moderator@riverside.example"
	pjAuthor    = "ann@example.org"
)

func proposalJourney(t *testing.T, dbArgs ...string) {
	ctx := context.Background()
	smtp := smtptest.Start(t)
	srvURL, a, srv := journeyServer(t, smtp, dbArgs...)
	defer srv.Close()
	j := &pj{t: t, a: a, smtp: smtp, base: srvURL}

	ad := Admin{Store: a.Store}
	if _, err := ad.CreateOrg(ctx, pjOrg, "Riverside Council", "Cyngor Glan yr Afon", "neutral"); err != nil {
		t.Fatal(err)
	}
	for email, role := range map[string]string{pjEditor: "editor", pjModerator: "moderator"} {
		if _, err := ad.CreateUser(ctx, email, pjOrg, role, false); err != nil {
			t.Fatal(err)
		}
	}
	editor, moderator, author := j.signIn(pjEditor), j.signIn(pjModerator), j.signIn(pjAuthor)
	staff := "/staff/" + pjOrg

	// 1. The editor opens a petitions board: two sponsors, pre-moderation,
	// an answer owed at 4 signatures.
	editor.post(staff+"/boards", url.Values{"kind": {"petitions"}, "title_en": {"Petitions"}, "title_cy": {"Deisebau"},
		"description_en": {"Ask the council to act."}, "moderation": {"pre"}, "accepting": {"yes"},
		"response_threshold": {"4"}, "debate_threshold": {""}, "response_days": {"14"}, "sponsors_needed": {"2"},
		"open_days": {"30"}, "alert_per_hour": {""}, "categories": {"Roads\nParks | Parciau"}}).want(http.StatusSeeOther)
	boards, err := a.Store.Boards(ctx, j.orgID())
	if err != nil || len(boards) != 1 {
		t.Fatalf("boards %+v %v", boards, err)
	}
	board := boards[0]
	if board.Kind != proposal.Petitions || board.SponsorsNeeded != 2 || board.ResponseThreshold != 4 || len(board.Categories) != 2 {
		t.Fatalf("board %+v", board)
	}
	bpath := "/boards/" + strconv.FormatInt(board.ID, 10)

	// 2. A citizen proposes a petition: errors first, then the
	// check-these-first step, then the petition, collecting sponsors.
	author.get(bpath + "/propose").want(http.StatusOK).contains(`name="title"`)
	petition := url.Values{"title": {"Mend the potholes on Mill Lane"}, "body": {"The potholes on **Mill Lane** have been there for a year."},
		"category": {"roads"}, "author_name": {"Ann Jones"}, "postcode": {"SW1A 1AA"}, "country": {"GB"}, "uk_resident": {"yes"}}
	author.post(bpath+"/propose", url.Values{"title": {""}, "body": {""}, "category": {"roads"}}).
		want(http.StatusUnprocessableEntity).contains("govuk-error-summary", `href="#title"`)
	petition.Set("checked", "1")
	created := author.post(bpath+"/propose", petition).want(http.StatusSeeOther)
	ppath := strings.SplitN(created.location, "?", 2)[0]
	pid, err := strconv.ParseInt(strings.TrimPrefix(ppath, "/proposals/"), 10, 64)
	if err != nil {
		t.Fatalf("created at %q", created.location)
	}
	page := author.get(created.location).want(http.StatusOK)
	sponsorLink := regexp.MustCompile(`/sponsor/[A-Za-z0-9_\-]+`).FindString(page.body)
	if sponsorLink == "" {
		t.Fatalf("no sponsor link for the author:\n%s", clipBody(page.body))
	}
	visitor := j.client()
	visitor.get(ppath).want(http.StatusNotFound) // not public while collecting sponsors
	j.wantStage(pid, proposal.Sponsoring)

	// 3. Two sponsors sign through the link and confirm by email: the
	// petition goes to the moderators.
	for _, who := range []string{"ben@example.org", "cat@example.org"} {
		j.sign(j.client(), sponsorLink, who, http.StatusSeeOther)
	}
	for _, who := range []string{"ben@example.org", "cat@example.org"} {
		j.client().get(j.confirmLink(who)).want(http.StatusOK)
	}
	j.wantStage(pid, proposal.Pending)
	moderator.get(staff + "/proposals").want(http.StatusOK).contains("Mend the potholes on Mill Lane")

	// 4. A moderator approves it; it is public and takes signatures.
	moderator.post(staff+"/proposals/"+strconv.FormatInt(pid, 10)+"/moderate", url.Values{"to": {"published"}, "reason": {""}}).want(http.StatusSeeOther)
	j.wantStage(pid, proposal.Published)
	visitor.get(ppath).want(http.StatusOK).contains("Mend the potholes on Mill Lane", ppath+"/sign")
	j.wantCount(pid, 3) // the author and the two sponsors

	// 5. Fraud controls: a form sent at once is refused as too fast; a
	// blocked domain is refused and stores nothing.
	form := visitor.get(ppath + "/sign").want(http.StatusOK)
	fresh := regexp.MustCompile(`name="stamp" value="([^"]+)"`).FindStringSubmatch(form.body)
	if fresh == nil {
		t.Fatal("no stamp on the signature form")
	}
	visitor.post(ppath+"/sign", j.signature("quick@example.org", fresh[1])).want(http.StatusUnprocessableEntity)
	moderator.post(staff+"/petitions/blocks", url.Values{"kind": {"domain"}, "value": {"spam.example"}, "note": {"a bot farm"}}).want(http.StatusSeeOther)
	j.sign(j.client(), ppath+"/sign", "x1@spam.example", http.StatusForbidden)
	j.sign(j.client(), ppath+"/sign", "x2@mail.spam.example", http.StatusForbidden)

	// 6. People sign and confirm. Following a link twice, or signing again
	// with a Gmail-style variant of the same address, counts once.
	j.sign(j.client(), ppath+"/sign", "dee.davies@gmail.com", http.StatusSeeOther)
	j.sign(j.client(), ppath+"/sign", "DeeDavies+petition@googlemail.com", http.StatusSeeOther)
	dee := j.confirmLink("dee.davies@gmail.com")
	visitor.get(dee).want(http.StatusOK)
	visitor.get(dee).want(http.StatusOK)
	j.wantCount(pid, 4)
	// A dry run of an invalidation counts what is stored for an address.
	if n, err := a.Store.InvalidateSignatures(ctx, j.orgID(), proposal.Invalidation{ProposalID: pid, Email: "dee.davies@gmail.com", Reason: "count"}, true, 0); err != nil || n != 1 {
		t.Errorf("%d signatures stored for Dee (%v), want 1", n, err)
	}

	// 7. The threshold is crossed: the staff are emailed a task and the
	// page shows the deadline.
	j.mail(pjEditor, ppath) // the task, linking the petition
	if p, err := a.Store.Proposal(ctx, pid); err != nil || !p.Awaiting() || p.ResponseDue.IsZero() {
		t.Fatalf("after the threshold %+v %v", p, err)
	}

	// 8. The editor answers; every supporter is emailed once.
	spath := staff + "/proposals/" + strconv.FormatInt(pid, 10)
	editor.post(spath+"/status", url.Values{"status": {"planned"}, "response_en": {""}}).want(http.StatusUnprocessableEntity)
	editor.post(spath+"/status", url.Values{"status": {"planned"}, "response_en": {"We will resurface Mill Lane in March."}, "response_cy": {""}}).
		want(http.StatusSeeOther)
	visitor.get(ppath).want(http.StatusOK).contains("We will resurface Mill Lane in March.")
	for _, who := range []string{pjAuthor, "ben@example.org", "cat@example.org", "dee.davies@gmail.com"} {
		j.mail(who, "We will resurface Mill Lane in March.")
	}
	if p, _ := a.Store.Proposal(ctx, pid); p.Status != proposal.Planned || p.RespondedAt.IsZero() || p.Awaiting() {
		t.Errorf("after the answer %+v", p)
	}

	// 9. Two signatures from one domain are invalidated in bulk: a preview
	// first, then they leave the counts.
	for _, who := range []string{"eve@bulk.example", "fay@bulk.example"} {
		j.sign(j.client(), ppath+"/sign", who, http.StatusSeeOther)
		j.client().get(j.confirmLink(who)).want(http.StatusOK)
	}
	j.wantCount(pid, 6)
	inv := url.Values{"proposal": {strconv.FormatInt(pid, 10)}, "domain": {"bulk.example"}, "reason": {"one person, many addresses"}}
	moderator.post(staff+"/petitions/invalidate", inv).want(http.StatusOK).contains("2")
	j.wantCount(pid, 6) // the preview changed nothing
	inv.Set("confirm", "yes")
	moderator.post(staff+"/petitions/invalidate", inv).want(http.StatusSeeOther)
	j.wantCount(pid, 4)

	// 10. Ideas: two with overlapping supporters, merged; the original's
	// count is the union and the duplicate's supporters are told.
	editor.post(staff+"/boards", url.Values{"kind": {"ideas"}, "title_en": {"Ideas"}, "moderation": {"post"}, "accepting": {"yes"},
		"response_threshold": {""}, "debate_threshold": {""}, "response_days": {"28"}, "sponsors_needed": {""}, "open_days": {""},
		"alert_per_hour": {""}, "categories": {""}}).want(http.StatusSeeOther)
	boards, _ = a.Store.Boards(ctx, j.orgID())
	var ideas proposal.Board
	for _, b := range boards {
		if b.Kind == proposal.Ideas {
			ideas = b
		}
	}
	ipath := "/boards/" + strconv.FormatInt(ideas.ID, 10)
	idea := func(c *journeyClient, title string) int64 {
		r := c.post(ipath+"/propose", url.Values{"title": {title}, "body": {"Please do this."}, "author_name": {""}, "checked": {"1"}}).want(http.StatusSeeOther)
		id, err := strconv.ParseInt(strings.TrimPrefix(strings.SplitN(r.location, "?", 2)[0], "/proposals/"), 10, 64)
		if err != nil {
			t.Fatalf("idea at %q", r.location)
		}
		return id
	}
	original := idea(author, "Water fountains in the park")
	bob := j.signIn("bob@example.org")
	duplicate := idea(bob, "Drinking fountains for Riverside park")
	for _, who := range []string{"cy@example.org", "di@example.org"} {
		c := j.signIn(who)
		c.post("/proposals/"+strconv.FormatInt(original, 10)+"/support", nil).want(http.StatusSeeOther)
		c.post("/proposals/"+strconv.FormatInt(duplicate, 10)+"/support", nil).want(http.StatusSeeOther)
	}
	j.wantCount(original, 3)  // ann, cy, di
	j.wantCount(duplicate, 3) // bob, cy, di
	dpath := staff + "/proposals/" + strconv.FormatInt(duplicate, 10)
	moderator.post(dpath+"/merge", url.Values{"into_number": {strconv.FormatInt(original, 10)}}).want(http.StatusOK).
		contains("Water fountains in the park")
	j.wantCount(original, 3) // the confirm step changes nothing
	moderator.post(dpath+"/merge", url.Values{"into_number": {strconv.FormatInt(original, 10)}, "confirm": {"yes"}}).want(http.StatusSeeOther)
	j.wantCount(original, 4) // ann, bob, cy, di: each once
	if d, _ := a.Store.Proposal(ctx, duplicate); d.Status != proposal.Duplicate || d.MergedInto != original {
		t.Errorf("duplicate after the merge %+v", d)
	}
	visitor.get("/proposals/" + strconv.FormatInt(duplicate, 10)).want(http.StatusOK).contains("/proposals/" + strconv.FormatInt(original, 10))
	j.mail("bob@example.org", "/proposals/"+strconv.FormatInt(original, 10)) // told of the merge
}

// pj carries what the proposal journey's steps share.
type pj struct {
	t      *testing.T
	a      *App
	smtp   *smtptest.Server
	base   string
	people int // clients made so far, each from its own loopback address
}

// journeyServer starts the app behind a test server whose address is
// known first, so links in emails point at it.
func journeyServer(t *testing.T, smtp *smtptest.Server, dbArgs ...string) (string, *App, *httptest.Server) {
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	args := append([]string{"--base-url", base, "--page-cache", "0", "--smtp-host", smtp.Host(), "--smtp-port", strconv.Itoa(smtp.Port()),
		"--smtp-tls", "none", "--smtp-from", "parley@test.example"}, dbArgs...)
	a := openApp(t, args...)
	srv.Config.Handler = a.Handler()
	srv.Start()
	return base, a, srv
}

func (j *pj) orgID() int64 {
	o, err := j.a.Store.OrgBySlug(context.Background(), pjOrg)
	if err != nil {
		j.t.Fatal(err)
	}
	return o.ID
}

// runJobs runs the jobs that are due (sending email among them), with a
// sweep of the bulk emails, which the runner's loop would schedule every
// few seconds.
func (j *pj) runJobs() {
	j.t.Helper()
	if err := j.a.Store.Enqueue(context.Background(), jobs.New{Kind: bulkMailJob}); err != nil {
		j.t.Fatal(err)
	}
	if _, err := j.a.Runner.RunDue(context.Background()); err != nil {
		j.t.Fatalf("jobs: %v", err)
	}
}

// mail returns the text of the newest email to an address that contains
// want, running the jobs until one arrives (bulk email goes by a sweep
// every few seconds).
func (j *pj) mail(to, want string) string {
	j.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		j.runJobs()
		msgs := j.smtp.Messages()
		for i := len(msgs) - 1; i >= 0; i-- {
			m := msgs[i]
			if len(m.To) != 1 || !strings.EqualFold(m.To[0], to) {
				continue
			}
			body, err := m.Text()
			if err != nil {
				j.t.Fatal(err)
			}
			if strings.Contains(body, want) {
				return body
			}
		}
		if time.Now().After(deadline) {
			j.t.Fatalf("no email to %s with %q", to, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// client is a new person, from a loopback address of their own.
func (j *pj) client() *journeyClient {
	j.people++
	return newJourneyClientFrom(j.t, j.base, fmt.Sprintf("127.0.%d.%d", j.people/250, 1+j.people%250))
}

// signIn signs a new client in by email link.
func (j *pj) signIn(email string) *journeyClient {
	j.t.Helper()
	c := j.client()
	c.post("/sign-in", url.Values{"email": {email}}).redirect("/sign-in/check-email")
	link := regexp.MustCompile(`/sign-in/link/([A-Za-z0-9_\-]+)`).FindString(j.mail(email, "/sign-in/link/"))
	if link == "" {
		j.t.Fatalf("no sign-in link for %s", email)
	}
	c.get(link).want(http.StatusOK)
	c.post(link, nil).want(http.StatusSeeOther)
	return c
}

// stamp is a form stamp as the server would have made it a minute ago: a
// person takes that long to fill the form in.
func (j *pj) stamp() string {
	key, err := os.ReadFile(filepath.Join(j.a.Config.DataDir, "form.key"))
	if err != nil {
		j.t.Fatal(err)
	}
	return proposal.Stamp(key, time.Now().Add(-time.Minute))
}

func (j *pj) signature(email, stamp string) url.Values {
	return url.Values{"name": {"Signer " + strings.SplitN(email, "@", 2)[0]}, "email": {email}, "postcode": {"CF10 1EP"},
		"country": {"GB"}, "uk_resident": {"yes"}, "stamp": {stamp}}
}

// sign fills in the form at path (a petition's, or a sponsor link) and
// checks the answer's status.
func (j *pj) sign(c *journeyClient, path, email string, status int) {
	j.t.Helper()
	c.get(path).want(http.StatusOK).contains(`name="stamp"`)
	c.post(path, j.signature(email, j.stamp())).want(status)
}

// confirmLink returns the link in the newest confirmation email to an address.
func (j *pj) confirmLink(email string) string {
	j.t.Helper()
	link := regexp.MustCompile(`/signatures/confirm/[A-Za-z0-9_\-]+`).FindString(j.mail(email, "/signatures/confirm/"))
	if link == "" {
		j.t.Fatalf("no confirmation link for %s", email)
	}
	return link
}

func (j *pj) wantStage(id int64, want proposal.Stage) {
	j.t.Helper()
	p, err := j.a.Store.Proposal(context.Background(), id)
	if err != nil || p.Stage != want {
		j.t.Fatalf("proposal %d at %s (%v), want %s", id, p.Stage, err, want)
	}
}

// wantCount checks the public count, as researchers read it from the JSON.
func (j *pj) wantCount(id int64, want int) {
	j.t.Helper()
	r := j.client().get("/proposals/" + strconv.FormatInt(id, 10) + ".json").want(http.StatusOK)
	var doc struct {
		Data struct {
			Attributes struct {
				SignatureCount int `json:"signature_count"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(r.body), &doc); err != nil {
		j.t.Fatal(err)
	}
	if got := doc.Data.Attributes.SignatureCount; got != want {
		j.t.Fatalf("proposal %d counts %d, want %d", id, got, want)
	}
}
