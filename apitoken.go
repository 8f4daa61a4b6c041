package haven

import (
	"context"
	"time"
)

// Scope limits what an API token may do. Machine clients authenticate with
// a bearer token, never a cookie.
type Scope string

// The API scopes.
const (
	ScopeAPIRead   Scope = "api:read"
	ScopeAPIWrite  Scope = "api:write"
	ScopeFHIRRead  Scope = "fhir:read"
	ScopeFHIRWrite Scope = "fhir:write"
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeAPIRead, ScopeAPIWrite, ScopeFHIRRead, ScopeFHIRWrite}

// MaxAPITokenLifetime bounds how long a token lives; tokens always expire.
const MaxAPITokenLifetime = 365 * 24 * time.Hour

// APIToken describes a token; the secret itself is shown once at creation
// and only its hash is stored.
type APIToken struct {
	ID        string
	UserID    string
	Name      string
	Scopes    []Scope
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
	LastUsed  *time.Time
}

// Has reports whether t grants scope.
func (t APIToken) Has(scope Scope) bool {
	for _, s := range t.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// The states of a token, as State reports them.
const (
	TokenActive  = "active"
	TokenRevoked = "revoked"
	TokenExpired = "expired"
)

// State reports whether t is active, revoked or expired at now; a revoked
// token reads as revoked even once past its expiry.
func (t APIToken) State(now time.Time) string {
	switch {
	case t.RevokedAt != nil:
		return TokenRevoked
	case !now.Before(t.ExpiresAt):
		return TokenExpired
	}
	return TokenActive
}

// APITokenService issues, checks and revokes API tokens.
type APITokenService interface {
	// CreateAPIToken issues a token for the actor and returns its secret.
	// Errors: Invalid (unknown scope, bad lifetime), Unauthenticated.
	CreateAPIToken(ctx context.Context, name string, scopes []Scope, lifetime time.Duration) (secret string, t *APIToken, err error)
	// AuthenticateAPIToken returns the token and its user. Errors:
	// Unauthenticated (unknown, expired, revoked, or the user is disabled).
	AuthenticateAPIToken(ctx context.Context, secret string) (*APIToken, *User, error)
	// RevokeAPIToken revokes one of the actor's tokens. Errors: NotFound.
	RevokeAPIToken(ctx context.Context, id string) error
	// APITokens lists the actor's tokens.
	APITokens(ctx context.Context) ([]APIToken, error)
}
