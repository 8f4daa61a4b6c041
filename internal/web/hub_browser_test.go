package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-care/haven/internal/web"
)

// TestBrowserHubSections walks the record's sections as the clinician on
// the care team would, in English, Spanish and Arabic: the screenings
// (one stopped by the safety checklist says so), the contact history
// (a contact with its outcome and note), and an encounter coded from a
// screening's suggestion with its 7th character chosen. axe-core checks
// each page on the way.
func TestBrowserHubSections(t *testing.T) {
	staff, _ := web.Catalogs()
	src := axeSource(t)
	e := screeningEnv(t)
	for _, lang := range []string{"en", "es", "ar"} {
		t.Run(lang, func(t *testing.T) {
			T := func(key string) string { return staff[lang][key] }
			hc := newHubCase(t, e.db, "."+lang)
			record := "/survivors/" + hc.survivor.ID
			b := newBrowser(t, e)
			b.setLanguage(lang)
			b.signIn("team.nurse."+lang, "")
			b.open(record)
			if got := b.text("#screenings"); !strings.Contains(got, T("hub.screening_stopped")) {
				t.Errorf("screenings section %q lacks %q", got, T("hub.screening_stopped"))
			}
			b.checkAxe(src, lang+" record hub")

			b.do(chromedp.Click(chromedp.ID("outcome-message_left")))
			b.fill("contact-note", "Synthetic: left the clinic's number")
			b.clickAway("#contact-submit", `document.getElementById("contacts-list") !== null`)
			if got := b.text("#contacts-list"); !strings.Contains(got, T("contact.outcome.message_left")) || !strings.Contains(got, "Synthetic: left the clinic's number") {
				t.Errorf("contact history %q: want the outcome and the note", got)
			}

			b.clickAway("#coding-choose button", `document.getElementById("encounter-codes") !== null`)
			b.checkAxe(src, lang+" encounter form with suggested codes")
			if lang == "en" {
				eval[bool](b, `document.getElementById("encounter-form-h").scrollIntoView(); true`)
				b.screenshot("record-hub-encounter-codes")
			}
			b.fill("encounter-note", "Synthetic: seen in clinic, wound dressed.")
			eval[bool](b, `document.getElementById("code-T76.61X").click(); document.getElementById("seventh-T76.61X-D").click(); true`)
			b.clickAway("#encounter-submit", `document.getElementById("encounters-list") !== null`)
			if got := b.text("#encounters-list"); !strings.Contains(got, "T76.61XD") || !strings.Contains(got, "Synthetic: seen in clinic") {
				t.Errorf("encounters %q: want the note and T76.61XD", got)
			}
			b.checkAxe(src, lang+" record hub with an encounter and a contact")
		})
	}
}
