package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/haven-care/haven"
)

// tokenTable is an in-memory APITokenService holding one token, for
// testing the middleware alone; the store's real one is tested in sqlstore.
type tokenTable map[string]haven.APIToken

func (tt tokenTable) CreateAPIToken(context.Context, string, []haven.Scope, time.Duration) (string, *haven.APIToken, error) {
	return "", nil, haven.Errorf(haven.Forbidden, "read-only table")
}

func (tt tokenTable) AuthenticateAPIToken(_ context.Context, secret string) (*haven.APIToken, *haven.User, error) {
	t, ok := tt[secret]
	if !ok {
		return nil, nil, haven.Errorf(haven.Unauthenticated, "bad token")
	}
	return &t, &haven.User{ID: t.UserID, Role: haven.RoleAdvocate}, nil
}

func (tt tokenTable) RevokeAPIToken(context.Context, string) error { return nil }

func (tt tokenTable) APITokens(context.Context) ([]haven.APIToken, error) { return nil, nil }

func TestRequireToken(t *testing.T) {
	s, _ := newTestServer(t, nil)
	s.APITokens = tokenTable{"haven_good": {ID: "t1", UserID: "u1", Scopes: []haven.Scope{haven.ScopeAPIRead}}}
	s.Handle("GET /api/v1/whoami", s.RequireToken(haven.ScopeAPIRead, func(w http.ResponseWriter, r *http.Request) error {
		a, _ := haven.ActorFrom(r.Context())
		w.Write([]byte(a.UserID))
		return nil
	}))
	s.Handle("POST /api/v1/thing", s.RequireToken(haven.ScopeAPIWrite, func(w http.ResponseWriter, r *http.Request) error { return nil }))
	tests := []struct {
		name, method, path, auth string
		cookie                   bool
		status                   int
	}{
		{"no token", "GET", "/api/v1/whoami", "", false, 401},
		{"cookie only", "GET", "/api/v1/whoami", "", true, 401},
		{"bad token", "GET", "/api/v1/whoami", "Bearer haven_bad", false, 401},
		{"good token", "GET", "/api/v1/whoami", "Bearer haven_good", false, 200},
		{"missing scope", "POST", "/api/v1/thing", "Bearer haven_good", false, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			if tt.cookie {
				req.AddCookie(&http.Cookie{Name: "__Host-haven_session", Value: "haven_good"})
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Errorf("Status=%d, want %d (%s)", rec.Code, tt.status, rec.Body.String())
			}
			if tt.status == 200 && rec.Header().Get("Cache-Control") != "no-store" {
				t.Error("authenticated API response lacks Cache-Control: no-store")
			}
		})
	}
}
