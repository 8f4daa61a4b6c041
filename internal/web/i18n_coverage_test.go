package web_test

import (
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/directory/live"
	"github.com/haven-care/haven/internal/places"
	"github.com/haven-care/haven/internal/screening"
	"github.com/haven-care/haven/internal/server"
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
// reaches (administrator, advocate, clinician, supervisor, analyst,
// directory editor), in Spanish, French and Arabic, and fails on any text that is
// the English of a catalog message whose translation differs, or one of
// the English-only texts Haven shows from outside the catalogs (need
// names, instrument titles, ICD-10-CM descriptions, match reasons).
// Survivor-entered data and proper names are not catalog texts.
func TestPagesShowNoEnglishInOtherLanguages(t *testing.T) {
	var cfg web.Config
	e := newEnvWith(t, false, func(c *web.Config) { cfg = *c })
	staff, _ := web.Catalogs()
	d, err := directory.GenerateDirectoryAround("Austin", 120, 5)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := e.db.ImportDirectory(haven.WithSystem(ctx, access.JobImportHSDS), d, nil); err != nil {
		t.Fatal(err)
	}
	if cfg.Directory, err = live.Build(haven.WithSystem(ctx, access.JobDirectoryIndex), e.db); err != nil {
		t.Fatal(err)
	}
	cfg.ClinicLocations, _ = places.ParseLocations("Main clinic=78701")
	h, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := server.New(slog.New(slog.DiscardHandler), e.db)
	h.Mount(s)
	e.srv = httptest.NewServer(s.Handler())
	t.Cleanup(e.srv.Close)
	for _, role := range []haven.Role{haven.RoleSupervisor, haven.RoleAnalyst, haven.RoleEditor} {
		mustUser(t, e.db, string(role), "Sam Tester", role)
	}
	// english[lang] maps the English of each message that lang translates
	// differently to its key; an English text that some message keeps in
	// lang (a word both languages share) may be that message, and is left.
	english := map[string]map[string]string{}
	for _, lang := range []string{"es", "fr", "ar"} {
		english[lang] = map[string]string{}
		kept := map[string]bool{}
		for key, en := range staff["en"] {
			if staff[lang][key] == en {
				kept[en] = true
			} else if len(en) >= 4 && strings.ContainsFunc(en, func(r rune) bool { return r >= 'a' && r <= 'z' }) {
				english[lang][en] = key
			}
		}
		for en := range kept {
			delete(english[lang], en)
		}
	}
	// known[lang] are the English-only texts that lang does not write the
	// same way (French writes Immigration too).
	known := map[string][]string{}
	for _, lang := range []string{"es", "fr", "ar"} {
		same := map[string]bool{}
		for _, v := range staff[lang] {
			same[v] = true
		}
		for _, k := range englishOnly(t) {
			if !same[k] {
				known[lang] = append(known[lang], k)
			}
		}
	}
	adv := client(t)
	signIn(t, e, adv, "advocate", "")
	record := createSurvivor(t, e, adv, survivorForm())
	resp, _ := finishRapid(t, e, adv, e.srv.URL+record+"/screenings/new?instrument=haven-rapid-four",
		url.Values{"r-leave": {"true"}, "r-papers": {"true"}, "r-threat": {"true"}, "r-sex": {"true"}})
	result := resp.Header.Get("Location")
	start := []string{"/", "/directory", "/directory?need=food&need=housing&need=shelter&language=vi&age=17&trauma_informed=true",
		"/directory?need=food&near=00000", "/directory?need=food&near=Austin", record, result, "/survivors/new"}
	usernames := map[string]bool{}
	for _, u := range []string{"admin", "advocate", "nurse", "supervisor", "analyst", "directory_editor"} {
		usernames[u] = true
	}
	for role := range usernames {
		c := client(t)
		code := ""
		if role == "admin" {
			code = e.code(t)
		}
		signIn(t, e, c, role, code)
		for _, lang := range []string{"es", "fr", "ar"} {
			pages := 0
			c.Jar.SetCookies(mustURL(t, e.srv.URL), []*http.Cookie{{Name: "haven_lang", Value: lang, Path: "/"}})
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
				pages++
				for _, m := range sameSiteLink.FindAllStringSubmatch(body, -1) {
					if u := html.UnescapeString(m[1]); !seen[u] && strings.Count(u, "?") <= 1 && len(queue) < 400 {
						queue = append(queue, u)
					}
				}
				if strings.HasPrefix(p, "/admin/translations") {
					continue // the survivors' texts in every language, English among them, for review
				}
				for _, text := range pageTexts(body) {
					if usernames[text] {
						continue // data: the accounts are named after their roles
					}
					if key, ok := english[lang][text]; ok {
						t.Errorf("%s %s %s: %q is English (catalog %s)", role, lang, p, text, key)
					}
					for _, k := range known[lang] {
						// A long text is found inside a line ("date — title"); a
						// short one only alone, as a service's name may start
						// with a need's ("Food 12").
						if text == k || len(k) >= 20 && strings.Contains(text, k) {
							t.Errorf("%s %s %s: %q holds the English %q", role, lang, p, text, k)
						}
					}
				}
			}
			if pages < 8 {
				t.Errorf("%s %s: walked %d pages, want at least 8", role, lang, pages)
			}
			t.Logf("%s %s: %d pages", role, lang, pages)
		}
	}
}

// TestPasswordProblemsInThePagesLanguage: a refused password says why in
// the page's language, not in the store's English.
func TestPasswordProblemsInThePagesLanguage(t *testing.T) {
	e := newEnv(t, false)
	staff, _ := web.Catalogs()
	c := client(t)
	signIn(t, e, c, "advocate", "")
	c.Jar.SetCookies(mustURL(t, e.srv.URL), []*http.Cookie{{Name: "haven_lang", Value: "es", Path: "/"}})
	for _, tt := range []struct{ current, next, key string }{
		{testPassword, "short", "password.err.short"},
		{"not the password", "a long enough new password", "password.err.current"},
	} {
		_, body := post(t, c, e.srv.URL+"/account/password", url.Values{"current_password": {tt.current}, "new_password": {tt.next},
			"repeat_password": {tt.next}})
		want := strings.SplitN(staff["es"][tt.key], "%", 2)[0]
		if !strings.Contains(body, html.EscapeString(want)) {
			t.Errorf("%s: the page does not say %q", tt.key, want)
		}
	}
}

// TestErrorPageInThePagesLanguage: an error page says what went wrong in
// the page's language, not in the store's English.
func TestErrorPageInThePagesLanguage(t *testing.T) {
	e := newEnv(t, false)
	staff, _ := web.Catalogs()
	c := client(t)
	signIn(t, e, c, "advocate", "")
	for _, lang := range []string{"es", "fr", "ar"} {
		c.Jar.SetCookies(mustURL(t, e.srv.URL), []*http.Cookie{{Name: "haven_lang", Value: lang, Path: "/"}})
		resp, body := get(t, c, e.srv.URL+"/admin/translations")
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, html.EscapeString(staff[lang]["error.kind.forbidden"])) ||
			strings.Contains(body, "Your role does not give access") {
			t.Errorf("%s: status=%d, want 403 saying %q", lang, resp.StatusCode, staff[lang]["error.kind.forbidden"])
		}
	}
}
