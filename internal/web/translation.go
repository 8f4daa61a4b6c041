package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/haven-care/haven"
)

// translationPageSize rows are shown per page of the review table.
const translationPageSize = 25

type translationsPage struct {
	Page
	Rows    []translationRow
	Summary []translationSummary
	Pager   Pager
	// CanReview shows the review forms (the reviews are kept).
	CanReview bool
}

type translationRow struct {
	Lang, LangName, Key, Text, Status string
	// TextHash binds a review form to the text shown.
	TextHash string
	// Reviewer and ReviewedAt are set while a review holds.
	Reviewer   string
	ReviewedAt time.Time
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

// paginate pages n rows by size for the page the request's "page"
// parameter asks for (the first page when it is missing or too small, the
// last when too large), and returns the pager with the bounds of that
// page's rows, [start, end).
func paginate(r *http.Request, n, size int) (p Pager, start, end int) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	p = Pager{Path: r.URL.Path, Pages: max(1, (n+size-1)/size)}
	p.Page = min(max(page, 1), p.Pages)
	start = (p.Page - 1) * size
	return p, start, min(start+size, n)
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
	p := translationsPage{Page: h.page(r, "translations.title"), CanReview: h.cfg.Translations != nil}
	if r.URL.Query().Get("done") == "reviewed" {
		p.Notice = p.T("translations.done_reviewed")
	}
	reviews, err := h.reviews(r.Context())
	if err != nil {
		return err
	}
	var all []translationRow
	for _, l := range SurvivorLanguages {
		s := translationSummary{Lang: l, LangName: languageNames[l]}
		texts := h.reviewedTexts(l, reviews)
		for _, k := range sortedKeys(texts) {
			e := texts[k]
			row := translationRow{Lang: l, LangName: languageNames[l], Key: k, Text: e.Text, Status: e.Status, TextHash: haven.TextHash(e.Text)}
			if rv := reviews[l+"\x00"+k]; rv != nil && e.Status == StatusReviewed {
				row.Reviewer, row.ReviewedAt = rv.Reviewer, rv.ReviewedAt
			}
			all = append(all, row)
			if e.Status == StatusReviewed {
				s.Reviewed++
			} else {
				s.Drafted++
			}
		}
		p.Summary = append(p.Summary, s)
	}
	var start, end int
	p.Pager, start, end = paginate(r, len(all), translationPageSize)
	p.Rows = all[start:end]
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
	survivorTextSet
}

// survivorTextSet is the survivors' texts in one language, with the language
// choices and whether any shown text is not yet reviewed.
type survivorTextSet struct {
	TextLang, TextDir string
	Choices           []Option
	Texts             map[string]Entry
	Drafted           bool
}

// survivorTextSet returns the survivors' texts in the language asked for, or
// in fallback when Haven has no texts in the one asked for.
func (h *Handler) survivorTextSet(ctx context.Context, asked, fallback string) (survivorTextSet, error) {
	t := survivorTextSet{TextLang: asked}
	if !slices.Contains(SurvivorLanguages, t.TextLang) {
		t.TextLang = fallback
	}
	t.TextDir = dir(t.TextLang)
	reviews, err := h.reviews(ctx)
	if err != nil {
		return t, err
	}
	t.Texts = h.reviewedTexts(t.TextLang, reviews)
	for _, l := range SurvivorLanguages {
		t.Choices = append(t.Choices, Option{Value: l, Label: languageNames[l], Selected: l == t.TextLang})
	}
	for _, e := range t.Texts {
		t.Drafted = t.Drafted || e.Status != StatusReviewed
	}
	return t, nil
}

// survivorTexts shows the consent explanation, rights and the discreet
// referral slip in a language the survivor reads, ready to print.
func (h *Handler) survivorTexts(w http.ResponseWriter, r *http.Request) error {
	p := survivorTextsPage{Page: h.page(r, "survivortexts.title")}
	var err error
	if p.survivorTextSet, err = h.survivorTextSet(r.Context(), r.URL.Query().Get("lang"), p.Lang); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "survivortexts", &p)
}

// reviews returns the recorded reviews of survivor-facing texts keyed by
// language and key ("es\x00consent.title"); none without the service.
func (h *Handler) reviews(ctx context.Context) (map[string]*haven.TranslationReview, error) {
	out := map[string]*haven.TranslationReview{}
	if h.cfg.Translations == nil {
		return out, nil
	}
	list, err := h.cfg.Translations.TranslationReviews(ctx)
	if err != nil {
		return nil, err
	}
	for i := range list {
		out[list[i].Language+"\x00"+list[i].Key] = &list[i]
	}
	return out, nil
}

// reviewedTexts returns the survivor-facing texts of lang, each with its
// review status. With the review service, a text is reviewed exactly
// while a review of it holds: one whose hashes still match the English
// source and the translation, so an edited source (or translation) is
// drafted again. Without it, the catalog's own status stands.
func (h *Handler) reviewedTexts(lang string, reviews map[string]*haven.TranslationReview) map[string]Entry {
	src := h.catalogs.survivor[lang]
	if h.cfg.Translations == nil {
		return src
	}
	en := h.catalogs.survivor["en"]
	out := make(map[string]Entry, len(src))
	for k, e := range src {
		e.Status = StatusDrafted
		if rv := reviews[lang+"\x00"+k]; rv != nil && rv.SourceHash == haven.TextHash(en[k].Text) && rv.TextHash == haven.TextHash(e.Text) {
			e.Status = StatusReviewed
		}
		out[k] = e
	}
	return out
}

// reviewTranslation records that the named reviewer read one text
// against its English source. The form carries the hash of the text it
// showed: a text changed since then is not marked.
func (h *Handler) reviewTranslation(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateTranslations); err != nil {
		return err
	}
	lang, key := r.PostFormValue("lang"), r.PostFormValue("key")
	e, ok := h.catalogs.survivor[lang][key]
	if !ok || !slices.Contains(SurvivorLanguages, lang) {
		return haven.Errorf(haven.Invalid, "Choose a text from the list.")
	}
	if r.PostFormValue("text_hash") != haven.TextHash(e.Text) {
		return haven.Errorf(haven.Conflict, "The text changed since the page was shown; reload it and review the text again.")
	}
	err := h.cfg.Translations.ReviewTranslation(r.Context(), haven.TranslationReview{Language: lang, Key: key,
		Reviewer: strings.TrimSpace(r.PostFormValue("reviewer")), SourceHash: haven.TextHash(h.catalogs.survivor["en"][key].Text),
		TextHash: haven.TextHash(e.Text)})
	if err != nil {
		return err
	}
	page, _ := strconv.Atoi(r.PostFormValue("page"))
	http.Redirect(w, r, "/admin/translations?done=reviewed&page="+url.QueryEscape(strconv.Itoa(max(page, 1))), http.StatusSeeOther)
	return nil
}
