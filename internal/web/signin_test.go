package web_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/haven-care/haven/internal/web"
)

// postFrom posts a sign-in as a trusted proxy would forward it from the
// client at addr, with the cookies given.
func postFrom(tb testing.TB, e *env, addr string, form url.Values, cookies ...*http.Cookie) *http.Response {
	tb.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+"/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("X-Forwarded-For", "198.18.0.1, "+addr) // the left hop is the client's to write
	for _, ck := range cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	resp, err := client(tb).Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func behindProxy(c *web.Config) {
	c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
}

// TestSignInBehindProxyThrottlesTheClient: behind a trusted proxy, junk
// sign-ins lock out the client that sent them, not everyone whose requests
// come through the proxy.
func TestSignInBehindProxyThrottlesTheClient(t *testing.T) {
	e := newEnvWith(t, false, behindProxy)
	junk := url.Values{"username": {"advocate"}, "password": {"not the password"}}
	for range 7 {
		postFrom(t, e, "203.0.113.66", junk)
	}
	right := url.Values{"username": {"advocate"}, "password": {testPassword}}
	if resp := postFrom(t, e, "203.0.113.66", right); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the junk sender: status=%d, want 429", resp.StatusCode)
	}
	if resp := postFrom(t, e, "198.51.100.7", right); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the user behind the same proxy: status=%d, want 303 (signed in)", resp.StatusCode)
	}
}

// TestSignInDeviceCookie: a successful sign-in sets an HttpOnly device
// cookie, with which the user signs in while strangers have the account
// locked for every other browser.
func TestSignInDeviceCookie(t *testing.T) {
	e := newEnvWith(t, false, behindProxy)
	right := url.Values{"username": {"advocate"}, "password": {testPassword}}
	resp := postFrom(t, e, "198.51.100.7", right)
	var device *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == web.DeviceCookie {
			device = ck
		}
	}
	if device == nil {
		t.Fatalf("no %s cookie in %v", web.DeviceCookie, resp.Header["Set-Cookie"])
	}
	if !device.Secure || !device.HttpOnly || device.SameSite != http.SameSiteStrictMode || device.Path != "/" || device.Domain != "" || device.MaxAge <= 0 {
		t.Errorf("device cookie=%+v, want Secure, HttpOnly, SameSite=Strict, Path=/, no Domain, a lifetime", device)
	}
	for i := range 30 {
		postFrom(t, e, fmt.Sprintf("203.0.113.%d", i), url.Values{"username": {"advocate"}, "password": {"guess"}})
	}
	if resp := postFrom(t, e, "198.51.100.8", right); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a new browser while strangers guess: status=%d, want 429", resp.StatusCode)
	}
	if resp := postFrom(t, e, "198.51.100.8", right, device); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the user's own browser: status=%d, want 303 (signed in)", resp.StatusCode)
	}
}

// TestPublicFormsRefuseLargeBodies: a form posted without a session is
// read up to a few kilobytes; a larger body gets 413 without being read.
func TestPublicFormsRefuseLargeBodies(t *testing.T) {
	e := newEnv(t, false)
	big := url.Values{"username": {"advocate"}, "password": {testPassword}, "pad": {strings.Repeat("x", 1<<20)}}
	for _, path := range []string{"/signin", "/language"} {
		resp, body := post(t, client(t), e.srv.URL+path, big)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "The form is too large.") {
			t.Errorf("POST %s with 1 MB: status=%d, want 413 with a clear message", path, resp.StatusCode)
		}
	}
	if resp, _ := post(t, client(t), e.srv.URL+"/signin", url.Values{"username": {"advocate"}, "password": {testPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("an ordinary sign-in: status=%d, want 303", resp.StatusCode)
	}
}
