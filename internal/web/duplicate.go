package web

import (
	"net/http"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

func init() {
	pageNames = append(pageNames, "duplicatereview")
}

// mountDuplicates mounts the supervisors' queue of possible duplicates
// that their creators were not told of.
func (h *Handler) mountDuplicates(s *server.Server) {
	s.HandleFunc("GET /review/duplicates", h.authed(h.duplicateQueue))
	s.HandleFunc("POST /review/duplicates/{id}", h.authed(h.duplicateResolve))
}

type duplicateQueuePage struct {
	Page
	Pairs []duplicatePair
}

type duplicatePair struct {
	ID, NewCase, ExistingCase, Found string
}

func (h *Handler) duplicateQueue(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateDuplicates); err != nil {
		return err
	}
	list, err := h.cfg.Duplicates.DuplicateReviews(r.Context())
	if err != nil {
		return err
	}
	p := duplicateQueuePage{Page: h.page(r, "duplicates.review_title")}
	if r.URL.Query().Get("resolved") == "1" {
		p.Notice = p.T("duplicates.resolved")
	}
	for _, d := range list {
		p.Pairs = append(p.Pairs, duplicatePair{ID: d.ID, NewCase: d.SurvivorCase, ExistingCase: d.OtherCase,
			Found: p.When(d.CreatedAt)})
	}
	return h.render(w, http.StatusOK, "duplicatereview", &p)
}

func (h *Handler) duplicateResolve(w http.ResponseWriter, r *http.Request) error {
	if err := require(r, gateDuplicates); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.Invalid, "The form could not be read.")
	}
	if err := h.cfg.Duplicates.ResolveDuplicateReview(r.Context(), r.PathValue("id"), r.PostForm.Get("finding")); err != nil {
		return err
	}
	http.Redirect(w, r, "/review/duplicates?resolved=1", http.StatusSeeOther)
	return nil
}
