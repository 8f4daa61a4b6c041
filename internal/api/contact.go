package api

import (
	"net/http"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// mountContacts mounts the contact history: GET needs api:read, POST
// (a contact made under the safe-contact plan) api:write.
func (h *Handler) mountContacts(s *server.Server) {
	s.Handle("GET /api/v1/survivors/{id}/contacts", s.RequireToken(haven.ScopeAPIRead, h.listContacts))
	s.Handle("POST /api/v1/survivors/{id}/contacts", s.RequireToken(haven.ScopeAPIWrite, h.recordContact))
}

// Contact is one contact made with a survivor.
type Contact struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	UserName  string    `json:"user_name"`
	Channel   string    `json:"channel"`
	Voicemail bool      `json:"voicemail"`
	Outcome   string    `json:"outcome"`
	Note      string    `json:"note"`
	MadeAt    time.Time `json:"made_at"`
}

// ContactList is the body of GET /api/v1/survivors/{id}/contacts.
type ContactList struct {
	Contacts []Contact `json:"contacts"`
}

// ContactInput is the body of POST /api/v1/survivors/{id}/contacts.
type ContactInput struct {
	Channel   string `json:"channel"`
	Voicemail bool   `json:"voicemail"`
	Outcome   string `json:"outcome"`
	Note      string `json:"note"`
}

func (h *Handler) listContacts(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Survivors.Contacts(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := ContactList{Contacts: []Contact{}}
	for _, c := range list {
		out.Contacts = append(out.Contacts, Contact{c.ID, c.UserID, c.UserName, string(c.Channel), c.Voicemail, string(c.Outcome), c.Note, c.MadeAt})
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

// recordContact records a contact; the plan's refusal is a 403 with its
// reason, and is audited.
func (h *Handler) recordContact(w http.ResponseWriter, r *http.Request) error {
	var in ContactInput
	if err := decodeFields(w, r, &in, "channel, outcome, and optionally voicemail and note"); err != nil {
		return err
	}
	id := r.PathValue("id")
	err := h.Survivors.RecordContact(r.Context(), id, haven.NewContact{Channel: haven.ContactChannel(in.Channel),
		Voicemail: in.Voicemail, Outcome: haven.ContactOutcome(in.Outcome), Note: in.Note})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
