package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/api"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// caseAPIEnv is the API with the screening, encounter and contact routes,
// an advocate's tokens (write, read), a clinician on no care team
// (stranger) and, in nurse, a clinician's token the test puts on a team.
type caseAPIEnv struct {
	*apiEnv
	nurse   string
	nurseID string
}

func newCaseAPIEnv(t *testing.T, db *sqlstoretest.Store, logs io.Writer) *caseAPIEnv {
	t.Helper()
	s := server.New(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), db)
	s.APITokens = db
	(&api.Handler{Users: db, Survivors: db, Screenings: db, Encounters: db}).Mount(s)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	e := &apiEnv{url: ts.URL, schemas: compileSchemas(t, "Error", "Created", "Screening", "EncounterList", "EncounterCreated", "ContactList")}
	adv := mustAPIUser(t, db, "advocate", haven.RoleAdvocate)
	e.write = mustToken(t, db, adv, haven.ScopeAPIRead, haven.ScopeAPIWrite)
	e.read = mustToken(t, db, adv, haven.ScopeAPIRead)
	e.stranger = mustToken(t, db, mustAPIUser(t, db, "stranger", haven.RoleClinician), haven.ScopeAPIRead, haven.ScopeAPIWrite)
	nurse := mustAPIUser(t, db, "nurse", haven.RoleClinician)
	return &caseAPIEnv{apiEnv: e, nurse: mustToken(t, db, nurse, haven.ScopeAPIRead, haven.ScopeAPIWrite), nurseID: nurse.ID}
}

// newCase creates a record with the advocate, puts the nurse on its care
// team and screens it (papers kept: T76.62XA suggested, the record being a minor). It returns the
// record's and the screening's ids.
func (e *caseAPIEnv) newCase(t *testing.T, db *sqlstoretest.Store, body string) (string, string) {
	t.Helper()
	_, _, created := e.call(t, "POST", "/api/v1/survivors", e.write, body, "Created")
	id := created["survivor"].(map[string]any)["id"].(string)
	size, _ := db.AuditSize(context.Background())
	entries, _ := db.AuditEntries(context.Background(), size-1, size)
	advCtx := haven.WithActor(context.Background(), haven.Actor{UserID: entries[0].ActorID, Role: haven.RoleAdvocate})
	if err := db.AddCareTeamMember(advCtx, id, e.nurseID); err != nil {
		t.Fatal(err)
	}
	_, _, sc := e.call(t, "POST", "/api/v1/survivors/"+id+"/screenings", e.write, rapidJSON(`{"valueBoolean": true}`), "Screening")
	return id, sc["id"].(string)
}

func TestEncounterAPI(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e := newCaseAPIEnv(t, db, io.Discard)
		id, sc := e.newCase(t, db, survivorJSON)
		path := "/api/v1/survivors/" + id + "/encounters"
		today := time.Now().UTC().Format(time.DateOnly)
		status, _, _ := e.call(t, "POST", path, e.nurse, `{"occurred_on": "`+today+`", "screening_id": "`+sc+`", "note": "Synthetic coded visit.", "codes": ["T76.62XS"]}`, "EncounterCreated")
		if status != http.StatusCreated {
			t.Fatalf("clinician adds with codes: %d, want 201", status)
		}
		if status, _, _ := e.call(t, "POST", path, e.write, `{"occurred_on": "`+today+`", "note": "Synthetic advocate visit."}`, "EncounterCreated"); status != http.StatusCreated {
			t.Errorf("advocate adds without codes: %d, want 201", status)
		}
		_, _, list := e.call(t, "GET", path, e.read, "", "EncounterList")
		encs, _ := list["encounters"].([]any)
		if len(encs) != 2 {
			t.Fatalf("%d encounters, want 2", len(encs))
		}
		var codes []string
		for _, x := range encs {
			for _, c := range x.(map[string]any)["codes"].([]any) {
				codes = append(codes, c.(map[string]any)["code"].(string)+" "+c.(map[string]any)["display"].(string))
			}
		}
		if want := "T76.62XS Child forced labor exploitation, suspected, sequela"; len(codes) != 1 || codes[0] != want {
			t.Errorf("codes %q, want [%q]", codes, want)
		}
		tests := []struct {
			name, token, body string
			want              int
		}{
			{"advocate sends codes", e.write, `{"occurred_on": "` + today + `", "screening_id": "` + sc + `", "note": "n", "codes": ["T76.62XA"]}`, 403},
			{"code not suggested", e.nurse, `{"occurred_on": "` + today + `", "screening_id": "` + sc + `", "note": "n", "codes": ["T76.51XA"]}`, 400},
			{"bad 7th character", e.nurse, `{"occurred_on": "` + today + `", "screening_id": "` + sc + `", "note": "n", "codes": ["T76.62XB"]}`, 400},
			{"future date", e.nurse, `{"occurred_on": "2999-01-01", "note": "n"}`, 400},
			{"over-long note", e.nurse, `{"occurred_on": "` + today + `", "note": "` + strings.Repeat("x", 20001) + `"}`, 400},
			{"unknown field", e.nurse, `{"occurred_on": "` + today + `", "note": "n", "edit": true}`, 400},
			{"read-only token", e.read, `{"occurred_on": "` + today + `", "note": "n"}`, 403},
			{"stranger", e.stranger, `{"occurred_on": "` + today + `", "note": "n"}`, 404},
		}
		for _, tt := range tests {
			if status, _, _ := e.call(t, "POST", path, tt.token, tt.body, ""); status != tt.want {
				t.Errorf("%s: %d, want %d", tt.name, status, tt.want)
			}
		}
		if status, _, _ := e.call(t, "GET", path, e.stranger, "", ""); status != http.StatusNotFound {
			t.Errorf("stranger reads: %d, want 404", status)
		}
		if _, _, list := e.call(t, "GET", path, e.read, "", "EncounterList"); len(list["encounters"].([]any)) != 2 {
			t.Errorf("refused adds changed the list")
		}
		for _, m := range []string{"PUT", "PATCH", "DELETE"} {
			req, _ := http.NewRequest(m, e.url+path, strings.NewReader(`{}`))
			req.Header.Set("Authorization", "Bearer "+e.nurse)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("%s encounters: %d, want 405 (append-only)", m, resp.StatusCode)
			}
		}
	})
}

func TestContactAPI(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		var logs bytes.Buffer
		e := newCaseAPIEnv(t, db, &logs)
		id, _ := e.newCase(t, db, survivorJSON)
		path := "/api/v1/survivors/" + id + "/contacts"
		if status, _, _ := e.call(t, "POST", path, e.write, `{"channel": "sms", "outcome": "message_left", "note": "CANARYCONTACTAPI"}`, ""); status != http.StatusNoContent {
			t.Fatalf("record: %d, want 204", status)
		}
		if status, _, _ := e.call(t, "POST", path, e.write, `{"channel": "mail", "outcome": "reached", "note": "CANARYREFUSED"}`, ""); status != http.StatusForbidden {
			t.Errorf("unsafe channel: %d, want 403", status)
		}
		if status, _, _ := e.call(t, "POST", path, e.write, `{"channel": "sms", "outcome": "perhaps"}`, ""); status != http.StatusBadRequest {
			t.Errorf("bad outcome: %d, want 400", status)
		}
		_, _, list := e.call(t, "GET", path, e.read, "", "ContactList")
		got, _ := list["contacts"].([]any)
		if len(got) != 1 || got[0].(map[string]any)["note"] != "CANARYCONTACTAPI" || got[0].(map[string]any)["outcome"] != "message_left" {
			t.Errorf("contacts %v, want the one allowed contact", got)
		}
		if status, _, _ := e.call(t, "GET", path, e.stranger, "", ""); status != http.StatusNotFound {
			t.Errorf("stranger reads: %d, want 404", status)
		}
		enc := "/api/v1/survivors/" + id + "/encounters"
		e.call(t, "POST", enc, e.nurse, `{"occurred_on": "`+time.Now().UTC().Format(time.DateOnly)+`", "note": "CANARYENCOUNTERAPI"}`, "EncounterCreated")
		e.call(t, "POST", enc, e.nurse, `{"occurred_on": "2999-01-01", "note": "CANARYENCOUNTERBAD"}`, "")
		e.call(t, "GET", enc, e.read, "", "EncounterList")
		if i := strings.Index(strings.ToUpper(logs.String()), "CANARY"); i >= 0 {
			t.Errorf("a log line carries a canary: %q", logs.String()[max(0, i-200):min(logs.Len(), i+50)])
		}
	})
}
