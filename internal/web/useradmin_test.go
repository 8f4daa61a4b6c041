package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/haven-care/haven"
)

// signInWith signs in with a password of the test's choosing and
// returns the response's Location.
func signInWith(tb testing.TB, e *env, c *http.Client, user, pw string) {
	tb.Helper()
	resp, body := post(tb, c, e.srv.URL+"/signin", url.Values{"username": {user}, "password": {pw}})
	if resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("sign-in %s: status=%d; body:\n%s", user, resp.StatusCode, body)
	}
	u, _ := url.Parse(e.srv.URL)
	for _, ck := range resp.Cookies() {
		ck.Secure = false
		c.Jar.SetCookies(u, []*http.Cookie{ck})
	}
}

// userID looks an account up by username.
func userID(tb testing.TB, e *env, name string) string {
	tb.Helper()
	var id string
	if err := e.db.SQL().QueryRow(`SELECT id FROM users WHERE username = $1`, name).Scan(&id); err != nil {
		tb.Fatal(err)
	}
	return id
}

func adminClient(t *testing.T, e *env) *http.Client {
	t.Helper()
	c := client(t)
	signIn(t, e, c, "admin", e.code(t))
	return c
}

var (
	setLinkRE   = regexp.MustCompile(`<code id="first-link">https://[^/]+(/set-password/[A-Za-z0-9_-]+)</code>`)
	temporaryRE = regexp.MustCompile(`<code id="first-temporary">([a-z0-9-]+)</code>`)
)

// TestUsersPageAddByLink: the administrator adds a user with a one-time
// link; the link sets the password once, and only administrators reach
// the page.
func TestUsersPageAddByLink(t *testing.T) {
	e := newEnv(t, false)
	admin := adminClient(t, e)
	resp, body := get(t, admin, e.srv.URL+"/admin/users")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/admin/users"`) || !strings.Contains(body, "advocate") {
		t.Fatalf("GET /admin/users: %d", resp.StatusCode)
	}
	nurse := client(t)
	signIn(t, e, nurse, "nurse", "")
	if resp, _ := get(t, nurse, e.srv.URL+"/admin/users"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("nurse GET /admin/users: %d, want 403", resp.StatusCode)
	}
	if resp, _ := post(t, nurse, e.srv.URL+"/admin/users", url.Values{"username": {"sneaky"}, "role": {"admin"}, "start": {"link"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("nurse adds a user: %d, want 403", resp.StatusCode)
	}
	resp, body = post(t, admin, e.srv.URL+"/admin/users", url.Values{"username": {"x"}, "role": {"clinician"}, "start": {"link"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="username-error"`) {
		t.Errorf("bad username: %d, want 400 beside the field", resp.StatusCode)
	}
	resp, body = post(t, admin, e.srv.URL+"/admin/users", url.Values{"username": {"nurse"}, "role": {"clinician"}, "start": {"link"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("taken username: %d, want 409", resp.StatusCode)
	}
	resp, body = post(t, admin, e.srv.URL+"/admin/users", url.Values{"username": {"nurse.fl"}, "display_name": {"Nurse Florida"},
		"role": {"clinician"}, "start": {"link"}})
	m := setLinkRE.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("add by link: %d, want the link shown once", resp.StatusCode)
	}
	if _, again := get(t, admin, e.srv.URL+"/admin/users"); strings.Contains(again, m[1]) {
		t.Error("the link is shown again")
	}
	anon := client(t)
	resp, body = get(t, anon, e.srv.URL+m[1])
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "nurse.fl") {
		t.Fatalf("GET set-password link: %d", resp.StatusCode)
	}
	resp, body = post(t, anon, e.srv.URL+m[1], url.Values{"password": {"a fine long passphrase"}, "repeat_password": {"another"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="repeat_password-error"`) {
		t.Errorf("mismatch: %d", resp.StatusCode)
	}
	resp, body = post(t, anon, e.srv.URL+m[1], url.Values{"password": {"short"}, "repeat_password": {"short"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="password-error"`) {
		t.Errorf("weak password: %d", resp.StatusCode)
	}
	resp, _ = post(t, anon, e.srv.URL+m[1], url.Values{"password": {"a fine long passphrase"}, "repeat_password": {"a fine long passphrase"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin?done=password_set" {
		t.Fatalf("set password: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := get(t, anon, e.srv.URL+m[1]); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Ask your administrator") {
		t.Errorf("used link: %d, want 404 saying to ask the administrator", resp.StatusCode)
	}
	if _, body := get(t, anon, e.srv.URL+"/signin?done=password_set"); !strings.Contains(body, "Your password is set") {
		t.Error("sign-in does not confirm the password")
	}
	c := client(t)
	signInWith(t, e, c, "nurse.fl", "a fine long passphrase")
	if resp, _ := get(t, c, e.srv.URL+"/"); resp.StatusCode != http.StatusOK {
		t.Errorf("new user's start page: %d", resp.StatusCode)
	}
}

// TestTemporaryPasswordHoldsEveryPage: with a temporary password, every
// page but the password change sends the user there, forms are refused,
// and the change then frees them.
func TestTemporaryPasswordHoldsEveryPage(t *testing.T) {
	e := newEnv(t, false)
	admin := adminClient(t, e)
	_, body := post(t, admin, e.srv.URL+"/admin/users", url.Values{"username": {"adv.tmp"}, "role": {"advocate"}, "start": {"temporary"}})
	m := temporaryRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no temporary password shown")
	}
	c := client(t)
	signInWith(t, e, c, "adv.tmp", m[1])
	for _, p := range []string{"/", "/sessions", "/survivors", "/account/two-step"} {
		if resp, _ := get(t, c, e.srv.URL+p); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
			t.Errorf("GET %s: %d %q, want the password change", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if resp, _ := post(t, c, e.srv.URL+"/survivors", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /survivors: %d, want 403", resp.StatusCode)
	}
	resp, body := get(t, c, e.srv.URL+"/account/password")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "temporary password") || strings.Contains(body, `href="/survivors"`) {
		t.Errorf("password page: %d, want the temporary notice and no navigation", resp.StatusCode)
	}
	resp, body = post(t, c, e.srv.URL+"/account/password", url.Values{"current_password": {"wrong one"}, "new_password": {"my own long phrase"}, "repeat_password": {"my own long phrase"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="current_password-error"`) {
		t.Errorf("wrong current: %d", resp.StatusCode)
	}
	resp, _ = post(t, c, e.srv.URL+"/account/password", url.Values{"current_password": {m[1]}, "new_password": {"my own long phrase"}, "repeat_password": {"my own long phrase"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d", resp.StatusCode)
	}
	if resp, _ := get(t, c, e.srv.URL+"/"); resp.StatusCode != http.StatusOK {
		t.Errorf("after the change, start page: %d", resp.StatusCode)
	}
}

// TestOwnPasswordChangeEndsOtherSessions: the page says so, and the other
// session is gone on its next request; /sessions links to the change.
func TestOwnPasswordChangeEndsOtherSessions(t *testing.T) {
	e := newEnv(t, false)
	a, b := client(t), client(t)
	signIn(t, e, a, "advocate", "")
	signIn(t, e, b, "advocate", "")
	if _, body := get(t, a, e.srv.URL+"/sessions"); !strings.Contains(body, `<a href="/account/password">`) {
		t.Error("/sessions does not link to the password change")
	}
	resp, _ := post(t, a, e.srv.URL+"/account/password", url.Values{"current_password": {testPassword}, "new_password": {"a different pass phrase"}, "repeat_password": {"a different pass phrase"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d", resp.StatusCode)
	}
	resp, body := get(t, a, e.srv.URL+resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Your password is changed. 1 other session was ended.") {
		t.Errorf("after the change: %d, want the notice of the ended session", resp.StatusCode)
	}
	if resp, _ := get(t, b, e.srv.URL+"/"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin" {
		t.Errorf("other session: %d %q, want sign-in", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestTwoStepPolicyEnforcedAtSignIn: with the policy on for clinicians, a
// clinician without two-step sign-in is taken to enrol and nothing else
// works until they have.
func TestTwoStepPolicyEnforcedAtSignIn(t *testing.T) {
	e := newEnv(t, false)
	admin := adminClient(t, e)
	resp, _ := post(t, admin, e.srv.URL+"/admin/users/two-step-policy", url.Values{"role": {"clinician"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("policy: %d", resp.StatusCode)
	}
	if _, body := get(t, admin, e.srv.URL+"/admin/users?done=policy"); !strings.Contains(body, `id="policy-clinician" name="role" value="clinician" checked`) {
		t.Error("the policy does not show clinicians checked")
	}
	c := client(t)
	signIn(t, e, c, "nurse", "")
	for _, p := range []string{"/", "/survivors", "/sessions", "/account/password"} {
		if resp, _ := get(t, c, e.srv.URL+p); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/two-step" {
			t.Errorf("GET %s: %d %q, want enrolment", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if resp, _ := post(t, c, e.srv.URL+"/survivors", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /survivors: %d, want 403", resp.StatusCode)
	}
	resp, body := get(t, c, e.srv.URL+"/account/two-step")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="two-step-required"`) {
		t.Fatalf("enrolment page: %d", resp.StatusCode)
	}
	_, body = post(t, c, e.srv.URL+"/account/two-step/begin", url.Values{"password": {testPassword}})
	secret := secretRE.FindStringSubmatch(body)
	if secret == nil {
		t.Fatal("no secret")
	}
	code, _ := totp.GenerateCode(secret[1], time.Now())
	if resp, body := post(t, c, e.srv.URL+"/account/two-step/confirm", url.Values{"code": {code}}); resp.StatusCode != http.StatusOK || !strings.Contains(body, `<a href="/">`) {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	if resp, _ := get(t, c, e.srv.URL+"/"); resp.StatusCode != http.StatusOK {
		t.Errorf("after enrolling, start page: %d", resp.StatusCode)
	}
	// The administrator resets it: the nurse's session ends, and the
	// next sign-in enrols again.
	resp, _ = post(t, admin, e.srv.URL+"/admin/users/"+userID(t, e, "nurse")+"/reset-two-step", url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if resp, _ := get(t, c, e.srv.URL+"/"); resp.Header.Get("Location") != "/signin" {
		t.Errorf("after reset: %q, want sign-in", resp.Header.Get("Location"))
	}
	signIn(t, e, c, "nurse", "")
	if resp, _ := get(t, c, e.srv.URL+"/"); resp.Header.Get("Location") != "/account/two-step" {
		t.Errorf("after reset, sign-in: %q, want enrolment", resp.Header.Get("Location"))
	}
}

// TestUsersPageDisableRoleAndSelf: disabling ends the user's session on
// their next request; an administrator cannot change their own role.
func TestUsersPageDisableRoleAndSelf(t *testing.T) {
	e := newEnv(t, false)
	admin := adminClient(t, e)
	adv := client(t)
	signIn(t, e, adv, "advocate", "")
	id := userID(t, e, "advocate")
	if resp, _ := post(t, admin, e.srv.URL+"/admin/users/"+id+"/disable", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp, _ := get(t, adv, e.srv.URL+"/"); resp.Header.Get("Location") != "/signin" {
		t.Errorf("disabled user's next request: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := get(t, admin, e.srv.URL+"/admin/users?done=disabled"); !strings.Contains(body, "Disabled") {
		t.Error("the list does not show the account disabled")
	}
	if resp, _ := post(t, admin, e.srv.URL+"/admin/users/"+id+"/enable", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("enable: %d", resp.StatusCode)
	}
	if resp, _ := post(t, admin, e.srv.URL+"/admin/users/"+id+"/role", url.Values{"role": {"supervisor"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("role: %d", resp.StatusCode)
	}
	self := userID(t, e, "admin")
	resp, body := post(t, admin, e.srv.URL+"/admin/users/"+self+"/role", url.Values{"role": {"clinician"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "ask another administrator") {
		t.Errorf("own role: %d, want 403 saying why", resp.StatusCode)
	}
	if resp, _ := get(t, admin, e.srv.URL+"/survivors/new"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("admin opens the new-record form after trying: %d, want 403", resp.StatusCode)
	}
	resp, body = post(t, admin, e.srv.URL+"/admin/users/"+id+"/reset-password", url.Values{"start": {"link"}})
	if resp.StatusCode != http.StatusOK || setLinkRE.FindStringSubmatch(body) == nil {
		t.Errorf("reset password: %d, want a new link", resp.StatusCode)
	}
	if u, _ := e.db.FindUserByID(t.Context(), self); u.Role != haven.RoleAdmin {
		t.Errorf("admin role=%s", u.Role)
	}
}

var textHashRE = regexp.MustCompile(`name="lang" value="es"><input type="hidden" name="key" value="consent.title"><input type="hidden" name="text_hash" value="([0-9a-f]{64})"`)

// TestTranslationReview: an administrator marks a text reviewed, naming
// the reviewer; a review whose source no longer matches leaves the text
// drafted.
func TestTranslationReview(t *testing.T) {
	e := newEnv(t, false)
	admin := adminClient(t, e)
	var body string
	var m []string
	page := 0
	for page < 20 && m == nil {
		page++
		_, body = get(t, admin, e.srv.URL+"/admin/translations?page="+strconv.Itoa(page))
		m = textHashRE.FindStringSubmatch(body)
	}
	if m == nil {
		t.Fatal("no review form for es consent.title")
	}
	form := url.Values{"lang": {"es"}, "key": {"consent.title"}, "text_hash": {m[1]}, "reviewer": {"Ana Revisora"}, "page": {strconv.Itoa(page)}}
	nurse := client(t)
	signIn(t, e, nurse, "nurse", "")
	if resp, _ := post(t, nurse, e.srv.URL+"/admin/translations/review", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("nurse reviews: %d, want 403", resp.StatusCode)
	}
	stale := url.Values{"lang": {"es"}, "key": {"consent.title"}, "text_hash": {strings.Repeat("0", 64)}, "reviewer": {"Ana"}}
	if resp, _ := post(t, admin, e.srv.URL+"/admin/translations/review", stale); resp.StatusCode != http.StatusConflict {
		t.Errorf("stale text: %d, want 409", resp.StatusCode)
	}
	noName := url.Values{"lang": {"es"}, "key": {"consent.title"}, "text_hash": {m[1]}}
	if resp, _ := post(t, admin, e.srv.URL+"/admin/translations/review", noName); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("no reviewer: %d, want 400", resp.StatusCode)
	}
	resp, _ := post(t, admin, e.srv.URL+"/admin/translations/review", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("review: %d", resp.StatusCode)
	}
	_, body = get(t, admin, e.srv.URL+resp.Header.Get("Location"))
	if !strings.Contains(body, "by Ana Revisora") || !strings.Contains(html.UnescapeString(body), "marked reviewed") {
		t.Error("the reviewed text does not name its reviewer")
	}
	// A review bound to another English source is not in force.
	adminCtx := haven.WithActor(t.Context(), haven.Actor{UserID: userID(t, e, "admin"), Role: haven.RoleAdmin})
	if err := e.db.ReviewTranslation(adminCtx, haven.TranslationReview{Language: "es", Key: "consent.body", Reviewer: "Old",
		SourceHash: haven.TextHash("an earlier English text"), TextHash: haven.TextHash("x")}); err != nil {
		t.Fatal(err)
	}
	_, body = get(t, admin, e.srv.URL+"/admin/translations")
	if !regexp.MustCompile(`lang="es">Español</th><td>\d+</td><td>1</td>`).MatchString(body) {
		t.Errorf("summary: want exactly one Spanish text reviewed")
	}
	if _, body := get(t, nurse, e.srv.URL+"/survivor-texts?lang=es"); !strings.Contains(body, "notice warn") {
		t.Error("survivor texts with drafts do not say so")
	}
}

// TestTwoStepPolicyHoldsEverySignInPath: with the policy on, a clinician
// who set their password by a link, and one who signed in with a
// temporary password and changed it, are both held for enrolment.
func TestTwoStepPolicyHoldsEverySignInPath(t *testing.T) {
	e := newEnv(t, false)
	admin := adminClient(t, e)
	post(t, admin, e.srv.URL+"/admin/users/two-step-policy", url.Values{"role": {"clinician"}})
	_, body := post(t, admin, e.srv.URL+"/admin/users", url.Values{"username": {"nurse.link"}, "role": {"clinician"}, "start": {"link"}})
	m := setLinkRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no link")
	}
	const pw = "a fine long passphrase"
	if resp, _ := post(t, client(t), e.srv.URL+m[1], url.Values{"password": {pw}, "repeat_password": {pw}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("set password: %d", resp.StatusCode)
	}
	c := client(t)
	signInWith(t, e, c, "nurse.link", pw)
	if resp, _ := get(t, c, e.srv.URL+"/"); resp.Header.Get("Location") != "/account/two-step" {
		t.Errorf("link path: %q, want enrolment", resp.Header.Get("Location"))
	}
	_, body = post(t, admin, e.srv.URL+"/admin/users", url.Values{"username": {"nurse.temp"}, "role": {"clinician"}, "start": {"temporary"}})
	tm := temporaryRE.FindStringSubmatch(body)
	if tm == nil {
		t.Fatal("no temporary password")
	}
	c = client(t)
	signInWith(t, e, c, "nurse.temp", tm[1])
	if resp, _ := get(t, c, e.srv.URL+"/"); resp.Header.Get("Location") != "/account/password" {
		t.Errorf("temporary path: %q, want the password change first", resp.Header.Get("Location"))
	}
	post(t, c, e.srv.URL+"/account/password", url.Values{"current_password": {tm[1]}, "new_password": {pw}, "repeat_password": {pw}})
	if resp, _ := get(t, c, e.srv.URL+"/"); resp.Header.Get("Location") != "/account/two-step" {
		t.Errorf("temporary path, changed: %q, want enrolment", resp.Header.Get("Location"))
	}
}
