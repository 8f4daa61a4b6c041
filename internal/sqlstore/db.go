// Package sqlstore is the one implementation of Haven's services, on
// embedded SQLite (modernc.org/sqlite, pure Go) and on PostgreSQL
// (pgx/v5/stdlib), through database/sql with hand-written SQL.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/password"
	"github.com/haven-care/haven/internal/vault"
)

// DB is a handle on Haven's store: its lifecycle (open, migrate, close),
// key rotation, and the shared internals that every domain service of the
// store runs on (see services.go). It is safe for concurrent use and, on
// PostgreSQL, by several Haven instances at once.
type DB struct{ *store }

// store is what the domain services share: the database and key store, the
// clock, the keyring, and the caches.
type store struct {
	db      *sql.DB
	dialect dialect
	// Clock tells the time for every timestamp the store writes.
	Clock haven.Clock
	// Secrets seals server-side secrets such as TOTP seeds.
	Secrets SecretBox
	// Keys wraps and unwraps survivors' data keys.
	Keys *vault.Keyring
	// KeyLoader, if set, loads the master key as configured now (its file
	// read again). The store calls it when a rotation elsewhere retired its
	// active key or wrapped something under a key it does not hold, and
	// ReloadKeys calls it on demand (see keyreload.go).
	KeyLoader func() (*vault.Keyring, error)
	// keysMu guards Keys and Secrets once the store is in use: a reload
	// replaces them while requests read them.
	keysMu sync.RWMutex
	// keys is the key store (see keystore.go), keysDialect its engine.
	keys        *sql.DB
	keysDialect dialect

	indexMu        sync.Mutex
	indexCache     []byte                         // the unwrapped blind-index key
	indexCacheRing *vault.Keyring                 // the keyring that unwrapped it
	indexers       map[string]*vault.BlindIndexer // by purpose, under indexCache

	// verifyPassword checks a password against its hash: password.Verify,
	// unless a test counts the checks (see export_test.go).
	verifyPassword func(ctx context.Context, pw, hash string, p password.Params) (ok, rehash bool, err error)

	stmts   stmtCache // prepared statements, on SQLite
	keyPool keyPool   // data keys committed ahead of their records

	// txSlot, on SQLite, is the one slot for a transaction (see lockTx);
	// nil on PostgreSQL, whose row locks let writers run side by side.
	txSlot chan struct{}
	// reads gathers the audit entries of reads for group commit (see
	// recordReads).
	reads readGroup
}

// Open opens the store named by dsn: "sqlite:PATH" for the embedded
// database (created if absent, with 0600 permissions) or a postgres:// URL.
// It checks that the database answers; it does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	d, driver, source, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if d.prepareFile != nil {
		if err := d.prepareFile(strings.TrimPrefix(dsn, "sqlite:")); err != nil {
			return nil, err
		}
	}
	sqldb, err := sql.Open(driver, source)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", d.name, err)
	}
	d.configurePool(sqldb)
	db := &DB{&store{db: sqldb, dialect: d, Clock: haven.SystemClock{}, verifyPassword: password.Verify}}
	if d.oneTx {
		db.txSlot = make(chan struct{}, 1)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqldb.PingContext(pingCtx); err != nil {
		sqldb.Close()
		return nil, &haven.Error{Kind: haven.Unavailable, Message: fmt.Sprintf("cannot reach the %s database: %s", d.name, reachError(err)), Err: err}
	}
	return db, nil
}

// Close deletes the data keys committed ahead of records never created
// (see keyPool), then closes the database and the key store.
func (db *DB) Close() error {
	// Keys committed ahead of records that were never created protect
	// nothing; failing to delete them is harmless.
	db.keyPool.release(db.keys)
	if db.keys != nil {
		db.keys.Close()
	}
	db.stmts.close()
	return db.db.Close()
}

// Engine names the database engine: "sqlite" or "postgres".
func (db *DB) Engine() string { return db.dialect.name }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.db.PingContext(ctx) }

// SQL returns the underlying handle, for tests and benchmarks that inspect
// stored rows.
func (db *DB) SQL() *sql.DB { return db.db }

func parseDSN(dsn string) (d dialect, driver, source string, err error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return d, "", "", haven.Errorf(haven.Invalid, "--db sqlite: needs a file path, as in sqlite:haven-data/haven.db")
		}
		return sqliteDialect, "sqlite", sqliteSource(path), nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		if _, err := url.Parse(dsn); err != nil {
			return d, "", "", haven.Errorf(haven.Invalid, "--db is not a valid PostgreSQL URL")
		}
		return postgresDialect, "pgx", dsn, nil
	}
	return d, "", "", haven.Errorf(haven.Invalid, "--db must be sqlite:PATH or a postgres:// URL")
}

// sqliteSource puts the pragmas in the DSN so that every pooled connection
// gets them: busy_timeout first (so the others wait rather than fail), WAL,
// foreign keys, and immediate transactions so that writers queue at BEGIN
// instead of failing at their first write.
func sqliteSource(path string) string {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// prepareSQLiteFile creates the database file with owner-only permissions
// before the driver does, so that it is never world-readable.
func prepareSQLiteFile(path string) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return haven.Errorf(haven.Invalid, "cannot create database directory %s: %v", dir, errors.Unwrap(err))
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return haven.Errorf(haven.Invalid, "cannot open database file %s: %v", path, errors.Unwrap(err))
	}
	return f.Close()
}

// newID returns a new UUIDv7: time-ordered, so that keys inserted in order
// stay local in B-trees, with 74 random bits.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// now returns the store clock's time, in UTC with microsecond precision (the
// precision both engines keep).
func (db *store) now() time.Time { return db.Clock.Now().UTC().Truncate(time.Microsecond) }

// reachError describes why a database did not answer, by error code and
// errno, without echoing the DSN (which may hold a password).
func reachError(err error) string {
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &pgErr) && (pgErr.Code == "28P01" || pgErr.Code == "28000"):
		return "authentication failed"
	case errors.As(err, &pgErr) && pgErr.Code == "3D000":
		return "the database does not exist"
	case errors.As(err, &pgErr):
		return "server error " + pgErr.Code
	}
	return "the server did not answer"
}
