package web

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
)

// translationPageSize rows are shown per page of the review table.
const translationPageSize = 25

type translationsPage struct {
	Page
	Rows    []translationRow
	Summary []translationSummary
	Pager   Pager
}

type translationRow struct {
	Lang, LangName, Key, Text, Status string
}

type translationSummary struct {
	Lang, LangName    string
	Drafted, Reviewed int
}

// Pager is the paging component's data: page numbers start at 1.
type Pager struct {
	Page, Pages int
	Path        string
}

// Prev is the previous page number, 0 on the first page.
func (p Pager) Prev() int {
	if p.Page > 1 {
		return p.Page - 1
	}
	return 0
}

// Next is the following page number, 0 on the last page.
func (p Pager) Next() int {
	if p.Page < p.Pages {
		return p.Page + 1
	}
	return 0
}

// translations shows administrators the review status of every
// survivor-facing text in every language.
func (h *Handler) translations(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateTranslations); err != nil {
		return err
	}
	p := translationsPage{Page: h.page(r, "translations.title")}
	var all []translationRow
	for _, l := range SurvivorLanguages {
		s := translationSummary{Lang: l, LangName: languageNames[l]}
		for _, k := range sortedKeys(h.catalogs.survivor[l]) {
			e := h.catalogs.survivor[l][k]
			all = append(all, translationRow{Lang: l, LangName: languageNames[l], Key: k, Text: e.Text, Status: e.Status})
			if e.Status == StatusReviewed {
				s.Reviewed++
			} else {
				s.Drafted++
			}
		}
		p.Summary = append(p.Summary, s)
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	p.Pager = Pager{Path: r.URL.Path, Pages: max(1, (len(all)+translationPageSize-1)/translationPageSize)}
	p.Pager.Page = min(max(page, 1), p.Pager.Pages)
	start := (p.Pager.Page - 1) * translationPageSize
	p.Rows = all[start:min(start+translationPageSize, len(all))]
	return h.render(w, http.StatusOK, "translations", &p)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

type survivorTextsPage struct {
	Page
	TextLang, TextDir string
	Choices           []Option
	Texts             map[string]Entry
	Drafted           bool
}

// survivorTexts shows the consent explanation, rights and the discreet
// referral slip in a language the survivor reads, ready to print.
func (h *Handler) survivorTexts(w http.ResponseWriter, r *http.Request) error {
	p := survivorTextsPage{Page: h.page(r, "survivortexts.title")}
	p.TextLang = r.URL.Query().Get("lang")
	if !slices.Contains(SurvivorLanguages, p.TextLang) {
		p.TextLang = p.Lang
	}
	p.TextDir = dir(p.TextLang)
	p.Texts = h.catalogs.survivor[p.TextLang]
	for _, l := range SurvivorLanguages {
		p.Choices = append(p.Choices, Option{Value: l, Label: languageNames[l], Selected: l == p.TextLang})
	}
	for _, e := range p.Texts {
		p.Drafted = p.Drafted || e.Status != StatusReviewed
	}
	return h.render(w, http.StatusOK, "survivortexts", &p)
}
