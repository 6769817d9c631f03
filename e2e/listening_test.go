package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"parley/internal/listening"
)

// TestListeningAddFeedRuleAndTriage is a staff journey through listening
// without JavaScript help: add a feed by its address (fetched at once from
// the demo's own feeds on loopback), write a rule with a syntax error, read
// the error, fix the rule, preview it and save it, then triage a mention
// the new feed brought in.
func TestListeningAddFeedRuleAndTriage(t *testing.T) {
	needBrowser(t)
	s := startSite(t, siteOptions{listening: true})
	ctx := tabFor(t, 2*time.Minute)
	admin, org := demoStaff(t, "admin")
	signIn(t, ctx, s, admin)
	base := "/staff/" + org + "/listening"

	// Add a feed.
	feedURL := s.base + "/demo/feeds/transport-news.xml"
	do(t, ctx, "open the feeds page", chromedp.Navigate(s.base+base+"/feeds"))
	do(t, ctx, "type the feed's address", chromedp.SendKeys(chromedp.CSS("#url"), feedURL))
	added := reload(t, ctx, base+"/feeds", "Feed added", func() {
		do(t, ctx, "add the feed", chromedp.Click(chromedp.CSS(`main form[action$="/listening/feeds"] button`)))
	})
	if !strings.Contains(added.Text, feedURL) {
		t.Errorf("feed not listed:\n%s", added.Text)
	}

	// A rule with a syntax error: the error names the column and keeps the text.
	do(t, ctx, "open the rules page", chromedp.Navigate(s.base+base+"/rules"),
		chromedp.SendKeys(chromedp.CSS("#name"), "Rural buses"),
		chromedp.SendKeys(chromedp.CSS("#query"), `rural AND (bus*`))
	bad := reload(t, ctx, base+"/rules", "There is a problem", func() {
		do(t, ctx, "save the rule", chromedp.Click(chromedp.CSS(`button[value="save"]`)))
	})
	errText, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#query-error').innerText`))
	if err != nil {
		t.Fatal(err)
	}
	typed, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#query').value`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errText, "Column") || typed != `rural AND (bus*` || !strings.HasPrefix(bad.Title, "Error") {
		t.Errorf("syntax error: %q, typed %q, title %q", errText, typed, bad.Title)
	}
	// Fix it, preview, save.
	do(t, ctx, "fix the query", chromedp.SetValue(chromedp.CSS("#query"), `rural AND bus*`))
	preview := reload(t, ctx, base+"/rules", "What this rule would match", func() {
		do(t, ctx, "preview the rule", chromedp.Click(chromedp.CSS(`button[value="preview"]`)))
	})
	if !strings.Contains(preview.Text, "It matches") {
		t.Errorf("preview:\n%s", preview.Text)
	}
	saved := reload(t, ctx, base+"/rules", "Rule saved", func() {
		do(t, ctx, "save the rule", chromedp.Click(chromedp.CSS(`button[value="save"]`)))
	})
	if !strings.Contains(saved.Text, "rural AND bus*") {
		t.Errorf("rule not listed:\n%s", saved.Text)
	}

	// The new feed's bus item becomes a mention once the background fetch ran.
	o, err := s.app.Store.OrgBySlug(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	var mention listening.Mention
	for deadline := time.Now().Add(20 * time.Second); mention.ID == 0; {
		ms, err := s.app.Store.Mentions(context.Background(), o.ID, listening.MentionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if strings.Contains(m.Link, "rural-bus-funding") {
				mention = m
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the added feed was not fetched")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if strings.Contains(mention.Link, "utm_") {
		t.Errorf("tracking parameters kept: %s", mention.Link)
	}

	// Triage it: relevant, with a note.
	path := base + "/mentions/" + fmt.Sprint(mention.ID)
	do(t, ctx, "open the mention", chromedp.Navigate(s.base+path),
		chromedp.Click(chromedp.CSS("#status-relevant")),
		chromedp.SendKeys(chromedp.CSS("#note"), "Share with the bus team"))
	done := reload(t, ctx, path, "Mention updated", func() {
		do(t, ctx, "save the triage", chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	})
	if !strings.Contains(done.Text, "Relevant") {
		t.Errorf("after triage:\n%s", done.Text)
	}
	got, _ := s.app.Store.Mention(context.Background(), mention.ID)
	if got.Status != listening.Relevant || got.Note != "Share with the bus team" {
		t.Errorf("triaged %+v", got)
	}
}
