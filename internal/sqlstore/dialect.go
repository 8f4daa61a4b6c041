package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// dialect holds the few real differences between the engines; nothing else
// in the store checks which driver is in use.
type dialect struct {
	name string
	// uniqueViolation reports whether err is a unique-constraint violation.
	uniqueViolation func(error) bool
	// lockMigrations serialises schema changes between instances.
	lockMigrations func(ctx context.Context, tx *sql.Tx) error
	configurePool  func(*sql.DB)
}

var sqliteDialect = dialect{
	name: "sqlite",
	uniqueViolation: func(err error) bool {
		var e *sqlite.Error
		// 2067 is SQLITE_CONSTRAINT_UNIQUE, 1555 SQLITE_CONSTRAINT_PRIMARYKEY.
		return errors.As(err, &e) && (e.Code() == 2067 || e.Code() == 1555)
	},
	// SQLite's BEGIN IMMEDIATE (set by _txlock) already excludes other writers.
	lockMigrations: func(context.Context, *sql.Tx) error { return nil },
	configurePool: func(db *sql.DB) {
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
	},
}

// migrationLockKey is the PostgreSQL advisory lock that instances take while
// migrating, so that several can start at once.
const migrationLockKey = 0x6861_7665_6e // "haven"

var postgresDialect = dialect{
	name: "postgres",
	uniqueViolation: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23505"
	},
	lockMigrations: func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey)
		return err
	},
	configurePool: func(db *sql.DB) {
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(10)
	},
}
