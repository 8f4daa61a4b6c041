package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/haven-care/haven"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// migration is one forward-only schema change, numbered by its file name
// (NNNN_name.sql); both engines have files of the same names.
type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(engine string) ([]migration, error) {
	dir := path.Join("migrations", engine)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// SchemaStatus reports the schema version the database is at and the
// latest version this binary knows.
func (db *DB) SchemaStatus(ctx context.Context) (current, latest int, err error) {
	ms, err := loadMigrations(db.dialect.name)
	if err != nil {
		return 0, 0, err
	}
	current, err = schemaVersion(ctx, db.db)
	return current, len(ms), err
}

func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var exists int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+migrationsTableProbe).Scan(&exists); err != nil {
		return 0, nil // no migrations table yet: an empty database
	}
	var v sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

// migrationsTableProbe is a query target that fails when the table is absent.
const migrationsTableProbe = `schema_migrations WHERE 1=0`

// Migrate applies every pending migration in one transaction, so that a
// failure leaves the schema as it was. It refuses a database whose schema is
// newer than this binary. On PostgreSQL an advisory lock lets several
// instances start at once: the first migrates, the others wait and find
// nothing to do.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	ms, err := loadMigrations(db.dialect.name)
	if err != nil {
		return 0, err
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin migration: %w", err)
	}
	defer tx.Rollback()
	if err := db.dialect.lockMigrations(ctx, tx); err != nil {
		return 0, fmt.Errorf("lock migrations: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	current, err := schemaVersion(ctx, tx)
	if err != nil {
		return 0, err
	}
	if current > len(ms) {
		return 0, newerSchemaError(current, len(ms))
	}
	for _, m := range ms[current:] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return 0, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, db.now().Format("2006-01-02T15:04:05.000000Z")); err != nil {
			return 0, fmt.Errorf("record migration %s: %w", m.name, err)
		}
		applied++
	}
	moved, err := db.sealLegacyDialects(ctx, tx)
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	if moved > 0 {
		// The clear dialects linger in old row versions and free pages
		// until the engine rewrites them.
		for _, q := range db.dialect.purgeOldRows {
			if _, err := db.db.ExecContext(ctx, q); err != nil {
				return applied, fmt.Errorf("purge old row versions: %w", err)
			}
		}
	}
	return applied, nil
}

func newerSchemaError(current, latest int) error {
	return haven.Errorf(haven.Unavailable,
		"the database schema is at version %d, newer than this binary knows (%d): run a newer Haven", current, latest)
}

// Ready reports whether the database answers and its schema is current; it
// backs /readyz.
func (db *DB) Ready(ctx context.Context) error {
	current, latest, err := db.SchemaStatus(ctx)
	if err != nil {
		return &haven.Error{Kind: haven.Unavailable, Message: "database unreachable", Err: err}
	}
	if current != latest {
		return haven.Errorf(haven.Unavailable, "schema at version %d, binary expects %d", current, latest)
	}
	return nil
}

// CheckSchema fails if the database's schema is newer than this binary, the
// one state that Migrate must not touch.
func (db *DB) CheckSchema(ctx context.Context) error {
	current, latest, err := db.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	if current > latest {
		return newerSchemaError(current, latest)
	}
	return nil
}
