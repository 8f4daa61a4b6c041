package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// mountEncounters mounts the encounter and contact-history routes: reads
// need api:read, a new encounter api:write. The store checks the care
// team and audits each call.
func (h *Handler) mountEncounters(s *server.Server) {
	s.Handle("GET /api/v1/survivors/{id}/encounters", s.RequireToken(haven.ScopeAPIRead, h.listEncounters))
	s.Handle("POST /api/v1/survivors/{id}/encounters", s.RequireToken(haven.ScopeAPIWrite, h.createEncounter))
}

// Encounter is a signed encounter note with the codes accepted for it.
type Encounter struct {
	ID          string                `json:"id"`
	SurvivorID  string                `json:"survivor_id"`
	AuthorID    string                `json:"author_id"`
	AuthorName  string                `json:"author_name"`
	OccurredOn  string                `json:"occurred_on"`
	ScreeningID string                `json:"screening_id,omitempty"`
	Note        string                `json:"note"`
	Codes       []haven.EncounterCode `json:"codes"`
	CreatedAt   time.Time             `json:"created_at"`
}

// EncounterList is the body of GET /api/v1/survivors/{id}/encounters.
type EncounterList struct {
	Encounters []Encounter `json:"encounters"`
}

// EncounterInput is the body of POST /api/v1/survivors/{id}/encounters.
// Codes are full ICD-10-CM codes from the screening's suggestions, each
// with the 7th character chosen ("T76.51XD").
type EncounterInput struct {
	OccurredOn  string   `json:"occurred_on"`
	ScreeningID string   `json:"screening_id"`
	Note        string   `json:"note"`
	Codes       []string `json:"codes"`
}

// EncounterCreated is the body of the answer to a new encounter: its id
// only, so that a note is never echoed needlessly.
type EncounterCreated struct {
	ID string `json:"id"`
}

func encounterJSON(e haven.Encounter) Encounter {
	codes := e.Codes
	if codes == nil {
		codes = []haven.EncounterCode{}
	}
	return Encounter{e.ID, e.SurvivorID, e.AuthorID, e.AuthorName, e.OccurredOn, e.ScreeningID, e.Note, codes, e.CreatedAt}
}

func (h *Handler) listEncounters(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Encounters.Encounters(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := EncounterList{Encounters: []Encounter{}}
	for _, e := range list {
		out.Encounters = append(out.Encounters, encounterJSON(e))
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) createEncounter(w http.ResponseWriter, r *http.Request) error {
	var in EncounterInput
	if err := decodeFields(w, r, &in, "occurred_on, note, and optionally screening_id and codes"); err != nil {
		return err
	}
	id := r.PathValue("id")
	e, err := h.Encounters.AddEncounter(r.Context(), haven.NewEncounter{SurvivorID: id, OccurredOn: in.OccurredOn,
		ScreeningID: in.ScreeningID, Note: in.Note, Codes: in.Codes})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/survivors/"+url.PathEscape(id)+"/encounters")
	server.WriteJSON(w, http.StatusCreated, EncounterCreated{ID: e.ID})
	return nil
}
