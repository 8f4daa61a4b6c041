package sqlstore

import (
	"context"
	"errors"
	"sync"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/password"
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
// same argon2id work. Before any of that work, the attempt reserves its
// place under the throttle (reserveAttempt), so that a burst of attempts
// sent at once is checked no more times than the limits allow.
func (db *AccountService) SignIn(ctx context.Context, c haven.Credentials) (string, *haven.Session, error) {
	device, err := db.verifyDevice(ctx, c.Username, c.Device)
	if err != nil {
		return "", nil, err
	}
	keys, err := db.throttleKeys(ctx, c, device)
	if err != nil {
		return "", nil, err
	}
	if err := db.reserveAttempt(ctx, keys); err != nil {
		return "", nil, err
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
		return "", nil, db.signInFailed(ctx, u)
	}
	var token string
	var s *haven.Session
	err = db.inTx(ctx, func(tx *Tx) error {
		tx.actor.UserID = u.ID
		if err := tx.checkTOTP(ctx, u, c.TOTPCode); err != nil {
			return err
		}
		if err := tx.releaseAttempt(ctx, keys); err != nil {
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
		return "", nil, db.signInFailed(ctx, u)
	}
	if err != nil {
		return "", nil, err
	}
	if s.DeviceToken, err = db.deviceToken(ctx, c.Username, device); err != nil {
		return "", nil, err
	}
	return token, s, nil
}

func (db *store) findCredentials(ctx context.Context, username string) (*haven.User, string, error) {
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

// signInFailed audits a failed sign-in and returns the one error every
// failure gets. The failure was counted when the attempt was reserved.
func (db *store) signInFailed(ctx context.Context, u *haven.User) error {
	err := db.inTx(ctx, func(tx *Tx) error {
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
