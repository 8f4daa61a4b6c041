package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserGapWalk: the analyst walks the gap report in English and in
// Arabic — the main report, its chart, another breakdown, representation
// with a reference population, and a CSV export — with axe-core checking
// every page.
func TestBrowserGapWalk(t *testing.T) {
	src := axeSource(t)
	e := newGapEnv(t, 500)
	b := newBrowser(t, e)
	b.signIn("analyst", "")
	for _, lang := range []string{"en", "ar"} {
		if lang != "en" {
			b.setLanguage(lang)
		}
		b.open("/")
		b.clickAway(`a[href="/gap"]`, `document.querySelector("svg[role=img]") !== null`)
		if n := eval[int](b, `document.querySelectorAll("svg[role=img] rect").length`); n < 10 {
			t.Errorf("%s: the chart has %d bars and frames", lang, n)
		}
		if got := eval[string](b, `document.getElementById("gap-chart-title").textContent`); got == "" {
			t.Errorf("%s: the chart has no title", lang)
		}
		b.checkAxe(src, lang+" gap report")
		b.fill("population", "referrals")
		b.clickAway(`form[action="/gap"] button`, `new URLSearchParams(location.search).get("population") === "referrals"`)
		b.fill("by", "language")
		b.clickAway(`form[action="/gap"] button`, `new URLSearchParams(location.search).get("by") === "language"`)
		b.checkAxe(src, lang+" referrals by language")
		csv, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](
			`fetch(document.querySelector("a[download]").href).then(r => r.text())`, chromedp.EvalAwaitPromise))
		if err != nil || !strings.HasPrefix(csv, "language,waiting,") || !strings.Contains(csv, "<11") {
			t.Errorf("%s: CSV export %v:\n%s", lang, err, csv)
		}
		b.open("/gap?population=survivors&by=gender")
		b.fill("reference", "group,count\nfemale,100\nmale,900\n")
		b.clickAway(`#reference-form button`, `document.querySelector("#reference-form") !== null && document.body.textContent.includes("10.0%")`)
		b.checkAxe(src, lang+" representation with a reference")
		b.open("/gap?population=supply&by=area&km=25")
		b.checkAxe(src, lang+" supply by area")
	}
}
