package api

import (
	"net/http"

	"parley/internal/account"
)

// mentionAttach is the body of POST /api/v1/listening/mentions/{id}/attach.
type mentionAttach struct {
	ConsultationID int64 `json:"consultation_id"`
}

// mentionAttachPost adds a mention to a consultation of its organisation
// as a response from the social channel, and returns the response.
func (a *API) mentionAttachPost(w http.ResponseWriter, r *http.Request, c caller) error {
	m, slug, err := a.mentionFor(r, c, account.PermEdit)
	if err != nil {
		return err
	}
	var in mentionAttach
	if err := readJSON(r, &in); err != nil {
		return err
	}
	saved, err := a.st.AttachMention(r.Context(), m.ID, in.ConsultationID, c.principal.User.ID)
	if err != nil {
		return err
	}
	k, err := a.st.Consultation(r.Context(), saved.ConsultationID)
	if err != nil {
		return err
	}
	qs, err := a.st.Questions(r.Context(), k.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, a.responseOut(k, slug, qs, saved, nil))
}
