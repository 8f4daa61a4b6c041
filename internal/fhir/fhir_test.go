package fhir_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/fhir"
	"github.com/haven-care/haven/internal/password"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func init() { sqlstore.PasswordParams = password.Params{MemoryKiB: 64, Time: 1, Threads: 1} }

// env is a FHIR server on a fresh store with an advocate, a survivor on
// the advocate's care team and tokens of each kind.
type env struct {
	db                         *sqlstoretest.Store
	url                        string
	survivorID                 string
	readWrite, readOnly, other string
	// adv acts as the advocate on the survivor's care team.
	adv context.Context
}

func newEnv(t *testing.T, db *sqlstoretest.Store) *env {
	t.Helper()
	e := &env{db: db}
	adv := haven.WithActor(context.Background(), mustActor(t, db, "advocate"))
	s, _, err := db.CreateSurvivor(adv, haven.NewSurvivor{Name: "Synthetic Fhir", AgeBand: haven.Age25to34})
	if err != nil {
		t.Fatal(err)
	}
	e.survivorID, e.adv = s.ID, adv
	e.readWrite = token(t, db, adv, haven.ScopeFHIRRead, haven.ScopeFHIRWrite)
	e.readOnly = token(t, db, adv, haven.ScopeFHIRRead)
	e.other = token(t, db, haven.WithActor(context.Background(), mustActor(t, db, "stranger")), haven.ScopeFHIRRead, haven.ScopeFHIRWrite)
	srv := server.New(slog.New(slog.NewTextHandler(io.Discard, nil)), db)
	srv.APITokens = db
	(&fhir.Handler{Screenings: db, CarePlans: db, Consents: db, Referrals: db, Survivors: db, PublicURL: "https://haven.example.org/", Version: "test"}).Mount(srv)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	e.url = ts.URL
	return e
}

func mustActor(t *testing.T, db *sqlstoretest.Store, name string) haven.Actor {
	t.Helper()
	u, err := db.CreateUser(haven.WithSystem(context.Background(), access.JobUserAdd), haven.NewUser{Username: name, Role: haven.RoleClinician, Password: "a long pass phrase"})
	if err != nil {
		t.Fatal(err)
	}
	return haven.Actor{UserID: u.ID, Role: u.Role}
}

func token(t *testing.T, db *sqlstoretest.Store, ctx context.Context, scopes ...haven.Scope) string {
	t.Helper()
	secret, _, err := db.CreateAPIToken(ctx, "fhir", scopes, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// do sends a request and returns the status, headers and body.
func (e *env) do(t *testing.T, method, path, tok string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, e.url+path, bytes.NewReader(body))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("Content-Type", fhir.ContentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); run go test ./internal/fhir -update if intended:\n%s", name, diff)
	}
}

func TestMetadataAndQuestionnaireGolden(t *testing.T) {
	e := newEnv(t, sqlstoretest.MustOpen(t, "sqlite"))
	code, h, body := e.do(t, "GET", "/fhir/R4/metadata", "", nil)
	if code != 200 || h.Get("Content-Type") != fhir.ContentType {
		t.Fatalf("metadata: %d %s", code, h.Get("Content-Type"))
	}
	golden(t, "metadata.json", body)
	code, _, body = e.do(t, "GET", "/fhir/R4/Questionnaire/haven-rapid-four", e.readOnly, nil)
	if code != 200 {
		t.Fatalf("Questionnaire/haven-rapid-four: %d %s", code, body)
	}
	golden(t, "questionnaire-haven-rapid-four.json", body)
}

func TestQuestionnaireSearchAndAuth(t *testing.T) {
	e := newEnv(t, sqlstoretest.MustOpen(t, "sqlite"))
	tests := []struct {
		path, tok string
		code      int
		total     float64
	}{
		{"/fhir/R4/Questionnaire", e.readOnly, 200, 3},
		{"/fhir/R4/Questionnaire?url=https://haven.example/fhir/Questionnaire/haven-youth-short", e.readOnly, 200, 1},
		{"/fhir/R4/Questionnaire?_id=nope", e.readOnly, 200, 0},
		{"/fhir/R4/Questionnaire", "", 401, -1},
		{"/fhir/R4/Questionnaire/nope", e.readOnly, 404, -1},
	}
	for _, tt := range tests {
		code, h, body := e.do(t, "GET", tt.path, tt.tok, nil)
		var doc map[string]any
		json.Unmarshal(body, &doc)
		if code != tt.code || h.Get("Content-Type") != fhir.ContentType {
			t.Errorf("GET %s: %d %s, want %d %s", tt.path, code, h.Get("Content-Type"), tt.code, fhir.ContentType)
		}
		if tt.total >= 0 && (doc["resourceType"] != "Bundle" || doc["type"] != "searchset" || doc["total"] != tt.total) {
			t.Errorf("GET %s: %v %v total=%v, want searchset total %v", tt.path, doc["resourceType"], doc["type"], doc["total"], tt.total)
		}
		if tt.total < 0 && doc["resourceType"] != "OperationOutcome" {
			t.Errorf("GET %s: resourceType=%v, want OperationOutcome", tt.path, doc["resourceType"])
		}
	}
}

// rapid is a response to the rapid four-item screen for subject.
func rapid(subject string, papers any) []byte {
	b, _ := json.Marshal(map[string]any{
		"resourceType": "QuestionnaireResponse", "status": "completed",
		"questionnaire": "https://haven.example/fhir/Questionnaire/haven-rapid-four",
		"subject":       map[string]string{"reference": subject},
		"item": []any{
			map[string]any{"linkId": "r-safety", "item": []any{
				ans("r-safety-alone", "valueBoolean", true),
				ans("r-safety-language", "valueCoding", map[string]string{"system": "https://haven.example/fhir/CodeSystem/language-support", "code": "none-needed"}),
				ans("r-safety-private", "valueBoolean", true), ans("r-safety-explained", "valueBoolean", true)}},
			map[string]any{"linkId": "r-questions", "item": []any{
				ans("r-leave", "valueBoolean", false), ans("r-papers", "valueBoolean", papers),
				ans("r-threat", "valueBoolean", false), ans("r-sex", "valueBoolean", false)}},
		},
	})
	return b
}

func ans(linkID, typ string, v any) map[string]any {
	return map[string]any{"linkId": linkID, "answer": []any{map[string]any{typ: v}}}
}

func TestQuestionnaireResponseCreateAndRead(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e := newEnv(t, db)
		patient := "Patient/" + e.survivorID
		tests := []struct {
			name    string
			tok     string
			body    []byte
			code    int
			mention string
		}{
			{"created", e.readWrite, rapid(patient, true), 201, ""},
			{"wrong answer type", e.readWrite, rapid(patient, "yes"), 400, "r-papers"},
			{"no subject", e.readWrite, rapid("Group/1", true), 400, "Patient/{id}"},
			{"not a response", e.readWrite, []byte(`{"resourceType": "Patient"}`), 400, "QuestionnaireResponse"},
			{"read-only token", e.readOnly, rapid(patient, true), 403, "fhir:write"},
			{"not on the care team", e.other, rapid(patient, true), 404, ""},
		}
		for _, tt := range tests {
			code, h, body := e.do(t, "POST", "/fhir/R4/QuestionnaireResponse", tt.tok, tt.body)
			if code != tt.code || !strings.Contains(string(body), tt.mention) || h.Get("Content-Type") != fhir.ContentType {
				t.Errorf("%s: %d %s %s, want %d mentioning %q", tt.name, code, h.Get("Content-Type"), body, tt.code, tt.mention)
			}
			if code == 400 && !strings.Contains(string(body), `"OperationOutcome"`) {
				t.Errorf("%s: no OperationOutcome: %s", tt.name, body)
			}
			if code != 201 {
				continue
			}
			loc := h.Get("Location")
			path := loc[strings.Index(loc, "/fhir/"):]
			code, _, got := e.do(t, "GET", path, e.readOnly, nil)
			if code != 200 || !jsonEqual(t, withID(t, got, ""), withID(t, body, "")) || string(got) != string(body) {
				t.Errorf("GET %s: %d %s, want the created resource %s", path, code, got, body)
			}
			if code, _, _ := e.do(t, "GET", path, e.other, nil); code != 404 {
				t.Errorf("GET %s as a stranger: %d, want 404", path, code)
			}
		}
	})
}

func TestWrongAnswerNamesLinkIDInExpression(t *testing.T) {
	e := newEnv(t, sqlstoretest.MustOpen(t, "sqlite"))
	_, _, body := e.do(t, "POST", "/fhir/R4/QuestionnaireResponse", e.readWrite, rapid("Patient/"+e.survivorID, 3))
	var oo struct {
		Issue []fhir.Issue `json:"issue"`
	}
	json.Unmarshal(body, &oo)
	var exprs []string
	for _, is := range oo.Issue {
		exprs = append(exprs, is.Expression...)
	}
	want := []string{"QuestionnaireResponse.repeat(item | answer.item).where(linkId = 'r-papers')"}
	if !cmp.Equal(exprs, want) {
		t.Errorf("issue expressions=%v, want %v: %s", exprs, want, body)
	}
}

// TestHungerVitalSign imports the HL7 SDOH Clinical Care Hunger Vital Sign
// Questionnaire, exports it without loss, and posts and reads back its
// example response.
func TestHungerVitalSign(t *testing.T) {
	const dir = "../../../shared/conformance/fhir-sdohcc/"
	q, err := os.ReadFile(dir + "Questionnaire-SDOHCC-QuestionnaireHungerVitalSign.json")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("conformance examples not present")
	}
	r, err := os.ReadFile(dir + "QuestionnaireResponse-SDOHCC-QuestionnaireResponseHungerVitalSignExample.json")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, sqlstoretest.MustOpen(t, "sqlite"))
	in, _, err := e.db.ImportInstrument(haven.WithSystem(context.Background(), access.JobImportInstruments), q)
	if err != nil {
		t.Fatal(err)
	}
	code, _, got := e.do(t, "GET", "/fhir/R4/Questionnaire/"+in.ID, e.readOnly, nil)
	if code != 200 || !jsonEqual(t, withID(t, got, "SDOHCC-QuestionnaireHungerVitalSign"), q) {
		t.Errorf("exported Questionnaire %d differs from the import:\n%s", code, got)
	}
	posted := bytes.Replace(r, []byte("Patient/pat-53234"), []byte("Patient/"+e.survivorID), 1)
	code, h, created := e.do(t, "POST", "/fhir/R4/QuestionnaireResponse", e.readWrite, posted)
	if code != 201 {
		t.Fatalf("POST example response: %d %s", code, created)
	}
	loc := h.Get("Location")
	_, _, got = e.do(t, "GET", loc[strings.Index(loc, "/fhir/"):], e.readOnly, nil)
	if !jsonEqual(t, withID(t, got, "SDOHCC-QuestionnaireResponseHungerVitalSignExample"), posted) {
		t.Errorf("read-back response differs from the posted one:\n%s", got)
	}
}

// withID replaces the id of a resource and drops the meta.versionId and
// meta.lastUpdated that Haven adds.
func withID(t *testing.T, b []byte, id string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["id"] = id
	if meta, ok := m["meta"].(map[string]any); ok {
		delete(meta, "versionId")
		delete(meta, "lastUpdated")
		if len(meta) == 0 {
			delete(m, "meta")
		}
	}
	out, _ := json.Marshal(m)
	return out
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if diff := cmp.Diff(y, x); diff != "" {
		t.Logf("(-want +got):\n%s", diff)
		return false
	}
	return true
}
