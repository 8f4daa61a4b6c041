package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-care/haven/internal/web"
)

// client is an HTTP client with a cookie jar that does not follow redirects.
func client(tb testing.TB) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(tb testing.TB, c *http.Client, u string) (*http.Response, string) {
	tb.Helper()
	resp, err := c.Get(u)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func post(tb testing.TB, c *http.Client, u string, form url.Values) (*http.Response, string) {
	tb.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// signIn signs in over plain HTTP. The jar would drop a Secure cookie on
// http://, so the session cookie is copied across by hand.
func signIn(tb testing.TB, e *env, c *http.Client, user, code string) {
	tb.Helper()
	resp, body := post(tb, c, e.srv.URL+"/signin", url.Values{"username": {user}, "password": {testPassword}, "code": {code}})
	if resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("sign-in status=%d, want 303; body:\n%s", resp.StatusCode, body)
	}
	u, _ := url.Parse(e.srv.URL)
	for _, ck := range resp.Cookies() {
		ck.Secure = false
		c.Jar.SetCookies(u, []*http.Cookie{ck})
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	e := newEnv(t, false)
	resp, _ := post(t, client(t), e.srv.URL+"/signin", url.Values{"username": {"advocate"}, "password": {testPassword}})
	var got *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == web.SessionCookie {
			got = ck
		}
	}
	if got == nil {
		t.Fatalf("no %s cookie in %v", web.SessionCookie, resp.Header["Set-Cookie"])
	}
	if !got.Secure || !got.HttpOnly || got.SameSite != http.SameSiteLaxMode || got.Path != "/" || got.Domain != "" {
		t.Errorf("cookie=%+v, want Secure, HttpOnly, SameSite=Lax, Path=/, no Domain", got)
	}
}

func TestAuthenticatedPages(t *testing.T) {
	e := newEnv(t, false)
	c := client(t)
	resp, _ := get(t, c, e.srv.URL+"/sessions")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin" {
		t.Fatalf("signed out: status=%d location=%q, want 303 to /signin", resp.StatusCode, resp.Header.Get("Location"))
	}
	signIn(t, e, c, "advocate", "")
	tests := []struct {
		path, want string
		status     int
	}{
		{"/", "Ana Advocate", 200},
		{"/sessions", "this device", 200},
		{"/survivor-texts?lang=vi", "Thẻ hẹn", 200},
		{"/admin/translations", "Your role does not give access", 403},
		{"/no-such-page", "There is no page at this address.", 404},
	}
	for _, tt := range tests {
		resp, body := get(t, c, e.srv.URL+tt.path)
		if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s: status=%d, contains %q=%v; want %d, true", tt.path, resp.StatusCode, tt.want, strings.Contains(body, tt.want), tt.status)
		}
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("GET %s: Cache-Control=%q, want no-store", tt.path, got)
		}
	}
}

func TestSignInValidationBesideFields(t *testing.T) {
	e := newEnv(t, false)
	resp, body := post(t, client(t), e.srv.URL+"/signin", url.Values{"username": {"advocate"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status=%d, want 400", resp.StatusCode)
	}
	for _, want := range []string{`id="password-error"`, "Enter your password.", `aria-invalid="true"`, `value="advocate"`} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
	resp, body = post(t, client(t), e.srv.URL+"/signin", url.Values{"username": {"admin"}, "password": {testPassword}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "The username, password or code is not right.") {
		t.Errorf("TOTP account without code: status=%d, want 401 with the one sign-in error", resp.StatusCode)
	}
}

func TestExitClearsSiteDataAndEndsSession(t *testing.T) {
	e := newEnv(t, false)
	c := client(t)
	signIn(t, e, c, "advocate", "")
	u, _ := url.Parse(e.srv.URL)
	before := c.Jar.Cookies(u)
	resp, _ := get(t, c, e.srv.URL+"/exit")
	if got, want := resp.Header.Get("Clear-Site-Data"), `"cache", "cookies", "storage"`; got != want {
		t.Errorf("Clear-Site-Data=%q, want %q", got, want)
	}
	if got, want := resp.Header.Get("Location"), e.neutral.URL+"/forecast"; got != want {
		t.Errorf("Location=%q, want %q", got, want)
	}
	// The cookie was cleared by the response; put the old token back to
	// prove that the session itself ended on the server.
	c.Jar.SetCookies(u, before)
	resp, _ = get(t, c, e.srv.URL+"/sessions")
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after exit GET /sessions status=%d, want 303 to sign-in", resp.StatusCode)
	}
}

func TestLanguageNegotiationAndChoice(t *testing.T) {
	e := newEnv(t, false)
	tests := []struct {
		accept, cookie, wantLang, wantDir string
	}{
		{"", "", "en", "ltr"},
		{"fr-CA,fr;q=0.9", "", "fr", "ltr"},
		{"ar-EG", "", "ar", "rtl"},
		{"de, es;q=0.5", "", "es", "ltr"},
		{"zh", "", "en", "ltr"},
		{"fr", "ar", "ar", "rtl"},
		{"fr", "xx", "fr", "ltr"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", e.srv.URL+"/signin", nil)
		req.Header.Set("Accept-Language", tt.accept)
		if tt.cookie != "" {
			req.AddCookie(&http.Cookie{Name: "haven_lang", Value: tt.cookie})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := `<html lang="` + tt.wantLang + `" dir="` + tt.wantDir + `">`
		if !strings.Contains(string(b), want) {
			t.Errorf("Accept-Language %q cookie %q: page lacks %s", tt.accept, tt.cookie, want)
		}
	}
	resp, _ := post(t, client(t), e.srv.URL+"/language", url.Values{"lang": {"ar"}, "next": {"//evil.example/"}})
	if got := resp.Header.Get("Location"); got != "/" {
		t.Errorf("open redirect: Location=%q, want /", got)
	}
}

func TestCatalogsComplete(t *testing.T) {
	staff, survivor := web.Catalogs()
	for _, l := range web.StaffLanguages {
		if diff := cmp.Diff(keysOf(staff["en"]), keysOf(staff[l])); diff != "" {
			t.Errorf("staff catalog %s keys differ from en (-en +%s):\n%s", l, l, diff)
		}
	}
	for _, l := range web.SurvivorLanguages {
		if diff := cmp.Diff(keysOf(survivor["en"]), keysOf(survivor[l])); diff != "" {
			t.Errorf("survivor catalog %s keys differ from en (-en +%s):\n%s", l, l, diff)
		}
		for k, e := range survivor[l] {
			if e.Status != web.StatusDrafted && e.Status != web.StatusReviewed || strings.TrimSpace(e.Text) == "" {
				t.Errorf("survivor %s %s: status=%q text=%q, want drafted|reviewed and a text", l, k, e.Status, e.Text)
			}
		}
	}
	for _, key := range web.TemplateKeys() {
		if _, ok := staff["en"][key]; !ok {
			t.Errorf("templates use key %q, missing from the catalogs", key)
		}
	}
}

func keysOf[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}
