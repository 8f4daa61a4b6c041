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

// BeginTOTP generates a new TOTP secret for the actor and stores it sealed
// but not yet enabled; it returns the otpauth:// URL for the authenticator
// app. ConfirmTOTP enables it.
func (db *DB) BeginTOTP(ctx context.Context, issuer string) (string, error) {
	actor, ok := haven.ActorFrom(ctx)
	if !ok {
		return "", errNoSession
	}
	u, err := db.FindUserByID(ctx, actor.UserID)
	if err != nil {
		return "", err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.Username, Period: totpPeriod,
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, Rand: rand.Reader})
	if err != nil {
		return "", fmt.Errorf("generate totp: %w", err)
	}
	sealed, err := db.Secrets.SealSecret([]byte(key.Secret()), totpAAD(u.ID))
	if err != nil {
		return "", err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = $1, totp_enabled = $2, totp_last_step = 0, updated_at = $3 WHERE id = $4`,
			sealed, false, tx.now, u.ID); err != nil {
			return fmt.Errorf("store totp secret: %w", err)
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "user.totp_begin", ObjectType: "user", ObjectID: u.ID})
	})
	return key.URL(), err
}

// ConfirmTOTP enables multi-factor for the actor once they prove their
// authenticator works, ends their other sessions, and returns one-use
// recovery codes (shown once; only their hashes are kept).
func (db *DB) ConfirmTOTP(ctx context.Context, code string) ([]string, error) {
	actor, ok := haven.ActorFrom(ctx)
	if !ok {
		return nil, errNoSession
	}
	var codes []string
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.verifyTOTP(ctx, actor.UserID, code); err != nil {
			return haven.FieldError("code", "That code is not right; check the time on your device and try again.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_enabled = $1, updated_at = $2 WHERE id = $3`, true, tx.now, actor.UserID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, actor.UserID, actor.SessionID); err != nil {
			return err
		}
		var err error
		if codes, err = tx.issueRecoveryCodes(ctx, actor.UserID); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "user.totp_enable", ObjectType: "user", ObjectID: actor.UserID})
	})
	return codes, err
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
	secret, err := tx.db.Secrets.OpenSecret(sealed, totpAAD(userID))
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
