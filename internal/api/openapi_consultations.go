package api

import "parley/internal/measure"

// The consultation endpoints of the OpenAPI document.

func consultationPaths() map[string]pathItem {
	id := parameter{Name: "id", In: "path", Required: true, Description: "The consultation's ID.", Schema: &schema{Type: jsonType{"integer"}}}
	tags := []string{"consultations"}
	channels := []string{"web", "email", "post", "phone", "face_to_face", "event", "social"}
	channel := parameter{Name: "channel", In: "query", Description: "Only responses that arrived by this channel.",
		Schema: &schema{Type: jsonType{"string"}, Enum: channels}}
	respondent := parameter{Name: "respondent", In: "query", Description: "Only responses from individuals, or on behalf of organisations.",
		Schema: &schema{Type: jsonType{"string"}, Enum: []string{"individual", "organisation"}}}
	search := parameter{Name: "q", In: "query", Description: "Words to find in the free-text answers (full-text search), up to 200 characters.",
		Schema: str("")}
	empty := &requestBody{Content: jsonContent(object(nil, map[string]*schema{}))}
	consultation := func(desc string) response {
		return response{Description: desc, Content: jsonContent(ref("Consultation"))}
	}
	return map[string]pathItem{
		"/api/v1/consultations": {
			"get": {
				OperationID: "listConsultations", Summary: "List an organisation's consultations, newest first", Tags: tags,
				Description: "Drafts are listed only for the organisation's staff. Questions and documents are left out: read one consultation for them.",
				Parameters:  []parameter{orgParam, limitParam, cursorParam},
				Security:    bearerAuth,
				Responses:   withErrors("200", response{Description: "One page of consultations.", Content: jsonContent(ref("ConsultationList"))}, "400"),
			},
			"post": {
				OperationID: "createConsultation", Summary: "Create a draft consultation with its questions", Tags: tags,
				RequestBody: body(ref("ConsultationCreate")),
				Description: "Needs the editor or admin role in the organisation. Every question is checked before anything is saved: " +
					"a problem with the third question is reported as errors[\"questions[2].text_en\"] and nothing is created. " +
					"A scale question without options gets the five-point agreement scale.",
				Security: bearerAuth,
				Responses: withErrors("201", response{Description: "The new consultation, with its questions; Location names it.",
					Content: jsonContent(ref("Consultation"))}, "403", "422"),
			},
		},
		"/api/v1/consultations/{id}": {
			"get": {
				OperationID: "getConsultation", Summary: "One consultation, with its questions and documents", Tags: tags,
				Description: "Drafts only for the organisation's staff.",
				Parameters:  []parameter{id}, Security: bearerAuth,
				Responses: withErrors("200", consultation("The consultation."), "404"),
			},
			"patch": {
				OperationID: "updateConsultation", Summary: "Change a consultation's texts, dates or layout", Tags: tags,
				RequestBody: body(ref("ConsultationUpdate")),
				Description: "The fields given change; the others stay. Status changes through publish, close and outcome. Needs editor or admin.",
				Parameters:  []parameter{id}, Security: bearerAuth,
				Responses: withErrors("200", consultation("The consultation as it now is."), "400", "403", "404", "409", "422"),
			},
		},
		"/api/v1/consultations/{id}/publish": {"post": {
			OperationID: "publishConsultation", Summary: "Open a consultation now", Tags: tags, Parameters: []parameter{id}, Security: bearerAuth,
			RequestBody: empty,
			Description: "Opens a draft, or reopens a closed consultation (to extend it) until its outcome is published. The body is empty or {}. " +
				"To open at opens_at instead, set scheduled with PATCH. Needs editor or admin.",
			Responses: withErrors("200", consultation("The consultation, open."), "400", "403", "404", "409"),
		}},
		"/api/v1/consultations/{id}/close": {"post": {
			OperationID: "closeConsultation", Summary: "Close a consultation now", Tags: tags, Parameters: []parameter{id}, Security: bearerAuth,
			RequestBody: empty,
			Description: "Stops responses online and starts the 12-week clock for the response. The body is empty or {}. Needs editor or admin.",
			Responses:   withErrors("200", consultation("The consultation, closed."), "400", "403", "404", "409"),
		}},
		"/api/v1/consultations/{id}/outcome": {"post": {
			OperationID: "publishConsultationOutcome", Summary: "Publish the outcome: we asked, you said, we did", Tags: tags,
			Parameters: []parameter{id}, Security: bearerAuth,
			RequestBody: body(ref("OutcomeCreate")),
			Description: "The consultation must be closed. Respondents who asked to hear back and the consultation's followers are emailed. Needs editor or admin.",
			Responses:   withErrors("200", consultation("The consultation with its outcome."), "400", "403", "404", "409", "422"),
		}},
		"/api/v1/consultations/{id}/responses": {
			"get": {
				OperationID: "listConsultationResponses", Summary: "The submitted responses, in the order received", Tags: tags,
				Description: "Any staff role of the organisation. Responses hold personal data: keep them as your data protection policy says.",
				Parameters:  []parameter{id, channel, respondent, search, limitParam, cursorParam},
				Security:    bearerAuth,
				Responses: withErrors("200", response{Description: "One page of responses.", Content: jsonContent(ref("ResponseList"))},
					"400", "403", "404"),
			},
			"post": {
				OperationID: "createConsultationResponses", Summary: "Key in responses that arrived offline", Tags: tags,
				Parameters: []parameter{id}, Security: bearerAuth,
				RequestBody: body(ref("ResponseCreate")),
				Description: `One response, or {"responses": […]} with up to 1,000, saved all or none (the body is at most 1 MiB). ` +
					`Each answer names its question by ID (question) or by position from 1 (position), and gives text, or choices: ` +
					`option labels (English or Welsh, any case) or indexes into the question's options from 0. ` +
					`Problems are reported by path, e.g. errors["responses[3].answers[0].choices"], or q<ID> for an answer that does not fit its question. ` +
					"The consultation must be open or closed. Needs editor or admin.",
				Responses: withErrors("201", response{Description: "The responses are stored.", Content: jsonContent(ref("ResponsesCreated"))},
					"400", "403", "404", "409", "422"),
			},
		},
		"/api/v1/consultations/{id}/responses.csv": {"get": {
			OperationID: "exportConsultationResponses", Summary: "The submitted responses as CSV", Tags: tags,
			Description: "One row per response. Columns: id, submitted, channel, received, respondent, name, organisation, email, reference, consent, " +
				"hear_back, age_band, then q1, q2, … (one per question by position); choices are the options' English labels joined by |. " +
				"Without id and submitted, the file has the columns the CSV import reads. A cell beginning with = + - or @ is prefixed with ' " +
				"so that spreadsheets do not run it. Any staff role of the organisation.",
			Parameters: []parameter{id, channel, respondent, search},
			Security:   bearerAuth,
			Responses: withErrors("200", response{Description: "The CSV file.",
				Content: map[string]mediaType{"text/csv": {Schema: str("RFC 4180 CSV with a header row.")}}}, "400", "403", "404"),
		}},
		"/api/v1/consultations/{id}/analysis": {"get": {
			OperationID: "getConsultationAnalysis", Summary: "Figures, campaigns and themes", Tags: tags,
			Description: "Per-question figures (narrowed by channel and respondent), form-letter campaigns, the themes analysts accepted, and " +
				"candidate themes proposed from the free text. Campaigns and candidates cover every submitted response. Needs admin, editor or analyst.",
			Parameters: []parameter{id, channel, respondent},
			Security:   bearerAuth,
			Responses:  withErrors("200", response{Description: "The analysis.", Content: jsonContent(ref("Analysis"))}, "400", "403", "404"),
		}},
	}
}

func consultationSchemas() map[string]*schema {
	integer := &schema{Type: jsonType{"integer"}}
	boolean := &schema{Type: jsonType{"boolean"}}
	text := func(desc string) *schema {
		return object([]string{"en", "cy"}, map[string]*schema{"en": str(desc), "cy": str("In Welsh; empty when there is no Welsh text.")})
	}
	textIn := func(desc string) *schema {
		return object([]string{"en"}, map[string]*schema{"en": str(desc), "cy": str("In Welsh (optional).")})
	}
	textPatch := func(desc string) *schema {
		return object(nil, map[string]*schema{"en": str(desc), "cy": str("In Welsh; \"\" removes it.")})
	}
	kind := &schema{Type: jsonType{"string"}, Enum: []string{"text", "single", "multiple", "scale"},
		Description: "text: free text; single: one option; multiple: any options; scale: one point of a scale, low to high."}
	status := &schema{Type: jsonType{"string"}, Enum: []string{"draft", "open", "closed", "outcome"}}
	layout := &schema{Type: jsonType{"string"}, Enum: []string{"one-per-page", "all-on-one"}, Description: "Default one-per-page."}
	count := object([]string{"key", "count", "percent"}, map[string]*schema{
		"key":     str("The channel, the respondent kind, or the option's index from 0."),
		"label":   str("The option's English label."),
		"count":   integer,
		"percent": {Type: jsonType{"number"}, Description: "Of the responses counted (options: of those who answered), to one decimal."},
	})
	quote := object([]string{"response_id", "text"}, map[string]*schema{"response_id": integer, "text": str("A sentence of the response.")})
	youSaid := func(t func(string) *schema) *schema {
		return object([]string{"said", "did"}, map[string]*schema{
			"theme_id": {Type: jsonType{"integer"}, Description: "The theme it answers (optional)."},
			"said":     t("What respondents said."),
			"did":      t("What the organisation did."),
		})
	}
	ageBand := &schema{Type: jsonType{"string"}, Enum: append(append([]string{""}, measure.AgeBands...), measure.PreferNotToSay),
		Description: "The respondent's age band, if they gave it (optional; \"\" for none). Counted for representativeness, never published."}
	response := object([]string{"id", "channel", "respondent", "name", "org_name", "email", "consent", "hear_back", "reference",
		"created_at", "answers", "theme_ids", "links"}, map[string]*schema{
		"id":           integer,
		"channel":      {Type: jsonType{"string"}, Enum: []string{"web", "email", "post", "phone", "face_to_face", "event", "social"}},
		"respondent":   {Type: jsonType{"string"}, Enum: []string{"individual", "organisation"}},
		"name":         str(""),
		"org_name":     str("The organisation responded for."),
		"email":        str(""),
		"consent":      {Type: jsonType{"string"}, Enum: []string{"no", "anonymous", "named"}, Description: "Whether it may be published, and with the name."},
		"hear_back":    {Type: jsonType{"boolean"}, Description: "Wants an email when the outcome is published."},
		"age_band":     ageBand,
		"reference":    str("A link or reference given with it."),
		"scan_id":      {Type: jsonType{"integer"}, Description: "The scanned original, when there is one."},
		"received_at":  dateTime("When an offline response arrived."),
		"submitted_at": dateTime(""),
		"created_at":   dateTime(""),
		"answers": {Type: jsonType{"array"}, Items: object([]string{"question_id", "position"}, map[string]*schema{
			"question_id": integer, "position": integer,
			"text":    str("A free-text answer."),
			"choices": {Type: jsonType{"array"}, Items: str("The English label of a chosen option.")},
		})},
		"redacted":  {Type: jsonType{"object"}, Description: "Published text in place of free-text answers, by question ID.", AdditionalProperties: str("")},
		"theme_ids": {Type: jsonType{"array"}, Items: integer},
		"links":     object([]string{"html"}, map[string]*schema{"html": uri("The response's staff page.")}),
	})
	responseIn := object([]string{"channel", "received_at"}, map[string]*schema{
		"channel":     {Type: jsonType{"string"}, Enum: []string{"email", "post", "phone", "face_to_face", "event", "social"}},
		"received_at": str("The date received: YYYY-MM-DD or an RFC 3339 time."),
		"respondent":  {Type: jsonType{"string"}, Enum: []string{"individual", "organisation"}, Description: "Default individual."},
		"name":        str(""),
		"org_name":    str("Required when respondent is organisation."),
		"email":       str("Required with hear_back."),
		"consent":     {Type: jsonType{"string"}, Enum: []string{"no", "anonymous", "named"}, Description: "Default no."},
		"hear_back":   boolean,
		"age_band":    ageBand,
		"reference":   str("A letter's number, a post's link…"),
		"answers": {Type: jsonType{"array"}, Items: object(nil, map[string]*schema{
			"question": {Type: jsonType{"integer"}, Description: "The question's ID; or give position."},
			"position": {Type: jsonType{"integer"}, Description: "The question's position, from 1; or give question."},
			"text":     str("The answer to a free-text question."),
			"choices": {Type: jsonType{"array"}, Description: "Choice and scale questions: option labels (strings) or indexes from 0 (integers).",
				Items: &schema{Type: jsonType{"string", "integer"}}},
		})},
	})
	return map[string]*schema{
		"Consultation": object([]string{"id", "organisation", "title", "summary", "body", "status", "layout", "scheduled", "created_at", "responses", "links"}, map[string]*schema{
			"id":           integer,
			"organisation": str("The organisation's slug."),
			"title":        text("Up to 200 characters."),
			"summary":      text("One or two sentences for lists and feeds."),
			"body":         text("Markdown."),
			"status":       status,
			"layout":       layout,
			"opens_at":     dateTime("When it opens (if scheduled) or opened; absent: by hand."),
			"closes_at":    dateTime("When it closes; absent: by hand."),
			"scheduled":    {Type: jsonType{"boolean"}, Description: "Staff approved opening a draft at opens_at."},
			"created_at":   dateTime(""),
			"opened_at":    dateTime(""),
			"closed_at":    dateTime(""),
			"responses":    {Type: jsonType{"integer"}, Description: "Submitted responses, from every channel."},
			"response_clock": object([]string{"due", "days_left", "overdue"}, map[string]*schema{
				"due":       dateTime("12 weeks after closing: when the response is due."),
				"days_left": integer,
				"overdue":   {Type: jsonType{"integer"}, Description: "Days past due; 0 when not overdue."},
			}),
			"outcome": object([]string{"published_at", "summary", "decision", "items"}, map[string]*schema{
				"published_at": dateTime(""),
				"summary":      text("A summary of the responses."),
				"decision":     text("The final decision."),
				"items":        {Type: jsonType{"array"}, Items: youSaid(text)},
			}),
			"questions": {Type: jsonType{"array"}, Description: "When one consultation is read.", Items: object(
				[]string{"id", "position", "kind", "text", "help", "required", "options"}, map[string]*schema{
					"id": integer, "position": {Type: jsonType{"integer"}, Description: "From 1."}, "kind": kind,
					"text": text(""), "help": text(""), "required": boolean,
					"max_length": {Type: jsonType{"integer"}, Description: "Free text: characters allowed; absent: 20,000."},
					"options":    {Type: jsonType{"array"}, Items: text(""), Description: "Choice questions: the options; scales: the labels, low to high."},
				})},
			"documents": {Type: jsonType{"array"}, Description: "Published documents, when one consultation is read.", Items: object(
				[]string{"id", "title", "file_name", "content_type", "size", "created_at", "links"}, map[string]*schema{
					"id": integer, "title": str(""), "file_name": str(""), "content_type": str(""),
					"size": {Type: jsonType{"integer"}, Description: "Bytes."}, "created_at": dateTime(""),
					"links": object([]string{"html"}, map[string]*schema{"html": uri("The file.")}),
				})},
			"links": object([]string{"self", "html", "responses", "analysis"}, map[string]*schema{
				"self": uri(""), "html": uri(""), "responses": uri(""), "analysis": uri(""),
			}),
		}),
		"ConsultationList": object([]string{"items"}, map[string]*schema{
			"items":       {Type: jsonType{"array"}, Items: ref("Consultation")},
			"next_cursor": str("Pass as ?cursor= for the next page; absent on the last page."),
		}),
		"ConsultationCreate": object([]string{"organisation", "title", "summary"}, map[string]*schema{
			"organisation": str("The organisation's slug."),
			"title":        textIn("Up to 200 characters."),
			"summary":      textIn("Up to 1,000 characters."),
			"body":         textIn("Markdown, up to 100,000 characters."),
			"layout":       layout,
			"opens_at":     dateTime("Optional."),
			"closes_at":    dateTime("Optional; after opens_at."),
			"scheduled":    {Type: jsonType{"boolean"}, Description: "Open by itself at opens_at."},
			"questions": {Type: jsonType{"array"}, Description: "Up to 200, asked in this order.", Items: object([]string{"kind", "text"}, map[string]*schema{
				"kind":       kind,
				"text":       textIn("Up to 1,000 characters."),
				"help":       textIn("Hint text, up to 2,000 characters."),
				"required":   boolean,
				"max_length": {Type: jsonType{"integer"}, Description: "Free text: characters allowed (0 or absent: 20,000)."},
				"options":    {Type: jsonType{"array"}, Items: textIn("Up to 300 characters."), Description: "2 to 50; a scale without options gets Strongly disagree … Strongly agree."},
			})},
		}),
		"ConsultationUpdate": object(nil, map[string]*schema{
			"title":     textPatch(""),
			"summary":   textPatch(""),
			"body":      textPatch("Markdown."),
			"layout":    layout,
			"opens_at":  {Type: jsonType{"string"}, Description: `An RFC 3339 time, or "" for by hand.`},
			"closes_at": {Type: jsonType{"string"}, Description: `An RFC 3339 time, or "" for by hand.`},
			"scheduled": boolean,
		}),
		"OutcomeCreate": object([]string{"summary", "decision"}, map[string]*schema{
			"summary":  textIn("A summary of the responses."),
			"decision": textIn("The final decision."),
			"items":    {Type: jsonType{"array"}, Description: "Up to 100 'You said, we did' pairs.", Items: youSaid(textIn)},
		}),
		"Response": response,
		"ResponseList": object([]string{"items"}, map[string]*schema{
			"items":       {Type: jsonType{"array"}, Items: ref("Response")},
			"next_cursor": str("Pass as ?cursor= for the next page; absent on the last page."),
		}),
		"ResponseCreate": &schema{Type: jsonType{"object"}, Description: `One response (channel and received_at required), or {"responses": [one, …]}.`,
			Properties: withBatch(responseIn)},
		"ResponsesCreated": object([]string{"imported"}, map[string]*schema{
			"imported": {Type: jsonType{"integer"}, Description: "How many responses were stored."},
			"response": ref("Response"),
		}),
		"Analysis": object([]string{"figures", "campaigns", "themes", "candidates"}, map[string]*schema{
			"figures": object([]string{"responses", "free_texted", "by_channel", "by_respondent", "questions"}, map[string]*schema{
				"channel":       str("The channel filter, if any."),
				"respondent":    str("The respondent filter, if any."),
				"responses":     integer,
				"free_texted":   {Type: jsonType{"integer"}, Description: "Responses with some free text."},
				"first_at":      dateTime(""),
				"last_at":       dateTime(""),
				"by_channel":    {Type: jsonType{"array"}, Items: count},
				"by_respondent": {Type: jsonType{"array"}, Items: count},
				"questions": {Type: jsonType{"array"}, Items: object([]string{"question_id", "position", "kind", "text", "answered", "options"}, map[string]*schema{
					"question_id": integer, "position": integer, "kind": kind, "text": str("In English."), "answered": integer,
					"mean":    {Type: jsonType{"number"}, Description: "Scales: the mean point, from 1."},
					"options": {Type: jsonType{"array"}, Items: count},
				})},
			}),
			"campaigns": {Type: jsonType{"array"}, Description: "Form-letter clusters, largest first.", Items: object(
				[]string{"size", "template", "template_response_id", "added", "members"}, map[string]*schema{
					"size": integer, "template": str("The text the members share."),
					"template_response_id": {Type: jsonType{"integer"}, Description: "The response closest to the template."},
					"added":                {Type: jsonType{"integer"}, Description: "Members that added words of their own."},
					"members": {Type: jsonType{"array"}, Items: object([]string{"response_id", "added"}, map[string]*schema{
						"response_id": integer, "added": str("The member's words beyond the template."),
					})},
				})},
			"themes": {Type: jsonType{"array"}, Description: "Themes analysts accepted.", Items: object(
				[]string{"id", "name", "description", "count", "quotes"}, map[string]*schema{
					"id": integer, "name": str(""), "description": str(""), "count": {Type: jsonType{"integer"}, Description: "Responses assigned."},
					"quotes": {Type: jsonType{"array"}, Items: quote},
				})},
			"candidates": {Type: jsonType{"array"}, Description: "Themes proposed from the free text, for analysts to accept.", Items: object(
				[]string{"label", "size", "members", "quotes"}, map[string]*schema{
					"label": str(""), "size": integer, "members": {Type: jsonType{"array"}, Items: integer},
					"quotes": {Type: jsonType{"array"}, Items: quote},
				})},
		}),
	}
}

// withBatch adds the batch form's responses property to a response's.
func withBatch(one *schema) map[string]*schema {
	props := map[string]*schema{"responses": {Type: jsonType{"array"}, Description: "Up to 1,000 responses, stored all or none.", Items: &schema{
		Type: jsonType{"object"}, Required: one.Required, Properties: one.Properties}}}
	for k, v := range one.Properties {
		props[k] = v
	}
	return props
}
