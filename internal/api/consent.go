package api

import (
	"net/http"
	"net/url"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// mountConsents mounts the consent ledger under a survivor: reads need
// api:read, recording and revoking api:write. The store checks the care
// team and audits each call.
func (h *Handler) mountConsents(s *server.Server) {
	s.Handle("GET /api/v1/survivors/{id}/consents", s.RequireToken(haven.ScopeAPIRead, h.listConsents))
	s.Handle("POST /api/v1/survivors/{id}/consents", s.RequireToken(haven.ScopeAPIWrite, h.recordConsent))
	s.Handle("GET /api/v1/survivors/{id}/consents/{cid}", s.RequireToken(haven.ScopeAPIRead, h.getConsent))
	s.Handle("POST /api/v1/survivors/{id}/consents/{cid}/revoke", s.RequireToken(haven.ScopeAPIWrite, h.revokeConsent))
}

// Consent is a consent as the API returns it, with its state when read.
type Consent struct {
	haven.Consent
	State haven.ConsentState `json:"state"`
}

// ConsentList is the body of GET /api/v1/survivors/{id}/consents.
type ConsentList struct {
	Consents []Consent `json:"consents"`
}

func (h *Handler) consentJSON(c *haven.Consent) Consent {
	if c.Categories == nil {
		c.Categories = []haven.DataCategory{}
	}
	return Consent{Consent: *c, State: c.State(h.now())}
}

func (h *Handler) listConsents(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Consents.Consents(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := ConsentList{Consents: []Consent{}}
	for i := range list {
		out.Consents = append(out.Consents, h.consentJSON(&list[i]))
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) getConsent(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Consents.Consent(r.Context(), r.PathValue("cid"))
	if err != nil {
		return err
	}
	if c.SurvivorID != r.PathValue("id") {
		return haven.Errorf(haven.NotFound, "Consent not found.")
	}
	server.WriteJSON(w, http.StatusOK, h.consentJSON(c))
	return nil
}

func (h *Handler) recordConsent(w http.ResponseWriter, r *http.Request) error {
	var in haven.NewConsent
	if err := decodeBody(w, r, &in, "consent"); err != nil {
		return err
	}
	id := r.PathValue("id")
	c, err := h.Consents.RecordConsent(r.Context(), id, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/survivors/"+url.PathEscape(id)+"/consents/"+url.PathEscape(c.ID))
	server.WriteJSON(w, http.StatusCreated, h.consentJSON(c))
	return nil
}

func (h *Handler) revokeConsent(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Consents.RevokeConsent(r.Context(), r.PathValue("id"), r.PathValue("cid"))
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, h.consentJSON(c))
	return nil
}
