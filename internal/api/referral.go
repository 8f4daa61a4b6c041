package api

import (
	"net/http"
	"net/url"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// mountReferrals mounts referrals: under a survivor for the care team,
// by id for the care team and the receiving organization, and the
// partner's inbox. Reads need api:read, changes api:write; the store
// decides each call (consent included) and audits it.
func (h *Handler) mountReferrals(s *server.Server) {
	s.Handle("GET /api/v1/survivors/{id}/referrals", s.RequireToken(haven.ScopeAPIRead, h.listReferrals))
	s.Handle("POST /api/v1/survivors/{id}/referrals", s.RequireToken(haven.ScopeAPIWrite, h.createReferral))
	s.Handle("POST /api/v1/survivors/{id}/referrals/preview", s.RequireToken(haven.ScopeAPIRead, h.previewReferral))
	s.Handle("GET /api/v1/referrals/{rid}", s.RequireToken(haven.ScopeAPIRead, h.getReferral))
	s.Handle("GET /api/v1/referrals/{rid}/packet", s.RequireToken(haven.ScopeAPIRead, h.getPacket))
	s.Handle("POST /api/v1/referrals/{rid}/status", s.RequireToken(haven.ScopeAPIWrite, h.moveReferral))
	s.Handle("GET /api/v1/inbox", s.RequireToken(haven.ScopeAPIRead, h.inbox))
}

// ReferralList is the body of the referral lists.
type ReferralList struct {
	Referrals []haven.Referral `json:"referrals"`
}

func referralJSON(r *haven.Referral) *haven.Referral {
	if r.Categories == nil {
		r.Categories = []haven.DataCategory{}
	}
	return r
}

func writeReferrals(w http.ResponseWriter, list []haven.Referral) {
	out := ReferralList{Referrals: []haven.Referral{}}
	for i := range list {
		out.Referrals = append(out.Referrals, *referralJSON(&list[i]))
	}
	server.WriteJSON(w, http.StatusOK, out)
}

func (h *Handler) listReferrals(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Referrals.Referrals(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeReferrals(w, list)
	return nil
}

func (h *Handler) inbox(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Referrals.Inbox(r.Context())
	if err != nil {
		return err
	}
	writeReferrals(w, list)
	return nil
}

func (h *Handler) createReferral(w http.ResponseWriter, r *http.Request) error {
	var in haven.NewReferral
	if err := decodeBody(w, r, &in, "referral"); err != nil {
		return err
	}
	ref, err := h.Referrals.CreateReferral(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/referrals/"+url.PathEscape(ref.ID))
	server.WriteJSON(w, http.StatusCreated, referralJSON(ref))
	return nil
}

func (h *Handler) previewReferral(w http.ResponseWriter, r *http.Request) error {
	var in haven.NewReferral
	if err := decodeBody(w, r, &in, "referral"); err != nil {
		return err
	}
	p, err := h.Referrals.PreviewPacket(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) getReferral(w http.ResponseWriter, r *http.Request) error {
	ref, err := h.Referrals.Referral(r.Context(), r.PathValue("rid"))
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, referralJSON(ref))
	return nil
}

func (h *Handler) getPacket(w http.ResponseWriter, r *http.Request) error {
	p, err := h.Referrals.Packet(r.Context(), r.PathValue("rid"))
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) moveReferral(w http.ResponseWriter, r *http.Request) error {
	var in haven.StatusChange
	if err := decodeBody(w, r, &in, "status change"); err != nil {
		return err
	}
	ref, err := h.Referrals.MoveReferral(r.Context(), r.PathValue("rid"), in)
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, referralJSON(ref))
	return nil
}
