package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
)

func TestEmergencyAccessAndReview(t *testing.T) {
	e := newEnv(t, false)
	adv := mustUser(t, e.db, "team.advocate", "", haven.RoleAdvocate)
	mustUser(t, e.db, "supervisor", "Sam Supervisor", haven.RoleSupervisor)
	s, _, err := e.db.CreateSurvivor(haven.WithActor(context.Background(), haven.Actor{UserID: adv.ID, Role: adv.Role}),
		haven.NewSurvivor{Name: "Synthetic Emergency"})
	if err != nil {
		t.Fatal(err)
	}
	nurse := client(t)
	signIn(t, e, nurse, "nurse", "")
	if resp, _ := get(t, nurse, e.srv.URL+"/survivors/"+s.ID); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("before emergency access: status=%d, want 404", resp.StatusCode)
	}
	resp, body := post(t, nurse, e.srv.URL+"/emergency-access", url.Values{"case_number": {"HV-NONE-XXXX"}, "reason": {"short"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="case_number-error"`) || !strings.Contains(body, `id="reason-error"`) {
		t.Errorf("bad form: status=%d, want 400 with both field errors", resp.StatusCode)
	}
	resp, _ = post(t, nurse, e.srv.URL+"/emergency-access", url.Values{"case_number": {s.CaseNumber},
		"reason": {"Patient arrived by ambulance, unable to speak; need the safe-contact plan"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/survivors/"+s.ID {
		t.Fatalf("emergency access: status=%d location=%q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = get(t, nurse, e.srv.URL+"/survivors/"+s.ID)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Synthetic Emergency") {
		t.Errorf("read under emergency access: status=%d", resp.StatusCode)
	}
	// Read-only, and says so: no contact form, no edit or screening link.
	if !strings.Contains(body, `id="emergency-readonly"`) || strings.Contains(body, `id="contact-submit"`) ||
		strings.Contains(body, "/edit") || strings.Contains(body, `id="screen-link"`) {
		t.Error("the record under emergency access is not shown read-only")
	}
	if _, body := get(t, client(t), e.srv.URL+"/"); strings.Contains(body, "pending-reviews") {
		t.Error("a signed-out page shows the review alert")
	}
	if resp, _ := get(t, nurse, e.srv.URL+"/review/emergency-access"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("clinician opens the review queue: status=%d, want 403", resp.StatusCode)
	}
	sup := client(t)
	signIn(t, e, sup, "supervisor", "")
	// Supervisors are alerted on every page until they review it.
	if _, body := get(t, sup, e.srv.URL+"/"); !strings.Contains(body, `id="pending-reviews"`) || !strings.Contains(body, "your review: 1.") {
		t.Error("the supervisor's home page does not show the pending review")
	}
	if _, body := get(t, nurse, e.srv.URL+"/"); strings.Contains(body, "pending-reviews") {
		t.Error("a clinician sees the supervisors' alert")
	}
	resp, body = get(t, sup, e.srv.URL+"/review/emergency-access")
	if !strings.Contains(body, s.CaseNumber) {
		t.Error("the review queue does not name the record's case number")
	}
	action := regexp.MustCompile(`action="(/review/emergency-access/[^"]+)"`).FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || action == nil || !strings.Contains(body, "unable to speak") {
		t.Fatalf("review queue: status=%d, want the grant with its reason", resp.StatusCode)
	}
	if resp, _ := post(t, sup, e.srv.URL+action[1], url.Values{"finding": {"justified"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("review: status=%d, want 303", resp.StatusCode)
	}
	if resp, _ := post(t, sup, e.srv.URL+action[1], url.Values{"finding": {"justified"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("second review: status=%d, want 409", resp.StatusCode)
	}
	if _, body := get(t, sup, e.srv.URL+"/review/emergency-access"); !strings.Contains(body, "Nothing is waiting") || strings.Contains(body, "pending-reviews") {
		t.Error("the queue, or the alert, still lists the reviewed grant")
	}
}

// The limits of emergency access on the pages (security finding 7): a
// reason of one repeated letter is refused beside the field, a repeat
// within 24 hours asks for a fuller reason and is flagged in the queue, a
// "not justified" finding closes the record at once and refuses new
// emergency access.
func TestEmergencyAccessLimitsOnPages(t *testing.T) {
	e := newEnv(t, false)
	clock := fixedClock{time.Now()}
	e.db.DB.Clock = clock
	adv := mustUser(t, e.db, "team.advocate", "", haven.RoleAdvocate)
	mustUser(t, e.db, "supervisor", "Sam Supervisor", haven.RoleSupervisor)
	s, _, err := e.db.CreateSurvivor(haven.WithActor(context.Background(), haven.Actor{UserID: adv.ID, Role: adv.Role}),
		haven.NewSurvivor{Name: "Synthetic Emergency"})
	if err != nil {
		t.Fatal(err)
	}
	const first = "Patient arrived by ambulance, unable to speak; need the safe-contact plan"
	const fuller = "Patient came back by ambulance after a seizure tonight; I need the medication list and the safe contact plan again to call the right person"
	nurse := client(t)
	signIn(t, e, nurse, "nurse", "")
	resp, body := post(t, nurse, e.srv.URL+"/emergency-access", url.Values{"case_number": {s.CaseNumber}, "reason": {"xxxxxxxxxxxxxxxxxxxx"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="reason-error"`) || !strings.Contains(body, "four different words") {
		t.Errorf("reason of x's: status=%d, want 400 saying why beside the reason", resp.StatusCode)
	}
	if resp, _ := post(t, nurse, e.srv.URL+"/emergency-access", url.Values{"case_number": {s.CaseNumber}, "reason": {first}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("emergency access: status=%d", resp.StatusCode)
	}
	clock.t = clock.t.Add(61 * time.Minute)
	e.db.DB.Clock = clock
	nurse = client(t) // the session has idled out
	signIn(t, e, nurse, "nurse", "")
	resp, body = post(t, nurse, e.srv.URL+"/emergency-access", url.Values{"case_number": {s.CaseNumber}, "reason": {first}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="reason-error"`) || !strings.Contains(body, "80 characters") {
		t.Errorf("repeat with a first-time reason: status=%d, want 400 asking for a fuller reason", resp.StatusCode)
	}
	if resp, _ := post(t, nurse, e.srv.URL+"/emergency-access", url.Values{"case_number": {s.CaseNumber}, "reason": {fuller}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("repeat with a fuller reason: status=%d", resp.StatusCode)
	}
	sup := client(t)
	signIn(t, e, sup, "supervisor", "")
	_, body = get(t, sup, e.srv.URL+"/review/emergency-access")
	action := regexp.MustCompile(`action="(/review/emergency-access/[^"]+)"`).FindStringSubmatch(body)
	if action == nil || !strings.Contains(body, "Repeated within 24 hours") || strings.Index(body, "seizure") > strings.Index(body, "unable to speak") {
		t.Fatalf("the queue does not flag the repeat first")
	}
	if resp, _ := post(t, sup, e.srv.URL+action[1], url.Values{"finding": {"not_justified"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("review: status=%d", resp.StatusCode)
	}
	if resp, _ := get(t, nurse, e.srv.URL+"/survivors/"+s.ID); resp.StatusCode != http.StatusNotFound {
		t.Errorf("read after a not-justified finding: status=%d, want 404 at once", resp.StatusCode)
	}
	resp, body = post(t, nurse, e.srv.URL+"/emergency-access", url.Values{"case_number": {s.CaseNumber}, "reason": {fuller}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Emergency access to this record is refused") {
		t.Errorf("emergency access after a not-justified finding: status=%d, want 403 saying so", resp.StatusCode)
	}
}
