package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/haven-care/haven"
)

// apiTokenPrefix marks Haven tokens so that secret scanners can find a
// leaked one.
const apiTokenPrefix = "haven_"

var (
	errBadToken         = haven.Errorf(haven.Unauthenticated, "The API token is not valid.")
	errTokenNeedsSignIn = haven.Errorf(haven.Unauthenticated, "Your role requires two-step sign-in: sign in to Haven and set it up before using this token.")
)

// CreateAPIToken issues a scoped token for the actor.
func (db *AccountService) CreateAPIToken(ctx context.Context, name string, scopes []haven.Scope, lifetime time.Duration) (string, *haven.APIToken, error) {
	actor, ok := haven.ActorFrom(ctx)
	if !ok {
		return "", nil, errNoSession
	}
	if err := validateToken(name, scopes, lifetime); err != nil {
		return "", nil, err
	}
	var secret string
	var t *haven.APIToken
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		secret, t, err = tx.insertAPIToken(ctx, actor.UserID, name, scopes, lifetime)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// insertAPIToken stores a new token of userID and audits it; the secret
// is returned, never stored.
func (tx *Tx) insertAPIToken(ctx context.Context, userID, name string, scopes []haven.Scope, lifetime time.Duration) (string, *haven.APIToken, error) {
	raw, _ := newToken()
	secret := apiTokenPrefix + raw
	t := &haven.APIToken{ID: newID(), UserID: userID, Name: name, Scopes: scopes, CreatedAt: tx.now, ExpiresAt: tx.now.Add(lifetime)}
	_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, user_id, name, token_hash, scopes, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.ID, t.UserID, t.Name, hashToken(secret), joinScopes(scopes), t.CreatedAt, t.ExpiresAt)
	if err != nil {
		return "", nil, fmt.Errorf("insert api token: %w", err)
	}
	if err := tx.audit(ctx, haven.AuditEvent{Action: "api_token.create", ObjectType: "api_token", ObjectID: t.ID}); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

func validateToken(name string, scopes []haven.Scope, lifetime time.Duration) error {
	if strings.TrimSpace(name) == "" || len(name) > 100 {
		return haven.FieldError("name", "Give the token a name of 1 to 100 characters.")
	}
	if len(scopes) == 0 {
		return haven.FieldError("scopes", "Choose at least one scope.")
	}
	for _, s := range scopes {
		if !slices.Contains(haven.Scopes, s) {
			return haven.FieldError("scopes", fmt.Sprintf("Unknown scope %q.", s))
		}
	}
	if lifetime <= 0 || lifetime > haven.MaxAPITokenLifetime {
		return haven.FieldError("lifetime", "A token lives between a minute and a year.")
	}
	return nil
}

func joinScopes(s []haven.Scope) string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return strings.Join(out, " ")
}

func splitScopes(s string) []haven.Scope {
	var out []haven.Scope
	for _, f := range strings.Fields(s) {
		out = append(out, haven.Scope(f))
	}
	return out
}

const apiTokenColumns = `id, user_id, name, scopes, created_at, expires_at, revoked_at, last_used`

func scanAPIToken(row interface{ Scan(...any) error }) (*haven.APIToken, error) {
	var t haven.APIToken
	var scopes string
	var revoked, used sql.NullTime
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &scopes, &t.CreatedAt, &t.ExpiresAt, &revoked, &used); err != nil {
		return nil, err
	}
	t.Scopes = splitScopes(scopes)
	t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC()
	if revoked.Valid {
		r := revoked.Time.UTC()
		t.RevokedAt = &r
	}
	if used.Valid {
		u := used.Time.UTC()
		t.LastUsed = &u
	}
	return &t, nil
}

// AuthenticateAPIToken checks a bearer token.
func (db *AccountService) AuthenticateAPIToken(ctx context.Context, secret string) (*haven.APIToken, *haven.User, error) {
	if !strings.HasPrefix(secret, apiTokenPrefix) {
		return nil, nil, errBadToken
	}
	t, err := scanAPIToken(db.db.QueryRowContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE token_hash = $1`, hashToken(secret)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errBadToken
	} else if err != nil {
		return nil, nil, fmt.Errorf("find api token: %w", err)
	}
	now := db.now()
	if t.RevokedAt != nil || !now.Before(t.ExpiresAt) {
		return nil, nil, errBadToken
	}
	u, err := db.FindUserByID(ctx, t.UserID)
	if err != nil || u.Disabled {
		return nil, nil, errBadToken
	}
	// The two-step policy holds for tokens too: a token works only for a
	// user who may use the web interface without first enrolling (or
	// changing a temporary password).
	if state, err := db.signInState(ctx, u.ID); err != nil {
		return nil, nil, err
	} else if state != haven.SignInReady {
		return nil, nil, errTokenNeedsSignIn
	}
	if t.LastUsed == nil || now.Sub(*t.LastUsed) >= sessionTouchInterval {
		if _, err := db.execWrite(ctx, `UPDATE api_tokens SET last_used = $1 WHERE id = $2`, now, t.ID); err != nil {
			return nil, nil, fmt.Errorf("touch api token: %w", err)
		}
	}
	return t, u, nil
}

// RevokeAPIToken revokes one of the actor's tokens at once.
func (db *AccountService) RevokeAPIToken(ctx context.Context, id string) error {
	actor, ok := haven.ActorFrom(ctx)
	if !ok {
		return errNoSession
	}
	return db.inTx(ctx, func(tx *Tx) error { return tx.revokeAPIToken(ctx, actor.UserID, id) })
}

// revokeAPIToken revokes the token id of userID and audits it.
func (tx *Tx) revokeAPIToken(ctx context.Context, userID, id string) error {
	res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL`,
		tx.now, id, userID)
	if err != nil {
		return fmt.Errorf("revoke api token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return haven.Errorf(haven.NotFound, "Token not found.")
	}
	return tx.audit(ctx, haven.AuditEvent{Action: "api_token.revoke", ObjectType: "api_token", ObjectID: id})
}

// APITokens lists the actor's tokens, newest first.
func (db *AccountService) APITokens(ctx context.Context) ([]haven.APIToken, error) {
	actor, ok := haven.ActorFrom(ctx)
	if !ok {
		return nil, errNoSession
	}
	return db.userAPITokens(ctx, actor.UserID)
}

// userAPITokens lists the tokens of userID, newest first.
func (db *store) userAPITokens(ctx context.Context, userID string) ([]haven.APIToken, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("list api tokens: %w", err)
	}
	defer rows.Close()
	var out []haven.APIToken
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}
