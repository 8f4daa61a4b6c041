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
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/screening"
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
	// Survivors keeps survivors' records; with it Patient/{id} serves the
	// pseudonymous survivor (case number, no identifying field).
	Survivors haven.SurvivorService
	// PublicURL is the address clients reach Haven at (serve
	// --public-url, e.g. https://haven.example.org): fullUrl, Location
	// and Bundle links are built on it. Empty, they use the request's
	// scheme and Host header, which a proxy may not pass on faithfully.
	PublicURL string
	// Version is the Haven version the CapabilityStatement reports.
	Version string

	// methods are the methods each resource type allows, by level, for
	// the 405 answers and the CapabilityStatement (see handle).
	methods map[string]map[level][]string
}

// Mount mounts the FHIR routes on s. The CapabilityStatement is public,
// as FHIR clients expect; everything else needs a bearer token. Errors
// under /fhir/ render as OperationOutcomes; an interaction Haven does not
// support on a resource type it serves answers 405.
func (h *Handler) Mount(s *server.Server) {
	s.RenderErrors("/fhir/", renderOutcome)
	h.allow("metadata", typeLevel, http.MethodGet)
	s.Handle("GET /fhir/R4/metadata", negotiate(s.Wrap(h.metadata)))
	h.handle(s, http.MethodGet, "Questionnaire", typeLevel, haven.ScopeFHIRRead, h.searchQuestionnaires)
	h.handle(s, http.MethodGet, "Questionnaire", instanceLevel, haven.ScopeFHIRRead, h.readQuestionnaire)
	h.handle(s, http.MethodPost, "QuestionnaireResponse", typeLevel, haven.ScopeFHIRWrite, h.createResponse)
	h.handle(s, http.MethodGet, "QuestionnaireResponse", typeLevel, haven.ScopeFHIRRead, h.searchResponses)
	h.handle(s, http.MethodGet, "QuestionnaireResponse", instanceLevel, haven.ScopeFHIRRead, h.readResponse)
	if h.Survivors != nil {
		h.handle(s, http.MethodGet, "Patient", instanceLevel, haven.ScopeFHIRRead, h.readPatient)
	}
	if h.Consents != nil {
		h.handle(s, http.MethodGet, "Consent", typeLevel, haven.ScopeFHIRRead, h.searchConsents)
		h.handle(s, http.MethodGet, "Consent", instanceLevel, haven.ScopeFHIRRead, h.readConsent)
	}
	if h.Referrals != nil {
		h.handle(s, http.MethodGet, "ServiceRequest", typeLevel, haven.ScopeFHIRRead, h.searchServiceRequests)
		h.handle(s, http.MethodGet, "ServiceRequest", instanceLevel, haven.ScopeFHIRRead, h.readServiceRequest)
		h.handle(s, http.MethodGet, "Task", typeLevel, haven.ScopeFHIRRead, h.searchTasks)
		h.handle(s, http.MethodGet, "Task", instanceLevel, haven.ScopeFHIRRead, h.readTask)
		h.handle(s, http.MethodPut, "Task", instanceLevel, haven.ScopeFHIRWrite, h.updateTask)
	}
	if h.CarePlans != nil {
		h.handle(s, http.MethodGet, "Goal", typeLevel, haven.ScopeFHIRRead, h.searchGoals)
		h.handle(s, http.MethodGet, "Goal", instanceLevel, haven.ScopeFHIRRead, h.readGoal)
		h.handle(s, http.MethodGet, "Condition", typeLevel, haven.ScopeFHIRRead, h.searchConditions)
		h.handle(s, http.MethodGet, "Condition", instanceLevel, haven.ScopeFHIRRead, h.readCondition)
	}
	s.Handle("/fhir/R4/", negotiate(http.HandlerFunc(h.unsupported)))
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
// OperationOutcome. A refused Questionnaire or QuestionnaireResponse gets
// one more issue per problem, with where it is as a FHIRPath expression
// (the element, or the item by its linkId); another Invalid or NotFound
// error that names fields of the resource posted gets one per field.
func renderOutcome(w http.ResponseWriter, r *http.Request, status int, err error) {
	code, ok := issueCodes[status]
	if !ok {
		code = "exception"
	}
	issues := []Issue{{Severity: "error", Code: code, Diagnostics: haven.ErrorMessage(err)}}
	typ := resourceTypeOf(r)
	var ps screening.Problems
	switch {
	case errors.As(err, &ps):
		for _, p := range ps {
			issues = append(issues, Issue{Severity: "error", Code: "invalid", Diagnostics: p.String(), Expression: []string{p.FHIRPath(typ)}})
		}
	case r.Method == http.MethodPost && (haven.ErrorKind(err) == haven.Invalid || haven.ErrorKind(err) == haven.NotFound):
		issues = append(issues, fieldIssues(typ, code, haven.ErrorFields(err))...)
	}
	writeResource(w, status, map[string]any{"resourceType": "OperationOutcome", "issue": issues})
}

// resourceTypeOf is the resource type a request under /fhir/R4/ names.
func resourceTypeOf(r *http.Request) string {
	rest := strings.TrimPrefix(r.URL.Path, "/fhir/R4/")
	typ, _, _ := strings.Cut(rest, "/")
	return typ
}

// fieldIssues returns one issue per field of the posted resource, its
// element as the expression.
func fieldIssues(typ, code string, fields map[string]string) []Issue {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var issues []Issue
	for _, k := range keys {
		issues = append(issues, Issue{Severity: "error", Code: code, Diagnostics: k + ": " + fields[k], Expression: []string{typ + "." + k}})
	}
	return issues
}
