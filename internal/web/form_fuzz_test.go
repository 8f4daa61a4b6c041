package web

import (
	"math"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/screening"
)

// FuzzForms posts any urlencoded body to every form reader: none panics;
// lists hold trimmed, non-empty lines; token scopes are unique; numbers are
// finite; and the answers of any screening form either mark a field or make
// a QuestionnaireResponse that the screening package reads back. Seeds
// live in testdata/fuzz/FuzzForms.
func FuzzForms(f *testing.F) {
	f.Add("given_name=Synthetic&family_name=Person&aliases=+A+%0A%0AB&language_0=Spanish&dialect_0=&contact_channels=phone&do_not_contact=1", uint8(0))
	f.Add("name=ci&scope=api.read&scope=api.read&days=30", uint8(1))
	f.Add("channel=phone&outcome=reached&voicemail=1&note=+left+message+", uint8(2))
	f.Add("service=s1&need=n1&consent_id=c1&categories=contact&categories=needs&note=x", uint8(3))
	f.Add("q1=yes&q2=3&q3=declined&minimum_age=-1e400&maximum_age=NaN", uint8(4))
	f.Add("%zz=1&a=%", uint8(5))
	instruments, err := screening.Instruments()
	if err != nil {
		f.Fatal(err)
	}
	for _, q := range instruments {
		var linkIDs []string
		q.Items(func(it *screening.Item) { linkIDs = append(linkIDs, url.QueryEscape(it.LinkID)+"=1") })
		f.Add(strings.Join(linkIDs, "&"), uint8(4))
	}
	f.Fuzz(func(t *testing.T, body string, which uint8) {
		r := httptest.NewRequest("POST", "/x", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if r.ParseForm() != nil {
			return // the handlers answer "The form could not be read."
		}
		form, ns := parseSurvivorForm(r)
		for _, e := range haven.SurvivorEntries() {
			if l, ok := e.Value(&ns).(*[]string); ok {
				for _, s := range *l {
					if s == "" || s != strings.TrimSpace(s) {
						t.Errorf("%s holds the line %q", e.Column, s)
					}
				}
			}
		}
		for _, l := range form.Languages {
			if l.Code == "" && l.Dialect == "" {
				t.Errorf("an empty language row was kept")
			}
		}
		_, scopes, _ := tokenForm(r)
		seen := map[haven.Scope]bool{}
		for _, s := range scopes {
			if seen[s] {
				t.Errorf("scope %q twice", s)
			}
			seen[s] = true
		}
		if c := contactForm(r); c.Note != strings.TrimSpace(c.Note) {
			t.Errorf("contact note %q not trimmed", c.Note)
		}
		newReferralFrom(r.PostForm)
		for _, field := range []string{"minimum_age", "maximum_age"} {
			if v, ok := parseDecimal(r.PostForm.Get(field)); ok && (math.IsNaN(v) || math.IsInf(v, 0)) {
				t.Errorf("parseDecimal accepted %v", v)
			}
			if v, ok := parseAge(r.PostForm.Get(field)); ok && v != nil && (*v < 0 || *v > 130) {
				t.Errorf("parseAge accepted %v", *v)
			}
		}
		parseAccept(r.PostForm.Get("accept"))
		q := instruments[int(which)%len(instruments)]
		sf := newScreeningForm(&haven.Instrument{URL: q.URL, Version: q.Version}, q, "00000000-0000-4000-8000-000000000001")
		sf.read(r.PostForm)
		if len(sf.fieldErrors) > 0 {
			return
		}
		resp, err := sf.response("00000000-0000-4000-8000-000000000001", time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatalf("response of a form without field errors: %v", err)
		}
		if _, err := screening.ParseQuestionnaireResponse(resp); err != nil {
			t.Errorf("the form's response does not read back: %v\n%s", err, resp)
		}
	})
}
