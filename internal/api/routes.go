package api

import (
	"net/http"
	"slices"
	"strings"

	"parley/internal/apperr"
)

// route is one registered (method, pattern) pair.
type route struct {
	method  string
	pattern string // path pattern, e.g. /api/v1/organisations/{slug}
	auth    bool   // needs a bearer token
	// optional: a staff token may be sent and shows more (unpublished
	// figures of the caller's own organisations); none is needed.
	optional bool
}

// catchAll answers every /api/v1/ path no route claims.
const catchAll = "/api/v1/"

// register adds every route of the API: this is the only place routes are
// registered, and openapi.go must describe each one (a test checks).
func (a *API) register() {
	a.public("GET /api/v1/openapi.json", a.openapi)
	a.private("GET /api/v1/organisations", a.orgList)
	a.private("GET /api/v1/organisations/{slug}", a.orgGet)
	a.private("GET /api/v1/me", a.me)
	a.private("GET /api/v1/conversations", a.conversationList)
	a.private("POST /api/v1/conversations", a.conversationCreate)
	a.private("GET /api/v1/conversations/{id}", a.conversationGet)
	a.private("PATCH /api/v1/conversations/{id}", a.conversationPatch)
	a.private("GET /api/v1/conversations/{id}/statements", a.statementList)
	a.private("POST /api/v1/conversations/{id}/statements", a.statementAdd)
	a.private("POST /api/v1/conversations/{id}/votes", a.voteAdd)
	a.private("GET /api/v1/conversations/{id}/results", a.conversationResults)
	a.private("GET /api/v1/conversations/{id}/export", a.conversationExport)
	a.private("GET /api/v1/consultations", inEnglishHandler(a.consultationList))
	a.private("POST /api/v1/consultations", inEnglishHandler(a.consultationCreate))
	a.private("GET /api/v1/consultations/{id}", inEnglishHandler(a.consultationGet))
	a.private("PATCH /api/v1/consultations/{id}", inEnglishHandler(a.consultationPatch))
	a.private("POST /api/v1/consultations/{id}/publish", inEnglishHandler(a.consultationPublish))
	a.private("POST /api/v1/consultations/{id}/close", inEnglishHandler(a.consultationClose))
	a.private("POST /api/v1/consultations/{id}/outcome", inEnglishHandler(a.consultationOutcome))
	a.private("GET /api/v1/consultations/{id}/responses", inEnglishHandler(a.responseList))
	a.private("POST /api/v1/consultations/{id}/responses", inEnglishHandler(a.responseCreate))
	a.private("GET /api/v1/consultations/{id}/responses.csv", inEnglishHandler(a.responseExport))
	a.private("GET /api/v1/consultations/{id}/analysis", inEnglishHandler(a.consultationAnalysis))
	a.private("GET /api/v1/listening/feeds", a.feedList)
	a.private("POST /api/v1/listening/feeds", a.feedCreate)
	a.private("GET /api/v1/listening/rules", a.ruleList)
	a.private("POST /api/v1/listening/rules", a.ruleCreate)
	a.private("GET /api/v1/listening/mentions", a.mentionList)
	a.private("PATCH /api/v1/listening/mentions/{id}", a.mentionPatch)
	a.private("POST /api/v1/listening/mentions/{id}/attach", a.mentionAttachPost)
	a.private("GET /api/v1/listening/webhooks", a.webhookList)
	a.private("POST /api/v1/listening/webhooks", a.webhookCreate)
	a.private("DELETE /api/v1/listening/webhooks/{id}", a.webhookDelete)
	a.private("GET /api/v1/boards", inEnglishHandler(a.boardList))
	a.private("POST /api/v1/boards", inEnglishHandler(a.boardCreate))
	a.private("GET /api/v1/boards/{id}", inEnglishHandler(a.boardGet))
	a.private("GET /api/v1/proposals", inEnglishHandler(a.proposalList))
	a.private("GET /api/v1/proposals/{id}", inEnglishHandler(a.proposalGet))
	a.private("GET /api/v1/proposals/{id}/areas", inEnglishHandler(a.proposalAreas))
	a.private("POST /api/v1/proposals/{id}/status", inEnglishHandler(a.proposalStatus))
	a.private("GET /api/v1/proposals/{id}/status-changes", inEnglishHandler(a.proposalStatusChanges))

	a.measureRoutes()

	// Unknown paths and methods get problems, not the mux's plain text.
	a.mux.Handle(catchAll, a.serve(a.unmatched))
}

// public registers a route that needs no token.
func (a *API) public(pattern string, h handlerFunc) { a.handle(pattern, false, h) }

// private registers a route that needs a bearer token.
func (a *API) private(pattern string, h authFunc) {
	a.handle(pattern, true, func(w http.ResponseWriter, r *http.Request) error {
		c, err := a.authenticate(r)
		if err != nil {
			return err
		}
		return h(w, r, c)
	})
}

func (a *API) handle(pattern string, auth bool, h handlerFunc) {
	a.add(pattern, route{auth: auth}, a.serve(h))
}

// add registers a served handler under pattern with rt's access rule.
func (a *API) add(pattern string, rt route, h http.Handler) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || !strings.HasPrefix(path, catchAll) {
		panic("api: route needs a method and a path under /api/v1/: " + pattern)
	}
	a.mux.Handle(pattern, h)
	rt.method, rt.pattern = method, path
	a.routes = append(a.routes, rt)
}

// unmatched answers 405 when another method would have matched the path,
// and 404 otherwise.
func (a *API) unmatched(w http.ResponseWriter, r *http.Request) error {
	allow := a.allowed(r)
	if len(allow) == 0 {
		return apperr.New(apperr.NotFound, "error.route.not_found")
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	a.writeProblem(w, r, problem{
		Status: http.StatusMethodNotAllowed,
		Detail: "This endpoint does not accept " + r.Method + ". Allowed: " + strings.Join(allow, ", ") + ".",
	})
	return nil
}

// allowed lists the methods for which a route other than the catch-all
// matches the request's path.
func (a *API) allowed(r *http.Request) []string {
	var methods []string
	for _, rt := range a.routes {
		methods = append(methods, rt.method)
		if rt.method == http.MethodGet {
			methods = append(methods, http.MethodHead) // the mux serves HEAD with GET handlers
		}
	}
	slices.Sort(methods)
	methods = slices.Compact(methods)
	var allow []string
	for _, m := range methods {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := a.mux.Handler(probe); p != "" && p != catchAll {
			allow = append(allow, m)
		}
	}
	return allow
}
