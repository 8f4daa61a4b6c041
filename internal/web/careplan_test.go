package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/web"
)

// rapidLaborAndSex answers the shipped rapid screen with the safety
// checklist passed and yes to withheld papers and to sex exchanged.
// Synthetic.
func rapidLaborAndSex(survivorID string) []byte {
	return []byte(`{"resourceType": "QuestionnaireResponse", "status": "completed",
		"questionnaire": "https://haven.example/fhir/Questionnaire/haven-rapid-four|1.0.0",
		"subject": {"reference": "Patient/` + survivorID + `"},
		"item": [
		{"linkId": "r-safety", "item": [
			{"linkId": "r-safety-alone", "answer": [{"valueBoolean": true}]},
			{"linkId": "r-safety-language", "answer": [{"valueCoding": {"system": "https://haven.example/fhir/CodeSystem/language-support", "code": "professional"}}]},
			{"linkId": "r-safety-private", "answer": [{"valueBoolean": true}]},
			{"linkId": "r-safety-explained", "answer": [{"valueBoolean": true}]}]},
		{"linkId": "r-questions", "item": [
			{"linkId": "r-leave", "answer": [{"valueBoolean": false}]},
			{"linkId": "r-papers", "answer": [{"valueBoolean": true}]},
			{"linkId": "r-threat", "answer": [{"valueBoolean": false}]},
			{"linkId": "r-sex", "answer": [{"valueBoolean": true}]}]}]}`)
}

// planEnv is a survivor with a screening, on the care team of
// "team.advocate", who is signed in on the returned client.
func planEnv(t *testing.T) (*env, *http.Client, string) {
	t.Helper()
	e, record := planRecord(t)
	c := client(t)
	signIn(t, e, c, "team.advocate", "")
	return e, c, record
}

// planRecord is a survivor with a screening, on the care team of
// "team.advocate"; it returns the record's path.
func planRecord(t *testing.T) (*env, string) {
	t.Helper()
	e := newEnv(t, false)
	adv := mustUser(t, e.db, "team.advocate", "Tess Advocate", haven.RoleAdvocate)
	ctx := haven.WithActor(context.Background(), haven.Actor{UserID: adv.ID, Role: adv.Role})
	s, _, err := e.db.CreateSurvivor(ctx, haven.NewSurvivor{Name: "Synthetic Planned"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.CreateScreening(ctx, haven.NewScreening{SurvivorID: s.ID, Response: rapidLaborAndSex(s.ID)}); err != nil {
		t.Fatal(err)
	}
	return e, "/survivors/" + s.ID
}

func TestCarePlanSectionConfirmAddDecline(t *testing.T) {
	e, c, record := planEnv(t)
	resp, body := get(t, c, e.srv.URL+record)
	if resp.StatusCode != 200 {
		t.Fatalf("record page status=%d", resp.StatusCode)
	}
	for _, want := range []string{`id="careplan"`, `href="#careplan"`, "Indicators from screenings to confirm with the survivor",
		`id="suggested-safety"`, `id="suggested-employment"`, `id="need-add"`, "Where do you feel safe staying tonight?", `id="needs-empty"`} {
		if !strings.Contains(body, want) {
			t.Errorf("record page lacks %q", want)
		}
	}
	// Confirming a suggestion adds it with the survivor's words; the
	// others stay offered, none added.
	resp, _ = post(t, c, e.srv.URL+record+"/needs", url.Values{"domain": {"safety"}, "screening_id": {screeningOf(t, body)},
		"goal": {"Sentirme segura al volver a casa"}, "priority": {"Ahora"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "?need=added#careplan") {
		t.Fatalf("confirm: status=%d Location=%q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = get(t, c, e.srv.URL+record+"?need=added")
	if strings.Contains(body, `id="suggested-safety"`) || !strings.Contains(body, `id="suggested-legal"`) {
		t.Error("the confirmed domain is still suggested, or the others are gone")
	}
	if n := strings.Count(body, `class="need need-`); n != 1 {
		t.Errorf("%d needs shown, want only the confirmed one", n)
	}
	if !strings.Contains(body, `<dd dir="auto">Sentirme segura al volver a casa</dd>`) || !strings.Contains(body, "Need added to the plan.") {
		t.Error("the survivor's words or the notice are not shown")
	}
	// A second open need in the same domain is refused, clearly.
	resp, body = post(t, c, e.srv.URL+record+"/needs", url.Values{"domain": {"safety"}, "goal": {"Words kept on refusal"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "already open in the plan") {
		t.Errorf("duplicate: status=%d, want 409 with the reason", resp.StatusCode)
	}
	if !strings.Contains(body, `dir="auto">Words kept on refusal</textarea>`) || !strings.Contains(body, `<option value="safety" selected>`) {
		t.Error("a refused add form loses what was typed")
	}
	resp, body = post(t, c, e.srv.URL+record+"/needs", url.Values{"domain": {"trafficking"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="careplan-problem"`) {
		t.Errorf("unknown domain: status=%d, want 400 with the problem", resp.StatusCode)
	}
	// Declined reads "Survivor declined", with its note in the history.
	needID := regexp.MustCompile(`id="need-([0-9a-f-]{36})"`).FindStringSubmatch(body)[1]
	resp, _ = post(t, c, e.srv.URL+record+"/needs/"+needID, url.Values{"change": {"status"}, "status": {"declined"}, "note": {"Prefers to wait"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("decline: status=%d", resp.StatusCode)
	}
	_, body = get(t, c, e.srv.URL+record)
	for _, want := range []string{`<span class="need-status">Survivor declined</span>`, "Prefers to wait", "Status changed", "by Tess Advocate"} {
		if !strings.Contains(body, want) {
			t.Errorf("after declining, the page lacks %q", want)
		}
	}
	if strings.Contains(strings.ToLower(body), "fail") {
		t.Error("the page speaks of failure")
	}
}

// TestEveryNeedDomainHasNameAndPrompts: each of the directory's need
// domains has a name and two or three prompts in the staff catalogs (all
// four languages have the same keys: TestCatalogsComplete).
func TestEveryNeedDomainHasNameAndPrompts(t *testing.T) {
	staff, _ := web.Catalogs()
	for _, n := range haven.Needs {
		if _, ok := staff["en"]["careplan.domain."+n.Code]; !ok {
			t.Errorf("no name for need domain %s", n.Code)
		}
		prompts := 0
		for i := 1; i <= 4; i++ {
			if _, ok := staff["en"][fmt.Sprintf("careplan.prompt.%s.%d", n.Code, i)]; ok {
				prompts++
			}
		}
		if prompts < 2 || prompts > 3 {
			t.Errorf("need domain %s has %d prompts, want 2 or 3", n.Code, prompts)
		}
	}
	for _, s := range haven.NeedStatuses {
		if _, ok := staff["en"]["careplan.status."+string(s)]; !ok {
			t.Errorf("no label for need status %s", s)
		}
	}
}

// screeningOf returns the screening a suggestion's form names.
func screeningOf(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`name="screening_id" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no suggestion form names a screening")
	}
	return m[1]
}

func TestCarePlanReadOnlyUnderEmergencyAndHiddenFromOutsiders(t *testing.T) {
	e, c, record := planEnv(t)
	post(t, c, e.srv.URL+record+"/needs", url.Values{"domain": {"housing"}, "goal": {"A quiet room"}})
	nurse := client(t)
	signIn(t, e, nurse, "nurse", "")
	if resp, _ := post(t, nurse, e.srv.URL+record+"/needs", url.Values{"domain": {"food"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("outsider adds a need: status=%d, want 404", resp.StatusCode)
	}
	resp, _ := post(t, nurse, e.srv.URL+"/emergency-access", url.Values{"case_number": {caseNumberOf(t, e, c, record)},
		"reason": {"Patient unconscious in the emergency department; need allergies and safe contact"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("emergency access: status=%d", resp.StatusCode)
	}
	_, body := get(t, nurse, e.srv.URL+record)
	if !strings.Contains(body, "A quiet room") {
		t.Error("emergency access does not show the plan")
	}
	for _, form := range []string{`id="need-add"`, `action="` + record + `/needs`, "suggested-needs"} {
		if strings.Contains(body, form) {
			t.Errorf("emergency access shows %q: the plan must be read-only", form)
		}
	}
	if resp, _ := post(t, nurse, e.srv.URL+record+"/needs", url.Values{"domain": {"food"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("emergency access adds a need: status=%d, want 404", resp.StatusCode)
	}
}

// caseNumberOf reads the case number from the record page.
func caseNumberOf(t *testing.T, e *env, c *http.Client, record string) string {
	t.Helper()
	_, body := get(t, c, e.srv.URL+record)
	m := regexp.MustCompile(`<span class="case">([^<]+)</span>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no case number on the record page")
	}
	return m[1]
}
