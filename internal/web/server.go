// Package web serves Parley's HTML: every route is in routes.go, handlers
// return errors that one adapter turns into GOV.UK-style error pages, and
// every page is a typed struct rendered by html/template.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"

	"parley/internal/account"
	"parley/internal/consultation"
	"parley/internal/conversation"
	"parley/internal/i18n"
	"parley/internal/listening"
	"parley/internal/org"
	"parley/internal/outbox"
	"parley/internal/sso"
)

// Store is what the web layer needs of the database; app passes the real store.
type Store interface {
	Ping(ctx context.Context) error
	Orgs(ctx context.Context, after string, limit int) ([]org.Organisation, error)
	OrgBySlug(ctx context.Context, slug string) (org.Organisation, error)
	OrgByID(ctx context.Context, id int64) (org.Organisation, error)
	Principal(ctx context.Context, userID int64) (*account.Principal, error)
	CreateSignInLink(ctx context.Context, email, returnTo string, ttl time.Duration, compose func(email, token string) outbox.Message) error
	UseSignInLink(ctx context.Context, token string) (account.User, string, error)
	SignInWithIdentity(ctx context.Context, issuer, subject, email string, emailVerified bool) (account.User, error)
	SetDisplayName(ctx context.Context, userID int64, name string) error
	SetLanguage(ctx context.Context, userID int64, lang string) error
	Staff(ctx context.Context, orgID int64) ([]account.StaffMember, error)
	AddStaff(ctx context.Context, orgID int64, email string, role account.Role, actorID int64) (account.User, error)
	SetRole(ctx context.Context, orgID, userID int64, role account.Role, actorID int64) error
	RemoveStaff(ctx context.Context, orgID, userID int64, actorID int64) error
	AuditLog(ctx context.Context, orgID int64, limit int) ([]account.AuditEntry, error)
	// AuditChain lists entries of an organisation's chain after an ID, oldest first.
	AuditChain(ctx context.Context, orgID, afterID int64, limit int) ([]account.AuditEntry, error)
	CheckAuditChain(ctx context.Context, orgID int64) (account.ChainCheck, error)
	// PersonalData gathers what is held about a user; EraseUser erases
	// them (Conflict for staff).
	PersonalData(ctx context.Context, userID int64, mentionDays int) (account.PersonalData, error)
	EraseUser(ctx context.Context, userID int64) error
	Outbox(ctx context.Context, limit int) ([]outbox.Message, error)
	// OutboxTo is Outbox for one address ("" for all).
	OutboxTo(ctx context.Context, to string, limit int) ([]outbox.Message, error)
	OutboxMessage(ctx context.Context, id int64) (outbox.Message, error)
	Subscribe(ctx context.Context, userID int64, kind string, targetID int64) error
	Unsubscribe(ctx context.Context, userID int64, kind string, targetID int64) error
	UnsubscribeByToken(ctx context.Context, token string) (account.Subscription, error)
	IsSubscribed(ctx context.Context, userID int64, kind string, targetID int64) (bool, error)
	FollowedOrgs(ctx context.Context, userID int64) ([]org.Organisation, error)
	// Consents lists the records of what the user agreed to, oldest first.
	Consents(ctx context.Context, userID int64) ([]account.Consent, error)
	FollowerCount(ctx context.Context, kind string, targetID int64) (int, error)
	PublishEvent(ctx context.Context, ev outbox.Event, actorID int64) (int64, error)
	ConversationStore
	ListeningStore
	ConsultationStore
	ProposalStore
	MeasureStore
	ModerationStore
}

// ListeningStore is what the listening pages need of the database.
type ListeningStore interface {
	CreateWebhook(ctx context.Context, w listening.Webhook, actorID int64) (listening.Webhook, error)
	Webhook(ctx context.Context, id int64) (listening.Webhook, error)
	Webhooks(ctx context.Context, orgID int64) ([]listening.Webhook, error)
	DeleteWebhook(ctx context.Context, id int64, actorID int64) error
	CreateFeed(ctx context.Context, f listening.Feed, actorID int64) (listening.Feed, error)
	Feed(ctx context.Context, id int64) (listening.Feed, error)
	Feeds(ctx context.Context, orgID int64) ([]listening.Feed, error)
	RefreshFeed(ctx context.Context, id int64, actorID int64) error
	DeleteFeed(ctx context.Context, id int64, actorID int64) error
	CreateRule(ctx context.Context, r listening.Rule, actorID int64) (listening.Rule, error)
	Rule(ctx context.Context, id int64) (listening.Rule, error)
	Rules(ctx context.Context, orgID int64) ([]listening.Rule, error)
	DeleteRule(ctx context.Context, id int64, actorID int64) error
	Mention(ctx context.Context, id int64) (listening.Mention, error)
	Mentions(ctx context.Context, orgID int64, f listening.MentionFilter) ([]listening.Mention, error)
	RecentMentions(ctx context.Context, orgID int64, limit int) ([]listening.Mention, error)
	TriageMention(ctx context.Context, id int64, t listening.Triage, actorID int64) error
	AttachMention(ctx context.Context, mentionID, consultationID int64, actorID int64) (consultation.Response, error)
	MentionsPerDay(ctx context.Context, orgID int64, since time.Time) ([]listening.DayCount, error)
}

// ConversationStore is what the conversation pages need of the database.
type ConversationStore interface {
	Conversation(ctx context.Context, id int64) (conversation.Conversation, error)
	Conversations(ctx context.Context, orgID int64, all bool) ([]conversation.Conversation, error)
	CreateConversation(ctx context.Context, c conversation.Conversation, seeds []string, actorID int64) (conversation.Conversation, error)
	SetConversationStatus(ctx context.Context, id int64, to conversation.Status, actorID int64) error
	PublishConversationReport(ctx context.Context, id int64, response string, actorID int64) error
	AddSeedStatements(ctx context.Context, convID int64, texts []string, actorID int64) (int, error)
	ModerateStatement(ctx context.Context, convID, statementID int64, to conversation.StatementStatus, actorID int64) error
	AddStatement(ctx context.Context, convID int64, p conversation.Participant, text string) (conversation.Statement, error)
	Statements(ctx context.Context, convID int64, status conversation.StatementStatus) ([]conversation.Statement, error)
	ParticipantID(ctx context.Context, convID int64, p conversation.Participant) (int64, error)
	Vote(ctx context.Context, convID int64, p conversation.Participant, statementID int64, v conversation.Vote, channel string) (int64, error)
	VotedStatements(ctx context.Context, convID, participantID int64) (map[int64]conversation.Vote, error)
	VoteMatrix(ctx context.Context, convID int64) ([]conversation.VoteRecord, error)
	ConversationParticipants(ctx context.Context, convID int64) ([]conversation.ExportParticipant, error)
	ConversationResultAt(ctx context.Context, convID int64) (time.Time, error)
	ConversationResult(ctx context.Context, convID int64) ([]byte, time.Time, error)
	ConversationCounts(ctx context.Context, convID int64) (conversation.Counts, error)
	OrgConversationCounts(ctx context.Context, orgID int64) (map[int64]conversation.Counts, error)
	VotesPerDay(ctx context.Context, convID int64) ([]conversation.DayCount, error)
	ImportConversation(ctx context.Context, c conversation.Conversation, statements []conversation.ImportedStatement, votes []conversation.ImportedVote, actorID int64) (conversation.Conversation, error)
}

// SSO is the OpenID Connect provider, when one is configured.
type SSO interface {
	Begin(ctx context.Context) (string, sso.State, error)
	Finish(ctx context.Context, st sso.State, query url.Values) (sso.Claims, error)
}

// Options configures the web server.
type Options struct {
	Store     Store
	Sessions  scs.Store // where sessions are kept
	Catalogue *i18n.Catalogue
	Log       *slog.Logger
	Metrics   *prometheus.Registry
	API       http.Handler // serves /api/v1/
	SSO       SSO          // nil: no single sign-on
	SSOName   string       // the provider's name on the sign-in page
	BaseURL   string
	Brand     string // the site's brand: "govuk" or "neutral"
	SiteName  string
	// MentionRetention is how long listening keeps mentions, for the
	// retention statement of a person's data download.
	MentionRetention time.Duration
	// SecurityContact is published in /.well-known/security.txt.
	SecurityContact string
	DevOutbox       bool // no email sender: show the outbox at /dev/outbox
	SecureCookies   bool
	SessionTTL      time.Duration
	SignInLinkTTL   time.Duration
	MaxBodyBytes    int64
	MaxInFlight     int           // requests served at once before shedding load with 503
	PageCacheTTL    time.Duration // how long public pages are cached for visitors without a session (0: off)
	SignInBurst     int           // sign-in requests one address may make at once (0: 10)
	Now             func() time.Time
	// Feeds discovers feeds and reads and writes OPML for the listening
	// pages; nil: adding a feed takes its URL as given, and OPML is off.
	Feeds FeedTools
	// DocumentDir is where consultation documents and scanned responses
	// are kept (app sets it to DATA_DIR/documents).
	DocumentDir string
	// WakeJobs is called after a request enqueues email, so it goes at once.
	WakeJobs func()
	// FormKey signs the timing stamp of the petition signature form
	// (proposal.Stamp); app keeps it in the data directory. Empty: a
	// random key per process (stamps then die with a restart).
	FormKey []byte
}

// Server is the HTML front end.
type Server struct {
	Options
	sessions  *scs.SessionManager
	templates *templates
	limits    *limiter
	metrics   *metrics
	inflight  chan struct{} // bounds requests served at once
	cache     *pageCache    // public pages for visitors without a session; nil: off
	assets    *assets
	// staffRoutes is filled in as staff routes are registered.
	staffRoutes  []staffRoute
	resultsCache resultsCache
	// analysisCache keeps consultations' campaigns and candidate themes.
	analysisCache analysisCache
	// signing keeps what the signature form needs for a few seconds
	// (proposal_sign.go).
	signing signCaches
}

// New builds the server; it fails when a template does not parse.
func New(o Options) (*Server, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.WakeJobs == nil {
		o.WakeJobs = func() {}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	sm := scs.New()
	sm.Store = o.Sessions
	sm.Lifetime = o.SessionTTL
	sm.Cookie.Name = "parley_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.Secure = o.SecureCookies
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Persist = false
	t, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 1024
	}
	if o.SignInBurst <= 0 {
		o.SignInBurst = 10
	}
	if len(o.FormKey) == 0 {
		o.FormKey = []byte(randomString(32))
	}
	s := &Server{Options: o, sessions: sm, templates: t, limits: newLimiter(o.Now), assets: a,
		inflight: make(chan struct{}, o.MaxInFlight)}
	if o.PageCacheTTL > 0 {
		s.cache = newPageCache(o.PageCacheTTL, o.Now)
	}
	if o.Metrics != nil {
		s.metrics = newMetrics(o.Metrics)
	}
	return s, nil
}
