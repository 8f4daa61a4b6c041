package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

func TestConsentAPI(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		d := &haven.Directory{Organizations: []haven.Organization{{ID: "org-1", Name: "Northside Housing Alliance"}}}
		if _, err := db.ImportDirectory(haven.WithSystem(context.Background(), access.JobImportHSDS), d, nil); err != nil {
			t.Fatal(err)
		}
		e := newAPIEnv(t, db)
		status, loc, _ := e.call(t, "POST", "/api/v1/survivors", e.write, survivorJSON, "Created")
		if status != http.StatusCreated {
			t.Fatalf("create survivor: %d", status)
		}
		base := loc + "/consents"
		body := `{"recipient_kind": "organization", "recipient": "org-1", "purpose": "referral", "categories": ["contact"],
			"method": "written", "language": "ht"}`
		status, cloc, c := e.call(t, "POST", base, e.write, body, "Consent")
		if status != http.StatusCreated || c["state"] != "active" || c["recipient_name"] != "Northside Housing Alliance" ||
			!strings.HasPrefix(cloc, base+"/") {
			t.Fatalf("record: %d %q %v", status, cloc, c)
		}
		// Bad input is refused with its field, and records nothing.
		for _, bad := range []string{`{"recipient_kind": "organization", "recipient": "org-1", "purpose": "sale", "method": "written", "language": "en"}`,
			`{"recipient_kind": "organization", "recipient": "org-1", "purpose": "referral", "method": "written", "language": "en", "extra": 1}`,
			`{"recipient_kind": "organization", "recipient": "org-1", "purpose": "referral", "method": "written", "language": "en", "days": 9999}`,
			`[]`} {
			if status, _, _ := e.call(t, "POST", base, e.write, bad, ""); status != http.StatusBadRequest {
				t.Errorf("POST %s: %d, want 400", bad, status)
			}
		}
		// A read-only token reads but cannot record or revoke; a stranger sees nothing.
		if status, _, list := e.call(t, "GET", base, e.read, "", "ConsentList"); status != 200 || len(list["consents"].([]any)) != 1 {
			t.Errorf("list: %d %v", status, list)
		}
		if status, _, _ := e.call(t, "POST", cloc+"/revoke", e.read, "", ""); status != http.StatusForbidden {
			t.Errorf("revoke with a read-only token: %d, want 403", status)
		}
		for _, p := range []string{base, cloc} {
			if status, _, _ := e.call(t, "GET", p, e.stranger, "", ""); status != http.StatusNotFound {
				t.Errorf("GET %s as a stranger: %d, want 404", p, status)
			}
		}
		if status, _, _ := e.call(t, "POST", base, e.stranger, body, ""); status != http.StatusNotFound {
			t.Errorf("record as a stranger: %d, want 404", status)
		}
		status, _, c = e.call(t, "POST", cloc+"/revoke", e.write, "", "Consent")
		if status != 200 || c["state"] != "revoked" {
			t.Errorf("revoke: %d %v", status, c)
		}
		if status, _, _ := e.call(t, "POST", cloc+"/revoke", e.write, "", ""); status != http.StatusConflict {
			t.Errorf("second revocation: %d, want 409", status)
		}
	})
}
