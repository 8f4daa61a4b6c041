package web

import "net/http"

// exit is where quick exit passes through: it ends the session, tells the
// browser to clear Haven's cache, cookies and storage, and sends it to the
// neutral site. It is a GET so that it works as a plain link without
// JavaScript; the worst a forged link can do is sign someone out.
func (h *Handler) exit(w http.ResponseWriter, r *http.Request) error {
	if ck, err := r.Cookie(SessionCookie); err == nil {
		if err := h.cfg.Auth.SignOut(r.Context(), ck.Value); err != nil {
			h.cfg.Logger.Warn("quick exit sign-out failed", "err", err)
		}
	}
	clearSessionCookie(w)
	w.Header().Set("Clear-Site-Data", `"cache", "cookies", "storage"`)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, h.cfg.NeutralURL, http.StatusSeeOther)
	return nil
}

type exitNotePage struct{ Page }

// exitNote explains what quick exit does and what it cannot do.
func (h *Handler) exitNote(w http.ResponseWriter, r *http.Request) error {
	p := exitNotePage{Page: h.page(r, "exitnote.title")}
	return h.render(w, http.StatusOK, "exitnote", &p)
}
