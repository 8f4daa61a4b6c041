package fhir_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// TestServedResourcesAreValidR4 reads every kind of resource Haven serves
// (Questionnaire, QuestionnaireResponse, Patient, Goal, Condition,
// Consent, the Bundles of their searches, OperationOutcomes of each error
// and the CapabilityStatement) and checks each with the R4 JSON parser of
// github.com/google/fhir/go (jsonformat), which refuses unknown elements,
// wrong types, codes outside required bindings and missing required
// elements. FHIRPath invariants are outside what it checks; cpb-14 is
// checked here by hand.
func TestServedResourcesAreValidR4(t *testing.T) {
	u, err := jsonformat.NewUnmarshaller("UTC", fhirversion.R4)
	if err != nil {
		t.Fatal(err)
	}
	// The parser bites: what Haven served before this check is refused.
	for _, bad := range []string{`{"resourceType":"Questionnaire"}`, `{"resourceType":"Questionnaire","status":"published"}`,
		`{"resourceType":"QuestionnaireResponse","status":"completed","authored":"yesterday"}`,
		`{"resourceType":"Bundle","type":"searchset","link":[{"relation":"self"}]}`} {
		if _, err := u.Unmarshal([]byte(bad)); err == nil {
			t.Fatalf("the R4 parser accepts %s", bad)
		}
	}
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e, housing, _ := planFHIREnv(t, db)
		d := &haven.Directory{Organizations: []haven.Organization{{ID: "org-legal", Name: "Eastside Legal Aid"}},
			Services: []haven.Service{{ID: "svc-legal", OrganizationID: "org-legal", Name: "Legal clinic", Status: "active"}}}
		if _, err := db.ImportDirectory(haven.WithSystem(context.Background(), access.JobImportHSDS), d, nil); err != nil {
			t.Fatal(err)
		}
		c, err := db.RecordConsent(e.adv, e.survivorID, haven.NewConsent{RecipientKind: haven.RecipientOrganization,
			Recipient: "org-legal", Purpose: haven.PurposeLegalAdvocacy, Categories: []haven.DataCategory{haven.CategoryIdentity},
			Method: haven.ConsentVerbal, Language: "es"})
		if err != nil {
			t.Fatal(err)
		}
		ref, err := db.CreateReferral(e.adv, e.survivorID, haven.NewReferral{ServiceID: "svc-legal", ConsentID: c.ID, NeedID: housing.ID,
			Categories: []haven.DataCategory{haven.CategoryIdentity}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MoveReferral(e.adv, ref.ID, haven.StatusChange{Status: haven.ReferralCancelled, Reason: haven.ReasonSurvivorDeclined}); err != nil {
			t.Fatal(err)
		}
		qr := e.screen(t, 1)[0]
		p := "Patient/" + e.survivorID
		paths := []string{
			"/fhir/R4/metadata",
			"/fhir/R4/Questionnaire",
			"/fhir/R4/Questionnaire/haven-rapid-four",
			"/fhir/R4/QuestionnaireResponse/" + qr,
			"/fhir/R4/QuestionnaireResponse?patient=" + p + "&_count=1",
			"/fhir/R4/Patient/" + e.survivorID,
			"/fhir/R4/Goal/" + housing.ID,
			"/fhir/R4/Goal?patient=" + p,
			"/fhir/R4/Condition/" + housing.ID,
			"/fhir/R4/Condition?patient=" + p,
			"/fhir/R4/Consent/" + c.ID,
			"/fhir/R4/Consent?patient=" + p,
			"/fhir/R4/ServiceRequest/" + ref.ID,
			"/fhir/R4/ServiceRequest?patient=" + p,
			"/fhir/R4/Task/" + ref.ID,
			"/fhir/R4/Task?patient=" + p,
		}
		all, _ := db.Instruments(context.Background())
		for _, in := range all {
			paths = append(paths, "/fhir/R4/Questionnaire/"+in.ID)
		}
		kinds := map[string]bool{}
		check := func(what string, body []byte) {
			if _, err := u.Unmarshal(body); err != nil {
				t.Errorf("%s is not valid R4: %v\n%.600s", what, err, body)
			}
			var doc struct{ ResourceType string }
			json.Unmarshal(body, &doc)
			kinds[doc.ResourceType] = true
		}
		for _, path := range paths {
			code, _, body := e.do(t, "GET", path, e.readOnly, nil)
			if code != 200 {
				t.Errorf("GET %s: %d %s", path, code, body)
				continue
			}
			check("GET "+path, body)
		}
		// The OperationOutcomes of each kind of error.
		for _, tt := range []struct{ method, path, tok, accept string }{
			{"GET", "/fhir/R4/Questionnaire", "", ""},
			{"GET", "/fhir/R4/Questionnaire/none", e.readOnly, ""},
			{"DELETE", "/fhir/R4/Questionnaire/haven-rapid-four", e.readWrite, ""},
			{"GET", "/fhir/R4/Observation", e.readOnly, ""},
			{"GET", "/fhir/R4/Questionnaire?_format=xml", e.readOnly, ""},
			{"GET", "/fhir/R4/Questionnaire?_count=x", e.readOnly, ""},
			{"POST", "/fhir/R4/QuestionnaireResponse", e.readOnly, ""},
		} {
			_, _, body := e.req(t, tt.method, tt.path, tt.tok, nil)
			check(tt.method+" "+tt.path, body)
		}
		_, _, body := e.do(t, "POST", "/fhir/R4/QuestionnaireResponse", e.readWrite, rapid(p, "yes"))
		check("a refused QuestionnaireResponse", body)
		_, _, body = e.req(t, "POST", "/fhir/R4/QuestionnaireResponse", e.readWrite, rapid(p, true), "Content-Type", "text/plain")
		check("a refused Content-Type", body)
		for _, k := range []string{"CapabilityStatement", "Bundle", "Questionnaire", "QuestionnaireResponse", "Patient", "Goal",
			"Condition", "Consent", "ServiceRequest", "Task", "OperationOutcome"} {
			if !kinds[k] {
				t.Errorf("no %s was checked", k)
			}
		}

		// cpb-14: a statement of kind instance names its implementation.
		_, _, body = e.do(t, "GET", "/fhir/R4/metadata", "", nil)
		var cs struct {
			Kind           string
			Implementation *struct{ Description string }
		}
		json.Unmarshal(body, &cs)
		if cs.Kind == "instance" && (cs.Implementation == nil || strings.TrimSpace(cs.Implementation.Description) == "") {
			t.Errorf("the CapabilityStatement fails cpb-14: %s", body)
		}
	})
}
