package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/api"
	"github.com/haven-care/haven/internal/auditlog"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
	"github.com/haven-care/haven/internal/training"
)

// TestAuditTrainingAPI: the audit trail, a record's access report and
// training through the API, every response checked against openapi.json.
func TestAuditTrainingAPI(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		signer, verifier, err := auditlog.LoadOrCreateSigner(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		s := server.New(slog.New(slog.NewTextHandler(io.Discard, nil)), db)
		s.APITokens = db
		(&api.Handler{Users: db, Survivors: db, AuditTrail: db, AuditVerifier: verifier, Training: db}).Mount(s)
		ts := httptest.NewServer(s.Handler())
		t.Cleanup(ts.Close)
		e := &apiEnv{url: ts.URL, schemas: openAPISchemas(t)}
		for name, sch := range compileSchemas(t, "AuditEntryList", "AuditStatus", "TrainingModuleList", "TrainingCompletion",
			"Compliance", "TrainingMe", "ComplianceList") {
			e.schemas[name] = sch
		}
		adv := mustAPIUser(t, db, "advocate", haven.RoleAdvocate)
		admin := mustAPIUser(t, db, "admin", haven.RoleAdmin)
		sup := mustAPIUser(t, db, "supervisor", haven.RoleSupervisor)
		e.write = mustToken(t, db, adv, haven.ScopeAPIRead, haven.ScopeAPIWrite)
		e.read = mustToken(t, db, adv, haven.ScopeAPIRead)
		e.stranger = mustToken(t, db, mustAPIUser(t, db, "stranger", haven.RoleClinician), haven.ScopeAPIRead, haven.ScopeAPIWrite)
		adminTok := mustToken(t, db, admin, haven.ScopeAPIRead, haven.ScopeAPIWrite)
		supTok := mustToken(t, db, sup, haven.ScopeAPIRead)

		status, loc, _ := e.call(t, "POST", "/api/v1/survivors", e.write, survivorJSON, "Created")
		if status != http.StatusCreated {
			t.Fatalf("create survivor: %d", status)
		}
		if _, err := db.SignCheckpoint(context.Background(), signer); err != nil {
			t.Fatal(err)
		}
		status, _, list := e.call(t, "GET", "/api/v1/audit/entries?action=survivor.&limit=2", adminTok, "", "AuditEntryList")
		if status != 200 || len(list["entries"].([]any)) == 0 {
			t.Fatalf("search: %d %v", status, list)
		}
		if next := list["next"].(float64); next > 0 {
			if status, _, _ := e.call(t, "GET", "/api/v1/audit/entries?before="+strconv.Itoa(int(next)), adminTok, "", "AuditEntryList"); status != 200 {
				t.Errorf("next page: %d", status)
			}
		}
		for _, bad := range []string{"from=yesterday", "limit=x", "limit=9999", "outcome=maybe"} {
			if status, _, _ := e.call(t, "GET", "/api/v1/audit/entries?"+bad, adminTok, "", ""); status != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", bad, status)
			}
		}
		if status, _, st := e.call(t, "GET", "/api/v1/audit/status", supTok, "", "AuditStatus"); status != 200 || st["verified"] != true {
			t.Errorf("status: %d %v", status, st)
		}
		for _, tok := range []string{e.read, e.stranger} {
			if status, _, _ := e.call(t, "GET", "/api/v1/audit/entries", tok, "", ""); status != http.StatusForbidden {
				t.Errorf("a care role searched the audit trail: %d", status)
			}
		}
		if status, _, rep := e.call(t, "GET", loc+"/access-report", e.read, "", "AuditEntryList"); status != 200 || len(rep["entries"].([]any)) == 0 {
			t.Errorf("access report: %d %v", status, rep)
		}
		for _, tok := range []string{e.stranger, adminTok, supTok} {
			if status, _, _ := e.call(t, "GET", loc+"/access-report", tok, "", ""); status != http.StatusNotFound {
				t.Errorf("an outsider read the access report: %d", status)
			}
		}

		// Training: modules without answers, an attempt, a licence,
		// compliance.
		status, _, mods := e.call(t, "GET", "/api/v1/training/modules", e.read, "", "TrainingModuleList")
		if status != 200 || len(mods["modules"].([]any)) != len(training.Modules()) {
			t.Fatalf("modules: %d", status)
		}
		m, _ := training.Module("indicators")
		var answers []string
		for _, q := range m.Questions {
			answers = append(answers, `"`+q.ID+`": `+strconv.Itoa(q.Answer))
		}
		body := `{"answers": {` + strings.Join(answers, ", ") + `}}`
		if status, _, _ := e.call(t, "POST", "/api/v1/training/modules/indicators/attempts", e.read, body, ""); status != http.StatusForbidden {
			t.Errorf("attempt with a read-only token: %d", status)
		}
		if status, _, c := e.call(t, "POST", "/api/v1/training/modules/indicators/attempts", e.write, body, "TrainingCompletion"); status != http.StatusCreated || c["passed"] != true {
			t.Errorf("attempt: %d %v", status, c)
		}
		if status, _, _ := e.call(t, "POST", "/api/v1/training/modules/indicators/attempts", e.write, `{"answers": {}, "extra": 1}`, ""); status != http.StatusBadRequest {
			t.Errorf("an unknown field: %d", status)
		}
		if status, _, _ := e.call(t, "POST", "/api/v1/training/modules/nope/attempts", e.write, `{"answers": {}}`, ""); status != http.StatusNotFound {
			t.Errorf("an unknown module: %d", status)
		}
		if status, _, _ := e.call(t, "PUT", "/api/v1/training/licence", e.write, `{"jurisdiction": "Texas", "licence_type": "rn", "renewal_on": "2027-01-01"}`, ""); status != http.StatusBadRequest {
			t.Errorf("a bad licence: %d", status)
		}
		if status, _, c := e.call(t, "PUT", "/api/v1/training/licence", e.write, `{"jurisdiction": "MI", "licence_type": "rn", "renewal_on": "2099-01-01"}`, "Compliance"); status != 200 || c["rule_id"] != "mi-r338-7001" || c["status"] != "compliant" {
			t.Errorf("licence: %d %v", status, c)
		}
		if status, _, me := e.call(t, "GET", "/api/v1/training/me", e.read, "", "TrainingMe"); status != 200 || len(me["completions"].([]any)) != 1 {
			t.Errorf("me: %d %v", status, me)
		}
		if status, _, staff := e.call(t, "GET", "/api/v1/training/compliance", adminTok, "", "ComplianceList"); status != 200 || len(staff["staff"].([]any)) != 4 {
			t.Errorf("compliance: %d %v", status, staff)
		}
		if status, _, _ := e.call(t, "GET", "/api/v1/training/compliance", e.read, "", ""); status != http.StatusForbidden {
			t.Errorf("a care role listed compliance: %d", status)
		}
	})
}
