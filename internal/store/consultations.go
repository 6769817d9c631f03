package store

// Stubs replaced one by one by the real consultation storage.

import (
	"context"
	"errors"
	"time"

	"parley/internal/consultation"
	"parley/internal/outbox"
)

var errTODO = errors.New("not implemented yet")

func (s *Store) CreateConsultation(ctx context.Context, c consultation.Consultation, actorID int64) (consultation.Consultation, error) {
	return consultation.Consultation{}, errTODO
}

func (s *Store) UpdateConsultation(ctx context.Context, c consultation.Consultation, actorID int64) error {
	return errTODO
}

func (s *Store) Consultation(ctx context.Context, id int64) (consultation.Consultation, error) {
	return consultation.Consultation{}, errTODO
}

func (s *Store) Consultations(ctx context.Context, orgID int64, all bool) ([]consultation.Consultation, error) {
	return nil, errTODO
}

func (s *Store) SetConsultationStatus(ctx context.Context, id int64, to consultation.Status, actorID int64) error {
	return errTODO
}

func (s *Store) PublishOutcome(ctx context.Context, id int64, r consultation.Result, ev outbox.Event, actorID int64) error {
	return errTODO
}

func (s *Store) ConsultationResponseCounts(ctx context.Context, orgID int64) (map[int64]int, error) {
	return nil, errTODO
}

func (s *Store) Questions(ctx context.Context, consultationID int64) ([]consultation.Question, error) {
	return nil, errTODO
}

func (s *Store) AddQuestion(ctx context.Context, q consultation.Question, actorID int64) (consultation.Question, error) {
	return consultation.Question{}, errTODO
}

func (s *Store) UpdateQuestion(ctx context.Context, q consultation.Question, actorID int64) error {
	return errTODO
}

func (s *Store) MoveQuestion(ctx context.Context, id int64, up bool, actorID int64) error {
	return errTODO
}

func (s *Store) DeleteQuestion(ctx context.Context, id int64, actorID int64) error {
	return errTODO
}

func (s *Store) AddDocument(ctx context.Context, d consultation.Document, actorID int64) (consultation.Document, error) {
	return consultation.Document{}, errTODO
}

func (s *Store) Document(ctx context.Context, id int64) (consultation.Document, error) {
	return consultation.Document{}, errTODO
}

func (s *Store) Documents(ctx context.Context, consultationID int64) ([]consultation.Document, error) {
	return nil, errTODO
}

func (s *Store) DeleteDocument(ctx context.Context, id int64, actorID int64) error {
	return errTODO
}

func (s *Store) StartResponse(ctx context.Context, r consultation.Response) (consultation.Response, error) {
	return consultation.Response{}, errTODO
}

func (s *Store) Response(ctx context.Context, id int64) (consultation.Response, error) {
	return consultation.Response{}, errTODO
}

func (s *Store) SaveResponse(ctx context.Context, r consultation.Response, clear []int64) error {
	return errTODO
}

func (s *Store) SubmitResponse(ctx context.Context, id int64, receipt func(consultation.Consultation, []consultation.Question, consultation.Response) (outbox.Message, bool)) (consultation.Response, error) {
	return consultation.Response{}, errTODO
}

func (s *Store) CreateResumeLink(ctx context.Context, responseID int64, email string, ttl time.Duration, compose func(email, token string) outbox.Message) error {
	return errTODO
}

func (s *Store) UseResumeLink(ctx context.Context, token string) (consultation.Response, error) {
	return consultation.Response{}, errTODO
}

func (s *Store) KeyInResponse(ctx context.Context, r consultation.Response, actorID int64) (consultation.Response, error) {
	return consultation.Response{}, errTODO
}

func (s *Store) ImportResponses(ctx context.Context, consultationID int64, rs []consultation.Response, actorID int64) (int, error) {
	return 0, errTODO
}

func (s *Store) Responses(ctx context.Context, consultationID int64, f consultation.ResponseFilter) ([]consultation.Response, error) {
	return nil, errTODO
}

func (s *Store) RedactResponse(ctx context.Context, id int64, redacted map[int64]string, actorID int64) error {
	return errTODO
}

func (s *Store) Themes(ctx context.Context, consultationID int64) ([]consultation.Theme, error) {
	return nil, errTODO
}

func (s *Store) Theme(ctx context.Context, id int64) (consultation.Theme, error) {
	return consultation.Theme{}, errTODO
}

func (s *Store) CreateTheme(ctx context.Context, t consultation.Theme, members []int64, actorID int64) (consultation.Theme, error) {
	return consultation.Theme{}, errTODO
}

func (s *Store) RenameTheme(ctx context.Context, id int64, name, description string, actorID int64) error {
	return errTODO
}

func (s *Store) MergeThemes(ctx context.Context, into, from int64, actorID int64) error {
	return errTODO
}

func (s *Store) SplitTheme(ctx context.Context, id int64, parts []consultation.ThemePart, actorID int64) ([]consultation.Theme, error) {
	return nil, errTODO
}

func (s *Store) DeleteTheme(ctx context.Context, id int64, actorID int64) error {
	return errTODO
}

func (s *Store) AssignTheme(ctx context.Context, themeID int64, responseIDs []int64, remove bool, actorID int64) (int, error) {
	return 0, errTODO
}

func (s *Store) ResponseThemes(ctx context.Context, consultationID int64) (map[int64][]int64, error) {
	return nil, errTODO
}
