package haven

import (
	"context"
	"time"
)

// Session limits (OWASP ASVS): a session ends after 30 minutes without
// use and 12 hours after sign-in, whichever comes first.
const (
	SessionIdleTimeout     = 30 * time.Minute
	SessionAbsoluteTimeout = 12 * time.Hour
)

// DeviceTokenLifetime is how long a device token (Session.DeviceToken)
// stays valid after the sign-in that issued it; each sign-in issues a
// fresh one, so a browser in regular use keeps it.
const DeviceTokenLifetime = 90 * 24 * time.Hour

// Session is a server-side sign-in session. Only a hash of its token is
// stored; the token itself lives in the user's cookie.
type Session struct {
	ID        string
	UserID    string
	CreatedAt time.Time
	LastSeen  time.Time
	// UserAgent is a coarse description ("Firefox on Linux") to help users
	// recognise their sessions; never an IP address.
	UserAgent string
	// DeviceToken is set by SignIn only: a signed token that marks the
	// browser as one the user has signed in from, to be kept in a cookie
	// and presented as Credentials.Device next time, so that strangers
	// guessing at the account cannot lock the user out (see
	// docs/security.md). It is not stored.
	DeviceToken string `json:"-"`
}

// IdleExpiry is when s ends if unused.
func (s Session) IdleExpiry() time.Time { return s.LastSeen.Add(SessionIdleTimeout) }

// AbsoluteExpiry is when s ends regardless of use.
func (s Session) AbsoluteExpiry() time.Time { return s.CreatedAt.Add(SessionAbsoluteTimeout) }

// Expiry is the earlier of the two expiries.
func (s Session) Expiry() time.Time {
	if a := s.AbsoluteExpiry(); a.Before(s.IdleExpiry()) {
		return a
	}
	return s.IdleExpiry()
}

// Credentials is what a user types to sign in. TOTPCode may be empty for
// accounts without multi-factor.
type Credentials struct {
	Username string
	Password string
	TOTPCode string
	// RemoteKey identifies the client for rate limiting (its address, as
	// the trusted proxies report it); it is never stored or logged.
	RemoteKey string
	// Device is the device token of an earlier successful sign-in on this
	// browser (Session.DeviceToken), if it presented one.
	Device    string
	UserAgent string
}

// AuthService signs users in and out and checks session tokens.
type AuthService interface {
	// SignIn checks credentials and starts a session, returning its token.
	// Every failure, for unknown and known users alike, is the same
	// Unauthenticated error; too many tries give Unavailable.
	SignIn(ctx context.Context, c Credentials) (token string, s *Session, err error)
	// Authenticate returns the live session and user for token and marks
	// the session used. Errors: Unauthenticated (unknown, expired, or the
	// user is disabled).
	Authenticate(ctx context.Context, token string) (*Session, *User, error)
	// SignOut ends the session of token. Signing out an ended session is not an error.
	SignOut(ctx context.Context, token string) error
	// Sessions lists the live sessions of the actor.
	Sessions(ctx context.Context) ([]Session, error)
	// EndSession ends one of the actor's own sessions. Errors: NotFound.
	EndSession(ctx context.Context, sessionID string) error
}

// MFAService enrols the signed-in user in TOTP multi-factor sign-in.
type MFAService interface {
	// BeginTOTP makes a new secret for the actor and returns its otpauth://
	// URL; it is not used at sign-in until confirmed. Errors: Unauthenticated.
	BeginTOTP(ctx context.Context, issuer string) (string, error)
	// ConfirmTOTP checks a code from the authenticator, turns multi-factor
	// on, ends the actor's other sessions and returns one-use recovery
	// codes. Errors: Invalid (wrong code), Unauthenticated.
	ConfirmTOTP(ctx context.Context, code string) ([]string, error)
}
