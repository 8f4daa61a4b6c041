package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

var (
	secretRE = regexp.MustCompile(`<code>([A-Z2-7]+)</code>`)
	linkRE   = regexp.MustCompile(`name="link" value="([^"]+)"`)
)

func TestTwoStepEnrolment(t *testing.T) {
	e := newEnv(t, false)
	c := client(t)
	signIn(t, e, c, "nurse", "")
	resp, body := get(t, c, e.srv.URL+"/account/two-step")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Two-step sign-in is off") || !strings.Contains(body, `autocomplete="current-password"`) {
		t.Fatalf("GET /account/two-step: %d, want the page asking for the password", resp.StatusCode)
	}
	resp, body = post(t, c, e.srv.URL+"/account/two-step/begin", url.Values{})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="password-error"`) || secretRE.MatchString(body) {
		t.Fatalf("begin without the password: status=%d, want 400, a password error and no secret", resp.StatusCode)
	}
	resp, body = post(t, c, e.srv.URL+"/account/two-step/begin", url.Values{"password": {testPassword}})
	secret := secretRE.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "data:image/png;base64,") || secret == nil {
		t.Fatalf("begin: status=%d, want a QR code and the secret", resp.StatusCode)
	}
	link := linkRE.FindStringSubmatch(body)
	if link == nil {
		t.Fatal("the confirm form does not carry the link")
	}
	resp, body = post(t, c, e.srv.URL+"/account/two-step/confirm", url.Values{"code": {"000000"}, "link": {html.UnescapeString(link[1])}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="code-error"`) || !strings.Contains(body, secret[1]) {
		t.Errorf("wrong code: status=%d", resp.StatusCode)
	}
	code, _ := totp.GenerateCode(secret[1], time.Now())
	resp, body = post(t, c, e.srv.URL+"/account/two-step/confirm", url.Values{"code": {code}})
	if resp.StatusCode != http.StatusOK || strings.Count(body, "<li><code>") != 10 {
		t.Errorf("confirm: status=%d, want ten recovery codes", resp.StatusCode)
	}
	resp, body = post(t, c, e.srv.URL+"/account/two-step/confirm", url.Values{"code": {code}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Start again") {
		t.Errorf("confirm with nothing begun: status=%d, want 400 and start again", resp.StatusCode)
	}
}

// TestTwoStepSessionAloneCannotChangeIt: with only a session, begin asks
// for the password and a current code and changes nothing; two-step
// sign-in stays on throughout, with the old app, until confirm.
func TestTwoStepSessionAloneCannotChangeIt(t *testing.T) {
	e := newEnv(t, false)
	c := client(t)
	signIn(t, e, c, "admin", e.code(t))
	for _, form := range []url.Values{{}, {"password": {testPassword}}, {"password": {"wrong password"}, "current_code": {e.code(t)}}} {
		resp, body := post(t, c, e.srv.URL+"/account/two-step/begin", form)
		if resp.StatusCode != http.StatusBadRequest || secretRE.MatchString(body) || !strings.Contains(body, "Two-step sign-in is on") {
			t.Errorf("begin with %v: status=%d, want 400, no secret, still on", form, resp.StatusCode)
		}
	}
	resp, _ := post(t, client(t), e.srv.URL+"/signin", url.Values{"username": {"admin"}, "password": {testPassword}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("sign-in without a code after refused begins: status=%d, want 401", resp.StatusCode)
	}
	resp, body := post(t, c, e.srv.URL+"/account/two-step/begin", url.Values{"password": {testPassword}, "current_code": {e.code(t)}})
	if resp.StatusCode != http.StatusOK || secretRE.FindStringSubmatch(body) == nil {
		t.Fatalf("begin with the password and a current code: status=%d, want the new secret", resp.StatusCode)
	}
	signIn(t, e, client(t), "admin", e.code(t)) // the old app still works while enrolling
}
