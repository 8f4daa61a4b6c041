package sqlstore

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/password"
)

// Sign-in throttling: after freeFailures failures for a username or a
// client, each further failure locks it out for twice as long as the last,
// from one second up to maxLockout.
const (
	freeFailures = 5
	maxLockout   = 15 * time.Minute
)

var (
	errSignIn   = haven.Errorf(haven.Unauthenticated, "The username, password or code is not right.")
	errThrottle = haven.Errorf(haven.Unavailable, "Too many attempts. Wait a few minutes and try again.")
)

// dummyHash is verified against when the username is unknown, so that an
// unknown user costs the same time as a wrong password.
// It is computed on first use, not at start-up.
var dummyHash = sync.OnceValue(func() string {
	h, err := password.Hash(context.Background(), "haven-dummy-password", PasswordParams)
	if err != nil {
		panic(err)
	}
	return h
})

// SignIn checks credentials and starts a session. Unknown users, wrong
// passwords, wrong codes and disabled accounts all get errSignIn after the
// same argon2id work.
func (db *DB) SignIn(ctx context.Context, c haven.Credentials) (string, *haven.Session, error) {
	keys := throttleKeys(c)
	if locked, err := db.throttled(ctx, keys); err != nil {
		return "", nil, err
	} else if locked {
		return "", nil, errThrottle
	}
	u, hash, err := db.findCredentials(ctx, c.Username)
	if err != nil {
		return "", nil, err
	}
	if u == nil {
		hash = dummyHash()
	}
	ok, rehash, err := db.verifyPassword(ctx, c.Password, hash, PasswordParams)
	if err != nil {
		return "", nil, err
	}
	if u == nil || !ok || u.Disabled {
		return "", nil, db.signInFailed(ctx, keys, u)
	}
	var token string
	var s *haven.Session
	err = db.inTx(ctx, func(tx *Tx) error {
		tx.actor.UserID = u.ID
		if err := tx.checkTOTP(ctx, u, c.TOTPCode); err != nil {
			return err
		}
		if err := tx.clearThrottle(ctx, keys); err != nil {
			return err
		}
		if rehash {
			if err := tx.rehashPassword(ctx, u.ID, c.Password); err != nil {
				return err
			}
		}
		if token, s, err = tx.createSession(ctx, u.ID, c.UserAgent); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "session.login", ObjectType: "session", ObjectID: s.ID})
	})
	if errors.Is(err, errSignIn) {
		return "", nil, db.signInFailed(ctx, keys, u)
	}
	return token, s, err
}

func (db *DB) findCredentials(ctx context.Context, username string) (*haven.User, string, error) {
	var hash string
	row := db.db.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE lower(username) = lower($1)`, username)
	u, err := scanUser(scanAppend{row, []any{&hash}})
	if haven.ErrorKind(err) == haven.NotFound {
		return nil, "", nil
	}
	return u, hash, err
}

// scanAppend scans extra columns after a scanner's own.
type scanAppend struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (s scanAppend) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }

func (tx *Tx) rehashPassword(ctx context.Context, userID, pw string) error {
	h, err := password.Hash(ctx, pw, PasswordParams)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, h, userID)
	return err
}

// throttleKeys are the keys that failures count against: the username
// (case-folded) and the client. They are hashed so that the throttle table
// holds neither.
func throttleKeys(c haven.Credentials) [][]byte {
	mac := func(kind, v string) []byte {
		m := hmac.New(sha256.New, []byte("haven-login-throttle"))
		m.Write([]byte(kind + "\x00" + v))
		return m.Sum(nil)
	}
	keys := [][]byte{mac("user", strings.ToLower(c.Username))}
	if c.RemoteKey != "" {
		keys = append(keys, mac("client", c.RemoteKey))
	}
	return keys
}

func (db *DB) throttled(ctx context.Context, keys [][]byte) (bool, error) {
	now := db.now()
	for _, k := range keys {
		var until time.Time
		err := db.db.QueryRowContext(ctx, `SELECT locked_until FROM login_throttle WHERE key_hash = $1`, k).Scan(&until)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return false, fmt.Errorf("read throttle: %w", err)
		}
		if now.Before(until) {
			return true, nil
		}
	}
	return false, nil
}

// signInFailed counts a failure against every key and audits it, then
// returns the one error every failure gets.
func (db *DB) signInFailed(ctx context.Context, keys [][]byte, u *haven.User) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		for _, k := range keys {
			if err := tx.countFailure(ctx, k); err != nil {
				return err
			}
		}
		ev := haven.AuditEvent{Action: "session.login", ObjectType: "user", Outcome: haven.OutcomeFailure, Reason: "bad_credentials"}
		if u != nil {
			ev.ObjectID = u.ID
		}
		return tx.audit(ctx, ev)
	})
	if err != nil {
		return err
	}
	return errSignIn
}

func (tx *Tx) countFailure(ctx context.Context, key []byte) error {
	var failures int
	err := tx.QueryRowContext(ctx, `INSERT INTO login_throttle (key_hash, failures, locked_until) VALUES ($1, 1, $2)
		ON CONFLICT (key_hash) DO UPDATE SET failures = login_throttle.failures + 1
		RETURNING failures`, key, tx.now).Scan(&failures)
	if err != nil {
		return fmt.Errorf("count failure: %w", err)
	}
	if lock := lockout(failures); lock > 0 {
		_, err = tx.ExecContext(ctx, `UPDATE login_throttle SET locked_until = $1 WHERE key_hash = $2`, tx.now.Add(lock), key)
	}
	return err
}

// lockout is how long a key is locked after its n-th consecutive failure.
func lockout(n int) time.Duration {
	if n <= freeFailures {
		return 0
	}
	shift := min(n-freeFailures-1, 20)
	return min(time.Second<<shift, maxLockout)
}

func (tx *Tx) clearThrottle(ctx context.Context, keys [][]byte) error {
	// Only the username key is cleared: a client that fails on many
	// accounts stays throttled even if one sign-in succeeds.
	_, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key_hash = $1`, keys[0])
	return err
}
