package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/api"
	"github.com/haven-care/haven/internal/demo"
	"github.com/haven-care/haven/internal/fhir"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// TestGapAPI: the analyst's tables through the API, checked against
// openapi.json; no filter, no care role; and the analyst's token reaches
// no record through the API or FHIR.
func TestGapAPI(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		s := server.New(slog.New(slog.NewTextHandler(io.Discard, nil)), db)
		s.APITokens = db
		(&api.Handler{Users: db, Survivors: db, Screenings: db, CarePlans: db, Consents: db, Referrals: db, Tasks: db,
			Encounters: db, CareTeams: db, Gap: db}).Mount(s)
		(&fhir.Handler{Screenings: db, CarePlans: db, Consents: db, Referrals: db, Survivors: db, Version: "test"}).Mount(s)
		ts := httptest.NewServer(s.Handler())
		t.Cleanup(ts.Close)
		e := &apiEnv{url: ts.URL, schemas: openAPISchemas(t)}
		e.schemas["GapTable"] = compileSchemas(t, "GapTable")["GapTable"]
		lead := mustAPIUser(t, db, "lead", haven.RoleAdvocate)
		if err := db.LoadCaseload(haven.WithSystem(context.Background(), access.JobDemo), demo.Caseload(150, 1), lead.ID, nil); err != nil {
			t.Fatal(err)
		}
		analyst := mustToken(t, db, mustAPIUser(t, db, "analyst", haven.RoleAnalyst), haven.ScopeAPIRead, haven.ScopeAPIWrite)
		leadTok := mustToken(t, db, lead, haven.ScopeAPIRead, haven.ScopeAPIWrite)
		for _, p := range []string{"/api/v1/gap/needs", "/api/v1/gap/referrals?by=language", "/api/v1/gap/survivors?by=gender",
			"/api/v1/gap/screenings?by=instrument", "/api/v1/gap/outcomes?by=period"} {
			if status, _, tab := e.call(t, "GET", p, analyst, "", "GapTable"); status != 200 || tab["total"] == nil {
				t.Errorf("GET %s: %d %v", p, status, tab)
			}
		}
		for p, want := range map[string]int{
			"/api/v1/gap/needs?by=gender&language=es": http.StatusBadRequest, "/api/v1/gap/people": http.StatusBadRequest,
			"/api/v1/gap/needs?by=name": http.StatusBadRequest, "/api/v1/gap/supply": http.StatusServiceUnavailable,
		} {
			if status, _, _ := e.call(t, "GET", p, analyst, "", ""); status != want {
				t.Errorf("GET %s: %d, want %d", p, status, want)
			}
		}
		if status, _, _ := e.call(t, "GET", "/api/v1/gap/needs", leadTok, "", ""); status != http.StatusForbidden {
			t.Errorf("an advocate's GET /api/v1/gap/needs: %d, want 403", status)
		}
		// The lead finds a record, a screening and a referral; the analyst none.
		_, _, list := e.call(t, "GET", "/api/v1/survivors", leadTok, "", "")
		items, _ := list["survivors"].([]any)
		if len(items) == 0 {
			t.Fatalf("the lead lists no survivor: %v", list)
		}
		id := items[0].(map[string]any)["id"].(string)
		_, _, scr := e.call(t, "GET", "/api/v1/survivors/"+id+"/screenings", leadTok, "", "")
		screening := scr["screenings"].([]any)[0].(map[string]any)["id"].(string)
		if status, _, _ := e.call(t, "PUT", "/api/v1/screenings/"+screening+"/outcome", leadTok, `{"outcome":"confirmed"}`, ""); status != http.StatusNoContent {
			t.Errorf("the lead records an outcome: %d", status)
		}
		if status, _, _ := e.call(t, "PUT", "/api/v1/screenings/"+screening+"/outcome", leadTok, `{"outcome":"maybe"}`, ""); status != http.StatusBadRequest {
			t.Errorf("an unknown outcome: %d, want 400", status)
		}
		if _, _, mine := e.call(t, "GET", "/api/v1/survivors", analyst, "", ""); len(mine["survivors"].([]any)) != 0 {
			t.Errorf("the analyst lists survivors: %v", mine)
		}
		for _, p := range []string{"/api/v1/survivors/" + id, "/api/v1/survivors/" + id + "/screenings", "/api/v1/screenings/" + screening,
			"/api/v1/survivors/" + id + "/needs", "/api/v1/survivors/" + id + "/suggested-needs", "/api/v1/survivors/" + id + "/care-team", "/api/v1/survivors/" + id + "/contacts", "/api/v1/survivors/" + id + "/referrals", "/api/v1/survivors/" + id + "/consents",
			"/api/v1/survivors/" + id + "/tasks", "/api/v1/survivors/" + id + "/encounters", "/api/v1/inbox"} {
			if status, _, body := e.call(t, "GET", p, analyst, "", ""); status < 400 {
				t.Errorf("the analyst's GET %s: %d %v", p, status, body)
			}
		}
		fhirTok := mustToken(t, db, mustAPIUser(t, db, "analyst.fhir", haven.RoleAnalyst), haven.ScopeFHIRRead)
		for _, p := range []string{"/fhir/R4/Patient/" + id, "/fhir/R4/QuestionnaireResponse/" + screening, "/fhir/R4/Task?patient=" + id,
			"/fhir/R4/ServiceRequest?patient=" + id, "/fhir/R4/Consent?patient=" + id, "/fhir/R4/QuestionnaireResponse?patient=" + id,
			"/fhir/R4/Goal?patient=" + id} {
			req, _ := http.NewRequest("GET", ts.URL+p, nil)
			req.Header.Set("Authorization", "Bearer "+fhirTok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var bundle struct {
				ResourceType string
				Total        int
				Entry        []any
			}
			if json.Unmarshal(b, &bundle); resp.StatusCode < 400 && (bundle.ResourceType != "Bundle" || bundle.Total != 0 || len(bundle.Entry) > 0) {
				t.Errorf("the analyst's FHIR GET %s: %d %s", p, resp.StatusCode, b)
			}
		}
		if status, _, _ := e.call(t, "PUT", "/api/v1/screenings/"+screening+"/outcome", analyst, `{"outcome":"ruled_out"}`, ""); status != http.StatusNotFound {
			t.Errorf("the analyst records an outcome: %d, want 404", status)
		}
	})
}
