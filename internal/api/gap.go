package api

import (
	"net/http"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/gap"
	"github.com/haven-care/haven/internal/server"
)

// mountGap mounts the gap and equity analysis: one suppressed table per
// request, scope api:read; the store decides (read analytics).
func (h *Handler) mountGap(s *server.Server) {
	s.Handle("GET /api/v1/gap/{population}", s.RequireToken(haven.ScopeAPIRead, h.gapTable))
}

func (h *Handler) gapTable(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for k := range q {
		if k != "by" {
			return gap.Invalid(k, "The gap analysis takes no filter: choose a population and what to break it down by (by).")
		}
	}
	pop, by := r.PathValue("population"), q.Get("by")
	if dims := gap.Dims[pop]; by == "" && len(dims) > 0 {
		by = dims[0]
	}
	t, err := h.Gap.GapTable(r.Context(), pop, by)
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, t)
	return nil
}

// ScreeningOutcomeInput is the body of PUT /api/v1/screenings/{id}/outcome.
type ScreeningOutcomeInput struct {
	Outcome haven.ScreeningOutcome `json:"outcome"`
}

func (h *Handler) recordScreeningOutcome(w http.ResponseWriter, r *http.Request) error {
	var in ScreeningOutcomeInput
	if err := decodeFields(w, r, &in, "outcome"); err != nil {
		return err
	}
	if err := h.Screenings.RecordScreeningOutcome(r.Context(), r.PathValue("id"), in.Outcome); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
