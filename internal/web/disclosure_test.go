package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/disclosurepdf"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// disclosureCase is a record with canaries in its name and phone, its
// lead advocate and a supervisor on its care team.
func disclosureCase(t testing.TB, db *sqlstoretest.Store) (survivorID string) {
	t.Helper()
	adv := mustUser(t, db, "disc.advocate", "Dana Advocate", haven.RoleAdvocate)
	sup := mustUser(t, db, "disc.supervisor", "Sam Supervisor", haven.RoleSupervisor)
	actx := haven.WithActor(context.Background(), haven.Actor{UserID: adv.ID, Role: adv.Role})
	s, _, err := db.CreateSurvivor(actx, haven.NewSurvivor{Name: "CANARYWEBNAME", Phones: []string{"CANARYWEBPHONE"},
		Notes: "CANARYWEBNOTES", Languages: []haven.LanguagePreference{{Code: "es"}},
		SafeContact: haven.SafeContactPlan{Channels: []haven.ContactChannel{haven.ChannelSMS}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddCareTeamMember(actx, s.ID, sup.ID); err != nil {
		t.Fatal(err)
	}
	return s.ID
}

func download(t *testing.T, c *http.Client, u string) (int, []byte) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestDisclosurePages walks a subpoena through the pages: logged by the
// advocate, refused, narrowed, approved by the supervisor, downloaded,
// then in the accounting, printed in Spanish. A pending or refused
// request yields no package; the package holds the approved fields only.
func TestDisclosurePages(t *testing.T) {
	e := newEnv(t, false)
	id := disclosureCase(t, e.db)
	record := e.srv.URL + "/survivors/" + id
	adv, sup := client(t), client(t)
	signIn(t, e, adv, "disc.advocate", "")
	signIn(t, e, sup, "disc.supervisor", "")

	_, body := get(t, adv, record)
	if s := section(body, "sharing"); !strings.Contains(s, "No disclosures are recorded") || !strings.Contains(s, `id="disclosure-new"`) {
		t.Errorf("sharing section: %q", s)
	}
	resp, body := get(t, adv, record+"/disclosures/new?basis=grand_jury_subpoena")
	if resp.StatusCode != 200 || !strings.Contains(body, `value="survivors.phones"`) || strings.Contains(body, `value="survivors.phones" checked`) {
		t.Fatalf("form under a subpoena: %d (want every field offered, none checked)", resp.StatusCode)
	}
	form := url.Values{"basis": {"grand_jury_subpoena"}, "requester": {"Det. R. Roe"}, "agency": {"County Sheriff"},
		"documents": {"Subpoena 26-114"}, "deadline": {"2099-01-01"}, "fields": {"survivors.name", "survivors.phones"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("agency", "")
	if resp, body := post(t, adv, record+"/disclosures", bad); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Give the agency") {
		t.Errorf("bad request: %d", resp.StatusCode)
	}
	resp, _ = post(t, adv, record+"/disclosures", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("request: %d", resp.StatusCode)
	}
	page := e.srv.URL + strings.Split(resp.Header.Get("Location"), "?")[0]
	_, body = get(t, adv, page)
	if !strings.Contains(body, "CANARYWEBNAME") || !strings.Contains(body, "CANARYWEBPHONE") || strings.Contains(body, "CANARYWEBNOTES") ||
		strings.Contains(body, `id="decide"`) {
		t.Error("the preview shows the chosen fields only, and the preparer gets no decision form")
	}
	for _, c := range []*http.Client{adv, sup} {
		for _, f := range []string{"/package.pdf", "/package.json"} {
			if code, b := download(t, c, page+f); code != http.StatusConflict || strings.Contains(string(b), "CANARY") {
				t.Errorf("pending %s: %d", f, code)
			}
		}
	}
	if _, body := get(t, sup, e.srv.URL+"/disclosures/pending"); !strings.Contains(body, `id="approval-queue"`) {
		t.Error("the supervisor's queue lacks the request")
	}
	if resp, _ := post(t, sup, page+"/decision", url.Values{"decision": {"refuse"}, "reason": {"The phone is not named."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("refuse: %d", resp.StatusCode)
	}
	if code, _ := download(t, adv, page+"/package.pdf"); code != http.StatusConflict {
		t.Errorf("refused package: %d", code)
	}
	if resp, _ := post(t, adv, page+"/resubmit", url.Values{"fields": {"survivors.name"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resubmit: %d", resp.StatusCode)
	}
	if resp, _ := post(t, sup, page+"/decision", url.Values{"decision": {"approve"}, "reason": {"Named in the subpoena."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", resp.StatusCode)
	}
	code, pdf := download(t, adv, page+"/package.pdf")
	text, _ := disclosurepdf.Text(pdf)
	if code != 200 || !strings.Contains(text, "CANARYWEBNAME") || strings.Contains(text, "CANARYWEBPHONE") || strings.Contains(text, "CANARYWEBNOTES") {
		t.Errorf("PDF %d: want the name only", code)
	}
	code, js := download(t, adv, page+"/package.json")
	if code != 200 || !strings.Contains(string(js), "CANARYWEBNAME") || strings.Contains(string(js), "CANARYWEBPHONE") {
		t.Errorf("JSON %d: want the name only", code)
	}
	_, body = get(t, adv, record+"/accounting")
	if !strings.Contains(body, "Registro de divulgaciones") || !strings.Contains(body, "County Sheriff") || !strings.Contains(body, "Citación de gran jurado") {
		t.Error("the accounting, in the survivor's Spanish by default, lacks the disclosure")
	}
	if _, body := get(t, adv, record+"/accounting?lang=fr"); !strings.Contains(body, "Relevé des divulgations") {
		t.Error("the accounting in French")
	}
}

// TestSafeguardPages: a minor's record opens a mandated report; the
// guardian task cannot be ticked off before the safety check; the report
// made lands in the accounting; an adult's family choice keeps its
// history; the testimony page lists the user's own entries.
func TestSafeguardPages(t *testing.T) {
	e := newEnv(t, false)
	adult := disclosureCase(t, e.db)
	adv := client(t)
	signIn(t, e, adv, "disc.advocate", "")
	var advID string
	e.db.SQL().QueryRow(`SELECT id FROM users WHERE username = 'disc.advocate'`).Scan(&advID)
	actx := haven.WithActor(context.Background(), haven.Actor{UserID: advID, Role: haven.RoleAdvocate})
	s, _, err := e.db.CreateSurvivor(actx, haven.NewSurvivor{Name: "Synthetic Minor", DateOfBirth: "2013-01-01",
		SafeContact: haven.SafeContactPlan{Channels: []haven.ContactChannel{haven.ChannelSMS}}})
	if err != nil {
		t.Fatal(err)
	}
	record := e.srv.URL + "/survivors/" + s.ID
	if resp, body := post(t, adv, record+"/mandated-reports", url.Values{"jurisdiction": {"Texas"}, "agency_kind": {"child_protective_services"},
		"agency": {"DFPS"}, "due_on": {time.Now().Format("2006-01-02")}}); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, "two-letter code") {
		t.Errorf("bad jurisdiction: %d", resp.StatusCode)
	}
	if resp, _ := post(t, adv, record+"/mandated-reports", url.Values{"jurisdiction": {"TX"}, "agency_kind": {"child_protective_services"},
		"agency": {"Texas DFPS"}, "due_on": {time.Now().Format("2006-01-02")}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("open: %d", resp.StatusCode)
	}
	reports, err := e.db.MandatedReports(actx, s.ID)
	if err != nil || len(reports) != 1 {
		t.Fatalf("reports %v %v", reports, err)
	}
	m := reports[0]
	if resp, _ := post(t, adv, record+"/tasks/"+m.GuardianTaskID, url.Values{"status": {"done"}}); resp.StatusCode == http.StatusSeeOther {
		t.Error("the guardian task was ticked off before the safety check")
	}
	if resp, _ := post(t, adv, record+"/mandated-reports/"+m.ID+"/guardian-check", url.Values{"guardian": {"not_implicated"},
		"note": {"Checked with CPS."}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("guardian check: %d", resp.StatusCode)
	}
	if resp, _ := post(t, adv, record+"/mandated-reports/"+m.ID+"/made", url.Values{"fields": {"survivors.name"}, "to": {"Texas DFPS"},
		"reported_on": {time.Now().Format("2006-01-02")}, "report_number": {"DFPS-7"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("made: %d", resp.StatusCode)
	}
	if _, body := get(t, adv, record+"/accounting?lang=en"); !strings.Contains(body, "Mandated report") || !strings.Contains(body, "Texas DFPS") {
		t.Error("the report is not in the accounting")
	}
	adultRecord := e.srv.URL + "/survivors/" + adult
	for _, f := range []url.Values{{"notify": {"yes"}, "who": {"Her brother"}, "what": {"contact"}}, {"notify": {"no"}}} {
		if resp, _ := post(t, adv, adultRecord+"/family-choices", f); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("family choice: %d", resp.StatusCode)
		}
	}
	if _, body := get(t, adv, adultRecord); !strings.Contains(section(body, "sharing"), "The family must not be told") ||
		!strings.Contains(section(body, "sharing"), "Her brother") {
		t.Error("the family choice in force and its history")
	}
	if resp, body := get(t, adv, adultRecord+"/testimony"); resp.StatusCode != 200 || !strings.Contains(body, `id="timeline-empty"`) {
		t.Errorf("testimony page: %d", resp.StatusCode)
	}
}
