package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-care/haven"
)

// survivorForm is a complete new-survivor form with synthetic data: SMS
// is the only safe channel and voicemail is not safe.
func survivorForm() url.Values {
	return url.Values{
		"name": {"Synthetic Person Zq"}, "aliases": {"Zed\nZee"}, "date_of_birth": {"2001-02-03"},
		"phones": {"555-0100"}, "emails": {"zq@example.invalid"}, "addresses": {"1 Test Street"},
		"immigration_status": {"pending"}, "notes": {"first line\nsecond line"},
		"cultural_considerations": {"prefers to be met by a woman"}, "faith_considerations": {"fasts on Mondays"},
		"language_0": {"es"}, "dialect_0": {"Rioplatense"}, "interpreter_0": {"1"}, "language_1": {"fr"},
		"preferred_provider_gender": {"female"}, "contact_channels": {"sms"}, "safe_times": {"weekdays 10-12"},
		"voicemail_message": {"Call the clinic back"}, "code_word": {"blue kite"},
	}
}

// createSurvivor posts the form and returns the record page's path.
func createSurvivor(t *testing.T, e *env, c *http.Client, form url.Values) string {
	t.Helper()
	resp, body := post(t, c, e.srv.URL+"/survivors", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /survivors status=%d, want 303; body:\n%s", resp.StatusCode, body)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return loc.Path
}

var recordPath = regexp.MustCompile(`^/survivors/[0-9a-f-]{36}$`)

func TestSurvivorCreateShowsPlanBeforeContact(t *testing.T) {
	e := newEnv(t, false)
	c := client(t)
	signIn(t, e, c, "advocate", "")
	resp, body := post(t, c, e.srv.URL+"/survivors", survivorForm())
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "?created=1") {
		t.Fatalf("create: status=%d Location=%q, want 303 to the record; body:\n%s", resp.StatusCode, loc, body)
	}
	path := strings.TrimSuffix(loc, "?created=1")
	if !recordPath.MatchString(path) {
		t.Errorf("record path %q, want /survivors/{uuid} (IDs only in URLs)", path)
	}
	resp, body = get(t, c, e.srv.URL+loc)
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("record page status=%d Cache-Control=%q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	order := []string{`id="plan"`, "Text message", "weekdays 10-12", "Not safe: leave no voicemail.", "blue kite", `id="contact-h"`,
		`action="` + path + `/contact"`, "Synthetic Person Zq", "Español (es), Rioplatense — interpreter needed", "fasts on Mondays"}
	at := 0
	for _, want := range order {
		i := strings.Index(body[at:], want)
		if i < 0 {
			t.Fatalf("record page lacks %q after position %d (the plan must come before any contact action)", want, at)
		}
		at += i
	}
	if !strings.Contains(body, "The record was created.") {
		t.Error("no creation notice")
	}
	if strings.Contains(body, "<title>Synthetic") || strings.Contains(strings.SplitN(body, "<main", 2)[0], "Synthetic") {
		t.Error("the name appears outside the page's main content (title or header)")
	}
}

func TestSurvivorListShowsNoNames(t *testing.T) {
	e := newEnv(t, false)
	c := client(t)
	signIn(t, e, c, "advocate", "")
	path := createSurvivor(t, e, c, survivorForm())
	minor := survivorForm()
	minor.Set("name", "Young Synthetic")
	minor.Set("date_of_birth", "")
	minor.Set("age_band", "15-17")
	createSurvivor(t, e, c, minor)
	resp, body := get(t, c, e.srv.URL+"/survivors")
	if resp.StatusCode != 200 {
		t.Fatalf("list status=%d", resp.StatusCode)
	}
	for _, want := range []string{`href="` + path + `"`, "15-17", "<strong>Yes</strong>", `href="/survivors/new"`, `aria-current="page"`} {
		if !strings.Contains(body, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	for _, leak := range []string{"Synthetic", "555-0100", "Zed"} {
		if strings.Contains(body, leak) {
			t.Errorf("list shows %q; it must show coded fields only", leak)
		}
	}
	c2 := client(t)
	signIn(t, e, c2, "nurse", "")
	if _, body := get(t, c2, e.srv.URL+"/survivors"); strings.Contains(body, path) {
		t.Error("a clinician not on the care team sees the record in the list")
	}
	if resp, _ := get(t, c2, e.srv.URL+path); resp.StatusCode != http.StatusNotFound {
		t.Errorf("clinician not on the care team: GET record status=%d, want 404", resp.StatusCode)
	}
}

func TestSurvivorNavigationByRole(t *testing.T) {
	e := newEnv(t, false)
	tests := []struct {
		user, code string
		link       bool
		newStatus  int
	}{
		{"advocate", "", true, 200},
		{"nurse", "", true, 200},
		{"admin", "totp", false, 403},
	}
	for _, tt := range tests {
		c := client(t)
		if tt.code != "" {
			tt.code = e.code(t)
		}
		signIn(t, e, c, tt.user, tt.code)
		_, home := get(t, c, e.srv.URL+"/")
		if got := strings.Contains(home, `href="/survivors"`); got != tt.link {
			t.Errorf("%s: Survivors link=%v, want %v", tt.user, got, tt.link)
		}
		if resp, _ := get(t, c, e.srv.URL+"/survivors/new"); resp.StatusCode != tt.newStatus {
			t.Errorf("%s: GET /survivors/new status=%d, want %d", tt.user, resp.StatusCode, tt.newStatus)
		}
		if resp, body := get(t, c, e.srv.URL+"/survivors"); resp.StatusCode != 200 || !strings.Contains(body, "not on the care team of any survivor") {
			t.Errorf("%s: empty list status=%d", tt.user, resp.StatusCode)
		}
	}
}

func TestSurvivorFormErrorsBesideFields(t *testing.T) {
	e := newEnv(t, false)
	tests := []struct {
		lang, field, value, want string
	}{
		{"en", "date_of_birth", "2999-01-01", "Use a real past date, or leave it empty."},
		{"en", "emails", "not-an-address", "Give each email address as name@domain"},
		{"en", "language_0", "e$", "Use language codes such as es or zh-Hant"},
		{"es", "date_of_birth", "03/02/2001", "Use una fecha pasada real o déjela vacía."},
		{"es", "name", "", "Indique un nombre o un alias"},
	}
	for _, tt := range tests {
		c := client(t)
		signIn(t, e, c, "advocate", "")
		u, _ := url.Parse(e.srv.URL)
		c.Jar.SetCookies(u, []*http.Cookie{{Name: "haven_lang", Value: tt.lang}})
		form := survivorForm()
		form.Set(tt.field, tt.value)
		if tt.field == "name" {
			form.Del("aliases")
		}
		resp, body := post(t, c, e.srv.URL+"/survivors", form)
		errField := map[string]string{"language_0": "languages"}[tt.field]
		if errField == "" {
			errField = tt.field
		}
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s %s=%q: status=%d, want 400", tt.lang, tt.field, tt.value, resp.StatusCode)
			continue
		}
		if !strings.Contains(body, `id="`+errField+`-error">`+tt.want) {
			t.Errorf("%s %s=%q: no %q beside the field", tt.lang, tt.field, tt.value, tt.want)
		}
		if !strings.Contains(body, "blue kite") || !strings.Contains(body, "weekdays 10-12") {
			t.Errorf("%s %s: the form did not keep what was typed", tt.lang, tt.field)
		}
	}
	c := client(t)
	signIn(t, e, c, "advocate", "")
	if _, body := get(t, c, e.srv.URL+"/survivors"); !strings.Contains(body, "not on the care team of any survivor") {
		t.Error("an invalid form created a record")
	}
}

func TestSurvivorEditAndDuplicateWarning(t *testing.T) {
	e := newEnv(t, false)
	c := client(t)
	signIn(t, e, c, "advocate", "")
	path := createSurvivor(t, e, c, survivorForm())
	_, body := get(t, c, e.srv.URL+path+"/edit")
	for _, want := range []string{`value="Synthetic Person Zq"`, ">Zed\nZee</textarea>", `value="sms" checked`, `id="interpreter_0" name="interpreter_0" value="1" checked`} {
		if !strings.Contains(body, want) {
			t.Errorf("edit form lacks %q", want)
		}
	}
	form := survivorForm()
	form.Set("contact_channels", "phone_call")
	form.Set("voicemail_safe", "1")
	resp, _ := post(t, c, e.srv.URL+path, form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path+"?saved=1" {
		t.Fatalf("update: status=%d Location=%q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = get(t, c, e.srv.URL+path)
	if !strings.Contains(body, `<ul id="plan-channels"><li>Phone call</li></ul>`) || !strings.Contains(body, "Safe. A message may say:") {
		t.Error("the record page does not show the changed plan")
	}

	resp, _ = post(t, c, e.srv.URL+"/survivors", survivorForm())
	loc := resp.Header.Get("Location")
	_, body = get(t, c, e.srv.URL+loc)
	if !strings.Contains(loc, "dup="+strings.TrimPrefix(path, "/survivors/")) || !strings.Contains(body, "Possible duplicate") || !strings.Contains(body, `<a href="`+path+`">HV-`) {
		t.Errorf("second record with the same name and birth date: Location=%q, want a duplicate warning linking %s", loc, path)
	}
	// Someone off those care teams learns nothing of them (security
	// finding 4): no warning, no count, the same address as for a new
	// person; a supervisor gets the pairs to review instead.
	c2 := client(t)
	signIn(t, e, c2, "nurse", "")
	resp, _ = post(t, c2, e.srv.URL+"/survivors", survivorForm())
	loc = resp.Header.Get("Location")
	_, body = get(t, c2, e.srv.URL+loc)
	if strings.Contains(loc, "dup") || strings.Contains(loc, "hidden") || strings.Contains(body, `id="duplicates"`) ||
		strings.Contains(body, "care teams you are not on") || strings.Contains(body, path) {
		t.Errorf("another user's new record reveals the records they may not see: Location=%q", loc)
	}
	if !strings.HasSuffix(loc, "?created=1") {
		t.Errorf("Location=%q, want the record with created=1 only, as for anyone", loc)
	}
	if _, body := get(t, c2, e.srv.URL+loc+"&hidden=3"); strings.Contains(body, "3") && strings.Contains(body, "care teams") {
		t.Error("a forged hidden= count is shown")
	}
	mustUser(t, e.db, "supervisor", "", haven.RoleSupervisor)
	sup := client(t)
	signIn(t, e, sup, "supervisor", "")
	if _, body := get(t, sup, e.srv.URL+"/"); !strings.Contains(body, `id="pending-duplicates"`) || !strings.Contains(body, "Possible duplicates to review: 2.") {
		t.Error("the supervisor's home page does not count the possible duplicates to review")
	}
	if resp, _ := get(t, c2, e.srv.URL+"/review/duplicates"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a clinician opens the duplicate queue: status=%d, want 403", resp.StatusCode)
	}
	resp, body = get(t, sup, e.srv.URL+"/review/duplicates")
	action := regexp.MustCompile(`action="(/review/duplicates/[^"]+)"`).FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || action == nil || strings.Count(body, `class="case">HV-`) != 4 {
		t.Fatalf("duplicate queue: status=%d, want two pairs of case numbers", resp.StatusCode)
	}
	if resp, _ := post(t, sup, e.srv.URL+action[1], url.Values{"finding": {"same_person"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("resolve: status=%d, want 303", resp.StatusCode)
	}
	if resp, _ := post(t, sup, e.srv.URL+action[1], url.Values{"finding": {"distinct"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("resolve again: status=%d, want 409", resp.StatusCode)
	}
	if _, body := get(t, sup, e.srv.URL+"/review/duplicates"); !strings.Contains(body, "Possible duplicates to review: 1.") {
		t.Error("the count does not fall after a resolution")
	}
}

func TestSurvivorContactRefusedThroughUnsafeChannel(t *testing.T) {
	e := newEnv(t, false)
	c := client(t)
	signIn(t, e, c, "advocate", "")
	path := createSurvivor(t, e, c, survivorForm())
	tests := []struct {
		channel, voicemail string
		status             int
		want               string
	}{
		{"sms", "", http.StatusSeeOther, ""},
		{"phone_call", "", http.StatusForbidden, "Refused: the safe-contact plan does not mark Phone call as safe."},
		{"sms", "1", http.StatusForbidden, "Refused: the safe-contact plan says voicemail is not safe."},
		{"fax", "", http.StatusForbidden, "Refused: choose one of the listed channels."},
	}
	for _, tt := range tests {
		before, _ := e.db.AuditSize(context.Background())
		resp, body := post(t, c, e.srv.URL+path+"/contact", url.Values{"channel": {tt.channel}, "voicemail": {tt.voicemail}, "outcome": {"reached"}})
		if resp.StatusCode != tt.status {
			t.Errorf("contact %s voicemail=%q: status=%d, want %d", tt.channel, tt.voicemail, resp.StatusCode, tt.status)
		}
		if tt.want != "" && (!strings.Contains(body, tt.want) || strings.Index(body, `id="plan"`) > strings.Index(body, `id="contact-refusal"`)) {
			t.Errorf("contact %s: page lacks %q after the plan", tt.channel, tt.want)
		}
		after, _ := e.db.AuditSize(context.Background())
		if after <= before {
			t.Errorf("contact %s: no audit entry", tt.channel)
		}
	}
	_, body := get(t, c, e.srv.URL+path+"?contacted=sms")
	if !strings.Contains(body, "Contact recorded: Text message.") {
		t.Error("no confirmation after a recorded contact")
	}
}

func TestSurvivorListPages(t *testing.T) {
	e := newEnv(t, false)
	c := client(t)
	signIn(t, e, c, "advocate", "")
	form := survivorForm()
	form.Set("date_of_birth", "")
	for range 26 {
		createSurvivor(t, e, c, form)
	}
	tests := []struct {
		query string
		rows  int
		link  string
	}{{"", 25, `rel="next"`}, {"?page=2", 1, `rel="prev"`}, {"?page=99", 1, "Page 2 of 2"}}
	for _, tt := range tests {
		_, body := get(t, c, e.srv.URL+"/survivors"+tt.query)
		if got := strings.Count(body, `<th scope="row">`); got != tt.rows || !strings.Contains(body, tt.link) {
			t.Errorf("GET /survivors%s: %d rows, contains %q=%v; want %d, true", tt.query, got, tt.link, strings.Contains(body, tt.link), tt.rows)
		}
	}
}

// TestSurvivorContactFormPreselectsOnlySafe: the contact form never comes
// with an unsafe channel chosen (issue 18). A channel is pre-selected only
// when the plan marks it safe; with no safe channel nothing is; with "do
// not contact" there is no contact form at all, only that contact is not
// allowed, and a forged attempt is still refused and audited.
func TestSurvivorContactFormPreselectsOnlySafe(t *testing.T) {
	e := newEnv(t, false)
	c := client(t)
	signIn(t, e, c, "advocate", "")
	checked := regexp.MustCompile(`name="channel" value="([a-z_]+)"[^>]* checked`)
	tests := []struct {
		name     string
		channels []string
		dnc      bool
		want     string // the pre-selected channel; "" for none
		form     bool   // whether the page offers the contact form
	}{
		{"sms safe", []string{"sms"}, false, "sms", true},
		{"no safe channel", nil, false, "", true},
		{"do not contact", nil, true, "", false},
		{"do not contact, channels left in the plan", []string{"phone_call", "sms"}, true, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := survivorForm()
			form["contact_channels"] = tt.channels
			if tt.dnc {
				form.Set("do_not_contact", "1")
			}
			path := createSurvivor(t, e, c, form)
			_, body := get(t, c, e.srv.URL+path)
			var got []string
			for _, m := range checked.FindAllStringSubmatch(body, -1) {
				got = append(got, m[1])
			}
			if want := []string{tt.want}; (tt.want == "" && len(got) != 0) || (tt.want != "" && (len(got) != 1 || got[0] != tt.want)) {
				t.Errorf("pre-selected channels=%q, want %q", got, want)
			}
			hasForm := strings.Contains(body, `action="`+path+`/contact"`)
			if hasForm != tt.form {
				t.Errorf("contact form offered=%v, want %v", hasForm, tt.form)
			}
			if tt.form && !strings.Contains(body, `name="channel" value="phone_call" required`) {
				t.Error("the channel choice is not required: an empty choice would post")
			}
			if tt.dnc {
				if !strings.Contains(body, `id="contact-not-allowed"`) || !strings.Contains(body, "Contact is not allowed") {
					t.Error("a do-not-contact record does not say that contact is not allowed")
				}
				if strings.Contains(body, `id="channel-`) {
					t.Error("a do-not-contact record offers channels to contact through")
				}
				before, _ := e.db.AuditSize(context.Background())
				resp, body := post(t, c, e.srv.URL+path+"/contact", url.Values{"channel": {"phone_call"}})
				if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `id="contact-refusal"`) {
					t.Errorf("forged contact on a do-not-contact record: status=%d, want 403 with the refusal", resp.StatusCode)
				}
				if after, _ := e.db.AuditSize(context.Background()); after <= before {
					t.Error("forged contact on a do-not-contact record: no audit entry")
				}
			}
		})
	}
}

// TestSurvivorLanguagesByName: staff pick a language by its name, in their
// own language or the language's, and the code is kept; an entry that
// names no language is marked beside its own input, which takes the focus.
func TestSurvivorLanguagesByName(t *testing.T) {
	e := newEnv(t, false)
	c := client(t)
	signIn(t, e, c, "advocate", "")
	_, blank := get(t, c, e.srv.URL+"/survivors/new")
	if !strings.Contains(blank, `list="language-choices"`) || !strings.Contains(blank, `<option value="Vietnamese (vi)">`) {
		t.Error("the language inputs offer no list of languages by name")
	}
	form := survivorForm()
	form.Set("language_0", "Spanish")
	form.Set("language_1", "Tiếng Việt")
	form.Set("language_2", "Haitian Creole (ht)")
	record := createSurvivor(t, e, c, form)
	_, body := get(t, c, e.srv.URL+record)
	for _, want := range []string{"(es)", "(vi)", "(ht)"} {
		if !strings.Contains(body, want) {
			t.Errorf("record lacks the language %s chosen by name", want)
		}
	}
	form.Set("language_1", "Klingonish")
	resp, body := post(t, c, e.srv.URL+"/survivors", form)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown language: status=%d, want 400", resp.StatusCode)
	}
	if !strings.Contains(body, `id="language_1" name="language_1"`) || !strings.Contains(body, `Klingonish`) ||
		!regexp.MustCompile(`id="language_1" name="language_1"[^>]*aria-invalid="true"[^>]*autofocus`).MatchString(body) {
		t.Error("the unknown entry is not marked invalid and focused beside its own input")
	}
	if regexp.MustCompile(`id="language_0" name="language_0"[^>]*aria-invalid`).MatchString(body) {
		t.Error("a language that was understood is marked invalid")
	}
}
