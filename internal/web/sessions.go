package web

import (
	"net/http"
	"strconv"
	"time"
)

type sessionsPage struct {
	Page
	Sessions []sessionRow
}

type sessionRow struct {
	ID, UserAgent, Created, LastSeen string
	Current                          bool
}

// sessions lists the user's live sessions, each of which can be ended.
func (h *Handler) sessions(w http.ResponseWriter, r *http.Request) error {
	list, err := h.cfg.Auth.Sessions(r.Context())
	if err != nil {
		return err
	}
	cur, _ := signedIn(r.Context())
	p := sessionsPage{Page: h.page(r, "sessions.title")}
	if r.URL.Query().Get("ended") == "1" {
		p.Notice = p.T("sessions.ended")
	}
	for _, s := range list {
		p.Sessions = append(p.Sessions, sessionRow{ID: s.ID, UserAgent: s.UserAgent,
			Created: p.When(s.CreatedAt), LastSeen: p.When(s.LastSeen),
			Current: s.ID == cur.session.ID})
	}
	return h.render(w, http.StatusOK, "sessions", &p)
}

// endSession ends one of the user's sessions; ending the current one
// signs out.
func (h *Handler) endSession(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := h.cfg.Auth.EndSession(r.Context(), id); err != nil {
		return err
	}
	if cur, _ := signedIn(r.Context()); cur.session.ID == id {
		clearSessionCookie(w)
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/sessions?ended=1", http.StatusSeeOther)
	return nil
}

// extendSession is "Stay signed in" of the session-expiry warning.
// authed has already marked the session used (AuthService.Authenticate),
// which moves its idle expiry and never its 12-hour limit; this answers
// 204, which a browser posting the form without JavaScript treats as "stay
// on this page", so the form being filled is kept. The body is empty;
// Haven-Session-Seconds says how long the session now has if unused, and
// Haven-Session-Final is 1 when that is the 12-hour limit, which no use
// extends.
func (h *Handler) extendSession(w http.ResponseWriter, r *http.Request) error {
	cur, _ := signedIn(r.Context())
	s := cur.session
	w.Header().Set("Haven-Session-Seconds", strconv.Itoa(int(time.Until(s.Expiry()).Seconds())))
	if s.Expiry().Equal(s.AbsoluteExpiry()) {
		w.Header().Set("Haven-Session-Final", "1")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
