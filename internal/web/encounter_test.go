package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
	"github.com/haven-care/haven/internal/web"
)

// rapidScreening answers the shipped rapid screen for subject: the safety
// checklist passed and "yes" to the papers item, or, when stopped, a
// companion present and no question asked. Synthetic.
func rapidScreening(subject string, stopped bool) []byte {
	questions := `, {"linkId": "r-questions", "item": [{"linkId": "r-leave", "answer": [{"valueBoolean": false}]},
		{"linkId": "r-papers", "answer": [{"valueBoolean": true}]}, {"linkId": "r-threat", "answer": [{"valueBoolean": false}]},
		{"linkId": "r-sex", "answer": [{"valueBoolean": false}]}]}`
	if stopped {
		questions = ""
	}
	return []byte(fmt.Sprintf(`{"resourceType": "QuestionnaireResponse", "status": "completed",
		"questionnaire": "https://haven.example/fhir/Questionnaire/haven-rapid-four|1.0.0",
		"subject": {"reference": "Patient/%s"},
		"item": [{"linkId": "r-safety", "item": [
			{"linkId": "r-safety-alone", "answer": [{"valueBoolean": %t}]},
			{"linkId": "r-safety-language", "answer": [{"valueCoding": {"system": "https://haven.example/fhir/CodeSystem/language-support", "code": "professional"}}]},
			{"linkId": "r-safety-private", "answer": [{"valueBoolean": true}]},
			{"linkId": "r-safety-explained", "answer": [{"valueBoolean": true}]}]}%s]}`, subject, !stopped, questions))
}

// hubCase is a record opened by an advocate, with a clinician ("Nina
// Nurse") on its care team, screened once through and once stopped by
// the safety checklist.
type hubCase struct {
	survivor          *haven.Survivor
	adv, nurse        *haven.User
	screened, stopped string
}

func newHubCase(t testing.TB, db *sqlstoretest.Store, suffix ...string) hubCase {
	t.Helper()
	adv := mustUser(t, db, "lead.advocate"+strings.Join(suffix, ""), "", haven.RoleAdvocate)
	nurse := mustUser(t, db, "team.nurse"+strings.Join(suffix, ""), "Nina Nurse", haven.RoleClinician)
	actx := haven.WithActor(context.Background(), haven.Actor{UserID: adv.ID, Role: adv.Role})
	s, _, err := db.CreateSurvivor(actx, haven.NewSurvivor{Name: "Synthetic Hub", SafeContact: haven.SafeContactPlan{
		Channels: []haven.ContactChannel{haven.ChannelSMS}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddCareTeamMember(actx, s.ID, nurse.ID); err != nil {
		t.Fatal(err)
	}
	c := hubCase{survivor: s, adv: adv, nurse: nurse}
	for _, stopped := range []bool{false, true} {
		sc, err := db.CreateScreening(actx, haven.NewScreening{SurvivorID: s.ID, Response: rapidScreening(s.ID, stopped)})
		if err != nil {
			t.Fatal(err)
		}
		if stopped {
			c.stopped = sc.ID
		} else {
			c.screened = sc.ID
		}
	}
	return c
}

func TestHubSectionsInOrder(t *testing.T) {
	e := screeningEnv(t)
	hc := newHubCase(t, e.db)
	record := e.srv.URL + "/survivors/" + hc.survivor.ID
	adv := client(t)
	signIn(t, e, adv, "lead.advocate", "")
	resp, body := get(t, adv, record)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("record: %d", resp.StatusCode)
	}
	last := -1
	for _, id := range []string{`id="plan"`, `id="screenings"`, `id="contact"`, `id="encounters"`, `id="sharing"`, `id="details"`} {
		i := strings.Index(body, id)
		if i < 0 || i < last {
			t.Errorf("%s at %d, after %d: want the sections in page order", id, i, last)
		}
		last = i
	}
	for _, href := range []string{`href="#screenings"`, `href="#contact"`, `href="#encounters"`, `href="#sharing"`} {
		if !strings.Contains(body, href) {
			t.Errorf("jump nav lacks %s", href)
		}
	}
	screenings := section(body, "screenings")
	for _, want := range []string{`href="/screenings/` + hc.screened + `"`, `href="/screenings/` + hc.stopped + `"`, "moderate",
		"stopped by the safety checklist — not screened", `id="screen-link"`} {
		if !strings.Contains(screenings, want) {
			t.Errorf("screenings section lacks %q", want)
		}
	}
	if strings.Contains(screenings, "<td>none</td>") {
		t.Error(`a screening stopped by the safety checklist shows as "none"`)
	}
	if s := section(body, "sharing"); !strings.Contains(s, "No referrals, consents or disclosures are recorded for this survivor") || strings.Contains(s, "<form") || strings.Contains(s, "<button") {
		t.Error("sharing section: want the honest empty state and no controls")
	}
	// Spanish: the sections are translated.
	req, _ := http.NewRequest("GET", record, nil)
	req.Header.Set("Accept-Language", "es")
	resp, err := adv.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body = string(b)
	if !strings.Contains(body, "Historial de contactos") || !strings.Contains(body, "detenida por la lista de seguridad") {
		t.Error("Spanish record page lacks the translated sections")
	}
}

// section returns the HTML of the section with id, to its end.
func section(body, id string) string {
	i := strings.Index(body, `<section id="`+id+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</section>")
	return body[i : i+j]
}

func TestHubContactHistory(t *testing.T) {
	e := screeningEnv(t)
	hc := newHubCase(t, e.db)
	record := e.srv.URL + "/survivors/" + hc.survivor.ID
	adv := client(t)
	signIn(t, e, adv, "lead.advocate", "")
	resp, body := post(t, adv, record+"/contact", url.Values{"channel": {"sms"}, "note": {"Synthetic: will call back Friday"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="outcome-error"`) || !strings.Contains(body, "Synthetic: will call back Friday") {
		t.Errorf("no outcome: %d, want 400 with the problem beside the outcome and the note kept", resp.StatusCode)
	}
	resp, _ = post(t, adv, record+"/contact", url.Values{"channel": {"sms"}, "outcome": {"message_left"}, "note": {"Synthetic: will call back Friday"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("contact: %d, want 303", resp.StatusCode)
	}
	if resp, _ := post(t, adv, record+"/contact", url.Values{"channel": {"email"}, "outcome": {"reached"}, "note": {"Synthetic refused"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsafe channel: %d, want 403", resp.StatusCode)
	}
	_, body = get(t, adv, record)
	history := section(body, "contact")
	if !strings.Contains(history, "Message left") || !strings.Contains(history, "Synthetic: will call back Friday") ||
		!strings.Contains(history, "lead.advocate") || strings.Contains(history, "Synthetic refused") {
		t.Errorf("contact history: want the one contact made, with its outcome, note and who made it:\n%s", history)
	}
	if strings.Index(body, `id="plan"`) > strings.Index(body, `id="contact-submit"`) {
		t.Error("the contact form comes before the safe-contact plan")
	}
}

func TestHubEncounters(t *testing.T) {
	e := screeningEnv(t)
	hc := newHubCase(t, e.db)
	record := e.srv.URL + "/survivors/" + hc.survivor.ID
	today := time.Now().UTC().Format(time.DateOnly)
	nurse := client(t)
	signIn(t, e, nurse, "team.nurse", "")
	_, body := get(t, nurse, record+"?screening="+hc.screened)
	enc := section(body, "encounters")
	for _, want := range []string{`id="coding-choose"`, `name="code" value="T76.61X"`, `name="seventh-T76.61X" value="A" checked`,
		`name="seventh-T76.61X" value="D"`, `name="seventh-T76.61X" value="S"`, "<legend>7th character for <code>T76.61X</code></legend>"} {
		if !strings.Contains(enc, want) {
			t.Errorf("clinician's coding form lacks %q", want)
		}
	}
	form := url.Values{"occurred_on": {"2999-01-01"}, "note": {"Synthetic clinic visit."}, "screening_id": {hc.screened},
		"code": {"T76.61X"}, "seventh-T76.61X": {"D"}}
	resp, body := post(t, nurse, record+"/encounters", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="occurred_on-error"`) ||
		!strings.Contains(body, "Synthetic clinic visit.") || !strings.Contains(body, `value="D" checked`) {
		t.Errorf("future date: %d, want 400 beside the date, with the note and the chosen code kept", resp.StatusCode)
	}
	form.Set("occurred_on", today)
	form.Set("seventh-T76.61X", "Q")
	if resp, body := post(t, nurse, record+"/encounters", form); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="codes-error"`) {
		t.Errorf("bad 7th character: %d, want 400 beside the codes", resp.StatusCode)
	}
	form.Set("seventh-T76.61X", "D")
	resp, _ = post(t, nurse, record+"/encounters", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d, want 303", resp.StatusCode)
	}
	_, body = get(t, nurse, e.srv.URL+resp.Header.Get("Location"))
	enc = section(body, "encounters")
	for _, want := range []string{"Encounter added.", "Synthetic clinic visit.", "Nina Nurse", "T76.61XD",
		"Adult forced labor exploitation, suspected, subsequent encounter"} {
		if !strings.Contains(body, want) {
			t.Errorf("after adding: page lacks %q", want)
		}
	}
	// An advocate writes notes but accepts no codes.
	adv := client(t)
	signIn(t, e, adv, "lead.advocate", "")
	_, body = get(t, adv, record+"?screening="+hc.screened)
	if enc := section(body, "encounters"); strings.Contains(enc, `name="code"`) || strings.Contains(enc, `id="coding-choose"`) || !strings.Contains(enc, `id="encounter-submit"`) {
		t.Error("advocate: want the encounter form without codes")
	}
	resp, body = post(t, adv, record+"/encounters", form)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Only a clinician may accept diagnosis codes.") {
		t.Errorf("advocate posts codes: %d, want 403 saying why", resp.StatusCode)
	}
	if list, _ := e.db.Encounters(haven.WithActor(context.Background(), haven.Actor{UserID: "x", Role: haven.RoleAdmin}), hc.survivor.ID); list != nil {
		t.Error("an administrator not on the team reads encounters")
	}
}

func TestHubUnderEmergencyAccess(t *testing.T) {
	e := screeningEnv(t)
	hc := newHubCase(t, e.db)
	record := e.srv.URL + "/survivors/" + hc.survivor.ID
	nurse := client(t)
	signIn(t, e, nurse, "nurse", "")
	if resp, _ := get(t, nurse, record); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("outsider: %d, want 404", resp.StatusCode)
	}
	if resp, _ := post(t, nurse, e.srv.URL+"/emergency-access", url.Values{"case_number": {hc.survivor.CaseNumber},
		"reason": {"Patient arrived by ambulance, unable to speak; need the safe-contact plan"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("emergency access: %d", resp.StatusCode)
	}
	resp, body := get(t, nurse, record)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="screenings-list"`) || !strings.Contains(body, `id="contacts-none"`) ||
		!strings.Contains(body, `id="encounters-none"`) {
		t.Fatalf("emergency read: %d, want the sections to read", resp.StatusCode)
	}
	for _, control := range []string{`action="/survivors/` + hc.survivor.ID + `/encounters"`, `id="contact-submit"`, `id="screen-link"`, `id="coding-choose"`} {
		if strings.Contains(body, control) {
			t.Errorf("under emergency access the page offers %s", control)
		}
	}
	resp, _ = post(t, nurse, record+"/encounters", url.Values{"occurred_on": {time.Now().UTC().Format(time.DateOnly)}, "note": {"Synthetic"}})
	if resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusOK {
		t.Errorf("emergency add: %d, want a refusal", resp.StatusCode)
	}
}

// TestHubNotesNotInLogs writes canary notes through the record page's
// contact and encounter forms, accepted and refused, and finds them in no
// log line of the server or of the pages.
func TestHubNotesNotInLogs(t *testing.T) {
	e := newEnv(t, false)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := web.New(web.Config{Auth: e.db, Survivors: e.db, Screenings: e.db, Encounters: e.db, BreakGlass: e.db, Users: e.db,
		Version: "test", NeutralURL: e.neutral.URL + "/forecast", Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	s := server.New(logger, e.db)
	h.Mount(s)
	e.srv.Close()
	e.srv, e.handler = httptest.NewServer(s.Handler()), h
	t.Cleanup(e.srv.Close)
	hc := newHubCase(t, e.db)
	record := e.srv.URL + "/survivors/" + hc.survivor.ID
	c := client(t)
	signIn(t, e, c, "team.nurse", "")
	today := time.Now().UTC().Format(time.DateOnly)
	post(t, c, record+"/contact", url.Values{"channel": {"sms"}, "outcome": {"reached"}, "note": {"CANARYCONTACTWEB"}})
	post(t, c, record+"/contact", url.Values{"channel": {"sms"}, "note": {"CANARYCONTACTBAD"}})
	post(t, c, record+"/contact", url.Values{"channel": {"email"}, "outcome": {"reached"}, "note": {"CANARYCONTACTREFUSED"}})
	post(t, c, record+"/encounters", url.Values{"occurred_on": {today}, "note": {"CANARYENCOUNTERWEB"}})
	post(t, c, record+"/encounters", url.Values{"occurred_on": {"2999-01-01"}, "note": {"CANARYENCOUNTERBAD"}})
	post(t, c, record+"/encounters", url.Values{"occurred_on": {today}, "note": {"CANARYENCOUNTERCODE"}, "screening_id": {hc.screened},
		"code": {"T76.51X"}, "seventh-T76.51X": {"A"}})
	if _, body := get(t, c, record); !strings.Contains(body, "CANARYCONTACTWEB") || !strings.Contains(body, "CANARYENCOUNTERWEB") {
		t.Fatal("the record page lacks the notes written: the test would prove nothing")
	}
	if logs.Len() == 0 {
		t.Fatal("nothing was logged: the test would pass whatever the logs held")
	}
	if i := strings.Index(strings.ToUpper(logs.String()), "CANARY"); i >= 0 {
		t.Errorf("a log line carries a canary: %q", logs.String()[max(0, i-200):min(logs.Len(), i+50)])
	}
}

// TestHubSharingWithConsents: with the consent ledger and referrals
// mounted, each has its own section, and the disclosures section says
// that none are recorded and offers to log a request and the accounting.
func TestHubSharingWithConsents(t *testing.T) {
	e := newEnv(t, false)
	hc := newHubCase(t, e.db)
	c := client(t)
	signIn(t, e, c, "lead.advocate", "")
	_, body := get(t, c, e.srv.URL+"/survivors/"+hc.survivor.ID)
	sharing := section(body, "sharing")
	if !strings.Contains(sharing, "No disclosures are recorded for this survivor") || !strings.Contains(sharing, `id="disclosure-new"`) ||
		!strings.Contains(sharing, `id="accounting-link"`) {
		t.Errorf("sharing section with the consent ledger: %q", sharing)
	}
	for _, id := range []string{`id="consents"`, `id="referrals"`} {
		if i, j := strings.Index(body, id), strings.Index(body, `id="sharing"`); i < 0 || i > j {
			t.Errorf("%s at %d, sharing at %d: want it before", id, i, j)
		}
	}
}
