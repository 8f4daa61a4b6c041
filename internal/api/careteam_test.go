package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/api"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// TestCareTeamAPI: the lead lists, adds, names a lead and removes over
// the API, every answer matching openapi.json; a member who is not the
// lead, a stranger, an analyst and an administrator off the team are
// refused; the supervisor of the team's staff reads the caseload.
func TestCareTeamAPI(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		s := server.New(slog.New(slog.NewTextHandler(io.Discard, nil)), db)
		s.APITokens = db
		(&api.Handler{Users: db, Survivors: db, CareTeams: db}).Mount(s)
		ts := httptest.NewServer(s.Handler())
		t.Cleanup(ts.Close)
		e := &apiEnv{url: ts.URL, schemas: compileSchemas(t, "Error", "Created", "CareTeam", "Caseload", "SurvivorList")}
		adv := mustAPIUser(t, db, "advocate", haven.RoleAdvocate)
		nurse := mustAPIUser(t, db, "nurse", haven.RoleClinician)
		sup := mustAPIUser(t, db, "supervisor", haven.RoleSupervisor)
		admin := mustAPIUser(t, db, "admin", haven.RoleAdmin)
		analyst := mustAPIUser(t, db, "analyst", haven.RoleAnalyst)
		rw := func(u *haven.User) string { return mustToken(t, db, u, haven.ScopeAPIRead, haven.ScopeAPIWrite) }
		advTok, nurseTok, supTok := rw(adv), rw(nurse), rw(sup)
		others := map[string]string{"stranger": rw(mustAPIUser(t, db, "stranger", haven.RoleClinician)), "admin": rw(admin), "analyst": rw(analyst)}
		readOnly := mustToken(t, db, adv, haven.ScopeAPIRead)

		s1, _, err := db.CreateSurvivor(haven.WithActor(context.Background(), haven.Actor{UserID: adv.ID, Role: adv.Role}), haven.NewSurvivor{Name: "Synthetic Api Team"})
		if err != nil {
			t.Fatal(err)
		}
		team := "/api/v1/survivors/" + s1.ID + "/care-team"
		status, _, body := e.call(t, "GET", team, advTok, "", "CareTeam")
		if status != 200 || len(body["members"].([]any)) != 1 {
			t.Fatalf("GET team: status=%d body=%v", status, body)
		}
		type step struct {
			name, method, path, token, body string
			status                          int
			schema                          string
		}
		steps := []step{
			{"read-only token adds", "POST", team, readOnly, `{"user_id": "` + nurse.ID + `"}`, 403, ""},
			{"lead adds the nurse", "POST", team, advTok, `{"user_id": "` + nurse.ID + `"}`, 201, "CareTeam"},
			{"lead adds the nurse again", "POST", team, advTok, `{"user_id": "` + nurse.ID + `"}`, 409, ""},
			{"lead adds an analyst", "POST", team, advTok, `{"user_id": "` + analyst.ID + `"}`, 400, ""},
			{"unknown field", "POST", team, advTok, `{"user": "x"}`, 400, ""},
			{"member reads", "GET", team, nurseTok, "", 200, "CareTeam"},
			{"member adds", "POST", team, nurseTok, `{"user_id": "` + sup.ID + `"}`, 403, ""},
			{"member names a lead", "PUT", team + "/lead", nurseTok, `{"user_id": "` + nurse.ID + `"}`, 403, ""},
			{"lead removes itself", "DELETE", team + "/" + adv.ID, advTok, "", 409, ""},
			{"lead names the nurse", "PUT", team + "/lead", advTok, `{"user_id": "` + nurse.ID + `"}`, 200, "CareTeam"},
			{"new lead removes the advocate", "DELETE", team + "/" + adv.ID, nurseTok, "", 204, ""},
			{"removed advocate reads", "GET", team, advTok, "", 404, ""},
			{"removed advocate reads the record", "GET", "/api/v1/survivors/" + s1.ID, advTok, "", 404, ""},
			{"supervisor's caseload, no team yet", "GET", "/api/v1/caseload", supTok, "", 200, "Caseload"},
			{"nurse's caseload", "GET", "/api/v1/caseload", nurseTok, "", 403, ""},
		}
		for name, tok := range others {
			steps = append(steps, step{name + " reads", "GET", team, tok, "", 404, ""},
				step{name + " adds", "POST", team, tok, `{"user_id": "` + sup.ID + `"}`, 404, ""})
		}
		for _, st := range steps {
			if got, _, body := e.call(t, st.method, st.path, st.token, st.body, st.schema); got != st.status {
				t.Errorf("%s: status=%d, want %d (%v)", st.name, got, st.status, body)
			}
		}

		// The supervisor of the nurse's team sees the case in the caseload
		// and in the survivors list, marked supervised.
		actx := haven.WithActor(context.Background(), haven.Actor{UserID: admin.ID, Role: admin.Role})
		tm, err := db.CreateTeam(actx, "API team")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []struct {
			u   *haven.User
			sup bool
		}{{nurse, false}, {sup, true}} {
			if err := db.AddTeamMember(actx, tm.ID, m.u.ID, m.sup); err != nil {
				t.Fatal(err)
			}
		}
		_, _, body = e.call(t, "GET", "/api/v1/caseload", supTok, "", "Caseload")
		cases := body["cases"].([]any)
		if len(cases) != 1 || cases[0].(map[string]any)["case_number"] != s1.CaseNumber || cases[0].(map[string]any)["lead"] != "nurse" {
			t.Errorf("caseload %v, want the case led by nurse", body)
		}
		_, _, body = e.call(t, "GET", "/api/v1/survivors", supTok, "", "SurvivorList")
		list := body["survivors"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["supervised"] != true {
			t.Errorf("supervisor's list %v, want the case, supervised", body)
		}
		if got, _, _ := e.call(t, "POST", team, supTok, `{"user_id": "`+adv.ID+`"}`, "CareTeam"); got != 201 {
			t.Errorf("supervisor through the team adds: status=%d, want 201", got)
		}
	})
}
