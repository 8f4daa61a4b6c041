package web

import "strings"

// codeText describes an ICD-10-CM code in the page's language: its
// category's title from the catalog ("icd.T76.51"), with the encounter of
// a T code's 7th character ("icd.seventh.A"); a code the catalogs do not
// hold keeps the description it was stored with (display).
func (p *Page) codeText(code, display string) string {
	if t := codeText(p.T, code); t != "" {
		return t
	}
	return display
}

// codeText is codeText with text as the catalog: "" for a code it does
// not describe.
func codeText(text func(string) string, code string) string {
	base, seventh := code, ""
	if len(code) == 8 && strings.HasPrefix(code, "T7") {
		base, seventh = code[:6], code[7:]
	}
	key := "icd." + base
	title := text(key)
	if title == key || title == "" {
		return ""
	}
	if seventh == "" {
		return title
	}
	enc := text("icd.seventh." + seventh)
	if enc == "icd.seventh."+seventh || enc == "" {
		return ""
	}
	return title + ", " + enc
}
