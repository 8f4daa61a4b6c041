// Package api is Haven's JSON API under /api/v1, for machine clients with
// scoped bearer tokens, and its OpenAPI 3.1 description at
// /api/openapi.json.
package api

import (
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// Handler serves the JSON API.
type Handler struct {
	Users haven.UserService
	// Survivors keeps survivors' records; without it the survivor routes
	// are not mounted.
	Survivors haven.SurvivorService
	// Screenings runs screenings; without it the instrument and screening
	// routes are not mounted.
	Screenings haven.ScreeningService
	// Encounters keeps encounters; without it the encounter routes are
	// not mounted.
	Encounters haven.EncounterService
	// CareTeams keeps care teams and the supervisors' caseload; without it
	// their routes are not mounted.
	CareTeams haven.CareTeamService
	// TimeZone is the clinic's: a caseload's overdue tasks are those due
	// before today there, and the worklist's today is its date. Nil is UTC.
	TimeZone *time.Location
	// CarePlans keeps care plans; without it the needs routes are not
	// mounted.
	CarePlans haven.CarePlanService
	// Referrals keeps referrals; its routes mount when it is set.
	Referrals haven.ReferralService
	// Consents keeps the consent ledger; its routes mount when it is set.
	Consents haven.ConsentService
	// Disclosures keeps requests for disclosure and the accounting of
	// disclosures; its routes mount when it is set.
	Disclosures haven.DisclosureService
	// Safeguards keeps minors' mandated reports, adults' family choices
	// and testimony timelines; its routes mount when it is set.
	Safeguards haven.SafeguardService
	// UserAdmin is user administration and the two-step policy; its
	// routes mount when it is set.
	UserAdmin haven.UserAdminService
	// AuditTrail is the readable audit trail; its routes mount when it
	// is set. AuditVerifier checks checkpoint signatures for its status.
	AuditTrail    haven.AuditTrailService
	AuditVerifier haven.CheckpointVerifier
	// Training keeps staff training; its routes mount when it is set.
	Training haven.TrainingService
	// Gap answers the gap analysis's suppressed tables; its route mounts
	// when it is set.
	Gap haven.GapService
	// Clock tells the time a consent's state is given at; the system
	// clock when nil.
	Clock haven.Clock
	// Tasks keeps cases' tasks and builds worklists; without it the task
	// and worklist routes are not mounted.
	Tasks haven.TaskService
	// DueSoonDays and StaleContactDays shape the worklist (0: the
	// defaults of haven).
	DueSoonDays, StaleContactDays int
}

func (h *Handler) now() time.Time {
	if h.Clock == nil {
		return time.Now()
	}
	return h.Clock.Now()
}

// Mount mounts the API routes on s; each requires a bearer token. Errors
// under /api/ render as the JSON error body.
func (h *Handler) Mount(s *server.Server) {
	s.RenderErrors("/api/", server.RenderJSONError)
	s.HandleFunc("GET /api/openapi.json", serveOpenAPI)
	s.Handle("GET /api/v1/me", s.RequireToken(haven.ScopeAPIRead, h.me))
	if h.Survivors != nil {
		h.mountSurvivors(s)
	}
	if h.Screenings != nil {
		h.mountScreenings(s)
	}
	if h.Tasks != nil {
		h.mountTasks(s)
	}
	if h.Encounters != nil {
		h.mountEncounters(s)
	}
	if h.Consents != nil {
		h.mountConsents(s)
	}
	if h.Referrals != nil {
		h.mountReferrals(s)
	}
	if h.Disclosures != nil {
		h.mountDisclosures(s)
	}
	if h.Safeguards != nil {
		h.mountSafeguards(s)
	}
	if h.CareTeams != nil {
		h.mountCareTeams(s)
	}
	if h.CarePlans != nil {
		h.mountCarePlan(s)
	}
	if h.UserAdmin != nil {
		h.mountUsers(s)
	}
	if h.AuditTrail != nil {
		h.mountAuditTrail(s)
	}
	if h.Training != nil {
		h.mountTraining(s)
	}
	if h.Gap != nil {
		h.mountGap(s)
	}
}

//go:embed openapi.json
var openAPI []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPI)
	return err
}

// Me is the body of GET /api/v1/me: who the token acts for.
type Me struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) error {
	actor, _ := haven.ActorFrom(r.Context())
	u, err := h.Users.FindUserByID(r.Context(), actor.UserID)
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, Me{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role)})
	return nil
}

// decodeStrict reads exactly one JSON object with known fields only into
// v, so that a misspelt field is an error rather than silently dropped
// data; want completes "The body must be ..." in the error.
func decodeStrict(w http.ResponseWriter, r *http.Request, v any, want string) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &haven.Error{Kind: haven.Invalid, Message: "The body must be " + want + ": " + jsonProblem(err) + ".", Err: err}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return haven.Errorf(haven.Invalid, "The body must hold one JSON object and nothing after it.")
	}
	return nil
}

// decodeBody reads one JSON object with known fields into v; what names
// the object in the error.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, what string) error {
	return decodeStrict(w, r, v, "one JSON "+what+" object with known fields")
}

// decodeFields reads one JSON object with known fields into v; fields
// lists them in the error.
func decodeFields(w http.ResponseWriter, r *http.Request, v any, fields string) error {
	return decodeStrict(w, r, v, "one JSON object with "+fields)
}
