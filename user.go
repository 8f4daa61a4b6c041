package haven

import (
	"context"
	"time"
)

// Role is what a user does in Haven; it bounds what they may see (see the
// access package for the one decision function).
type Role string

// The roles. Each sees only what the access decision allows it.
const (
	RoleClinician  Role = "clinician"
	RoleAdvocate   Role = "advocate"
	RoleSupervisor Role = "supervisor"
	RolePartner    Role = "partner"
	RoleEditor     Role = "directory_editor"
	RoleAnalyst    Role = "analyst"
	RoleAdmin      Role = "admin"
)

// Roles lists every role, in the order the interface shows them.
var Roles = []Role{RoleClinician, RoleAdvocate, RoleSupervisor, RolePartner, RoleEditor, RoleAnalyst, RoleAdmin}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// User is a staff account. It holds no survivor data.
type User struct {
	ID          string
	Username    string
	DisplayName string
	Role        Role
	// OrganizationID ties a partner to the receiving organization whose
	// referrals they may see; empty for other roles.
	OrganizationID string
	Disabled       bool
	TOTPEnabled    bool
	Language       string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// NewUser is the input to create a user.
type NewUser struct {
	Username       string
	DisplayName    string
	Role           Role
	OrganizationID string
	Password       string
}

// Validate checks the fields of a NewUser other than password strength,
// which the account service checks against its deny-list.
func (u NewUser) Validate() error {
	switch {
	case !validUsername(u.Username):
		return FieldError("username", "Use 3 to 64 characters: letters, digits, dot, dash or underscore.")
	case !u.Role.Valid():
		return FieldError("role", "Choose one of the listed roles.")
	case u.Role == RolePartner && u.OrganizationID == "":
		return FieldError("organization", "A partner must belong to a receiving organization.")
	case len(u.DisplayName) > 200:
		return FieldError("display_name", "Use at most 200 characters.")
	}
	return nil
}

func validUsername(s string) bool {
	if len(s) < 3 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}

// UserService manages staff accounts.
type UserService interface {
	// CreateUser creates an account. Only an administrator, or `haven user
	// add` as a system job (see WithSystem), may. Errors: Invalid (bad
	// field or weak password), Conflict (username taken), Unauthenticated
	// (no actor and no system job), Forbidden.
	CreateUser(ctx context.Context, u NewUser) (*User, error)
	// FindUserByID returns a user. Errors: NotFound.
	FindUserByID(ctx context.Context, id string) (*User, error)
	// CountUsers returns how many accounts exist.
	CountUsers(ctx context.Context) (int, error)
}
