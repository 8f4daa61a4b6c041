package api

import (
	"net/http"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// mountCareTeams mounts a record's care team and the supervisors'
// caseload: reads need api:read, changes api:write. The store decides who
// may change a team (the lead and supervisors) and audits every call.
func (h *Handler) mountCareTeams(s *server.Server) {
	s.Handle("GET /api/v1/survivors/{id}/care-team", s.RequireToken(haven.ScopeAPIRead, h.getCareTeam))
	s.Handle("POST /api/v1/survivors/{id}/care-team", s.RequireToken(haven.ScopeAPIWrite, h.addCareTeamMember))
	s.Handle("DELETE /api/v1/survivors/{id}/care-team/{userID}", s.RequireToken(haven.ScopeAPIWrite, h.removeCareTeamMember))
	s.Handle("PUT /api/v1/survivors/{id}/care-team/lead", s.RequireToken(haven.ScopeAPIWrite, h.setCareTeamLead))
	s.Handle("GET /api/v1/caseload", s.RequireToken(haven.ScopeAPIRead, h.caseload))
}

// CareTeamMember is one member of a care team as the API returns it.
type CareTeamMember struct {
	UserID      string    `json:"user_id"`
	DisplayName string    `json:"display_name"`
	Role        string    `json:"role"`
	Lead        bool      `json:"lead"`
	AddedAt     time.Time `json:"added_at"`
}

// CareTeam is the body of GET, POST and PUT on a record's care team.
type CareTeam struct {
	Members []CareTeamMember `json:"members"`
}

// CareTeamUser is the body of POST (add) and PUT (name the lead).
type CareTeamUser struct {
	UserID string `json:"user_id"`
}

// CaseloadEntry is one case of GET /api/v1/caseload: coded fields and
// counts, never a name. LastContact is absent when no contact was made.
type CaseloadEntry struct {
	ID           string     `json:"id"`
	CaseNumber   string     `json:"case_number"`
	AgeBand      string     `json:"age_band"`
	Minor        bool       `json:"minor"`
	OpenNeeds    int        `json:"open_needs"`
	OverdueTasks int        `json:"overdue_tasks"`
	LastContact  *time.Time `json:"last_contact,omitempty"`
	Lead         string     `json:"lead"`
}

// Caseload is the body of GET /api/v1/caseload.
type Caseload struct {
	Today string          `json:"today"`
	Cases []CaseloadEntry `json:"cases"`
}

func (h *Handler) getCareTeam(w http.ResponseWriter, r *http.Request) error {
	return h.writeCareTeam(w, r, http.StatusOK)
}

// writeCareTeam answers with the record's care team as it is now.
func (h *Handler) writeCareTeam(w http.ResponseWriter, r *http.Request, status int) error {
	team, err := h.CareTeams.CareTeam(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := CareTeam{Members: []CareTeamMember{}}
	for _, m := range team {
		out.Members = append(out.Members, CareTeamMember{UserID: m.UserID, DisplayName: m.DisplayName, Role: string(m.Role),
			Lead: m.Lead, AddedAt: m.AddedAt})
	}
	server.WriteJSON(w, status, out)
	return nil
}

func (h *Handler) addCareTeamMember(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeCareTeamUser(w, r)
	if err != nil {
		return err
	}
	if err := h.CareTeams.AddCareTeamMember(r.Context(), r.PathValue("id"), in.UserID); err != nil {
		return err
	}
	return h.writeCareTeam(w, r, http.StatusCreated)
}

func (h *Handler) removeCareTeamMember(w http.ResponseWriter, r *http.Request) error {
	if err := h.CareTeams.RemoveCareTeamMember(r.Context(), r.PathValue("id"), r.PathValue("userID")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) setCareTeamLead(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeCareTeamUser(w, r)
	if err != nil {
		return err
	}
	if err := h.CareTeams.SetCareTeamLead(r.Context(), r.PathValue("id"), in.UserID); err != nil {
		return err
	}
	return h.writeCareTeam(w, r, http.StatusOK)
}

// decodeCareTeamUser reads {"user_id": "…"} and nothing else.
func decodeCareTeamUser(w http.ResponseWriter, r *http.Request) (CareTeamUser, error) {
	var in CareTeamUser
	r.Body = http.MaxBytesReader(w, r.Body, 4096) // a user ID needs far less than maxBody
	if err := decodeStrict(w, r, &in, `one JSON object {"user_id": "…"}`); err != nil {
		return in, err
	}
	if in.UserID == "" {
		return in, haven.FieldError("user_id", "Give the user's ID.")
	}
	return in, nil
}

// caseload lists a supervisor's caseload; overdue counts tasks due
// before today in the clinic's time zone.
func (h *Handler) caseload(w http.ResponseWriter, r *http.Request) error {
	today := h.today()
	rows, err := h.CareTeams.Caseload(r.Context(), today)
	if err != nil {
		return err
	}
	out := Caseload{Today: today, Cases: []CaseloadEntry{}}
	for _, c := range rows {
		e := CaseloadEntry{ID: c.SurvivorID, CaseNumber: c.CaseNumber, AgeBand: string(c.AgeBand), Minor: c.Minor,
			OpenNeeds: c.OpenNeeds, OverdueTasks: c.OverdueTasks, Lead: c.Lead}
		if !c.LastContact.IsZero() {
			last := c.LastContact
			e.LastContact = &last
		}
		out.Cases = append(out.Cases, e)
	}
	server.WriteJSON(w, http.StatusOK, out)
	return nil
}
