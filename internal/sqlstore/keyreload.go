package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/vault"
)

// Key rotation without downtime. "haven keys rotate" re-wraps every key
// under a new master key and records, in the key store's master_keys
// table, the new key as active and every older one as retired. A running
// instance still holding the old key must neither wrap under it (its
// wrappings would not open once the old key is taken offline) nor fail to
// read what is now wrapped under the new one, so:
//
//   - every wrapping into the key store happens in a key store transaction
//     that first reads its master key's state, locked (FOR SHARE on
//     PostgreSQL; SQLite's immediate transactions exclude each other), so
//     that it commits either before the rotation reads the keys to re-wrap
//     them or after the rotation, seeing the key retired;
//   - a retired key makes the store load the configured master key
//     (KeyLoader: the key file read again) and wrap under that, or refuse
//     with Unavailable if it is retired too;
//   - an unwrapping under a key the keyring does not hold loads the
//     configured master key once and tries again.
//
// Server-side secrets (TOTP seeds, certificates) are sealed in the main
// database; a sealing checks the state of its key, unlocked, first.

// errRetiredKey is the refusal to wrap under a retired master key.
func errRetiredKey(id string, cause error) error {
	return &haven.Error{Kind: haven.Unavailable,
		Message: "The master key was rotated and this instance cannot load the new one: point it at the new key file.",
		Err:     fmt.Errorf("master key %s is retired; loading the configured key: %w", id, cause)}
}

// keyring returns the keyring in use.
func (db *store) keyring() *vault.Keyring {
	db.keysMu.RLock()
	defer db.keysMu.RUnlock()
	return db.Keys
}

// secrets returns the secret box in use.
func (db *store) secrets() SecretBox {
	db.keysMu.RLock()
	defer db.keysMu.RUnlock()
	return db.Secrets
}

// ReloadKeys loads the configured master key with KeyLoader and, if it is
// not the active one, makes it so: serve calls it on SIGHUP and when the
// key file changes. It returns the active key's ID and whether it changed.
func (db *DB) ReloadKeys() (string, bool, error) {
	before := db.keyring()
	ring, err := db.reloadKeys()
	if err != nil {
		return "", false, err
	}
	return ring.ActiveKeyID(), before == nil || ring.ActiveKeyID() != before.ActiveKeyID(), nil
}

// reloadKeys loads the configured keyring and puts it in place of Keys (and
// of Secrets, when that is the same keyring) unless its active key is the
// one in use. It returns the keyring in use afterwards.
func (db *store) reloadKeys() (*vault.Keyring, error) {
	if db.KeyLoader == nil {
		return nil, errors.New("no master key loader configured")
	}
	fresh, err := db.KeyLoader()
	if err != nil {
		return nil, err
	}
	db.keysMu.Lock()
	defer db.keysMu.Unlock()
	old := db.Keys
	if old != nil && old.ActiveKeyID() == fresh.ActiveKeyID() {
		return old, nil
	}
	db.Keys = fresh
	if db.Secrets == nil || db.Secrets == SecretBox(old) {
		db.Secrets = fresh
	}
	return fresh, nil
}

// wrapTx runs fn in a transaction of the key store kdb with a keyring whose
// active master key is not retired, loading the configured one if the
// keyring's is, and commits.
func (db *store) wrapTx(ctx context.Context, kdb *sql.DB, fn func(tx *sql.Tx, ring *vault.Keyring) error) error {
	for reloaded := false; ; reloaded = true {
		ring := db.keyring()
		tx, err := kdb.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		retired, err := db.lockKeyState(ctx, tx, ring.ActiveKeyID())
		if err == nil && !retired {
			if err = fn(tx, ring); err == nil {
				return tx.Commit()
			}
		}
		tx.Rollback()
		if err != nil {
			return err
		}
		if reloaded {
			return errRetiredKey(ring.ActiveKeyID(), errors.New("the configured key is retired too"))
		}
		if _, err := db.reloadKeys(); err != nil {
			return errRetiredKey(ring.ActiveKeyID(), err)
		}
	}
}

// lockKeyState records master key id as active if the key store does not
// know it yet, and reports whether it is retired, holding a lock on its row
// until tx ends so that a rotation waits for tx (and tx for a rotation).
func (db *store) lockKeyState(ctx context.Context, tx *sql.Tx, id string) (retired bool, err error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO master_keys (key_id, state) VALUES ($1, 'active') ON CONFLICT (key_id) DO NOTHING`, id); err != nil {
		return false, fmt.Errorf("record master key: %w", err)
	}
	lock := ""
	if db.keysDialect.name == "postgres" {
		lock = " FOR SHARE"
	}
	var state string
	if err := tx.QueryRowContext(ctx, `SELECT state FROM master_keys WHERE key_id = $1`+lock, id).Scan(&state); err != nil {
		return false, fmt.Errorf("read master key state: %w", err)
	}
	return state == "retired", nil
}

// retireMasterKeys records, in the rotation's key store transaction tx,
// ring's active key as active and every other key as retired: ring's older
// keys and any other the key store lists. Its row locks wait for wrappings
// in progress under the old keys to commit, so that the rotation re-wraps
// them too.
func retireMasterKeys(ctx context.Context, tx *sql.Tx, ring *vault.Keyring) error {
	ids := ring.KeyIDs()
	for i, id := range ids {
		state := "retired"
		if i == 0 {
			state = "active"
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO master_keys (key_id, state) VALUES ($1, $2)
			ON CONFLICT (key_id) DO UPDATE SET state = excluded.state`, id, state); err != nil {
			return fmt.Errorf("record master key states: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE master_keys SET state = 'retired' WHERE key_id <> $1`, ids[0]); err != nil {
		return fmt.Errorf("record master key states: %w", err)
	}
	return nil
}

// unwrap opens a survivor's or stored key's wrapping, loading the
// configured master key once if another instance's rotation wrapped it
// under a key this keyring does not hold.
func (db *store) unwrap(subjectID string, wrapped []byte) ([]byte, error) {
	dk, err := db.keyring().Unwrap(subjectID, wrapped)
	if errors.Is(err, vault.ErrUnknownKey) && db.KeyLoader != nil {
		if ring, rerr := db.reloadKeys(); rerr == nil {
			return ring.Unwrap(subjectID, wrapped)
		}
	}
	return dk, err
}

// openSecret opens a sealed server-side secret, loading the configured
// master key once if it was sealed under a key the keyring does not hold.
func (db *store) openSecret(sealed, aad []byte) ([]byte, error) {
	box := db.secrets()
	if box == nil {
		return nil, errNoKeys
	}
	plain, err := box.OpenSecret(sealed, aad)
	if errors.Is(err, vault.ErrUnknownKey) && db.KeyLoader != nil {
		if _, rerr := db.reloadKeys(); rerr == nil {
			return db.secrets().OpenSecret(sealed, aad)
		}
	}
	return plain, err
}

// sealSecret seals a server-side secret under the active master key, after
// loading the configured one if the key store lists the active key as
// retired.
func (db *store) sealSecret(ctx context.Context, plain, aad []byte) ([]byte, error) {
	if ring := db.keyring(); ring != nil && db.keys != nil && db.secrets() == SecretBox(ring) {
		var state string
		err := db.keys.QueryRowContext(ctx, `SELECT state FROM master_keys WHERE key_id = $1`, ring.ActiveKeyID()).Scan(&state)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("read master key state: %w", err)
		}
		if state == "retired" {
			fresh, err := db.reloadKeys()
			if err == nil && fresh.ActiveKeyID() == ring.ActiveKeyID() {
				err = errors.New("the configured key is retired too")
			}
			if err != nil {
				return nil, errRetiredKey(ring.ActiveKeyID(), err)
			}
		}
	}
	box := db.secrets()
	if box == nil {
		return nil, errNoKeys
	}
	return box.SealSecret(plain, aad)
}
