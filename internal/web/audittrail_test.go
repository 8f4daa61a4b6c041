package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/haven-care/haven"
)

// TestAuditTrailPage: an administrator finds who opened a record by its
// case number, by display name and never by the survivor's name; bad
// input is refused beside the field; the export is CSV and audited; the
// lead reads the record's access report from its page; others do not.
func TestAuditTrailPage(t *testing.T) {
	e := newEnv(t, false)
	adv, admin, nurse := client(t), client(t), client(t)
	signIn(t, e, adv, "advocate", "")
	signIn(t, e, admin, "admin", e.code(t))
	signIn(t, e, nurse, "nurse", "")
	record := createSurvivor(t, e, adv, survivorForm())
	cn := caseNumber(t, e, adv, record)

	resp, body := get(t, admin, e.srv.URL+"/audit?case="+url.QueryEscape(cn))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Ana Advocate") || !strings.Contains(body, "survivor.read") ||
		!strings.Contains(body, `id="audit-verifies"`) {
		t.Fatalf("audit search status=%d; body:\n%s", resp.StatusCode, body)
	}
	for _, secret := range []string{"Synthetic Person Zq", "555-0100", "blue kite", "1 Test Street"} {
		if strings.Contains(body, secret) {
			t.Errorf("the audit page shows %q", secret)
		}
	}
	for _, bad := range []string{"from=yesterday", "outcome=maybe", "from=2026-05-02&to=2026-05-01"} {
		if resp, body := get(t, admin, e.srv.URL+"/audit?"+bad); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "field-error\"") && !strings.Contains(body, `class="error"`) {
			t.Errorf("%s: status=%d, want 400 with the error beside the field", bad, resp.StatusCode)
		}
	}

	resp, body = post(t, admin, e.srv.URL+"/audit/export", url.Values{"case": {cn}})
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(body, "index,time_utc,actor_id,actor,action") || !strings.Contains(body, cn) || strings.Contains(body, "Synthetic Person") {
		t.Errorf("export status=%d type=%q body:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if _, body := get(t, admin, e.srv.URL+"/audit?action=audit_log.export"); !strings.Contains(body, "Ada Admin") {
		t.Error("the export is not in the audit trail")
	}
	for _, c := range []*http.Client{adv, nurse} {
		if resp, _ := get(t, c, e.srv.URL+"/audit"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a care role opened /audit: %d", resp.StatusCode)
		}
		if resp, _ := post(t, c, e.srv.URL+"/audit/export", url.Values{}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a care role exported the audit log: %d", resp.StatusCode)
		}
	}

	// The lead's record page links the access report.
	_, body = get(t, adv, e.srv.URL+record)
	if !strings.Contains(body, `id="access-report-link"`) || !strings.Contains(body, `href="#access"`) {
		t.Error("the lead's record page has no access report link")
	}
	resp, body = get(t, adv, e.srv.URL+record+"/access-report")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Ana Advocate") || !strings.Contains(body, cn) {
		t.Errorf("access report status=%d; body:\n%s", resp.StatusCode, body)
	}
	for _, c := range []*http.Client{nurse, admin} {
		if resp, _ := get(t, c, e.srv.URL+record+"/access-report"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("an outsider read the access report: %d", resp.StatusCode)
		}
	}
	// A member who does not lead the team sees no link.
	if err := e.db.AddCareTeamMember(asUser(e.userID(t, "advocate"), haven.RoleAdvocate), strings.TrimPrefix(record, "/survivors/"), e.userID(t, "nurse")); err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, nurse, e.srv.URL+record); strings.Contains(body, "access-report-link") {
		t.Error("a member who is not the lead is offered the access report")
	}
}
