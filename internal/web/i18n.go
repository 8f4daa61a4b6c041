package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// StaffLanguages are the languages of the staff interface, English first
// (the fallback). SurvivorLanguages are the languages of the texts given
// to survivors (the 11 languages most needed by survivors in the US).
var (
	StaffLanguages    = []string{"en", "es", "fr", "ar"}
	SurvivorLanguages = []string{"en", "es", "zh", "vi", "tl", "ht", "pt", "ru", "uk", "fr", "ar"}
)

// rtlLanguages are written right to left.
var rtlLanguages = map[string]bool{"ar": true}

// langCookie holds the chosen interface language: a language code, not
// personal data.
const langCookie = "haven_lang"

// Review statuses of a translation entry.
const (
	StatusDrafted  = "drafted"
	StatusReviewed = "reviewed"
)

// Entry is one survivor-facing text in one language with its review status:
// "drafted" until a qualified translator has reviewed it.
type Entry struct {
	Text   string `json:"text"`
	Status string `json:"status"`
}

// catalogs holds every message catalog, keyed by language code.
type catalogs struct {
	staff    map[string]map[string]string
	survivor map[string]map[string]Entry
	matcher  language.Matcher
}

func loadCatalogs(fsys fs.FS) (*catalogs, error) {
	c := &catalogs{staff: map[string]map[string]string{}, survivor: map[string]map[string]Entry{}}
	for _, l := range StaffLanguages {
		m := map[string]string{}
		if err := readJSON(fsys, path.Join("i18n/staff", l+".json"), &m); err != nil {
			return nil, err
		}
		c.staff[l] = m
	}
	for _, l := range SurvivorLanguages {
		m := map[string]Entry{}
		if err := readJSON(fsys, path.Join("i18n/survivor", l+".json"), &m); err != nil {
			return nil, err
		}
		c.survivor[l] = m
	}
	tags := make([]language.Tag, len(StaffLanguages))
	for i, l := range StaffLanguages {
		tags[i] = language.MustParse(l)
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

func readJSON(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("web: catalog: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("web: catalog %s: %w", name, err)
	}
	return nil
}

// language picks the staff interface language for r: the haven_lang
// cookie, then the user's saved language, then Accept-Language, then English.
func (c *catalogs) language(r *http.Request, userLang string) string {
	if ck, err := r.Cookie(langCookie); err == nil && slices.Contains(StaffLanguages, ck.Value) {
		return ck.Value
	}
	if slices.Contains(StaffLanguages, userLang) {
		return userLang
	}
	_, i, conf := c.matcher.Match(parseAccept(r.Header.Get("Accept-Language"))...)
	if conf == language.No {
		return StaffLanguages[0]
	}
	return StaffLanguages[i]
}

func parseAccept(h string) []language.Tag {
	if len(h) > 512 {
		h = h[:512]
	}
	tags, _, err := language.ParseAcceptLanguage(h)
	if err != nil {
		return nil
	}
	return tags
}

// text returns the staff message key in lang, falling back to English and
// then to the key itself (a test keeps every catalog complete).
func (c *catalogs) text(lang, key string) string {
	if s, ok := c.staff[lang][key]; ok {
		return s
	}
	if s, ok := c.staff["en"][key]; ok {
		return s
	}
	return key
}

// dir is the text direction of lang.
func dir(lang string) string {
	if rtlLanguages[lang] {
		return "rtl"
	}
	return "ltr"
}

// languageNames are the names of languages in themselves, for choosers.
var languageNames = map[string]string{
	"en": "English", "es": "Español", "zh": "中文", "vi": "Tiếng Việt", "tl": "Tagalog",
	"ht": "Kreyòl ayisyen", "pt": "Português", "ru": "Русский", "uk": "Українська", "fr": "Français", "ar": "العربية",
}

// safeNext returns p if it is a clean path on this site, with no query
// or fragment (the language form sends r.URL.Path), so that the form
// cannot redirect elsewhere; otherwise "/". Browsers drop tabs and
// newlines from a URL and read a backslash as a slash, so "/\t/evil/"
// would reach them as "//evil/", another host: any character that is not
// printable, a space or a backslash, before or after percent-decoding,
// refuses p, and so does a path that parses with a scheme or host or that
// cleaning would change.
func safeNext(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || !plainPath(p) {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || !plainPath(u.Path) {
		return "/"
	}
	clean := path.Clean(u.Path)
	if strings.HasSuffix(u.Path, "/") && clean != "/" {
		clean += "/"
	}
	if clean != u.Path || strings.HasPrefix(clean, "//") {
		return "/"
	}
	return p
}

// plainPath reports whether s holds only printable characters other than
// space and backslash.
func plainPath(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) || r == ' ' || r == '\\' || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// setLanguage stores the chosen language in a cookie and returns to the page.
func (h *Handler) setLanguage(w http.ResponseWriter, r *http.Request) error {
	lang := r.PostFormValue("lang")
	if !slices.Contains(StaffLanguages, lang) {
		lang = StaffLanguages[0]
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}
