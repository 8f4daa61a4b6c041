package web

import (
	"fmt"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/password"
	"github.com/haven-care/haven/internal/server"
)

func init() {
	pageNames = append(pageNames, "password", "setpassword")
}

func (h *Handler) mountPasswords(s *server.Server) {
	s.HandleFunc("GET /account/password", h.authed(h.passwordForm))
	s.HandleFunc("POST /account/password", h.authed(h.passwordChange))
	s.HandleFunc("GET /set-password/{token}", h.setPasswordForm)
	s.HandleFunc("POST /set-password/{token}", h.publicForm(h.setPassword))
}

// passwordPage is the user's own password change; Temporary says they
// signed in with a temporary password that must be changed first.
type passwordPage struct {
	Page
	Temporary bool
	Error     string
	Fields    map[string]string
}

func (h *Handler) newPasswordPage(r *http.Request) *passwordPage {
	p := &passwordPage{Page: h.page(r, "password.title"), Fields: map[string]string{}}
	if s, ok := signedIn(r.Context()); ok {
		p.Temporary = s.state == haven.SignInChangePassword
	}
	return p
}

func (h *Handler) passwordForm(w http.ResponseWriter, r *http.Request) error {
	p := h.newPasswordPage(r)
	if n := r.URL.Query().Get("ended"); n != "" {
		ended, _ := strconv.Atoi(n)
		p.Notice = p.T("password.changed") + " " + plural(&p.Page, "password.ended", ended)
	}
	return h.render(w, http.StatusOK, "password", p)
}

// plural picks key_one or key_other and fills in n.
func plural(p *Page, key string, n int) string {
	if n == 1 {
		return p.T(key + "_one")
	}
	return fmtInt(p.T(key+"_other"), n)
}

func fmtInt(format string, n int) string {
	out := []byte{}
	for i := 0; i < len(format); i++ {
		if format[i] == '%' && i+1 < len(format) && format[i+1] == 'd' {
			out = strconv.AppendInt(out, int64(n), 10)
			i++
			continue
		}
		out = append(out, format[i])
	}
	return string(out)
}

// passwordChange checks the current password, sets the new one and ends
// the user's other sessions; the page then says how many ended.
func (h *Handler) passwordChange(w http.ResponseWriter, r *http.Request) error {
	next := r.PostFormValue("new_password")
	p := h.newPasswordPage(r)
	if next != r.PostFormValue("repeat_password") {
		p.Fields["repeat_password"] = p.T("password.mismatch")
		p.Error = p.T("form.correct_fields")
		return h.render(w, http.StatusBadRequest, "password", p)
	}
	ended, err := h.cfg.Passwords.ChangePassword(r.Context(), r.PostFormValue("current_password"), next,
		server.ClientAddr(r, h.cfg.TrustedProxies))
	switch {
	case isKind(err, haven.Invalid):
		for f := range haven.ErrorFields(err) {
			p.Fields[f] = p.passwordProblem(f, next)
		}
		p.Error = p.T("form.correct_fields")
		return h.render(w, http.StatusBadRequest, "password", p)
	case isKind(err, haven.Unavailable):
		p.Error = p.T("signin.throttled")
		return h.render(w, http.StatusTooManyRequests, "password", p)
	case err != nil:
		return err
	}
	http.Redirect(w, r, "/account/password?ended="+strconv.Itoa(ended), http.StatusSeeOther)
	return nil
}

// setPasswordPage is the public page of a one-time set-password link.
type setPasswordPage struct {
	Page
	Token    string
	Username string
	// Broken says the link was used, has expired or never existed.
	Broken bool
	Error  string
	Fields map[string]string
}

func (h *Handler) setPasswordForm(w http.ResponseWriter, r *http.Request) error {
	p := setPasswordPage{Page: h.page(r, "setpassword.title"), Token: r.PathValue("token"), Fields: map[string]string{}}
	name, err := h.cfg.Passwords.CheckPasswordLink(r.Context(), p.Token)
	if isKind(err, haven.NotFound) {
		p.Broken = true
		return h.render(w, http.StatusNotFound, "setpassword", &p)
	} else if err != nil {
		return err
	}
	p.Username = name
	return h.render(w, http.StatusOK, "setpassword", &p)
}

// setPassword sets the password under the password policy and sends the
// user to sign in with it (where the two-step policy takes over).
func (h *Handler) setPassword(w http.ResponseWriter, r *http.Request) error {
	p := setPasswordPage{Page: h.page(r, "setpassword.title"), Token: r.PathValue("token"), Fields: map[string]string{}}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("repeat_password") {
		p.Username, _ = h.cfg.Passwords.CheckPasswordLink(r.Context(), p.Token)
		p.Fields["repeat_password"] = p.T("password.mismatch")
		p.Error = p.T("form.correct_fields")
		return h.render(w, http.StatusBadRequest, "setpassword", &p)
	}
	err := h.cfg.Passwords.SetPasswordByLink(r.Context(), p.Token, pw)
	switch {
	case isKind(err, haven.NotFound):
		p.Broken = true
		return h.render(w, http.StatusNotFound, "setpassword", &p)
	case isKind(err, haven.Invalid):
		p.Username, _ = h.cfg.Passwords.CheckPasswordLink(r.Context(), p.Token)
		p.Fields["password"] = p.passwordProblem("password", pw)
		p.Error = p.T("form.correct_fields")
		return h.render(w, http.StatusBadRequest, "setpassword", &p)
	case err != nil:
		return err
	}
	http.Redirect(w, r, "/signin?done=password_set", http.StatusSeeOther)
	return nil
}

// passwordProblem words why a password was refused, in the page's
// language: the current one not right, or the new one against the
// policy (password.Check).
func (p *Page) passwordProblem(field, typed string) string {
	n := utf8.RuneCountInString(typed)
	switch {
	case field == "current_password":
		return p.T("password.err.current")
	case n < password.MinLength:
		return fmt.Sprintf(p.T("password.err.short"), password.MinLength)
	case n > password.MaxLength:
		return fmt.Sprintf(p.T("password.err.long"), password.MaxLength)
	}
	return p.T("password.err.common")
}
