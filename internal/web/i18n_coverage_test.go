package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/places"
	"github.com/haven-care/haven/internal/screening"
	"github.com/haven-care/haven/internal/web"
)

var (
	htmlComment  = regexp.MustCompile(`(?s)<!--.*?-->|<script.*?</script>|<style.*?</style>`)
	htmlTag      = regexp.MustCompile(`(?s)<[^>]*>`)
	shownAttr    = regexp.MustCompile(`(?:aria-label|title|placeholder|alt)="([^"]*)"`)
	sameSiteLink = regexp.MustCompile(`href="(/[^"#]*)"`)
)

// pageTexts returns what a page shows a person: its text nodes and the
// labels of its attributes, each trimmed and unescaped.
func pageTexts(body string) []string {
	body = htmlComment.ReplaceAllString(body, " ")
	var out []string
	for _, m := range shownAttr.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	for _, s := range htmlTag.Split(body, -1) {
		if s = strings.TrimSpace(html.UnescapeString(s)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// englishOnly lists what a page may show that comes from outside the
// catalogs and so must be translated where it is shown: need names,
// instrument titles, ICD-10-CM descriptions, and the directory's match and
// near-miss reasons.
func englishOnly(t *testing.T) []string {
	var out []string
	for _, n := range haven.Needs {
		out = append(out, n.Name)
	}
	ins, err := screening.Instruments()
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range ins {
		out = append(out, in.Title)
	}
	for _, c := range allCodes() {
		out = append(out, c.Display)
	}
	for _, c := range directory.ReasonCodes() {
		out = append(out, directory.Reason{Code: c}.String())
	}
	return out
}

// allCodes are every ICD-10-CM code the screening rules suggest.
func allCodes() []screening.Code {
	var out []screening.Code
	for _, x := range []screening.Exploitation{screening.Sexual, screening.Labor} {
		for _, f := range []screening.Finding{screening.Suspected, screening.Confirmed, screening.RuledOut, screening.History} {
			for _, enc := range []screening.Encounter{screening.Initial, screening.Subsequent, screening.Sequela} {
				for _, minor := range []bool{false, true} {
					c, err := screening.SuggestCode(screening.CodingInput{Exploitation: x, Finding: f, Encounter: enc, Minor: minor, InChildhood: minor})
					if err == nil && !slices.Contains(out, c) {
						out = append(out, c)
					}
				}
			}
		}
	}
	return out
}

// TestReasonsAndCodesHaveTranslations: every match and near-miss reason,
// and every suggested code, has its text in each staff catalog.
func TestReasonsAndCodesHaveTranslations(t *testing.T) {
	staff, _ := web.Catalogs()
	for _, lang := range web.StaffLanguages {
		for _, c := range directory.ReasonCodes() {
			if staff[lang]["reason."+c] == "" {
				t.Errorf("%s: no text for the reason %s", lang, c)
			}
		}
		for _, c := range allCodes() {
			if web.CodeText(staff[lang], c.Code) == "" {
				t.Errorf("%s: no text for the code %s", lang, c.Code)
			}
		}
	}
}

// TestPagesShowNoEnglishInOtherLanguages walks the pages each role
// reaches, in Spanish, French and Arabic, and fails on any text that is
// the English of a catalog message whose translation differs, or one of
// the English-only texts Haven shows from outside the catalogs (need
// names, instrument titles, ICD-10-CM descriptions, match reasons).
// Survivor-entered data and proper names are not catalog texts.
func TestPagesShowNoEnglishInOtherLanguages(t *testing.T) {
	e := newEnv(t, false)
	staff, _ := web.Catalogs()
	d, err := directory.GenerateDirectoryAround("Austin", 120, 5)
	if err != nil {
		t.Fatal(err)
	}
	clinics, _ := places.ParseLocations("Main clinic=78701")
	e, _ = serveDirectory(t, e, d, clinics)
	for _, role := range []haven.Role{haven.RoleSupervisor, haven.RoleAnalyst, haven.RoleEditor} {
		mustUser(t, e.db, string(role), "", role)
	}
	// English texts that a translation changes, longest first, so that a
	// text holding a shorter one is named by the longest.
	english := map[string]string{}
	for key, en := range staff["en"] {
		if len(en) < 4 || !strings.ContainsFunc(en, func(r rune) bool { return r >= 'a' && r <= 'z' }) {
			continue
		}
		for _, lang := range []string{"es", "fr", "ar"} {
			if staff[lang][key] != en {
				english[en] = key
			}
		}
	}
	known := englishOnly(t)
	adv := client(t)
	signIn(t, e, adv, "advocate", "")
	record := createSurvivor(t, e, adv, survivorForm())
	resp, _ := finishRapid(t, e, adv, e.srv.URL+record+"/screenings/new?instrument=haven-rapid-four",
		url.Values{"r-leave": {"true"}, "r-papers": {"true"}, "r-threat": {"true"}, "r-sex": {"true"}})
	result := resp.Header.Get("Location")
	start := []string{"/", "/directory", "/directory?need=food&need=housing&need=shelter&language=vi&age=17&trauma_informed=true",
		"/directory?need=food&near=00000", "/directory?need=food&near=Austin", record, result, "/survivors/new"}
	for _, role := range []string{"advocate", "nurse", "supervisor", "analyst", "editor"} {
		for _, lang := range []string{"es", "fr", "ar"} {
			c := client(t)
			c.Jar.SetCookies(mustURL(t, e.srv.URL), []*http.Cookie{{Name: "haven_lang", Value: lang, Path: "/"}})
			signIn(t, e, c, role, "")
			seen := map[string]bool{}
			queue := slices.Clone(start)
			for len(queue) > 0 && len(seen) < 80 {
				p := queue[0]
				queue = queue[1:]
				if seen[p] || strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/exit") || strings.HasPrefix(p, "/signout") {
					continue
				}
				seen[p] = true
				resp, body := get(t, c, e.srv.URL+p)
				if resp.StatusCode >= 300 {
					continue
				}
				for _, m := range sameSiteLink.FindAllStringSubmatch(body, -1) {
					if u := html.UnescapeString(m[1]); !seen[u] && strings.Count(u, "?") <= 1 && len(queue) < 400 {
						queue = append(queue, u)
					}
				}
				for _, text := range pageTexts(body) {
					if key, ok := english[text]; ok {
						t.Errorf("%s %s %s: %q is English (catalog %s)", role, lang, p, text, key)
					}
					for _, k := range known {
						if len(k) >= 4 && strings.Contains(text, k) {
							t.Errorf("%s %s %s: %q holds the English %q", role, lang, p, text, k)
						}
					}
				}
			}
		}
	}
}
