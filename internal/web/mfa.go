package web

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/http"
	"strings"

	"github.com/pquerna/otp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

func init() {
	pageNames = append(pageNames, "mfa")
}

// mfaPage walks a user through turning on two-step sign-in, or moving it
// to a new app: their password (and a current code when it is on), a QR
// code and the secret as text, a code to prove the app works, then the
// recovery codes, shown once.
type mfaPage struct {
	Page
	Enabled bool
	// QR is the data: URI of the QR code PNG, made here from the secret;
	// template.URL lets html/template keep a data: URI it would otherwise
	// neutralise.
	QR     template.URL
	Secret string
	// Link is the otpauth:// URL, carried in the confirm form so that a
	// mistyped code shows the same QR code again; only the stored, sealed
	// secret is ever checked.
	Link     string
	Fields   map[string]string
	Recovery []string
	// Required says the user's role requires two-step sign-in and no
	// other page works until it is set up.
	Required bool
}

func (h *Handler) mountMFA(s *server.Server) {
	s.HandleFunc("GET /account/two-step", h.authed(h.mfa))
	s.HandleFunc("POST /account/two-step/begin", h.authed(h.mfaBegin))
	s.HandleFunc("POST /account/two-step/confirm", h.authed(h.mfaConfirm))
}

func (h *Handler) mfa(w http.ResponseWriter, r *http.Request) error {
	p := h.mfaStart(r)
	return h.render(w, http.StatusOK, "mfa", p)
}

// mfaStart is the first page: whether two-step sign-in is on, and the
// form that asks for the password (and a current code when it is on)
// before anything changes.
func (h *Handler) mfaStart(r *http.Request) *mfaPage {
	p := &mfaPage{Page: h.page(r, "mfa.title"), Fields: map[string]string{}}
	p.Enabled = p.User != nil && p.User.TOTPEnabled
	if s, ok := signedIn(r.Context()); ok {
		p.Required = s.state == haven.SignInEnrolTwoStep
	}
	return p
}

// mfaBegin re-authenticates the user and, if that checks out, makes a new
// secret and shows it; until confirmed, sign-in is unchanged (the store
// keeps the new secret apart from the active one).
func (h *Handler) mfaBegin(w http.ResponseWriter, r *http.Request) error {
	re := haven.Reauth{Password: r.PostFormValue("password"), TOTPCode: strings.TrimSpace(r.PostFormValue("current_code")),
		RemoteKey: server.ClientAddr(r, h.cfg.TrustedProxies)}
	link, err := h.cfg.MFA.BeginTOTP(r.Context(), "Haven", re)
	switch {
	case isKind(err, haven.Invalid):
		p := h.mfaStart(r)
		p.Fields["password"] = p.T("mfa.reauth_wrong")
		return h.render(w, http.StatusBadRequest, "mfa", p)
	case isKind(err, haven.Unavailable):
		p := h.mfaStart(r)
		p.Notice = p.T("signin.throttled")
		return h.render(w, http.StatusTooManyRequests, "mfa", p)
	case err != nil:
		return err
	}
	p := mfaPage{Page: h.page(r, "mfa.title"), Fields: map[string]string{}, Required: h.mfaStart(r).Required}
	if err := p.setKey(link); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "mfa", &p)
}

func (p *mfaPage) setKey(link string) error {
	key, err := otp.NewKeyFromURL(link)
	if err != nil {
		return err
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	p.Link = link
	p.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
	p.Secret = key.Secret()
	return nil
}

// mfaConfirm turns two-step sign-in on (or moves it to the new app) once
// a code from the app checks out against the secret begun in this
// session, and shows the recovery codes once.
func (h *Handler) mfaConfirm(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	codes, err := h.cfg.MFA.ConfirmTOTP(r.Context(), r.PostForm.Get("code"))
	if isKind(err, haven.Invalid) {
		p := mfaPage{Page: h.page(r, "mfa.title"), Fields: map[string]string{}}
		// A wrong code shows the same QR code again; with nothing begun
		// in this session, or begun too long ago, the user starts again.
		if haven.ErrorFields(err)["code"] == "" || p.setKey(r.PostForm.Get("link")) != nil {
			start := h.mfaStart(r)
			start.Notice = start.T("mfa.start_again")
			return h.render(w, http.StatusBadRequest, "mfa", start)
		}
		p.Fields["code"] = p.T("mfa.code_wrong")
		return h.render(w, http.StatusBadRequest, "mfa", &p)
	} else if err != nil {
		return err
	}
	p := mfaPage{Page: h.page(r, "mfa.title"), Enabled: true, Recovery: codes}
	return h.render(w, http.StatusOK, "mfa", &p)
}
