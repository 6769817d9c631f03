package api

// The listening endpoints of the OpenAPI document.

func listeningPaths() map[string]pathItem {
	tags := []string{"listening"}
	return map[string]pathItem{
		"/api/v1/listening/feeds": {
			"get": {
				OperationID: "listFeeds", Summary: "The feeds an organisation watches, newest first", Tags: tags,
				Description: "Needs any staff role in the organisation.",
				Parameters:  []parameter{orgParam, limitParam, cursorParam}, Security: bearerAuth,
				Responses: withErrors("200", response{Description: "One page of feeds.", Content: jsonContent(ref("FeedList"))}, "400", "403"),
			},
			"post": {
				OperationID: "createFeed", Summary: "Watch a feed", Tags: tags, RequestBody: body(ref("FeedCreate")),
				Description: "The URL must be the feed itself (RSS, Atom or JSON Feed); the staff pages also discover a web page's feed. " +
					"It is fetched within a minute. Needs the editor or admin role.",
				Security:  bearerAuth,
				Responses: withErrors("201", response{Description: "The feed.", Content: jsonContent(ref("Feed"))}, "400", "403", "422"),
			},
		},
		"/api/v1/listening/rules": {
			"get": {
				OperationID: "listRules", Summary: "An organisation's keyword rules, by name", Tags: tags,
				Parameters: []parameter{orgParam}, Security: bearerAuth,
				Responses: withErrors("200", response{Description: "Every rule.", Content: jsonContent(ref("RuleList"))}, "400", "403"),
			},
			"post": {
				OperationID: "createRule", Summary: "Save a keyword rule", Tags: tags, RequestBody: body(ref("RuleCreate")),
				Description: `The query language: words, "phrases", prefix*, AND, OR, NOT (or -word), parentheses, and title:, source:, author: scopes; ` +
					"matched without regard to case or accents. Needs the editor or admin role.",
				Security:  bearerAuth,
				Responses: withErrors("201", response{Description: "The rule.", Content: jsonContent(ref("Rule"))}, "400", "403", "422"),
			},
		},
		"/api/v1/listening/mentions": {"get": {
			OperationID: "listMentions", Summary: "Mentions found by the rules, newest first", Tags: tags,
			Parameters: []parameter{orgParam,
				{Name: "status", In: "query", Description: "Only mentions with this status.", Schema: &schema{Type: jsonType{"string"}, Enum: mentionStatuses}},
				{Name: "q", In: "query", Description: "Words that must all appear in the title, excerpt, author or source (case-insensitive).", Schema: str("")},
				{Name: "rule", In: "query", Description: "Only mentions this rule matched.", Schema: &schema{Type: jsonType{"integer"}}},
				{Name: "feed", In: "query", Description: "Only mentions first found in this feed.", Schema: &schema{Type: jsonType{"integer"}}},
				limitParam, cursorParam},
			Security:  bearerAuth,
			Responses: withErrors("200", response{Description: "One page of mentions.", Content: jsonContent(ref("MentionList"))}, "400", "403"),
		}},
		"/api/v1/listening/webhooks": {
			"get": {
				OperationID: "listWebhooks", Summary: "The organisation's webhooks, without their secrets", Tags: tags,
				Description: "Needs the editor or admin role.", Parameters: []parameter{orgParam}, Security: bearerAuth,
				Responses: withErrors("200", response{Description: "Every webhook.", Content: jsonContent(ref("WebhookList"))}, "400", "403"),
			},
			"post": {
				OperationID: "createWebhook", Summary: "Send every new mention to an address", Tags: tags, RequestBody: body(ref("WebhookCreate")),
				Description: "Each new mention is POSTed as JSON {\"event\": \"mention.created\", \"mention\": {…}} with the headers " +
					"Parley-Timestamp (Unix seconds) and Parley-Signature: v1=hex(HMAC-SHA256(secret, timestamp + \".\" + body)). " +
					"Check the signature and refuse timestamps more than five minutes old. A delivery that does not get a 2xx answer is retried " +
					"with backoff, up to 8 attempts. The response holds the secret: it is shown only once. Needs the editor or admin role.",
				Security:  bearerAuth,
				Responses: withErrors("201", response{Description: "The webhook, with its secret.", Content: jsonContent(ref("Webhook"))}, "400", "403", "422"),
			},
		},
		"/api/v1/listening/webhooks/{id}": {"delete": {
			OperationID: "deleteWebhook", Summary: "Stop sending mentions to a webhook", Tags: tags,
			Parameters: []parameter{{Name: "id", In: "path", Required: true, Description: "The webhook's ID.", Schema: &schema{Type: jsonType{"integer"}}}},
			Security:   bearerAuth,
			Responses:  withErrors("204", response{Description: "Deleted."}, "403", "404"),
		}},
		"/api/v1/listening/mentions/{id}": {"patch": {
			OperationID: "triageMention", Summary: "Triage a mention", Tags: tags,
			Parameters:  []parameter{{Name: "id", In: "path", Required: true, Description: "The mention's ID.", Schema: &schema{Type: jsonType{"integer"}}}},
			RequestBody: body(ref("MentionTriage")),
			Description: "Replaces the mention's status, assignee, note and answer link. Needs the moderator or admin role.",
			Security:    bearerAuth,
			Responses:   withErrors("200", response{Description: "The mention as it now is.", Content: jsonContent(ref("Mention"))}, "400", "403", "404", "422"),
		}},
		"/api/v1/listening/mentions/{id}/attach": {"post": {
			OperationID: "attachMention", Summary: "Add a mention to a consultation as a response", Tags: tags,
			Parameters:  []parameter{{Name: "id", In: "path", Required: true, Description: "The mention's ID.", Schema: &schema{Type: jsonType{"integer"}}}},
			RequestBody: body(ref("MentionAttach")),
			Description: "Makes the mention a submitted, unpublished response from the social channel to an open or closed consultation of its organisation: " +
				"named as its author, with its link as the reference, its title and text answering the consultation's first free-text question. " +
				"A consultation without one is a 422; a mention already attached is a 409. Needs the editor or admin role.",
			Security:  bearerAuth,
			Responses: withErrors("201", response{Description: "The response made.", Content: jsonContent(ref("Response"))}, "400", "403", "404", "409", "422"),
		}},
	}
}

var mentionStatuses = []string{"new", "relevant", "not_relevant", "answered"}

func listeningSchemas() map[string]*schema {
	integer := &schema{Type: jsonType{"integer"}}
	alert := &schema{Type: jsonType{"string"}, Enum: []string{"none", "immediate", "digest"}, Description: "How the rule's author hears of new mentions."}
	return map[string]*schema{
		"MentionAttach": object([]string{"consultation_id"}, map[string]*schema{
			"consultation_id": {Type: jsonType{"integer"}, Description: "An open or closed consultation of the mention's organisation."},
		}),
		"Feed": object([]string{"id", "organisation", "url", "title", "error_count", "parked", "next_check_at", "created_at"}, map[string]*schema{
			"id": integer, "organisation": str("The organisation's slug."), "url": uri("The feed."), "title": str(""), "site_url": str("The site the feed is of."),
			"error_count":   {Type: jsonType{"integer"}, Description: "Failed fetches in a row."},
			"parked":        {Type: jsonType{"boolean"}, Description: "No longer fetched after repeated failures, until staff check it again."},
			"last_error":    str("What went wrong last."),
			"checked_at":    dateTime("The last fetch; absent before the first."),
			"next_check_at": dateTime(""), "created_at": dateTime(""),
		}),
		"FeedCreate": object([]string{"organisation", "url"}, map[string]*schema{
			"organisation": str("The organisation's slug."), "url": str("An http or https URL of a feed."), "title": str("Optional; the feed's own title otherwise."),
		}),
		"FeedList": object([]string{"items"}, map[string]*schema{
			"items": {Type: jsonType{"array"}, Items: ref("Feed")}, "next_cursor": str("Pass as ?cursor= for the next page; absent on the last page."),
		}),
		"Rule": object([]string{"id", "organisation", "name", "query", "alert", "created_at"}, map[string]*schema{
			"id": integer, "organisation": str("The organisation's slug."), "name": str(""), "query": str(""), "alert": alert, "created_at": dateTime(""),
		}),
		"RuleCreate": object([]string{"organisation", "name", "query"}, map[string]*schema{
			"organisation": str("The organisation's slug."), "name": str("Up to 100 characters."), "query": str("Up to 2,000 characters."), "alert": alert,
		}),
		"RuleList": object([]string{"items"}, map[string]*schema{"items": {Type: jsonType{"array"}, Items: ref("Rule")}}),
		"Mention": object([]string{"id", "organisation", "rule_ids", "link", "title", "excerpt", "status", "created_at"}, map[string]*schema{
			"id": integer, "organisation": str("The organisation's slug."),
			"feed_id":  {Type: jsonType{"integer"}, Description: "The feed it was first found in; absent once that feed is removed."},
			"source":   str("That feed's title."),
			"rule_ids": {Type: jsonType{"array"}, Items: integer, Description: "The rules it matched."},
			"link":     uri("Without tracking parameters."), "title": str(""),
			"excerpt": str("Plain text, at most 600 characters."), "author": str("As the feed gives it."),
			"published": dateTime(""), "status": {Type: jsonType{"string"}, Enum: mentionStatuses},
			"assignee_id": {Type: jsonType{"integer"}, Description: "The staff member it is assigned to."},
			"note":        str(""), "answer_url": str("The reply, once answered."), "created_at": dateTime("When it was found."),
			"conversation_id": {Type: jsonType{"integer"}, Description: "The organisation's conversation it was brought into."},
			"proposal_id":     {Type: jsonType{"integer"}, Description: "The organisation's idea or petition it speaks to."},
		}),
		"MentionList": object([]string{"items"}, map[string]*schema{
			"items": {Type: jsonType{"array"}, Items: ref("Mention")}, "next_cursor": str("Pass as ?cursor= for the next page; absent on the last page."),
		}),
		"Webhook": object([]string{"id", "organisation", "url", "created_at"}, map[string]*schema{
			"id": integer, "organisation": str("The organisation's slug."), "url": uri(""),
			"secret": str("Only in the response that creates the webhook."), "created_at": dateTime(""),
		}),
		"WebhookCreate": object([]string{"organisation", "url"}, map[string]*schema{
			"organisation": str("The organisation's slug."), "url": str("An https URL that accepts POST."),
		}),
		"WebhookList": object([]string{"items"}, map[string]*schema{"items": {Type: jsonType{"array"}, Items: ref("Webhook")}}),
		"MentionTriage": object([]string{"status"}, map[string]*schema{
			"status":          {Type: jsonType{"string"}, Enum: mentionStatuses},
			"assignee_id":     {Type: jsonType{"integer"}, Description: "A staff member of the organisation; 0 or absent for nobody."},
			"note":            str("Up to 2,000 characters; no personal details of the author."),
			"answer_url":      str("The reply's link; required when the status is answered."),
			"conversation_id": {Type: jsonType{"integer"}, Description: "One of the organisation's conversations to bring it into; 0 or absent for none."},
			"proposal_id":     {Type: jsonType{"integer"}, Description: "One of the organisation's ideas or petitions it speaks to; 0 or absent for none."},
		}),
	}
}
