package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// mountCarePlan mounts the care-plan routes: reads need api:read,
// changes api:write. The store checks the care team and audits each call.
func (h *Handler) mountCarePlan(s *server.Server) {
	s.Handle("GET /api/v1/survivors/{id}/needs", s.RequireToken(haven.ScopeAPIRead, h.listNeeds))
	s.Handle("POST /api/v1/survivors/{id}/needs", s.RequireToken(haven.ScopeAPIWrite, h.addNeed))
	s.Handle("PATCH /api/v1/survivors/{id}/needs/{need}", s.RequireToken(haven.ScopeAPIWrite, h.updateNeed))
	s.Handle("GET /api/v1/survivors/{id}/suggested-needs", s.RequireToken(haven.ScopeAPIRead, h.suggestedNeeds))
}

// Need is a need of the care plan as the API returns it: the goal and
// the priority are the survivor's own words.
type Need struct {
	ID           string        `json:"id"`
	SurvivorID   string        `json:"survivor_id"`
	Domain       string        `json:"domain"`
	DomainName   string        `json:"domain_name"`
	SDOHCategory string        `json:"sdoh_category"`
	Status       string        `json:"status"`
	Rank         int           `json:"rank"`
	Goal         string        `json:"goal"`
	Priority     string        `json:"priority"`
	ScreeningID  string        `json:"screening_id"`
	CreatedBy    string        `json:"created_by"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
	History      []NeedHistory `json:"history"`
}

// NeedHistory is one change of a need.
type NeedHistory struct {
	ID        string    `json:"id"`
	Change    string    `json:"change"`
	Status    string    `json:"status"`
	Note      string    `json:"note"`
	ChangedBy string    `json:"changed_by"`
	ChangedAt time.Time `json:"changed_at"`
}

// CarePlan is the body of GET /api/v1/survivors/{id}/needs.
type CarePlan struct {
	SurvivorID string `json:"survivor_id"`
	CaseNumber string `json:"case_number"`
	Needs      []Need `json:"needs"`
}

// SuggestedNeed is a need domain a screening's indicators point to, to
// confirm with the survivor.
type SuggestedNeed struct {
	Domain          string    `json:"domain"`
	DomainName      string    `json:"domain_name"`
	IndicatorDomain string    `json:"indicator_domain"`
	ScreeningID     string    `json:"screening_id"`
	ScreenedAt      time.Time `json:"screened_at"`
}

// SuggestedNeedList is the body of GET /api/v1/survivors/{id}/suggested-needs.
type SuggestedNeedList struct {
	SuggestedNeeds []SuggestedNeed `json:"suggested_needs"`
}

func needJSON(n *haven.CarePlanNeed) Need {
	d := n.NeedDomain()
	out := Need{ID: n.ID, SurvivorID: n.SurvivorID, Domain: n.Domain, DomainName: d.Name, SDOHCategory: d.SDOHCategory,
		Status: string(n.Status), Rank: n.Rank, Goal: n.Goal, Priority: n.Priority, ScreeningID: n.ScreeningID,
		CreatedBy: n.CreatedBy, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt, History: []NeedHistory{}}
	for _, h := range n.History {
		out.History = append(out.History, NeedHistory{h.ID, string(h.Change), string(h.Status), h.Note, h.ChangedBy, h.ChangedAt})
	}
	return out
}

func (h *Handler) listNeeds(w http.ResponseWriter, r *http.Request) error {
	plan, err := h.CarePlans.CarePlan(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := CarePlan{SurvivorID: plan.SurvivorID, CaseNumber: plan.CaseNumber, Needs: []Need{}}
	for i := range plan.Needs {
		out.Needs = append(out.Needs, needJSON(&plan.Needs[i]))
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) addNeed(w http.ResponseWriter, r *http.Request) error {
	var in haven.NewNeed
	if err := decodeFields(w, r, &in, "domain, goal, priority, rank, status and screening_id"); err != nil {
		return err
	}
	in.SurvivorID = r.PathValue("id")
	n, err := h.CarePlans.AddNeed(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/survivors/"+url.PathEscape(n.SurvivorID)+"/needs/"+url.PathEscape(n.ID))
	server.WriteJSON(w, http.StatusCreated, needJSON(n))
	return nil
}

// updateNeed changes a need of the survivor the path names; a need of
// another survivor is not found.
func (h *Handler) updateNeed(w http.ResponseWriter, r *http.Request) error {
	var in haven.NeedUpdate
	if err := decodeFields(w, r, &in, "status, goal, priority, rank and note"); err != nil {
		return err
	}
	cur, err := h.CarePlans.Need(r.Context(), r.PathValue("need"))
	if err != nil {
		return err
	}
	if cur.SurvivorID != r.PathValue("id") {
		return haven.Errorf(haven.NotFound, "Need not found.")
	}
	n, err := h.CarePlans.UpdateNeed(r.Context(), cur.ID, in)
	if err != nil {
		return err
	}
	server.WriteJSON(w, http.StatusOK, needJSON(n))
	return nil
}

func (h *Handler) suggestedNeeds(w http.ResponseWriter, r *http.Request) error {
	list, err := h.CarePlans.SuggestedNeeds(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := SuggestedNeedList{SuggestedNeeds: []SuggestedNeed{}}
	for _, s := range list {
		d, _ := haven.NeedByCode(s.Domain)
		out.SuggestedNeeds = append(out.SuggestedNeeds, SuggestedNeed{s.Domain, d.Name, s.IndicatorDomain, s.ScreeningID, s.ScreenedAt})
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}
