package fhir_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

const (
	igServiceRequest = "../../../shared/conformance/fhir-sdohcc/ServiceRequest-SDOHCC-ServiceRequestActiveFoodPantryApplicationAssistExample.json"
	igTask           = "../../../shared/conformance/fhir-sdohcc/Task-SDOHCC-TaskReferralManagementOrderFulfillmentAcceptedExample.json"
)

// igKeys are the top-level elements of an IG example (Apache 2.0, see
// ../../../shared/conformance/fhir-sdohcc/LICENSE), read at test time.
func igKeys(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("IG example not available: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestReferralAsServiceRequestAndTask(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e := newEnv(t, db)
		ctx := context.Background()
		food, _ := haven.NeedByCode("food")
		d := &haven.Directory{Organizations: []haven.Organization{{ID: "org-1", Name: "Eastside Pantry"}},
			Services:      []haven.Service{{ID: "svc-1", OrganizationID: "org-1", Name: "Food pantry", Status: "active"}},
			Taxonomies:    []haven.Taxonomy{haven.NeedsTaxonomy},
			TaxonomyTerms: []haven.TaxonomyTerm{food.TaxonomyTerm()},
			Attributes:    []haven.Attribute{{ID: "a1", LinkID: "svc-1", TaxonomyTermID: food.TermID, LinkEntity: "service"}}}
		if _, err := db.ImportDirectory(haven.WithSystem(ctx, access.JobImportHSDS), d, nil); err != nil {
			t.Fatal(err)
		}
		partner, err := db.CreateUser(haven.WithSystem(ctx, access.JobUserAdd), haven.NewUser{Username: "pantry", Role: haven.RolePartner,
			Password: "a long pass phrase", OrganizationID: "org-1"})
		if err != nil {
			t.Fatal(err)
		}
		pctx := haven.WithActor(ctx, haven.Actor{UserID: partner.ID, Role: partner.Role})
		ptok := token(t, db, pctx, haven.ScopeFHIRRead, haven.ScopeFHIRWrite)
		n, err := db.AddNeed(e.adv, haven.NewNeed{SurvivorID: e.survivorID, Domain: "food", Goal: "Groceries for the week"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := db.RecordConsent(e.adv, e.survivorID, haven.NewConsent{RecipientKind: haven.RecipientCategory, Recipient: "food",
			Purpose: haven.PurposeReferral, Method: haven.ConsentVerbal, Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		ref, err := db.CreateReferral(e.adv, e.survivorID, haven.NewReferral{ServiceID: "svc-1", ConsentID: c.ID, NeedID: n.ID})
		if err != nil {
			t.Fatal(err)
		}
		get := func(path, tok string) (int, map[string]any, string) {
			code, _, body := e.do(t, "GET", path, tok, nil)
			var m map[string]any
			json.Unmarshal(body, &m)
			return code, m, string(body)
		}
		// The care team's view names the Patient and the Condition; every
		// element of the IG's examples is there.
		code, sr, _ := get("/fhir/R4/ServiceRequest/"+ref.ID, e.readOnly)
		if code != 200 || sr["subject"].(map[string]any)["reference"] != "Patient/"+e.survivorID || sr["status"] != "active" {
			t.Fatalf("ServiceRequest: %d %v", code, sr)
		}
		for _, k := range igKeys(t, igServiceRequest) {
			if _, ok := sr[k]; !ok && k != "text" && k != "id" {
				t.Errorf("ServiceRequest lacks %q, which the IG example has", k)
			}
		}
		code, task, _ := get("/fhir/R4/Task/"+ref.ID, e.readOnly)
		if code != 200 || task["status"] != "requested" || task["focus"].(map[string]any)["reference"] != "ServiceRequest/"+ref.ID {
			t.Fatalf("Task: %d %v", code, task)
		}
		for _, k := range igKeys(t, igTask) {
			// requester is a PractitionerRole in the IG; Haven names no practitioner to an outside system.
			if _, ok := task[k]; !ok && k != "text" && k != "id" && k != "requester" {
				t.Errorf("Task lacks %q, which the IG example has", k)
			}
		}
		// The recipient's view: the case number, never the record's id.
		code, _, body := get("/fhir/R4/Task/"+ref.ID, ptok)
		if code != 200 || strings.Contains(body, e.survivorID) || !strings.Contains(body, "Case HV-") {
			t.Errorf("partner's Task: %d %s", code, body)
		}
		code, bundle, body := get("/fhir/R4/Task?owner=Organization/org-1&status=requested", ptok)
		if code != 200 || bundle["total"] != float64(1) || strings.Contains(body, e.survivorID) {
			t.Errorf("partner's Task search: %d %v", code, bundle["total"])
		}
		put := func(tok, status, reason string) (int, string) {
			task := map[string]any{"resourceType": "Task", "id": ref.ID, "status": status, "intent": "order",
				"focus": map[string]string{"reference": "ServiceRequest/" + ref.ID}}
			if reason != "" {
				task["statusReason"] = map[string]any{"coding": []map[string]string{{"system": "https://haven-care.org/fhir/CodeSystem/referral-reason", "code": reason}}}
			}
			b, _ := json.Marshal(task)
			code, _, out := e.do(t, "PUT", "/fhir/R4/Task/"+ref.ID, tok, b)
			return code, string(out)
		}
		if code, out := put(ptok, "completed", ""); code != 409 || !strings.Contains(out, "OperationOutcome") {
			t.Errorf("requested → completed: %d %s", code, out)
		}
		if code, _ := put(ptok, "rejected", ""); code != 400 {
			t.Errorf("reject without a reason: %d, want 400", code)
		}
		if code, _ := put(e.readWrite, "accepted", ""); code != 403 {
			t.Errorf("the sender accepts for the partner: %d, want 403", code)
		}
		for _, st := range []string{"accepted", "completed"} {
			if code, out := put(ptok, st, ""); code != 200 || !strings.Contains(out, `"status": "`+st+`"`) {
				t.Fatalf("→ %s: %d %s", st, code, out)
			}
		}
		if _, sr, _ := get("/fhir/R4/ServiceRequest/"+ref.ID, e.readOnly); sr["status"] != "completed" {
			t.Errorf("ServiceRequest after completion: %v", sr["status"])
		}
		// The completed referral met the need: its Goal says achieved.
		if _, goal, _ := get("/fhir/R4/Goal/"+n.ID, e.readOnly); goal["achievementStatus"] == nil ||
			!strings.Contains(toJSON(goal["achievementStatus"]), "achieved") {
			t.Errorf("Goal after completion: %v", goal["achievementStatus"])
		}
		// A stranger sees nothing; after revocation, neither does the partner.
		if code, _, _ := get("/fhir/R4/Task/"+ref.ID, e.other); code != 404 {
			t.Errorf("stranger: %d", code)
		}
		if _, err := db.RevokeConsent(e.adv, e.survivorID, c.ID); err != nil {
			t.Fatal(err)
		}
		if code, _, _ := get("/fhir/R4/Task/"+ref.ID, ptok); code != 404 {
			t.Errorf("partner after revocation: %d, want 404", code)
		}
		if _, bundle, _ := get("/fhir/R4/Task?owner=Organization/org-1", ptok); bundle["total"] != float64(0) {
			t.Errorf("partner's search after revocation: %v", bundle["total"])
		}
	})
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
