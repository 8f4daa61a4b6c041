package api_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/api"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

func TestUserAdminAPI(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e := newAPIEnv(t, db)
		e.schemas = compileSchemas(t, "Error", "UserList", "UserCreated", "TwoStepPolicy")
		admin := mustAPIUser(t, db, "root.admin", haven.RoleAdmin)
		ts := newUserAPIServer(t, db)
		e.url = ts
		adminTok := mustToken(t, db, admin, haven.ScopeAPIRead, haven.ScopeAPIWrite)
		adminRead := mustToken(t, db, admin, haven.ScopeAPIRead)

		status, _, list := e.call(t, "GET", "/api/v1/users", adminTok, "", "UserList")
		if status != 200 || len(list["users"].([]any)) != 3 {
			t.Fatalf("list: %d %v", status, list)
		}
		if status, _, _ := e.call(t, "GET", "/api/v1/users", e.write, "", ""); status != http.StatusForbidden {
			t.Errorf("advocate lists users: %d, want 403", status)
		}
		status, _, created := e.call(t, "POST", "/api/v1/users", adminTok,
			`{"username": "nurse.fl", "display_name": "Nurse FL", "role": "clinician", "start": "link"}`, "UserCreated")
		if status != http.StatusCreated || !strings.HasPrefix(created["set_password_path"].(string), "/set-password/") {
			t.Fatalf("add by link: %d %v", status, created)
		}
		nurseID := created["user"].(map[string]any)["id"].(string)
		token := strings.TrimPrefix(created["set_password_path"].(string), "/set-password/")
		if err := db.SetPasswordByLink(t.Context(), token, "a long pass phrase"); err != nil {
			t.Fatalf("the link from the API does not work: %v", err)
		}
		status, _, tmp := e.call(t, "POST", "/api/v1/users", adminTok,
			`{"username": "adv.tmp", "role": "advocate", "start": "temporary"}`, "UserCreated")
		if status != http.StatusCreated || tmp["temporary_password"] == "" {
			t.Fatalf("add with a temporary password: %d %v", status, tmp)
		}
		for body, want := range map[string]int{
			`{"username": "nurse.fl", "role": "clinician", "start": "link"}`:                   http.StatusConflict,
			`{"username": "x", "role": "clinician", "start": "link"}`:                          http.StatusBadRequest,
			`{"username": "good.name", "role": "root", "start": "link"}`:                       http.StatusBadRequest,
			`{"username": "good.name", "role": "clinician", "start": "mail"}`:                  http.StatusBadRequest,
			`{"username": "good.name", "role": "clinician", "start": "link", "password": "x"}`: http.StatusBadRequest,
		} {
			if status, _, _ := e.call(t, "POST", "/api/v1/users", adminTok, body, ""); status != want {
				t.Errorf("POST %s: %d, want %d", body, status, want)
			}
		}
		if status, _, _ := e.call(t, "POST", "/api/v1/users", adminRead, `{"username": "ro.user", "role": "analyst", "start": "link"}`, ""); status != http.StatusForbidden {
			t.Errorf("add with a read-only token: %d", status)
		}
		// Disabling ends the user's tokens at their very next request.
		nurse, _ := db.FindUserByID(t.Context(), nurseID)
		nurseTok := mustToken(t, db, nurse, haven.ScopeAPIRead)
		if status, _, _ := e.call(t, "GET", "/api/v1/me", nurseTok, "", ""); status != 200 {
			t.Fatalf("nurse token: %d", status)
		}
		if status, _, _ := e.call(t, "POST", "/api/v1/users/"+nurseID+"/disable", adminTok, "", ""); status != http.StatusNoContent {
			t.Errorf("disable: %d", status)
		}
		if status, _, _ := e.call(t, "GET", "/api/v1/me", nurseTok, "", ""); status != http.StatusUnauthorized {
			t.Errorf("disabled user's token: %d, want 401", status)
		}
		if status, _, _ := e.call(t, "POST", "/api/v1/users/"+nurseID+"/enable", adminTok, "", ""); status != http.StatusNoContent {
			t.Errorf("enable: %d", status)
		}
		if status, _, _ := e.call(t, "POST", "/api/v1/users/"+nurseID+"/role", adminTok, `{"role": "supervisor"}`, ""); status != http.StatusNoContent {
			t.Errorf("role: %d", status)
		}
		if status, _, _ := e.call(t, "POST", "/api/v1/users/"+nurseID+"/role", adminTok, `{"role": "king"}`, ""); status != http.StatusBadRequest {
			t.Errorf("bad role: %d", status)
		}
		if status, _, _ := e.call(t, "POST", "/api/v1/users/"+admin.ID+"/role", adminTok, `{"role": "clinician"}`, ""); status != http.StatusForbidden {
			t.Errorf("own role: %d, want 403", status)
		}
		if status, _, _ := e.call(t, "POST", "/api/v1/users/"+admin.ID+"/disable", adminTok, "", ""); status != http.StatusForbidden {
			t.Errorf("disable self: %d, want 403", status)
		}
		if status, _, _ := e.call(t, "POST", "/api/v1/users/"+nurseID+"/reset-two-step", adminTok, "", ""); status != http.StatusNoContent {
			t.Errorf("reset two-step: %d", status)
		}
		if status, _, _ := e.call(t, "POST", "/api/v1/users/no-such-user/reset-two-step", adminTok, "", ""); status != http.StatusNotFound {
			t.Errorf("reset unknown user: %d", status)
		}
		if status, _, _ := e.call(t, "POST", "/api/v1/users/"+nurseID+"/disable", e.write, "", ""); status != http.StatusForbidden {
			t.Errorf("advocate disables: %d, want 403", status)
		}
		// The policy: read by any token, changed by administrators; a
		// token of a user it holds back stops working.
		status, _, p := e.call(t, "GET", "/api/v1/settings/two-step", e.read, "", "TwoStepPolicy")
		if status != 200 || len(p["roles"].([]any)) != 0 {
			t.Errorf("policy: %d %v", status, p)
		}
		if status, _, _ := e.call(t, "PUT", "/api/v1/settings/two-step", e.write, `{"roles": []}`, ""); status != http.StatusForbidden {
			t.Errorf("advocate sets the policy: %d", status)
		}
		if status, _, _ := e.call(t, "PUT", "/api/v1/settings/two-step", adminTok, `{"roles": ["wizard"]}`, ""); status != http.StatusBadRequest {
			t.Errorf("bad policy: %d", status)
		}
		status, _, p = e.call(t, "PUT", "/api/v1/settings/two-step", adminTok, `{"roles": ["advocate"]}`, "TwoStepPolicy")
		if status != 200 || len(p["roles"].([]any)) != 1 || p["updated_at"] == nil {
			t.Errorf("set policy: %d %v", status, p)
		}
		if status, _, _ := e.call(t, "GET", "/api/v1/me", e.read, "", ""); status != http.StatusUnauthorized {
			t.Errorf("advocate without two-step under the policy: %d, want 401", status)
		}
		if status, _, _ := e.call(t, "GET", "/api/v1/me", adminRead, "", ""); status != 200 {
			t.Errorf("admin, not held: %d", status)
		}
	})
}

// newUserAPIServer serves the API with user administration.
func newUserAPIServer(t *testing.T, db *sqlstoretest.Store) string {
	t.Helper()
	s := server.New(slog.New(slog.DiscardHandler), db)
	s.APITokens = db
	(&api.Handler{Users: db, UserAdmin: db}).Mount(s)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}
