package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/vault"
)

// The key store holds survivors' wrapped data keys and the wrapped
// blind-index key. It is a database of its own (by default keys.db beside
// the SQLite database), so that a copy or backup of the data holds no key:
// once a survivor is deleted, their key is gone from the key store, and
// no earlier copy of the data can be opened again (crypto-shredding).

const keyStoreSchema = `
CREATE TABLE IF NOT EXISTS survivor_keys (
    survivor_id TEXT PRIMARY KEY,
    key_id      TEXT NOT NULL,
    wrapped_key %[1]s NOT NULL
);
CREATE TABLE IF NOT EXISTS vault_keys (
    name        TEXT PRIMARY KEY,
    key_id      TEXT NOT NULL,
    wrapped_key %[1]s NOT NULL
)`

// OpenKeyStore opens the key store named by dsn (sqlite:PATH or a
// postgres:// URL) and creates its two tables if absent.
func (db *DB) OpenKeyStore(ctx context.Context, dsn string) error {
	ks, err := Open(ctx, dsn)
	if err != nil {
		return err
	}
	blob := "BLOB"
	if ks.dialect.name == "postgres" {
		blob = "BYTEA"
	}
	for _, stmt := range strings.Split(fmt.Sprintf(keyStoreSchema, blob), ";") {
		if _, err := ks.db.ExecContext(ctx, stmt); err != nil {
			ks.Close()
			return fmt.Errorf("create key store: %w", err)
		}
	}
	db.keys = ks.db
	return nil
}

// keyDB is the key store; survivor data cannot be written or read
// without one.
func (db *DB) keyDB() (*sql.DB, error) {
	if db.keys == nil || db.Keys == nil {
		return nil, errNoKeys
	}
	return db.keys, nil
}

// storeDataKey saves a survivor's wrapped data key, committed before the
// record that uses it, so a record never exists without its key.
func (db *DB) storeDataKey(ctx context.Context, id string, dk []byte) error {
	kdb, err := db.keyDB()
	if err != nil {
		return err
	}
	w := db.Keys.Wrap(id, dk)
	_, err = kdb.ExecContext(ctx, `INSERT INTO survivor_keys (survivor_id, key_id, wrapped_key) VALUES ($1, $2, $3)`,
		id, wrappedBy(w), w)
	if err != nil {
		return fmt.Errorf("store data key: %w", err)
	}
	return nil
}

// destroyDataKey deletes a survivor's data key: crypto-shredding.
func (db *DB) destroyDataKey(ctx context.Context, id string) error {
	kdb, err := db.keyDB()
	if err != nil {
		return err
	}
	if _, err := kdb.ExecContext(ctx, `DELETE FROM survivor_keys WHERE survivor_id = $1`, id); err != nil {
		return fmt.Errorf("destroy data key: %w", err)
	}
	return nil
}

// dataKey unwraps a survivor's data key. A missing key means the record
// was crypto-shredded.
func (db *DB) dataKey(ctx context.Context, id string) ([]byte, error) {
	kdb, err := db.keyDB()
	if err != nil {
		return nil, err
	}
	var wrapped []byte
	err = kdb.QueryRowContext(ctx, `SELECT wrapped_key FROM survivor_keys WHERE survivor_id = $1`, id).Scan(&wrapped)
	if err == sql.ErrNoRows {
		return nil, &haven.Error{Kind: haven.NotFound, Message: "Record not found.", Err: fmt.Errorf("data key of %s destroyed", id)}
	} else if err != nil {
		return nil, fmt.Errorf("read data key: %w", err)
	}
	return db.Keys.Unwrap(id, wrapped)
}

func wrappedBy(w []byte) string { return vault.WrappedBy(w) }

// KeyStoreSQL returns the key store's handle, for tests that inspect or
// tamper with stored keys.
func (db *DB) KeyStoreSQL() *sql.DB { return db.keys }
