package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"parley/internal/account"
)

// staffRoute records a staff route and the permission it needs, so a test
// can check every staff route against every role.
type staffRoute struct {
	Method, Pattern string
	Perm            account.Permission
}

// Handler returns the whole site: every route is registered here.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Tell observe which route matched: the mux sets r.Pattern only on
		// the request it hands to the handler.
		if rt, ok := r.Context().Value(keyRoute).(*string); ok {
			_, *rt = mux.Handler(r)
		}
		mux.ServeHTTP(w, r)
	})
	h = s.authenticate(h)
	h = s.sessions.LoadAndSave(h)
	h = s.language(h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = s.limitBody(h)
	h = s.secure(h)
	h = s.shed(h)
	h = s.observe(h)
	return h
}

func (s *Server) routes(mux *http.ServeMux) {
	// Operations.
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /.well-known/security.txt", s.securityTxt)
	mux.Handle("GET /readyz", s.h(s.readyz))
	if s.Metrics != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics, promhttp.HandlerOpts{}))
	}
	mux.Handle("GET /static/", s.static())
	mux.Handle("GET /robots.txt", s.static())
	if s.API != nil {
		mux.Handle("/api/v1/", s.API)
	}

	// Public pages.
	mux.Handle("GET /{$}", s.h(s.cached(s.home)))
	mux.Handle("GET /organisations/{slug}", s.h(s.cached(s.orgPage)))
	mux.Handle("POST /organisations/{slug}/follow", s.h(s.follow))
	mux.Handle("POST /organisations/{slug}/unfollow", s.h(s.unfollow))
	mux.Handle("GET /accessibility", s.h(s.cached(s.info("accessibility", "accessibility.title"))))
	mux.Handle("GET /privacy", s.h(s.cached(s.info("privacy", "privacy.title"))))
	mux.Handle("GET /cookies", s.h(s.cached(s.info("cookies", "cookies.title"))))

	// Conversations: vote, add statements, see the opinion groups.
	mux.Handle("GET /conversations/{id}", s.h(s.conversationPage))
	mux.Handle("POST /conversations/{id}/vote", s.h(s.conversationVote))
	mux.Handle("POST /conversations/{id}/statements", s.h(s.conversationAddStatement))
	mux.Handle("GET /conversations/{id}/map", s.h(s.conversationMap))
	mux.Handle("GET /conversations/{id}/report", s.h(s.conversationReport))
	mux.Handle("GET /conversations/{id}/export/{file}", s.h(s.conversationExport))
	mux.Handle("GET /feeds/organisations/{slug}/conversations.atom", s.h(s.cached(s.conversationsFeed)))

	// Consultations: read, respond on any device, see the outcome.
	s.consultationRoutes(mux)

	// Ideas and petitions: propose, support, sign, comment.
	s.proposalRoutes(mux)
	s.signatureRoutes(mux)

	// Measurement: published figures of organisations that opt in.
	s.measureRoutes(mux)

	// Moderation, for citizens: report, guidelines, appeal.
	s.moderationPublicRoutes(mux)

	// Signing in and out.
	mux.Handle("GET /sign-in", s.h(s.signInForm))
	mux.Handle("POST /sign-in", s.h(s.signInSubmit))
	mux.Handle("GET /sign-in/check-email", s.h(s.checkEmail))
	mux.Handle("GET /sign-in/link/{token}", s.h(s.signInLink))
	mux.Handle("POST /sign-in/link/{token}", s.h(s.signInLinkUse))
	mux.Handle("GET /sign-in/oidc", s.h(s.oidcBegin))
	mux.Handle("GET /sign-in/oidc/callback", s.h(s.oidcCallback))
	mux.Handle("POST /sign-out", s.h(s.signOut))

	// A citizen's own account.
	mux.Handle("GET /account", s.h(s.accountPage))
	mux.Handle("POST /account/name", s.h(s.accountName))
	mux.Handle("GET /account/my-data.json", s.h(s.myData))
	mux.Handle("GET /account/delete", s.h(s.deleteAccountForm))
	mux.Handle("POST /account/delete", s.h(s.deleteAccount))
	mux.Handle("GET /unsubscribe/{token}", s.h(s.unsubscribeForm))
	mux.Handle("POST /unsubscribe/{token}", s.h(s.unsubscribe))

	// Staff area: every route names the permission it needs.
	mux.Handle("GET /staff", s.h(s.staffHome))
	s.staff(mux, "GET", "/staff/{org}", account.PermStaffArea, s.staffOrg)
	s.staff(mux, "POST", "/staff/{org}/updates", account.PermEdit, s.sendUpdate)
	s.staff(mux, "GET", "/staff/{org}/people", account.PermManageStaff, s.peoplePage)
	s.staff(mux, "POST", "/staff/{org}/people", account.PermManageStaff, s.peopleAdd)
	s.staff(mux, "POST", "/staff/{org}/people/{user}/role", account.PermManageStaff, s.peopleRole)
	s.staff(mux, "POST", "/staff/{org}/people/{user}/remove", account.PermManageStaff, s.peopleRemove)
	s.staff(mux, "GET", "/staff/{org}/audit", account.PermManageStaff, s.auditPage)
	s.staff(mux, "GET", "/staff/{org}/audit.json", account.PermManageStaff, s.auditExport("json"))
	s.staff(mux, "GET", "/staff/{org}/audit.csv", account.PermManageStaff, s.auditExport("csv"))
	s.staff(mux, "GET", "/staff/{org}/conversations", account.PermStaffArea, s.staffConversations)
	s.staff(mux, "GET", "/staff/{org}/conversations/new", account.PermEdit, s.newConversationForm)
	s.staff(mux, "POST", "/staff/{org}/conversations", account.PermEdit, s.createConversation)
	s.staff(mux, "GET", "/staff/{org}/conversations/import", account.PermEdit, s.importConversationForm)
	s.staff(mux, "POST", "/staff/{org}/conversations/import", account.PermEdit, s.importConversation)
	s.staff(mux, "GET", "/staff/{org}/conversations/{id}", account.PermStaffArea, s.manageConversation)
	s.staff(mux, "POST", "/staff/{org}/conversations/{id}/status", account.PermEdit, s.conversationStatus)
	s.staff(mux, "POST", "/staff/{org}/conversations/{id}/statements", account.PermEdit, s.conversationSeeds)
	s.staff(mux, "POST", "/staff/{org}/conversations/{id}/statements/{statement}", account.PermModerate, s.moderateStatement)
	s.staff(mux, "POST", "/staff/{org}/conversations/{id}/report", account.PermEdit, s.conversationPublishReport)
	s.staffConsultationRoutes(mux)
	s.staffProposalRoutes(mux)
	s.staffMeasureRoutes(mux)
	s.staffModerationRoutes(mux)
	s.staff(mux, "GET", "/staff/{org}/listening", account.PermStaffArea, s.listeningInbox)
	s.staff(mux, "GET", "/staff/{org}/listening/mentions/{id}", account.PermStaffArea, s.listeningMention)
	s.staff(mux, "POST", "/staff/{org}/listening/mentions/{id}", account.PermModerate, s.triageMention)
	s.staff(mux, "POST", "/staff/{org}/listening/mentions/{id}/attach", account.PermEdit, s.attachMention)
	s.staff(mux, "GET", "/staff/{org}/listening/feeds", account.PermStaffArea, s.listeningFeeds)
	s.staff(mux, "POST", "/staff/{org}/listening/feeds", account.PermEdit, s.addFeed)
	s.staff(mux, "POST", "/staff/{org}/listening/feeds/import", account.PermEdit, s.importFeeds)
	s.staff(mux, "GET", "/staff/{org}/listening/feeds/export", account.PermStaffArea, s.exportFeeds)
	s.staff(mux, "POST", "/staff/{org}/listening/feeds/{id}/refresh", account.PermEdit, s.refreshFeed)
	s.staff(mux, "POST", "/staff/{org}/listening/feeds/{id}/delete", account.PermEdit, s.deleteFeed)
	s.staff(mux, "GET", "/staff/{org}/listening/rules", account.PermStaffArea, s.listeningRules)
	s.staff(mux, "POST", "/staff/{org}/listening/rules", account.PermEdit, s.saveRule)
	s.staff(mux, "POST", "/staff/{org}/listening/rules/{id}/delete", account.PermEdit, s.deleteRule)
	s.staff(mux, "GET", "/staff/{org}/listening/webhooks", account.PermStaffArea, s.listeningWebhooks)
	s.staff(mux, "POST", "/staff/{org}/listening/webhooks", account.PermEdit, s.addWebhook)
	s.staff(mux, "POST", "/staff/{org}/listening/webhooks/{id}/delete", account.PermEdit, s.deleteWebhook)

	// Development: what would have been emailed, when no sender is set.
	if s.DevOutbox {
		mux.Handle("GET /dev/outbox", s.h(s.outboxPage))
		mux.Handle("GET /dev/outbox/{id}", s.h(s.outboxMessage))
	}

	mux.Handle("/", s.h(s.notFound))
}

// StaffRoutes lists the staff routes and their permissions.
func (s *Server) StaffRoutes() []staffRoute { return s.staffRoutes }
