package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"parley/internal/app"
	"parley/internal/conversation"
)

// TestConversationVoteAndAddStatement takes part in the demo's local
// conversation without an account: vote on a statement, then add one, by
// keyboard only and with JavaScript off.
func TestConversationVoteAndAddStatement(t *testing.T) {
	for _, mode := range []string{byKeyboard, noScript} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			needBrowser(t)
			s := startSite(t, siteOptions{})
			ctx := tab(t)
			j := &journey{t: t, ctx: ctx, site: s, mode: mode}
			if mode == noScript {
				call(t, ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			} else {
				call(t, ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
			}
			id := demoConversation(t, s, app.DemoOrgs[1].Slug)
			path := fmt.Sprintf("/conversations/%d", id)
			do(t, ctx, "open the conversation", chromedp.Navigate(s.base+path))
			page := j.at(path)
			if !strings.Contains(page.Text, "You have voted on 0 of 12 statements.") {
				t.Fatalf("conversation page:\n%s", page.Text)
			}
			first := statementShown(t, ctx)

			after := reload(t, ctx, path, "Your vote has been recorded.", func() {
				j.activate("the Agree button", isButton("Agree"), `//main//button[normalize-space(.)="Agree"]`)
			})
			j.checkScript(after)
			if !strings.Contains(after.Text, "Your vote has been recorded.") || !strings.Contains(after.Text, "You have voted on 1 of 12 statements.") {
				t.Errorf("after voting:\n%s", after.Text)
			}
			if next := statementShown(t, ctx); next == first {
				t.Errorf("the same statement %q was offered again", next)
			}

			// Add a statement: the textarea, then the Add statement button.
			text := "Give the library longer opening hours"
			if mode == byKeyboard {
				j.tabTo("the statement box", func(f focus) bool { return f.ID == "statement" })
				j.key(text)
			} else {
				do(t, ctx, "type a statement", chromedp.SendKeys(chromedp.CSS("#statement"), text))
			}
			added := reload(t, ctx, path, "Your statement has been added.", func() {
				j.activate("the Add statement button", isButton("Add statement"), `//main//button[normalize-space(.)="Add statement"]`)
			})
			j.checkScript(added)
			j.redirected(added)
			if !strings.Contains(added.Text, "Your statement has been added.") {
				t.Errorf("after adding a statement:\n%s", added.Text)
			}
			all, err := s.app.Store.Statements(context.Background(), id, conversation.Approved)
			if err != nil || all[len(all)-1].Text != text {
				t.Errorf("statement not saved: %v", err)
			}
		})
	}
}

// demoConversation returns the ID of the organisation's first conversation.
func demoConversation(t *testing.T, s *site, slug string) int64 {
	t.Helper()
	o, err := s.app.Store.OrgBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.app.Store.Conversations(context.Background(), o.ID, false)
	if err != nil || len(list) == 0 {
		t.Fatalf("no demo conversation for %s: %v", slug, err)
	}
	return list[len(list)-1].ID
}

func statementShown(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('.parley-statement') || {}).innerText || ''`))
	if err != nil || s == "" {
		t.Fatalf("no statement shown: %v", err)
	}
	return s
}

// reload runs act, which submits a form that comes back to the same path,
// and waits for the new page, which says want.
func reload(t *testing.T, ctx context.Context, path, want string, act func()) view {
	t.Helper()
	act()
	return waitFor(t, ctx, path+" saying "+want, func(p view) bool {
		got, _, _ := strings.Cut(p.Path, "?")
		return got == path && strings.Contains(p.Text, want)
	})
}
