package web

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/haven-care/haven"
)

// languageChoices are the languages a record's language rows offer by
// name: the languages most needed by survivors in the US first, then
// others common among them. Any other language is typed as its code.
var languageChoices = []string{"en", "es", "zh", "zh-Hant", "vi", "tl", "ht", "pt", "ru", "uk", "fr", "ar",
	"ko", "hi", "bn", "pa", "ur", "fa", "ps", "so", "am", "ti", "sw", "th", "km", "my", "ne", "ja", "pl", "ro", "tr", "uz"}

// languageNamers name languages in each staff language (CLDR's names,
// from golang.org/x/text).
var languageNamers = func() map[string]display.Namer {
	m := map[string]display.Namer{}
	for _, l := range StaffLanguages {
		m[l] = display.Tags(language.Make(l))
	}
	return m
}()

// languageName is the name of code in the staff language lang, or "" when
// none is known.
func languageName(code, lang string) string {
	n, ok := languageNamers[lang]
	if !ok {
		n = languageNamers["en"]
	}
	tag, err := language.Parse(code)
	if err != nil {
		return ""
	}
	return n.Name(tag)
}

// languageEntry is how a language row shows code: "Vietnamese (vi)" in
// the staff language, or the entry itself when it names no known language.
func languageEntry(code, lang string) string {
	if name := languageName(code, lang); name != "" {
		return name + " (" + code + ")"
	}
	return code
}

// languageByName finds a code of languageChoices by its name, case
// folded, in any staff language or in itself ("spanish", "español",
// "tiếng việt"); built once.
var languageByName = func() map[string]string {
	m := map[string]string{}
	for _, c := range languageChoices {
		tag := language.Make(c)
		m[strings.ToLower(display.Self.Name(tag))] = c
		for _, n := range languageNamers {
			m[strings.ToLower(n.Name(tag))] = c
		}
	}
	delete(m, "")
	return m
}()

// languageLists are the choices as each staff language shows them
// ("Vietnamese (vi)"); built once.
var languageLists = func() map[string][]string {
	m := map[string][]string{}
	for _, l := range StaffLanguages {
		for _, c := range languageChoices {
			m[l] = append(m[l], languageEntry(c, l))
		}
	}
	return m
}()

// resolveLanguage turns what was typed in a language row into a code:
// "Name (code)" as the list offers it, a code, or the name of one of
// languageChoices (languageByName). ok is false when it is none of these.
func resolveLanguage(entry string) (code string, ok bool) {
	entry = strings.TrimSpace(entry)
	if open := strings.LastIndex(entry, "("); open >= 0 && strings.HasSuffix(entry, ")") {
		if c := strings.TrimSpace(entry[open+1 : len(entry)-1]); haven.ValidLanguageTag(c) {
			return c, true
		}
	}
	if c, ok := languageByName[strings.ToLower(entry)]; ok {
		return c, true
	}
	return entry, haven.ValidLanguageTag(entry)
}

// LanguageChoices are the list the language rows offer, in the page's
// language: "Vietnamese (vi)".
func (p *survivorFormPage) LanguageChoices() []string {
	if l, ok := languageLists[p.Lang]; ok {
		return l
	}
	return languageLists["en"]
}

// LanguageEntry is how a language row shows its code on this page.
func (p *survivorFormPage) LanguageEntry(code string) string { return languageEntry(code, p.Lang) }
