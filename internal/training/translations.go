package training

import (
	"embed"
	"fmt"
	"slices"

	"github.com/haven-care/haven"
)

// The modules' translations: modules.<lang>.json holds, for every module
// of modules.json, its text only (title, summary, objectives, sections,
// questions' text, options and explanations). The answers, CE hours, pass
// mark and screening flag are read from modules.json alone, so a
// translation cannot change how a quiz is graded or what it is worth.
//
//go:embed modules.es.json modules.fr.json modules.ar.json
var translationFiles embed.FS

// TranslatedLanguages are the languages the modules are translated into,
// besides English, the language they are written in.
var TranslatedLanguages = []string{"es", "fr", "ar"}

// moduleText is one module's text in a translation file.
type moduleText struct {
	ID         string                  `json:"id"`
	Title      string                  `json:"title"`
	Summary    string                  `json:"summary"`
	Objectives []string                `json:"objectives"`
	Sections   []haven.TrainingSection `json:"sections"`
	Questions  []questionText          `json:"questions"`
}

type questionText struct {
	ID          string   `json:"id"`
	Text        string   `json:"text"`
	Options     []string `json:"options"`
	Explanation string   `json:"explanation"`
}

// translated holds the modules in each translated language, in the order
// of modules.json.
var translated = map[string][]haven.TrainingModule{}

// loadTranslations reads the translation files of the modules, once the
// modules are read.
func loadTranslations() {
	for _, lang := range TranslatedLanguages {
		data, err := translationFiles.ReadFile("modules." + lang + ".json")
		if err != nil {
			panic(err)
		}
		if translated[lang], err = ParseTranslation(modules, data); err != nil {
			panic(fmt.Errorf("%s: %w", lang, err))
		}
	}
}

// ParseTranslation reads a translation file of the modules ms and returns
// the modules with their text translated. It refuses a file that misses or
// adds a module, a question, an objective, a section, a paragraph or an
// option, that leaves a text empty, or that holds anything but text (an
// answer, hours).
func ParseTranslation(ms []haven.TrainingModule, data []byte) ([]haven.TrainingModule, error) {
	var ts []moduleText
	if err := decodeStrict(data, &ts); err != nil {
		return nil, fmt.Errorf("training module translation: %w", err)
	}
	byID := map[string]moduleText{}
	for _, t := range ts {
		if _, dup := byID[t.ID]; dup {
			return nil, fmt.Errorf("training module translation: module %q repeated", t.ID)
		}
		byID[t.ID] = t
	}
	if len(ts) != len(ms) {
		return nil, fmt.Errorf("training module translation: %d modules, the English has %d", len(ts), len(ms))
	}
	out := make([]haven.TrainingModule, 0, len(ms))
	for _, m := range ms {
		t, ok := byID[m.ID]
		if !ok {
			return nil, fmt.Errorf("training module translation: module %s is missing", m.ID)
		}
		tm, err := translateModule(m, t)
		if err != nil {
			return nil, fmt.Errorf("training module translation: module %s: %w", m.ID, err)
		}
		out = append(out, tm)
	}
	return out, nil
}

func translateModule(m haven.TrainingModule, t moduleText) (haven.TrainingModule, error) {
	if t.Title == "" || t.Summary == "" || slices.Contains(t.Objectives, "") {
		return m, fmt.Errorf("a title, summary or objective is empty")
	}
	if len(t.Objectives) != len(m.Objectives) || len(t.Sections) != len(m.Sections) || len(t.Questions) != len(m.Questions) {
		return m, fmt.Errorf("%d objectives, %d sections, %d questions; the English has %d, %d, %d",
			len(t.Objectives), len(t.Sections), len(t.Questions), len(m.Objectives), len(m.Sections), len(m.Questions))
	}
	out := m
	out.Title, out.Summary, out.Objectives = t.Title, t.Summary, t.Objectives
	out.Sections = make([]haven.TrainingSection, len(m.Sections))
	for i, s := range t.Sections {
		if s.Heading == "" || slices.Contains(s.Paragraphs, "") || len(s.Paragraphs) != len(m.Sections[i].Paragraphs) {
			return m, fmt.Errorf("section %d: an empty text, or %d paragraphs where the English has %d",
				i+1, len(s.Paragraphs), len(m.Sections[i].Paragraphs))
		}
		out.Sections[i] = s
	}
	out.Questions = make([]haven.QuizQuestion, len(m.Questions))
	for i, q := range t.Questions {
		e := m.Questions[i]
		if q.ID != e.ID {
			return m, fmt.Errorf("question %d is %q, the English's is %q", i+1, q.ID, e.ID)
		}
		if q.Text == "" || q.Explanation == "" || slices.Contains(q.Options, "") || len(q.Options) != len(e.Options) {
			return m, fmt.Errorf("question %s: an empty text, or %d options where the English has %d", q.ID, len(q.Options), len(e.Options))
		}
		out.Questions[i] = haven.QuizQuestion{ID: e.ID, Text: q.Text, Options: q.Options, Answer: e.Answer, Explanation: q.Explanation}
	}
	return out, nil
}

// ModuleIn returns the module id with its text in lang, and the language
// its text is in: lang, or "en" when the modules are not translated into
// lang. Its answers and hours are the English module's.
func ModuleIn(id, lang string) (haven.TrainingModule, string, bool) {
	ms, textLang := ModulesIn(lang)
	for _, m := range ms {
		if m.ID == id {
			return m, textLang, true
		}
	}
	return haven.TrainingModule{}, "", false
}

// ModulesIn returns the modules with their text in lang, and the language
// their text is in (lang, or "en" when there is no translation into lang).
func ModulesIn(lang string) ([]haven.TrainingModule, string) {
	if ms, ok := translated[lang]; ok {
		return ms, lang
	}
	return Modules(), "en"
}
