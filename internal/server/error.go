package server

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/haven-care/haven"
)

// StatusOf maps an error kind to its HTTP status. It is the one place
// where that mapping lives.
func StatusOf(err error) int {
	switch haven.ErrorKind(err) {
	case haven.Invalid:
		return http.StatusBadRequest
	case haven.NotFound:
		return http.StatusNotFound
	case haven.Conflict:
		return http.StatusConflict
	case haven.Unauthenticated:
		return http.StatusUnauthorized
	case haven.Forbidden:
		return http.StatusForbidden
	case haven.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Wrap adapts an error-returning handler: a returned error is logged (with
// its cause) and rendered (with only its safe message).
func (s *Server) Wrap(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.Error(w, r, err)
		}
	})
}

// ErrorBody is the JSON error shape of the API.
type ErrorBody struct {
	Error struct {
		Kind      string            `json:"kind"`
		Message   string            `json:"message"`
		Fields    map[string]string `json:"fields,omitempty"`
		RequestID string            `json:"request_id"`
	} `json:"error"`
}

// Error renders err for the surface the request came to: JSON for
// /api/, FHIR OperationOutcome for /fhir/, plain text otherwise (the web
// package renders its own HTML error pages through ErrorRenderer).
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	status := StatusOf(err)
	if status >= 500 {
		s.Logger.Error("request failed", "request_id", RequestID(r.Context()), "route", r.Pattern, "err", err)
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/fhir/"):
		writeOperationOutcome(w, r, status, err)
	case strings.HasPrefix(r.URL.Path, "/api/"), strings.HasPrefix(r.URL.Path, "/hsds/"):
		var b ErrorBody
		b.Error.Kind = string(haven.ErrorKind(err))
		b.Error.Message = haven.ErrorMessage(err)
		b.Error.Fields = haven.ErrorFields(err)
		b.Error.RequestID = RequestID(r.Context())
		WriteJSON(w, status, b)
	case s.ErrorPage != nil:
		s.ErrorPage(w, r, status, err)
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte(haven.ErrorMessage(err) + "\n"))
	}
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeOperationOutcome(w http.ResponseWriter, r *http.Request, status int, err error) {
	code := map[int]string{400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 409: "conflict", 503: "transient"}[status]
	if code == "" {
		code = "exception"
	}
	oo := map[string]any{
		"resourceType": "OperationOutcome",
		"issue": []map[string]any{{
			"severity":    "error",
			"code":        code,
			"diagnostics": haven.ErrorMessage(err),
		}},
	}
	w.Header().Set("Content-Type", "application/fhir+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(oo)
}
