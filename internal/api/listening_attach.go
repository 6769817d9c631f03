package api

import (
	"net/http"
	"strconv"

	"parley/internal/account"
	"parley/internal/apperr"
)

// mentionAttach is the body of POST /api/v1/listening/mentions/{id}/attach.
type mentionAttach struct {
	ConsultationID int64 `json:"consultation_id"`
}

// mentionAttachPost adds a mention to a consultation of its organisation
// as a response from the social channel, and returns the response.
func (a *API) mentionAttachPost(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	m, err := a.st.Mention(r.Context(), id)
	if err != nil {
		return err
	}
	if !c.principal.Can(m.OrgID, account.PermStaffArea) {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	if err := c.principal.Authorize(m.OrgID, account.PermEdit); err != nil {
		return err
	}
	var in mentionAttach
	if err := readJSON(r, &in); err != nil {
		return err
	}
	saved, err := a.st.AttachMention(r.Context(), id, in.ConsultationID, c.principal.User.ID)
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
	o, err := a.st.OrgByID(r.Context(), m.OrgID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, a.responseOut(k, o.Slug, qs, saved, nil))
}
