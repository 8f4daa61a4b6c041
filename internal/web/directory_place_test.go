package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/places"
)

// TestDirectorySearchNearAPlace: staff search near a ZIP code, a city or
// a saved clinic location, the clinic's own when they type none, never by
// typing coordinates (folded away as an advanced choice); a place that
// cannot be found says what to do, in the page's language, and a city
// several states share offers each as a link.
func TestDirectorySearchNearAPlace(t *testing.T) {
	d, err := directory.GenerateDirectoryAround("Austin", 150, 3)
	if err != nil {
		t.Fatal(err)
	}
	clinics, err := places.ParseLocations("Main clinic=78701; Far clinic=10001")
	if err != nil {
		t.Fatal(err)
	}
	e, _ := serveDirectory(t, newEnv(t, false), d, clinics)
	c := client(t)
	signIn(t, e, c, "advocate", "")

	_, form := get(t, c, e.srv.URL+"/directory")
	coords := strings.Index(form, `<details id="coordinates">`)
	if !strings.Contains(form, `name="near"`) || !strings.Contains(form, `<option value="Main clinic">`) || coords < 0 ||
		strings.Index(form, `name="lat"`) < coords || strings.Index(form, `name="lon"`) < coords {
		t.Errorf("the form does not offer a ZIP code or city and the clinic locations, with the coordinates folded away (details at %d, lat at %d)",
			coords, strings.Index(form, `name="lat"`))
	}

	results := func(body string) bool { return strings.Contains(body, `<ol class="results">`) }
	for _, tt := range []struct{ query, near string }{
		{"near=78701", "78701 Austin, TX"},
		{"near=" + url.QueryEscape("Austin, TX"), "Austin, TX"},
		{"near=&location=", "Main clinic"},
		{"near=", "Main clinic"},
	} {
		resp, body := get(t, c, e.srv.URL+"/directory?need=food&need=mental-health&need=housing&"+tt.query)
		if resp.StatusCode != http.StatusOK || !results(body) || !strings.Contains(body, "<bdi>"+html.EscapeString(tt.near)+"</bdi>") {
			t.Errorf("%s: status=%d, results=%v, want services near %q", tt.query, resp.StatusCode, results(body), tt.near)
		}
	}
	if _, body := get(t, c, e.srv.URL+"/directory?need=food&need=mental-health&near=&location=Far+clinic"); results(body) {
		t.Error("a search near the far clinic (New York) finds Austin's services")
	}

	for _, tt := range []struct{ lang, query, want string }{
		{"en", "near=00000", "Haven does not know this ZIP code"},
		{"es", "near=00000", "Haven no conoce este código postal"},
		{"en", "near=7870", "That is not a ZIP code"},
		{"fr", "near=Atlantis", "Haven ne connaît aucune ville"},
		{"ar", "near=78701&lat=30&lon=-97", "حدّد مكانًا واحدًا"},
		{"en", "near=&location=Moon", "Choose one of the saved clinic locations"},
	} {
		lc := client(t)
		lc.Jar.SetCookies(mustURL(t, e.srv.URL), []*http.Cookie{{Name: "haven_lang", Value: tt.lang, Path: "/"}})
		signIn(t, e, lc, "advocate", "")
		resp, body := get(t, lc, e.srv.URL+"/directory?need=food&"+tt.query)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, html.EscapeString(tt.want)) || !strings.Contains(body, `class="field-error"`) {
			t.Errorf("%s %s: status=%d, want 400 saying %q", tt.lang, tt.query, resp.StatusCode, tt.want)
		}
	}

	resp, body := get(t, c, e.srv.URL+"/directory?need=food&near=Austin")
	want := `href="/directory?near=Austin%2C&#43;TX&amp;need=food"`
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="near-choices"`) || !strings.Contains(body, want) {
		t.Errorf("an ambiguous city: status=%d, want the choices, among them %s", resp.StatusCode, want)
	}
}

// TestDirectoryResultsIsolateEnglishInArabic: on a right-to-left page, the
// names, places and distances a directory holds in English are isolated
// (bdi), so that their words and punctuation keep their order.
func TestDirectoryResultsIsolateEnglishInArabic(t *testing.T) {
	d, err := directory.GenerateDirectoryAround("Austin", 60, 3)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := serveDirectory(t, newEnv(t, false), d, nil)
	c := client(t)
	signIn(t, e, c, "advocate", "")
	c.Jar.SetCookies(mustURL(t, e.srv.URL), []*http.Cookie{{Name: "haven_lang", Value: "ar", Path: "/"}})
	_, body := get(t, c, e.srv.URL+"/directory?need=food&need=housing&near=78701")
	results := body[strings.Index(body, `<ol class="results">`)+1:]
	for _, want := range []string{`<strong><bdi>`, ` · <bdi>Synthetic Organization`, `(<bdi>`, `<br><bdi>`, `<bdi>78701 Austin, TX</bdi>`} {
		if !strings.Contains(body, want) || strings.Count(results, "<li><a") > strings.Count(results, "<strong><bdi>") {
			t.Errorf("the Arabic results do not isolate %s", want)
		}
	}
	// Opening hours name their days in the page's language.
	if strings.Contains(results, "Mon") || !strings.Contains(results, "الاثنين") {
		t.Error("the Arabic results name the days of opening hours in English")
	}
}
