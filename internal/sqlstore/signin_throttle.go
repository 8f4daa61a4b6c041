package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/haven-care/haven"
)

// Sign-in throttling (docs/security.md, "Sign-in throttling"). Every
// attempt counts against several keys, each with its own limit: the first
// limit-1 attempts of a key are free, the limit-th and each later one lock
// the key for twice as long as the last, from one second up to maxLockout,
// and an attempt on a locked key is refused before any password is hashed.
// A successful sign-in forgets the keys of the user and refunds its own
// attempt to the source's key; a key with no attempt for forgetAfter
// starts again from nothing.
//
//   - (username, source): the online guesser's key, limit 5.
//   - source: a client trying many usernames, limit 20.
//   - username: guessing from many sources, limit 10. A browser that holds a
//     device token of the user (a proven device) is exempt from it, and from
//     the two above, so strangers cannot lock the user out of it ...
//   - (username, device): ... but it has a limit 5 of its own.
const (
	maxLockout  = 15 * time.Minute
	forgetAfter = 24 * time.Hour
)

// throttleRule is one kind of throttle key.
type throttleRule struct {
	kind  string
	limit int
	// forgetOnSuccess: a successful sign-in deletes the key; otherwise it
	// refunds the attempt it made.
	forgetOnSuccess bool
}

var (
	ruleUserSource = throttleRule{"user+source", 5, true}
	ruleSource     = throttleRule{"source", 20, false}
	ruleUser       = throttleRule{"user", 10, true}
	ruleUserDevice = throttleRule{"user+device", 5, true}
)

// throttleKey is a rule and the HMAC of what it counts.
type throttleKey struct {
	throttleRule
	hash []byte
}

// throttlePurpose names the blind-index purpose whose key the throttle keys
// are HMACs under: derived from the blind-index key, itself wrapped by the
// master key, so it is secret, and the same on every instance that shares
// the key store.
const throttlePurpose = "sign-in throttle"

// throttleKeys are the keys an attempt counts against, in the order of
// their hashes: every transaction that writes several takes their row
// locks in that order, so two cannot deadlock. device is the ID of the
// user's verified device token, or "". They are keyed HMACs, so the
// throttle table holds no username, address or device ID.
func (db *store) throttleKeys(ctx context.Context, c haven.Credentials, device string) ([]throttleKey, error) {
	ix, err := db.blindIndexer(ctx, throttlePurpose)
	if err != nil {
		return nil, err
	}
	user := strings.ToLower(c.Username)
	key := func(r throttleRule, values ...string) throttleKey {
		return throttleKey{r, ix.Index(append([]string{r.kind}, values...)...)}
	}
	if device != "" {
		return []throttleKey{key(ruleUserDevice, user, device)}, nil
	}
	keys := []throttleKey{key(ruleUserSource, user, c.RemoteKey), key(ruleUser, user)}
	if c.RemoteKey != "" {
		keys = append(keys, key(ruleSource, c.RemoteKey))
	}
	slices.SortFunc(keys, func(a, b throttleKey) int { return bytes.Compare(a.hash, b.hash) })
	return keys, nil
}

// reserveAttempt counts an attempt against every key in one transaction,
// or against none and returns errThrottle if any key is locked. Each key's
// count is read and raised by one upsert, which takes the row's lock on
// PostgreSQL (in the order of keys, see throttleKeys) and runs in an
// immediate transaction on SQLite: concurrent attempts are counted one
// after another, and none is checked on a count it did not see.
func (db *store) reserveAttempt(ctx context.Context, keys []throttleKey) error {
	return db.inTx(ctx, func(tx *Tx) error {
		for _, k := range keys {
			if err := tx.reserveKey(ctx, k); err != nil {
				return err
			}
		}
		if rand.IntN(64) == 0 {
			return tx.pruneThrottle(ctx)
		}
		return nil
	})
}

func (tx *Tx) reserveKey(ctx context.Context, k throttleKey) error {
	var n int
	err := tx.QueryRowContext(ctx, `INSERT INTO signin_throttle (key_hash, attempts, locked_until, last_at) VALUES ($1, 1, $2, $2)
		ON CONFLICT (key_hash) DO UPDATE SET last_at = $2,
			attempts = CASE WHEN signin_throttle.last_at < $3 THEN 1 ELSE signin_throttle.attempts + 1 END
		WHERE signin_throttle.locked_until <= $2
		RETURNING attempts`, k.hash, tx.now, tx.now.Add(-forgetAfter)).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return errThrottle // locked: the row is unchanged
	} else if err != nil {
		return fmt.Errorf("reserve sign-in attempt: %w", err)
	}
	if lock := lockout(n, k.limit); lock > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE signin_throttle SET locked_until = $1 WHERE key_hash = $2`, tx.now.Add(lock), k.hash); err != nil {
			return fmt.Errorf("lock sign-in key: %w", err)
		}
	}
	return nil
}

// lockout is how long a key of limit is locked by its n-th attempt.
func lockout(n, limit int) time.Duration {
	if n < limit {
		return 0
	}
	shift := min(n-limit, 20)
	return min(time.Second<<shift, maxLockout)
}

// releaseAttempt, after a successful sign-in, forgets the user's keys and
// refunds the attempt to the others (the source's), lifting a lock that
// attempt set: a client that fails on many accounts stays throttled even
// if one sign-in succeeds, and a clinic behind one address is not locked
// out by its own successful sign-ins.
func (tx *Tx) releaseAttempt(ctx context.Context, keys []throttleKey) error {
	for _, k := range keys {
		var err error
		if k.forgetOnSuccess {
			_, err = tx.ExecContext(ctx, `DELETE FROM signin_throttle WHERE key_hash = $1`, k.hash)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE signin_throttle SET attempts = attempts - 1,
				locked_until = CASE WHEN attempts - 1 < $2 THEN $3 ELSE locked_until END
				WHERE key_hash = $1 AND attempts > 0`, k.hash, k.limit, tx.now)
		}
		if err != nil {
			return fmt.Errorf("release sign-in attempt: %w", err)
		}
	}
	return nil
}

// pruneThrottle deletes the keys that would start again from nothing, so
// that the table does not grow with every address that ever tried.
func (tx *Tx) pruneThrottle(ctx context.Context) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM signin_throttle WHERE last_at < $1 AND locked_until < $2`, tx.now.Add(-forgetAfter), tx.now)
	if err != nil {
		return fmt.Errorf("prune sign-in throttle: %w", err)
	}
	return nil
}
