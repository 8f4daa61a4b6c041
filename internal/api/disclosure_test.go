package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// TestDisclosureAPI walks a subpoena through the API: requested by the
// advocate, refused, narrowed, approved by a supervisor, downloaded; a
// pending or refused request yields no package, and the preparer cannot
// approve.
func TestDisclosureAPI(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e := newAPIEnv(t, db)
		status, loc, s := e.call(t, "POST", "/api/v1/survivors", e.write, survivorJSON, "Created")
		if status != http.StatusCreated {
			t.Fatalf("create survivor: %d", status)
		}
		survivorID := s["survivor"].(map[string]any)["id"].(string)
		var advID string
		db.SQL().QueryRow(`SELECT id FROM users WHERE username = 'advocate'`).Scan(&advID)
		sup := mustAPIUser(t, db, "supervisor", haven.RoleSupervisor)
		advCtx := haven.WithActor(context.Background(), haven.Actor{UserID: advID, Role: haven.RoleAdvocate})
		if err := db.AddCareTeamMember(advCtx, survivorID, sup.ID); err != nil {
			t.Fatal(err)
		}
		supToken := mustToken(t, db, sup, haven.ScopeAPIRead, haven.ScopeAPIWrite)

		status, _, prop := e.call(t, "GET", loc+"/disclosure-proposal?basis=grand_jury_subpoena", e.read, "", "DisclosureProposal")
		if status != 200 || len(prop["allowed"].([]any)) < 10 || len(prop["proposed"].([]any)) != 0 {
			t.Errorf("proposal: %d %v", status, prop)
		}
		body := `{"requester": "Det. R. Roe", "agency": "County Sheriff", "basis": "grand_jury_subpoena",
			"documents": "Subpoena 26-114", "deadline": "2099-01-01", "fields": ["survivors.name", "survivors.phones"]}`
		status, dloc, d := e.call(t, "POST", loc+"/disclosures", e.write, body, "Disclosure")
		if status != http.StatusCreated || d["status"] != "pending" || !strings.HasPrefix(dloc, "/api/v1/disclosures/") {
			t.Fatalf("request: %d %q %v", status, dloc, d)
		}
		if status, _, _ := e.call(t, "POST", loc+"/disclosures", e.write, `{"requester": "x"}`, ""); status != http.StatusBadRequest {
			t.Errorf("bad request: %d, want 400", status)
		}
		for _, p := range []string{dloc + "/package.pdf", dloc + "/package.json"} {
			if status, _, _ := e.call(t, "GET", p, supToken, "", ""); status != http.StatusConflict {
				t.Errorf("GET %s pending: %d, want 409", p, status)
			}
		}
		if status, _, q := e.call(t, "GET", "/api/v1/disclosures/pending", supToken, "", "DisclosureList"); status != 200 || len(q["disclosures"].([]any)) != 1 {
			t.Errorf("queue: %d %v", status, q)
		}
		if status, _, _ := e.call(t, "GET", dloc+"/preview", e.read, "", "Package"); status != 200 {
			t.Errorf("preview: %d", status)
		}
		if status, _, _ := e.call(t, "POST", dloc+"/decision", e.write, `{"approve": true, "reason": "mine"}`, ""); status != http.StatusForbidden {
			t.Errorf("the advocate decides: %d, want 403", status)
		}
		if status, _, _ := e.call(t, "GET", dloc, e.stranger, "", ""); status != http.StatusNotFound {
			t.Errorf("a stranger reads: %d, want 404", status)
		}
		status, _, d = e.call(t, "POST", dloc+"/decision", supToken, `{"approve": false, "reason": "The phone is not named."}`, "Disclosure")
		if status != 200 || d["status"] != "refused" {
			t.Fatalf("refuse: %d %v", status, d)
		}
		if status, _, _ := e.call(t, "GET", dloc+"/package.json", supToken, "", ""); status != http.StatusConflict {
			t.Errorf("refused package: %d, want 409", status)
		}
		status, _, d = e.call(t, "POST", dloc+"/resubmit", e.write, `{"fields": ["survivors.name"]}`, "Disclosure")
		if status != 200 || d["status"] != "pending" {
			t.Fatalf("resubmit: %d %v", status, d)
		}
		status, _, d = e.call(t, "POST", dloc+"/decision", supToken, `{"approve": true, "reason": "Named in the subpoena."}`, "Disclosure")
		if status != 200 || d["status"] != "approved" || d["pdf_hash"] == "" {
			t.Fatalf("approve: %d %v", status, d)
		}
		req, _ := http.NewRequest("GET", e.url+dloc+"/package.json", nil)
		req.Header.Set("Authorization", "Bearer "+e.read)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var pkg haven.Package
		if resp.StatusCode != 200 || json.Unmarshal(b, &pkg) != nil || len(pkg.Items) != 1 || pkg.Items[0].Values[0] != "Synthetic Api Person" ||
			strings.Contains(string(b), "555-0101") {
			t.Errorf("package.json: %d %s", resp.StatusCode, b)
		}
		req, _ = http.NewRequest("GET", e.url+dloc+"/package.pdf", nil)
		req.Header.Set("Authorization", "Bearer "+e.read)
		if resp, err = http.DefaultClient.Do(req); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("package.pdf: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		status, _, acc := e.call(t, "GET", loc+"/accounting", e.read, "", "Accounting")
		if status != 200 || len(acc["entries"].([]any)) != 1 {
			t.Errorf("accounting: %d %v", status, acc)
		}
	})
}

// TestSafeguardAPI: a minor's mandated report through the API, its
// guardian check and the report made; the family choice is refused for a
// minor; the testimony timeline answers.
func TestSafeguardAPI(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e := newAPIEnv(t, db)
		status, loc, _ := e.call(t, "POST", "/api/v1/survivors", e.write, survivorJSON, "Created")
		if status != http.StatusCreated {
			t.Fatalf("create survivor: %d", status)
		}
		body := `{"jurisdiction": "TX", "agency_kind": "child_protective_services", "agency": "Texas DFPS", "due_on": "2099-01-01"}`
		if status, _, _ := e.call(t, "POST", loc+"/mandated-reports", e.write, body, ""); status != http.StatusBadRequest {
			t.Errorf("due more than five years ahead: %d, want 400", status)
		}
		body = strings.Replace(body, "2099-01-01", time.Now().UTC().Format("2006-01-02"), 1)
		status, _, m := e.call(t, "POST", loc+"/mandated-reports", e.write, body, "MandatedReport")
		if status != http.StatusCreated {
			t.Fatalf("open: %d %v", status, m)
		}
		rid := "/api/v1/mandated-reports/" + m["id"].(string)
		if status, _, c := e.call(t, "POST", rid+"/guardian-check", e.write, `{"not_implicated": true, "note": "checked with CPS"}`, "MandatedReport"); status != 200 || c["guardian_check"] == nil {
			t.Errorf("guardian check: %d %v", status, c)
		}
		made := `{"fields": ["survivors.name"], "to": "Texas DFPS intake", "reported_on": "2020-01-01", "report_number": "DFPS-1"}`
		if status, _, r := e.call(t, "POST", rid+"/made", e.write, made, "MandatedReport"); status != 200 || r["disclosure_number"] == "" {
			t.Errorf("made: %d %v", status, r)
		}
		if status, _, l := e.call(t, "GET", loc+"/mandated-reports", e.read, "", "MandatedReportList"); status != 200 || len(l["reports"].([]any)) != 1 {
			t.Errorf("list: %d %v", status, l)
		}
		if status, _, acc := e.call(t, "GET", loc+"/accounting", e.read, "", "Accounting"); status != 200 || len(acc["entries"].([]any)) != 1 {
			t.Errorf("accounting: %d %v", status, acc)
		}
		if status, _, _ := e.call(t, "POST", loc+"/family-choices", e.write, `{"notify": false}`, ""); status != http.StatusConflict {
			t.Errorf("family choice for a minor: %d, want 409", status)
		}
		if status, _, l := e.call(t, "GET", loc+"/family-choices", e.read, "", "FamilyChoiceList"); status != 200 || len(l["choices"].([]any)) != 0 {
			t.Errorf("family choices: %d %v", status, l)
		}
		if status, _, tl := e.call(t, "GET", loc+"/testimony-timeline", e.read, "", "Timeline"); status != 200 {
			t.Errorf("timeline: %d %v", status, tl)
		}
		if status, _, _ := e.call(t, "GET", loc+"/testimony-timeline", e.stranger, "", ""); status != http.StatusNotFound {
			t.Errorf("a stranger's timeline: %d, want 404", status)
		}
	})
}
