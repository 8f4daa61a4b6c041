package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-care/haven/internal/training"
	"github.com/haven-care/haven/internal/web"
)

// setLang chooses the interface language of c's pages (the footer form's
// cookie).
func setLang(t *testing.T, c *http.Client, base, lang string) {
	t.Helper()
	u, _ := url.Parse(base)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "haven_lang", Value: lang, Path: "/"}})
}

// attemptScore reads the right answers and the total off a result page, in
// any language.
var attemptScore = regexp.MustCompile(`id="quiz-result"><strong>[^<]+</strong>\D*(\d+)\D+(\d+)`)

// TestTrainingModuleInEachLanguage: the module, quiz, result and
// certificate pages show the module in the page's language; a quiz
// answered from a Spanish or Arabic page grades exactly as from the
// English one; in Arabic, Latin-script terms are isolated.
func TestTrainingModuleInEachLanguage(t *testing.T) {
	e := newEnv(t, false)
	nurse := client(t)
	signIn(t, e, nurse, "nurse", "")
	results := map[string][]string{}
	for _, lang := range []string{"en", "es", "fr", "ar"} {
		setLang(t, nurse, e.srv.URL, lang)
		m, textLang, _ := training.ModuleIn("safety-checklist", lang)
		if textLang != lang {
			t.Fatalf("%s: the module's text is in %s", lang, textLang)
		}
		resp, body := get(t, nurse, e.srv.URL+"/training/modules/safety-checklist")
		if resp.StatusCode != 200 || !strings.Contains(body, `<html lang="`+lang+`"`) || strings.Contains(body, "module-untranslated") {
			t.Fatalf("%s module page: status %d, or marked untranslated", lang, resp.StatusCode)
		}
		for _, want := range []string{m.Objectives[0], m.Sections[1].Heading, m.Questions[2].Options[1]} {
			if !strings.Contains(body, htmlEscape(want)) {
				t.Errorf("%s module page lacks %q", lang, want)
			}
		}
		if lang == "ar" && (!strings.Contains(body, "<bdi>Haven</bdi>") || !strings.Contains(body, "<bdi>Escape</bdi>") || !strings.Contains(body, `dir="rtl"`)) {
			t.Error("the Arabic module page does not isolate Haven and Escape, or is not right to left")
		}
		if _, body := get(t, nurse, e.srv.URL+"/training"); !strings.Contains(body, ">"+htmlEscape(m.Title)+"</a>") {
			t.Errorf("%s training page lacks the module's title", lang)
		}
		// All wrong, four of five right, all right: the same grades in
		// every language.
		fourOfFive := quizForm("safety-checklist", true)
		fourOfFive.Set("q-q1", quizForm("safety-checklist", false).Get("q-q1"))
		for i, form := range []url.Values{quizForm("safety-checklist", false), fourOfFive, quizForm("safety-checklist", true)} {
			resp, _ := post(t, nurse, e.srv.URL+"/training/modules/safety-checklist", form)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s quiz status %d", lang, resp.StatusCode)
			}
			loc := resp.Header.Get("Location")
			_, body := get(t, nurse, e.srv.URL+loc)
			score := attemptScore.FindStringSubmatch(body)
			if score == nil || !strings.Contains(body, ">"+htmlEscape(m.Title)+"</h1>") {
				t.Fatalf("%s result page: no score or no title; body:\n%s", lang, body)
			}
			passed := strings.Contains(body, `id="certificate-link"`)
			results[lang] = append(results[lang], fmt.Sprintf("%s/%s passed=%v", score[1], score[2], passed))
			if i == 2 {
				_, cert := get(t, nurse, e.srv.URL+strings.Replace(loc, "attempts", "certificates", 1))
				if !strings.Contains(cert, `id="certificate-module">`+htmlEscape(m.Title)+`<`) {
					t.Errorf("%s certificate does not name the module as %q", lang, m.Title)
				}
			}
		}
	}
	if want := "0/5 passed=false|4/5 passed=true|5/5 passed=true"; strings.Join(results["en"], "|") != want {
		t.Errorf("English grades %v, want %s", results["en"], want)
	}
	for _, lang := range []string{"es", "fr", "ar"} {
		if strings.Join(results[lang], "|") != strings.Join(results["en"], "|") {
			t.Errorf("%s grades %v, English %v", lang, results[lang], results["en"])
		}
	}
}

// htmlEscape is html/template's escaping of the module texts' characters.
func htmlEscape(s string) string {
	return strings.NewReplacer("'", "&#39;", `"`, "&#34;", "&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// TestTrainingModuleFallsBackToEnglish: on a page in a language the
// modules are not translated into, the module shows in English, marked
// as English, with a notice that says so.
func TestTrainingModuleFallsBackToEnglish(t *testing.T) {
	e := newEnv(t, false)
	en, _ := training.Module("minors")
	body, err := e.handler.RenderTrainingModule("de", "minors")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, `id="module-untranslated"`) || !strings.Contains(body, "not translated into your language") {
		t.Error("no notice that the module is shown in English")
	}
	if !strings.Contains(body, `<h1 lang="en" dir="ltr">`+en.Title+`</h1>`) {
		t.Error("the English title is not marked as English")
	}
	body, err = e.handler.RenderTrainingModule("es", "minors")
	if err != nil {
		t.Fatal(err)
	}
	es, _, _ := training.ModuleIn("minors", "es")
	if strings.Contains(body, "module-untranslated") || !strings.Contains(body, "<h1>"+es.Title+"</h1>") {
		t.Error("the Spanish module page is marked untranslated or lacks its Spanish title")
	}
}

// TestIsolateLatin: in right-to-left text each run of Latin-script words
// is isolated, and everything is escaped; other text is only escaped.
func TestIsolateLatin(t *testing.T) {
	for in, want := range map[string]string{
		"يسجّل Haven كل تواصل.":               "يسجّل <bdi>Haven</bdi> كل تواصل.",
		"مفتاح Escape مرتين، و<b> Quick exit": "مفتاح <bdi>Escape</bdi> مرتين، و&lt;<bdi>b</bdi>&gt; <bdi>Quick exit</bdi>",
		"اتصل بالرقم 911.":                    "اتصل بالرقم 911.",
		"Haven records <each> contact":        "Haven records &lt;each&gt; contact",
	} {
		if got := string(web.IsolateLatin(in)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
