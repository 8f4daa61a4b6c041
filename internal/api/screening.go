package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// mountScreenings mounts the instrument and screening routes: reads need
// api:read, a new screening api:write. The store checks the care team
// and audits each screening and each read.
func (h *Handler) mountScreenings(s *server.Server) {
	s.Handle("GET /api/v1/instruments", s.RequireToken(haven.ScopeAPIRead, h.listInstruments))
	s.Handle("GET /api/v1/survivors/{id}/screenings", s.RequireToken(haven.ScopeAPIRead, h.listScreenings))
	s.Handle("POST /api/v1/survivors/{id}/screenings", s.RequireToken(haven.ScopeAPIWrite, h.createScreening))
	s.Handle("GET /api/v1/screenings/{id}", s.RequireToken(haven.ScopeAPIRead, h.getScreening))
	s.Handle("PUT /api/v1/screenings/{id}/outcome", s.RequireToken(haven.ScopeAPIWrite, h.recordScreeningOutcome))
}

// Instrument is one entry of GET /api/v1/instruments; the Questionnaire
// itself is at /fhir/R4/Questionnaire/{id}.
type Instrument struct {
	ID      string `json:"id"`
	URL     string `json:"url"`
	Version string `json:"version"`
	Title   string `json:"title"`
	Status  string `json:"status"`
	Shipped bool   `json:"shipped"`
}

// InstrumentList is the body of GET /api/v1/instruments.
type InstrumentList struct {
	Instruments []Instrument `json:"instruments"`
}

func (h *Handler) listInstruments(w http.ResponseWriter, r *http.Request) error {
	all, err := h.Screenings.Instruments(r.Context())
	if err != nil {
		return err
	}
	out := InstrumentList{Instruments: []Instrument{}}
	for _, in := range all {
		out.Instruments = append(out.Instruments, Instrument{in.ID, in.URL, in.Version, in.Title, in.Status, in.Shipped})
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

// ScreeningSummary is one entry of GET /api/v1/survivors/{id}/screenings:
// the coded outcome, never the answers.
type ScreeningSummary struct {
	ID           string   `json:"id"`
	InstrumentID string   `json:"instrument_id"`
	Concern      string   `json:"concern"`
	Flagged      []string `json:"flagged"`
	// Screened is false when the safety checklist stopped the screening:
	// no question was asked, so concern says nothing.
	Screened  bool      `json:"screened"`
	CreatedAt time.Time `json:"created_at"`
}

// ScreeningList is the body of GET /api/v1/survivors/{id}/screenings.
type ScreeningList struct {
	Screenings []ScreeningSummary `json:"screenings"`
}

func (h *Handler) listScreenings(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Screenings.Screenings(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := ScreeningList{Screenings: []ScreeningSummary{}}
	for _, s := range list {
		out.Screenings = append(out.Screenings, ScreeningSummary{s.ID, s.InstrumentID, s.Concern, nonNil(s.Flagged), s.Screened, s.CreatedAt})
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// ScreeningInput is the body of POST /api/v1/survivors/{id}/screenings: a
// FHIR QuestionnaireResponse and, optionally, the instrument it answers
// (otherwise its questionnaire element names it).
type ScreeningInput struct {
	InstrumentID string          `json:"instrument_id"`
	Response     json.RawMessage `json:"response"`
}

// Screening is a screening with its result (prompts, not a diagnosis)
// and its answers as a FHIR QuestionnaireResponse.
type Screening struct {
	ID           string                `json:"id"`
	SurvivorID   string                `json:"survivor_id"`
	InstrumentID string                `json:"instrument_id"`
	Concern      string                `json:"concern"`
	Flagged      []string              `json:"flagged"`
	Minor        bool                  `json:"minor"`
	CreatedAt    time.Time             `json:"created_at"`
	Result       haven.ScreeningResult `json:"result"`
	Response     json.RawMessage       `json:"response"`
}

func screeningJSON(sc *haven.Screening) Screening {
	res := sc.Result
	res.Flagged = nonNil(res.Flagged)
	if res.NextSteps == nil {
		res.NextSteps = []haven.ScreeningStep{}
	}
	if res.Codes == nil {
		res.Codes = []haven.ScreeningCode{}
	}
	return Screening{sc.ID, sc.SurvivorID, sc.InstrumentID, sc.Concern, nonNil(sc.Flagged), sc.Minor, sc.CreatedAt, res, sc.Response}
}

func (h *Handler) createScreening(w http.ResponseWriter, r *http.Request) error {
	var in ScreeningInput
	if err := decodeFields(w, r, &in, "instrument_id and response"); err != nil {
		return err
	}
	if len(in.Response) == 0 {
		return haven.FieldError("response", "Send the answers as a FHIR QuestionnaireResponse.")
	}
	sc, err := h.Screenings.CreateScreening(r.Context(), haven.NewScreening{SurvivorID: r.PathValue("id"), InstrumentID: in.InstrumentID, Response: in.Response})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/screenings/"+url.PathEscape(sc.ID))
	server.WriteJSON(w, http.StatusCreated, screeningJSON(sc))
	return nil
}

func (h *Handler) getScreening(w http.ResponseWriter, r *http.Request) error {
	sc, err := h.Screenings.Screening(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, screeningJSON(sc))
	return nil
}
