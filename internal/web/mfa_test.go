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

func TestTwoStepEnrolment(t *testing.T) {
	e := newEnv(t, false)
	c := client(t)
	signIn(t, e, c, "nurse", "")
	resp, body := get(t, c, e.srv.URL+"/account/two-step")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Two-step sign-in is off") {
		t.Fatalf("GET /account/two-step: %d", resp.StatusCode)
	}
	resp, body = post(t, c, e.srv.URL+"/account/two-step/begin", url.Values{})
	secret := regexp.MustCompile(`<code>([A-Z2-7]+)</code>`).FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "data:image/png;base64,") || secret == nil {
		t.Fatalf("begin: status=%d, want a QR code and the secret", resp.StatusCode)
	}
	link := regexp.MustCompile(`name="link" value="([^"]+)"`).FindStringSubmatch(body)
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
}
