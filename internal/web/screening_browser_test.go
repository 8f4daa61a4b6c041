package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-care/haven/internal/web"
)

// TestBrowserScreening walks a screening from the survivor's record to the
// result, in English and in Spanish, as a worker would: choose the rapid
// screen, answer the safety checklist, see the questions the server
// enables, answer them and read the result. axe-core checks every page.
func TestBrowserScreening(t *testing.T) {
	staff, _ := web.Catalogs()
	src := axeSource(t)
	e := screeningEnv(t)
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			T := func(key string) string { return staff[lang][key] }
			c := client(t)
			signIn(t, e, c, "advocate", "")
			record := createSurvivor(t, e, c, survivorForm())
			b := newBrowser(t, e)
			b.setLanguage(lang)
			b.signIn("advocate", "")
			b.open(record)
			b.clickAway("#screen-link", `location.pathname.endsWith("/screenings/new")`)
			b.checkAxe(src, lang+" instrument chooser")

			b.do(chromedp.Click(chromedp.CSS(`input[value="haven-rapid-four"]`)))
			b.clickAway("#screening-start", `location.search.includes("instrument=haven-rapid-four")`)
			if eval[bool](b, `!!document.querySelector('[name="r-leave"]')`) {
				t.Error("a screening question is shown before the safety checklist is answered")
			}
			b.checkAxe(src, lang+" safety checklist")

			b.check(`[name="r-safety-alone"][value="true"]`, `[name="r-safety-language"][value="1"]`,
				`[name="r-safety-private"][value="true"]`, `[name="r-safety-explained"][value="true"]`)
			// The script posts with fetch and writes the answer into the same
			// window, so wait for the new questions rather than a new window.
			b.do(chromedp.Click(chromedp.ID("screening-update")))
			b.waitFor(`document.querySelector('[name="r-leave"]')`)
			if got := b.text("main > .notice:not(.warn)"); got != T("screening.more_shown") {
				t.Errorf("notice=%q, want %q", got, T("screening.more_shown"))
			}
			b.checkAxe(src, lang+" screening questions")

			b.check(`[name="r-leave"][value="true"]`, `[name="r-papers"][value="false"]`,
				`[name="r-threat"][value="false"]`, `[name="r-sex"][value="false"]`)
			b.clickAway("#screening-finish", `location.pathname.startsWith("/screenings/")`)
			b.checkResult(T, lang)
			b.checkAxe(src, lang+" screening result")
			if lang == "en" {
				b.screenshot("screening-result")
			}
		})
	}
}

// check clicks each radio or checkbox matching the selectors.
func (b *browser) check(sels ...string) {
	b.t.Helper()
	for _, sel := range sels {
		b.do(chromedp.Click(chromedp.CSS(sel)))
	}
}

// checkResult checks the result of one "yes" on the labor item for an
// adult: a prompt, not a diagnosis; moderate concern; the hotline; the
// suspected adult labor code.
func (b *browser) checkResult(T func(string) string, lang string) {
	b.t.Helper()
	if got := b.text("#not-diagnosis"); got != T("screening.prompt_not_diagnosis") {
		b.t.Errorf("notice=%q, want %q", got, T("screening.prompt_not_diagnosis"))
	}
	want := T("screening.concern.moderate")
	if lang == "en" {
		want = "moderate"
	}
	if got := b.text("#concern"); got != want {
		b.t.Errorf("concern=%q, want %q", got, want)
	}
	if got := b.text("#next-steps"); !strings.Contains(got, "1-888-373-7888") || !strings.Contains(got, T("screening.step.safety-plan")) {
		b.t.Errorf("next steps=%q, want the hotline and the safety-plan step", got)
	}
	if got := b.text("#codes"); !strings.Contains(got, "T76.61XA") {
		b.t.Errorf("codes=%q, want T76.61XA (suspected adult forced labor, initial)", got)
	}
}
