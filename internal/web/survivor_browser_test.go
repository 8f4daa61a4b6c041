package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-care/haven/internal/web"
)

// TestBrowserSurvivorRecord walks the survivor pages as an advocate would,
// in English, Spanish and Arabic: the form refuses a bad date beside the
// field, creates the record, the record page shows the safe-contact plan
// before the contact form, and a contact through a channel the plan does
// not mark safe is refused with the reason. axe-core checks every page on
// the way.
func TestBrowserSurvivorRecord(t *testing.T) {
	staff, _ := web.Catalogs()
	src := axeSource(t)
	e := newEnv(t, false)
	for _, lang := range []string{"en", "es", "ar"} {
		t.Run(lang, func(t *testing.T) {
			b := newBrowser(t, e)
			b.setLanguage(lang)
			b.signIn("advocate", "")
			T := func(key string) string { return staff[lang][key] }
			b.clickAway(`nav a[href="/survivors"]`, `location.pathname === "/survivors"`)
			b.checkAxe(src, lang+" /survivors")
			b.clickAway(`a[href="/survivors/new"]`, `location.pathname === "/survivors/new"`)
			b.checkAxe(src, lang+" /survivors/new")

			b.fillSurvivor("2999-01-01")
			b.do(chromedp.Click(chromedp.CSS("form.survivor-form button.primary")))
			b.waitFor(`document.getElementById("date_of_birth-error")`)
			if got := b.text("#date_of_birth-error"); got != T("survivor.err.date_of_birth") {
				t.Errorf("date error=%q, want %q", got, T("survivor.err.date_of_birth"))
			}
			b.checkAxe(src, lang+" new survivor form with errors")

			b.fill("date_of_birth", "1990-07-15")
			b.clickAway("form.survivor-form button.primary", `document.getElementById("plan") !== null`)
			if got := b.text("main > .notice"); got != T("survivor.created") {
				t.Errorf("notice=%q, want %q", got, T("survivor.created"))
			}
			b.checkRecord(T)
			b.checkAxe(src, lang+" survivor record")
			if lang == "en" {
				b.screenshot("survivor-record")
			}

			b.do(chromedp.Click(chromedp.ID("channel-phone_call")))
			b.do(chromedp.Click(chromedp.ID("outcome-reached")))
			b.do(chromedp.Click(chromedp.ID("contact-submit")))
			b.waitFor(`document.getElementById("contact-refusal")`)
			want := fmt.Sprintf(T("contact.refused_channel"), T("channel.phone_call"))
			if got := b.text("#contact-refusal"); got != want {
				t.Errorf("refusal=%q, want %q", got, want)
			}
			b.checkRecord(T)
			b.checkAxe(src, lang+" survivor record with a refused contact")

			b.clickAway(`a[href$="/edit"]`, `location.pathname.endsWith("/edit")`)
			if got := eval[string](b, `document.getElementById("code_word").value`); got != "kite" {
				t.Errorf("edit form code word=%q, want kite", got)
			}
			b.checkAxe(src, lang+" edit form")

			// Marked "do not contact", the record offers no contact at
			// all: no channel to click, only that contact is not allowed.
			eval[bool](b, `document.getElementById("do_not_contact").checked = true; true`)
			b.clickAway("form.survivor-form button.primary", `document.getElementById("plan-dnc") !== null`)
			if n := eval[int](b, `document.querySelectorAll('input[name="channel"]').length`); n != 0 {
				t.Errorf("do-not-contact record offers %d channels, want none", n)
			}
			if got := b.text("#contact-not-allowed"); got != T("contact.not_allowed") {
				t.Errorf("do-not-contact record says %q, want %q", got, T("contact.not_allowed"))
			}
			b.checkAxe(src, lang+" do-not-contact record")
		})
	}
}

// fillSurvivor fills the new-survivor form with synthetic data: SMS is
// the only safe channel and voicemail is not safe.
func (b *browser) fillSurvivor(dob string) {
	b.t.Helper()
	for id, v := range map[string]string{"name": "Synthetic Browser Person", "aliases": "Bee", "date_of_birth": dob,
		"safe_times": "after 6 pm", "code_word": "kite", "language_0": "es", "dialect_0": "Caribeño",
		"cultural_considerations": "no visits during prayer times"} {
		b.fill(id, v)
	}
	eval[bool](b, `document.getElementById("channel-sms").checked = true; document.getElementById("interpreter_0").checked = true; true`)
}

// checkRecord checks that the record page shows the plan, with SMS as the
// only safe channel, before the contact form.
func (b *browser) checkRecord(T func(string) string) {
	b.t.Helper()
	if got := b.text("#plan-channels"); got != T("channel.sms") {
		b.t.Errorf("safe channels=%q, want %q", got, T("channel.sms"))
	}
	if got := b.text("#plan"); !strings.Contains(got, "kite") || !strings.Contains(got, T("plan.voicemail_unsafe")) {
		b.t.Errorf("plan=%q, want the code word and that voicemail is not safe", got)
	}
	if got := eval[string](b, `Array.from(document.querySelectorAll('input[name="channel"]:checked'), e => e.value).join()`); got != "sms" {
		b.t.Errorf("pre-selected channel=%q, want sms (the only safe one)", got)
	}
	before := eval[bool](b, `!!(document.getElementById("plan").compareDocumentPosition(document.getElementById("contact-submit")) & Node.DOCUMENT_POSITION_FOLLOWING)`)
	if !before {
		b.t.Error("the contact form comes before the safe-contact plan")
	}
}

// text is the visible text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(eval[string](b, `(document.querySelector(`+"`"+sel+"`"+`) || {innerText: ""}).innerText`))
}
