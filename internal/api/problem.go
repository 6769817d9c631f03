package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"parley/internal/apperr"
)

// problem is an RFC 9457 problem details object.
type problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Errors holds a message per field (or query parameter) when the
	// request was invalid.
	Errors map[string]string `json:"errors,omitempty"`
}

// Retry-After values, in seconds, matching the HTML site's.
const (
	retryUnavailable = 30
	retryTooMany     = 60
)

// requestError marks an Invalid error in the request's own syntax (its query
// string or headers): a 400. Invalid errors about the data a request carries
// are 422.
type requestError struct{ err *apperr.Error }

func (e requestError) Error() string { return e.err.Error() }
func (e requestError) Unwrap() error { return e.err }

// badParam returns a 400 error for the query parameter.
func badParam(name, msg string) error {
	return requestError{&apperr.Error{Kind: apperr.Invalid, Msg: msg, Fields: map[string]string{name: msg}, Order: []string{name}}}
}

// fail renders err as a problem: the one place apperr kinds become statuses.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		a.writeProblem(w, r, problem{Status: http.StatusRequestEntityTooLarge,
			Detail: "The request body is larger than " + strconv.FormatInt(tooLarge.Limit, 10) + " bytes."})
		return
	}
	kind := apperr.KindOf(err)
	p := problem{}
	switch kind {
	case apperr.Invalid:
		p.Status = http.StatusUnprocessableEntity
		var re requestError
		if errors.As(err, &re) {
			p.Status = http.StatusBadRequest
		}
		if fields := apperr.FieldsOf(err); len(fields) > 0 {
			p.Errors = make(map[string]string, len(fields))
			for k, v := range fields {
				p.Errors[k] = english(v, apperr.Invalid)
			}
		}
	case apperr.NotFound:
		p.Status = http.StatusNotFound
	case apperr.Forbidden:
		p.Status = http.StatusForbidden
	case apperr.Unauthenticated:
		p.Status = http.StatusUnauthorized
		challenge := `Bearer realm="parley"`
		if bearer(r) != "" {
			// RFC 6750 §3.1: say why a token that was sent is refused.
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
	case apperr.Conflict:
		p.Status = http.StatusConflict
	case apperr.Unavailable:
		p.Status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", strconv.Itoa(retryUnavailable))
	case apperr.TooMany:
		p.Status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", strconv.Itoa(retryTooMany))
	default:
		// The cause may say anything, so it goes to the log only; the log
		// line names the route pattern, not the path or query, and never
		// the token.
		a.log.ErrorContext(r.Context(), "api request failed", "method", r.Method, "route", r.Pattern, "err", err)
		p.Status = http.StatusInternalServerError
		p.Detail = "Something went wrong on our side. Try again later; if it keeps happening, contact the service team."
		a.writeProblem(w, r, p)
		return
	}
	p.Detail = english(apperr.Message(err), kind)
	a.writeProblem(w, r, p)
}

// writeProblem fills in the problem's defaults and writes it.
func (a *API) writeProblem(w http.ResponseWriter, r *http.Request, p problem) {
	if p.Type == "" {
		p.Type = "about:blank" // RFC 9457 §4.2.1: the status says it all
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	if p.Instance == "" {
		p.Instance = r.URL.Path
	}
	b, err := json.Marshal(p)
	if err != nil {
		// Cannot happen: a problem is strings and an int.
		a.log.ErrorContext(r.Context(), "api problem encoding failed", "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/problem+json")
	write(w, p.Status, b)
}

// writeJSON writes v as the response. It encodes before writing anything, so
// an encoding failure can still become a 500 problem.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	write(w, status, b)
	return nil
}

func write(w http.ResponseWriter, status int, b []byte) {
	b = append(b, '\n')
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) // a failed write means the client has gone
}

// messages are the English texts of the i18n message IDs the API meets.
// The API speaks English only; the IDs come from apperr errors.
var messages = map[string]string{
	"error.not_found":               "Nothing was found at this address.",
	"error.route.not_found":         "There is no API endpoint at this address. The endpoints are listed in /api/v1/openapi.json.",
	"error.org.not_found":           "No organisation has this slug.",
	"error.forbidden":               "Your token does not allow this.",
	"error.sign_in_required":        "This endpoint needs a bearer token: send the header Authorization: Bearer <token>.",
	"error.token.required":          "This endpoint needs a bearer token: send the header Authorization: Bearer <token>.",
	"error.token.invalid":           "The bearer token is not valid: it may be mistyped, revoked or expired.",
	"error.conflict":                "This clashes with something that already exists.",
	"error.summary":                 "The request has errors: see errors for a message about each field.",
	"error.too_large":               "The request body is too large.",
	"error.limit.format":            "limit must be a whole number from 1 to " + strconv.Itoa(maxLimit) + ".",
	"error.cursor.format":           "cursor must be a next_cursor value returned by this API.",
	"error.slug.required":           "Enter a slug.",
	"error.slug.format":             "A slug must be 2 to 60 lower-case letters, digits and single hyphens.",
	"error.slug.reserved":           "This slug is reserved.",
	"error.name.required":           "Enter a name.",
	"error.name.too_long":           "A name must be 200 characters or fewer.",
	"error.brand.unknown":           "brand must be govuk, neutral or empty.",
	"error.email.required":          "Enter an email address.",
	"error.email.format":            "Enter an email address in the correct format, like name@example.com.",
	"error.role.unknown":            "role must be admin, editor, moderator or analyst.",
	"error.staff.last_admin":        "An organisation must keep at least one admin.",
	"error.display_name.too_long":   "A display name must be 80 characters or fewer.",
	"error.display_name.characters": "A display name cannot contain < > or line breaks.",

	"error.listening.url.required":         "Give the feed's URL.",
	"error.listening.url.invalid":          "url must be an http or https URL.",
	"error.listening.url.exists":           "The organisation already watches this feed.",
	"error.listening.rule.name.required":   "Give the rule a name.",
	"error.listening.rule.query.required":  "Give the rule a query.",
	"error.listening.rule.alert.unknown":   "alert must be none, immediate or digest.",
	"error.listening.status.unknown":       "status must be new, relevant, not_relevant or answered.",
	"error.listening.answer_url.invalid":   "answer_url must be an http or https URL.",
	"error.listening.answer_url.required":  "Give answer_url, the reply's link, to mark a mention answered.",
	"error.listening.assignee.not_staff":   "assignee_id must be a staff member of the mention's organisation.",
	"error.listening.conversation.unknown": "conversation_id must be one of the mention's organisation's conversations.",
}

// kindText is said when an error's message has no English text here.
var kindText = map[apperr.Kind]string{
	apperr.Invalid:         "The request is not valid.",
	apperr.NotFound:        "Nothing was found at this address.",
	apperr.Forbidden:       "Your token does not allow this.",
	apperr.Unauthenticated: "This endpoint needs a valid bearer token.",
	apperr.Conflict:        "This clashes with something that already exists.",
	apperr.Unavailable:     "The service is busy or restarting. Try again shortly.",
	apperr.TooMany:         "Too many requests. Slow down and try again later.",
}

// english turns a message into English text: IDs known here are
// translated, other IDs fall back to the kind's text, and text that is not
// an ID is shown as it is.
func english(msg string, k apperr.Kind) string {
	if s, ok := messages[msg]; ok {
		return s
	}
	if s, ok := measureMessages[msg]; ok {
		return s
	}
	if msg == "" || strings.HasPrefix(msg, "error.") {
		return kindText[k]
	}
	return msg
}
