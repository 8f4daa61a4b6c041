package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/web"
)

// Issue 18: the screening pages in daily use.

// TestScreeningRefusedUnderEmergencyAccess: a record opened through
// emergency access is read-only, so its screening form is refused before
// any question is shown, with a page that says why — not filled in and
// then lost on Finish.
func TestScreeningRefusedUnderEmergencyAccess(t *testing.T) {
	staff, _ := web.Catalogs()
	e := screeningEnv(t)
	adv := client(t)
	signIn(t, e, adv, "advocate", "")
	record := createSurvivor(t, e, adv, survivorForm())
	nurse := client(t)
	signIn(t, e, nurse, "nurse", "")
	resp, _ := post(t, nurse, e.srv.URL+"/emergency-access", url.Values{"case_number": {caseNumber(t, e, adv, record)},
		"reason": {"Patient arrived by ambulance, unable to speak; need the safe-contact plan"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("emergency access: status=%d", resp.StatusCode)
	}
	form := e.srv.URL + record + "/screenings/new?instrument=haven-rapid-four"
	for _, lang := range []string{"en", "es", "fr", "ar"} {
		nurse.Jar.SetCookies(mustURL(t, e.srv.URL), []*http.Cookie{{Name: "haven_lang", Value: lang, Path: "/"}})
		resp, body := get(t, nurse, form)
		want := html.EscapeString(strings.SplitN(staff[lang]["screening.emergency_refused"], "%s", 2)[0])
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `id="screening-refused"`) || !strings.Contains(body, want) ||
			strings.Contains(body, `name="r-safety-alone"`) {
			t.Errorf("%s: form under emergency access: %d, want 403 with the reason %q and no question", lang, resp.StatusCode, want)
		}
	}
	// The whole form filled in and finished, as a worker who typed the URL
	// would: refused with the reason, never "There is no page".
	resp, body := finishRapid(t, e, nurse, form, url.Values{"r-leave": {"false"}, "r-papers": {"false"}, "r-threat": {"false"}, "r-sex": {"false"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `id="screening-refused"`) {
		t.Errorf("finish under emergency access: %d, want 403 with the reason", resp.StatusCode)
	}
	if resp, _ := get(t, nurse, e.srv.URL+record+"/screenings/new"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("chooser under emergency access: %d, want 403", resp.StatusCode)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

var caseSpan = regexp.MustCompile(`<span class="case">([^<]+)</span>`)

// caseNumber reads a record's case number from its page.
func caseNumber(t *testing.T, e *env, c *http.Client, record string) string {
	t.Helper()
	_, body := get(t, c, e.srv.URL+record)
	m := caseSpan.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("record page shows no case number")
	}
	return m[1]
}

// finishRapid answers the rapid screen (with the safety checklist passed)
// and finishes; it returns the response to the finishing post.
func finishRapid(t *testing.T, e *env, c *http.Client, form string, answers url.Values) (*http.Response, string) {
	t.Helper()
	all := safetyPassed()
	all["step"] = []string{"update"}
	_, body := post(t, c, form, all)
	for k, v := range answers {
		all[k] = v
	}
	all["shown"], all["step"] = shown(body), []string{"finish"}
	return post(t, c, form, all)
}

// TestScreeningStoppedSaysWhy: when the safety checklist fails, the form
// says the questions are not asked now and why, not that questions were
// added.
func TestScreeningStoppedSaysWhy(t *testing.T) {
	staff, _ := web.Catalogs()
	e := screeningEnv(t)
	c := client(t)
	signIn(t, e, c, "advocate", "")
	form := e.srv.URL + createSurvivor(t, e, c, survivorForm()) + "/screenings/new?instrument=haven-rapid-four"
	for _, lang := range []string{"en", "es", "fr", "ar"} {
		c.Jar.SetCookies(mustURL(t, e.srv.URL), []*http.Cookie{{Name: "haven_lang", Value: lang, Path: "/"}})
		_, body := get(t, c, form)
		answers := safetyPassed()
		answers.Set("r-safety-private", "false")
		answers["shown"], answers["step"] = shown(body), []string{"update"}
		_, body = post(t, c, form, answers)
		if !strings.Contains(body, html.EscapeString(staff[lang]["screening.stopped"])) || strings.Contains(body, html.EscapeString(staff[lang]["screening.more_shown"])) {
			t.Errorf("%s: safety checklist failed: want %q, not %q", lang, staff[lang]["screening.stopped"], staff[lang]["screening.more_shown"])
		}
	}
}

// TestScreeningResultNamesRecordAndNotes: the result shows the record's
// case number (never a name) with a link back, and the notes typed.
func TestScreeningResultNamesRecordAndNotes(t *testing.T) {
	e := screeningEnv(t)
	c := client(t)
	signIn(t, e, c, "advocate", "")
	record := createSurvivor(t, e, c, survivorForm())
	cn := caseNumber(t, e, c, record)
	notes := "Works nights at a restaurant; the manager keeps her passport."
	resp, body := finishRapid(t, e, c, e.srv.URL+record+"/screenings/new?instrument=haven-rapid-four",
		url.Values{"r-leave": {"false"}, "r-papers": {"true"}, "r-threat": {"false"}, "r-sex": {"false"}, "r-followup-notes": {notes}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("finish: %d:\n%s", resp.StatusCode, body)
	}
	_, body = get(t, c, e.srv.URL+resp.Header.Get("Location"))
	if !strings.Contains(body, `<a href="`+record+`" id="case-link">`+cn+`</a>`) {
		t.Errorf("result page does not name the record by its case number %s with a link to it", cn)
	}
	if !strings.Contains(body, "Works nights at a restaurant; the manager keeps her passport.") {
		t.Error("result page does not show the notes typed")
	}
	if strings.Contains(body, "Synthetic Person Zq") {
		t.Error("result page shows the survivor's name")
	}
}

// TestScreeningDeclinedIsRecorded: leaving a screening question blank is
// refused; "Declined to answer" is an explicit choice, recorded in the
// response (FHIR data-absent-reason asked-declined, no answer), never
// scored, and listed on the result.
func TestScreeningDeclinedIsRecorded(t *testing.T) {
	staff, _ := web.Catalogs()
	e := screeningEnv(t)
	u := mustUser(t, e.db, "adv.decline", "", haven.RoleAdvocate)
	c := client(t)
	signIn(t, e, c, "adv.decline", "")
	record := createSurvivor(t, e, c, survivorForm())
	form := e.srv.URL + record + "/screenings/new?instrument=haven-rapid-four"
	answers := url.Values{"r-leave": {"false"}, "r-papers": {"true"}, "r-threat": {"false"}}
	resp, body := finishRapid(t, e, c, form, answers)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, staff["en"]["screening.answer_or_decline"]) {
		t.Fatalf("finish with a question blank: %d, want 422 asking to answer or decline", resp.StatusCode)
	}
	if !strings.Contains(body, `name="r-sex" value="declined"`) {
		t.Error("the form offers no \"Declined to answer\" on an optional question")
	}
	answers.Set("r-sex", "declined")
	resp, body = finishRapid(t, e, c, form, answers)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("finish with a declined question: %d:\n%s", resp.StatusCode, body)
	}
	result := resp.Header.Get("Location")
	_, body = get(t, c, e.srv.URL+result)
	declined := regexp.MustCompile(`(?s)<ul id="declined">.*?</ul>`).FindString(body)
	if !strings.Contains(declined, "sexual acts") || strings.Contains(declined, "passport") {
		t.Errorf("result lists declined questions %q, want the r-sex question only", declined)
	}
	if !strings.Contains(body, `id="concern"><strong>moderate`) || strings.Contains(body, "T76.51") {
		t.Error("a declined question changed the score")
	}
	ctx := haven.WithActor(context.Background(), haven.Actor{UserID: u.ID, Role: u.Role})
	sc, err := e.db.Screening(ctx, strings.TrimPrefix(result, "/screenings/"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/data-absent-reason","valueCode":"asked-declined"}],"linkId":"r-sex"}`; !strings.Contains(string(sc.Response), want) {
		t.Errorf("stored response:\n%s\nwant the decline recorded as %s", sc.Response, want)
	}
}
