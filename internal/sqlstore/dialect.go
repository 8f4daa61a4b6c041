package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/mod/sumdb/tlog"
	"modernc.org/sqlite"
)

// dialect holds the few real differences between the engines; nothing else
// in the store checks which engine is in use (name picks the migrations
// folder and is reported by Engine).
type dialect struct {
	name string
	// prepareFile, if set, readies the database file at path before it is
	// opened.
	prepareFile func(path string) error
	// blobType is the column type of raw bytes.
	blobType string
	// cacheStatements says whether the store keeps prepared statements
	// itself (see stmtCache).
	cacheStatements bool
	// notifies says whether the engine can announce directory changes to
	// other instances (see notifyDirectory).
	notifies bool
	// uniqueViolation reports whether err is a unique-constraint violation.
	uniqueViolation func(error) bool
	// lockMigrations serialises schema changes between instances.
	lockMigrations func(ctx context.Context, tx *sql.Tx) error
	configurePool  func(*sql.DB)
	// oneTx says whether the store lets one transaction at a time into
	// the engine (see lockTx): SQLite has one write lock per file, and
	// connections queueing for it inside the engine wait on busy_timeout
	// while holding a pooled connection each.
	oneTx bool
	// insertAuditEntry appends an audit entry (see appendAudit) from its
	// time, actor, action, object type, object ID, outcome and reason,
	// numbering it next in the log.
	insertAuditEntry string
	// withAuditEntry, if set, returns query (an INSERT, UPDATE or DELETE
	// taking nargs arguments) with the audit append attached, so that the
	// change and its entry take one statement; the entry's seven arguments
	// follow the query's.
	withAuditEntry func(query string, nargs int) string
	// insertAuditHashes stores tree hashes at consecutive indexes.
	insertAuditHashes func(ctx context.Context, tx *Tx, first int64, hashes []tlog.Hash) error
	// purgeOldRows rewrites the survivors table so that values a
	// migration took out of the clear leave its old row versions and
	// free pages (and, on SQLite, the write-ahead log).
	purgeOldRows []string
	// month is the SQL of a timestamp column's UTC month as YYYY-MM, and
	// days the whole days from timestamp column a to b: the gap
	// analysis's period and time to first service.
	month func(col string) string
	days  func(a, b string) string
}

var sqliteDialect = dialect{
	name:        "sqlite",
	prepareFile: prepareSQLiteFile,
	blobType:    "BLOB",
	// Compiling a statement is a large part of a short one's cost.
	cacheStatements: true,
	// One instance serves a SQLite file; it polls the directory version.
	notifies: false,
	uniqueViolation: func(err error) bool {
		var e *sqlite.Error
		// 2067 is SQLITE_CONSTRAINT_UNIQUE, 1555 SQLITE_CONSTRAINT_PRIMARYKEY.
		return errors.As(err, &e) && (e.Code() == 2067 || e.Code() == 1555)
	},
	// SQLite's BEGIN IMMEDIATE (set by _txlock) already excludes other writers.
	lockMigrations: func(context.Context, *sql.Tx) error { return nil },
	oneTx:          true,
	configurePool: func(db *sql.DB) {
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
	},
	// The immediate transaction (_txlock) already excludes other writers,
	// so the next index is one past the highest; audit_head is a view of it.
	insertAuditEntry: `INSERT INTO audit_entries (idx, at, actor_id, action, object_type, object_id, outcome, reason)
		VALUES ((SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_entries), $1, $2, $3, $4, $5, $6, $7)`,
	insertAuditHashes: insertHashRows,
	purgeOldRows:      []string{`VACUUM`, `PRAGMA wal_checkpoint(TRUNCATE)`},
	// Times are stored as text that starts YYYY-MM-DD HH:MM:SS, in UTC.
	month: func(col string) string { return "substr(" + col + ", 1, 7)" },
	days: func(a, b string) string {
		return "CAST(julianday(substr(" + b + ", 1, 19)) - julianday(substr(" + a + ", 1, 19)) AS INTEGER)"
	},
}

// pgAppendAudit returns the WITH clause that appends an audit entry on
// PostgreSQL, its arguments numbered after n others: it advances the head
// row, which locks it until the transaction ends, so appenders on every
// instance take 0, 1, 2... in turn. PostgreSQL runs a data-modifying WITH
// whatever statement follows it.
func pgAppendAudit(n int) string {
	return fmt.Sprintf(`WITH audit_head_next AS (UPDATE audit_head SET size = size + 1 WHERE id = 1 RETURNING size - 1 AS idx),
		audit_entry AS (INSERT INTO audit_entries (idx, at, actor_id, action, object_type, object_id, outcome, reason)
		VALUES ((SELECT idx FROM audit_head_next), $%d, $%d, $%d, $%d, $%d, $%d, $%d))
		`, n+1, n+2, n+3, n+4, n+5, n+6, n+7)
}

// migrationLockKey is the PostgreSQL advisory lock that instances take while
// migrating, so that several can start at once.
const migrationLockKey = 0x6861_7665_6e // "haven"

var postgresDialect = dialect{
	name:     "postgres",
	blobType: "BYTEA",
	// pgx caches prepared statements per connection itself.
	cacheStatements: false,
	notifies:        true,
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
	purgeOldRows: []string{`VACUUM FULL survivors`},
	month: func(col string) string {
		return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM')"
	},
	days: func(a, b string) string {
		return "CAST(floor(EXTRACT(EPOCH FROM (" + b + " - " + a + ")) / 86400) AS INTEGER)"
	},
	// The append alone: its WITH clause in front of a statement that does
	// nothing else.
	insertAuditEntry: pgAppendAudit(0) + `SELECT 1`,
	// A data-modifying WITH runs in the statement it is attached to:
	// one round trip fewer for every audited change.
	withAuditEntry:    func(query string, n int) string { return pgAppendAudit(n) + query },
	insertAuditHashes: insertHashArrays,
}
