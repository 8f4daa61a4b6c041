package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/password"
)

// settingTwoStepRoles is the settings row of the two-step policy: the
// roles, space-separated, that must use two-step sign-in.
const settingTwoStepRoles = "two_step_roles"

// Users lists every account, by username, for an administrator (or
// `haven user list`). The read is audited.
func (db *UserAdminService) Users(ctx context.Context) ([]haven.Account, error) {
	if err := db.authorizeResource(ctx, access.List, access.Users, "user.list"); err != nil {
		return nil, err
	}
	var out []haven.Account
	err := db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+userColumns+`, password_must_change,
			EXISTS (SELECT 1 FROM password_links l WHERE l.user_id = users.id AND l.expires_at > $1)
			FROM users ORDER BY lower(username)`, tx.now)
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var a haven.Account
			u, err := scanUser(scanAppend{rows, []any{&a.MustChangePassword, &a.LinkPending}})
			if err != nil {
				return err
			}
			a.User = *u
			out = append(out, a)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		return tx.audit(ctx, haven.AuditEvent{Action: "user.list", ObjectType: "user"})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddUser adds an account whose password the user sets: by a one-time
// link (only a hash of its token is kept) or after a temporary password,
// shown once here, that must be changed at first sign-in. Until then the
// account's stored hash is of a random secret no one holds.
func (db *UserAdminService) AddUser(ctx context.Context, a haven.NewAccount) (*haven.User, *haven.FirstPassword, error) {
	if err := db.authorizeResource(ctx, access.Create, access.Users, "user.create"); err != nil {
		return nil, nil, err
	}
	if err := a.Validate(); err != nil {
		return nil, nil, err
	}
	first, hash, linkHash, err := firstPassword(ctx, a.Start)
	if err != nil {
		return nil, nil, err
	}
	u := &haven.User{ID: newID(), Username: a.Username, DisplayName: a.DisplayName, Role: a.Role, OrganizationID: a.OrganizationID}
	err = db.inTx(ctx, func(tx *Tx) error {
		u.CreatedAt, u.UpdatedAt = tx.now, tx.now
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, display_name, role, organization_id, password_hash,
			password_must_change, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			u.ID, u.Username, u.DisplayName, u.Role, u.OrganizationID, hash, a.Start == haven.StartTemporary, u.CreatedAt, u.UpdatedAt)
		if db.dialect.uniqueViolation(err) {
			return errUsernameTaken()
		} else if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		if err := tx.issueLink(ctx, u.ID, first, linkHash); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "user.create", ObjectType: "user", ObjectID: u.ID, Reason: a.Start})
	})
	if err != nil {
		return nil, nil, err
	}
	return u, first, nil
}

// firstPassword makes a new link token or temporary password for start,
// with the hashes to store: the password hash (of the temporary password,
// or of a random secret no one holds) and the link's token hash.
func firstPassword(ctx context.Context, start string) (*haven.FirstPassword, string, []byte, error) {
	first := &haven.FirstPassword{Start: start}
	var linkHash []byte
	secret := ""
	if start == haven.StartTemporary {
		first.Temporary = temporaryPassword()
		secret = first.Temporary
	} else {
		first.Token, linkHash = newToken()
		secret, _ = newToken()
	}
	hash, err := password.Hash(ctx, secret, PasswordParams)
	return first, hash, linkHash, err
}

// issueLink stores a set-password link for userID.
func (tx *Tx) issueLink(ctx context.Context, userID string, first *haven.FirstPassword, linkHash []byte) error {
	if linkHash == nil {
		return nil
	}
	first.ExpiresAt = tx.now.Add(haven.SetPasswordLinkLifetime)
	if _, err := tx.ExecContext(ctx, `INSERT INTO password_links (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		linkHash, userID, tx.now, first.ExpiresAt); err != nil {
		return fmt.Errorf("insert password link: %w", err)
	}
	return nil
}

// ResetPassword replaces a user's password with a new set-password link
// or temporary password; earlier links go, and the user's sessions and
// API tokens end.
func (db *UserAdminService) ResetPassword(ctx context.Context, id, start string) (*haven.FirstPassword, error) {
	if err := db.authorizeResource(ctx, access.Update, access.Users, "user.password_reset"); err != nil {
		return nil, err
	}
	if start != haven.StartLink && start != haven.StartTemporary {
		return nil, haven.FieldError("start", "Choose a set-password link or a temporary password.")
	}
	if err := db.refuseSelf(ctx, id, "user.password_reset"); err != nil {
		return nil, err
	}
	first, hash, linkHash, err := firstPassword(ctx, start)
	if err != nil {
		return nil, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, password_must_change = $2, updated_at = $3 WHERE id = $4`,
			hash, start == haven.StartTemporary, tx.now, id)
		if err != nil {
			return fmt.Errorf("reset password: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return haven.Errorf(haven.NotFound, "User not found.")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_links WHERE user_id = $1`, id); err != nil {
			return err
		}
		if err := tx.issueLink(ctx, id, first, linkHash); err != nil {
			return err
		}
		if err := tx.endAccess(ctx, id, "user.password_reset"); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "user.password_reset", ObjectType: "user", ObjectID: id, Reason: start})
	})
	if err != nil {
		return nil, err
	}
	return first, nil
}

// temporaryPassword is 80 random bits as four groups of four letters and
// digits: long enough for the password policy, easy to read out.
func temporaryPassword() string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	s := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
	return strings.ToLower(s[:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16])
}

// SetUserDisabled disables or re-enables an account. Disabling ends every
// session and API token of the user at once. Only an administrator may
// (access.Users), and not on their own account.
func (db *UserAdminService) SetUserDisabled(ctx context.Context, id string, disabled bool) error {
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	if err := db.authorizeResource(ctx, access.Update, access.Users, action); err != nil {
		return err
	}
	if err := db.refuseSelf(ctx, id, action); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3`, disabled, tx.now, id)
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return haven.Errorf(haven.NotFound, "User not found.")
		}
		if err := tx.endAccess(ctx, id, action); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: action, ObjectType: "user", ObjectID: id})
	})
}

// refuseSelf keeps administrators from acting on their own account where
// that would grant them access (a role) or lock everyone out (disabling
// the last one signed in): the refusal is audited.
func (db *store) refuseSelf(ctx context.Context, id, action string) error {
	actor, ok := haven.ActorFrom(ctx)
	if !ok || actor.UserID != id {
		return nil
	}
	err := db.auditAlone(ctx, haven.AuditEvent{Action: action, ObjectType: "user", ObjectID: id,
		Outcome: haven.OutcomeDenied, Reason: "own_account"})
	if err != nil {
		return err
	}
	return haven.Errorf(haven.Forbidden, "You cannot do this to your own account; ask another administrator.")
}

// SetUserRole changes a user's role. The user's sessions and API tokens
// end, so the new privileges start with a fresh sign-in. Only an
// administrator may (access.Users), and never on their own account:
// separation of duties, so that no administrator grants themselves
// survivor access.
func (db *UserAdminService) SetUserRole(ctx context.Context, id string, role haven.Role, organizationID string) error {
	if err := db.authorizeResource(ctx, access.Update, access.Users, "user.role_change"); err != nil {
		return err
	}
	if err := db.refuseSelf(ctx, id, "user.role_change"); err != nil {
		return err
	}
	if err := (haven.NewUser{Username: "placeholder", Role: role, OrganizationID: organizationID}).Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if role == haven.RoleAdmin {
			// A service account is never an administrator (haven.NewServiceAccount).
			var service bool
			err := tx.QueryRowContext(ctx, `SELECT service_account FROM users WHERE id = $1`, id).Scan(&service)
			if err == nil && service {
				return haven.FieldError("role", "A service account cannot be an administrator.")
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET role = $1, organization_id = $2, updated_at = $3 WHERE id = $4`, role, organizationID, tx.now, id)
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return haven.Errorf(haven.NotFound, "User not found.")
		}
		if err := tx.endAccess(ctx, id, "user.role_change"); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "user.role_change", ObjectType: "user", ObjectID: id, Reason: string(role)})
	})
}

// ResetTwoStep turns the user's two-step sign-in off and drops their
// recovery codes and any enrolment in progress; their sessions and API
// tokens end, so they sign in again and, where the policy requires it,
// enrol on the spot.
func (db *UserAdminService) ResetTwoStep(ctx context.Context, id string) error {
	if err := db.authorizeResource(ctx, access.Update, access.Users, "user.totp_reset"); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = NULL, totp_enabled = $1, totp_last_step = 0,
			totp_pending_secret = NULL, totp_pending_session = NULL, totp_pending_at = NULL, updated_at = $2 WHERE id = $3`, false, tx.now, id)
		if err != nil {
			return fmt.Errorf("reset two-step: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return haven.Errorf(haven.NotFound, "User not found.")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, id); err != nil {
			return fmt.Errorf("drop recovery codes: %w", err)
		}
		if err := tx.endAccess(ctx, id, "user.totp_reset"); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "user.totp_reset", ObjectType: "user", ObjectID: id})
	})
}

// TwoStepPolicy returns the roles that must use two-step sign-in. Any
// signed-in user may read it (it decides their own sign-in); it holds no
// personal data, so the read is not audited.
func (db *UserAdminService) TwoStepPolicy(ctx context.Context) (haven.TwoStepPolicy, error) {
	if _, ok := haven.ActorFrom(ctx); !ok {
		if _, job := haven.SystemFrom(ctx); !job {
			return haven.TwoStepPolicy{}, errNoSession
		}
	}
	return db.twoStepPolicy(ctx)
}

func (db *store) twoStepPolicy(ctx context.Context) (haven.TwoStepPolicy, error) {
	var p haven.TwoStepPolicy
	var value string
	err := db.db.QueryRowContext(ctx, `SELECT value, updated_at FROM settings WHERE key = $1`, settingTwoStepRoles).Scan(&value, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	} else if err != nil {
		return p, fmt.Errorf("read two-step policy: %w", err)
	}
	p.UpdatedAt = p.UpdatedAt.UTC()
	for _, f := range strings.Fields(value) {
		p.Roles = append(p.Roles, haven.Role(f))
	}
	return p, nil
}

// SetTwoStepPolicy replaces the roles that must use two-step sign-in.
// Users of those roles without it are taken to enrol at their next
// request; their API tokens stop working until they have.
func (db *UserAdminService) SetTwoStepPolicy(ctx context.Context, roles []haven.Role) error {
	if err := db.authorizeResource(ctx, access.Update, access.Settings, "settings.two_step"); err != nil {
		return err
	}
	var names []string
	for _, r := range roles {
		if !r.Valid() {
			return haven.FieldError("roles", fmt.Sprintf("Unknown role %q.", r))
		}
		if !slices.Contains(names, string(r)) {
			names = append(names, string(r))
		}
	}
	slices.Sort(names)
	actor, _ := haven.ActorFrom(ctx)
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			settingTwoStepRoles, strings.Join(names, " "), tx.now, actor.UserID)
		if err != nil {
			return fmt.Errorf("save two-step policy: %w", err)
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "settings.two_step", ObjectType: "setting", ObjectID: settingTwoStepRoles})
	})
}

// SignInState says what the signed-in actor must do before anything else:
// change a temporary password, then enrol in two-step sign-in if the
// policy requires it of their role.
func (db *UserAdminService) SignInState(ctx context.Context) (haven.SignInState, error) {
	actor, ok := haven.ActorFrom(ctx)
	if !ok {
		return haven.SignInReady, errNoSession
	}
	return db.signInState(ctx, actor.UserID)
}

func (db *store) signInState(ctx context.Context, userID string) (haven.SignInState, error) {
	var role haven.Role
	var mustChange, totp bool
	err := db.db.QueryRowContext(ctx, `SELECT role, password_must_change, totp_enabled FROM users WHERE id = $1`, userID).Scan(&role, &mustChange, &totp)
	if errors.Is(err, sql.ErrNoRows) {
		return haven.SignInReady, errNoSession
	} else if err != nil {
		return haven.SignInReady, fmt.Errorf("read sign-in state: %w", err)
	}
	p, err := db.twoStepPolicy(ctx)
	if err != nil {
		return haven.SignInReady, err
	}
	return haven.SignInStateOf(role, mustChange, totp, p), nil
}

var errLink = haven.Errorf(haven.NotFound, "This link does not work: it was used already, or it has expired. Ask your administrator for a new one.")

// CheckPasswordLink reports whether token is a live set-password link
// and returns its user's username.
func (db *UserAdminService) CheckPasswordLink(ctx context.Context, token string) (string, error) {
	var username string
	err := db.db.QueryRowContext(ctx, `SELECT u.username FROM password_links l JOIN users u ON u.id = l.user_id
		WHERE l.token_hash = $1 AND l.expires_at > $2 AND u.disabled = $3`, hashToken(token), db.now(), false).Scan(&username)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errLink
	}
	return username, err
}

// SetPasswordByLink sets the password of the link's user under the
// password policy and uses the link up (every link of the user goes).
// The link is the authority here, as the password is at sign-in: no one
// is signed in.
func (db *UserAdminService) SetPasswordByLink(ctx context.Context, token, pw string) error {
	if _, err := db.CheckPasswordLink(ctx, token); err != nil {
		return err
	}
	if err := password.Check(pw); err != nil {
		return err
	}
	hash, err := password.Hash(ctx, pw, PasswordParams)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		var userID string
		err := tx.QueryRowContext(ctx, `DELETE FROM password_links WHERE token_hash = $1 AND expires_at > $2 RETURNING user_id`,
			hashToken(token), tx.now).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return errLink // used by a request that came first
		} else if err != nil {
			return fmt.Errorf("use password link: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_links WHERE user_id = $1`, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, password_must_change = $2, updated_at = $3 WHERE id = $4`,
			hash, false, tx.now, userID); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
			return err
		}
		tx.actor.UserID = userID
		return tx.audit(ctx, haven.AuditEvent{Action: "user.password_set", ObjectType: "user", ObjectID: userID, Reason: "link"})
	})
}

// ChangePassword changes the actor's own password after checking the
// current one as re-authentication does (throttled), clears a temporary
// password's must-change mark and ends the actor's other sessions.
func (db *UserAdminService) ChangePassword(ctx context.Context, current, next, remoteKey string) (int, error) {
	actor, ok := haven.ActorFrom(ctx)
	if !ok || actor.SessionID == "" {
		return 0, errNoSession
	}
	if err := password.Check(next); err != nil {
		return 0, haven.FieldError("new_password", haven.ErrorFields(err)["password"])
	}
	if next == current {
		return 0, haven.FieldError("new_password", "Choose a password different from the current one.")
	}
	u, keys, err := db.reauthenticate(ctx, actor.UserID, haven.Reauth{Password: current, RemoteKey: remoteKey})
	if errors.Is(err, errReauth) {
		return 0, haven.FieldError("current_password", "The current password is not right.")
	} else if err != nil {
		return 0, err
	}
	hash, err := password.Hash(ctx, next, PasswordParams)
	if err != nil {
		return 0, err
	}
	var ended int64
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.releaseAttempt(ctx, keys); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, password_must_change = $2, updated_at = $3 WHERE id = $4`,
			hash, false, tx.now, u.ID); err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, u.ID, actor.SessionID)
		if err != nil {
			return fmt.Errorf("end other sessions: %w", err)
		}
		ended, _ = res.RowsAffected()
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_links WHERE user_id = $1`, u.ID); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "user.password_change", ObjectType: "user", ObjectID: u.ID})
	})
	return int(ended), err
}
