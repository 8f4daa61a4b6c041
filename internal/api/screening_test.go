package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/api"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// newScreeningAPIEnv is newAPIEnv with the screening routes mounted and
// their schemas compiled.
func newScreeningAPIEnv(t *testing.T, db *sqlstoretest.Store) *apiEnv {
	t.Helper()
	s := server.New(slog.New(slog.NewTextHandler(io.Discard, nil)), db)
	s.APITokens = db
	(&api.Handler{Users: db, Survivors: db, Screenings: db}).Mount(s)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	e := &apiEnv{url: ts.URL, schemas: compileSchemas(t, "Error", "Created", "InstrumentList", "ScreeningList", "Screening")}
	adv := mustAPIUser(t, db, "advocate", haven.RoleAdvocate)
	e.write = mustToken(t, db, adv, haven.ScopeAPIRead, haven.ScopeAPIWrite)
	e.read = mustToken(t, db, adv, haven.ScopeAPIRead)
	e.stranger = mustToken(t, db, mustAPIUser(t, db, "stranger", haven.RoleClinician), haven.ScopeAPIRead, haven.ScopeAPIWrite)
	return e
}

func compileSchemas(t *testing.T, names ...string) map[string]*jsonschema.Schema {
	t.Helper()
	f, err := os.Open("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("file:///openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]*jsonschema.Schema{}
	for _, name := range names {
		if out[name], err = c.Compile("file:///openapi.json#/components/schemas/" + name); err != nil {
			t.Fatalf("compile %s: %v", name, err)
		}
	}
	return out
}

// rapidJSON is a screening body for the rapid four-item screen: the
// safety checklist passed and answer for the papers item.
func rapidJSON(papers string) string {
	yes := `[{"valueBoolean": true}]`
	no := `[{"valueBoolean": false}]`
	return `{"instrument_id": "haven-rapid-four", "response": {"resourceType": "QuestionnaireResponse", "status": "completed", "item": [
		{"linkId": "r-safety", "item": [{"linkId": "r-safety-alone", "answer": ` + yes + `},
			{"linkId": "r-safety-language", "answer": [{"valueCoding": {"system": "https://haven.example/fhir/CodeSystem/language-support", "code": "professional"}}]},
			{"linkId": "r-safety-private", "answer": ` + yes + `}, {"linkId": "r-safety-explained", "answer": ` + yes + `}]},
		{"linkId": "r-questions", "item": [{"linkId": "r-leave", "answer": ` + no + `}, {"linkId": "r-papers", "answer": [` + papers + `]},
			{"linkId": "r-threat", "answer": ` + no + `}, {"linkId": "r-sex", "answer": ` + no + `}]}]}}`
}

func TestScreeningAPI(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e := newScreeningAPIEnv(t, db)
		_, _, created := e.call(t, "POST", "/api/v1/survivors", e.write, survivorJSON, "Created")
		id := created["survivor"].(map[string]any)["id"].(string)
		_, _, list := e.call(t, "GET", "/api/v1/instruments", e.read, "", "InstrumentList")
		if n := len(list["instruments"].([]any)); n != 3 {
			t.Errorf("instruments: %d, want the 3 shipped", n)
		}
		status, loc, sc := e.call(t, "POST", "/api/v1/survivors/"+id+"/screenings", e.write, rapidJSON(`{"valueBoolean": true}`), "Screening")
		if status != http.StatusCreated || loc != "/api/v1/screenings/"+sc["id"].(string) || sc["concern"] != "moderate" || sc["minor"] != true {
			t.Fatalf("POST screening: %d %q concern=%v minor=%v, want 201, moderate, minor", status, loc, sc["concern"], sc["minor"])
		}
		status, _, got := e.call(t, "GET", loc, e.read, "", "Screening")
		if status != 200 || got["id"] != sc["id"] || !strings.Contains(got["result"].(map[string]any)["suggested_codes"].([]any)[0].(map[string]any)["code"].(string), "T76.62") {
			t.Errorf("GET screening: %d %v, want it with the suspected child labor code", status, got["result"])
		}
		_, _, mine := e.call(t, "GET", "/api/v1/survivors/"+id+"/screenings", e.read, "", "ScreeningList")
		if n := len(mine["screenings"].([]any)); n != 1 {
			t.Errorf("screenings of the survivor: %d, want 1", n)
		}
		tests := []struct {
			name, method, path, token, body string
			status                          int
			field                           string
		}{
			{"wrong answer type", "POST", "/api/v1/survivors/" + id + "/screenings", e.write, rapidJSON(`{"valueString": "yes"}`), 400, "r-papers"},
			{"no response", "POST", "/api/v1/survivors/" + id + "/screenings", e.write, `{"instrument_id": "haven-rapid-four"}`, 400, "response"},
			{"read-only token", "POST", "/api/v1/survivors/" + id + "/screenings", e.read, rapidJSON(`{"valueBoolean": true}`), 403, ""},
			{"not on the care team screens", "POST", "/api/v1/survivors/" + id + "/screenings", e.stranger, rapidJSON(`{"valueBoolean": true}`), 404, ""},
			{"not on the care team reads", "GET", loc, e.stranger, "", 404, ""},
			{"not on the care team lists", "GET", "/api/v1/survivors/" + id + "/screenings", e.stranger, "", 404, ""},
		}
		for _, tt := range tests {
			status, _, body := e.call(t, tt.method, tt.path, tt.token, tt.body, "")
			fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
			if status != tt.status || tt.field != "" && fields[tt.field] == nil {
				t.Errorf("%s: %d fields=%v, want %d naming %q", tt.name, status, fields, tt.status, tt.field)
			}
		}
	})
}
