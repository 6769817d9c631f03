package api

// The proposal endpoints of the OpenAPI document.

var proposalStatuses = []string{"open", "under_consideration", "planned", "started", "completed", "declined", "duplicate"}

func proposalPaths() map[string]pathItem {
	tags := []string{"proposals"}
	boardID := parameter{Name: "id", In: "path", Required: true, Description: "The board's ID.", Schema: &schema{Type: jsonType{"integer"}}}
	id := parameter{Name: "id", In: "path", Required: true, Description: "The proposal's ID.", Schema: &schema{Type: jsonType{"integer"}}}
	boardOrg := orgParam
	boardOrg.Required = false
	boardOrg.Description = "The organisation's slug: its proposals on every board. Give this, board, or both."
	board := parameter{Name: "board", In: "query", Description: "The board's ID: its proposals only.", Schema: &schema{Type: jsonType{"integer"}}}
	status := parameter{Name: "status", In: "query", Description: "Only proposals with this official status.",
		Schema: &schema{Type: jsonType{"string"}, Enum: proposalStatuses}}
	category := parameter{Name: "category", In: "query", Description: "Only proposals in this category (its slug).", Schema: str("")}
	stage := parameter{Name: "stage", In: "query", Description: "Only proposals at this stage. Stages other than published are for the organisation's staff (403 for others).",
		Schema: &schema{Type: jsonType{"string"}, Enum: []string{"sponsoring", "pending", "published", "rejected", "hidden"}}}
	one := func(desc string) response { return response{Description: desc, Content: jsonContent(ref("Proposal"))} }
	return map[string]pathItem{
		"/api/v1/boards": {
			"get": {
				OperationID: "listBoards", Summary: "List an organisation's boards of ideas and petitions, newest first", Tags: tags,
				Description: "Boards are public: any token may list them.",
				Parameters:  []parameter{orgParam, limitParam, cursorParam}, Security: bearerAuth,
				Responses: withErrors("200", response{Description: "One page of boards.", Content: jsonContent(ref("BoardList"))}, "400"),
			},
			"post": {
				OperationID: "createBoard", Summary: "Open a board of ideas or petitions", Tags: tags,
				RequestBody: body(ref("BoardCreate")),
				Description: "Needs the editor or admin role in the organisation. A petitions board whose thresholds, sponsors or open days are left out " +
					"gets the UK Parliament petitions site's rules: a response at 10,000, a debate at 100,000, 5 sponsors, open for 182 days.",
				Security: bearerAuth,
				Responses: withErrors("201", response{Description: "The new board; Location names it.", Content: jsonContent(ref("Board"))},
					"400", "403", "422"),
			},
		},
		"/api/v1/boards/{id}": {"get": {
			OperationID: "getBoard", Summary: "One board with its rules and categories", Tags: tags,
			Parameters: []parameter{boardID}, Security: bearerAuth,
			Responses: withErrors("200", response{Description: "The board.", Content: jsonContent(ref("Board"))}, "404"),
		}},
		"/api/v1/proposals": {"get": {
			OperationID: "listProposals", Summary: "List proposals, newest first", Tags: tags,
			Description: "Published proposals only, except for the organisation's staff, who see every stage. Each carries its count of " +
				"supporters (confirmed, valid signatures or supports); read one proposal for its counts by area.",
			Parameters: []parameter{board, boardOrg, status, category, stage, limitParam, cursorParam}, Security: bearerAuth,
			Responses: withErrors("200", response{Description: "One page of proposals.",
				Headers: map[string]header{"Link": {Description: `The next page, as <URL>; rel="next". Absent on the last page.`, Schema: str("")}},
				Content: jsonContent(ref("ProposalList"))}, "400", "403"),
		}},
		"/api/v1/proposals/{id}": {"get": {
			OperationID: "getProposal", Summary: "One proposal with its support, by area too", Tags: tags,
			Description: "Proposals not published are for the organisation's staff only (404 for others).",
			Parameters:  []parameter{id}, Security: bearerAuth,
			Responses: withErrors("200", one("The proposal, with areas."), "404"),
		}},
		"/api/v1/proposals/{id}/areas": {"get": {
			OperationID: "getProposalAreas", Summary: "A proposal's support by area, largest first", Tags: tags,
			Description: "Areas come from the organisation's postcode lookup; support from postcodes in no area (or ideas' supports) is under the code \"\".",
			Parameters:  []parameter{id}, Security: bearerAuth,
			Responses: withErrors("200", response{Description: "The counts.", Content: jsonContent(ref("ProposalAreas"))}, "404"),
		}},
		"/api/v1/proposals/{id}/status": {"post": {
			OperationID: "setProposalStatus", Summary: "Give a proposal an official status and response", Tags: tags,
			RequestBody: body(ref("StatusChangeCreate")),
			Description: "Every status but open needs an English response. Answering a proposal past its response threshold records the response as given. " +
				"Supporters are emailed about the change. duplicate comes from a merge only. Needs editor or admin.",
			Parameters: []parameter{id}, Security: bearerAuth,
			Responses: withErrors("200", one("The proposal as it now is."), "400", "403", "404", "409", "422"),
		}},
		"/api/v1/proposals/{id}/status-changes": {"get": {
			OperationID: "listProposalStatusChanges", Summary: "A proposal's official statuses, oldest first", Tags: tags,
			Parameters: []parameter{id}, Security: bearerAuth,
			Responses: withErrors("200", response{Description: "Every status change.", Content: jsonContent(ref("StatusChangeList"))}, "404"),
		}},
	}
}

func proposalSchemas() map[string]*schema {
	integer := &schema{Type: jsonType{"integer"}}
	boolean := &schema{Type: jsonType{"boolean"}}
	text := func(desc string) *schema {
		return object([]string{"en", "cy"}, map[string]*schema{"en": str(desc), "cy": str("In Welsh; empty when there is no Welsh text.")})
	}
	textIn := func(desc string) *schema {
		return object([]string{"en"}, map[string]*schema{"en": str(desc), "cy": str("In Welsh (optional).")})
	}
	kind := &schema{Type: jsonType{"string"}, Enum: []string{"ideas", "petitions"},
		Description: "ideas: supported by signed-in citizens; petitions: signed with name, email and postcode, confirmed by email."}
	moderation := &schema{Type: jsonType{"string"}, Enum: []string{"pre", "post"},
		Description: "pre: published once a moderator approves; post: published at once, hidden later if need be."}
	area := object([]string{"code", "name", "count"}, map[string]*schema{
		"code": str("The area's code; \"\" for support from no known area."), "name": str(""), "count": integer})
	return map[string]*schema{
		"Board": object([]string{"id", "organisation", "kind", "title", "description", "moderation", "accepting", "response_threshold",
			"debate_threshold", "response_days", "sponsors_needed", "open_days", "categories", "created_at", "links"}, map[string]*schema{
			"id": integer, "organisation": str("The organisation's slug."), "kind": kind,
			"title": text("Up to 200 characters."), "description": text("Markdown."), "moderation": moderation,
			"accepting":          {Type: jsonType{"boolean"}, Description: "Whether citizens may propose now."},
			"response_threshold": {Type: jsonType{"integer"}, Description: "Support at which the organisation must answer; 0: never."},
			"debate_threshold":   {Type: jsonType{"integer"}, Description: "Support at which a petition is considered for debate; 0: never."},
			"response_days":      {Type: jsonType{"integer"}, Description: "Days staff have to answer once the response threshold is crossed."},
			"sponsors_needed":    {Type: jsonType{"integer"}, Description: "Sponsors a petition needs before moderation; 0: none."},
			"open_days":          {Type: jsonType{"integer"}, Description: "Days a petition takes signatures once published; 0: until closed."},
			"categories": {Type: jsonType{"array"}, Items: object([]string{"slug", "name"}, map[string]*schema{
				"slug": str(""), "name": text("")})},
			"created_at": dateTime(""),
			"links": object([]string{"self", "html", "json", "proposals"}, map[string]*schema{
				"self": uri(""), "html": uri("The board's public page."), "json": uri("The board's proposals in the petitions site's JSON shape."),
				"proposals": uri("Its proposals in this API.")}),
		}),
		"BoardList": object([]string{"items"}, map[string]*schema{
			"items":       {Type: jsonType{"array"}, Items: ref("Board")},
			"next_cursor": str("Pass as ?cursor= for the next page; absent on the last page."),
		}),
		"BoardCreate": object([]string{"organisation", "kind", "title"}, map[string]*schema{
			"organisation": str("The organisation's slug."), "kind": kind,
			"title": textIn("Up to 200 characters."), "description": textIn("Markdown, up to 20,000 characters."),
			"moderation":         &schema{Type: jsonType{"string"}, Enum: []string{"pre", "post"}, Description: "Default pre."},
			"accepting":          &schema{Type: jsonType{"boolean"}, Description: "Default true."},
			"response_threshold": &schema{Type: jsonType{"integer"}, Description: "0: never. Default: 10,000 for petitions, 0 for ideas."},
			"debate_threshold":   &schema{Type: jsonType{"integer"}, Description: "0: never; above response_threshold. Default: 100,000 for petitions, 0 for ideas."},
			"response_days":      &schema{Type: jsonType{"integer"}, Description: "1 to 365; default 28."},
			"sponsors_needed":    &schema{Type: jsonType{"integer"}, Description: "0 to 100. Default: 5 for petitions, 0 for ideas."},
			"open_days":          &schema{Type: jsonType{"integer"}, Description: "0 to 3,650. Default: 182 for petitions, 0 for ideas."},
			"alert_per_hour":     &schema{Type: jsonType{"integer"}, Description: "Signatures per hour from one address or email domain that the trending report flags; 0: 50."},
			"categories": {Type: jsonType{"array"}, Description: "Up to 50.", Items: object([]string{"name"}, map[string]*schema{
				"slug": str("Optional: made from the English name."), "name": textIn("Up to 100 characters.")})},
		}),
		"Proposal": object([]string{"id", "board_id", "organisation", "kind", "title", "body", "lang", "category", "author_name", "stage",
			"status", "response", "supporters", "created_at", "awaiting_response", "overdue", "links"}, map[string]*schema{
			"id": integer, "board_id": integer, "organisation": str("The organisation's slug."), "kind": kind,
			"title":       str("In the author's language."),
			"body":        str("Markdown, in the author's language."),
			"lang":        {Type: jsonType{"string"}, Enum: []string{"en", "cy"}},
			"category":    str("The category's slug; \"\" for none."),
			"author_name": str("As the author chose to be shown; may be empty."),
			"stage": {Type: jsonType{"string"}, Enum: []string{"sponsoring", "pending", "published", "rejected", "hidden"},
				Description: "Always published outside the organisation's staff."},
			"reason":            str("A moderator's reason for rejecting or hiding it (staff only)."),
			"status":            {Type: jsonType{"string"}, Enum: proposalStatuses, Description: "The official status."},
			"response":          text("The official response that goes with the status."),
			"status_at":         dateTime("When the status last changed."),
			"supporters":        {Type: jsonType{"integer"}, Description: "Confirmed, valid signatures (petitions) or supports (ideas)."},
			"created_at":        dateTime(""),
			"published_at":      dateTime(""),
			"closes_at":         dateTime("When a petition stops taking signatures."),
			"threshold_at":      dateTime("When support crossed the response threshold."),
			"response_due":      dateTime("When the response is due."),
			"responded_at":      dateTime("When the owed response was given."),
			"debate_at":         dateTime("When a petition crossed the debate threshold."),
			"merged_into":       {Type: jsonType{"integer"}, Description: "The original this duplicate was merged into."},
			"awaiting_response": boolean,
			"overdue":           {Type: jsonType{"boolean"}, Description: "An owed response is past its due date."},
			"areas":             {Type: jsonType{"array"}, Description: "When one proposal is read: support by area, largest first.", Items: area},
			"links": object([]string{"self", "html", "json", "board", "areas", "status_changes"}, map[string]*schema{
				"self": uri(""), "html": uri("The public page."), "json": uri("The petitions site's JSON shape, for researchers."),
				"board": uri(""), "areas": uri(""), "status_changes": uri("")}),
		}),
		"ProposalList": object([]string{"items", "total"}, map[string]*schema{
			"items":       {Type: jsonType{"array"}, Items: ref("Proposal")},
			"total":       {Type: jsonType{"integer"}, Description: "Proposals that match, over every page."},
			"next_cursor": str("Pass as ?cursor= for the next page; absent on the last page."),
		}),
		"ProposalAreas": object([]string{"proposal_id", "supporters", "items"}, map[string]*schema{
			"proposal_id": integer, "supporters": integer, "items": {Type: jsonType{"array"}, Items: area},
		}),
		"StatusChangeCreate": object([]string{"status"}, map[string]*schema{
			"status": {Type: jsonType{"string"}, Enum: []string{"open", "under_consideration", "planned", "started", "completed", "declined"}},
			"response": object(nil, map[string]*schema{
				"en": str("Required for every status but open; markdown, up to 20,000 characters."),
				"cy": str("In Welsh (optional)."),
			}),
		}),
		"StatusChangeList": object([]string{"items"}, map[string]*schema{
			"items": {Type: jsonType{"array"}, Items: object([]string{"id", "status", "response", "at"}, map[string]*schema{
				"id": integer, "status": {Type: jsonType{"string"}, Enum: proposalStatuses}, "response": text(""), "at": dateTime(""),
			})},
		}),
	}
}
