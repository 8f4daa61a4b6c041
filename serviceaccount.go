package haven

import (
	"context"
	"time"
)

// A service account is the account a machine client acts as: an EHR's
// FHIR bridge, a partner organization's case system. It is a user with a
// role like any other (a partner service account belongs to its
// receiving organization and acts for it), but it has no password anyone
// knows, so it never signs in to the web interface; it reaches Haven only
// through the API tokens an administrator (or `haven token create`)
// issues for it. What a token may do is the account's role, as the
// access decision rules, narrowed by the token's scopes. A service account
// is never an administrator.
type NewServiceAccount struct {
	Username    string
	DisplayName string
	Role        Role
	// OrganizationID is the receiving organization of a partner account.
	OrganizationID string
}

// Validate checks the fields as NewUser does and refuses the
// administrator role.
func (n NewServiceAccount) Validate() error {
	if n.Role == RoleAdmin {
		return FieldError("role", "A service account cannot be an administrator.")
	}
	return NewUser{Username: n.Username, DisplayName: n.DisplayName, Role: n.Role, OrganizationID: n.OrganizationID}.Validate()
}

// APITokenAdminService issues and revokes API tokens for an account named
// by username: administrators for service accounts, the command line's
// `haven token` (system job api-tokens) for any account. Everyone manages
// their own tokens through APITokenService. Every issue and revocation is
// audited, by opaque ids.
type APITokenAdminService interface {
	// CreateServiceAccount creates a service account. Only an
	// administrator, or `haven user add --service-account` (system job
	// user-add), may. Errors: Invalid, Conflict (username taken),
	// Forbidden, Unauthenticated.
	CreateServiceAccount(ctx context.Context, n NewServiceAccount) (*User, error)
	// ServiceAccounts lists the service accounts, by username. Errors:
	// Forbidden, Unauthenticated.
	ServiceAccounts(ctx context.Context) ([]User, error)
	// IssueAPIToken issues a token for the account and returns its secret,
	// shown once. An administrator may issue only for service accounts.
	// Errors: Invalid (name, scopes, lifetime), NotFound (no such account,
	// or not one the actor may issue for), Forbidden, Unauthenticated.
	IssueAPIToken(ctx context.Context, username, name string, scopes []Scope, lifetime time.Duration) (string, *APIToken, error)
	// AccountAPITokens lists the account's tokens, newest first. Errors as
	// IssueAPIToken.
	AccountAPITokens(ctx context.Context, username string) ([]APIToken, error)
	// RevokeAccountAPIToken revokes one of the account's tokens at once.
	// Errors: NotFound (no such token of that account), Forbidden,
	// Unauthenticated.
	RevokeAccountAPIToken(ctx context.Context, username, tokenID string) error
}
