package api

import (
	"strconv"

	"parley/internal/measure"
)

// The measurement endpoints of the OpenAPI document.

// openSecurity makes a token optional: none is needed, a staff token shows more.
var openSecurity = []securityRequirement{{}, {"bearer": {}}}

var datasetAuth = []securityRequirement{{"dataset": {}}}

func measurePaths() map[string]pathItem {
	tags := []string{"measures"}
	slug := parameter{Name: "slug", In: "path", Required: true, Description: "The organisation's slug.", Schema: str("")}
	month := func(name, desc string) parameter {
		return parameter{Name: name, In: "query", Description: desc,
			Schema: &schema{Type: jsonType{"string"}, Description: "A month, e.g. 2026-11."}}
	}
	query := []parameter{
		month("from", "First month of the period. Default: 11 months before to (or the last 12 months up to this one when neither is given)."),
		month("to", "Last month of the period. Default: this month. At most "+strconv.Itoa(maxPeriodMonths)+" months from from."),
		{Name: "service", In: "query", Description: "Only this service's figures (its name exactly). Default: every service.", Schema: str("")},
		{Name: "channel", In: "query", Description: "Only this channel's volumes (its key). Take-up and costs always use every channel of the service.", Schema: str("")},
		month("baseline_from", "First month of the baseline the saving from shift compares with. Default: the 12 months before the period."),
		month("baseline_to", "Last month of the baseline. Default: 11 months after baseline_from, or the month before the period."),
	}
	figuresNote := "Figures of organisations that publish them are open data: no token is needed. A staff token adds the figures of " +
		"the organisations where its owner is an analyst, editor or admin (published or not); a platform administrator's, every organisation's. " +
		"Ratios and amounts that cannot be worked out (nothing to divide by, no unit cost) are null. Money is in pence. " +
		"How every figure and the engagement index are worked out: /measures/method."
	openErrors := func(ok response, codes ...string) map[string]response {
		rs := withErrors("200", ok, codes...)
		rs["401"] = respRef("Unauthorized") // a token that is sent must be valid
		return rs
	}
	whatIfQuery := append([]parameter{}, query[:3]...)
	whatIfQuery = append(whatIfQuery,
		parameter{Name: "from_channel", In: "query", Required: true, Description: "The channel contacts move from (its key), e.g. face_to_face.", Schema: str("")},
		parameter{Name: "to_channel", In: "query", Description: "The channel they move to. Default: web.", Schema: str("")},
		parameter{Name: "percent", In: "query", Required: true, Description: "The share of from_channel's contacts that moves, 0 to 100.",
			Schema: &schema{Type: jsonType{"number"}, Minimum: intPtr(0), Maximum: intPtr(100)}},
	)
	return map[string]pathItem{
		"/api/v1/measures/datasets/{id}/records": {"post": {
			OperationID: "ingestRecords", Summary: "Send a batch of channel records to a dataset", Tags: tags,
			Description: "Modelled on the UK Performance Platform's write API. Authenticate with the dataset's own ingest token " +
				"(pds_…, shown once when staff create the dataset; a staff token is refused). The body is a JSON array of up to " +
				strconv.Itoa(measure.MaxBatch) + " records (at most 8 MiB). Each record counts one service on one channel on one day; counts left out are 0, " +
				"and contacts are raised to transactions when lower (a transaction is a contact). A record with an _id the dataset already " +
				"holds replaces it (the totals move by the difference), so a batch can be sent again safely; two records with one _id in a " +
				"batch: the later wins. The batch is stored whole or not at all: a bad one is a 400 whose errors name every bad record " +
				"(records[i], counting from 0) and field.",
			Parameters:  []parameter{{Name: "id", In: "path", Required: true, Description: "The dataset's ID.", Schema: &schema{Type: jsonType{"integer"}}}},
			RequestBody: body(&schema{Type: jsonType{"array"}, Items: ref("MeasureRecord")}),
			Security:    datasetAuth,
			Responses: map[string]response{
				"200":     {Description: "The batch is stored.", Content: jsonContent(ref("IngestResult"))},
				"400":     {Description: "The body is not a JSON array of valid records; errors names each bad record and field. Nothing was stored.", Content: map[string]mediaType{"application/problem+json": {Schema: ref("Problem")}}},
				"401":     respRef("Unauthorized"),
				"403":     {Description: "The token belongs to another dataset.", Content: map[string]mediaType{"application/problem+json": {Schema: ref("Problem")}}},
				"404":     respRef("NotFound"),
				"default": respRef("Problem"),
			},
		}},
		"/api/v1/measures/organisations": {"get": {
			OperationID: "compareOrganisations", Summary: "Channel shift and engagement figures of every organisation, ranked on the engagement index", Tags: tags,
			Description: figuresNote + " Organisations are ranked best first on the engagement index (the mean of closing the loop, response " +
				"times, reach and digital take-up); ties share a rank; those with fewer than two components measured are unranked (rank null) and come last. " +
				"service and channel narrow the service figures only: the index always uses everything.",
			Parameters: query, Security: openSecurity,
			Responses: openErrors(response{Description: "The comparison.", Content: jsonContent(ref("MeasureComparison"))}, "400"),
		}},
		"/api/v1/measures/organisations/{slug}": {"get": {
			OperationID: "getOrganisationMeasures", Summary: "One organisation's figures: the four service KPIs, volumes, costs, saving from shift, engagement", Tags: tags,
			Description: figuresNote + " An organisation that does not publish its figures is a 404 to others.",
			Parameters:  append([]parameter{slug}, query...), Security: openSecurity,
			Responses: openErrors(response{Description: "The figures.", Content: jsonContent(ref("MeasureReport"))}, "400", "404"),
		}},
		"/api/v1/measures/organisations/{slug}/what-if": {"get": {
			OperationID: "whatIfChannelShift", Summary: "The channel-shift calculator: the period's cost with a share of one channel's contacts moved to another", Tags: tags,
			Description: figuresNote + " Both sides are costed at the unit costs in force in the period; the saving is null when either channel has no unit cost.",
			Parameters:  append([]parameter{slug}, whatIfQuery...), Security: openSecurity,
			Responses: openErrors(response{Description: "Cost now and after the move.", Content: jsonContent(ref("WhatIf"))}, "400", "404"),
		}},
	}
}

func measureSchemas() map[string]*schema {
	integer := &schema{Type: jsonType{"integer"}}
	nullNumber := func(desc string) *schema { return &schema{Type: jsonType{"number", "null"}, Description: desc} }
	share := func(desc string) *schema {
		return nullNumber(desc + " 0 to 1; null when there is nothing to divide by.")
	}
	month := &schema{Type: jsonType{"string"}, Description: "A month, e.g. 2026-11."}
	period := object([]string{"from", "to"}, map[string]*schema{"from": month, "to": month})
	name := object([]string{"en", "cy"}, map[string]*schema{"en": str("English."), "cy": str("Welsh; the English when there is no Welsh.")})
	counts := map[string]*schema{}
	for _, f := range []struct{ name, desc string }{
		{"contacts", "Every contact on the channel, a transaction included (cost is per contact)."},
		{"transactions", "Completed transactions: a response, a signature, a payment. Alias: count."},
		{"count", "The same as transactions (the Performance Platform's name)."},
		{"started", "Journeys started, for the completion rate."},
		{"completed", "Journeys completed, for the completion rate."},
		{"satisfied", "Users satisfied or very satisfied."},
		{"rated", "Users who rated their satisfaction."},
	} {
		counts[f.name] = &schema{Type: jsonType{"integer"}, Minimum: intPtr(0), Description: f.desc}
	}
	record := object([]string{"_timestamp", "service", "channel"}, counts)
	record.Properties["_timestamp"] = str("The day the record counts, as RFC 3339 (2026-11-23T00:00:00Z; the UTC day is taken) or 2026-11-23.")
	record.Properties["_id"] = str("Optional: a key unique in the dataset. A later record with the same _id replaces this one.")
	record.Properties["service"] = str("The service, e.g. Council tax. Up to 200 characters.")
	record.Properties["channel"] = str("A channel key: web, email, social, phone, post, face_to_face, event, or one the organisation added.")
	record.Description = "One service on one channel on one day. Give at least one count."
	money := object([]string{"pence", "partial", "uncosted_contacts"}, map[string]*schema{
		"pence":             nullNumber("In pence; null when no contact could be costed."),
		"partial":           {Type: jsonType{"boolean"}, Description: "Some contacts are on channels with no unit cost and are left out."},
		"uncosted_contacts": {Type: jsonType{"integer"}, Description: "How many contacts are left out."},
	})
	saving := &schema{Type: jsonType{"object", "null"}, Required: []string{"baseline", "baseline_mix", "cost_at_baseline_mix_pence", "actual_cost_pence", "saving_pence"},
		Description: "The saving from shift: what the period's costed contacts would have cost at the baseline's channel mix, less what they cost; both at the period's unit costs.",
		Properties: map[string]*schema{
			"baseline": period,
			"baseline_mix": {Type: jsonType{"object"}, Description: "Each costed channel's share of the baseline's costed contacts.",
				AdditionalProperties: &schema{Type: jsonType{"number"}}},
			"cost_at_baseline_mix_pence": nullNumber("Null when the baseline or the period has no costed contacts."),
			"actual_cost_pence":          nullNumber(""),
			"saving_pence":               nullNumber("Negative: the mix costs more now."),
		}}
	score := object([]string{"index", "rank", "measured", "components"}, map[string]*schema{
		"index":    nullNumber("0 to 100: the mean of the measured components × 100."),
		"rank":     {Type: jsonType{"integer", "null"}, Description: "1 is best; ties share a rank. Null: unranked, or a report of one organisation."},
		"measured": {Type: jsonType{"integer"}, Description: "How many components had data."},
		"components": object([]string{"loop", "times", "reach", "digital"}, map[string]*schema{
			"loop":    share("Closing the loop: engagements owing an answer that have one."),
			"times":   share("Response times: answers due that came on time."),
			"reach":   share("Participants ÷ population ÷ 5%, capped at 1; null without a population."),
			"digital": share("Digital take-up."),
		}),
	})
	band := object([]string{"band", "respondents", "share", "population_share", "ratio"}, map[string]*schema{
		"band": str("16-24, 25-34, … 75+."), "respondents": integer,
		"share":            {Type: jsonType{"number"}, Description: "Of respondents who gave a band."},
		"population_share": {Type: jsonType{"number"}, Description: "The organisation's baseline share."},
		"ratio":            nullNumber("share ÷ population_share: under 0.8 under-represented, over 1.25 over-represented."),
	})
	engagement := object([]string{"engagements", "participants", "responses", "responses_per_engagement", "owed", "answered",
		"outcome_share", "median_days_to_answer", "due", "on_time", "on_time_share", "representativeness"}, map[string]*schema{
		"engagements":              {Type: jsonType{"integer"}, Description: "Consultations, petitions, ideas and conversations running in the period."},
		"participants":             {Type: jsonType{"integer"}, Description: "Summed over engagements: a person in two counts twice."},
		"responses":                {Type: jsonType{"integer"}, Description: "Responses, signatures, supports and votes."},
		"responses_per_engagement": nullNumber(""),
		"owed":                     {Type: jsonType{"integer"}, Description: "Engagements owing an official answer (closed consultations and conversations, proposals past their response threshold)."},
		"answered":                 {Type: jsonType{"integer"}, Description: "Of those, answered (outcome or report published, response given)."},
		"outcome_share":            share("answered ÷ owed."),
		"median_days_to_answer":    nullNumber("Over answered ones: days from when the answer became owed to when it was published."),
		"due":                      {Type: jsonType{"integer"}, Description: "Owed answers whose deadline has passed or been met."},
		"on_time":                  {Type: jsonType{"integer"}, Description: "Answered by the deadline."},
		"on_time_share":            share("on_time ÷ due."),
		"representativeness": {Type: jsonType{"object", "null"}, Required: []string{"respondents", "index", "bands"},
			Description: "Consultation respondents' optional age bands against the organisation's baseline; null without a baseline or bands.",
			Properties: map[string]*schema{
				"respondents": {Type: jsonType{"integer"}, Description: "Who gave a band."},
				"index":       {Type: jsonType{"number"}, Description: "1 − ½ Σ |respondent share − population share|: 1 mirrors the population."},
				"bands":       {Type: jsonType{"array"}, Items: band},
			}},
	})
	org := object([]string{"slug", "name", "links"}, map[string]*schema{
		"slug": str(""), "name": name,
		"links": object([]string{"self", "what_if", "html"}, map[string]*schema{
			"self": uri("Its figures in this API."), "what_if": uri("Its channel-shift calculator in this API."),
			"html": uri("Its public dashboard (published organisations).")}),
	})
	query := object([]string{"period", "baseline", "service", "channel"}, map[string]*schema{
		"period": period, "baseline": period,
		"service": str("\"\": every service."), "channel": str("\"\": every channel."),
	})
	return map[string]*schema{
		"MeasureRecord": record,
		"IngestResult": object([]string{"created", "replaced"}, map[string]*schema{
			"created":  {Type: jsonType{"integer"}, Description: "Records new to the dataset."},
			"replaced": {Type: jsonType{"integer"}, Description: "Records whose _id the dataset held: replaced."},
		}),
		"Money": money,
		"MeasureComparison": object([]string{"query", "items"}, map[string]*schema{
			"query": query,
			"items": {Type: jsonType{"array"}, Description: "Best first.", Items: object([]string{"organisation", "public", "engagement_index",
				"transactions", "digital_take_up", "cost_per_transaction", "total_cost", "saving", "engagement"}, map[string]*schema{
				"organisation":         org,
				"public":               {Type: jsonType{"boolean"}, Description: "The organisation publishes its figures."},
				"engagement_index":     score,
				"transactions":         integer,
				"digital_take_up":      share("Digital transactions ÷ transactions."),
				"cost_per_transaction": ref("Money"),
				"total_cost":           ref("Money"),
				"saving":               saving,
				"engagement":           engagement,
			})},
		}),
		"MeasureReport": object([]string{"organisation", "public", "query", "settings", "channels", "unit_costs", "figures",
			"engagement", "engagement_index"}, map[string]*schema{
			"organisation": org,
			"public":       {Type: jsonType{"boolean"}, Description: "The organisation publishes its figures."},
			"query":        query,
			"settings": object([]string{"population", "age_baseline", "age_baseline_source"}, map[string]*schema{
				"population":          {Type: jsonType{"integer", "null"}, Description: "People the organisation serves, for reach; null: not given."},
				"age_baseline":        {Type: jsonType{"object"}, Description: "The population's shares by age band (summing to 1).", AdditionalProperties: &schema{Type: jsonType{"number"}}},
				"age_baseline_source": str("Where the shares come from, e.g. Census 2021."),
			}),
			"channels": {Type: jsonType{"array"}, Items: object([]string{"key", "name", "digital", "own"}, map[string]*schema{
				"key": str(""), "name": name,
				"digital": {Type: jsonType{"boolean"}, Description: "Transactions on it count towards digital take-up."},
				"own":     {Type: jsonType{"boolean"}, Description: "Added by the organisation, not built in."},
			})},
			"unit_costs": {Type: jsonType{"array"}, Description: "The organisation's own, then the defaults it has not replaced.",
				Items: object([]string{"channel", "from", "pence", "source", "default"}, map[string]*schema{
					"channel": str(""),
					"from":    {Type: jsonType{"string", "null"}, Description: "The month it applies from, until a later one; null: from the start."},
					"pence":   {Type: jsonType{"integer"}, Description: "Cost per contact."},
					"source":  str("Where the figure comes from."),
					"default": {Type: jsonType{"boolean"}, Description: "Parley's default (Socitm 2012), not the organisation's own."},
				})},
			"figures": object([]string{"contacts", "transactions", "digital_transactions", "digital_take_up", "cost_per_transaction",
				"completion_rate", "user_satisfaction", "total_cost", "by_channel", "by_month", "by_service", "saving"}, map[string]*schema{
				"contacts": integer, "transactions": integer,
				"digital_transactions": {Type: jsonType{"integer"}, Description: "Transactions on digital channels."},
				"digital_take_up":      share("KPI: digital transactions ÷ transactions."),
				"cost_per_transaction": ref("Money"),
				"completion_rate":      share("KPI: completed ÷ started."),
				"user_satisfaction":    share("KPI: satisfied ÷ rated."),
				"total_cost":           ref("Money"),
				"by_channel": {Type: jsonType{"array"}, Items: object([]string{"channel", "contacts", "transactions", "share", "unit_cost_pence", "cost"}, map[string]*schema{
					"channel": str(""), "contacts": integer, "transactions": integer,
					"share":           share("Of all transactions."),
					"unit_cost_pence": {Type: jsonType{"integer", "null"}, Description: "In force in the period's last month; null: none."},
					"cost":            ref("Money"),
				})},
				"by_month": {Type: jsonType{"array"}, Description: "Every month of the period, empty ones included.",
					Items: object([]string{"month", "contacts", "transactions", "digital_transactions", "digital_take_up", "cost", "transactions_by_channel"}, map[string]*schema{
						"month": month, "contacts": integer, "transactions": integer, "digital_transactions": integer,
						"digital_take_up": share(""), "cost": ref("Money"),
						"transactions_by_channel": {Type: jsonType{"object"}, AdditionalProperties: &schema{Type: jsonType{"integer"}}},
					})},
				"by_service": {Type: jsonType{"array"}, Items: object([]string{"service", "contacts", "transactions", "digital_take_up", "cost"}, map[string]*schema{
					"service": str(""), "contacts": integer, "transactions": integer, "digital_take_up": share(""), "cost": ref("Money"),
				})},
				"saving": saving,
			}),
			"engagement":       engagement,
			"engagement_index": score,
		}),
		"WhatIf": object([]string{"organisation", "query", "from_channel", "to_channel", "percent", "moved_contacts", "cost_now", "cost_after", "saving_pence"}, map[string]*schema{
			"organisation": org, "query": query,
			"from_channel": str(""), "to_channel": str(""), "percent": {Type: jsonType{"number"}},
			"moved_contacts": {Type: jsonType{"integer"}, Description: "Contacts moved from from_channel to to_channel."},
			"cost_now":       ref("Money"), "cost_after": ref("Money"),
			"saving_pence": nullNumber("cost_now − cost_after; null when either channel has no unit cost."),
		}),
	}
}
