package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

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
