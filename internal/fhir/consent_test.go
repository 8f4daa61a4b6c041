package fhir_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// igConsent is the SDOH Clinical Care IG's Consent example (Apache 2.0,
// see ../../../shared/conformance/fhir-sdohcc/LICENSE), read at test time
// and never copied into Haven.
const igConsent = "../../../shared/conformance/fhir-sdohcc/Consent-SDOHCC-ConsentInformationDisclosureExample.json"

func TestConsentReadAndSearch(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e := newEnv(t, db)
		d := &haven.Directory{Organizations: []haven.Organization{{ID: "org-legal", Name: "Eastside Legal Aid"}}}
		if _, err := db.ImportDirectory(haven.WithSystem(context.Background(), access.JobImportHSDS), d, nil); err != nil {
			t.Fatal(err)
		}
		c, err := db.RecordConsent(e.adv, e.survivorID, haven.NewConsent{RecipientKind: haven.RecipientOrganization,
			Recipient: "org-legal", Purpose: haven.PurposeLegalAdvocacy, Categories: []haven.DataCategory{haven.CategoryIdentity},
			Method: haven.ConsentVerbal, Language: "es", Note: "CANARYFHIRNOTE"})
		if err != nil {
			t.Fatal(err)
		}
		code, _, body := e.do(t, "GET", "/fhir/R4/Consent/"+c.ID, e.readOnly, nil)
		if code != 200 {
			t.Fatalf("read: %d %s", code, body)
		}
		var got map[string]any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		// Every element the IG's example carries is present, with the
		// same scope, category and policy codes.
		raw, err := os.ReadFile(igConsent)
		if err != nil {
			t.Skipf("IG example not available: %v", err)
		}
		var ig map[string]any
		if err := json.Unmarshal(raw, &ig); err != nil {
			t.Fatal(err)
		}
		for k := range ig {
			// organization is the consent's custodian, the clinic itself,
			// which Haven does not model as an Organization yet.
			if k == "id" || k == "text" || k == "organization" {
				continue
			}
			if _, ok := got[k]; !ok {
				t.Errorf("Haven's Consent lacks %q, which the IG example has", k)
			}
		}
		code0 := func(v any, path ...string) string {
			for _, p := range path {
				switch x := v.(type) {
				case map[string]any:
					v = x[p]
				case []any:
					v = x[0].(map[string]any)[p]
				}
			}
			s, _ := v.(string)
			return s
		}
		for _, path := range [][]string{{"scope", "coding", "code"}, {"category", "coding", "code"}, {"policyRule", "coding", "code"},
			{"meta", "profile"}} {
			if path[0] == "meta" {
				if !slices.Equal(toStrings(got["meta"].(map[string]any)["profile"]), toStrings(ig["meta"].(map[string]any)["profile"])) {
					t.Errorf("profile differs from the IG example's")
				}
				continue
			}
			if a, b := code0(got, path...), code0(ig, path...); a != b {
				t.Errorf("%v = %q, IG example %q", path, a, b)
			}
		}
		prov := got["provision"].(map[string]any)
		actor := prov["actor"].([]any)[0].(map[string]any)
		if got["status"] != "active" || got["patient"].(map[string]any)["reference"] != "Patient/"+e.survivorID ||
			actor["reference"].(map[string]any)["reference"] != "Organization/org-legal" || prov["type"] != "permit" {
			t.Errorf("consent resource: %s", body)
		}
		if strings.Contains(string(body), "CANARYFHIRNOTE") {
			t.Errorf("the worker's note reaches FHIR")
		}
		// Search by patient; revocation makes it inactive; strangers see nothing.
		code, _, body = e.do(t, "GET", "/fhir/R4/Consent?patient=Patient/"+e.survivorID+"&status=active", e.readOnly, nil)
		if n := total(t, body); code != 200 || n != 1 {
			t.Errorf("search active: %d total %v", code, n)
		}
		if _, err := db.RevokeConsent(e.adv, e.survivorID, c.ID); err != nil {
			t.Fatal(err)
		}
		code, _, body = e.do(t, "GET", "/fhir/R4/Consent?patient="+e.survivorID+"&status=active", e.readOnly, nil)
		if n := total(t, body); code != 200 || n != 0 {
			t.Errorf("search active after revocation: %d total %v", code, n)
		}
		if code, _, body = e.do(t, "GET", "/fhir/R4/Consent/"+c.ID, e.readOnly, nil); code != 200 || !json.Valid(body) {
			t.Fatal(code)
		}
		json.Unmarshal(body, &got)
		if got["status"] != "inactive" {
			t.Errorf("revoked consent status %v, want inactive", got["status"])
		}
		if code, _, body := e.do(t, "GET", "/fhir/R4/Consent?patient="+e.survivorID, e.other, nil); code != 200 || total(t, body) != 0 {
			t.Errorf("search as a stranger: %d, want an empty Bundle", code)
		}
		for _, p := range []string{"/fhir/R4/Consent/" + c.ID, "/fhir/R4/Consent?patient=" + e.survivorID} {
			if code, _, _ := e.do(t, "GET", p, e.other, nil); code != 404 && p == "/fhir/R4/Consent/"+c.ID {
				t.Errorf("GET %s as a stranger: %d, want 404", p, code)
			}
			if code, _, _ := e.do(t, "GET", p, "", nil); code != 401 {
				t.Errorf("GET %s without a token: %d, want 401", p, code)
			}
		}
		if code, _, _ := e.do(t, "GET", "/fhir/R4/Consent", e.readOnly, nil); code != 400 {
			t.Errorf("search without patient: %d, want 400", code)
		}
	})
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func total(t *testing.T, body []byte) float64 {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal(body, &b); err != nil || b["resourceType"] != "Bundle" {
		t.Fatalf("not a Bundle: %s", body)
	}
	n, _ := b["total"].(float64)
	return n
}
