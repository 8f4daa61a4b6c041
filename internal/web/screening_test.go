package web_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/web"
)

// screeningEnv is newEnv with the screening pages mounted too.
func screeningEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, false)
	h, err := web.New(web.Config{Auth: e.db, Survivors: e.db, Screenings: e.db, Encounters: e.db, BreakGlass: e.db, Users: e.db, Version: "test",
		NeutralURL: e.neutral.URL + "/forecast"})
	if err != nil {
		t.Fatal(err)
	}
	s := server.New(slog.New(slog.DiscardHandler), e.db)
	h.Mount(s)
	e.srv.Close()
	e.srv, e.handler = httptest.NewServer(s.Handler()), h
	t.Cleanup(e.srv.Close)
	return e
}

var shownField = regexp.MustCompile(`name="shown" value="([^"]+)"`)

// shown returns the questions a form page says it shows.
func shown(body string) []string {
	var out []string
	for _, m := range shownField.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// safetyPassed answers the rapid screen's safety checklist: alone, no
// language support needed (option 0), private, explained.
func safetyPassed() url.Values {
	return url.Values{"r-safety-alone": {"true"}, "r-safety-language": {"0"}, "r-safety-private": {"true"}, "r-safety-explained": {"true"}}
}

func TestScreeningPagesEnableOnServerAndScore(t *testing.T) {
	e := screeningEnv(t)
	c := client(t)
	signIn(t, e, c, "advocate", "")
	record := createSurvivor(t, e, c, survivorForm())
	_, body := get(t, c, e.srv.URL+record)
	if !strings.Contains(body, `href="`+record+`/screenings/new"`) {
		t.Error("record page has no Screen link")
	}
	resp, body := get(t, c, e.srv.URL+record+"/screenings/new")
	if resp.StatusCode != 200 || !strings.Contains(body, "Rapid four-item screen (Haven)") {
		t.Fatalf("chooser: %d, want the shipped instruments:\n%s", resp.StatusCode, body)
	}
	form := e.srv.URL + record + "/screenings/new?instrument=haven-rapid-four"
	_, body = get(t, c, form)
	if !strings.Contains(body, `name="r-safety-alone"`) || strings.Contains(body, `name="r-leave"`) {
		t.Fatal("first page: want the safety checklist and no screening question")
	}
	answers := safetyPassed()
	answers["shown"], answers["step"] = shown(body), []string{"finish"}
	resp, body = post(t, c, form, answers)
	if resp.StatusCode != 200 || !strings.Contains(body, "Your answers changed which questions apply") || !strings.Contains(body, `name="r-leave"`) {
		t.Fatalf("finish with new questions enabled: %d, want the form again with the questions", resp.StatusCode)
	}
	for _, q := range []string{"r-leave", "r-threat", "r-sex"} {
		answers.Set(q, "false")
	}
	answers.Set("r-papers", "true")
	answers["shown"] = shown(body)
	resp, body = post(t, c, form, answers)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/screenings/") {
		t.Fatalf("finish: %d %q, want 303 to the result:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	result := resp.Header.Get("Location")
	resp, body = get(t, c, e.srv.URL+result)
	for _, want := range []string{"These are prompts, not a diagnosis.", `id="concern"><strong>moderate`, "Indicators present — offer support.", "T76.61XA", "1-888-373-7888"} {
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("result page %d lacks %q", resp.StatusCode, want)
		}
	}
	nurse := client(t)
	signIn(t, e, nurse, "nurse", "")
	if resp, _ := get(t, nurse, e.srv.URL+result); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another clinician's view of the result: %d, want 404", resp.StatusCode)
	}
	if resp, _ := get(t, nurse, e.srv.URL+record+"/screenings/new?instrument=haven-rapid-four"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another clinician's screening form: %d, want 404", resp.StatusCode)
	}
}

func TestScreeningSafetyStopAndErrors(t *testing.T) {
	e := screeningEnv(t)
	c := client(t)
	signIn(t, e, c, "advocate", "")
	form := e.srv.URL + createSurvivor(t, e, c, survivorForm()) + "/screenings/new?instrument=haven-rapid-four"
	_, body := get(t, c, form)
	answers := safetyPassed()
	answers.Set("r-safety-alone", "false")
	answers["shown"], answers["step"] = shown(body), []string{"update"}
	_, body = post(t, c, form, answers)
	if !strings.Contains(body, `role="alert">Stop here`) || strings.Contains(body, `name="r-leave"`) {
		t.Error("companion present: want the stop notice and no screening question")
	}
	answers["step"] = []string{"finish"}
	resp, _ := post(t, c, form, answers)
	_, body = get(t, c, e.srv.URL+resp.Header.Get("Location"))
	if !strings.Contains(body, "not screened") || !strings.Contains(body, "This says nothing about indicators") {
		t.Errorf("safety stop result: want not screened")
	}
	// Listed among the earlier screenings, a stopped one says so: "none"
	// would read as a negative screen.
	_, body = get(t, c, strings.TrimSuffix(form, "?instrument=haven-rapid-four"))
	earlier := body[strings.Index(body, `id="previous-h"`):]
	if !strings.Contains(earlier, "<td>not screened</td>") || strings.Contains(earlier, "<td>none</td>") {
		t.Errorf("earlier screenings after a safety stop: want \"not screened\", never \"none\"")
	}
	missing := url.Values{"r-safety-alone": {"true"}, "shown": shown(body), "step": {"finish"}}
	_, body = get(t, c, form)
	missing["shown"] = shown(body)
	resp, body = post(t, c, form, missing)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Please answer the highlighted items.") || !strings.Contains(body, `class="field-error"`) {
		t.Errorf("unanswered required items: %d, want 422 with errors beside the items", resp.StatusCode)
	}
}
