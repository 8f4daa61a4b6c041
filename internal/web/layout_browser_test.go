package web_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// TestBrowserLayoutWidths walks the main pages at a phone's width and a
// laptop's, in English, Spanish and Arabic (screenshots of the start page,
// the new-record form, the directory and the record's hub in
// docs/screenshots with -update-screenshots): nothing scrolls sideways, quick
// exit never covers the DEMO banner, which spans the page, the menu takes
// one row on a phone, check boxes are big enough to hit, and axe finds no
// serious violation.
func TestBrowserLayoutWidths(t *testing.T) {
	e := newEnv(t, true)
	src := axeSource(t)
	b := newBrowser(t, e)
	b.signIn("advocate", "")
	// A case with a need, a consent and a referral, and the directory they
	// name, so that the record's hub and the consent and referral pages
	// are walked too.
	ctx := context.Background()
	d, _ := canaryDirectory()
	if _, err := e.db.ImportDirectory(haven.WithSystem(ctx, access.JobImportHSDS), d, nil); err != nil {
		t.Fatal(err)
	}
	adv := asUser(e.userID(t, "advocate"), haven.RoleAdvocate)
	s, _, err := e.db.CreateSurvivor(adv, haven.NewSurvivor{Name: "Synthetic Layout", Languages: []haven.LanguagePreference{{Code: "ar"}}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.db.AddNeed(adv, haven.NewNeed{SurvivorID: s.ID, Domain: "shelter", Goal: "مكان آمن الليلة"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.db.RecordConsent(adv, s.ID, haven.NewConsent{RecipientKind: haven.RecipientOrganization, Recipient: "org-public",
		Purpose: haven.PurposeReferral, Categories: []haven.DataCategory{haven.CategoryIdentity}, Method: haven.ConsentVerbal, Language: "ar"})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := e.db.CreateReferral(adv, s.ID, haven.NewReferral{ServiceID: "svc-public", ConsentID: c.ID, NeedID: n.ID,
		Categories: []haven.DataCategory{haven.CategoryIdentity}})
	if err != nil {
		t.Fatal(err)
	}
	record := "/survivors/" + s.ID
	pages := []string{"/", "/survivors", "/survivors/new", "/directory", "/sessions", record, record + "/consents/new?service=svc-public",
		record + "/referrals/new?service=svc-public", "/directory/services/svc-public?survivor=" + s.ID, "/referrals/" + ref.ID,
		record + "/consents/" + c.ID + "/copy"}
	for _, width := range []int64{375, 1280} {
		b.do(chromedp.EmulateViewport(width, 800))
		for _, lang := range []string{"en", "es", "ar"} {
			b.setLanguage(lang)
			for _, p := range pages {
				b.open(p)
				where := fmt.Sprintf("%s at %d px in %s", p, width, lang)
				if eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth`) {
					t.Errorf("%s: the page scrolls sideways (%d px wide)", where, eval[int](b, `document.documentElement.scrollWidth`))
				}
				if eval[bool](b, `(() => { const q = document.querySelector(".quick-exit").getBoundingClientRect(),
					d = (document.querySelector(".demo .text") || document.querySelector(".demo")).getBoundingClientRect();
					return q.left < d.right && d.left < q.right && q.top < d.bottom && d.top < q.bottom })()`) {
					t.Errorf("%s: quick exit covers the DEMO banner's text", where)
				}
				if eval[bool](b, `document.querySelector(".demo").getBoundingClientRect().width < window.innerWidth - 1`) {
					t.Errorf("%s: the DEMO banner does not span the page", where)
				}
				if width == 375 && eval[bool](b, `document.querySelector(".top nav").getBoundingClientRect().height > 56`) {
					t.Errorf("%s: the menu takes %v px of the first screen", where, eval[float64](b, `document.querySelector(".top nav").getBoundingClientRect().height`))
				}
				if eval[bool](b, `[...document.querySelectorAll("main input[type=checkbox]")].some(c => c.getBoundingClientRect().width < 20)`) {
					t.Errorf("%s: a check box is smaller than 20 px", where)
				}
				b.checkAxe(src, where)
				if shot, ok := map[string]string{"/": "-home", "/survivors/new": "-new-record", "/directory": "-directory", record: "-record"}[p]; ok {
					b.screenshot(fmt.Sprintf("layout-%d-%s%s", width, lang, shot))
				}
			}
		}
	}
}
