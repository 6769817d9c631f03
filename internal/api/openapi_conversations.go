package api

// The conversation endpoints of the OpenAPI document.

func conversationPaths() map[string]pathItem {
	id := parameter{Name: "id", In: "path", Required: true, Description: "The conversation's ID.", Schema: &schema{Type: jsonType{"integer"}}}
	tags := []string{"conversations"}
	return map[string]pathItem{
		"/api/v1/conversations": {
			"get": {
				OperationID: "listConversations", Summary: "List an organisation's conversations, newest first", Tags: tags,
				Description: "Drafts are listed only for the organisation's staff.",
				Parameters: []parameter{
					orgParam, limitParam, cursorParam,
				},
				Security:  bearerAuth,
				Responses: withErrors("200", response{Description: "One page of conversations.", Content: jsonContent(ref("ConversationList"))}, "400"),
			},
			"post": {
				OperationID: "createConversation", Summary: "Create a conversation with its seed statements", Tags: tags,
				RequestBody: body(ref("ConversationCreate")),
				Description: "Needs the editor or admin role in the organisation. The conversation starts as a draft unless open is true.",
				Security:    bearerAuth,
				Responses: withErrors("201", response{Description: "The new conversation; Location names it.",
					Content: jsonContent(ref("Conversation"))}, "400", "403", "422"),
			},
		},
		"/api/v1/conversations/{id}": {
			"get": {
				OperationID: "getConversation", Summary: "One conversation", Tags: tags, Parameters: []parameter{id}, Security: bearerAuth,
				Responses: withErrors("200", response{Description: "The conversation.", Content: jsonContent(ref("Conversation"))}, "404"),
			},
			"patch": {
				OperationID: "updateConversation", Summary: "Open or close a conversation, or publish its report", Tags: tags,
				RequestBody: body(object(nil, map[string]*schema{
					"status":   {Type: jsonType{"string"}, Enum: []string{"open", "closed"}},
					"response": str("The organisation's response: publishes the report."),
				})),
				Description: `Body {"status": "open"|"closed"} or {"response": "…"} (publishes the report; the conversation must be closed). Needs editor or admin.`,
				Parameters:  []parameter{id}, Security: bearerAuth,
				Responses: withErrors("200", response{Description: "The conversation as it now is.",
					Content: jsonContent(ref("Conversation"))}, "400", "403", "404", "409", "422"),
			},
		},
		"/api/v1/conversations/{id}/statements": {
			"get": {
				OperationID: "listStatements", Summary: "The conversation's statements", Tags: tags, Parameters: []parameter{id}, Security: bearerAuth,
				Description: "Shown statements; moderators and admins also see those pending and rejected.",
				Responses:   withErrors("200", response{Description: "The statements, oldest first.", Content: jsonContent(ref("StatementList"))}, "404"),
			},
			"post": {
				OperationID: "addStatements", Summary: "Add staff-written statements", Tags: tags, Parameters: []parameter{id}, Security: bearerAuth,
				RequestBody: body(object([]string{"statements"}, map[string]*schema{"statements": {Type: jsonType{"array"}, Items: str("Up to 280 characters.")}})),
				Description: `Body {"statements": ["…", …]}, each up to 280 characters. Needs editor or admin.`,
				Responses:   withErrors("200", response{Description: "The statements after the addition.", Content: jsonContent(ref("StatementList"))}, "400", "403", "404", "422"),
			},
		},
		"/api/v1/conversations/{id}/votes": {"post": {
			OperationID: "addVotes", Summary: "Record votes keyed in at a kiosk or event", Tags: tags, Parameters: []parameter{id}, Security: bearerAuth,
			RequestBody: body(ref("Ballot")),
			Description: `Body {"channel": "event"|"face_to_face"|"phone"|"web", "votes": [{"participant": "card-17", "statement": 12, "vote": "agree"|"disagree"|"pass"}]}, ` +
				"up to 1,000 votes, saved all or none. A participant is the caller's own identity for the person; a later vote on the same statement replaces the earlier. Needs editor or admin.",
			Responses: withErrors("202", response{Description: "The votes are saved; the groups are recalculated a few seconds later.",
				Content: jsonContent(object([]string{"accepted"}, map[string]*schema{"accepted": {Type: jsonType{"integer"}}}))}, "400", "403", "404", "409", "422"),
		}},
		"/api/v1/conversations/{id}/results": {"get": {
			OperationID: "getConversationResults", Summary: "The opinion groups, representative statements and consensus", Tags: tags,
			Parameters: []parameter{id}, Security: bearerAuth,
			Responses: withErrors("200", response{Description: "The latest result of the opinion math (404 before the first run).",
				Content: jsonContent(ref("ConversationResults"))}, "404"),
		}},
		"/api/v1/conversations/{id}/export": {"get": {
			OperationID: "exportConversation", Summary: "Statements and votes as open data", Tags: tags, Parameters: []parameter{id}, Security: bearerAuth,
			Description: "The content of the Polis open-data files comments.csv and votes.csv, as JSON. The CSV files themselves are at /conversations/{id}/export/{file}.",
			Responses:   withErrors("200", response{Description: "Comments and votes.", Content: jsonContent(ref("ConversationExport"))}, "404"),
		}},
	}
}

func body(s *schema) *requestBody { return &requestBody{Required: true, Content: jsonContent(s)} }

func conversationSchemas() map[string]*schema {
	integer := &schema{Type: jsonType{"integer"}}
	number := &schema{Type: jsonType{"number"}}
	name := object([]string{"en", "cy"}, map[string]*schema{"en": str("English."), "cy": str("Welsh; the English when there is no Welsh.")})
	scored := object([]string{"statement_id", "direction", "share", "score"}, map[string]*schema{
		"statement_id": integer,
		"direction":    {Type: jsonType{"integer"}, Description: "1 agree, -1 disagree."},
		"share":        {Type: jsonType{"number"}, Description: "Of those (in the group) who saw it, the share who voted that way."},
		"other_share":  {Type: jsonType{"number"}, Description: "The same share among everyone outside the group."},
		"score":        number,
	})
	return map[string]*schema{
		"Conversation": object([]string{"id", "organisation", "title", "question", "status", "moderation", "anonymous", "created_at", "counts", "links"}, map[string]*schema{
			"id":           integer,
			"organisation": str("The organisation's slug."),
			"title":        name,
			"question":     name,
			"status":       {Type: jsonType{"string"}, Enum: []string{"draft", "open", "closed", "reported"}},
			"moderation":   {Type: jsonType{"string"}, Enum: []string{"pre", "post"}, Description: "pre: people's statements are shown after approval."},
			"anonymous":    {Type: jsonType{"boolean"}, Description: "People may take part without signing in."},
			"attribution":  str("Credit for imported data."),
			"response":     str("The organisation's response, once the report is published."),
			"created_at":   dateTime(""),
			"counts": object([]string{"participants", "votes", "statements", "pending"}, map[string]*schema{
				"participants": integer, "votes": integer, "statements": integer, "pending": integer,
			}),
			"links": object([]string{"self", "html", "results"}, map[string]*schema{"self": uri(""), "html": uri(""), "results": uri("")}),
		}),
		"ConversationCreate": object([]string{"organisation", "title", "question"}, map[string]*schema{
			"organisation": str("The organisation's slug."),
			"title":        object([]string{"en"}, map[string]*schema{"en": str("Up to 200 characters."), "cy": str("Welsh title (optional).")}),
			"question":     object([]string{"en"}, map[string]*schema{"en": str("The topic put to participants."), "cy": str("In Welsh (optional).")}),
			"moderation":   {Type: jsonType{"string"}, Enum: []string{"pre", "post"}, Description: "Default post."},
			"anonymous":    {Type: jsonType{"boolean"}, Description: "Let people take part without signing in."},
			"open":         {Type: jsonType{"boolean"}, Description: "Open at once instead of starting as a draft."},
			"statements":   {Type: jsonType{"array"}, Items: str("A seed statement, up to 280 characters.")},
		}),
		"Ballot": object([]string{"votes"}, map[string]*schema{
			"channel": {Type: jsonType{"string"}, Enum: []string{"event", "face_to_face", "phone", "web"}, Description: "Default event."},
			"votes": {Type: jsonType{"array"}, Items: object([]string{"participant", "statement", "vote"}, map[string]*schema{
				"participant": str("The caller's own identity for the person, up to 100 characters."),
				"statement":   {Type: jsonType{"integer"}, Description: "The statement's ID."},
				"vote":        {Type: jsonType{"string"}, Enum: []string{"agree", "disagree", "pass"}},
			})},
		}),
		"ConversationList": object([]string{"items"}, map[string]*schema{
			"items":       {Type: jsonType{"array"}, Items: ref("Conversation")},
			"next_cursor": str("Pass as ?cursor= for the next page; absent on the last page."),
		}),
		"Statement": object([]string{"id", "text", "status", "seed", "created_at"}, map[string]*schema{
			"id": integer, "text": str(""), "status": {Type: jsonType{"string"}, Enum: []string{"pending", "approved", "rejected"}},
			"seed": {Type: jsonType{"boolean"}, Description: "Written by staff."}, "external_id": str("Its ID in imported data."), "created_at": dateTime(""),
		}),
		"StatementList": object([]string{"items"}, map[string]*schema{"items": {Type: jsonType{"array"}, Items: ref("Statement")}}),
		"ConversationResults": object([]string{"computed_at", "votes", "participants", "clustered", "groups", "consensus", "statements"}, map[string]*schema{
			"computed_at":  dateTime(""),
			"votes":        integer,
			"participants": integer,
			"clustered":    {Type: jsonType{"integer"}, Description: "Participants who voted enough to be grouped."},
			"groups": {Type: jsonType{"array"}, Items: object([]string{"id", "size", "x", "y", "representative"}, map[string]*schema{
				"id": integer, "size": integer, "x": number, "y": number, "representative": {Type: jsonType{"array"}, Items: scored},
			})},
			"consensus": {Type: jsonType{"array"}, Items: scored},
			"statements": {Type: jsonType{"array"}, Items: object([]string{"id", "agree", "disagree", "pass", "group_aware", "priority"}, map[string]*schema{
				"id": integer, "agree": integer, "disagree": integer, "pass": integer,
				"group_aware": {Type: jsonType{"number"}, Description: "Product over groups of (agrees+1)/(seen+2)."},
				"priority":    {Type: jsonType{"number"}, Description: "Routing weight for the next statement shown."},
			})},
		}),
		"ConversationExport": object([]string{"comments", "votes"}, map[string]*schema{
			"comments": {Type: jsonType{"array"}, Items: object([]string{"comment_id", "timestamp", "agrees", "disagrees", "moderated", "comment_body"}, map[string]*schema{
				"comment_id": integer, "timestamp": {Type: jsonType{"integer"}, Description: "Milliseconds since the Unix epoch."},
				"agrees": integer, "disagrees": integer, "moderated": {Type: jsonType{"integer"}, Description: "1 shown, -1 rejected."}, "comment_body": str(""),
			})},
			"votes": {Type: jsonType{"array"}, Items: object([]string{"timestamp", "comment_id", "voter_id", "vote"}, map[string]*schema{
				"timestamp": integer, "comment_id": integer, "voter_id": integer, "vote": {Type: jsonType{"integer"}, Description: "1 agree, -1 disagree, 0 pass."},
			})},
		}),
	}
}
