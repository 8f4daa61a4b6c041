package training

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTranslationsMatchTheModules: every translated language has every
// module with the same questions, the same number of options, the same
// answers, hours, pass mark and screening flag as the English, and no
// text of it is the English text left untranslated.
func TestTranslationsMatchTheModules(t *testing.T) {
	if len(TranslatedLanguages) != 3 {
		t.Fatalf("translated languages %v, want es, fr and ar", TranslatedLanguages)
	}
	en := Modules()
	for _, lang := range TranslatedLanguages {
		ms, textLang := ModulesIn(lang)
		if textLang != lang || len(ms) != len(en) {
			t.Fatalf("%s: text in %q, %d modules; want %d", lang, textLang, len(ms), len(en))
		}
		for i, m := range ms {
			e := en[i]
			where := lang + " " + e.ID
			if m.ID != e.ID || m.CEHours != e.CEHours || m.PassPercent != e.PassPercent || m.RequiredForScreening != e.RequiredForScreening {
				t.Errorf("%s: id %q, hours %v, pass %d, screening %v differ from the English", where, m.ID, m.CEHours, m.PassPercent, m.RequiredForScreening)
			}
			same := func(field, got, want string) {
				if strings.TrimSpace(got) == "" || got == want {
					t.Errorf("%s %s is empty or the English text: %q", where, field, got)
				}
			}
			same("title", m.Title, e.Title)
			same("summary", m.Summary, e.Summary)
			if len(m.Objectives) != len(e.Objectives) || len(m.Sections) != len(e.Sections) || len(m.Questions) != len(e.Questions) {
				t.Fatalf("%s: %d objectives, %d sections, %d questions", where, len(m.Objectives), len(m.Sections), len(m.Questions))
			}
			for j := range e.Objectives {
				same("objective", m.Objectives[j], e.Objectives[j])
			}
			for j, s := range e.Sections {
				same("heading", m.Sections[j].Heading, s.Heading)
				if len(m.Sections[j].Paragraphs) != len(s.Paragraphs) {
					t.Fatalf("%s section %d: %d paragraphs, want %d", where, j, len(m.Sections[j].Paragraphs), len(s.Paragraphs))
				}
				for k, p := range s.Paragraphs {
					same("paragraph", m.Sections[j].Paragraphs[k], p)
				}
			}
			for j, q := range e.Questions {
				tq := m.Questions[j]
				if tq.ID != q.ID || tq.Answer != q.Answer || len(tq.Options) != len(q.Options) {
					t.Fatalf("%s question %s: id %q, answer %d, %d options; want answer %d, %d options", where, q.ID, tq.ID, tq.Answer, len(tq.Options), q.Answer, len(q.Options))
				}
				same("question "+q.ID, tq.Text, q.Text)
				same("explanation "+q.ID, tq.Explanation, q.Explanation)
				for k, o := range q.Options {
					same("option "+q.ID, tq.Options[k], o)
				}
			}
		}
	}
}

// TestGradingIgnoresLanguage: the same answers score the same in every
// language, right or wrong.
func TestGradingIgnoresLanguage(t *testing.T) {
	for _, e := range Modules() {
		right, wrong := map[string]int{}, map[string]int{}
		for i, q := range e.Questions {
			right[q.ID] = q.Answer
			if i%2 == 0 {
				wrong[q.ID] = (q.Answer + 1) % len(q.Options)
			} else {
				wrong[q.ID] = q.Answer
			}
		}
		for _, lang := range TranslatedLanguages {
			m, _, ok := ModuleIn(e.ID, lang)
			if !ok {
				t.Fatalf("%s %s missing", lang, e.ID)
			}
			for _, answers := range []map[string]int{right, wrong} {
				if got, want := m.Score(answers), e.Score(answers); got.Correct != want.Correct || got.Passed != want.Passed {
					t.Errorf("%s %s: %+v, the English %+v", lang, e.ID, got, want)
				}
			}
		}
	}
}

// TestUntranslatedLanguageFallsBackToEnglish: a language the modules are
// not translated into gets the English text, and says so.
func TestUntranslatedLanguageFallsBackToEnglish(t *testing.T) {
	m, textLang, ok := ModuleIn("minors", "de")
	e, _ := Module("minors")
	if !ok || textLang != "en" || m.Title != e.Title {
		t.Errorf("German: %q in %q, ok %v", m.Title, textLang, ok)
	}
	if _, _, ok := ModuleIn("no-such-module", "es"); ok {
		t.Error("an unknown module was found")
	}
}

// TestParseTranslationRefusesMismatches: a translation file that misses
// or adds anything, leaves a text empty or carries an answer is refused.
func TestParseTranslationRefusesMismatches(t *testing.T) {
	data, err := translationFiles.ReadFile("modules.es.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseTranslation(Modules(), data); err != nil {
		t.Fatalf("the Spanish file: %v", err)
	}
	edit := func(f func(ts []map[string]any)) []byte {
		var ts []map[string]any
		if err := json.Unmarshal(data, &ts); err != nil {
			t.Fatal(err)
		}
		f(ts)
		b, _ := json.Marshal(ts)
		return b
	}
	q0 := func(ts []map[string]any) map[string]any {
		return ts[0]["questions"].([]any)[0].(map[string]any)
	}
	cases := map[string][]byte{
		"a module missing": edit(func(ts []map[string]any) { ts[len(ts)-1]["id"] = "other" }),
		"a question missing": edit(func(ts []map[string]any) {
			ts[0]["questions"] = ts[0]["questions"].([]any)[1:]
		}),
		"an option added": edit(func(ts []map[string]any) {
			q0(ts)["options"] = append(q0(ts)["options"].([]any), "otra")
		}),
		"an answer carried":    edit(func(ts []map[string]any) { q0(ts)["answer"] = 0 }),
		"hours carried":        edit(func(ts []map[string]any) { ts[0]["ce_hours"] = 5 }),
		"an empty explanation": edit(func(ts []map[string]any) { q0(ts)["explanation"] = "" }),
		"questions reordered": edit(func(ts []map[string]any) {
			qs := ts[0]["questions"].([]any)
			qs[0], qs[1] = qs[1], qs[0]
		}),
		"a paragraph missing": edit(func(ts []map[string]any) {
			s := ts[0]["sections"].([]any)[0].(map[string]any)
			s["paragraphs"] = s["paragraphs"].([]any)[1:]
		}),
	}
	for name, b := range cases {
		if _, err := ParseTranslation(Modules(), b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
