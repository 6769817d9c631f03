package web

import (
	"context"
	"time"

	"parley/internal/consultation"
	"parley/internal/outbox"
)

// ConsultationStore is what the consultation pages need of the database.
// Every method that changes data records an audit entry for a non-zero
// actor; actor 0 is the system (the scheduler) or a citizen.
type ConsultationStore interface {
	// Consultations and their lifecycle.
	CreateConsultation(ctx context.Context, c consultation.Consultation, actorID int64) (consultation.Consultation, error)
	// UpdateConsultation saves the text fields, dates, layout and the
	// Scheduled flag; status and outcome change only through their methods.
	UpdateConsultation(ctx context.Context, c consultation.Consultation, actorID int64) error
	Consultation(ctx context.Context, id int64) (consultation.Consultation, error)
	// Consultations lists an organisation's consultations, newest first;
	// all false leaves out drafts.
	Consultations(ctx context.Context, orgID int64, all bool) ([]consultation.Consultation, error)
	// SetConsultationStatus moves a consultation as consultation.CanMove
	// allows (Conflict otherwise), stamping OpenedAt or ClosedAt.
	SetConsultationStatus(ctx context.Context, id int64, to consultation.Status, actorID int64) error
	// PublishOutcome validates and saves the outcome, moves a closed
	// consultation to Outcome, records ev for the consultation's followers
	// (as PublishEvent does) and enqueues consultation.OutcomeJob, all in
	// one transaction.
	PublishOutcome(ctx context.Context, id int64, r consultation.Result, ev outbox.Event, actorID int64) error
	// ConsultationResponseCounts counts submitted responses per consultation
	// of an organisation.
	ConsultationResponseCounts(ctx context.Context, orgID int64) (map[int64]int, error)

	// Questions: added, changed, moved and removed only while in draft
	// (Conflict otherwise).
	Questions(ctx context.Context, consultationID int64) ([]consultation.Question, error)
	AddQuestion(ctx context.Context, q consultation.Question, actorID int64) (consultation.Question, error)
	UpdateQuestion(ctx context.Context, q consultation.Question, actorID int64) error
	MoveQuestion(ctx context.Context, id int64, up bool, actorID int64) error
	DeleteQuestion(ctx context.Context, id int64, actorID int64) error

	// Documents: the rows; the bytes are files under the document root.
	AddDocument(ctx context.Context, d consultation.Document, actorID int64) (consultation.Document, error)
	Document(ctx context.Context, id int64) (consultation.Document, error)
	// Documents lists the published documents (not scans) of a consultation.
	Documents(ctx context.Context, consultationID int64) ([]consultation.Document, error)
	DeleteDocument(ctx context.Context, id int64, actorID int64) error

	// Responding online.
	// StartResponse creates an in-progress web response for an open
	// consultation (Conflict when not open).
	StartResponse(ctx context.Context, r consultation.Response) (consultation.Response, error)
	Response(ctx context.Context, id int64) (consultation.Response, error)
	// SaveResponse stores the about fields and answers of an in-progress
	// response (Conflict when already submitted or the consultation is not
	// open). Answers are replaced by those given, question by question:
	// questions not in r.Answers keep their saved answer unless clear lists them.
	SaveResponse(ctx context.Context, r consultation.Response, clear []int64) error
	// SubmitResponse checks the saved response against the questions
	// (Invalid with field errors), marks it submitted and, when receipt
	// returns ok, puts the receipt in the outbox, in one transaction.
	SubmitResponse(ctx context.Context, id int64, receipt func(consultation.Consultation, []consultation.Question, consultation.Response) (outbox.Message, bool)) (consultation.Response, error)
	// CreateResumeLink emails a link to return to an in-progress response.
	CreateResumeLink(ctx context.Context, responseID int64, email string, ttl time.Duration, compose func(email, token string) outbox.Message) error
	// UseResumeLink returns the in-progress response a live link points to.
	UseResumeLink(ctx context.Context, token string) (consultation.Response, error)

	// Offline channels.
	// KeyInResponse validates and stores a submitted response that came by
	// another channel (open or closed consultations; Conflict for drafts).
	KeyInResponse(ctx context.Context, r consultation.Response, actorID int64) (consultation.Response, error)
	// ImportResponses stores every response or none.
	ImportResponses(ctx context.Context, consultationID int64, rs []consultation.Response, actorID int64) (int, error)
	// Responses lists responses with their answers, in ID order.
	Responses(ctx context.Context, consultationID int64, f consultation.ResponseFilter) ([]consultation.Response, error)
	// RedactResponse sets the published text of a response's free-text answers.
	RedactResponse(ctx context.Context, id int64, redacted map[int64]string, actorID int64) error

	// Themes: every change is audited.
	Themes(ctx context.Context, consultationID int64) ([]consultation.Theme, error)
	Theme(ctx context.Context, id int64) (consultation.Theme, error)
	CreateTheme(ctx context.Context, t consultation.Theme, members []int64, actorID int64) (consultation.Theme, error)
	RenameTheme(ctx context.Context, id int64, name, description string, actorID int64) error
	// MergeThemes moves every response of from into into (once each) and
	// deletes from.
	MergeThemes(ctx context.Context, into, from int64, actorID int64) error
	// SplitTheme replaces a theme by the parts given (each a new theme with
	// its members), in one transaction.
	SplitTheme(ctx context.Context, id int64, parts []consultation.ThemePart, actorID int64) ([]consultation.Theme, error)
	DeleteTheme(ctx context.Context, id int64, actorID int64) error
	// AssignTheme adds (or with remove, takes away) responses of the
	// theme's consultation; it returns how many changed.
	AssignTheme(ctx context.Context, themeID int64, responseIDs []int64, remove bool, actorID int64) (int, error)
	// ResponseThemes maps the given responses to the IDs of their themes.
	ResponseThemes(ctx context.Context, consultationID int64) (map[int64][]int64, error)
}
