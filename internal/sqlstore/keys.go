package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/vault"
)

// indexKeyName names the blind-index key in vault_keys.
const indexKeyName = "blind_index"

// indexKey returns the blind-index key, creating it on first use. Several
// instances may race to create it; ON CONFLICT keeps the first.
func (db *store) indexKey(ctx context.Context) ([]byte, error) {
	db.indexMu.Lock()
	defer db.indexMu.Unlock()
	if db.indexCache != nil && db.indexCacheRing == db.keyring() {
		return db.indexCache, nil
	}
	kdb, err := db.keyDB()
	if err != nil {
		return nil, err
	}
	var wrapped []byte
	err = kdb.QueryRowContext(ctx, `SELECT wrapped_key FROM vault_keys WHERE name = $1`, indexKeyName).Scan(&wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		err = db.wrapTx(ctx, kdb, func(tx *sql.Tx, ring *vault.Keyring) error {
			w := ring.Wrap(indexKeyName, vault.NewDataKey())
			if _, err := tx.ExecContext(ctx, `INSERT INTO vault_keys (name, key_id, wrapped_key) VALUES ($1, $2, $3)
				ON CONFLICT (name) DO NOTHING`, indexKeyName, vault.WrappedBy(w), w); err != nil {
				return fmt.Errorf("store index key: %w", err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		err = kdb.QueryRowContext(ctx, `SELECT wrapped_key FROM vault_keys WHERE name = $1`, indexKeyName).Scan(&wrapped)
	}
	if err != nil {
		return nil, fmt.Errorf("read index key: %w", err)
	}
	ik, err := db.unwrap(indexKeyName, wrapped)
	if err != nil {
		return nil, err
	}
	keys := db.keyring()
	// The index key never changes (rotation re-wraps it), so it is kept in
	// memory for the keyring it was opened with.
	db.indexCache, db.indexCacheRing = ik, keys
	db.indexers = map[string]*vault.BlindIndexer{}
	return ik, nil
}

// blindIndexer returns the blind indexer of purpose under the index key,
// kept with the key.
func (db *store) blindIndexer(ctx context.Context, purpose string) (*vault.BlindIndexer, error) {
	ik, err := db.indexKey(ctx)
	if err != nil {
		return nil, err
	}
	db.indexMu.Lock()
	defer db.indexMu.Unlock()
	b, ok := db.indexers[purpose] // indexKey made the map with the key
	if !ok {
		b = vault.NewBlindIndexer(ik, purpose)
		db.indexers[purpose] = b
	}
	return b, nil
}

var errNoKeys = &haven.Error{Kind: haven.Unavailable, Message: "The master key or the key store is not loaded."}

// RotateKeys re-wraps every data key, the blind-index key and every TOTP
// seed under the keyring's active master key, in one transaction, without
// re-encrypting any survivor data. The keyring must also hold the old key.
// It returns how many keys were re-wrapped.
func (db *DB) RotateKeys(ctx context.Context) (int, error) {
	keys := db.keyring()
	if keys == nil {
		return 0, errNoKeys
	}
	n, err := db.rewrapKeyStore(ctx)
	if err != nil {
		return 0, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		t, err := tx.resealTOTP(ctx)
		if err != nil {
			return err
		}
		n += t
		if t, err = tx.resealCertificates(ctx); err != nil {
			return err
		}
		n += t
		return tx.audit(ctx, haven.AuditEvent{Action: "keys.rotate", ObjectType: "master_key", ObjectID: keys.ActiveKeyID()})
	})
	return n, err
}

// rewrapKeyStore re-wraps every key in the key store in one transaction.
func (db *store) rewrapKeyStore(ctx context.Context) (int, error) {
	kdb, err := db.keyDB()
	if err != nil {
		return 0, err
	}
	ktx, err := kdb.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer ktx.Rollback()
	if err := retireMasterKeys(ctx, ktx, db.keyring()); err != nil {
		return 0, err
	}
	n, err := rewrapTable(ctx, db, ktx, `SELECT survivor_id, wrapped_key FROM survivor_keys`,
		`UPDATE survivor_keys SET wrapped_key = $1, key_id = $2 WHERE survivor_id = $3`)
	if err != nil {
		return 0, err
	}
	m, err := rewrapTable(ctx, db, ktx, `SELECT name, wrapped_key FROM vault_keys`,
		`UPDATE vault_keys SET wrapped_key = $1, key_id = $2 WHERE name = $3`)
	if err != nil {
		return 0, err
	}
	return n + m, ktx.Commit()
}

func rewrapTable(ctx context.Context, db *store, tx *sql.Tx, query, update string) (int, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return 0, fmt.Errorf("read wrapped keys: %w", err)
	}
	type item struct {
		id      string
		wrapped []byte
	}
	var items []item
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.id, &it.wrapped); err != nil {
			rows.Close()
			return 0, err
		}
		items = append(items, it)
	}
	rows.Close()
	keys := db.keyring()
	for _, it := range items {
		w, err := keys.Rewrap(it.id, it.wrapped)
		if err != nil {
			return 0, fmt.Errorf("rewrap key of %s: %w", it.id, err)
		}
		if _, err := tx.ExecContext(ctx, update, w, vault.WrappedBy(w), it.id); err != nil {
			return 0, fmt.Errorf("store rewrapped key: %w", err)
		}
	}
	return len(items), rows.Err()
}

// resealTOTP reseals every TOTP seed, active and pending, under the
// active master key.
func (tx *Tx) resealTOTP(ctx context.Context) (int, error) {
	n := 0
	for _, c := range []struct {
		column string
		aad    func(userID string) []byte
	}{{"totp_secret", totpAAD}, {"totp_pending_secret", totpPendingAAD}} {
		k, err := tx.resealColumn(ctx, c.column, c.aad)
		if err != nil {
			return 0, err
		}
		n += k
	}
	return n, nil
}

// resealColumn reseals the sealed secrets of one column of users; column
// is one of the names written in resealTOTP, never input.
func (tx *Tx) resealColumn(ctx context.Context, column string, aad func(string) []byte) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, `+column+` FROM users WHERE `+column+` IS NOT NULL`)
	if err != nil {
		return 0, err
	}
	sealed := map[string][]byte{}
	for rows.Next() {
		var id string
		var s []byte
		if err := rows.Scan(&id, &s); err != nil {
			rows.Close()
			return 0, err
		}
		sealed[id] = s
	}
	rows.Close()
	keys := tx.db.keyring() // the rotation's keyring, holding the old key and the new
	for id, s := range sealed {
		plain, err := keys.OpenSecret(s, aad(id))
		if err != nil {
			return 0, fmt.Errorf("open %s of user %s: %w", column, id, err)
		}
		resealed, err := keys.SealSecret(plain, aad(id))
		clear(plain)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET `+column+` = $1 WHERE id = $2`, resealed, id); err != nil {
			return 0, err
		}
	}
	return len(sealed), nil
}
