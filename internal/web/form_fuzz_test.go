package web_test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/conversation"
	"parley/internal/i18n"
	"parley/internal/listening"
	"parley/internal/store"
	"parley/internal/web"
)

// postRoute is one POST route the server registers.
type postRoute struct {
	Pattern string
	Staff   bool
}

// postRoutes lists every POST route of the site: the staff routes from the
// server's own record of them (Server.StaffRoutes, filled as they are
// registered), and the public ones from the registrations in the package's
// source (every mux.Handle and mux.HandleFunc call), so a new route of
// either kind is fuzzed without anyone adding it here. A registration
// whose pattern is not a string literal fails the test: it could not be
// listed.
func postRoutes(t testing.TB, srv *web.Server) []postRoute {
	routes, _ := formSource(t, srv)
	return routes
}

// formSource reads the POST routes (see postRoutes) and the names of the
// form fields the handlers read (every FormValue, PostFormValue, FormFile
// and PostForm[…] with a literal name, and the three boxes of each date).
func formSource(t testing.TB, srv *web.Server) ([]postRoute, []string) {
	t.Helper()
	var out []postRoute
	keys := map[string]bool{"from-day": true, "from-month": true, "from-year": true, "to-day": true, "to-month": true, "to-year": true}
	for _, rt := range srv.StaffRoutes() {
		if rt.Method == "POST" {
			out = append(out, postRoute{Pattern: rt.Pattern, Staff: true})
		}
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if fn, ok := n.(*ast.FuncDecl); ok && fn.Name.Name == "staff" && fn.Recv != nil {
				return false // its registrations are the staff routes, listed above
			}
			if ix, ok := n.(*ast.IndexExpr); ok {
				if sel, ok := ix.X.(*ast.SelectorExpr); ok && (sel.Sel.Name == "PostForm" || sel.Sel.Name == "Form") {
					if lit, ok := ix.Index.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						k, _ := strconv.Unquote(lit.Value)
						keys[k] = true
					}
				}
				return true
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if name := calledName(call); len(call.Args) > 0 {
				if lit, ok := call.Args[len(call.Args)-1].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					k, _ := strconv.Unquote(lit.Value)
					switch name {
					case "FormValue", "PostFormValue", "FormFile":
						keys[k] = true
					case "staffDateFrom":
						keys[k+"-day"], keys[k+"-month"], keys[k+"-year"] = true, true, true
					}
				}
			}
			if len(call.Args) < 2 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "mux" {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: a route whose pattern is not a literal cannot be listed for fuzzing", fset.Position(call.Pos()))
				return true
			}
			pattern, _ := strconv.Unquote(lit.Value)
			if p, ok := strings.CutPrefix(pattern, "POST "); ok {
				out = append(out, postRoute{Pattern: p})
			}
			return true
		})
	}
	slices.SortFunc(out, func(a, b postRoute) int { return strings.Compare(a.Pattern, b.Pattern) })
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	return slices.CompactFunc(out, func(a, b postRoute) bool { return a.Pattern == b.Pattern }), names
}

// calledName is the name of the function or method a call calls.
func calledName(call *ast.CallExpr) string {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return fn.Name
	case *ast.SelectorExpr:
		return fn.Sel.Name
	}
	return ""
}

// junk are values every field of a form is set to in the seeds: empty,
// out of range, not a number, control and invalid UTF-8 bytes, long, and
// an impossible date.
var junk = []string{"", "-1", "99999999999999999999", "x\x00\xff\r\n", strings.Repeat("ŵ", 300), "2026-02-30 25:61"}

// uploadFields are the file fields of the site's upload forms; a
// multipart fuzz input carries the body as each of them.
var uploadFields = []string{"file", "areas", "opml", "comments", "votes", "participants", "document", "scan"}

// badIDs replace the real ids in a path, by the fuzzer's choice.
var badIDs = []string{"", "0", "999999", "abc", "-1", "99999999999999999999", "1.5", "%00"}

// FuzzEveryForm posts arbitrary bodies, urlencoded or multipart, to every
// POST route of the site as an organisation admin (with the site's own
// Origin, which is what the cross-origin protection checks), at real and
// nonsense ids. Whatever is posted, the answer is never a server error,
// and the site still answers /healthz after it. The seeds (every route
// with a realistic form, at bad ids, as multipart, and with every field
// the handlers read set to each of the junk values) run with the ordinary
// tests. Fuzz it with
//
//	go test -run='^$' -fuzz=FuzzEveryForm -fuzztime=60s -fuzzminimizetime=50x ./internal/web
//
// (a request takes milliseconds, so the default minute spent minimising
// each new input leaves little time for new inputs).
func FuzzEveryForm(f *testing.F) {
	docs := f.TempDir()
	s := newSite(f, store.SQLite, func(o *web.Options) { o.SignInBurst = 1 << 20; o.Feeds = fakeFeeds{}; o.DocumentDir = docs })
	lister, err := web.New(web.Options{Store: s.store, Sessions: s.store.Sessions(), Catalogue: mustCatalogue(f), Brand: "neutral", MaxBodyBytes: 1 << 20, DocumentDir: docs})
	if err != nil {
		f.Fatal(err)
	}
	lister.Handler()
	routes, keys := formSource(f, lister)
	if len(routes) < 50 {
		f.Fatalf("only %d POST routes found", len(routes))
	}

	// Something real behind every kind of id.
	admin, err := s.store.AddStaff(ctx, s.org.ID, "admin@x.example", account.RoleAdmin, 0)
	if err != nil {
		f.Fatal(err)
	}
	target, err := s.store.AddStaff(ctx, s.org.ID, "target@x.example", account.RoleAnalyst, 0)
	if err != nil {
		f.Fatal(err)
	}
	conv, err := s.store.CreateConversation(ctx, conversation.Conversation{OrgID: s.org.ID, TitleEN: "Parks", QuestionEN: "What next?",
		Status: conversation.Open, Moderation: conversation.PreModeration, Anonymous: true}, []string{"More trees"}, 0)
	if err != nil {
		f.Fatal(err)
	}
	statement, err := s.store.AddStatement(ctx, conv.ID, conversation.Participant{ExternalID: "p1"}, "Fewer cars")
	if err != nil {
		f.Fatal(err)
	}
	feed, rule, mention := listeningFixture(f, s.store, s.org.ID)
	hook, err := s.store.CreateWebhook(ctx, listening.Webhook{OrgID: s.org.ID, URL: "https://cases.example/hooks/1"}, 0)
	if err != nil {
		f.Fatal(err)
	}
	cf := newRouteConsultations(f, s.store, s.org.ID, docs)
	pf := newRouteProposals(f, s.store, s.org.ID)
	mf := newRouteMeasures(f, s.store, s.org.ID)
	idOf := func(pattern string) int64 {
		switch {
		case strings.HasPrefix(pattern, "/staff/{org}/listening/mentions/"):
			return mention.ID
		case strings.HasPrefix(pattern, "/staff/{org}/listening/feeds/"):
			return feed.ID
		case strings.HasPrefix(pattern, "/staff/{org}/listening/rules/"):
			return rule.ID
		case strings.HasPrefix(pattern, "/staff/{org}/listening/webhooks/"):
			return hook.ID
		case strings.HasPrefix(pattern, "/staff/{org}/consultations/{id}"), strings.HasPrefix(pattern, "/consultations/"):
			return cf.id(pattern)
		case pf.owns(pattern), strings.HasPrefix(pattern, "/proposals/"):
			return pf.id(pattern)
		case strings.HasPrefix(pattern, "/boards/"):
			return pf.board
		case mf.owns(pattern):
			return mf.id(pattern)
		}
		return conv.ID
	}
	pathOf := func(pattern string, variant byte) string {
		bad := int(variant&0x7f) % (len(badIDs) + 1)
		num := func(id int64) string {
			if bad == 0 {
				return strconv.FormatInt(id, 10)
			}
			return badIDs[bad-1]
		}
		return strings.NewReplacer("{org}", s.org.Slug, "{slug}", s.org.Slug, "{id}", num(idOf(pattern)), "{user}", num(target.ID),
			"{statement}", num(statement.ID), "{question}", num(cf.question), "{doc}", num(cf.doc(pattern)), "{response}", num(cf.response),
			"{theme}", num(cf.theme), "{comment}", num(pf.comment), "{n}", num(1), "{token}", "not-a-token", "{kind}", "comment").Replace(pattern)
	}

	staff := s.client()
	s.signIn(staff, "admin@x.example")
	anonymous := s.client()
	staff.Timeout, anonymous.Timeout = 10*time.Second, 10*time.Second // a hang is a failure too

	// Seeds: each route with a harmless, realistic form, the one the
	// route-by-role test posts.
	for i, rt := range routes {
		form := url.Values{"role": {"analyst"}, "email": {"new@x.example"}, "subject": {"News"}, "body": {"Some news"},
			"title_en": {"Roads"}, "question_en": {"Which first?"}, "moderation": {"post"}, "statements": {"Fix the A1"},
			"status": {"open"}, "decision": {"approved"}, "response": {"Thank you."}, "name": {"Roads"}, "query": {"road OR roads"},
			"alert": {"none"}, "summary_en": {"Roads"}, "kind": {"text"}, "text_en": {"Which roads?"}, "direction": {"up"},
			"from": {strconv.FormatInt(cf.other, 10)}, "q": {"potholes"}, "consent": {"named"}, "vote": {"agree"}, "reason": {"Rude"}}
		if pf.owns(rt.Pattern) {
			pf.fill(form, rt.Pattern)
		}
		if mf.owns(rt.Pattern) {
			mf.fill(form, rt.Pattern)
		}
		f.Add(byte(i), byte(0), form.Encode())
		f.Add(byte(i), byte(1+i%len(badIDs)), form.Encode())
		f.Add(byte(i), byte(0x80), form.Encode())
		for _, v := range junk {
			bad := url.Values{}
			for _, k := range keys {
				bad.Set(k, v)
			}
			f.Add(byte(i), byte(0), bad.Encode())
		}
	}
	f.Add(byte(0), byte(3), "a=%zz&&=&b")
	f.Add(byte(1), byte(0x80), "comments=timestamp,comment-id\n1,2")
	f.Add(byte(2), byte(0x81), "title_en="+strings.Repeat("x", 5000))

	f.Fuzz(func(t *testing.T, route, variant byte, body string) {
		rt := routes[int(route)%len(routes)]
		path := pathOf(rt.Pattern, variant)
		c := staff
		if rt.Pattern == "/sign-out" || rt.Pattern == "/account/delete" {
			c = anonymous // keep the admin signed in
		}
		req, err := http.NewRequest("POST", s.srv.URL+path, nil)
		if err != nil {
			return // a path no browser could send
		}
		if variant&0x80 == 0 {
			req.Body = io.NopCloser(strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			vals, _ := url.ParseQuery(body)
			for k, vs := range vals {
				for _, v := range vs {
					mw.WriteField(k, v)
				}
			}
			for _, field := range uploadFields {
				fw, _ := mw.CreateFormFile(field, "upload.csv")
				fw.Write([]byte(body))
			}
			mw.Close()
			req.Body = io.NopCloser(&buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
		}
		req.Header.Set("Origin", s.srv.URL)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("POST %s (%s, multipart %v) with %q: %v", path, rt.Pattern, variant&0x80 != 0, body, err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 && resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("POST %s (%s, multipart %v) with %q: %d\n%s", path, rt.Pattern, variant&0x80 != 0, body, resp.StatusCode, excerpt(out))
		}
		health, err := anonymous.Get(s.srv.URL + "/healthz")
		if err != nil {
			t.Fatalf("after POST %s with %q, /healthz: %v", path, body, err)
		}
		health.Body.Close()
		if health.StatusCode != http.StatusOK {
			t.Fatalf("after POST %s with %q, /healthz answers %d", path, body, health.StatusCode)
		}
		// Put back what a request used up, where it can be (fixtures a
		// request moved on may be left as they are: the next inputs then
		// meet them in that state, which is fine for fuzzing).
		if resp.StatusCode < 400 {
			restore(t, func(tb testing.TB) {
				cf.restore(tb, rt.Pattern)
				pf.restore(tb, rt.Pattern)
				mf.restore(tb, rt.Pattern)
			})
		}
		// Keep the admin an admin: the people forms may change any role.
		if strings.HasPrefix(rt.Pattern, "/staff/{org}/people") {
			if err := s.store.SetRole(ctx, s.org.ID, admin.ID, account.RoleAdmin, 0); err != nil {
				s.store.AddStaff(ctx, s.org.ID, "admin@x.example", account.RoleAdmin, 0)
			}
		}
	})
}

func mustCatalogue(t testing.TB) *i18n.Catalogue {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// lenient is a testing.TB whose Fatal stops only the function it is
// given to (see restore), not the test.
type lenient struct{ testing.TB }

type lenientStop struct{}

func (lenient) Helper()               {}
func (lenient) Fatal(...any)          { panic(lenientStop{}) }
func (lenient) Fatalf(string, ...any) { panic(lenientStop{}) }

// restore runs a fixture's restore; one that cannot restore (the fuzzer
// left the fixture where it does not apply) is let be.
func restore(t testing.TB, fn func(testing.TB)) {
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(lenientStop); !ok {
				panic(p)
			}
		}
	}()
	fn(lenient{t})
}

// excerpt is the start of a response body, for a failure message.
func excerpt(b []byte) string {
	if len(b) > 2000 {
		b = b[:2000]
	}
	return string(b)
}

// TestPostRoutesListed checks that the fuzz target's route list holds the
// well-known forms of each kind (public, staff, uploads).
func TestPostRoutesListed(t *testing.T) {
	s := newSite(t, store.SQLite)
	srv, err := web.New(web.Options{Store: s.store, Sessions: s.store.Sessions(), Catalogue: mustCatalogue(t), Brand: "neutral", MaxBodyBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	srv.Handler()
	routes := postRoutes(t, srv)
	var patterns []string
	for _, rt := range routes {
		patterns = append(patterns, rt.Pattern)
	}
	for _, want := range []string{"/sign-in", "/account/name", "/proposals/{id}/sign", "/consultations/{id}/respond/submit",
		"/staff/{org}/people", "/staff/{org}/conversations/import", "/staff/{org}/measures/import"} {
		if !slices.Contains(patterns, want) {
			t.Errorf("%s is not among the fuzzed routes %v", want, patterns)
		}
	}
	if _, err := os.Stat("routes.go"); err != nil {
		t.Fatalf("the test runs outside the package directory: %v", err)
	}
}

// A NUL byte or invalid UTF-8 in any form value, posted or in the query,
// is refused with a clear message before it reaches the database (where
// PostgreSQL refuses it and SQLite's full-text search misreads it).
func TestFormTextIsChecked(t *testing.T) {
	s := newSite(t, store.SQLite)
	c := s.client()
	s.signIn(c, "casey@example.org")
	for _, name := range []string{"Casey\x00", "Casey\xff"} {
		code, body, _ := s.post(c, "/account/name", url.Values{"display_name": {name}}, "")
		if code != http.StatusBadRequest || !strings.Contains(body, "characters that cannot be saved") {
			t.Errorf("display name %q: %d", name, code)
		}
	}
	if code, body, _ := s.get(c, "/proposals?q=%00"); code != http.StatusBadRequest || !strings.Contains(body, "characters that cannot be saved") {
		t.Errorf("a NUL in the query: %d", code)
	}
	if code, _, _ := s.post(c, "/account/name", url.Values{"display_name": {"Casey Ŵ"}}, ""); code != http.StatusSeeOther {
		t.Errorf("a good name: %d", code)
	}
}
