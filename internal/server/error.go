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

// ErrorRenderer writes err in one surface's format (a JSON error body, a
// FHIR OperationOutcome, an HTML page) with status, which StatusOf chose.
// It shows only err's safe message and fields: haven.ErrorMessage and
// haven.ErrorFields, never err.Error().
type ErrorRenderer func(w http.ResponseWriter, r *http.Request, status int, err error)

// errorRoute is one surface's renderer and the path prefix it owns.
type errorRoute struct {
	prefix string
	render ErrorRenderer
}

// RenderErrors makes render draw the errors of every request whose path
// starts with prefix (the surface's mount point, such as "/api/"; "/" for
// everything no other surface claims). Each surface calls it from its
// Mount, before the server serves. The longest matching prefix wins;
// registering a prefix again replaces its renderer.
func (s *Server) RenderErrors(prefix string, render ErrorRenderer) {
	for i, er := range s.errorRoutes {
		if er.prefix == prefix {
			s.errorRoutes[i].render = render
			return
		}
	}
	s.errorRoutes = append(s.errorRoutes, errorRoute{prefix, render})
}

// renderer returns the renderer registered for path, or renderText.
func (s *Server) renderer(path string) ErrorRenderer {
	best := errorRoute{render: renderText}
	for _, er := range s.errorRoutes {
		if strings.HasPrefix(path, er.prefix) && len(er.prefix) > len(best.prefix) {
			best = er
		}
	}
	return best.render
}

// Error logs err when it is the server's fault and renders it with the
// status StatusOf gives, through the renderer of the surface that owns
// the request's path (see RenderErrors), or as plain text when none does.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	status := StatusOf(err)
	if status >= 500 {
		s.Logger.Error("request failed", "request_id", RequestID(r.Context()), "route", r.Pattern, "err", err)
	}
	s.renderer(r.URL.Path)(w, r, status, err)
}

// renderText is the renderer of paths that no surface claims: the safe
// message as plain text.
func renderText(w http.ResponseWriter, r *http.Request, status int, err error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(haven.ErrorMessage(err) + "\n"))
}

// ErrorBody is the JSON error body of the JSON surfaces (the API, HSDS).
type ErrorBody struct {
	Error struct {
		Kind      string            `json:"kind"`
		Message   string            `json:"message"`
		Fields    map[string]string `json:"fields,omitempty"`
		RequestID string            `json:"request_id"`
	} `json:"error"`
}

// RenderJSONError is the ErrorRenderer of the JSON surfaces: an ErrorBody
// with the error's kind, safe message and fields and the request ID.
func RenderJSONError(w http.ResponseWriter, r *http.Request, status int, err error) {
	var b ErrorBody
	b.Error.Kind = string(haven.ErrorKind(err))
	b.Error.Message = haven.ErrorMessage(err)
	b.Error.Fields = haven.ErrorFields(err)
	b.Error.RequestID = RequestID(r.Context())
	WriteJSON(w, status, b)
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
