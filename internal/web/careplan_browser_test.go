package web_test

import (
	"testing"

	"github.com/haven-care/haven/internal/web"
)

// TestBrowserCarePlan walks the care plan as an advocate would, in
// English and Spanish: the screening's indicators are offered, one is
// confirmed with the survivor's words, then marked "survivor declined".
// axe-core checks each state of the page.
func TestBrowserCarePlan(t *testing.T) {
	staff, _ := web.Catalogs()
	src := axeSource(t)
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			e, record := planRecord(t)
			b := newBrowser(t, e)
			b.setLanguage(lang)
			b.signIn("team.advocate", "")
			b.open(record)
			b.waitFor(`document.getElementById("suggested-safety") !== null`)
			b.checkAxe(src, lang+" record with suggested needs")

			b.fill("sgoal-safety", "Sentirme segura al volver a casa")
			b.fill("spriority-safety", "ahora")
			b.clickAway("#suggested-safety button", `document.querySelector("li.need") !== null`)
			if got := b.text("li.need dd"); got != "Sentirme segura al volver a casa" {
				t.Errorf("goal shown %q, want the survivor's words", got)
			}
			b.checkAxe(src, lang+" record with a confirmed need")

			id := eval[string](b, `document.querySelector("li.need select").id`)
			b.fill(id, "declined")
			b.clickAway("li.need .need-status-form button", `document.querySelector("li.need.need-declined") !== null`)
			if got, want := b.text("li.need .need-status"), staff[lang]["careplan.status.declined"]; got != want {
				t.Errorf("status shown %q, want %q", got, want)
			}
			eval[bool](b, `document.querySelectorAll("li.need details").forEach(d => d.open = true); true`)
			b.checkAxe(src, lang+" record with a declined need, history open")
		})
	}
}
