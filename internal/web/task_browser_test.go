package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/web"
)

// TestBrowserTasks walks the record's Tasks section as an advocate would,
// in English and Spanish: an empty form is refused beside its fields, a
// task due tomorrow for the clinician is added, and it appears on the
// clinician's start page. axe-core checks every page on the way.
func TestBrowserTasks(t *testing.T) {
	staff, _ := web.Catalogs()
	src := axeSource(t)
	e := newEnv(t, false)
	advCtx := actorOf(t, e, "advocate", haven.RoleAdvocate)
	s, _, err := e.db.CreateSurvivor(advCtx, haven.NewSurvivor{Name: "Synthetic Browser Person",
		SafeContact: haven.SafeContactPlan{Channels: []haven.ContactChannel{haven.ChannelSMS}}})
	if err != nil {
		t.Fatal(err)
	}
	nurseID := userID(t, e, "nurse")
	if err := e.db.AddCareTeamMember(advCtx, s.ID, nurseID); err != nil {
		t.Fatal(err)
	}
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(haven.DateLayout)
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			T := func(key string) string { return staff[lang][key] }
			b := newBrowser(t, e)
			b.setLanguage(lang)
			b.signIn("advocate", "")
			b.checkAxe(src, lang+" advocate's start page")
			b.open("/survivors/" + s.ID)
			b.checkAxe(src, lang+" record with its tasks")

			b.do(chromedp.Click(chromedp.ID("task-submit")))
			b.waitFor(`document.getElementById("task-text-error")`)
			if got := b.text("#task-text-error"); got != T("task.error_text") {
				t.Errorf("text error=%q, want %q", got, T("task.error_text"))
			}
			b.checkAxe(src, lang+" task form with errors")

			text := "Bring the interpreter (" + lang + ")"
			b.fill("task-text", text)
			b.fill("task-assignee", nurseID)
			b.fill("task-due", tomorrow)
			b.clickAway("#task-submit", `location.search.includes("task=added")`)
			if got := b.text("#tasks"); !strings.Contains(got, text) {
				t.Errorf("tasks section %q lacks the new task", got)
			}
			b.checkAxe(src, lang+" record with a new task")
			if lang == "en" {
				b.do(chromedp.ScrollIntoView("#tasks"))
				b.screenshot("record-tasks")
			}

			n := newBrowser(t, e)
			n.setLanguage(lang)
			n.signIn("nurse", "")
			if got := n.text("#work-soon"); !strings.Contains(got, text) || !strings.Contains(got, s.CaseNumber) {
				t.Errorf("the nurse's due-soon list %q lacks the task by case number", got)
			}
			n.checkAxe(src, lang+" clinician's worklist")
			if lang == "en" {
				n.screenshot("start-page-worklist")
			}
		})
	}
}
