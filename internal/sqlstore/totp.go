package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/haven-care/haven"
)

// SecretBox seals small server-side secrets (TOTP seeds) so that they are
// never stored in the clear; the vault implements it.
type SecretBox interface {
	SealSecret(plaintext, aad []byte) ([]byte, error)
	OpenSecret(ciphertext, aad []byte) ([]byte, error)
}

// totpPeriod and totpSkew: 30-second codes, one step of clock drift.
const (
	totpPeriod = 30
	totpSkew   = 1
	// recoveryCodeCount codes are issued at enrolment, each usable once.
	recoveryCodeCount = 10
)

func totpAAD(userID string) []byte { return []byte("users\x00totp_secret\x00" + userID) }

// totpPendingAAD binds a pending secret to its own column, so that a
// pending ciphertext copied into totp_secret does not open there.
func totpPendingAAD(userID string) []byte { return []byte("users\x00totp_pending_secret\x00" + userID) }

var (
	errReauth = haven.FieldError("password", "The password or code is not right.")
	// errEnrolment is a confirm with no secret begun in this session.
	errEnrolment = haven.Errorf(haven.Invalid, "Two-step set-up was not started in this session or has expired. Start again.")
)

// BeginTOTP re-authenticates the actor (password, and a current code or
// recovery code when two-step sign-in is on; failures count against the
// sign-in throttle), then generates a new TOTP secret and stores it sealed
// as the pending secret of this session. The active secret, if any, and
// totp_enabled are untouched until ConfirmTOTP. It returns the otpauth://
// URL for the authenticator app.
func (db *AccountService) BeginTOTP(ctx context.Context, issuer string, re haven.Reauth) (string, error) {
	actor, ok := haven.ActorFrom(ctx)
	if !ok || actor.SessionID == "" {
		return "", errNoSession
	}
	u, keys, err := db.reauthenticate(ctx, actor.UserID, re)
	if err != nil {
		return "", err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.Username, Period: totpPeriod,
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, Rand: rand.Reader})
	if err != nil {
		return "", fmt.Errorf("generate totp: %w", err)
	}
	sealed, err := db.sealSecret(ctx, []byte(key.Secret()), totpPendingAAD(u.ID))
	if err != nil {
		return "", err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.checkTOTP(ctx, u, re.TOTPCode); err != nil {
			return err
		}
		if err := tx.releaseAttempt(ctx, keys); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_pending_secret = $1, totp_pending_session = $2, totp_pending_at = $3,
			updated_at = $3 WHERE id = $4`, sealed, actor.SessionID, tx.now, u.ID); err != nil {
			return fmt.Errorf("store pending totp secret: %w", err)
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "user.totp_begin", ObjectType: "user", ObjectID: u.ID})
	})
	if errors.Is(err, errSignIn) {
		return "", db.reauthFailed(ctx, u.ID)
	}
	if err != nil {
		return "", err
	}
	return key.URL(), nil
}

// reauthenticate checks the actor's password with the same argon2id
// work as sign-in, after reserving the attempt under the sign-in throttle
// (reserveAttempt), so that a burst of guesses from a stolen session is
// checked no more often than sign-in allows. It returns the throttle keys,
// which the caller releases once the code, when needed, is checked inside
// its transaction too (a good code is used up).
func (db *store) reauthenticate(ctx context.Context, userID string, re haven.Reauth) (*haven.User, []throttleKey, error) {
	var hash string
	row := db.db.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE id = $1`, userID)
	u, err := scanUser(scanAppend{row, []any{&hash}})
	if haven.ErrorKind(err) == haven.NotFound {
		return nil, nil, errNoSession
	} else if err != nil {
		return nil, nil, err
	}
	keys, err := db.throttleKeys(ctx, haven.Credentials{Username: u.Username, RemoteKey: re.RemoteKey}, "")
	if err != nil {
		return nil, nil, err
	}
	if err := db.reserveAttempt(ctx, keys); err != nil {
		return nil, nil, err
	}
	ok, _, err := db.verifyPassword(ctx, re.Password, hash, PasswordParams)
	if err != nil {
		return nil, nil, err
	}
	if !ok || u.Disabled {
		return nil, nil, db.reauthFailed(ctx, u.ID)
	}
	return u, keys, nil
}

// reauthFailed audits a failed re-authentication; the attempt was counted
// against the sign-in throttle when it was reserved.
func (db *store) reauthFailed(ctx context.Context, userID string) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(ctx, haven.AuditEvent{Action: "user.reauth", ObjectType: "user", ObjectID: userID,
			Outcome: haven.OutcomeFailure, Reason: "bad_credentials"})
	})
	if err != nil {
		return err
	}
	return errReauth
}

// ConfirmTOTP checks code against the secret BeginTOTP made in this
// session, within haven.TOTPEnrolmentTimeout. Only then does that secret
// replace the active one and multi-factor turn on; the actor's other
// sessions end, and new one-use recovery codes replace the old (shown
// once; only their hashes are kept).
func (db *AccountService) ConfirmTOTP(ctx context.Context, code string) ([]string, error) {
	actor, ok := haven.ActorFrom(ctx)
	if !ok || actor.SessionID == "" {
		return nil, errNoSession
	}
	var codes []string
	err := db.inTx(ctx, func(tx *Tx) error {
		secret, step, err := tx.checkPendingTOTP(ctx, actor, strings.TrimSpace(code))
		if err != nil {
			return err
		}
		sealed, err := tx.db.sealSecret(ctx, secret, totpAAD(actor.UserID))
		clear(secret)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = $1, totp_enabled = $2, totp_last_step = $3,
			totp_pending_secret = NULL, totp_pending_session = NULL, totp_pending_at = NULL, updated_at = $4 WHERE id = $5`,
			sealed, true, step, tx.now, actor.UserID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, actor.UserID, actor.SessionID); err != nil {
			return err
		}
		if codes, err = tx.issueRecoveryCodes(ctx, actor.UserID); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "user.totp_enable", ObjectType: "user", ObjectID: actor.UserID})
	})
	return codes, err
}

// checkPendingTOTP returns the pending secret of the actor's session and
// the time step of code, if code is right for it.
func (tx *Tx) checkPendingTOTP(ctx context.Context, actor haven.Actor, code string) ([]byte, int64, error) {
	var sealed []byte
	var session sql.NullString
	var at sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT totp_pending_secret, totp_pending_session, totp_pending_at FROM users WHERE id = $1`,
		actor.UserID).Scan(&sealed, &session, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, errNoSession
	} else if err != nil {
		return nil, 0, fmt.Errorf("read pending totp secret: %w", err)
	}
	if sealed == nil || session.String != actor.SessionID || !at.Valid || !tx.now.Before(at.Time.Add(haven.TOTPEnrolmentTimeout)) {
		return nil, 0, errEnrolment
	}
	secret, err := tx.db.openSecret(sealed, totpPendingAAD(actor.UserID))
	if err != nil {
		return nil, 0, fmt.Errorf("open pending totp secret: %w", err)
	}
	step, ok := matchStep(string(secret), code, tx.now)
	if !ok {
		clear(secret)
		return nil, 0, haven.FieldError("code", "That code is not right; check the time on your device and try again.")
	}
	return secret, step, nil
}

// checkTOTP requires a valid, unused code (or recovery code) from a user
// who has multi-factor enabled.
func (tx *Tx) checkTOTP(ctx context.Context, u *haven.User, code string) error {
	if !u.TOTPEnabled {
		return nil
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return errSignIn
	}
	if len(code) > 8 {
		return tx.useRecoveryCode(ctx, u.ID, code)
	}
	if err := tx.verifyTOTP(ctx, u.ID, code); err != nil {
		return errSignIn
	}
	return nil
}

// verifyTOTP checks code against the user's secret and records its time
// step, refusing any step at or before the last one used (replay). The
// record is one conditional UPDATE that must change the row: on PostgreSQL
// under READ COMMITTED, a concurrent sign-in with the same code waits for
// the row lock, re-reads the step, and changes nothing, so one code starts
// one session however many requests carry it.
func (tx *Tx) verifyTOTP(ctx context.Context, userID, code string) error {
	var sealed []byte
	var lastStep int64
	err := tx.QueryRowContext(ctx, `SELECT totp_secret, totp_last_step FROM users WHERE id = $1`, userID).Scan(&sealed, &lastStep)
	if err != nil || sealed == nil {
		return errSignIn
	}
	secret, err := tx.db.openSecret(sealed, totpAAD(userID))
	if err != nil {
		return fmt.Errorf("open totp secret: %w", err)
	}
	step, ok := matchStep(string(secret), code, tx.now)
	if !ok || step <= lastStep {
		return errSignIn
	}
	res, err := tx.ExecContext(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, userID)
	if err != nil {
		return fmt.Errorf("record totp step: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("record totp step: %w", err)
	} else if n != 1 {
		return errSignIn
	}
	return nil
}

// matchStep returns the time step within the allowed skew whose code is code.
func matchStep(secret, code string, now time.Time) (int64, bool) {
	cur := now.Unix() / totpPeriod
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		step := cur + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totp.ValidateOpts{
			Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && want == code {
			return step, true
		}
	}
	return 0, false
}

func recoveryHash(code string) []byte {
	h := sha256.Sum256([]byte(strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))))
	return h[:]
}

func (tx *Tx) issueRecoveryCodes(ctx context.Context, userID string) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return nil, err
	}
	codes := make([]string, recoveryCodeCount)
	for i := range codes {
		b := make([]byte, 10) // 80 bits: high-entropy, so a plain SHA-256 suffices
		rand.Read(b)
		s := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
		codes[i] = s[:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, recoveryHash(codes[i])); err != nil {
			return nil, err
		}
	}
	return codes, nil
}

func (tx *Tx) useRecoveryCode(ctx context.Context, userID, code string) error {
	var hash []byte
	err := tx.QueryRowContext(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL
		RETURNING code_hash`, tx.now, userID, recoveryHash(code)).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return errSignIn
	} else if err != nil {
		return err
	}
	return tx.audit(ctx, haven.AuditEvent{Action: "user.recovery_code_used", ObjectType: "user", ObjectID: userID})
}
