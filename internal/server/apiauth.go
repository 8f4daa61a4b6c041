package server

import (
	"net/http"
	"strings"

	"github.com/haven-care/haven"
)

// RequireToken wraps a JSON API or FHIR handler so that it runs only for a
// bearer token holding scope. Cookies never authenticate these surfaces, so
// a browser session cannot be ridden by a cross-site script.
func (s *Server) RequireToken(scope haven.Scope, h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return s.Wrap(func(w http.ResponseWriter, r *http.Request) error {
		if s.APITokens == nil {
			return haven.Errorf(haven.Unavailable, "The API is not enabled.")
		}
		secret, ok := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="haven"`)
			return haven.Errorf(haven.Unauthenticated, "Send an API token as Authorization: Bearer TOKEN.")
		}
		tok, u, err := s.APITokens.AuthenticateAPIToken(r.Context(), secret)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="haven", error="invalid_token"`)
			return err
		}
		if !tok.Has(scope) {
			return haven.Errorf(haven.Forbidden, "The API token lacks the %s scope.", scope)
		}
		ctx := haven.WithActor(r.Context(), haven.Actor{UserID: u.ID, Role: u.Role, SessionID: tok.ID})
		w.Header().Set("Cache-Control", "no-store")
		return h(w, r.WithContext(ctx))
	})
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}
