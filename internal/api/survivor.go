package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// maxBody bounds a request body: a record is far smaller.
const maxBody = 1 << 20

// mountSurvivors mounts the survivor record routes: reads need api:read,
// changes api:write. The store checks the care team and audits each call.
func (h *Handler) mountSurvivors(s *server.Server) {
	s.Handle("GET /api/v1/survivors", s.RequireToken(haven.ScopeAPIRead, h.listSurvivors))
	s.Handle("POST /api/v1/survivors", s.RequireToken(haven.ScopeAPIWrite, h.createSurvivor))
	s.Handle("GET /api/v1/survivors/{id}", s.RequireToken(haven.ScopeAPIRead, h.getSurvivor))
	s.Handle("PUT /api/v1/survivors/{id}", s.RequireToken(haven.ScopeAPIWrite, h.updateSurvivor))
	h.mountContacts(s)
}

// SurvivorSummary is one entry of GET /api/v1/survivors: coded fields
// and the case number, never identifying data.
type SurvivorSummary struct {
	ID         string    `json:"id"`
	CaseNumber string    `json:"case_number"`
	AgeBand    string    `json:"age_band"`
	Minor      bool      `json:"minor"`
	UpdatedAt  time.Time `json:"updated_at"`
	// Supervised is set when the caller sees the record as a supervisor
	// of a team, not on its care team.
	Supervised bool `json:"supervised,omitempty"`
	// EmergencyUntil is set when the caller sees the record only through
	// emergency access: read-only until then.
	EmergencyUntil *time.Time `json:"emergency_until,omitempty"`
}

// SurvivorList is the body of GET /api/v1/survivors.
type SurvivorList struct {
	Survivors []SurvivorSummary `json:"survivors"`
}

// SurvivorInput is the body of POST and PUT: every field a client may
// write, named as in the field registry. PUT replaces the record's fields
// with it.
type SurvivorInput = haven.NewSurvivor

// Survivor is a record as the API returns it.
type Survivor struct {
	ID         string `json:"id"`
	CaseNumber string `json:"case_number"`
	haven.NewSurvivor
	Minor     bool      `json:"minor"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Duplicate is a possible duplicate found by blind index, on a record the
// caller may already see. A record they may not see is never listed (it
// goes to the supervisors' review queue).
type Duplicate struct {
	ID         string `json:"id"`
	CaseNumber string `json:"case_number"`
}

// Created is the body of POST /api/v1/survivors.
type Created struct {
	Survivor           Survivor    `json:"survivor"`
	PossibleDuplicates []Duplicate `json:"possible_duplicates"`
}

func (h *Handler) listSurvivors(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Survivors.Survivors(r.Context())
	if err != nil {
		return err
	}
	out := SurvivorList{Survivors: []SurvivorSummary{}}
	for _, s := range list {
		row := SurvivorSummary{ID: s.ID, CaseNumber: s.CaseNumber, AgeBand: string(s.AgeBand), Minor: s.Minor, UpdatedAt: s.UpdatedAt,
			Supervised: s.Supervised}
		if !s.EmergencyUntil.IsZero() {
			until := s.EmergencyUntil
			row.EmergencyUntil = &until
		}
		out.Survivors = append(out.Survivors, row)
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) createSurvivor(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeSurvivor(w, r)
	if err != nil {
		return err
	}
	s, dups, err := h.Survivors.CreateSurvivor(r.Context(), in)
	if err != nil {
		return err
	}
	out := Created{Survivor: survivorJSON(s), PossibleDuplicates: []Duplicate{}}
	for _, d := range dups {
		out.PossibleDuplicates = append(out.PossibleDuplicates, Duplicate(d))
	}
	w.Header().Set("Location", "/api/v1/survivors/"+url.PathEscape(s.ID))
	server.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (h *Handler) getSurvivor(w http.ResponseWriter, r *http.Request) error {
	s, err := h.Survivors.Survivor(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, survivorJSON(s))
	return nil
}

func (h *Handler) updateSurvivor(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeSurvivor(w, r)
	if err != nil {
		return err
	}
	s, err := h.Survivors.UpdateSurvivor(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, survivorJSON(s))
	return nil
}

// decodeSurvivor reads one JSON object with known fields only, so that a
// misspelt field is an error rather than silently dropped data.
func decodeSurvivor(w http.ResponseWriter, r *http.Request) (SurvivorInput, error) {
	var in SurvivorInput
	err := decodeStrict(w, r, &in, "one JSON survivor object with known fields")
	return in, err
}

// jsonProblem describes a decoding error without echoing the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &syn):
		return "malformed JSON"
	case errors.As(err, &typ):
		return "field " + typ.Field + " has the wrong type"
	case errors.As(err, &big):
		return "the body is too large"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the body is empty or cut short"
	}
	return err.Error()
}

// survivorJSON is s with every list present, so clients see [] not null.
func survivorJSON(s *haven.Survivor) Survivor {
	out := Survivor{ID: s.ID, CaseNumber: s.CaseNumber, Minor: s.Minor, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
		NewSurvivor: s.NewSurvivor}
	for _, f := range haven.SurvivorEntries() {
		if l, ok := f.Value(&out.NewSurvivor).(*[]string); ok && *l == nil {
			*l = []string{}
		}
	}
	if out.SafeContact.Channels == nil {
		out.SafeContact.Channels = []haven.ContactChannel{}
	}
	if out.Languages == nil {
		out.Languages = []haven.LanguagePreference{}
	}
	return out
}
