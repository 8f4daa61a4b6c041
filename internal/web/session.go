package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// SessionCookie is the name of the session cookie. The __Host- prefix makes
// the browser refuse it unless it is Secure, host-only and Path=/.
const SessionCookie = "__Host-haven_session"

// DeviceCookie holds the device token of the last successful sign-in on
// this browser (haven.Session.DeviceToken): with it, the user is not locked
// out by strangers who guess at their account. It lives as long as the
// token, is HttpOnly and, by its __Host- prefix, Secure and host-only.
const DeviceCookie = "__Host-haven_device"

// maxPublicForm bounds the body of a form posted without a session: the
// sign-in and language forms are a few hundred bytes.
const maxPublicForm = 8 << 10

type sessionKey struct{}

// signedInSession is what the session middleware puts in the context.
type signedInSession struct {
	token   string
	session *haven.Session
	user    *haven.User
	// state is what the user must do before any other page works.
	state haven.SignInState
}

// errSignInFirst refuses a form posted before a temporary password is
// changed or a required two-step sign-in set up.
var errSignInFirst = haven.Errorf(haven.Forbidden, "Finish signing in first: change your temporary password or set up two-step sign-in.")

// finishPage is the page a user in state must go to first, "" when they
// may go anywhere.
func finishPage(state haven.SignInState) string {
	switch state {
	case haven.SignInChangePassword:
		return "/account/password"
	case haven.SignInEnrolTwoStep:
		return "/account/two-step"
	}
	return ""
}

// allowedBefore reports whether path works for a user who must first
// finish signing in: the page that finishes it, its forms, and signing out.
func allowedBefore(state haven.SignInState, path string) bool {
	to := finishPage(state)
	return path == "/signout" || path == to || strings.HasPrefix(path, to+"/")
}

func signedIn(ctx context.Context) (*signedInSession, bool) {
	s, ok := ctx.Value(sessionKey{}).(*signedInSession)
	return s, ok
}

// authed wraps a page that needs a signed-in user: it checks the session
// cookie, puts the actor in the context, and marks the response no-store.
// Without a live session a GET goes to the sign-in page.
func (h *Handler) authed(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Cache-Control", "no-store")
		ck, err := r.Cookie(SessionCookie)
		if err != nil {
			return haven.Errorf(haven.Unauthenticated, "Please sign in.")
		}
		s, u, err := h.cfg.Auth.Authenticate(r.Context(), ck.Value)
		if err != nil {
			if isKind(err, haven.Unauthenticated) {
				clearSessionCookie(w)
			}
			return err
		}
		ctx := haven.WithActor(r.Context(), haven.Actor{UserID: u.ID, Role: u.Role, SessionID: s.ID})
		si := &signedInSession{token: ck.Value, session: s, user: u}
		if h.cfg.UserAdmin != nil {
			if si.state, err = h.cfg.UserAdmin.SignInState(ctx); err != nil {
				return err
			}
		}
		ctx = context.WithValue(ctx, sessionKey{}, si)
		r = r.WithContext(ctx)
		if to := finishPage(si.state); to != "" && !allowedBefore(si.state, r.URL.Path) {
			// A temporary password to change, or two-step sign-in the
			// role requires: nothing else works until it is done.
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, to, http.StatusSeeOther)
				return nil
			}
			h.handlerError(w, r, errSignInFirst)
			return nil
		}
		if err := fn(w, r); err != nil {
			h.handlerError(w, r, err)
		}
		return nil
	}
}

// handlerError logs a server-side failure and renders the error page with
// the signed-in user's context (language, navigation).
func (h *Handler) handlerError(w http.ResponseWriter, r *http.Request, err error) {
	status := server.StatusOf(err)
	if status >= 500 {
		h.cfg.Logger.Error("request failed", "request_id", server.RequestID(r.Context()), "route", r.Pattern, "err", err)
	}
	h.errorPage(w, r, status, err)
}

func setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/",
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func setDeviceCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: DeviceCookie, Value: token, Path: "/", MaxAge: int(haven.DeviceTokenLifetime.Seconds()),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// publicForm caps the body of a form that anyone may post and parses it,
// so that an unauthenticated client cannot make Haven read and hold
// megabytes (net/http's own cap is 10 MB): a larger body gets 413 at once.
func (h *Handler) publicForm(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		r.Body = http.MaxBytesReader(w, r.Body, maxPublicForm)
		if err := r.ParseForm(); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				h.errorPage(w, r, http.StatusRequestEntityTooLarge, errFormTooLarge)
				return nil
			}
			return haven.Errorf(haven.Invalid, "The form could not be read.")
		}
		return fn(w, r)
	}
}

var errFormTooLarge = haven.Errorf(haven.Invalid, "The form is too large.")

func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

type signInPage struct {
	Page
	Username string
	Error    string
	Fields   map[string]string
}

func (h *Handler) signInForm(w http.ResponseWriter, r *http.Request) error {
	p := signInPage{Page: h.page(r, "signin.title")}
	if r.URL.Query().Get("done") == "password_set" {
		p.Notice = p.T("signin.password_set")
	}
	return h.render(w, http.StatusOK, "signin", &p)
}

// signIn checks the form, asks the AuthService, and on success sets the
// session cookie and goes home. The password is never echoed back.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) error {
	c := haven.Credentials{Username: strings.TrimSpace(r.PostFormValue("username")),
		Password: r.PostFormValue("password"), TOTPCode: strings.TrimSpace(r.PostFormValue("code")),
		RemoteKey: server.ClientAddr(r, h.cfg.TrustedProxies), UserAgent: coarseUserAgent(r.UserAgent())}
	if ck, err := r.Cookie(DeviceCookie); err == nil {
		c.Device = ck.Value
	}
	p := signInPage{Page: h.page(r, "signin.title"), Username: c.Username, Fields: map[string]string{}}
	if c.Username == "" {
		p.Fields["username"] = p.T("signin.username_required")
	}
	if c.Password == "" {
		p.Fields["password"] = p.T("signin.password_required")
	}
	if len(p.Fields) > 0 {
		p.Error = p.T("form.correct_fields")
		return h.render(w, http.StatusBadRequest, "signin", &p)
	}
	token, s, err := h.cfg.Auth.SignIn(r.Context(), c)
	switch {
	case isKind(err, haven.Unauthenticated):
		p.Error = p.T("signin.failed")
		return h.render(w, http.StatusUnauthorized, "signin", &p)
	case isKind(err, haven.Unavailable):
		p.Error = p.T("signin.throttled")
		return h.render(w, http.StatusTooManyRequests, "signin", &p)
	case err != nil:
		return err
	}
	setSessionCookie(w, token)
	if s.DeviceToken != "" {
		setDeviceCookie(w, s.DeviceToken)
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) error {
	if ck, err := r.Cookie(SessionCookie); err == nil {
		if err := h.cfg.Auth.SignOut(r.Context(), ck.Value); err != nil {
			return err
		}
	}
	clearSessionCookie(w)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
	return nil
}

// coarseUserAgent reduces a User-Agent to "Browser on System", enough for
// users to recognise their sessions and too little to fingerprint them.
func coarseUserAgent(ua string) string {
	browser, system := "Browser", "unknown system"
	for _, b := range []struct{ token, name string }{{"Edg/", "Edge"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"}} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, s := range []struct{ token, name string }{{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iOS"}, {"Windows", "Windows"}, {"Mac OS", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"}} {
		if strings.Contains(ua, s.token) {
			system = s.name
			break
		}
	}
	return browser + " on " + system
}
