package web

import (
	"net/http"
	"net/url"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// mountTeams mounts the administrators' page of teams of staff.
func (h *Handler) mountTeams(s *server.Server) {
	s.HandleFunc("GET /admin/teams", h.authed(h.teams))
	s.HandleFunc("POST /admin/teams", h.authed(h.teamCreate))
	s.HandleFunc("POST /admin/teams/{id}/name", h.authed(h.teamRename))
	s.HandleFunc("POST /admin/teams/{id}/members", h.authed(h.teamMemberAdd))
	s.HandleFunc("POST /admin/teams/{id}/members/{user}/supervisor", h.authed(h.teamMemberSupervisor))
	s.HandleFunc("POST /admin/teams/{id}/members/{user}/remove", h.authed(h.teamMemberRemove))
}

type teamsPage struct {
	Page
	Teams []teamAdminView
	Error string
}

// teamAdminView is one team as its administrator sees it, with the care
// staff who may still join it.
type teamAdminView struct {
	haven.Team
	Members    []teamAdminMember
	Candidates []Option
}

type teamAdminMember struct {
	haven.TeamMember
	RoleLabel    string
	CanSupervise bool
}

// teams lists the teams of staff with forms to change them.
func (h *Handler) teams(w http.ResponseWriter, r *http.Request) error {
	return h.renderTeams(w, r, http.StatusOK, "")
}

func (h *Handler) renderTeams(w http.ResponseWriter, r *http.Request, status int, errKey string) error {
	if err := require(r, gateTeams); err != nil {
		return err
	}
	teams, err := h.cfg.Teams.Teams(r.Context())
	if err != nil {
		return err
	}
	staff, err := h.cfg.Teams.CareStaff(r.Context())
	if err != nil {
		return err
	}
	p := teamsPage{Page: h.page(r, "teams.title")}
	if errKey != "" {
		p.Error = p.T(errKey)
	}
	if done := r.URL.Query().Get("done"); teamsNotices[done] {
		p.Notice = p.T("teams.done_" + done)
	}
	for _, t := range teams {
		v := teamAdminView{Team: t}
		on := map[string]bool{}
		for _, m := range t.Members {
			on[m.UserID] = true
			v.Members = append(v.Members, teamAdminMember{TeamMember: m, RoleLabel: p.T("role." + string(m.Role)),
				CanSupervise: m.Role == haven.RoleSupervisor})
		}
		for _, s := range staff {
			if !on[s.UserID] {
				v.Candidates = append(v.Candidates, p.staffOption(s))
			}
		}
		p.Teams = append(p.Teams, v)
	}
	return h.render(w, status, "teams", &p)
}

// teamsNotices are the changes the teams page confirms after a redirect.
var teamsNotices = map[string]bool{"created": true, "renamed": true, "added": true, "supervisor": true, "removed": true}

// teamsChange runs change for an administrator and goes back to the
// teams page; a refusal they can act on shows there, with errKey.
func (h *Handler) teamsChange(w http.ResponseWriter, r *http.Request, done, errKey string, change func() error) error {
	if err := require(r, gateTeams); err != nil {
		return err
	}
	err := change()
	switch {
	case err == nil:
		http.Redirect(w, r, "/admin/teams?done="+url.QueryEscape(done), http.StatusSeeOther)
		return nil
	case isKind(err, haven.Invalid):
		return h.renderTeams(w, r, http.StatusBadRequest, errKey)
	case isKind(err, haven.Conflict):
		return h.renderTeams(w, r, http.StatusConflict, errKey)
	}
	return err
}

func (h *Handler) teamCreate(w http.ResponseWriter, r *http.Request) error {
	return h.teamsChange(w, r, "created", "teams.error_name", func() error {
		_, err := h.cfg.Teams.CreateTeam(r.Context(), r.PostFormValue("name"))
		return err
	})
}

func (h *Handler) teamRename(w http.ResponseWriter, r *http.Request) error {
	return h.teamsChange(w, r, "renamed", "teams.error_name", func() error {
		return h.cfg.Teams.RenameTeam(r.Context(), r.PathValue("id"), r.PostFormValue("name"))
	})
}

func (h *Handler) teamMemberAdd(w http.ResponseWriter, r *http.Request) error {
	return h.teamsChange(w, r, "added", "teams.error_member", func() error {
		return h.cfg.Teams.AddTeamMember(r.Context(), r.PathValue("id"), r.PostFormValue("user_id"), r.PostFormValue("supervisor") == "1")
	})
}

func (h *Handler) teamMemberSupervisor(w http.ResponseWriter, r *http.Request) error {
	return h.teamsChange(w, r, "supervisor", "teams.error_member", func() error {
		return h.cfg.Teams.SetTeamSupervisor(r.Context(), r.PathValue("id"), r.PathValue("user"), r.PostFormValue("supervisor") == "1")
	})
}

func (h *Handler) teamMemberRemove(w http.ResponseWriter, r *http.Request) error {
	return h.teamsChange(w, r, "removed", "teams.error_member", func() error {
		return h.cfg.Teams.RemoveTeamMember(r.Context(), r.PathValue("id"), r.PathValue("user"))
	})
}
