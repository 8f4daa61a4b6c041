package web_test

import (
	"testing"
)

// TestBrowserDirectoryResults runs axe-core on a filled results page (each
// result with its place, phone, hours and languages), in English and in
// Arabic.
func TestBrowserDirectoryResults(t *testing.T) {
	e, _ := withDirectory(t, newEnv(t, false))
	src := axeSource(t)
	b := newBrowser(t, e)
	b.signIn("advocate", "")
	for _, lang := range []string{"en", "ar"} {
		b.setLanguage(lang)
		b.open("/directory?need=shelter&need=housing&include_remote=true")
		if !eval[bool](b, `document.querySelectorAll("ol.results dl.site").length > 0`) {
			t.Fatalf("%s: the results page shows no result details", lang)
		}
		b.checkAxe(src, lang+" directory results")
	}
}
