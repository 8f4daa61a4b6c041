package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// TestConsentRecordedRevokedAndCopied walks the ledger as an advocate:
// from a service's details to the consent form for a survivor's case, a
// form with an error coming back as sent, the consent on the record, the
// survivor's copy in Spanish, and revocation.
func TestConsentRecordedRevokedAndCopied(t *testing.T) {
	e := newEnv(t, false)
	d, _ := canaryDirectory()
	if _, err := e.db.ImportDirectory(haven.WithSystem(context.Background(), access.JobImportHSDS), d, nil); err != nil {
		t.Fatal(err)
	}
	c := client(t)
	signIn(t, e, c, "advocate", "")
	record := createSurvivor(t, e, c, survivorForm())
	id := strings.TrimPrefix(record, "/survivors/")

	_, body := get(t, c, e.srv.URL+record)
	if !strings.Contains(body, `id="no-consents"`) || !strings.Contains(body, `href="#consents"`) {
		t.Fatalf("a new record's consent section does not say that nothing may be shared")
	}
	// From the search made for the case, the service's details offer the form.
	_, body = get(t, c, e.srv.URL+"/directory/services/svc-public?survivor="+id)
	if !strings.Contains(body, `href="/survivors/`+id+`/consents/new?service=svc-public"`) {
		t.Fatalf("service details for a case offer no consent link")
	}
	_, body = get(t, c, e.srv.URL+"/survivors/"+id+"/consents/new?service=svc-public")
	for _, want := range []string{"Riverside Public Services", `name="org" value="org-public"`, "never a condition of care",
		`<option value="es" selected>`} {
		if !strings.Contains(body, want) {
			t.Errorf("consent form lacks %q", want)
		}
	}
	// The nurse joins the team, to witness.
	var nurseID string
	if err := e.db.SQL().QueryRow(`SELECT id FROM users WHERE username = 'nurse'`).Scan(&nurseID); err != nil {
		t.Fatal(err)
	}
	if resp, _ := post(t, c, e.srv.URL+"/survivors/"+id+"/team", url.Values{"user_id": {nurseID}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add the nurse to the team: %d", resp.StatusCode)
	}
	_, body = get(t, c, e.srv.URL+"/survivors/"+id+"/consents/new?service=svc-public")
	if !strings.Contains(body, `<option value="`+nurseID+`">`) {
		t.Errorf("the consent form does not offer the nurse as a witness")
	}
	form := url.Values{"recipient_kind": {"organization"}, "org": {"org-public"}, "org_service": {"svc-public"},
		"purpose": {"referral"}, "categories": {"contact"}, "method": {"verbal"}, "language": {"es"}, "days": {"400"},
		"witness_id": {nurseID}}
	resp, body := post(t, c, e.srv.URL+"/survivors/"+id+"/consents", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "A consent lasts from 1 to 365 days.") ||
		!strings.Contains(body, `value="contact" checked`) || !strings.Contains(body, "Riverside Public Services") {
		t.Fatalf("a form with a bad duration: status %d, want 400 with the message and the form as sent", resp.StatusCode)
	}
	form.Set("days", "")
	resp, _ = post(t, c, e.srv.URL+"/survivors/"+id+"/consents", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("record consent: status %d", resp.StatusCode)
	}
	_, body = get(t, c, e.srv.URL+resp.Header.Get("Location"))
	for _, want := range []string{"Consent recorded.", "Riverside Public Services — active", "Referral to a service",
		"Case number, age band, needs and languages, Contact details and safe-contact plan", "Verbally"} {
		if !strings.Contains(body, want) {
			t.Errorf("record page lacks %q", want)
		}
	}
	var advID string
	if err := e.db.SQL().QueryRow(`SELECT id FROM users WHERE username = 'advocate'`).Scan(&advID); err != nil {
		t.Fatal(err)
	}
	list, err := e.db.Consents(haven.WithActor(context.Background(), haven.Actor{UserID: advID, Role: haven.RoleAdvocate}), id)
	if err != nil || len(list) != 1 || list[0].ExpiresAt.Sub(list[0].GivenAt).Hours() != 90*24 || list[0].WitnessID != nurseID {
		t.Fatalf("stored consents %+v %v: want one of 90 days", list, err)
	}
	cid := list[0].ID
	// The survivor's copy prints in their language (Spanish, their first).
	_, body = get(t, c, e.srv.URL+"/survivors/"+id+"/consents/"+cid+"/copy")
	for _, want := range []string{`lang="es"`, "Su acuerdo para compartir información", "Riverside Public Services",
		"Para ayudarle a recibir un servicio", "Cómo comunicarse con usted de forma segura", "Give this copy only if"} {
		if !strings.Contains(body, want) {
			t.Errorf("survivor's copy lacks %q", want)
		}
	}
	resp, _ = post(t, c, e.srv.URL+"/survivors/"+id+"/consents/"+cid+"/revoke", url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: status %d", resp.StatusCode)
	}
	_, body = get(t, c, e.srv.URL+record)
	if !strings.Contains(body, "Riverside Public Services — revoked") || strings.Contains(body, "/revoke") {
		t.Errorf("after revocation the record does not say revoked, or still offers revocation")
	}
	// Another clinician may not see the ledger or revoke through it.
	mustUser(t, e.db, "stranger", "", haven.RoleClinician)
	c2 := client(t)
	signIn(t, e, c2, "stranger", "")
	for _, p := range []string{"/survivors/" + id + "/consents/new", "/survivors/" + id + "/consents/" + cid + "/copy"} {
		if resp, _ := get(t, c2, e.srv.URL+p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s as an outsider: %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := post(t, c2, e.srv.URL+"/survivors/"+id+"/consents", form); resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST a consent as an outsider: %d, want 404", resp.StatusCode)
	}
}
