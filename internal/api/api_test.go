package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/api"
	"github.com/haven-care/haven/internal/password"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

func init() { sqlstore.PasswordParams = password.Params{MemoryKiB: 64, Time: 1, Threads: 1} }

func TestMeAndOpenAPI(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		u, err := db.CreateUser(haven.WithSystem(ctx, access.JobUserAdd), haven.NewUser{Username: "bridge", Role: haven.RoleAdvocate, Password: "a long pass phrase"})
		if err != nil {
			t.Fatal(err)
		}
		secret, _, err := db.CreateAPIToken(haven.WithActor(ctx, haven.Actor{UserID: u.ID, Role: u.Role}), "t", []haven.Scope{haven.ScopeAPIRead}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		s := server.New(slog.New(slog.NewTextHandler(io.Discard, nil)), db)
		s.APITokens = db
		(&api.Handler{Users: db}).Mount(s)
		ts := httptest.NewServer(s.Handler())
		defer ts.Close()

		req, _ := http.NewRequest("GET", ts.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var me api.Me
		json.NewDecoder(resp.Body).Decode(&me)
		resp.Body.Close()
		if resp.StatusCode != 200 || me.ID != u.ID || me.Role != "advocate" {
			t.Errorf("GET /api/v1/me=%d %+v", resp.StatusCode, me)
		}

		resp, err = http.Get(ts.URL + "/api/openapi.json")
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || !strings.HasPrefix(doc["openapi"].(string), "3.1") {
			t.Errorf("openapi.json: %v %v", err, doc["openapi"])
		}
		resp.Body.Close()
	})
}
