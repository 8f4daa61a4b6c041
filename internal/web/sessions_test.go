package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/haven-care/haven"
)

// settableClock is a clock a test moves while the server runs; until set
// it tells the real time.
type settableClock struct{ t atomic.Pointer[time.Time] }

func (c *settableClock) set(t time.Time) { c.t.Store(&t) }

func (c *settableClock) Now() time.Time {
	if t := c.t.Load(); t != nil {
		return t.UTC()
	}
	return time.Now().UTC()
}

// advocateSession picks the session of "advocate" (newEnv signs "admin"
// in too).
const advocateSession = `user_id = (SELECT id FROM users WHERE username = 'advocate')`

// lastSeen is when the advocate's session was last used.
func lastSeen(t *testing.T, e *env) time.Time {
	t.Helper()
	var ts time.Time
	if err := e.db.DB.SQL().QueryRowContext(context.Background(), `SELECT last_seen FROM sessions WHERE `+advocateSession).Scan(&ts); err != nil {
		t.Fatal(err)
	}
	return ts
}

// TestSessionExtend: "Stay signed in" (issue 18) posts to /sessions/extend,
// which marks the session used and answers 204 with nothing but the
// seconds left, so that a browser stays on its page, form and all. It
// never passes the 12-hour limit, refuses a cross-site request, and
// without a session is 401.
func TestSessionExtend(t *testing.T) {
	e := newEnv(t, false)
	clock := &settableClock{}
	clock.set(time.Now().Add(-28 * time.Minute))
	e.db.DB.Clock = clock
	c := client(t)
	signIn(t, e, c, "advocate", "")
	before := lastSeen(t, e)
	clock.set(time.Now())

	req, _ := http.NewRequest("POST", e.srv.URL+"/sessions/extend", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site extend: %v, status=%v, want 403", err, resp.StatusCode)
	}
	if got := lastSeen(t, e); !got.Equal(before) {
		t.Errorf("a cross-site request moved last_seen from %v to %v", before, got)
	}

	resp, body := post(t, c, e.srv.URL+"/sessions/extend", nil)
	left, _ := strconv.Atoi(resp.Header.Get("Haven-Session-Seconds"))
	if resp.StatusCode != http.StatusNoContent || body != "" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("extend: status=%d body=%q Cache-Control=%q, want 204, empty, no-store", resp.StatusCode, body, resp.Header.Get("Cache-Control"))
	}
	if idle := int(haven.SessionIdleTimeout.Seconds()); left < idle-10 || left > idle {
		t.Errorf("Haven-Session-Seconds=%d, want about %d", left, idle)
	}
	if got := lastSeen(t, e); got.Sub(before) < 27*time.Minute {
		t.Errorf("extend moved last_seen from %v to %v, want to now", before, got)
	}

	// A session 11 h 59 min old gets at most its last minute.
	created := time.Now().Add(-haven.SessionAbsoluteTimeout + time.Minute)
	if _, err := e.db.DB.SQL().ExecContext(context.Background(), `UPDATE sessions SET created_at = $1 WHERE `+advocateSession, created.UTC()); err != nil {
		t.Fatal(err)
	}
	resp, _ = post(t, c, e.srv.URL+"/sessions/extend", nil)
	left, err := strconv.Atoi(resp.Header.Get("Haven-Session-Seconds"))
	if resp.StatusCode != http.StatusNoContent || err != nil || left > 60 || resp.Header.Get("Haven-Session-Final") != "1" {
		t.Errorf("extend near the 12-hour limit: status=%d seconds=%q final=%q, want 204, at most 60, final",
			resp.StatusCode, resp.Header.Get("Haven-Session-Seconds"), resp.Header.Get("Haven-Session-Final"))
	}

	if _, body := get(t, c, e.srv.URL+"/"); !strings.Contains(body, `<div id="session-idle" hidden>`) || !strings.Contains(body, `<div id="session-final">`) {
		t.Error("near the 12-hour limit the warning still offers Stay signed in instead of saying it cannot be extended")
	}

	if resp, _ := post(t, client(t), e.srv.URL+"/sessions/extend", url.Values{}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("extend without a session: status=%d, want 401", resp.StatusCode)
	}
}

// TestBrowserStaySignedInKeepsTheForm: "Stay signed in" used to reload the
// page and lose what was typed (issue 18). Now it extends the session in
// place: the warning goes, the field keeps its text, the page is the same
// page, and the session's expiry has moved.
func TestBrowserStaySignedInKeepsTheForm(t *testing.T) {
	e := newEnv(t, false)
	clock := &settableClock{}
	clock.set(time.Now().Add(-28*time.Minute - 30*time.Second))
	e.db.DB.Clock = clock
	b := newBrowser(t, e)
	b.signIn("advocate", "")
	b.open("/survivors/new")
	b.waitFor(`!document.getElementById("session-warning").hidden`)
	b.do(chromedp.SendKeys(chromedp.ID("name"), "Synthetic Kept Text"))
	eval[bool](b, "window.havenOldPage = true")

	clock.set(time.Now())
	before := lastSeen(t, e)
	b.do(chromedp.Click(chromedp.CSS("#session-warning button, #session-warning a")))
	b.waitFor(`document.getElementById("session-warning").hidden`)
	if !eval[bool](b, `window.havenOldPage === true && location.pathname === "/survivors/new"`) {
		t.Errorf("Stay signed in left the page: now at %s", eval[string](b, "location.href"))
	}
	if got := eval[string](b, `document.getElementById("name").value`); got != "Synthetic Kept Text" {
		t.Errorf("after Stay signed in the field holds %q, want the text typed", got)
	}
	if got := lastSeen(t, e); got.Sub(before) < 28*time.Minute {
		t.Errorf("Stay signed in moved last_seen from %v to %v, want to now", before, got)
	}
	if left := eval[int](b, `parseInt(document.body.dataset.sessionSeconds, 10)`); left < 1700 {
		t.Errorf("data-session-seconds=%d after Stay signed in, want about 1800", left)
	}
	time.Sleep(300 * time.Millisecond)
	if eval[bool](b, `!document.getElementById("session-warning").hidden`) {
		t.Error("the warning came back at once: its timer was not restarted")
	}
}
