package haven

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// CareRole reports whether r works with survivors directly: only these
// roles join care teams and teams of staff.
func (r Role) CareRole() bool {
	return r == RoleClinician || r == RoleAdvocate || r == RoleSupervisor
}

// CareTeamMember is one person on a survivor's care team. One member
// leads it: the lead (and supervisors) change the team and hand the case
// over.
type CareTeamMember struct {
	UserID string
	// DisplayName is the user's display name, or their username when they
	// have none.
	DisplayName string
	Role        Role
	Lead        bool
	AddedAt     time.Time
}

// StaffMember is a user who may join a care team or a team of staff: an
// active account with a care role. It holds no survivor data.
type StaffMember struct {
	UserID      string
	DisplayName string
	Role        Role
}

// CaseloadRow is one case of a supervisor's caseload: coded fields and
// counts, never a name.
type CaseloadRow struct {
	SurvivorID string
	CaseNumber string
	AgeBand    AgeBand
	Minor      bool
	// OpenNeeds counts the needs identified, planned or in progress.
	OpenNeeds int
	// OverdueTasks counts the open tasks due before the caller's today.
	OverdueTasks int
	// LastContact is when the last contact was made; zero if never.
	LastContact time.Time
	// Lead is the display name of the care team's lead ("" if none).
	Lead string
}

// CareTeamService keeps survivors' care teams and the supervisors'
// caseload. Who may change a team is the access decision's
// (care_team_membership: the lead and supervisors); every member, and
// emergency access, may read it. Every call is audited, reads included,
// with opaque ids only.
type CareTeamService interface {
	// CareTeam lists a record's care team, the lead first. Errors:
	// NotFound (also when the actor may not see the record).
	CareTeam(ctx context.Context, survivorID string) ([]CareTeamMember, error)
	// CareTeamCandidates lists the active care-role users not on the team,
	// for those who may add a member. Errors: NotFound.
	CareTeamCandidates(ctx context.Context, survivorID string) ([]StaffMember, error)
	// AddCareTeamMember adds an active user with a care role. Errors:
	// NotFound, Invalid (no such user, disabled, not a care role),
	// Conflict (already a member).
	AddCareTeamMember(ctx context.Context, survivorID, userID string) error
	// RemoveCareTeamMember removes a member; the lead stays until another
	// is named, and the last member always stays. Errors: NotFound,
	// Invalid (not a member), Conflict (the lead).
	RemoveCareTeamMember(ctx context.Context, survivorID, userID string) error
	// SetCareTeamLead names a member with a care role the lead. Errors:
	// NotFound, Invalid (not a member, not a care role).
	SetCareTeamLead(ctx context.Context, survivorID, userID string) error
	// HandOver passes the case from the actor, its lead, to another
	// care-role user, who joins the team if needed and becomes its lead;
	// the actor stays on the team as a member or leaves it. Errors:
	// NotFound, Forbidden (the actor is not the lead), Invalid.
	HandOver(ctx context.Context, survivorID, toUserID string, stay bool) error
	// Caseload lists, for a supervisor, the cases of their teams'
	// members and their own, by case number. today is the clinic's date
	// (YYYY-MM-DD): tasks due before it are overdue. Errors: Invalid (a
	// bad date), Forbidden (not a supervisor).
	Caseload(ctx context.Context, today string) ([]CaseloadRow, error)
}

// Team is a team of staff. A member marked Supervisor supervises the
// cases whose care teams hold any member of the team.
type Team struct {
	ID        string
	Name      string
	CreatedAt time.Time
	Members   []TeamMember
}

// TeamMember is one member of a team of staff.
type TeamMember struct {
	UserID      string
	DisplayName string
	Role        Role
	Supervisor  bool
}

// MaxTeamName is the longest team name, in characters.
const MaxTeamName = 100

// NormalizeTeamName trims a team's name and checks it.
func NormalizeTeamName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", FieldError("name", "Give the team a name.")
	case utf8.RuneCountInString(name) > MaxTeamName:
		return "", FieldError("name", "Use at most 100 characters.")
	}
	return name, nil
}

// TeamService keeps the teams of staff; administrators (who manage users)
// create and change them. Changes are audited with opaque ids only.
type TeamService interface {
	// Teams lists every team with its members, by name. Errors: Forbidden.
	Teams(ctx context.Context) ([]Team, error)
	// CareStaff lists the active users with a care role, who may join a
	// team. Errors: Forbidden.
	CareStaff(ctx context.Context) ([]StaffMember, error)
	// CreateTeam creates an empty team. Errors: Invalid, Conflict (the
	// name is taken), Forbidden.
	CreateTeam(ctx context.Context, name string) (*Team, error)
	// RenameTeam renames a team. Errors: Invalid, NotFound, Conflict,
	// Forbidden.
	RenameTeam(ctx context.Context, teamID, name string) error
	// AddTeamMember adds an active care-role user; only a supervisor may
	// be marked as one. Errors: Invalid, NotFound (no such team),
	// Conflict (already a member), Forbidden.
	AddTeamMember(ctx context.Context, teamID, userID string, supervisor bool) error
	// SetTeamSupervisor marks a member as a supervisor of the team or not.
	// Errors: Invalid, NotFound, Forbidden.
	SetTeamSupervisor(ctx context.Context, teamID, userID string, supervisor bool) error
	// RemoveTeamMember removes a member. Errors: NotFound, Forbidden.
	RemoveTeamMember(ctx context.Context, teamID, userID string) error
}
