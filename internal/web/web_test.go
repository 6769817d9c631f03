package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/conversation"
	"parley/internal/i18n"
	"parley/internal/listening"
	"parley/internal/org"
	"parley/internal/store"
	"parley/internal/store/storetest"
	"parley/internal/web"
	"parley/internal/web/htmlcheck"
)

var ctx = context.Background()

// site is a web server on a real store, with demo-like data.
type site struct {
	t     testing.TB
	srv   *httptest.Server
	store *store.Store
	org   org.Organisation
}

func newSite(t testing.TB, d store.Dialect, opts ...func(*web.Options)) *site {
	t.Helper()
	st := storetest.Open(t, d, nil)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	o, err := st.CreateOrg(ctx, org.Organisation{Slug: "north-shire", NameEN: "North Shire Council", NameCY: "Cyngor Gogledd Swydd"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, store: st, org: o}
	s.srv = httptest.NewUnstartedServer(nil)
	o2 := web.Options{
		Store: st, Sessions: st.Sessions(), Catalogue: cat, BaseURL: "http://" + s.srv.Listener.Addr().String(),
		Brand: "neutral", SiteName: "Parley", DevOutbox: true, SessionTTL: time.Hour, SignInLinkTTL: 15 * time.Minute,
		MaxBodyBytes: 1 << 20,
	}
	for _, f := range opts {
		f(&o2)
	}
	w, err := web.New(o2)
	if err != nil {
		t.Fatal(err)
	}
	s.srv.Config.Handler = w.Handler()
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s
}

// client is a browser-like client: cookies, no redirects followed, and the
// site's own Origin on every POST.
func (s *site) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (s *site) get(c *http.Client, path string) (int, string, http.Header) {
	s.t.Helper()
	resp, err := c.Get(s.srv.URL + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (s *site) post(c *http.Client, path string, form url.Values, origin string) (int, string, http.Header) {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin == "" {
		origin = s.srv.URL
	}
	req.Header.Set("Origin", origin)
	resp, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

var linkPattern = regexp.MustCompile(`/sign-in/link/[A-Za-z0-9_\-]+`)

// signIn signs in by email link as a real visitor would, reading the link
// from the outbox.
func (s *site) signIn(c *http.Client, email string) {
	s.t.Helper()
	if code, _, h := s.post(c, "/sign-in", url.Values{"email": {email}}, ""); code != http.StatusSeeOther || h.Get("Location") != "/sign-in/check-email" {
		s.t.Fatalf("sign-in POST: %d %s", code, h.Get("Location"))
	}
	msgs, err := s.store.Outbox(ctx, 1)
	if err != nil || len(msgs) == 0 {
		s.t.Fatalf("no email: %v", err)
	}
	link := linkPattern.FindString(msgs[0].Body)
	if link == "" {
		s.t.Fatalf("no link in %q", msgs[0].Body)
	}
	if code, _, _ := s.get(c, link); code != http.StatusOK {
		s.t.Fatalf("link page: %d", code)
	}
	if code, _, _ := s.post(c, link, nil, ""); code != http.StatusSeeOther {
		s.t.Fatalf("using the link: %d", code)
	}
}

func TestPublicPagesInBothLanguages(t *testing.T) {
	s := newSite(t, store.SQLite)
	c := s.client()
	for _, path := range []string{"/", "/organisations/north-shire", "/sign-in", "/accessibility", "/privacy", "/cookies", "/dev/outbox"} {
		for _, lang := range i18n.Langs {
			code, body, h := s.get(c, path+"?lang="+lang)
			if code != http.StatusOK {
				t.Errorf("%s (%s): status %d", path, lang, code)
				continue
			}
			doc := htmlcheck.Parse(t, body)
			if got := doc.Attr("html", "lang"); got != lang {
				t.Errorf("%s: lang %q, want %q", path, got, lang)
			}
			if doc.Count("h1") != 1 {
				t.Errorf("%s (%s): %d h1 elements", path, lang, doc.Count("h1"))
			}
			if doc.Count("a.govuk-skip-link[href='#main-content']") != 1 || doc.Count("main#main-content") != 1 {
				t.Errorf("%s: no skip link to main", path)
			}
			nonce := doc.Attr("script[nonce]", "nonce")
			if csp := h.Get("Content-Security-Policy"); nonce == "" || !strings.Contains(csp, "'nonce-"+nonce+"'") {
				t.Errorf("%s: CSP %q does not allow the page's nonce %q", path, csp, nonce)
			}
			if strings.Contains(body, "MISSING") || regexp.MustCompile(`>[a-z_]+\.[a-z_.]+<`).MatchString(body) {
				t.Errorf("%s (%s): untranslated message ID in page", path, lang)
			}
		}
	}
	_, body, _ := s.get(c, "/organisations/north-shire?lang=cy")
	if !strings.Contains(body, "Cyngor Gogledd Swydd") {
		t.Error("Welsh name not shown")
	}
}

func TestErrorPages(t *testing.T) {
	s := newSite(t, store.SQLite)
	for _, tc := range []struct {
		path string
		code int
		h1   string
	}{
		{"/no/such/page", 404, "Page not found"},
		{"/organisations/nobody", 404, "Page not found"},
		{"/no/such/page?lang=cy", 404, "Heb ddod o hyd i’r dudalen"},
		{"/static/nothing.css", 404, "Page not found"},
	} {
		code, body, _ := s.get(s.client(), tc.path)
		if code != tc.code || htmlcheck.Parse(t, body).Text("h1") != tc.h1 {
			t.Errorf("%s: %d %q", tc.path, code, htmlcheck.Parse(t, body).Text("h1"))
		}
	}
}

func TestSignInByEmailLink(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			s := newSite(t, d)
			c := s.client()
			s.signIn(c, "Citizen@Example.org")
			_, body, _ := s.get(c, "/account")
			doc := htmlcheck.Parse(t, body)
			if !strings.Contains(doc.Text(".govuk-summary-list__value"), "citizen@example.org") {
				t.Errorf("account page does not show the email: %q", doc.Text("main"))
			}
			if doc.Text(".govuk-notification-banner__heading") != "You are signed in." {
				t.Errorf("flash %q", doc.Text(".govuk-notification-banner__heading"))
			}
			// The link works once.
			msgs, _ := s.store.Outbox(ctx, 1)
			link := linkPattern.FindString(msgs[0].Body)
			if code, _, _ := s.post(s.client(), link, nil, ""); code != http.StatusGone {
				t.Errorf("second use: %d", code)
			}
			if code, _, h := s.post(c, "/sign-out", nil, ""); code != http.StatusSeeOther || h.Get("Location") != "/" {
				t.Errorf("sign out: %d", code)
			}
			if code, _, h := s.get(c, "/account"); code != http.StatusSeeOther || h.Get("Location") != "/sign-in" {
				t.Errorf("account after sign-out: %d %s", code, h.Get("Location"))
			}
		})
	}
}

func TestSignInReturnsToWhereYouWere(t *testing.T) {
	s := newSite(t, store.SQLite)
	c := s.client()
	s.get(c, "/sign-in?return=/organisations/north-shire")
	s.post(c, "/sign-in", url.Values{"email": {"a@example.org"}}, "")
	msgs, _ := s.store.Outbox(ctx, 1)
	link := linkPattern.FindString(msgs[0].Body)
	_, _, h := s.post(c, link, nil, "")
	if h.Get("Location") != "/organisations/north-shire" {
		t.Errorf("went to %q", h.Get("Location"))
	}
	c2 := s.client()
	s.get(c2, "/sign-in?return=//evil.example/")
	s.signIn(c2, "b@example.org")
	// signIn checked the redirect happened; the open redirect must not.
}

func TestSignInValidation(t *testing.T) {
	s := newSite(t, store.SQLite)
	for _, tc := range []struct{ email, lang, msg string }{
		{"", "en", "Enter your email address"},
		{"not an email", "en", "Enter an email address in the correct format, like name@example.com"},
		{"", "cy", "Rhowch eich cyfeiriad e-bost"},
	} {
		c := s.client()
		s.get(c, "/?lang="+tc.lang)
		code, body, _ := s.post(c, "/sign-in", url.Values{"email": {tc.email}}, "")
		doc := htmlcheck.Parse(t, body)
		if code != http.StatusUnprocessableEntity {
			t.Errorf("%q: status %d", tc.email, code)
		}
		if got := doc.Text(".govuk-error-summary__list a[href='#email']"); got != tc.msg {
			t.Errorf("%q: summary %q, want %q", tc.email, got, tc.msg)
		}
		if !strings.Contains(doc.Text("#email-error"), tc.msg) || doc.Count("input#email.govuk-input--error") != 1 {
			t.Errorf("%q: inline error missing", tc.email)
		}
		if !strings.HasPrefix(doc.Text("title"), "Error:") && !strings.HasPrefix(doc.Text("title"), "Gwall:") {
			t.Errorf("title %q lacks the error prefix", doc.Text("title"))
		}
		if doc.Attr("input#email", "value") != tc.email {
			t.Errorf("entered value not kept")
		}
	}
}

func TestSignInIsRateLimited(t *testing.T) {
	s := newSite(t, store.SQLite)
	c := s.client()
	limited := false
	for i := range 15 {
		code, _, h := s.post(c, "/sign-in", url.Values{"email": {"x" + string(rune('a'+i)) + "@example.org"}}, "")
		if code == http.StatusTooManyRequests {
			limited = h.Get("Retry-After") != ""
			break
		}
	}
	if !limited {
		t.Error("15 sign-in requests from one address were all accepted")
	}
	// One address cannot be flooded with links either.
	c2 := s.client()
	codes := []int{}
	for range 5 {
		code, _, _ := s.post(c2, "/sign-in", url.Values{"email": {"victim@example.org"}}, "")
		codes = append(codes, code)
	}
	if codes[len(codes)-1] != http.StatusTooManyRequests {
		t.Errorf("per-email limit: %v", codes)
	}
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	s := newSite(t, store.SQLite)
	c := s.client()
	for _, path := range []string{"/sign-in", "/sign-out", "/organisations/north-shire/follow", "/staff/north-shire/people", "/account/name"} {
		code, _, _ := s.post(c, path, url.Values{"email": {"a@example.org"}}, "https://attacker.example")
		if code != http.StatusForbidden {
			t.Errorf("%s: cross-origin POST got %d", path, code)
		}
	}
	if code, _, _ := s.post(c, "/sign-in", url.Values{"email": {"a@example.org"}}, ""); code == http.StatusForbidden {
		t.Error("same-origin POST refused")
	}
}

func TestEveryStaffRouteAgainstEveryRole(t *testing.T) {
	var srv *web.Server
	docs := t.TempDir()
	s := newSite(t, store.SQLite, func(o *web.Options) { o.SignInBurst = 100; o.Feeds = fakeFeeds{}; o.DocumentDir = docs })
	cat, _ := i18n.Load()
	srv, err := web.New(web.Options{Store: s.store, Sessions: s.store.Sessions(), Catalogue: cat, Brand: "neutral", SessionTTL: time.Hour, MaxBodyBytes: 1 << 20, DocumentDir: docs})
	if err != nil {
		t.Fatal(err)
	}
	srv.Handler()
	routes := srv.StaffRoutes()
	if len(routes) < 5 {
		t.Fatalf("only %d staff routes registered", len(routes))
	}
	other, _ := s.store.CreateOrg(ctx, org.Organisation{Slug: "elsewhere", NameEN: "Elsewhere"}, 0)
	type who struct {
		name  string
		email string
		role  account.Role // in s.org; "" for none
	}
	people := []who{{"admin", "admin@x.example", account.RoleAdmin}}
	for _, r := range account.Roles[1:] {
		people = append(people, who{string(r), string(r) + "@x.example", r})
	}
	people = append(people, who{"citizen", "citizen@x.example", ""}, who{"admin-elsewhere", "other@x.example", ""})
	clients := map[string]*http.Client{}
	for _, p := range people {
		if p.role != "" {
			if _, err := s.store.AddStaff(ctx, s.org.ID, p.email, p.role, 0); err != nil {
				t.Fatal(err)
			}
		}
		if p.name == "admin-elsewhere" {
			s.store.AddStaff(ctx, other.ID, p.email, account.RoleAdmin, 0)
		}
		clients[p.name] = s.client()
		s.signIn(clients[p.name], p.email)
	}
	clients["anonymous"] = s.client()
	target, _ := s.store.AddStaff(ctx, s.org.ID, "target@x.example", account.RoleAnalyst, 0)
	// A closed conversation with a statement awaiting moderation: each
	// staff request below moves it on, and it is put back after.
	conv, err := s.store.CreateConversation(ctx, conversation.Conversation{OrgID: s.org.ID, TitleEN: "Parks", QuestionEN: "What next?",
		Status: conversation.Open, Moderation: conversation.PreModeration, Anonymous: true}, []string{"More trees"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	pending, err := s.store.AddStatement(ctx, conv.ID, conversation.Participant{ExternalID: "p1"}, "Fewer cars")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.SetConversationStatus(ctx, conv.ID, conversation.Closed, 0); err != nil {
		t.Fatal(err)
	}
	// Listening: a feed, a rule and a mention; deleting routes are given
	// new ones to delete after each success.
	lf, rule, mention := listeningFixture(t, s.store, s.org.ID)
	hooks := 0
	newHook := func() listening.Webhook {
		hooks++
		h, err := s.store.CreateWebhook(ctx, listening.Webhook{OrgID: s.org.ID, URL: "https://cases.example/hooks/" + strconv.Itoa(hooks)}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	// Consultations: a draft (questions change only in drafts) and a
	// closed one with a response, two themes, a document and a scan.
	cf := newRouteConsultations(t, s.store, s.org.ID, docs)
	// Proposals: a petitions board with two published petitions (one to
	// moderate, answer and merge, one to merge into), a comment and a block.
	pf := newRouteProposals(t, s.store, s.org.ID)
	// Measurement: a dataset to revoke and download, a unit cost to delete.
	mf := newRouteMeasures(t, s.store, s.org.ID)
	// Moderation: an open item to decide and an appealed one.
	citizen, err := s.store.UserByEmail(ctx, "citizen@x.example")
	if err != nil {
		t.Fatal(err)
	}
	modf := newRouteModeration(t, s.store, s.org.ID, citizen.ID)
	posts := 0
	hook := newHook()
	for _, rt := range routes {
		for _, name := range []string{"admin", "editor", "moderator", "analyst", "citizen", "admin-elsewhere", "anonymous"} {
			id := conv.ID
			switch {
			case strings.HasPrefix(rt.Pattern, "/staff/{org}/listening/mentions/"):
				id = mention.ID
			case strings.HasPrefix(rt.Pattern, "/staff/{org}/listening/feeds/"):
				id = lf.ID
			case strings.HasPrefix(rt.Pattern, "/staff/{org}/listening/rules/"):
				id = rule.ID
			case strings.HasPrefix(rt.Pattern, "/staff/{org}/listening/webhooks/"):
				id = hook.ID
			}
			consulting := strings.HasPrefix(rt.Pattern, "/staff/{org}/consultations/{id}")
			if consulting {
				id = cf.id(rt.Pattern)
			}
			proposing := pf.owns(rt.Pattern)
			if proposing {
				id = pf.id(rt.Pattern)
			}
			measuring := mf.owns(rt.Pattern)
			if measuring {
				id = mf.id(rt.Pattern)
			}
			moderating := modf.owns(rt.Pattern)
			if moderating {
				id = modf.id(rt.Pattern)
			}
			path := strings.NewReplacer("{org}", s.org.Slug, "{user}", itoa(target.ID), "{id}", itoa(id), "{statement}", itoa(pending.ID),
				"{question}", itoa(cf.question), "{doc}", itoa(cf.doc(rt.Pattern)), "{response}", itoa(cf.response), "{theme}", itoa(cf.theme)).Replace(rt.Pattern)
			status := "open"
			if strings.HasPrefix(rt.Pattern, "/staff/{org}/listening/") {
				status = "relevant"
			}
			var code int
			if rt.Method == "GET" {
				code, _, _ = s.get(clients[name], path)
			} else {
				posts++
				// A harmless body: the role form keeps the target an analyst.
				form := url.Values{"role": {"analyst"}, "email": {"new@x.example"}, "subject": {"News"}, "body": {"Some news"},
					"title_en": {"Roads"}, "question_en": {"Which first?"}, "moderation": {"post"}, "statements": {"Fix the A1"},
					"status": {status}, "decision": {"approved"}, "response": {"Thank you."},
					"url": {"https://news.example/feed/" + strconv.Itoa(posts)}, "name": {"Roads"}, "query": {"road OR roads"}, "alert": {"none"},
					"summary_en": {"Roads"}, "kind": {"text"}, "text_en": {"Which roads?"}, "direction": {"up"}, "from": {itoa(cf.other)}, "q": {"potholes"}}
				if proposing {
					pf.fill(form, rt.Pattern)
				}
				if measuring {
					mf.fill(form, rt.Pattern)
				}
				if moderating {
					modf.fill(form, rt.Pattern)
				}
				code, _, _ = s.post(clients[name], path, form, "")
			}
			if code == http.StatusSeeOther && rt.Method == "POST" && consulting {
				cf.restore(t, rt.Pattern)
			}
			if code == http.StatusSeeOther && rt.Method == "POST" && proposing {
				pf.restore(t, rt.Pattern)
			}
			if code == http.StatusSeeOther && rt.Method == "POST" && measuring {
				mf.restore(t, rt.Pattern)
			}
			if code == http.StatusSeeOther && rt.Method == "POST" && moderating {
				modf.restore(t, rt.Pattern)
			}
			if code == http.StatusSeeOther && rt.Method == "POST" {
				switch rt.Pattern {
				case "/staff/{org}/listening/feeds/{id}/delete":
					lf, _, _ = listeningFixture(t, s.store, s.org.ID)
				case "/staff/{org}/listening/rules/{id}/delete":
					_, rule, _ = listeningFixture(t, s.store, s.org.ID)
				case "/staff/{org}/listening/webhooks/{id}/delete":
					hook = newHook()
				}
			}
			var want []int
			switch {
			case name == "anonymous" && rt.Method == "GET":
				want = []int{http.StatusSeeOther}
			case name == "anonymous":
				want = []int{http.StatusUnauthorized}
			case name == "citizen" || name == "admin-elsewhere":
				want = []int{http.StatusForbidden}
			case account.Role(name).Grants(rt.Perm) && rt.Method == "POST" && rt.Pattern == "/staff/{org}/conversations/import":
				want = []int{http.StatusBadRequest} // let through, but a form is not an upload
			case account.Role(name).Grants(rt.Perm) && rt.Method == "POST" && rt.Pattern == "/staff/{org}/listening/feeds/import":
				want = []int{http.StatusUnprocessableEntity} // let through, but a form is not an upload
			case account.Role(name).Grants(rt.Perm) && rt.Method == "POST" && rt.Pattern == "/staff/{org}/listening/mentions/{id}/attach":
				want = []int{http.StatusUnprocessableEntity} // let through; the body names no consultation
			case account.Role(name).Grants(rt.Perm) && rt.Method == "POST" && consultationUploads[rt.Pattern]:
				want = []int{http.StatusUnprocessableEntity} // let through, but a form is not an upload
			case account.Role(name).Grants(rt.Perm) && rt.Method == "POST" && rt.Pattern == "/staff/{org}/measures/import":
				want = []int{http.StatusUnprocessableEntity} // let through, but a form is not an upload
			case account.Role(name).Grants(rt.Perm) && rt.Method == "POST" && rt.Pattern == "/staff/{org}/petitions/areas":
				want = []int{http.StatusUnprocessableEntity} // let through, but a form is not an upload
			case account.Role(name).Grants(rt.Perm) && rt.Method == "POST" && rt.Pattern == "/staff/{org}/consultations/{id}/outcome":
				want = []int{http.StatusUnprocessableEntity} // let through; the body has no outcome in it
			case account.Role(name).Grants(rt.Perm):
				want = []int{http.StatusOK, http.StatusSeeOther}
			default:
				want = []int{http.StatusForbidden}
			}
			ok := false
			for _, w := range want {
				ok = ok || code == w
			}
			if !ok {
				t.Errorf("%s %s as %s: %d, want %v", rt.Method, rt.Pattern, name, code, want)
			}
			if rt.Pattern == "/staff/{org}/conversations/{id}/status" && code == http.StatusSeeOther {
				if err := s.store.SetConversationStatus(ctx, conv.ID, conversation.Closed, 0); err != nil {
					t.Fatal(err)
				}
			}
			// Put the target back for the next request.
			if rt.Pattern == "/staff/{org}/people/{user}/remove" && code == http.StatusSeeOther {
				s.store.AddStaff(ctx, s.org.ID, "target@x.example", account.RoleAnalyst, 0)
			}
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestStaffManagement(t *testing.T) {
	s := newSite(t, store.SQLite)
	s.store.AddStaff(ctx, s.org.ID, "boss@x.example", account.RoleAdmin, 0)
	c := s.client()
	s.signIn(c, "boss@x.example")
	code, body, _ := s.post(c, "/staff/north-shire/people", url.Values{"email": {"bad"}, "role": {""}}, "")
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Count(".govuk-error-summary__list li") != 2 {
		t.Errorf("invalid add: %d, %d errors", code, doc.Count(".govuk-error-summary__list li"))
	}
	if code, _, _ := s.post(c, "/staff/north-shire/people", url.Values{"email": {"New@x.example"}, "role": {"editor"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("add: %d", code)
	}
	_, body, _ = s.get(c, "/staff/north-shire/people")
	doc = htmlcheck.Parse(t, body)
	if !strings.Contains(doc.Text("table"), "new@x.example") || doc.Text(".govuk-notification-banner__heading") == "" {
		t.Errorf("new staff member not listed")
	}
	boss, _ := s.store.UserByEmail(ctx, "boss@x.example")
	code, body, _ = s.post(c, "/staff/north-shire/people/"+itoa(boss.ID)+"/remove", nil, "")
	if code != http.StatusUnprocessableEntity || !strings.Contains(htmlcheck.Parse(t, body).Text(".govuk-error-summary"), "at least one admin") {
		t.Errorf("removing the last admin: %d", code)
	}
	_, body, _ = s.get(c, "/staff/north-shire/audit")
	if !strings.Contains(body, "staff.add") {
		t.Error("audit log does not show the addition")
	}
}

func TestFollowAndUnsubscribe(t *testing.T) {
	s := newSite(t, store.SQLite)
	c := s.client()
	if code, _, h := s.post(c, "/organisations/north-shire/follow", nil, ""); code != http.StatusSeeOther || h.Get("Location") != "/sign-in" {
		t.Errorf("anonymous follow: %d %s", code, h.Get("Location"))
	}
	s.signIn(c, "follower@example.org")
	if code, _, _ := s.post(c, "/organisations/north-shire/follow", nil, ""); code != http.StatusSeeOther {
		t.Fatalf("follow: %d", code)
	}
	_, body, _ := s.get(c, "/account")
	if !strings.Contains(body, "North Shire Council") {
		t.Error("followed organisation not on account page")
	}
	u, _ := s.store.UserByEmail(ctx, "follower@example.org")
	subs, _ := s.store.Subscriptions(ctx, u.ID)
	anon := s.client()
	if code, body, _ := s.get(anon, "/unsubscribe/"+subs[0].Token); code != 200 || !strings.Contains(body, "Unsubscribe") {
		t.Errorf("unsubscribe page: %d", code)
	}
	if ok, _ := s.store.IsSubscribed(ctx, u.ID, "org", s.org.ID); !ok {
		t.Error("GET unsubscribed (a link scanner would do that)")
	}
	if code, _, _ := s.post(anon, "/unsubscribe/"+subs[0].Token, nil, ""); code != 200 {
		t.Errorf("unsubscribe: %d", code)
	}
	if ok, _ := s.store.IsSubscribed(ctx, u.ID, "org", s.org.ID); ok {
		t.Error("still subscribed")
	}
}

func TestLogsCarryNoPersonalData(t *testing.T) {
	var logs strings.Builder
	s := newSite(t, store.SQLite, func(o *web.Options) { o.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	c := s.client()
	s.signIn(c, "private.person@example.org")
	s.post(c, "/account/name", url.Values{"display_name": {"Private Person"}}, "")
	s.get(c, "/unsubscribe/secret-token-value")
	msgs, _ := s.store.Outbox(ctx, 1)
	token := strings.TrimPrefix(linkPattern.FindString(msgs[0].Body), "/sign-in/link/")
	out := logs.String()
	if !strings.Contains(out, "route=") {
		t.Fatalf("nothing logged: %q", out)
	}
	for _, secret := range []string{"private.person", "Private Person", token, "secret-token-value", "127.0.0.1"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
}

func TestStaticAssetsAreCachedAndCompressed(t *testing.T) {
	s := newSite(t, store.SQLite)
	req, _ := http.NewRequest("GET", s.srv.URL+"/static/parley.js", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age") {
		t.Errorf("static headers %v", resp.Header)
	}
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	resp2, _ := http.DefaultTransport.RoundTrip(req)
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: %d", resp2.StatusCode)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	s := newSite(t, store.SQLite)
	c := s.client()
	if code, body, _ := s.get(c, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz %d %q", code, body)
	}
	if code, _, _ := s.get(c, "/readyz"); code != 200 {
		t.Errorf("readyz %d", code)
	}
	s.store.Close()
	if code, _, _ := s.get(c, "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database closed: %d", code)
	}
}

func TestStaffSendUpdateToFollowers(t *testing.T) {
	s := newSite(t, store.SQLite)
	s.store.AddStaff(ctx, s.org.ID, "editor@x.example", account.RoleEditor, 0)
	follower, _ := s.store.EnsureUser(ctx, "fan@example.org")
	s.store.Subscribe(ctx, follower.ID, "org", s.org.ID)
	c := s.client()
	s.signIn(c, "editor@x.example")
	_, body, _ := s.get(c, "/staff/north-shire")
	if !strings.Contains(htmlcheck.Parse(t, body).Text("main"), "1 people follow") {
		t.Errorf("follower count not shown")
	}
	code, body, _ := s.post(c, "/staff/north-shire/updates", url.Values{"subject": {""}, "body": {"x"}}, "")
	doc := htmlcheck.Parse(t, body)
	if code != http.StatusUnprocessableEntity || doc.Text(".govuk-error-summary__list a[href='#subject']") != "Enter a subject" || doc.Text("textarea#body") != "x" {
		t.Errorf("invalid update: %d", code)
	}
	if code, _, _ := s.post(c, "/staff/north-shire/updates", url.Values{"subject": {"Bus routes"}, "body": {"Tell us what you think."}}, ""); code != http.StatusSeeOther {
		t.Fatalf("send: %d", code)
	}
	log, _ := s.store.AuditLog(ctx, s.org.ID, 1)
	if len(log) != 1 || log[0].Action != "update.send" {
		t.Errorf("audit %+v", log)
	}
}

// TestPageWeight holds every public page to the bar in DESIGN.md: under
// 60 KB of HTML and CSS, before fonts, as sent (the stylesheet gzipped, as
// the server serves it to every browser that asks).
func TestPageWeight(t *testing.T) {
	s := newSite(t, store.SQLite)
	req, _ := http.NewRequest("GET", s.srv.URL+"/static/dist/neutral.css", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	css, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		if os.Getenv("CI") != "" {
			t.Fatal("assets not built: run make assets")
		}
		t.Skip("assets not built (make assets)")
	}
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("stylesheet not compressed")
	}
	for _, path := range []string{"/", "/organisations/north-shire", "/sign-in", "/accessibility", "/privacy", "/cookies"} {
		_, body, _ := s.get(s.client(), path)
		total := len(body) + len(css)
		t.Logf("%s: %d bytes HTML + %d bytes CSS (gzip)", path, len(body), len(css))
		if total > 60*1024 {
			t.Errorf("%s weighs %d bytes, over 60 KB", path, total)
		}
	}
}

func TestSigningInInWelshRemembersTheLanguageForEmails(t *testing.T) {
	s := newSite(t, store.SQLite)
	c := s.client()
	s.get(c, "/?lang=cy")
	s.signIn(c, "siaradwr@example.org")
	u, _ := s.store.UserByEmail(ctx, "siaradwr@example.org")
	if u.Lang != "cy" {
		t.Errorf("language %q", u.Lang)
	}
	msgs, _ := s.store.Outbox(ctx, 1)
	if !strings.Contains(msgs[0].Subject, "Eich dolen") {
		t.Errorf("sign-in email not in Welsh: %q", msgs[0].Subject)
	}
}

func TestPublicPagesAreCachedBrieflyForVisitorsWithoutASession(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	s := newSite(t, store.SQLite, func(o *web.Options) { o.Now = func() time.Time { return now }; o.PageCacheTTL = 5 * time.Second })
	anon := &http.Client{}
	get := func(c *http.Client) (string, string) {
		resp, err := c.Get(s.srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b), resp.Header.Get("Content-Security-Policy")
	}
	first, csp1 := get(anon)
	if _, err := s.store.CreateOrg(ctx, org.Organisation{Slug: "newcomer", NameEN: "Newcomer Council"}, 0); err != nil {
		t.Fatal(err)
	}
	second, csp2 := get(anon)
	if first != second || csp1 != csp2 {
		t.Error("second anonymous request was not served from the cache")
	}
	nonce := htmlcheck.Parse(t, second).Attr("script[nonce]", "nonce")
	if !strings.Contains(csp2, "'nonce-"+nonce+"'") {
		t.Errorf("cached page's nonce %q not in its CSP %q", nonce, csp2)
	}
	// Someone signed in sees the live page, with their own menu.
	c := s.client()
	s.signIn(c, "reader@example.org")
	_, live, _ := s.get(c, "/")
	if !strings.Contains(live, "Newcomer Council") || !strings.Contains(live, "Sign out") {
		t.Error("signed-in visitor got the cached page")
	}
	now = now.Add(6 * time.Second)
	if third, _ := get(anon); !strings.Contains(third, "Newcomer Council") {
		t.Error("cache did not expire")
	}
}

func TestOversizedBodiesAreRefused(t *testing.T) {
	s := newSite(t, store.SQLite, func(o *web.Options) { o.MaxBodyBytes = 4096 })
	code, body, _ := s.post(s.client(), "/sign-in", url.Values{"email": {strings.Repeat("a", 10000) + "@example.org"}}, "")
	if code != http.StatusBadRequest || !strings.Contains(body, "too large") {
		t.Errorf("oversized form: %d", code)
	}
}
