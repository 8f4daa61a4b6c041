package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/training"
	"github.com/haven-care/haven/internal/web"
)

// quizForm answers module id's quiz: rightly, or every answer wrong.
func quizForm(id string, right bool) url.Values {
	m, _ := training.Module(id)
	v := url.Values{}
	for _, q := range m.Questions {
		a := q.Answer
		if !right {
			a = (a + 1) % len(q.Options)
		}
		v.Set("q-"+q.ID, strconv.Itoa(a))
	}
	return v
}

// postFile posts a multipart form with one file.
func postFile(t *testing.T, c *http.Client, u string, fields url.Values, name string, file []byte) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("certificate", name)
		fw.Write(file)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", u, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestTrainingPages: a nurse in Florida records her licence, fails and
// then passes a module's quiz, opens her certificate (no one else can),
// records an external training with its certificate file (hers alone);
// the administrators' approval of the modules makes her compliant in the
// compliance view, which care roles do not see.
func TestTrainingPages(t *testing.T) {
	e := newEnv(t, false)
	nurse, adv, admin := client(t), client(t), client(t)
	signIn(t, e, nurse, "nurse", "")
	signIn(t, e, adv, "advocate", "")
	signIn(t, e, admin, "admin", e.code(t))
	renewal := time.Now().AddDate(1, 0, 0).Format(time.DateOnly)
	if resp, body := get(t, nurse, e.srv.URL+"/training"); resp.StatusCode != 200 || !strings.Contains(body, "Recognising indicators of trafficking") {
		t.Fatalf("training page status=%d", resp.StatusCode)
	}
	if resp, body := post(t, nurse, e.srv.URL+"/training/licence", url.Values{"jurisdiction": {"Florida"}, "licence_type": {"rn"}, "renewal_on": {"2099-01-31"}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "two-letter state code") {
		t.Errorf("a bad licence: status=%d", resp.StatusCode)
	}
	if resp, _ := post(t, nurse, e.srv.URL+"/training/licence", url.Values{"jurisdiction": {"FL"}, "licence_type": {"rn"}, "renewal_on": {renewal}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("licence status=%d", resp.StatusCode)
	}
	if _, body := get(t, nurse, e.srv.URL+"/training"); !strings.Contains(body, "Due") || !strings.Contains(body, "456.0341") {
		t.Error("the training page does not show the Florida nurse's requirement")
	}

	resp, body := get(t, nurse, e.srv.URL+"/training/modules/indicators")
	if resp.StatusCode != 200 || !strings.Contains(body, "Learning objectives") || strings.Count(body, "<fieldset>") < 5 {
		t.Fatalf("module page status=%d", resp.StatusCode)
	}
	resp, _ = post(t, nurse, e.srv.URL+"/training/modules/indicators", quizForm("indicators", false))
	failed := resp.Header.Get("Location")
	if _, body := get(t, nurse, e.srv.URL+failed); !strings.Contains(body, "Not passed yet") || strings.Contains(body, "certificate-link") {
		t.Error("a failed attempt offers a certificate")
	}
	if resp, _ := get(t, nurse, e.srv.URL+strings.Replace(failed, "attempts", "certificates", 1)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a failed attempt's certificate: %d", resp.StatusCode)
	}
	resp, _ = post(t, nurse, e.srv.URL+"/training/modules/indicators", quizForm("indicators", true))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("quiz status=%d", resp.StatusCode)
	}
	cert := strings.Replace(resp.Header.Get("Location"), "attempts", "certificates", 1)
	resp, body = get(t, nurse, e.srv.URL+cert)
	if resp.StatusCode != 200 || !strings.Contains(body, `id="certificate-name">nurse<`) || !strings.Contains(body, `id="certificate-hours">2<`) {
		t.Errorf("certificate status=%d; body:\n%s", resp.StatusCode, body)
	}
	for _, c := range []*http.Client{adv, admin} {
		if resp, _ := get(t, c, e.srv.URL+cert); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another user opened the certificate: %d", resp.StatusCode)
		}
	}

	// External trainings: the file is checked by its content and served
	// only to its owner, as a download.
	fields := url.Values{"provider": {"State association"}, "title": {"Trafficking CE"}, "hours": {"1"}, "completed_on": {time.Now().AddDate(0, -1, 0).Format(time.DateOnly)}, "approved": {"1"}}
	if resp, body := postFile(t, nurse, e.srv.URL+"/training/external", fields, "x.pdf", []byte("<html><script>alert(1)</script>")); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "PDF, PNG or JPEG") {
		t.Errorf("an HTML certificate: status=%d", resp.StatusCode)
	}
	if resp, body := postFile(t, nurse, e.srv.URL+"/training/external", fields, "big.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 3<<20)...)); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "at most 2 MB") {
		t.Errorf("a 3 MB certificate: status=%d", resp.StatusCode)
	}
	if resp, _ := postFile(t, nurse, e.srv.URL+"/training/external", fields, "c.pdf", []byte("%PDF-1.4\nsynthetic\n")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("external training status=%d", resp.StatusCode)
	}
	_, body = get(t, nurse, e.srv.URL+"/training")
	i := strings.Index(body, "/training/external/")
	if i < 0 {
		t.Fatal("no certificate download link")
	}
	link := body[i : i+strings.Index(body[i:], `"`)]
	resp, body = get(t, nurse, e.srv.URL+link)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || !strings.HasPrefix(body, "%PDF") {
		t.Errorf("download status=%d headers=%v", resp.StatusCode, resp.Header)
	}
	if resp, _ := get(t, adv, e.srv.URL+link); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another user downloaded the certificate: %d", resp.StatusCode)
	}

	// Compliance: administrators (and supervisors, for their teams) only.
	if resp, _ := get(t, nurse, e.srv.URL+"/training/compliance"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a nurse opened the compliance view: %d", resp.StatusCode)
	}
	if resp, _ := post(t, nurse, e.srv.URL+"/admin/training", url.Values{"approved": {"1"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a nurse changed the training policy: %d", resp.StatusCode)
	}
	if resp, _ := post(t, admin, e.srv.URL+"/admin/training", url.Values{"approved": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("policy status=%d", resp.StatusCode)
	}
	resp, body = get(t, admin, e.srv.URL+"/training/compliance")
	if resp.StatusCode != 200 || !strings.Contains(body, `data-status="compliant"><td>nurse</td>`) {
		t.Errorf("compliance view status=%d; body:\n%s", resp.StatusCode, body)
	}
	// The administrator sets the advocate's licence.
	if resp, _ := post(t, admin, e.srv.URL+"/admin/training/licence", url.Values{"user_id": {e.userID(t, "advocate")}, "jurisdiction": {"MI"},
		"licence_type": {"social_worker"}, "renewal_on": {"2099-06-01"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("admin licence status=%d", resp.StatusCode)
	}
	if c, _ := e.db.MyCompliance(asUser(e.userID(t, "advocate"), haven.RoleAdvocate)); c.RuleID != "mi-r338-7001" {
		t.Errorf("advocate's compliance after the admin set her licence: %+v", c)
	}
}

// TestScreeningRefusedWithoutTraining: with the policy on, an untrained
// user is refused the screening page with the reason and the modules to
// pass; once passed, the page opens.
func TestScreeningRefusedWithoutTraining(t *testing.T) {
	e := newEnvWith(t, false, func(c *web.Config) { c.Screenings = c.Survivors.(haven.ScreeningService) })
	adv := client(t)
	signIn(t, e, adv, "advocate", "")
	record := createSurvivor(t, e, adv, survivorForm())
	if resp, _ := get(t, adv, e.srv.URL+record+"/screenings/new"); resp.StatusCode != 200 {
		t.Fatalf("policy off: status=%d", resp.StatusCode)
	}
	if err := e.db.SetTrainingPolicy(asUser(e.userID(t, "admin"), haven.RoleAdmin), haven.TrainingPolicy{ScreeningRequiresTraining: true}); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, adv, e.srv.URL+record+"/screenings/new")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "requires current training before screening") ||
		!strings.Contains(body, `href="/training/modules/indicators"`) || !strings.Contains(body, `href="/training/modules/safety-checklist"`) {
		t.Fatalf("untrained: status=%d; body:\n%s", resp.StatusCode, body)
	}
	if resp, _ := post(t, adv, e.srv.URL+record+"/screenings/new", url.Values{"instrument": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("untrained POST: status=%d", resp.StatusCode)
	}
	for _, id := range []string{"indicators", "safety-checklist"} {
		if resp, _ := post(t, adv, e.srv.URL+"/training/modules/"+id, quizForm(id, true)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("quiz %s: %d", id, resp.StatusCode)
		}
	}
	if resp, _ := get(t, adv, e.srv.URL+record+"/screenings/new"); resp.StatusCode != 200 {
		t.Errorf("trained: status=%d", resp.StatusCode)
	}
}

// TestComplianceReadsDoNotGrowWithStaff: the supervisor's compliance view
// reads licences, modules and external trainings once for the whole
// staff, not once per person.
func TestComplianceReadsDoNotGrowWithStaff(t *testing.T) {
	e := newEnv(t, false)
	sys := haven.WithSystem(t.Context(), access.JobUserAdd)
	admin := asUser(e.userID(t, "admin"), haven.RoleAdmin)
	sup, err := e.db.CreateUser(sys, haven.NewUser{Username: "team.sup", DisplayName: "Sam Supervisor", Role: haven.RoleSupervisor, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	team, err := e.db.CreateTeam(admin, "Clinic")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.AddTeamMember(admin, team.ID, sup.ID, true); err != nil {
		t.Fatal(err)
	}
	c := client(t)
	signIn(t, e, c, "team.sup", "")
	renewal := time.Now().AddDate(1, 0, 0).Format(time.DateOnly)
	var counts []int
	for _, staff := range []int{2, 20} {
		for i := len(counts) * 2; i < staff; i++ {
			u, err := e.db.CreateUser(sys, haven.NewUser{Username: "nurse." + strconv.Itoa(i), Role: haven.RoleClinician, Password: testPassword})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.db.AddTeamMember(admin, team.ID, u.ID, false); err != nil {
				t.Fatal(err)
			}
			if err := e.db.SetLicence(admin, haven.Licence{UserID: u.ID, Jurisdiction: "FL", LicenceType: "rn", RenewalOn: renewal}); err != nil {
				t.Fatal(err)
			}
		}
		var page string
		n, _ := countSelects(func() { _, page = get(t, c, e.srv.URL+"/training/compliance") })
		if got := strings.Count(page, `data-status="`); got != staff+1 {
			t.Fatalf("the compliance view lists %d people, want %d", got, staff+1)
		}
		counts = append(counts, n)
	}
	if counts[0] != counts[1] {
		t.Errorf("the compliance view ran %d SELECTs for 3 people and %d for 21", counts[0], counts[1])
	}
}
