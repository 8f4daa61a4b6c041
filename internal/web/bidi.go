package web

import (
	"html/template"
	"strings"
	"unicode"
)

// isolateLatin escapes s for HTML and, when s holds right-to-left text
// (Arabic, Hebrew), wraps each run of Latin-script words in <bdi>, so that
// a term such as "Haven" or "Escape" embedded in an Arabic sentence keeps
// its own direction and the punctuation and numbers beside it stay in
// place. Text without right-to-left letters is only escaped.
func isolateLatin(s string) template.HTML {
	rs := []rune(s)
	if !strings.ContainsFunc(s, isRTL) {
		return template.HTML(template.HTMLEscapeString(s))
	}
	var b strings.Builder
	for i := 0; i < len(rs); {
		if !unicode.Is(unicode.Latin, rs[i]) {
			b.WriteString(template.HTMLEscapeString(string(rs[i])))
			i++
			continue
		}
		// A run: Latin words, with the digits, hyphens, apostrophes and
		// single spaces between them.
		j := i
		for j < len(rs) {
			r := rs[j]
			if unicode.Is(unicode.Latin, r) || unicode.IsDigit(r) || r == '-' || r == '\'' || r == '’' {
				j++
				continue
			}
			if r == ' ' && j+1 < len(rs) && unicode.Is(unicode.Latin, rs[j+1]) {
				j++
				continue
			}
			break
		}
		b.WriteString("<bdi>" + template.HTMLEscapeString(string(rs[i:j])) + "</bdi>")
		i = j
	}
	return template.HTML(b.String())
}

func isRTL(r rune) bool { return unicode.In(r, unicode.Arabic, unicode.Hebrew) }
