package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// mountCareTeams mounts the changes of a record's care team (its section
// of the record page) and the supervisors' caseload.
func (h *Handler) mountCareTeams(s *server.Server) {
	s.HandleFunc("POST /survivors/{id}/team", h.authed(h.teamAdd))
	s.HandleFunc("POST /survivors/{id}/team/remove", h.authed(h.teamRemove))
	s.HandleFunc("POST /survivors/{id}/team/lead", h.authed(h.teamLead))
	s.HandleFunc("POST /survivors/{id}/team/handover", h.authed(h.teamHandOver))
	s.HandleFunc("GET /caseload", h.authed(h.caseload))
}

// teamView is the record page's "Care team" section.
type teamView struct {
	Members []teamMemberView
	// CanChange is set for those the access decision lets change the team
	// (the lead and supervisors), never under emergency access; IsLead for
	// the lead, who alone hands the case over.
	CanChange, IsLead bool
	Candidates        []Option
	Error             string
}

type teamMemberView struct {
	UserID, Name, Role string
	Lead, Self         bool
}

// leadsTeam reports whether userID is the lead among a care team's members.
func leadsTeam(members []haven.CareTeamMember, userID string) bool {
	return slices.ContainsFunc(members, func(m haven.CareTeamMember) bool { return m.Lead && m.UserID == userID })
}

// mayChangeTeam reports whether u may change a care team: its lead, or a
// supervisor. The store judges again.
func mayChangeTeam(members []haven.CareTeamMember, u *haven.User) bool {
	return u.Role == haven.RoleSupervisor || leadsTeam(members, u.ID)
}

// loadTeam fills the record page's care team. The lead and supervisors
// (whom the store lets change it) get the forms, with the users they may
// add; under emergency access the section is read-only.
func (h *Handler) loadTeam(r *http.Request, p *survivorPage) error {
	if h.cfg.CareTeams == nil {
		return nil
	}
	members, err := h.cfg.CareTeams.CareTeam(r.Context(), p.S.ID)
	if err != nil {
		return err
	}
	me := p.User.ID
	v := &teamView{}
	for _, m := range members {
		v.Members = append(v.Members, teamMemberView{UserID: m.UserID, Name: m.DisplayName, Role: p.T("role." + string(m.Role)),
			Lead: m.Lead, Self: m.UserID == me})
	}
	v.IsLead = leadsTeam(members, me)
	v.CanChange = p.EmergencyUntil == "" && p.User.Role.CareRole() && mayChangeTeam(members, p.User)
	if v.CanChange {
		staff, err := h.cfg.CareTeams.CareTeamCandidates(r.Context(), p.S.ID)
		if isKind(err, haven.NotFound) || isKind(err, haven.Forbidden) {
			// The store is the judge: no forms, and the record still shows.
			v.CanChange = false
		} else if err != nil {
			return err
		}
		for _, s := range staff {
			v.Candidates = append(v.Candidates, p.staffOption(s))
		}
	}
	p.Team = v
	return nil
}

// teamChange runs change with the posted user, then goes where change
// says or, by default, back to the record's team section; a refusal the
// user can act on (Invalid, Conflict) shows in that section.
func (h *Handler) teamChange(w http.ResponseWriter, r *http.Request, done string, change func(id, userID string) (string, error)) error {
	id, userID := r.PathValue("id"), r.PostFormValue("user_id")
	next, err := change(id, userID)
	switch {
	case err == nil:
		if next == "" {
			next = "/survivors/" + url.PathEscape(id) + "?team=" + done + "#team"
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	case !isKind(err, haven.Invalid) && !isKind(err, haven.Conflict):
		return err
	}
	p, perr := h.survivorPage(r)
	if perr != nil {
		return perr
	}
	if p.Team != nil {
		p.Team.Error = p.T("team.error_" + done)
	}
	status := http.StatusBadRequest
	if isKind(err, haven.Conflict) {
		status = http.StatusConflict
	}
	return h.render(w, status, "survivor", p)
}

func (h *Handler) teamAdd(w http.ResponseWriter, r *http.Request) error {
	return h.teamChange(w, r, "added", func(id, userID string) (string, error) {
		return "", h.cfg.CareTeams.AddCareTeamMember(r.Context(), id, userID)
	})
}

// teamRemove removes a member; one who removes themselves may have lost
// the record with it, and goes to their list.
func (h *Handler) teamRemove(w http.ResponseWriter, r *http.Request) error {
	return h.teamChange(w, r, "removed", func(id, userID string) (string, error) {
		if err := h.cfg.CareTeams.RemoveCareTeamMember(r.Context(), id, userID); err != nil {
			return "", err
		}
		if s, ok := signedIn(r.Context()); ok && s.user.ID == userID {
			return "/survivors?left=1", nil
		}
		return "", nil
	})
}

func (h *Handler) teamLead(w http.ResponseWriter, r *http.Request) error {
	return h.teamChange(w, r, "lead", func(id, userID string) (string, error) {
		return "", h.cfg.CareTeams.SetCareTeamLead(r.Context(), id, userID)
	})
}

// teamHandOver passes the case on; one who leaves the team with it goes
// to their list, since the record is no longer theirs to see.
func (h *Handler) teamHandOver(w http.ResponseWriter, r *http.Request) error {
	stay := r.PostFormValue("stay") == "1"
	return h.teamChange(w, r, "handed", func(id, userID string) (string, error) {
		if err := h.cfg.CareTeams.HandOver(r.Context(), id, userID, stay); err != nil || stay {
			return "", err
		}
		return "/survivors?left=1", nil
	})
}

// teamNotices are the changes the record page confirms after a redirect.
var teamNotices = map[string]bool{"added": true, "removed": true, "lead": true, "handed": true}

// staffOption offers a user to join a team: their name and, in
// brackets, their role.
func (p *Page) staffOption(s haven.StaffMember) Option {
	return Option{Value: s.UserID, Label: s.DisplayName + " (" + p.T("role."+string(s.Role)) + ")"}
}
