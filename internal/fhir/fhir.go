// Package fhir is Haven's FHIR R4 surface under /fhir/R4: the
// CapabilityStatement, the screening instruments as Questionnaires,
// screenings as QuestionnaireResponses, and care plans as SDOH Clinical
// Care Goals and Conditions. Machine clients authenticate with
// bearer API tokens holding the fhir:read or fhir:write scope; resources
// are application/fhir+json.
package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// ContentType is the media type of every FHIR resource Haven serves.
const ContentType = "application/fhir+json"

// FHIRVersion is the FHIR release Haven implements.
const FHIRVersion = "4.0.1"

// maxBody bounds a posted resource.
const maxBody = 1 << 20

// Handler serves the FHIR R4 surface.
type Handler struct {
	// Screenings keeps instruments and screenings.
	Screenings haven.ScreeningService
	// Referrals keeps referrals, served as SDOHCC ServiceRequest and Task;
	// without it those routes are not mounted.
	Referrals haven.ReferralService
	// Consents keeps the consent ledger; its Consent routes mount when it
	// is set.
	Consents haven.ConsentService
	// Clock tells the time a consent's status is given at; the system
	// clock when nil.
	Clock haven.Clock
	// CarePlans keeps care plans, served as SDOHCC Goal and Condition
	// resources; without it those routes are not mounted.
	CarePlans haven.CarePlanService
	// Version is the Haven version the CapabilityStatement reports.
	Version string
}

// Mount mounts the FHIR routes on s. The CapabilityStatement is public,
// as FHIR clients expect; everything else needs a bearer token. Errors
// under /fhir/ render as OperationOutcomes.
func (h *Handler) Mount(s *server.Server) {
	s.RenderErrors("/fhir/", renderOutcome)
	s.HandleFunc("GET /fhir/R4/metadata", h.metadata)
	s.Handle("GET /fhir/R4/Questionnaire", s.RequireToken(haven.ScopeFHIRRead, h.searchQuestionnaires))
	s.Handle("GET /fhir/R4/Questionnaire/{id}", s.RequireToken(haven.ScopeFHIRRead, h.readQuestionnaire))
	s.Handle("POST /fhir/R4/QuestionnaireResponse", s.RequireToken(haven.ScopeFHIRWrite, h.createResponse))
	s.Handle("GET /fhir/R4/QuestionnaireResponse/{id}", s.RequireToken(haven.ScopeFHIRRead, h.readResponse))
	if h.Consents != nil {
		s.Handle("GET /fhir/R4/Consent", s.RequireToken(haven.ScopeFHIRRead, h.searchConsents))
		s.Handle("GET /fhir/R4/Consent/{id}", s.RequireToken(haven.ScopeFHIRRead, h.readConsent))
	}
	if h.Referrals != nil {
		s.Handle("GET /fhir/R4/ServiceRequest", s.RequireToken(haven.ScopeFHIRRead, h.searchServiceRequests))
		s.Handle("GET /fhir/R4/ServiceRequest/{id}", s.RequireToken(haven.ScopeFHIRRead, h.readServiceRequest))
		s.Handle("GET /fhir/R4/Task", s.RequireToken(haven.ScopeFHIRRead, h.searchTasks))
		s.Handle("GET /fhir/R4/Task/{id}", s.RequireToken(haven.ScopeFHIRRead, h.readTask))
		s.Handle("PUT /fhir/R4/Task/{id}", s.RequireToken(haven.ScopeFHIRWrite, h.updateTask))
	}
	if h.CarePlans != nil {
		s.Handle("GET /fhir/R4/Goal", s.RequireToken(haven.ScopeFHIRRead, h.searchGoals))
		s.Handle("GET /fhir/R4/Goal/{id}", s.RequireToken(haven.ScopeFHIRRead, h.readGoal))
		s.Handle("GET /fhir/R4/Condition", s.RequireToken(haven.ScopeFHIRRead, h.searchConditions))
		s.Handle("GET /fhir/R4/Condition/{id}", s.RequireToken(haven.ScopeFHIRRead, h.readCondition))
	}
}

// writeResource writes a FHIR resource (already JSON, or a value to encode).
func writeResource(w http.ResponseWriter, status int, v any) error {
	raw, ok := v.([]byte)
	if !ok {
		var err error
		if raw, err = json.Marshal(v); err != nil {
			return err
		}
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return err
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	_, err := b.WriteTo(w)
	return err
}

// readBody reads a posted resource, refusing one too large.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, haven.Errorf(haven.Invalid, "The resource is larger than %d bytes.", maxBody)
	} else if err != nil {
		return nil, haven.Errorf(haven.Invalid, "The request body could not be read.")
	}
	return b, nil
}

// Issue is one issue of an OperationOutcome.
type Issue struct {
	Severity    string   `json:"severity"`
	Code        string   `json:"code"`
	Diagnostics string   `json:"diagnostics"`
	Expression  []string `json:"expression,omitempty"`
}

// issueCodes maps an error's HTTP status to the FHIR issue type of its
// OperationOutcome; any other status is "exception".
var issueCodes = map[int]string{
	http.StatusBadRequest: "invalid", http.StatusUnauthorized: "login", http.StatusForbidden: "forbidden",
	http.StatusNotFound: "not-found", http.StatusConflict: "conflict", http.StatusServiceUnavailable: "transient",
}

// renderOutcome is the FHIR surface's server.ErrorRenderer: err as an
// OperationOutcome. An Invalid error that names items (a refused
// Questionnaire or QuestionnaireResponse) gets one more issue per item,
// its linkId in expression.
func renderOutcome(w http.ResponseWriter, r *http.Request, status int, err error) {
	code, ok := issueCodes[status]
	if !ok {
		code = "exception"
	}
	issues := []Issue{{Severity: "error", Code: code, Diagnostics: haven.ErrorMessage(err)}}
	if haven.ErrorKind(err) == haven.Invalid {
		issues = append(issues, itemIssues(haven.ErrorFields(err))...)
	}
	writeResource(w, status, map[string]any{"resourceType": "OperationOutcome", "issue": issues})
}

// itemIssues returns one invalid issue per item of fields, by linkId.
func itemIssues(fields map[string]string) []Issue {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var issues []Issue
	for _, k := range keys {
		issues = append(issues, Issue{Severity: "error", Code: "invalid", Diagnostics: "item " + k + ": " + fields[k], Expression: []string{k}})
	}
	return issues
}
