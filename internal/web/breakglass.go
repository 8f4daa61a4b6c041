package web

import (
	"net/http"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

func init() {
	pageNames = append(pageNames, "breakglass", "breakglassreview")
}

// mountBreakGlass mounts emergency access and the supervisors' review
// queue. The case number travels in a POST body, never in a URL.
func (h *Handler) mountBreakGlass(s *server.Server) {
	s.HandleFunc("GET /emergency-access", h.authed(h.breakGlassForm))
	s.HandleFunc("POST /emergency-access", h.authed(h.breakGlass))
	s.HandleFunc("GET /review/emergency-access", h.authed(h.breakGlassQueue))
	s.HandleFunc("POST /review/emergency-access/{id}", h.authed(h.breakGlassReview))
}

type breakGlassPage struct {
	Page
	CaseNumber, Reason string
	Fields             map[string]string
}

func (h *Handler) breakGlassForm(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateBreakGlass); err != nil {
		return err
	}
	p := breakGlassPage{Page: h.page(r, "breakglass.title"), Fields: map[string]string{}}
	return h.render(w, http.StatusOK, "breakglass", &p)
}

// breakGlass looks the case number up, takes the grant with the typed
// reason, and opens the record read-only.
func (h *Handler) breakGlass(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateBreakGlass); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	p := breakGlassPage{Page: h.page(r, "breakglass.title"), CaseNumber: r.PostForm.Get("case_number"),
		Reason: r.PostForm.Get("reason"), Fields: map[string]string{}}
	if problem := haven.BreakGlassReasonProblem(p.Reason, 0); problem != "" {
		p.Fields["reason"] = p.T("breakglass.reason_" + problem)
	}
	id, err := h.cfg.BreakGlass.SurvivorIDByCaseNumber(r.Context(), p.CaseNumber)
	if haven.ErrorKind(err) == haven.Invalid {
		p.Fields["case_number"] = p.T("breakglass.case_unknown")
	} else if err != nil {
		return err
	}
	if len(p.Fields) > 0 {
		return h.render(w, http.StatusBadRequest, "breakglass", &p)
	}
	if _, err := h.cfg.BreakGlass.BreakGlass(r.Context(), id, p.Reason); haven.ErrorFields(err)["reason"] != "" {
		// A repeat within 24 hours needs a fuller reason.
		p.Fields["reason"] = p.T("breakglass.reason_" + haven.ReasonRepeat)
		return h.render(w, http.StatusBadRequest, "breakglass", &p)
	} else if haven.ErrorKind(err) == haven.Forbidden {
		p.Notice = p.T("breakglass.refused")
		return h.render(w, http.StatusForbidden, "breakglass", &p)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/survivors/"+id, http.StatusSeeOther)
	return nil
}

type breakGlassQueuePage struct {
	Page
	Grants []grantRow
}

type grantRow struct {
	ID, User, CaseNumber, Created, Expires, Reason string
	Repeat                                         bool
}

func (h *Handler) breakGlassQueue(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateBreakGlassReview); err != nil {
		return err
	}
	grants, err := h.cfg.BreakGlass.BreakGlassQueue(r.Context())
	if err != nil {
		return err
	}
	p := breakGlassQueuePage{Page: h.page(r, "breakglass.review_title")}
	if r.URL.Query().Get("reviewed") == "1" {
		p.Notice = p.T("breakglass.reviewed")
	}
	for _, g := range grants {
		p.Grants = append(p.Grants, grantRow{ID: g.ID, User: h.userName(r, g.UserID), CaseNumber: g.CaseNumber,
			Created: p.When(g.CreatedAt), Expires: p.Clock(g.ExpiresAt), Reason: g.Reason, Repeat: g.Repeat})
	}
	return h.render(w, http.StatusOK, "breakglassreview", &p)
}

// userName shows who took emergency access: their display name, or their
// username.
func (h *Handler) userName(r *http.Request, id string) string {
	if h.cfg.Users == nil {
		return id
	}
	u, err := h.cfg.Users.FindUserByID(r.Context(), id)
	if err != nil {
		return id
	}
	if u.DisplayName != "" {
		return u.DisplayName + " (" + u.Username + ")"
	}
	return u.Username
}

func (h *Handler) breakGlassReview(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateBreakGlassReview); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	if err := h.cfg.BreakGlass.ReviewBreakGlass(r.Context(), r.PathValue("id"), r.PostForm.Get("finding")); err != nil {
		return err
	}
	http.Redirect(w, r, "/review/emergency-access?reviewed=1", http.StatusSeeOther)
	return nil
}
