package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

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
);
CREATE TABLE IF NOT EXISTS master_keys (
    key_id TEXT PRIMARY KEY,
    state  TEXT NOT NULL CHECK (state IN ('active', 'retired'))
)`

// OpenKeyStore opens the key store named by dsn (sqlite:PATH or a
// postgres:// URL) and creates its tables if absent: the wrapped keys, and
// the states of the master keys that wrapped them (see keyreload.go).
func (db *DB) OpenKeyStore(ctx context.Context, dsn string) error {
	ks, err := Open(ctx, dsn)
	if err != nil {
		return err
	}
	for _, stmt := range strings.Split(fmt.Sprintf(keyStoreSchema, ks.dialect.blobType), ";") {
		if _, err := ks.db.ExecContext(ctx, stmt); err != nil {
			ks.Close()
			return fmt.Errorf("create key store: %w", err)
		}
	}
	db.keys, db.keysDialect = ks.db, ks.dialect
	return nil
}

// keyDB is the key store; survivor data cannot be written or read
// without one.
func (db *store) keyDB() (*sql.DB, error) {
	if db.keys == nil || db.keyring() == nil {
		return nil, errNoKeys
	}
	return db.keys, nil
}

// The key pool's batches start at keyPoolFirst keys and double with each
// refill up to keyPoolMax, so that a process which creates one record
// commits few keys ahead and a busy one amortises the key store's commit
// over many records.
const (
	keyPoolFirst = 8
	keyPoolMax   = 128
)

// keyPool holds fresh data keys whose wrapped copies the key store has
// already committed, each under the ID of the record it will protect, so
// that a record never exists without its key. Committing them in batches
// takes the key store's own transaction (on another database, so another
// commit) off most record creations. Close deletes the keys left unused; a
// process that dies first leaves them wrapped under IDs that never name a
// record, protecting nothing.
type keyPool struct {
	mu   sync.Mutex
	ring *vault.Keyring // the keyring that wrapped free
	free []pooledKey
	next int // the next batch's size
}

type pooledKey struct {
	id  string
	key []byte
}

// newDataKey returns a fresh record ID and its data key, whose wrapped copy
// is committed to the key store. The caller clears the key after use.
func (db *store) newDataKey(ctx context.Context) (string, []byte, error) {
	kdb, err := db.keyDB()
	if err != nil {
		return "", nil, err
	}
	p := &db.keyPool
	p.mu.Lock()
	defer p.mu.Unlock()
	if ring := db.keyring(); p.ring != ring {
		// Keys wrapped under another keyring may not open under this one.
		if err := p.releaseLocked(kdb); err != nil {
			return "", nil, err
		}
		p.ring = ring
	}
	if len(p.free) == 0 {
		// The batch is wrapped under a master key the key store does not
		// list as retired, which may mean loading a rotated one first.
		err := db.wrapTx(ctx, kdb, func(tx *sql.Tx, ring *vault.Keyring) error {
			p.ring = ring
			return p.fill(ctx, tx, ring)
		})
		if err != nil {
			return "", nil, err
		}
	}
	k := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	return k.id, k.key, nil
}

// fill commits a batch of new wrapped data keys in one statement of tx.
func (p *keyPool) fill(ctx context.Context, tx *sql.Tx, ring *vault.Keyring) error {
	p.next = min(max(p.next*2, keyPoolFirst), keyPoolMax)
	keys := make([]pooledKey, p.next)
	rows := make([]string, len(keys))
	args := make([]any, 0, 3*len(keys))
	for i := range keys {
		keys[i] = pooledKey{id: newID(), key: vault.NewDataKey()}
		w := ring.Wrap(keys[i].id, keys[i].key)
		rows[i] = fmt.Sprintf("($%d, $%d, $%d)", 3*i+1, 3*i+2, 3*i+3)
		args = append(args, keys[i].id, wrappedBy(w), w)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO survivor_keys (survivor_id, key_id, wrapped_key) VALUES `+strings.Join(rows, ", "), args...)
	if err != nil {
		for _, k := range keys {
			clear(k.key)
		}
		return fmt.Errorf("store data keys: %w", err)
	}
	p.free = keys
	return nil
}

// drop clears and forgets the free keys.
func (p *keyPool) drop() {
	for _, k := range p.free {
		clear(k.key)
	}
	p.free = nil
}

// release deletes the free keys from the key store and forgets them.
func (p *keyPool) release(kdb *sql.DB) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.releaseLocked(kdb)
}

// releaseLocked is release with p.mu held.
func (p *keyPool) releaseLocked(kdb *sql.DB) error {
	defer p.drop()
	if len(p.free) == 0 || kdb == nil {
		return nil
	}
	marks := make([]string, len(p.free))
	args := make([]any, len(p.free))
	for i, k := range p.free {
		marks[i], args[i] = fmt.Sprintf("$%d", i+1), k.id
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := kdb.ExecContext(ctx, `DELETE FROM survivor_keys WHERE survivor_id IN (`+strings.Join(marks, ", ")+`)`, args...); err != nil {
		return fmt.Errorf("delete unused data keys: %w", err)
	}
	return nil
}

// destroyDataKey deletes a survivor's data key: crypto-shredding.
func (db *store) destroyDataKey(ctx context.Context, id string) error {
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
func (db *store) dataKey(ctx context.Context, id string) ([]byte, error) {
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
	return db.unwrap(id, wrapped)
}

func wrappedBy(w []byte) string { return vault.WrappedBy(w) }

// KeyStoreSQL returns the key store's handle, for tests that inspect or
// tamper with stored keys.
func (db *DB) KeyStoreSQL() *sql.DB { return db.keys }
