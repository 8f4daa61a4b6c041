package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/demo"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
	"github.com/haven-care/haven/internal/web"
)

// newGapEnv is the web server with the gap report, a synthetic caseload of
// n survivors led by "advocate", and an "analyst".
func newGapEnv(t *testing.T, n int) *env {
	t.Helper()
	var sites []directory.Site
	directory.GenerateAround(demo.Clinic.City, demo.DirectoryServices, 1, func(s directory.Site) { sites = append(sites, s) })
	var gs *sqlstore.GapService
	e := newEnvWith(t, false, func(c *web.Config) {
		gs = sqlstore.NewGapService(c.Survivors.(*sqlstoretest.Store).DB, directory.New(sites))
		c.Gap = gs
		c.Screenings = c.Survivors.(*sqlstoretest.Store)
	})
	lead := mustUser(t, e.db, "case.lead", "", haven.RoleAdvocate)
	if err := gs.LoadCaseload(haven.WithSystem(context.Background(), access.JobDemo), demo.Caseload(n, 1), lead.ID, nil); err != nil {
		t.Fatal(err)
	}
	mustUser(t, e.db, "analyst", "", haven.RoleAnalyst)
	return e
}

func TestGapReportPages(t *testing.T) {
	e := newGapEnv(t, 400)
	c := client(t)
	signIn(t, e, c, "analyst", "")
	_, home := get(t, c, e.srv.URL+"/")
	if !strings.Contains(home, `href="/gap"`) {
		t.Error("the analyst's start page does not link the gap report")
	}
	tests := []struct {
		path   string
		status int
		want   []string
	}{
		{"/gap", 200, []string{"Needs identified and met", `<svg role="img"`, "Share of needs met", "Housing", "<th scope=\"col\">Met</th>"}},
		{"/gap?population=referrals&by=language", 200, []string{"Failed: language mismatch", "mam"}},
		{"/gap?population=supply&by=area&km=50", 200, []string{"No service within 100 km", "El Paso", `class="gap-column"`}},
		{"/gap?population=outcomes&by=instrument", 200, []string{"Sensitivity", "Positive, confirmed"}},
		{"/gap?population=survivors&by=gender", 200, []string{"Share among served", `name="reference_file"`}},
		{"/gap?population=needs&by=gender&language=es", 400, []string{"takes no filter"}},
		{"/gap?population=people", 400, []string{"Choose one of"}},
		{"/gap?population=supply&km=7", 400, []string{"10, 25, 50 or 100"}},
	}
	for _, tt := range tests {
		resp, body := get(t, c, e.srv.URL+tt.path)
		if resp.StatusCode != tt.status {
			t.Errorf("GET %s: status %d, want %d", tt.path, resp.StatusCode, tt.status)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: body lacks %q", tt.path, w)
			}
		}
	}
	// Every exported count is 0 or at least 11.
	resp, csv := get(t, c, e.srv.URL+"/gap/table.csv?population=referrals&by=language")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(csv, "<11") {
		t.Fatalf("CSV: %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Disposition"), csv)
	}
	for _, line := range strings.Split(strings.TrimSpace(csv), "\n")[1:] {
		for _, f := range strings.Split(line, ",")[1:] {
			if n, err := strconv.Atoi(f); err == nil && n > 0 && n < 11 {
				t.Errorf("CSV publishes %d: %s", n, line)
			}
		}
	}
	resp, body := get(t, c, e.srv.URL+"/gap/table.json?population=needs&by=age_band")
	var tab struct {
		Rows []struct{ Cells []*int }
	}
	if err := json.Unmarshal([]byte(body), &tab); err != nil || resp.StatusCode != 200 || len(tab.Rows) == 0 {
		t.Fatalf("JSON: %d %v %s", resp.StatusCode, err, body)
	}
}

func TestGapReferencePopulation(t *testing.T) {
	e := newGapEnv(t, 400)
	c := client(t)
	signIn(t, e, c, "analyst", "")
	u := e.srv.URL + "/gap?population=survivors&by=gender"
	resp, body := post(t, c, u, url.Values{"reference": {"group,count\nfemale,500\nmale,x\nelf,3\nfemale,1\n"}})
	if resp.StatusCode != 400 {
		t.Errorf("bad CSV: status %d, want 400", resp.StatusCode)
	}
	for _, w := range []string{"line 3: the count must be a number", "line 4: &#34;elf&#34; is not one of the groups", "line 5: &#34;female&#34; is listed twice"} {
		if !strings.Contains(body, w) {
			t.Errorf("bad CSV: body lacks %q", w)
		}
	}
	if strings.Contains(body, "Under-represented") && strings.Contains(body, "50.0%") {
		t.Error("a bad reference was partly used")
	}
	resp, body = post(t, c, u, url.Values{"reference": {"group,count\nfemale,100\nmale,900\n"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "10.0%") || !strings.Contains(body, "Over-represented") {
		t.Errorf("good CSV: status %d; want the 10%% reference share and an over-represented group", resp.StatusCode)
	}
}

// TestGapReportIsTheAnalysts: care staff get no link and a refusal; the
// analyst reaches no record through the pages.
func TestGapReportIsTheAnalysts(t *testing.T) {
	e := newGapEnv(t, 30)
	adv := client(t)
	signIn(t, e, adv, "case.lead", "")
	_, home := get(t, adv, e.srv.URL+"/")
	if strings.Contains(home, `href="/gap"`) {
		t.Error("an advocate's menu links the gap report")
	}
	for _, p := range []string{"/gap", "/gap/table.csv", "/gap/table.json"} {
		if resp, _ := get(t, adv, e.srv.URL+p); resp.StatusCode != http.StatusForbidden {
			t.Errorf("advocate GET %s: status %d, want 403", p, resp.StatusCode)
		}
	}
	_, list := get(t, adv, e.srv.URL+"/survivors")
	ids := regexp.MustCompile(`/survivors/([0-9a-f-]{36})`).FindAllStringSubmatch(list, 3)
	if len(ids) == 0 {
		t.Fatal("the lead sees no survivor")
	}
	an := client(t)
	signIn(t, e, an, "analyst", "")
	_, mine := get(t, an, e.srv.URL+"/survivors")
	if regexp.MustCompile(`/survivors/[0-9a-f-]{36}`).MatchString(mine) {
		t.Error("the analyst's survivors list links a record")
	}
	for _, id := range ids {
		for _, p := range []string{"", "/consents/new", "/referrals/new", "/screenings/new", "/access"} {
			resp, body := get(t, an, e.srv.URL+"/survivors/"+id[1]+p)
			if resp.StatusCode == 200 || strings.Contains(body, "Synthetic Case") {
				t.Errorf("analyst GET /survivors/%s%s: status %d", id[1], p, resp.StatusCode)
			}
		}
	}
}

// TestSurvivorGroupsOnTheForm: staff record the coded groups on the
// record's form; an address in the area is refused beside the field.
func TestSurvivorGroupsOnTheForm(t *testing.T) {
	e := newEnv(t, false)
	c := client(t)
	signIn(t, e, c, "advocate", "")
	form := survivorForm()
	form.Set("gender", "female")
	form.Set("region_of_origin", "southeast-asia")
	form.Set("trafficking_type", "labor")
	form.Set("area", "12 Main Street")
	resp, body := post(t, c, e.srv.URL+"/survivors", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="area-error">Give a city`) {
		t.Fatalf("an address as the area: status %d", resp.StatusCode)
	}
	form.Set("area", "Austin")
	resp, _ = post(t, c, e.srv.URL+"/survivors", form)
	id := regexp.MustCompile(`/survivors/([0-9a-f-]{36})`).FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || id == nil {
		t.Fatalf("create: status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, edit := get(t, c, e.srv.URL+"/survivors/"+id[1]+"/edit")
	for _, w := range []string{`<option value="southeast-asia" selected>`, `<option value="labor" selected>`, `value="Austin"`} {
		if !strings.Contains(edit, w) {
			t.Errorf("the edit form lacks %q", w)
		}
	}
}

// TestScreeningOutcomeForm: the care team records the confirmed outcome on
// the result page; the analyst cannot.
func TestScreeningOutcomeForm(t *testing.T) {
	e := newGapEnv(t, 3)
	lead := client(t)
	signIn(t, e, lead, "case.lead", "")
	_, list := get(t, lead, e.srv.URL+"/survivors")
	id := regexp.MustCompile(`/survivors/([0-9a-f-]{36})`).FindStringSubmatch(list)
	_, record := get(t, lead, e.srv.URL+"/survivors/"+id[1])
	sid := regexp.MustCompile(`/screenings/([0-9a-f-]{36})`).FindStringSubmatch(record)
	if sid == nil {
		t.Fatal("the record links no screening")
	}
	resp, _ := post(t, lead, e.srv.URL+"/screenings/"+sid[1]+"/outcome", url.Values{"outcome": {"confirmed"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("record outcome: status %d", resp.StatusCode)
	}
	if _, page := get(t, lead, e.srv.URL+"/screenings/"+sid[1]); !strings.Contains(page, `<option value="confirmed" selected>`) {
		t.Error("the result page does not show the recorded outcome")
	}
	if resp, _ := post(t, lead, e.srv.URL+"/screenings/"+sid[1]+"/outcome", url.Values{"outcome": {"maybe"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown outcome: status %d, want 400", resp.StatusCode)
	}
	an := client(t)
	signIn(t, e, an, "analyst", "")
	if resp, _ := post(t, an, e.srv.URL+"/screenings/"+sid[1]+"/outcome", url.Values{"outcome": {"ruled_out"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the analyst records an outcome: status %d, want 404", resp.StatusCode)
	}
	if resp, body := get(t, an, e.srv.URL+"/screenings/"+sid[1]); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "Synthetic") {
		t.Errorf("the analyst reads a screening: status %d", resp.StatusCode)
	}
}
