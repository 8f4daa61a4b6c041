package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
	"github.com/haven-care/haven/internal/web"
)

// TestBrowserCaseWalk is the survivor's case as a clinic works it, in
// English and Spanish, axe-checked at each page: the advocate adds the
// clinician to the care team; the clinician screens; the advocate turns
// the screening's indicator domains into needs in the survivor's words,
// marks one "survivor declined", and assigns the clinician a task due
// tomorrow, which appears on the clinician's start page.
func TestBrowserCaseWalk(t *testing.T) {
	staff, _ := web.Catalogs()
	src := axeSource(t)
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			T := func(key string) string { return staff[lang][key] }
			e := newEnvWith(t, false, func(cfg *web.Config) { cfg.Screenings = cfg.Survivors.(*sqlstoretest.Store) })
			advID, nurseID := e.userID(t, "advocate"), e.userID(t, "nurse")
			s, _, err := e.db.CreateSurvivor(asUser(advID, haven.RoleAdvocate), haven.NewSurvivor{Name: "Synthetic Case Walker"})
			if err != nil {
				t.Fatal(err)
			}
			record := "/survivors/" + s.ID

			// The advocate adds the clinician to the care team.
			adv := newBrowser(t, e)
			adv.setLanguage(lang)
			adv.signIn("advocate", "")
			adv.open(record)
			adv.checkAxe(src, lang+" new record")
			adv.fill("team-add-user", nurseID)
			adv.clickAway("#team-add button", `document.getElementById("team") !== null`)
			if got := adv.text("main > .notice"); got != T("team.done_added") {
				t.Fatalf("adding the clinician: notice %q, want %q", got, T("team.done_added"))
			}

			// The clinician, in a browser of their own, screens.
			nurse := newBrowser(t, e)
			nurse.setLanguage(lang)
			nurse.signIn("nurse", "")
			nurse.open(record)
			nurse.clickAway("#screen-link", `location.pathname.endsWith("/screenings/new")`)
			nurse.do(chromedp.Click(chromedp.CSS(`input[value="haven-rapid-four"]`)))
			nurse.clickAway("#screening-start", `location.search.includes("instrument=haven-rapid-four")`)
			nurse.check(`[name="r-safety-alone"][value="true"]`, `[name="r-safety-language"][value="1"]`,
				`[name="r-safety-private"][value="true"]`, `[name="r-safety-explained"][value="true"]`)
			nurse.do(chromedp.Click(chromedp.ID("screening-update")))
			nurse.waitFor(`document.querySelector('[name="r-leave"]')`)
			nurse.check(`[name="r-leave"][value="true"]`, `[name="r-papers"][value="true"]`,
				`[name="r-threat"][value="true"]`, `[name="r-sex"][value="true"]`)
			nurse.clickAway("#screening-finish", `location.pathname.startsWith("/screenings/")`)
			nurse.checkAxe(src, lang+" clinician's screening result")

			// The advocate confirms the offered domains in the survivor's
			// words, and marks one declined.
			adv.open(record)
			adv.waitFor(`document.querySelector("#suggested-needs li") !== null`)
			adv.checkAxe(src, lang+" record with the screening's domains offered")
			offered := eval[[]string](adv, `Array.from(document.querySelectorAll("#suggested-needs li")).map(li => li.id.replace("suggested-", ""))`)
			if len(offered) < 2 {
				t.Fatalf("offered needs %v, want at least two", offered)
			}
			for i, domain := range offered[:2] {
				adv.fill("sgoal-"+domain, "En mis palabras "+domain)
				adv.fill("spriority-"+domain, []string{"primero", "después"}[i])
				adv.clickAway("#suggested-"+domain+" button", fmt.Sprintf(`document.querySelectorAll("li.need").length === %d`, i+1))
			}
			if n := eval[int](adv, `document.querySelectorAll("li.need").length`); n != 2 {
				t.Fatalf("%d needs after confirming two, want 2", n)
			}
			id := eval[string](adv, `document.querySelector("li.need select").id`)
			adv.fill(id, "declined")
			adv.clickAway("li.need .need-status-form button", `document.querySelector("li.need.need-declined") !== null`)
			if got, want := adv.text("li.need.need-declined .need-status"), T("careplan.status.declined"); got != want {
				t.Errorf("declined shows %q, want %q", got, want)
			}
			adv.checkAxe(src, lang+" care plan with a declined need")

			// A task for the clinician, due tomorrow.
			tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(haven.DateLayout)
			text := "Llamar con intérprete (" + lang + ")"
			adv.fill("task-text", text)
			adv.fill("task-assignee", nurseID)
			adv.fill("task-due", tomorrow)
			adv.clickAway("#task-submit", `location.search.includes("task=added")`)
			adv.checkAxe(src, lang+" record with the task")

			nurse.open("/")
			nurse.waitFor(`document.querySelector("ul.worklist") !== null`)
			if got := nurse.text("main"); !strings.Contains(got, text) || !strings.Contains(got, s.CaseNumber) {
				t.Errorf("the clinician's start page lacks the task: %q", got)
			}
			if strings.Contains(nurse.text("main"), "Synthetic Case Walker") {
				t.Errorf("the start page names the survivor")
			}
			nurse.checkAxe(src, lang+" clinician's start page with the task")
		})
	}
}
