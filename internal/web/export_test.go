package web

import (
	"io/fs"
	"regexp"
	"sort"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// Catalogs returns the embedded catalogs, for the completeness test.
func Catalogs() (map[string]map[string]string, map[string]map[string]Entry) {
	c, err := loadCatalogs(files)
	if err != nil {
		panic(err)
	}
	return c.staff, c.survivor
}

var templateKey = regexp.MustCompile(`\.T "([a-z_.]+)"`)

// TemplateKeys lists the message keys written literally in the templates.
func TemplateKeys() []string {
	set := map[string]bool{}
	fs.WalkDir(files, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(files, p)
		for _, m := range templateKey.FindAllStringSubmatch(string(b), -1) {
			set[m[1]] = true
		}
		return nil
	})
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// CodeText describes an ICD-10-CM code from a staff catalog, "" when the
// catalog does not.
func CodeText(catalog map[string]string, code string) string {
	return codeText(func(k string) string { return catalog[k] }, code)
}

// Parsers of user input, for their tests and fuzz targets.
var (
	SafeNext = safeNext
	ParseAge = parseAge
	ValueOf  = valueOf
	// IsolateLatin is the template function bidi.
	IsolateLatin = isolateLatin
)

// NavEntry is one navigation entry with the gate of its page, for the
// test that ties the navigation to access.Decide.
type NavEntry struct {
	Href     string
	Action   access.Action
	Resource access.Resource
	// Relationship is the one the page reaches its records through:
	// access.None but for a caseload.
	Relationship access.Relationship
	// Consent is the consent scope the page's records are reached under:
	// a recipient's referrals while a consent is in force.
	Consent      access.ConsentScope
	SignedInOnly bool
}

// NavEntries lists the navigation with each page's gate.
func NavEntries() []NavEntry {
	var out []NavEntry
	for _, n := range navItems {
		rel, ok := reachedThrough[n.gate]
		if !ok {
			rel = access.None
		}
		consent := access.NoConsent
		if rel == access.Recipient {
			consent = access.ConsentActive // a recipient reaches referrals under a consent in force
		}
		out = append(out, NavEntry{n.href, n.gate.action, n.gate.resource, rel, consent, n.gate == signedInOnly})
	}
	return out
}

// NavFor returns the links role sees.
func NavFor(role haven.Role) []string {
	var out []string
	for _, n := range navFor(role, "") {
		out = append(out, n.Href)
	}
	return out
}

// RenderTrainingModule renders module id's page as it is shown on a page
// in lang (any language, including one the interface and the modules are
// not translated into, which no staff language is), for the test of the
// English fallback.
func (h *Handler) RenderTrainingModule(lang, id string) (string, error) {
	p, ok := newTrainingModulePage(Page{Lang: lang, Dir: dir(lang), TitleKey: "training.module_title", cats: h.catalogs}, id)
	if !ok {
		return "", errNotFound
	}
	var b strings.Builder
	err := h.pages["trainingmodule"].ExecuteTemplate(&b, "layout", p)
	return b.String(), err
}
