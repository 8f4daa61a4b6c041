package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

var referralPath = regexp.MustCompile(`^/referrals/[0-9a-f-]{36}`)

// TestReferralClosedLoopInPages walks a referral through the pages: the
// advocate records consent and refers from a service's details for a
// care-plan need, sees the packet first; the partner finds it in the
// inbox, sees exactly that packet, accepts and completes it; the need is
// met. A forged referral without consent is refused; revocation empties
// the inbox.
func TestReferralClosedLoopInPages(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	d, need := canaryDirectory()
	if _, err := e.db.ImportDirectory(haven.WithSystem(ctx, access.JobImportHSDS), d, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.CreateUser(haven.WithSystem(ctx, access.JobUserAdd), haven.NewUser{Username: "partner", Role: haven.RolePartner,
		Password: testPassword, OrganizationID: "org-public"}); err != nil {
		t.Fatal(err)
	}
	c := client(t)
	signIn(t, e, c, "advocate", "")
	record := createSurvivor(t, e, c, survivorForm())
	id := strings.TrimPrefix(record, "/survivors/")
	if resp, body := post(t, c, e.srv.URL+record+"/needs", url.Values{"domain": {need.Code}, "goal": {"somewhere safe"},
		"priority": {"now"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add need: %d %s", resp.StatusCode, body)
	}
	_, body := get(t, c, e.srv.URL+record)
	m := regexp.MustCompile(`for_need=([0-9a-f-]{36})`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the record offers no search for its open need")
	}
	needID := m[1]
	// From the details of a service found for the need, with no consent yet: the form says so.
	_, body = get(t, c, e.srv.URL+"/directory/services/svc-public?survivor="+id+"&for_need="+needID)
	if !strings.Contains(body, `href="/survivors/`+id+`/referrals/new?service=svc-public&amp;need=`+needID+`"`) {
		t.Fatalf("service details offer no referral for the need")
	}
	_, body = get(t, c, e.srv.URL+"/survivors/"+id+"/referrals/new?service=svc-public&need="+needID)
	if !strings.Contains(body, `id="referral-no-consent"`) {
		t.Fatalf("the referral form does not ask for consent first")
	}
	// A forged referral, posted without any consent, is refused and stores nothing.
	forged := url.Values{"service": {"svc-public"}, "consent_id": {"made-up"}, "categories": {"identity"}, "action": {"send"}}
	if resp, _ := post(t, c, e.srv.URL+"/survivors/"+id+"/referrals", forged); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("forged referral: %d, want 400", resp.StatusCode)
	}
	if resp, _ := post(t, c, e.srv.URL+"/survivors/"+id+"/consents", url.Values{"recipient_kind": {"organization"}, "org": {"org-public"},
		"org_service": {"svc-public"}, "purpose": {"referral"}, "categories": {"identity"}, "method": {"written"}, "language": {"es"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("record consent: %d", resp.StatusCode)
	}
	_, body = get(t, c, e.srv.URL+"/survivors/"+id+"/referrals/new?service=svc-public&need="+needID)
	cm := regexp.MustCompile(`name="consent_id" value="([0-9a-f-]{36})" checked`).FindStringSubmatch(body)
	if cm == nil {
		t.Fatalf("the form offers no covering consent:\n%s", body)
	}
	form := url.Values{"service": {"svc-public"}, "need": {needID}, "consent_id": {cm[1]}, "categories": {"identity"},
		"note": {"Please call in the morning"}, "action": {"preview"}}
	_, preview := post(t, c, e.srv.URL+"/survivors/"+id+"/referrals", form)
	for _, want := range []string{`id="packet-preview"`, "Synthetic Person Zq", "Please call in the morning"} {
		if !strings.Contains(preview, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	for _, never := range []string{"555-0100", "pending", "first line", "fasts on Mondays", "blue kite"} {
		if strings.Contains(preview, never) {
			t.Errorf("preview shows %q, outside the consent", never)
		}
	}
	form.Set("action", "send")
	resp, _ := post(t, c, e.srv.URL+"/survivors/"+id+"/referrals", form)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !referralPath.MatchString(loc) {
		t.Fatalf("send: %d %q", resp.StatusCode, loc)
	}
	refPath := strings.TrimSuffix(loc, "?sent=1")

	// The partner: inbox, packet, accept, complete.
	pc := client(t)
	signIn(t, e, pc, "partner", "")
	_, body = get(t, pc, e.srv.URL+"/referrals")
	if !strings.Contains(body, `href="`+refPath+`"`) || !strings.Contains(body, "Riverside Emergency Housing") {
		t.Fatalf("the partner's inbox lacks the referral")
	}
	_, body = get(t, pc, e.srv.URL+refPath)
	for _, want := range []string{"Synthetic Person Zq", "Please call in the morning", `<option value="accepted">`} {
		if !strings.Contains(body, want) {
			t.Errorf("partner's referral page lacks %q", want)
		}
	}
	for _, never := range []string{"555-0100", "pending", "first line", "blue kite", `value="cancelled"`} {
		if strings.Contains(body, never) {
			t.Errorf("partner's referral page shows %q", never)
		}
	}
	if resp, body := post(t, pc, e.srv.URL+refPath+"/status", url.Values{"status": {"completed"}}); resp.StatusCode != http.StatusConflict ||
		!strings.Contains(body, "cannot move to that status") {
		t.Errorf("requested → completed: %d", resp.StatusCode)
	}
	if resp, _ := post(t, pc, e.srv.URL+refPath+"/status", url.Values{"status": {"rejected"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("reject without a reason: %d, want 400", resp.StatusCode)
	}
	for _, st := range []string{"accepted", "completed"} {
		if resp, body := post(t, pc, e.srv.URL+refPath+"/status", url.Values{"status": {st}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("→ %s: %d %s", st, resp.StatusCode, body)
		}
	}
	_, body = get(t, c, e.srv.URL+record)
	if !strings.Contains(body, "completed") || !strings.Contains(body, "Met") {
		t.Errorf("the advocate's record does not show the referral completed and the need met")
	}
	// The slip names neither the service nor the organization.
	_, body = get(t, c, e.srv.URL+refPath+"/slip?lang=es")
	slip := body[strings.Index(body, `id="slip"`):]
	slip = slip[:strings.Index(slip, "</div>")]
	if strings.Contains(slip, "Riverside") || strings.Contains(slip, "Housing") || !strings.Contains(slip, "1 Main Street") {
		t.Errorf("the slip names the service or lacks the public address: %s", slip)
	}
	// Another clinician and the analyst reach nothing.
	for _, who := range []string{"nurse"} {
		oc := client(t)
		signIn(t, e, oc, who, "")
		if resp, _ := get(t, oc, e.srv.URL+refPath); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s opens the referral: %d", who, resp.StatusCode)
		}
	}
}
