package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/password"
)

// PasswordParams are the argon2id parameters for new hashes; tests lower them.
var PasswordParams = password.Default

// CreateUser creates a staff account with an argon2id password hash.
// Only an administrator, or `haven user add` and the demo loader as system
// jobs, may (access.Users); Unauthenticated or Forbidden otherwise.
func (db *AccountService) CreateUser(ctx context.Context, nu haven.NewUser) (*haven.User, error) {
	if err := db.authorizeResource(ctx, access.Create, access.Users, "user.create"); err != nil {
		return nil, err
	}
	if err := nu.Validate(); err != nil {
		return nil, err
	}
	if err := password.Check(nu.Password); err != nil {
		return nil, err
	}
	hash, err := password.Hash(ctx, nu.Password, PasswordParams)
	if err != nil {
		return nil, err
	}
	u := &haven.User{ID: newID(), Username: nu.Username, DisplayName: nu.DisplayName, Role: nu.Role,
		OrganizationID: nu.OrganizationID}
	err = db.inTx(ctx, func(tx *Tx) error {
		u.CreatedAt, u.UpdatedAt = tx.now, tx.now
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, display_name, role, organization_id, password_hash, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			u.ID, u.Username, u.DisplayName, u.Role, u.OrganizationID, hash, u.CreatedAt, u.UpdatedAt)
		if db.dialect.uniqueViolation(err) {
			return errUsernameTaken()
		} else if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "user.create", ObjectType: "user", ObjectID: u.ID})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

const userColumns = `id, username, display_name, role, organization_id, disabled, totp_enabled, language, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (*haven.User, error) {
	var u haven.User
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.OrganizationID, &u.Disabled, &u.TOTPEnabled, &u.Language, &u.CreatedAt, &u.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, haven.Errorf(haven.NotFound, "User not found.")
	} else if err != nil {
		return nil, fmt.Errorf("scan user: %w", err)
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

// FindUserByID returns a user by ID.
func (db *AccountService) FindUserByID(ctx context.Context, id string) (*haven.User, error) {
	return scanUser(db.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

// CountUsers returns how many accounts exist.
func (db *AccountService) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// endAccess ends every session of a user and revokes each of their live
// API tokens, auditing each revocation with the change that caused it.
func (tx *Tx) endAccess(ctx context.Context, userID, cause string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL RETURNING id`, tx.now, userID)
	if err != nil {
		return fmt.Errorf("revoke api tokens: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("revoke api tokens: %w", err)
	}
	for _, id := range ids {
		if err := tx.audit(ctx, haven.AuditEvent{Action: "api_token.revoke", ObjectType: "api_token", ObjectID: id, Reason: cause}); err != nil {
			return err
		}
	}
	return nil
}

// errUsernameTaken is the Conflict an insert into users answers when the
// username is another account's.
func errUsernameTaken() error {
	return &haven.Error{Kind: haven.Conflict, Message: "This username is taken.", Fields: map[string]string{"username": "This username is taken."}}
}
