package haven

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// How a new account gets its first password (NewAccount.Start).
const (
	// StartLink: a one-time link to a page where the user sets their own
	// password; only a hash of its token is stored, it works once and
	// lapses after SetPasswordLinkLifetime.
	StartLink = "link"
	// StartTemporary: a temporary password shown once to the
	// administrator, which the user must change at first sign-in.
	StartTemporary = "temporary"
)

// SetPasswordLinkLifetime is how long a set-password link works.
const SetPasswordLinkLifetime = 72 * time.Hour

// NewAccount is the input to add a user without choosing their password:
// the user sets it themselves, by a link or after a temporary one.
type NewAccount struct {
	Username       string
	DisplayName    string
	Role           Role
	OrganizationID string
	// Start is StartLink or StartTemporary.
	Start string
}

// Validate checks the fields of a NewAccount.
func (a NewAccount) Validate() error {
	if err := (NewUser{Username: a.Username, DisplayName: a.DisplayName, Role: a.Role, OrganizationID: a.OrganizationID}).Validate(); err != nil {
		return err
	}
	if a.Start != StartLink && a.Start != StartTemporary {
		return FieldError("start", "Choose a set-password link or a temporary password.")
	}
	return nil
}

// FirstPassword is what AddUser hands back once, to pass to the new user:
// the token of their set-password link, or their temporary password.
// Neither is stored.
type FirstPassword struct {
	Start string
	// Token goes into the link /set-password/{Token} (StartLink).
	Token string
	// Temporary is the temporary password (StartTemporary).
	Temporary string
	ExpiresAt time.Time
}

// Account is a user as their administrator sees it: the account and
// whether it waits for its first password.
type Account struct {
	User
	// MustChangePassword: signed in with a temporary password that is
	// not yet changed.
	MustChangePassword bool
	// LinkPending: a set-password link is out and unused.
	LinkPending bool
}

// TwoStepPolicy names the roles whose users must use two-step sign-in.
type TwoStepPolicy struct {
	Roles     []Role
	UpdatedAt time.Time
}

// Requires reports whether the policy requires two-step sign-in of role.
func (p TwoStepPolicy) Requires(role Role) bool {
	for _, r := range p.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// SignInState is what a signed-in user must do before any other page:
// nothing, change their temporary password, or enrol in two-step
// sign-in because their role requires it.
type SignInState string

// The sign-in states, in the order they must be cleared.
const (
	SignInReady          SignInState = ""
	SignInChangePassword SignInState = "change_password"
	SignInEnrolTwoStep   SignInState = "enrol_two_step"
)

// SignInStateOf is what a user of role must do before any other page: a
// temporary password is changed first, then two-step sign-in is set up
// if the policy requires it of the role and it is not on.
func SignInStateOf(role Role, mustChangePassword, twoStepOn bool, p TwoStepPolicy) SignInState {
	switch {
	case mustChangePassword:
		return SignInChangePassword
	case !twoStepOn && p.Requires(role):
		return SignInEnrolTwoStep
	}
	return SignInReady
}

// UserAdminService is user administration: adding users, disabling and
// enabling them, changing roles, resetting two-step sign-in and the
// policy that requires it. Administrators only (access.Users,
// access.Settings); the command line as system jobs.
type UserAdminService interface {
	// Users lists every account, by username. Errors: Forbidden.
	Users(ctx context.Context) ([]Account, error)
	// AddUser adds an account that has no password yet and returns the
	// one-time link token or temporary password, shown once. Errors:
	// Invalid, Conflict (username taken), Forbidden.
	AddUser(ctx context.Context, a NewAccount) (*User, *FirstPassword, error)
	// SetUserDisabled disables or enables an account; disabling ends
	// every session and API token of the user at once. An administrator
	// may not disable their own account (Conflict). Errors: NotFound,
	// Forbidden.
	SetUserDisabled(ctx context.Context, id string, disabled bool) error
	// SetUserRole changes a user's role and ends their sessions and API
	// tokens. Separation of duties: an administrator may not change their
	// own role (Forbidden), so that no one grants themselves survivor
	// access. Errors: Invalid, NotFound, Forbidden.
	SetUserRole(ctx context.Context, id string, role Role, organizationID string) error
	// ResetTwoStep turns a user's two-step sign-in off, drops their
	// recovery codes and ends their sessions and API tokens: they enrol
	// again at next sign-in. Errors: NotFound, Forbidden.
	ResetTwoStep(ctx context.Context, id string) error
	// ResetPassword gives a user who forgot their password a new
	// set-password link or temporary password (start is StartLink or
	// StartTemporary), shown once; the old password stops working and
	// their sessions and API tokens end. Errors: Invalid, NotFound,
	// Forbidden (also for the administrator's own account: they change
	// their own password themselves).
	ResetPassword(ctx context.Context, id, start string) (*FirstPassword, error)
	// TwoStepPolicy returns the roles that must use two-step sign-in.
	// Every signed-in user may read it.
	TwoStepPolicy(ctx context.Context) (TwoStepPolicy, error)
	// SetTwoStepPolicy replaces that list. Errors: Invalid (unknown
	// role), Forbidden.
	SetTwoStepPolicy(ctx context.Context, roles []Role) error
	// SignInState says what the actor must do before anything else.
	SignInState(ctx context.Context) (SignInState, error)
}

// PasswordService sets passwords: the user's own change, and the
// public set-password link.
type PasswordService interface {
	// ChangePassword changes the actor's password after checking the
	// current one (failures count against the sign-in throttle), and
	// ends their other sessions, returning how many ended. Errors:
	// Invalid (on "current_password" or "new_password"), Unavailable,
	// Unauthenticated.
	ChangePassword(ctx context.Context, current, next, remoteKey string) (ended int, err error)
	// CheckPasswordLink reports whether token is a live set-password
	// link, returning its user's username. Errors: NotFound.
	CheckPasswordLink(ctx context.Context, token string) (string, error)
	// SetPasswordByLink sets the password of the link's user and uses
	// the link up. Errors: NotFound (unknown, used or lapsed link),
	// Invalid (weak password, on "password").
	SetPasswordByLink(ctx context.Context, token, password string) error
}

// TranslationReview records that a person qualified in a language read a
// survivor-facing text against its English source. It holds while both
// texts are unchanged: SourceHash and TextHash are TextHash of each.
type TranslationReview struct {
	Language   string
	Key        string
	SourceHash string
	TextHash   string
	// Reviewer is the name of the person who reviewed the text.
	Reviewer   string
	ReviewedBy string
	ReviewedAt time.Time
}

// TextHash is the hex SHA-256 of a text, which a review is bound to.
func TextHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TranslationReviewService keeps the reviews of survivor-facing texts.
type TranslationReviewService interface {
	// TranslationReviews lists every review. Errors: none for a
	// signed-in user; survivor texts' status is shown to all staff.
	TranslationReviews(ctx context.Context) ([]TranslationReview, error)
	// ReviewTranslation records a review, replacing any earlier one of
	// the same language and key. Administrators only. Errors: Invalid
	// (no reviewer, bad language or key), Forbidden.
	ReviewTranslation(ctx context.Context, r TranslationReview) error
}
