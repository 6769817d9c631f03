package web

import (
	"testing"

	"github.com/jba/templatecheck"
)

// pageTypes maps each page template to the struct it is rendered with.
var pageTypes = map[string]any{
	"home":           HomePage{},
	"org":            OrgPage{},
	"accessibility":  InfoPage{},
	"privacy":        InfoPage{},
	"cookies":        InfoPage{},
	"error":          ErrorPage{},
	"sign-in":        SignInPage{},
	"check-email":    CheckEmailPage{},
	"sign-in-link":   SignInLinkPage{},
	"account":        AccountPage{},
	"account-delete": DeleteAccountPage{},
	"unsubscribe":    UnsubscribePage{},
	"staff":          StaffHomePage{},
	"staff-org":      StaffOrgPage{},
	"people":         PeoplePage{},
	"audit":          AuditPage{},
	"outbox":         OutboxPage{},
	"outbox-message": OutboxMessagePage{},

	"conversation":        ConversationPage{},
	"conversation-map":    OpinionPage{},
	"conversation-report": OpinionPage{},
	"staff-conversations": StaffConversationsPage{},
	"conversation-new":    NewConversationPage{},
	"conversation-manage": ManageConversationPage{},
	"conversation-import": ImportConversationPage{},

	"listening-inbox":   ListeningInboxPage{},
	"listening-mention": MentionPage{},
	"listening-feeds":   ListeningFeedsPage{},
	"listening-rules":   ListeningRulesPage{},
}

// TestTemplatesMatchTheirPages checks every field and method each template
// uses against its page struct, so a renamed field fails here, not in production.
func TestTemplatesMatchTheirPages(t *testing.T) {
	ts, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	for name, tmpl := range ts.pages {
		typ, ok := pageTypes[name]
		if !ok {
			t.Errorf("template %s has no page type in pageTypes", name)
			continue
		}
		if err := templatecheck.CheckHTML(tmpl.Lookup("layout.tmpl"), typ); err != nil {
			t.Errorf("template %s: %v", name, err)
		}
	}
	for name := range pageTypes {
		if _, ok := ts.pages[name]; !ok {
			t.Errorf("page type for %s has no template", name)
		}
	}
}
