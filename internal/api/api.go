// Package api serves Parley's JSON API under /api/v1: bearer-token
// authentication, errors as RFC 9457 problem details, cursor pagination, and
// an OpenAPI 3.1 document that a test holds to the routes actually served.
//
// Every route except the OpenAPI document needs a bearer token. Tokens belong
// to staff today; public open data will come as feeds and exports.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"parley/internal/account"
	"parley/internal/consultation"
	"parley/internal/conversation"
	"parley/internal/listening"
	"parley/internal/org"
	"parley/internal/outbox"
	"parley/internal/proposal"
)

// Store is what the API reads. The app wires in *store.Store.
type Store interface {
	// Orgs lists up to limit organisations in slug order after the slug given.
	Orgs(ctx context.Context, after string, limit int) ([]org.Organisation, error)
	OrgBySlug(ctx context.Context, slug string) (org.Organisation, error)
	// PrincipalByToken returns the owner of a live token, or an
	// Unauthenticated error for an unknown, revoked or expired one.
	PrincipalByToken(ctx context.Context, plain string) (*account.Principal, account.APIToken, error)
	OrgByID(ctx context.Context, id int64) (org.Organisation, error)

	Conversation(ctx context.Context, id int64) (conversation.Conversation, error)
	Conversations(ctx context.Context, orgID int64, all bool) ([]conversation.Conversation, error)
	CreateConversation(ctx context.Context, c conversation.Conversation, seeds []string, actorID int64) (conversation.Conversation, error)
	SetConversationStatus(ctx context.Context, id int64, to conversation.Status, actorID int64) error
	PublishConversationReport(ctx context.Context, id int64, response string, actorID int64) error
	ConversationCounts(ctx context.Context, convID int64) (conversation.Counts, error)
	OrgConversationCounts(ctx context.Context, orgID int64) (map[int64]conversation.Counts, error)
	Statements(ctx context.Context, convID int64, status conversation.StatementStatus) ([]conversation.Statement, error)
	AddSeedStatements(ctx context.Context, convID int64, texts []string, actorID int64) (int, error)
	VoteBatch(ctx context.Context, convID int64, votes []conversation.BallotEntry, channel string) error
	VoteMatrix(ctx context.Context, convID int64) ([]conversation.VoteRecord, error)
	ConversationResult(ctx context.Context, convID int64) ([]byte, time.Time, error)

	// Consultations: the methods of web.ConsultationStore the API uses.
	CreateConsultation(ctx context.Context, c consultation.Consultation, actorID int64) (consultation.Consultation, error)
	UpdateConsultation(ctx context.Context, c consultation.Consultation, actorID int64) error
	Consultation(ctx context.Context, id int64) (consultation.Consultation, error)
	Consultations(ctx context.Context, orgID int64, all bool) ([]consultation.Consultation, error)
	SetConsultationStatus(ctx context.Context, id int64, to consultation.Status, actorID int64) error
	PublishOutcome(ctx context.Context, id int64, r consultation.Result, ev outbox.Event, actorID int64) error
	ConsultationResponseCounts(ctx context.Context, orgID int64) (map[int64]int, error)
	Questions(ctx context.Context, consultationID int64) ([]consultation.Question, error)
	AddQuestion(ctx context.Context, q consultation.Question, actorID int64) (consultation.Question, error)
	Documents(ctx context.Context, consultationID int64) ([]consultation.Document, error)
	KeyInResponse(ctx context.Context, r consultation.Response, actorID int64) (consultation.Response, error)
	ImportResponses(ctx context.Context, consultationID int64, rs []consultation.Response, actorID int64) (int, error)
	Responses(ctx context.Context, consultationID int64, f consultation.ResponseFilter) ([]consultation.Response, error)
	Themes(ctx context.Context, consultationID int64) ([]consultation.Theme, error)
	ResponseThemes(ctx context.Context, consultationID int64) (map[int64][]int64, error)

	CreateFeed(ctx context.Context, f listening.Feed, actorID int64) (listening.Feed, error)
	Feeds(ctx context.Context, orgID int64) ([]listening.Feed, error)
	CreateRule(ctx context.Context, r listening.Rule, actorID int64) (listening.Rule, error)
	Rules(ctx context.Context, orgID int64) ([]listening.Rule, error)
	Mention(ctx context.Context, id int64) (listening.Mention, error)
	Mentions(ctx context.Context, orgID int64, f listening.MentionFilter) ([]listening.Mention, error)
	TriageMention(ctx context.Context, id int64, t listening.Triage, actorID int64) error
	AttachMention(ctx context.Context, mentionID, consultationID int64, actorID int64) (consultation.Response, error)
	CreateWebhook(ctx context.Context, w listening.Webhook, actorID int64) (listening.Webhook, error)
	Webhook(ctx context.Context, id int64) (listening.Webhook, error)
	Webhooks(ctx context.Context, orgID int64) ([]listening.Webhook, error)
	DeleteWebhook(ctx context.Context, id int64, actorID int64) error

	// Proposals: the methods of web.ProposalStore the API uses.
	CreateBoard(ctx context.Context, b proposal.Board, actorID int64) (proposal.Board, error)
	Board(ctx context.Context, id int64) (proposal.Board, error)
	Boards(ctx context.Context, orgID int64) ([]proposal.Board, error)
	Proposal(ctx context.Context, id int64) (proposal.Proposal, error)
	Proposals(ctx context.Context, f proposal.ListFilter) ([]proposal.Proposal, int, error)
	CountsByArea(ctx context.Context, proposalID int64) ([]proposal.AreaCount, error)
	SetProposalStatus(ctx context.Context, c proposal.StatusChange) (proposal.StatusChange, error)
	StatusChanges(ctx context.Context, proposalID int64) ([]proposal.StatusChange, error)

	MeasureStore
}

// maxBody bounds request bodies: past it a request gets a 413 problem
// instead of filling memory. A full ballot of votes fits well within it.
const maxBody = 1 << 20

// API is the JSON API of one deployment.
type API struct {
	st      Store
	log     *slog.Logger
	baseURL string // no trailing slash
	mux     *http.ServeMux
	// routes is filled in as routes are registered, so a test can hold the
	// OpenAPI document to them.
	routes []route
	// now is the clock of the measurement figures (their default period);
	// tests set it.
	now func() time.Time
	// figures keeps the measurement figures recently worked out.
	figures figureCache
}

// New returns the API. baseURL is the site's public address (for example
// "https://parley.example.gov.uk"); links in responses are built on it.
func New(st Store, log *slog.Logger, baseURL string) *API {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &API{st: st, log: log, baseURL: strings.TrimRight(baseURL, "/"), mux: http.NewServeMux(), now: time.Now}
	a.register()
	return a
}

// Handler serves every path beginning /api/v1/; mount it at "/api/v1/"
// without stripping the prefix.
func (a *API) Handler() http.Handler { return a.mux }

// handlerFunc writes a response or returns an error, which serve renders
// as a problem.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// authFunc is a handler for a route that needs a token; c holds its owner.
type authFunc func(w http.ResponseWriter, r *http.Request, c caller) error

// caller is who presented the request's bearer token.
type caller struct {
	principal *account.Principal
	token     account.APIToken
}

// serve adapts a handler: the headers every response carries, a bounded
// body, and errors rendered as problem+json.
func (a *API) serve(h handlerFunc) http.Handler { return a.serveLimit(h, maxBody) }

// serveLimit is serve with a body limit of its own, for the few routes
// whose bodies are larger by design (the measurement ingest batches).
func (a *API) serveLimit(h handlerFunc, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Responses are per token; nothing may keep them. The OpenAPI
		// document, which is the same for everyone, overrides this.
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		if err := h(w, r); err != nil {
			a.fail(w, r, err)
		}
	})
}
