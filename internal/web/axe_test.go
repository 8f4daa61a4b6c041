package web_test

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource reads axe-core's bundle. It is required when the browser is.
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(axeFile)
	if err != nil {
		if os.Getenv("HAVEN_TEST_BROWSER_REQUIRED") == "1" {
			t.Fatalf("axe-core missing (run npm ci at the repository root): %v", err)
		}
		t.Skipf("axe-core missing (run npm ci at the repository root): %v", err)
	}
	return string(b)
}

// axeRun is evaluated after axe.min.js is injected through the DevTools
// protocol (the page's CSP does not apply to it). It returns the serious
// and critical violations, one line each.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
	.filter(v => v.impact === "serious" || v.impact === "critical")
	.map(v => v.impact + " " + v.id + ": " + v.help + " at " + v.nodes.map(n => n.target.join(" ")).join(", ")))`

// checkAxe runs axe-core on the current page and reports serious and
// critical violations.
func (b *browser) checkAxe(src, page string) {
	b.t.Helper()
	eval[bool](b, src+"; true")
	found, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe on %s: %v", page, err)
	}
	if len(found) > 0 {
		b.t.Errorf("axe on %s: %d serious or critical violations:\n%s", page, len(found), strings.Join(found, "\n"))
	}
}

// TestBrowserAccessibility runs axe-core on every page, signed out and
// signed in, in English and in Arabic, and takes the screenshots.
func TestBrowserAccessibility(t *testing.T) {
	e := newEnv(t, true)
	src := axeSource(t)
	b := newBrowser(t, e)
	public := []struct{ path, shot string }{{"/signin", "signin"}, {"/quick-exit", "quick-exit-note"}, {"/no-such-page", ""}}
	private := []struct{ path, shot string }{
		{"/", "home"}, {"/sessions", "sessions"}, {"/admin/translations", "translations"},
		{"/survivor-texts?lang=es", "survivor-texts"}, {"/survivor-texts?lang=ar", "survivor-texts-ar"}, {"/no-such-page", "not-found"},
		// The survivor pages as an administrator sees them (an empty list, a
		// refused form); TestBrowserSurvivorRecord checks them filled in.
		{"/survivors", ""}, {"/survivors/new", ""}, {"/screening-accuracy?tp=76&fn=14&fp=306&tn=414", ""}, {"/account/two-step", ""}, {"/account/password", ""}, {"/account/tokens", ""}, {"/admin/users", ""}, {"/emergency-access", ""}, {"/review/emergency-access", ""}, {"/review/duplicates", ""}, {"/directory?need=shelter", ""},
	}
	for _, lang := range []string{"en", "ar"} {
		b.setLanguage(lang)
		for _, p := range public {
			b.open(p.path)
			b.checkAxe(src, lang+" "+p.path)
			if lang == "en" && p.shot != "" {
				b.screenshot(p.shot)
			}
		}
	}
	b.setLanguage("en")
	b.signIn("admin", e.code(t))
	for _, lang := range []string{"en", "ar"} {
		b.setLanguage(lang)
		for _, p := range private {
			b.open(p.path)
			b.checkAxe(src, lang+" "+p.path)
			if p.shot != "" && (lang == "en" || p.path == "/") {
				b.screenshot(p.shot + map[string]string{"en": "", "ar": "-in-arabic"}[lang])
			}
		}
	}
}

// setLanguage chooses the interface language with the footer form.
func (b *browser) setLanguage(lang string) {
	b.t.Helper()
	b.open("/quick-exit")
	b.fill("lang-choice", lang)
	b.clickAway("form.lang button", `document.documentElement.lang === "`+lang+`"`)
}
