package web_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

var updateScreenshots = flag.Bool("update-screenshots", os.Getenv("HAVEN_UPDATE_SCREENSHOTS") == "1",
	"save screenshots of the main pages to docs/screenshots")

// axeFile is axe-core's browser bundle, installed by `npm ci` at the root.
const axeFile = "../../node_modules/axe-core/axe.min.js"

// chromiumPath finds Debian's chromium. Without one the browser tests skip,
// unless HAVEN_TEST_BROWSER_REQUIRED=1 (as in CI), where they fail.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("HAVEN_TEST_BROWSER_REQUIRED") == "1" {
		t.Fatal("HAVEN_TEST_BROWSER_REQUIRED=1 but no chromium on PATH (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH; set HAVEN_TEST_BROWSER_REQUIRED=1 to make this a failure")
	return ""
}

// browser is one headless chromium with a fresh profile, driving e.
type browser struct {
	t   *testing.T
	e   *env
	ctx context.Context
}

func newBrowser(t *testing.T, e *env) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1200, 900),
	}
	life, cancelLife := context.WithTimeout(context.Background(), 3*time.Minute)
	actx, cancelAlloc := chromedp.NewExecAllocator(life, opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc(); cancelLife() })
	b := &browser{t: t, e: e, ctx: ctx}
	b.do(chromedp.Navigate("about:blank"))
	return b
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// eval evaluates a JavaScript expression and returns its value.
func eval[T any](b *browser, expr string, opts ...chromedp.EvaluateOption) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor waits until the expression is true and the page has loaded. It
// polls from Go, so that navigations in between do not abort the wait.
func (b *browser) waitFor(expr string) {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		var ok bool
		ok, err = chromedp.Run(b.ctx, chromedp.Evaluate[bool]("document.readyState === 'complete' && !!("+expr+")"))
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	b.t.Fatalf("waiting for %s at %s: last error %v", expr, loc, err)
}

// clickAway clicks the element sel, which leads to another page, and waits
// until that page has loaded and cond holds. A marker on the old document
// tells the pages apart, so a condition that already held cannot end the
// wait early; it is on the document, not the window, because a form
// answered in place (a refused form, a preview) replaces the document in
// the same window.
func (b *browser) clickAway(sel, cond string) {
	b.t.Helper()
	eval[bool](b, `document.documentElement.setAttribute("data-haven-old-page", ""); true`)
	b.do(chromedp.Click(chromedp.CSS(sel)))
	b.waitFor(`!document.documentElement.hasAttribute("data-haven-old-page") && (` + cond + ")")
}

// fill sets the value of the form field with id.
func (b *browser) fill(id, value string) {
	b.t.Helper()
	v, _ := json.Marshal(value)
	eval[bool](b, `document.getElementById("`+id+`").value = `+string(v)+`; true`)
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.e.srv.URL + path))
	b.waitFor("true")
}

// signIn signs in through the form, as a person would.
func (b *browser) signIn(user, code string) {
	b.t.Helper()
	b.open("/signin")
	b.fill("username", user)
	b.fill("password", testPassword)
	b.fill("code", code)
	b.clickAway("button.primary", `location.pathname === "/"`)
}

// pressShift presses and releases the Shift key on its own.
func (b *browser) pressShift() {
	b.t.Helper()
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		p := input.DispatchKeyEventParams{Type: typ, Key: "Shift", Code: "ShiftLeft", WindowsVirtualKeyCode: 16, Location: 1}
		if typ == input.DispatchKeyEventTypeRawKeyDown {
			p.Modifiers = 8
		}
		if _, err := chromedp.Call(b.ctx, input.DispatchKeyEvent, p); err != nil {
			b.t.Fatal(err)
		}
	}
}

func (b *browser) screenshot(name string) {
	b.t.Helper()
	if !*updateScreenshots {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("../../docs/screenshots", name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func TestBrowserSignInWithTOTPAndNavigate(t *testing.T) {
	e := newEnv(t, true)
	b := newBrowser(t, e)
	b.signInFails("admin", "")
	b.signIn("admin", e.code(t))
	if got := eval[string](b, `document.querySelector("main").innerText`); !strings.Contains(got, "Ada Admin") {
		t.Errorf("home page text=%q, want the display name", got)
	}
	cookies, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{e.srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, c := range cookies.Cookies {
		if c.Name == "__Host-haven_session" {
			found = true
			if !c.HTTPOnly || !c.Secure || c.SameSite != network.CookieSameSiteLax {
				t.Errorf("session cookie HttpOnly=%v Secure=%v SameSite=%v, want true true Lax", c.HTTPOnly, c.Secure, c.SameSite)
			}
		}
	}
	if !found {
		t.Fatal("browser holds no session cookie after sign-in")
	}
	if eval[string](b, "document.cookie") != "" {
		t.Error("document.cookie is readable by scripts; want HttpOnly cookies only")
	}
	for _, step := range []struct{ link, want string }{
		{"/sessions", "Your sessions"}, {"/admin/translations", "Translations"}, {"/survivor-texts", "Texts for survivors"}, {"/", "Start"},
	} {
		b.clickAway(`nav a[href="`+step.link+`"]`, `location.pathname === "`+step.link+`" && document.querySelector("h1").innerText === "`+step.want+`"`)
		if got := eval[string](b, `document.querySelector('nav a[aria-current=page]').getAttribute('href')`); got != step.link {
			t.Errorf("on %s the current nav item is %s", step.link, got)
		}
	}
	b.open("/admin/translations")
	b.clickAway(`.pager a[rel=next]`, `location.search === "?page=2"`)
	if n := eval[int](b, `document.querySelectorAll(".demo").length`); n != 1 {
		t.Errorf("DEMO banners=%d, want 1", n)
	}
}

// signInFails submits a wrong sign-in and checks the error and the fields.
func (b *browser) signInFails(user, code string) {
	b.t.Helper()
	b.open("/signin")
	b.fill("username", user)
	b.fill("password", testPassword)
	b.fill("code", code)
	b.do(chromedp.Click(chromedp.CSS("button.primary")))
	b.waitFor(`document.querySelector("[role=alert]") !== null`)
	if got := eval[string](b, `document.querySelector("[role=alert]").innerText`); got != "The username, password or code is not right." {
		b.t.Errorf("sign-in error=%q", got)
	}
	if got := eval[string](b, `document.getElementById("username").value`); got != user {
		b.t.Errorf("username kept=%q, want %q", got, user)
	}
}

func TestBrowserQuickExit(t *testing.T) {
	e := newEnv(t, false)
	for _, how := range []string{"click", "shift"} {
		t.Run(how, func(t *testing.T) {
			b := newBrowser(t, e)
			b.do(chromedp.Navigate(e.neutral.URL + "/before"))
			b.signIn("advocate", "")
			b.clickAway(`nav a[href="/sessions"]`, `location.pathname === "/sessions"`)
			eval[bool](b, `localStorage.setItem("draft", "x"); sessionStorage.setItem("draft", "y"); true`)

			b.do(chromedp.KeyEvent("\t"))
			if id := eval[string](b, "document.activeElement.id"); id != "quick-exit" {
				t.Errorf("first in tab order: %q, want quick-exit", id)
			}
			if how == "click" {
				b.do(chromedp.Click(chromedp.ID("quick-exit")))
			} else {
				b.pressShift()
				b.pressShift()
				b.pressShift()
			}
			b.waitFor(`location.origin === "` + e.neutral.URL + `"`)
			eval[bool](b, "history.back(); true")
			time.Sleep(500 * time.Millisecond)
			b.waitFor("true")
			if loc := eval[string](b, "location.href"); strings.HasPrefix(loc, e.srv.URL) {
				t.Errorf("after quick exit, Back returned to Haven: %s", loc)
			}
			b.open("/quick-exit")
			if n := eval[int](b, "localStorage.length + sessionStorage.length"); n != 0 {
				t.Errorf("site storage holds %d items after quick exit, want 0", n)
			}
			b.open("/sessions")
			b.waitFor(`location.pathname === "/signin"`)
		})
	}
}

func TestBrowserArabicRightToLeft(t *testing.T) {
	e := newEnv(t, false)
	b := newBrowser(t, e)
	b.open("/signin")
	b.fill("lang-choice", "ar")
	b.clickAway("form.lang button", `document.documentElement.lang === "ar"`)
	got := eval[[]any](b, `[document.documentElement.dir, getComputedStyle(document.body).direction,
		document.getElementById("quick-exit").getBoundingClientRect().left < innerWidth / 2, document.querySelector("h1").innerText]`)
	want := []any{"rtl", "rtl", true, "تسجيل الدخول"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Arabic page: [dir, direction, exit on the left, h1]=%v, want %v", got, want)
			break
		}
	}
	b.screenshot("signin-ar")
	b.signIn("nurse", "")
	if got := eval[string](b, `document.querySelector("h1").innerText`); got != "البداية" {
		t.Errorf("Arabic home h1=%q", got)
	}
}

// TestBrowserSessionExpiryWarning signs in with the store's clock set back
// 28.5 minutes, so that the server says the session ends in 90 seconds:
// the warning must show at once. With a fresh session it stays hidden.
func TestBrowserSessionExpiryWarning(t *testing.T) {
	for _, tt := range []struct {
		name     string
		clockAgo time.Duration
		hidden   bool
	}{{"fresh", 0, true}, {"near expiry", 28*time.Minute + 30*time.Second, false}} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, false)
			e.db.DB.Clock = fixedClock{time.Now().Add(-tt.clockAgo)}
			b := newBrowser(t, e)
			b.signIn("advocate", "")
			secs := eval[string](b, `document.body.dataset.sessionSeconds`)
			b.waitFor("true")
			time.Sleep(200 * time.Millisecond)
			if got := eval[bool](b, `document.getElementById("session-warning").hidden`); got != tt.hidden {
				t.Errorf("data-session-seconds=%s: warning hidden=%v, want %v", secs, got, tt.hidden)
			}
		})
	}
}
