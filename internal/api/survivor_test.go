package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/api"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// apiEnv is the API over a real store, with real tokens: a read-write
// and a read-only token for an advocate, and a read-write token for a
// clinician who is on no care team.
type apiEnv struct {
	url                   string
	write, read, stranger string
	schemas               map[string]*jsonschema.Schema
}

func newAPIEnv(t *testing.T, db *sqlstoretest.Store) *apiEnv {
	t.Helper()
	return newAPIEnvLogging(t, db, io.Discard)
}

// newAPIEnvLogging is newAPIEnv with the server's log, at debug level,
// written to logs.
func newAPIEnvLogging(t *testing.T, db *sqlstoretest.Store, logs io.Writer) *apiEnv {
	t.Helper()
	s := server.New(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), db)
	s.APITokens = db
	(&api.Handler{Users: db, Survivors: db, Consents: db, Referrals: db, CarePlans: db, Disclosures: db, Safeguards: db}).Mount(s)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	e := &apiEnv{url: ts.URL, schemas: openAPISchemas(t)}
	adv := mustAPIUser(t, db, "advocate", haven.RoleAdvocate)
	e.write = mustToken(t, db, adv, haven.ScopeAPIRead, haven.ScopeAPIWrite)
	e.read = mustToken(t, db, adv, haven.ScopeAPIRead)
	e.stranger = mustToken(t, db, mustAPIUser(t, db, "stranger", haven.RoleClinician), haven.ScopeAPIRead, haven.ScopeAPIWrite)
	return e
}

func mustAPIUser(t *testing.T, db *sqlstoretest.Store, name string, role haven.Role) *haven.User {
	t.Helper()
	u, err := db.CreateUser(haven.WithSystem(context.Background(), access.JobUserAdd), haven.NewUser{Username: name, Role: role, Password: "a long pass phrase"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func mustToken(t *testing.T, db *sqlstoretest.Store, u *haven.User, scopes ...haven.Scope) string {
	t.Helper()
	ctx := haven.WithActor(context.Background(), haven.Actor{UserID: u.ID, Role: u.Role})
	secret, _, err := db.CreateAPIToken(ctx, "test", scopes, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// openAPISchemas compiles the component schemas of openapi.json, so that
// every response is checked against what the document promises.
func openAPISchemas(t *testing.T) map[string]*jsonschema.Schema {
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
	for _, name := range []string{"Error", "Survivor", "SurvivorList", "Created", "Consent", "ConsentList", "Referral", "ReferralList", "Packet", "DirectorySearchResults",
		"Disclosure", "DisclosureList", "DisclosureProposal", "Package", "Accounting",
		"MandatedReport", "MandatedReportList", "FamilyChoice", "FamilyChoiceList", "Timeline"} {
		if out[name], err = c.Compile("file:///openapi.json#/components/schemas/" + name); err != nil {
			t.Fatalf("compile %s: %v", name, err)
		}
	}
	return out
}

// call sends a request and returns the status, the Location header and
// the decoded body, checked against the schema for that status.
func (e *apiEnv) call(t *testing.T, method, path, token, body, schema string) (int, string, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		schema = "Error"
	}
	if schema != "" {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s %s: body is not JSON: %v\n%s", method, path, err, b)
		}
		if err := e.schemas[schema].Validate(v); err != nil {
			t.Errorf("%s %s: body does not match %s in openapi.json: %v\n%s", method, path, schema, err, b)
		}
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return resp.StatusCode, resp.Header.Get("Location"), m
}

const survivorJSON = `{"name": "Synthetic Api Person", "aliases": ["Zed"], "date_of_birth": "2009-06-01",
	"phones": ["555-0101"], "emails": [], "addresses": [], "immigration_status": "", "notes": "",
	"cultural_considerations": "", "faith_considerations": "", "age_band": "",
	"languages": [{"code": "ht", "interpreter": true}], "preferred_provider_gender": "female",
	"safe_contact": {"do_not_contact": false, "channels": ["sms"], "voicemail_safe": false, "code_word": "lantern"}}`

func TestSurvivorAPI(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e := newAPIEnv(t, db)
		status, loc, created := e.call(t, "POST", "/api/v1/survivors", e.write, survivorJSON, "Created")
		if status != http.StatusCreated {
			t.Fatalf("POST status=%d, want 201: %v", status, created)
		}
		rec := created["survivor"].(map[string]any)
		id := rec["id"].(string)
		if loc != "/api/v1/survivors/"+id || rec["minor"] != true || rec["age_band"] != "15-17" {
			t.Errorf("POST: Location=%q minor=%v age_band=%v, want the record's path, true, 15-17", loc, rec["minor"], rec["age_band"])
		}
		if d := created["possible_duplicates"].([]any); len(d) != 0 {
			t.Errorf("first record: possible_duplicates=%v, want []", d)
		}
		_, _, again := e.call(t, "POST", "/api/v1/survivors", e.write, survivorJSON, "Created")
		want := []any{map[string]any{"id": id, "case_number": rec["case_number"]}}
		if diff := cmp.Diff(want, again["possible_duplicates"]); diff != "" {
			t.Errorf("same name and birth date: possible_duplicates (-want +got):\n%s", diff)
		}

		// A caller off those care teams learns nothing of them (security
		// finding 4): the same empty list as for a new person.
		_, _, stranger := e.call(t, "POST", "/api/v1/survivors", e.stranger, survivorJSON, "Created")
		if d, ok := stranger["possible_duplicates"].([]any); !ok || len(d) != 0 {
			t.Errorf("stranger: possible_duplicates=%v, want []", stranger["possible_duplicates"])
		}

		_, _, got := e.call(t, "GET", "/api/v1/survivors/"+id, e.read, "", "Survivor")
		if diff := cmp.Diff(rec, got); diff != "" {
			t.Errorf("GET differs from what POST returned (-post +get):\n%s", diff)
		}
		_, _, list := e.call(t, "GET", "/api/v1/survivors", e.read, "", "SurvivorList")
		if n := len(list["survivors"].([]any)); n != 2 {
			t.Errorf("list has %d survivors, want 2", n)
		}
		first := list["survivors"].([]any)[1].(map[string]any)
		if _, ok := first["name"]; ok || first["id"] != id {
			t.Errorf("list entry=%v, want the first record's summary without a name", first)
		}

		update := strings.Replace(survivorJSON, `"channels": ["sms"]`, `"channels": ["phone_call", "email"]`, 1)
		status, _, upd := e.call(t, "PUT", "/api/v1/survivors/"+id, e.write, update, "Survivor")
		plan, _ := upd["safe_contact"].(map[string]any)
		if status != 200 || !cmp.Equal(plan["channels"], []any{"phone_call", "email"}) || upd["case_number"] != rec["case_number"] {
			t.Errorf("PUT status=%d safe_contact=%v, want 200 and the new channels under the same case number", status, plan)
		}
	})
}

func TestSurvivorAPIRefusals(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e := newAPIEnv(t, db)
		_, _, created := e.call(t, "POST", "/api/v1/survivors", e.write, survivorJSON, "Created")
		id := created["survivor"].(map[string]any)["id"].(string)
		tests := []struct {
			name, method, path, token, body string
			status                          int
			kind, field                     string
		}{
			{"no token", "GET", "/api/v1/survivors", "", "", 401, "unauthenticated", ""},
			{"read-only token writes", "POST", "/api/v1/survivors", e.read, survivorJSON, 403, "forbidden", ""},
			{"read-only token updates", "PUT", "/api/v1/survivors/" + id, e.read, survivorJSON, 403, "forbidden", ""},
			{"not on the care team reads", "GET", "/api/v1/survivors/" + id, e.stranger, "", 404, "not_found", ""},
			{"not on the care team updates", "PUT", "/api/v1/survivors/" + id, e.stranger, survivorJSON, 404, "not_found", ""},
			{"missing record", "GET", "/api/v1/survivors/no-such-id", e.read, "", 404, "not_found", ""},
			{"future birth date", "POST", "/api/v1/survivors", e.write, `{"name": "X", "date_of_birth": "2999-01-01"}`, 400, "invalid", "date_of_birth"},
			{"no name or alias", "POST", "/api/v1/survivors", e.write, `{"phones": ["555-0102"]}`, 400, "invalid", "name"},
			{"unknown channel", "PUT", "/api/v1/survivors/" + id, e.write, `{"name": "X", "safe_contact": {"channels": ["fax"]}}`, 400, "invalid", "contact_channels"},
			{"misspelt field", "POST", "/api/v1/survivors", e.write, `{"nmae": "X"}`, 400, "invalid", ""},
			{"wrong type", "POST", "/api/v1/survivors", e.write, `{"name": ["X"]}`, 400, "invalid", ""},
			{"two objects", "POST", "/api/v1/survivors", e.write, `{"name": "X"} {"name": "Y"}`, 400, "invalid", ""},
			{"not JSON", "POST", "/api/v1/survivors", e.write, `name=X`, 400, "invalid", ""},
		}
		for _, tt := range tests {
			status, _, body := e.call(t, tt.method, tt.path, tt.token, tt.body, "")
			errObj, _ := body["error"].(map[string]any)
			fields, _ := errObj["fields"].(map[string]any)
			if status != tt.status || errObj["kind"] != tt.kind || tt.field != "" && fields[tt.field] == nil {
				t.Errorf("%s: status=%d error=%v, want %d %s naming field %q", tt.name, status, errObj, tt.status, tt.kind, tt.field)
			}
		}
		_, _, list := e.call(t, "GET", "/api/v1/survivors", e.read, "", "SurvivorList")
		if n := len(list["survivors"].([]any)); n != 1 {
			t.Errorf("after refused calls the list has %d survivors, want 1", n)
		}
	})
}

// TestNoPersonalDataInLogs sends canary strings through every survivor
// call, good and bad (in values, in a misspelt field's name, in the path),
// and checks that no log line carries one.
func TestNoPersonalDataInLogs(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		var logs bytes.Buffer
		e := newAPIEnvLogging(t, db, &logs)
		canary := `{"name": "CANARYNAME Api", "aliases": ["CANARYALIAS"], "date_of_birth": "2001-02-03", "phones": ["CANARYPHONE"],
			"emails": ["canaryemail@example.invalid"], "addresses": ["CANARYADDRESS"], "immigration_status": "CANARYIMMIGRATION",
			"notes": "CANARYNOTES", "cultural_considerations": "CANARYCULTURE", "faith_considerations": "CANARYFAITH",
			"safe_contact": {"channels": ["sms"], "code_word": "CANARYCODEWORD", "safe_times": "CANARYTIMES", "voicemail_message": "CANARYVOICEMAIL"}}`
		status, loc, _ := e.call(t, "POST", "/api/v1/survivors", e.write, canary, "Created")
		if status != http.StatusCreated {
			t.Fatalf("create: %d", status)
		}
		path := strings.TrimPrefix(loc, e.url)
		e.call(t, "GET", path, e.read, "", "Survivor")
		e.call(t, "PUT", path, e.write, canary, "Survivor")
		e.call(t, "GET", path, e.stranger, "", "")
		e.call(t, "POST", "/api/v1/survivors", e.write, `{"name": "CANARYNAME Bad", "date_of_birth": "2999-01-01"}`, "")
		e.call(t, "POST", "/api/v1/survivors", e.write, `{"name": ["CANARYNAME List"]}`, "")
		e.call(t, "POST", "/api/v1/survivors", e.write, `{"CANARYFIELD": "x"}`, "")
		e.call(t, "PUT", path, e.write, `{"name": "CANARYNAME Fax", "safe_contact": {"channels": ["CANARYCHANNEL"]}}`, "")
		e.call(t, "GET", "/api/v1/survivors/CANARYID", e.read, "", "")
		if logs.Len() == 0 {
			t.Fatal("nothing was logged: the test would pass whatever the logs held")
		}
		if i := strings.Index(strings.ToUpper(logs.String()), "CANARY"); i >= 0 {
			t.Errorf("a log line carries a canary: %q", logs.String()[max(0, i-200):min(logs.Len(), i+50)])
		}
	})
}

// TestOpenAPISurvivorInputIsTheDomainInput: the document's SurvivorInput
// names exactly the input's fields, so a field added to the record and its
// registry is described too.
func TestOpenAPISurvivorInputIsTheDomainInput(t *testing.T) {
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var documented, input []string
	for name := range doc.Components.Schemas["SurvivorInput"].Properties {
		documented = append(documented, name)
	}
	typ := reflect.TypeFor[haven.NewSurvivor]()
	for i := range typ.NumField() {
		input = append(input, strings.Split(typ.Field(i).Tag.Get("json"), ",")[0])
	}
	slices.Sort(documented)
	slices.Sort(input)
	if diff := cmp.Diff(input, documented); diff != "" {
		t.Errorf("openapi.json SurvivorInput (-haven.NewSurvivor +document):\n%s", diff)
	}
}
