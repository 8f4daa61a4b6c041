package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/haven-care/haven"
)

// sessionTouchInterval bounds how often a session's last-seen time is
// written: often enough for the 30-minute idle timeout, rarely enough that
// reading a page is not a write.
const sessionTouchInterval = time.Minute

// newToken returns a 256-bit random token, URL-safe, and its SHA-256 hash,
// which is all the store keeps.
func newToken() (token string, hash []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// createSession starts a session for userID in tx and returns its token.
// Every sign-in gets a new token, so a token planted before sign-in
// (session fixation) is never promoted.
func (tx *Tx) createSession(ctx context.Context, userID, userAgent string) (string, *haven.Session, error) {
	token, hash := newToken()
	s := &haven.Session{ID: newID(), UserID: userID, CreatedAt: tx.now, LastSeen: tx.now, UserAgent: userAgent}
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6)`, s.ID, s.UserID, hash, s.CreatedAt, s.LastSeen, s.UserAgent)
	if err != nil {
		return "", nil, fmt.Errorf("insert session: %w", err)
	}
	return token, s, nil
}

var errNoSession = haven.Errorf(haven.Unauthenticated, "Your session has ended. Please sign in again.")

// Authenticate returns the live session and user for token.
func (db *AccountService) Authenticate(ctx context.Context, token string) (*haven.Session, *haven.User, error) {
	if token == "" {
		return nil, nil, errNoSession
	}
	var s haven.Session
	row := db.db.QueryRowContext(ctx, `SELECT id, user_id, created_at, last_seen, user_agent FROM sessions WHERE token_hash = $1`, hashToken(token))
	err := row.Scan(&s.ID, &s.UserID, &s.CreatedAt, &s.LastSeen, &s.UserAgent)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errNoSession
	} else if err != nil {
		return nil, nil, fmt.Errorf("find session: %w", err)
	}
	s.CreatedAt, s.LastSeen = s.CreatedAt.UTC(), s.LastSeen.UTC()
	now := db.now()
	if !now.Before(s.Expiry()) {
		db.execWrite(ctx, `DELETE FROM sessions WHERE id = $1`, s.ID)
		return nil, nil, errNoSession
	}
	u, err := db.FindUserByID(ctx, s.UserID)
	if err != nil || u.Disabled {
		return nil, nil, errNoSession
	}
	if now.Sub(s.LastSeen) >= sessionTouchInterval {
		s.LastSeen = now
		if _, err := db.execWrite(ctx, `UPDATE sessions SET last_seen = $1 WHERE id = $2`, now, s.ID); err != nil {
			return nil, nil, fmt.Errorf("touch session: %w", err)
		}
	}
	return &s, u, nil
}

// SignOut ends the session of token.
func (db *AccountService) SignOut(ctx context.Context, token string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var id, userID string
		err := tx.QueryRowContext(ctx, `DELETE FROM sessions WHERE token_hash = $1 RETURNING id, user_id`, hashToken(token)).Scan(&id, &userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		tx.actor.UserID = userID
		return tx.audit(ctx, haven.AuditEvent{Action: "session.logout", ObjectType: "session", ObjectID: id})
	})
}

// Sessions lists the actor's live sessions, newest first.
func (db *AccountService) Sessions(ctx context.Context) ([]haven.Session, error) {
	actor, ok := haven.ActorFrom(ctx)
	if !ok {
		return nil, errNoSession
	}
	rows, err := db.db.QueryContext(ctx, `SELECT id, user_id, created_at, last_seen, user_agent FROM sessions
		WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	now := db.now()
	var out []haven.Session
	for rows.Next() {
		var s haven.Session
		if err := rows.Scan(&s.ID, &s.UserID, &s.CreatedAt, &s.LastSeen, &s.UserAgent); err != nil {
			return nil, err
		}
		s.CreatedAt, s.LastSeen = s.CreatedAt.UTC(), s.LastSeen.UTC()
		if now.Before(s.Expiry()) {
			out = append(out, s)
		}
	}
	return out, rows.Err()
}

// EndSession ends one of the actor's own sessions.
func (db *AccountService) EndSession(ctx context.Context, sessionID string) error {
	actor, ok := haven.ActorFrom(ctx)
	if !ok {
		return errNoSession
	}
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1 AND user_id = $2`, sessionID, actor.UserID)
		if err != nil {
			return fmt.Errorf("end session: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return haven.Errorf(haven.NotFound, "Session not found.")
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "session.end", ObjectType: "session", ObjectID: sessionID})
	})
}
