package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/api"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// newCarePlanAPIEnv is newAPIEnv with the screening and care-plan routes
// mounted and their schemas compiled, and tokens for an analyst, a
// partner-less administrator not on the team.
func newCarePlanAPIEnv(t *testing.T, db *sqlstoretest.Store) (*apiEnv, map[string]string) {
	t.Helper()
	s := server.New(slog.New(slog.NewTextHandler(io.Discard, nil)), db)
	s.APITokens = db
	(&api.Handler{Users: db, Survivors: db, Screenings: db, CarePlans: db}).Mount(s)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	e := &apiEnv{url: ts.URL, schemas: compileSchemas(t, "Error", "Created", "Screening", "CarePlan", "Need", "SuggestedNeedList")}
	adv := mustAPIUser(t, db, "advocate", haven.RoleAdvocate)
	e.write = mustToken(t, db, adv, haven.ScopeAPIRead, haven.ScopeAPIWrite)
	e.read = mustToken(t, db, adv, haven.ScopeAPIRead)
	e.stranger = mustToken(t, db, mustAPIUser(t, db, "stranger", haven.RoleClinician), haven.ScopeAPIRead, haven.ScopeAPIWrite)
	others := map[string]string{
		"outsider clinician": e.stranger,
		"analyst":            mustToken(t, db, mustAPIUser(t, db, "analyst", haven.RoleAnalyst), haven.ScopeAPIRead, haven.ScopeAPIWrite),
		"admin not on team":  mustToken(t, db, mustAPIUser(t, db, "root", haven.RoleAdmin), haven.ScopeAPIRead, haven.ScopeAPIWrite),
	}
	return e, others
}

func TestCarePlanAPI(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e, others := newCarePlanAPIEnv(t, db)
		_, _, created := e.call(t, "POST", "/api/v1/survivors", e.write, survivorJSON, "Created")
		id := created["survivor"].(map[string]any)["id"].(string)
		base := "/api/v1/survivors/" + id
		_, _, sc := e.call(t, "POST", base+"/screenings", e.write, rapidJSON(`{"valueBoolean": true}`), "Screening")
		_, _, sugg := e.call(t, "GET", base+"/suggested-needs", e.read, "", "SuggestedNeedList")
		list := sugg["suggested_needs"].([]any)
		if len(list) != 3 || list[0].(map[string]any)["screening_id"] != sc["id"] {
			t.Fatalf("suggested needs %v, want legal, employment and safety from the screening", list)
		}
		if _, _, plan := e.call(t, "GET", base+"/needs", e.read, "", "CarePlan"); len(plan["needs"].([]any)) != 0 {
			t.Fatalf("suggestions were added silently: %v", plan["needs"])
		}
		status, loc, need := e.call(t, "POST", base+"/needs", e.write,
			`{"domain": "safety", "screening_id": "`+sc["id"].(string)+`", "goal": "Dormir tranquila", "priority": "hoy"}`, "Need")
		if status != http.StatusCreated || loc != base+"/needs/"+need["id"].(string) || need["sdoh_category"] != "sdoh-category-unspecified" {
			t.Fatalf("POST need: %d %q %v", status, loc, need)
		}
		status, _, changed := e.call(t, "PATCH", loc, e.write, `{"status": "declined", "note": "Not now"}`, "Need")
		if status != 200 || changed["status"] != "declined" || len(changed["history"].([]any)) != 2 {
			t.Errorf("PATCH need: %d %v", status, changed)
		}
		_, _, plan := e.call(t, "GET", base+"/needs", e.read, "", "CarePlan")
		if n := plan["needs"].([]any); len(n) != 1 || n[0].(map[string]any)["goal"] != "Dormir tranquila" {
			t.Errorf("plan %v", plan)
		}
		tests := []struct {
			name, method, path, token, body string
			status                          int
			field                           string
		}{
			{"unknown domain", "POST", base + "/needs", e.write, `{"domain": "trafficking"}`, 400, "domain"},
			{"unknown status", "PATCH", loc, e.write, `{"status": "failed"}`, 400, "status"},
			{"goal too long", "POST", base + "/needs", e.write, `{"domain": "food", "goal": "` + strings.Repeat("g", 1001) + `"}`, 400, "goal"},
			{"unknown field", "POST", base + "/needs", e.write, `{"domain": "food", "name": "x"}`, 400, ""},
			{"duplicate open domain", "POST", base + "/needs", e.write, `{"domain": "food"}`, 201, ""},
			{"duplicate open domain again", "POST", base + "/needs", e.write, `{"domain": "food"}`, 409, "domain"},
			{"read-only token", "POST", base + "/needs", e.read, `{"domain": "legal"}`, 403, ""},
			{"need of another survivor's path", "PATCH", "/api/v1/survivors/other/needs/" + need["id"].(string), e.write, `{"note": "x"}`, 404, ""},
		}
		for name, tok := range others {
			tests = append(tests, []struct {
				name, method, path, token, body string
				status                          int
				field                           string
			}{
				{name + " lists", "GET", base + "/needs", tok, "", 404, ""},
				{name + " suggestions", "GET", base + "/suggested-needs", tok, "", 404, ""},
				{name + " adds", "POST", base + "/needs", tok, `{"domain": "legal"}`, 404, ""},
				{name + " changes", "PATCH", loc, tok, `{"status": "met"}`, 404, ""},
			}...)
		}
		for _, tt := range tests {
			schema := ""
			if tt.status < 400 {
				schema = "Need"
			}
			status, _, body := e.call(t, tt.method, tt.path, tt.token, tt.body, schema)
			errBody, _ := body["error"].(map[string]any)
			fields, _ := errBody["fields"].(map[string]any)
			if status != tt.status || tt.field != "" && fields[tt.field] == nil {
				t.Errorf("%s: %d fields=%v, want %d naming %q", tt.name, status, fields, tt.status, tt.field)
			}
		}
		if _, _, plan := e.call(t, "GET", base+"/needs", e.read, "", "CarePlan"); len(plan["needs"].([]any)) != 2 {
			t.Errorf("refused calls changed the plan: %v", plan["needs"])
		}
	})
}

// TestOpenAPINeedDomainsAreTheTaxonomy: the document lists exactly the
// directory's need domains and the need statuses.
func TestOpenAPINeedDomainsAreTheTaxonomy(t *testing.T) {
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Enum []string `json:"enum"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var domains, statuses []string
	for _, n := range haven.Needs {
		domains = append(domains, n.Code)
	}
	for _, s := range haven.NeedStatuses {
		statuses = append(statuses, string(s))
	}
	need := doc.Components.Schemas["Need"].Properties
	if diff := cmp.Diff(domains, need["domain"].Enum); diff != "" {
		t.Errorf("Need.domain enum differs from haven.Needs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(statuses, need["status"].Enum); diff != "" {
		t.Errorf("Need.status enum differs from haven.NeedStatuses (-want +got):\n%s", diff)
	}
}

// TestNoCarePlanWordsInLogs: goals, priorities and notes, good and
// refused, never reach the server's log, even at debug level.
func TestNoCarePlanWordsInLogs(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		var logs strings.Builder
		s := server.New(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), db)
		s.APITokens = db
		(&api.Handler{Users: db, Survivors: db, CarePlans: db}).Mount(s)
		ts := httptest.NewServer(s.Handler())
		t.Cleanup(ts.Close)
		e := &apiEnv{url: ts.URL, schemas: compileSchemas(t, "Error", "Created", "Need", "CarePlan")}
		adv := mustAPIUser(t, db, "advocate", haven.RoleAdvocate)
		e.write = mustToken(t, db, adv, haven.ScopeAPIRead, haven.ScopeAPIWrite)
		e.stranger = mustToken(t, db, mustAPIUser(t, db, "stranger", haven.RoleClinician), haven.ScopeAPIRead, haven.ScopeAPIWrite)
		_, _, created := e.call(t, "POST", "/api/v1/survivors", e.write, survivorJSON, "Created")
		base := "/api/v1/survivors/" + created["survivor"].(map[string]any)["id"].(string)
		_, loc, _ := e.call(t, "POST", base+"/needs", e.write, `{"domain": "housing", "goal": "CANARYGOAL", "priority": "CANARYPRIORITY"}`, "Need")
		e.call(t, "PATCH", loc, e.write, `{"goal": "CANARYGOAL2", "note": "CANARYNEEDNOTE"}`, "Need")
		e.call(t, "GET", base+"/needs", e.write, "", "CarePlan")
		e.call(t, "POST", base+"/needs", e.write, `{"domain": "CANARYDOMAIN", "goal": "CANARYGOAL"}`, "")
		e.call(t, "POST", base+"/needs", e.write, `{"domain": "food", "CANARYFIELD": "x"}`, "")
		e.call(t, "PATCH", loc, e.write, `{"note": "CANARYNEEDNOTE`+strings.Repeat("x", 2001)+`"}`, "")
		e.call(t, "PATCH", loc, e.stranger, `{"note": "CANARYNEEDNOTE"}`, "")
		if logs.Len() == 0 {
			t.Fatal("nothing was logged: the test would pass whatever the logs held")
		}
		if i := strings.Index(strings.ToUpper(logs.String()), "CANARY"); i >= 0 {
			t.Errorf("a log line carries a canary: %q", logs.String()[max(0, i-200):min(logs.Len(), i+50)])
		}
	})
}
