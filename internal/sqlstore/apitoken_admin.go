package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/password"
)

// CreateServiceAccount creates a service account: a user whose password
// hash is of 32 random bytes no one keeps, so that it never signs in, and
// that is marked service_account. Administrators and `haven user add
// --service-account` (access.Users, create) may.
func (db *APITokenAdminService) CreateServiceAccount(ctx context.Context, n haven.NewServiceAccount) (*haven.User, error) {
	if err := db.authorizeResource(ctx, access.Create, access.Users, "user.create"); err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	secret, _ := newToken()
	hash, err := password.Hash(ctx, secret, PasswordParams)
	if err != nil {
		return nil, err
	}
	u := &haven.User{ID: newID(), Username: n.Username, DisplayName: n.DisplayName, Role: n.Role, OrganizationID: n.OrganizationID}
	err = db.inTx(ctx, func(tx *Tx) error {
		u.CreatedAt, u.UpdatedAt = tx.now, tx.now
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, display_name, role, organization_id, password_hash, service_account, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			u.ID, u.Username, u.DisplayName, u.Role, u.OrganizationID, hash, true, u.CreatedAt, u.UpdatedAt)
		if db.dialect.uniqueViolation(err) {
			return errUsernameTaken()
		} else if err != nil {
			return fmt.Errorf("insert service account: %w", err)
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "user.create", ObjectType: "user", ObjectID: u.ID, Reason: "service_account"})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// ServiceAccounts lists the service accounts by username.
func (db *APITokenAdminService) ServiceAccounts(ctx context.Context) ([]haven.User, error) {
	if err := db.authorizeResource(ctx, access.List, access.APITokens, "api_token.list"); err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE service_account = $1 ORDER BY lower(username)`, true)
	if err != nil {
		return nil, fmt.Errorf("list service accounts: %w", err)
	}
	defer rows.Close()
	var out []haven.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

var errNoAccount = &haven.Error{Kind: haven.NotFound, Message: "No service account has this username.",
	Fields: map[string]string{"username": "No service account has this username."}}

// tokenAccount finds the account a token operation names, after the
// access decision: an administrator reaches only service accounts, the
// api-tokens system job any account. Anything else is NotFound, so that
// the operation does not tell which usernames exist.
func (db *APITokenAdminService) tokenAccount(ctx context.Context, act access.Action, event, username string) (string, error) {
	if err := db.authorizeResource(ctx, act, access.APITokens, event); err != nil {
		return "", err
	}
	var id string
	var service bool
	err := db.db.QueryRowContext(ctx, `SELECT id, service_account FROM users WHERE lower(username) = lower($1)`, username).Scan(&id, &service)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNoAccount
	} else if err != nil {
		return "", fmt.Errorf("find account: %w", err)
	}
	if _, job := haven.SystemFrom(ctx); !job && !service {
		return "", errNoAccount
	}
	return id, nil
}

// IssueAPIToken issues a token for the account named username.
func (db *APITokenAdminService) IssueAPIToken(ctx context.Context, username, name string, scopes []haven.Scope, lifetime time.Duration) (string, *haven.APIToken, error) {
	userID, err := db.tokenAccount(ctx, access.Create, "api_token.create", username)
	if err != nil {
		return "", nil, err
	}
	if err := validateToken(name, scopes, lifetime); err != nil {
		return "", nil, err
	}
	var secret string
	var t *haven.APIToken
	err = db.inTx(ctx, func(tx *Tx) error {
		secret, t, err = tx.insertAPIToken(ctx, userID, name, scopes, lifetime)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// AccountAPITokens lists the tokens of the account named username.
func (db *APITokenAdminService) AccountAPITokens(ctx context.Context, username string) ([]haven.APIToken, error) {
	userID, err := db.tokenAccount(ctx, access.List, "api_token.list", username)
	if err != nil {
		return nil, err
	}
	return db.userAPITokens(ctx, userID)
}

// RevokeAccountAPIToken revokes a token of the account named username.
func (db *APITokenAdminService) RevokeAccountAPIToken(ctx context.Context, username, tokenID string) error {
	userID, err := db.tokenAccount(ctx, access.Update, "api_token.revoke", username)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error { return tx.revokeAPIToken(ctx, userID, tokenID) })
}
