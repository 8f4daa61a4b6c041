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

// AccountService is the accounts domain: users, sign-in and sessions,
// two-step sign-in and API tokens. Surfaces take the part they use.
type AccountService interface {
	UserService
	AuthService
	MFAService
	APITokenService
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

// Reauth is what a signed-in user types again before changing how they
// sign in: a session alone, left open or stolen, must not be enough.
type Reauth struct {
	Password string
	// TOTPCode is a code from the authenticator, or a recovery code; it
	// is required when two-step sign-in is already on.
	TOTPCode string
	// RemoteKey identifies the client for throttling, as in Credentials;
	// it is never stored or logged.
	RemoteKey string
}

// TOTPEnrolmentTimeout is how long a secret from BeginTOTP waits for
// ConfirmTOTP before the user must start again.
const TOTPEnrolmentTimeout = 15 * time.Minute

// MFAService enrols the signed-in user in TOTP multi-factor sign-in, or
// moves them to a new authenticator.
type MFAService interface {
	// BeginTOTP checks re against the actor's account (the password, and
	// a current code when two-step sign-in is on), then makes a new secret
	// and returns its otpauth:// URL. The secret is kept apart from any
	// active one, which stays in force: sign-in is unchanged until
	// ConfirmTOTP succeeds in the same session within
	// TOTPEnrolmentTimeout. Failures count against the sign-in throttle.
	// Errors: Invalid (wrong password or code, on the "password" field),
	// Unavailable (too many attempts), Unauthenticated.
	BeginTOTP(ctx context.Context, issuer string, re Reauth) (string, error)
	// ConfirmTOTP checks a code from the new authenticator against the
	// secret BeginTOTP made in this session, makes it the active secret
	// and turns multi-factor on, ends the actor's other sessions and
	// returns new one-use recovery codes (the old ones stop working).
	// Errors: Invalid (a wrong code, on the "code" field; or no enrolment
	// begun in this session, or it lapsed: start again), Unauthenticated.
	ConfirmTOTP(ctx context.Context, code string) ([]string, error)
}
