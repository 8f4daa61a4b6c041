package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

	"github.com/haven-care/haven"
)

// errBackupPostgres says where a PostgreSQL deployment's backups come from.
var errBackupPostgres = haven.Errorf(haven.Invalid,
	"haven backup copies SQLite databases; back up PostgreSQL with pg_dump (see docs/operations.md, \"Backups and restore\")")

// Backup writes a consistent copy of the database to dataPath and of the
// key store to keysPath, while the store stays in use: each copy is one
// read snapshot (SQLite's VACUUM INTO), which blocks no writer. Both files
// must not exist yet; they are created owner-only and synced to disk. The
// two copies are taken one after the other, so the key store's copy may
// hold keys of records created after the data's copy (harmless: they
// protect nothing in it), and a record deleted in between keeps its key
// in the key store's copy only if it was deleted after that copy. It is
// SQLite only: PostgreSQL has pg_dump.
func (db *DB) Backup(ctx context.Context, dataPath, keysPath string) error {
	if db.dialect.name != "sqlite" {
		return errBackupPostgres
	}
	if db.keys == nil {
		return errNoKeys
	}
	if err := vacuumInto(ctx, db.db, dataPath); err != nil {
		return fmt.Errorf("back up the database: %w", err)
	}
	if err := vacuumInto(ctx, db.keys, keysPath); err != nil {
		return fmt.Errorf("back up the key store: %w", err)
	}
	return nil
}

// vacuumInto writes a copy of the database behind h to path, a file that
// must not exist, created 0600 (SQLite fills an empty file and keeps its
// mode), and syncs it.
func vacuumInto(ctx context.Context, h *sql.DB, path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return haven.Errorf(haven.Invalid, "%s already exists: a backup never overwrites a file", path)
	} else if err != nil {
		return haven.Errorf(haven.Invalid, "cannot create %s: %v", path, errors.Unwrap(err))
	}
	f.Close()
	if _, err := h.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		os.Remove(path)
		return err
	}
	return syncFile(path)
}

// syncFile flushes the file at path to disk.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// CheckIntegrity runs SQLite's integrity check on the database and the key
// store and returns an error naming the first problem it reports. On
// PostgreSQL, whose pages carry their own checks, it only pings both.
func (db *DB) CheckIntegrity(ctx context.Context) error {
	for name, h := range map[string]*sql.DB{"database": db.db, "key store": db.keys} {
		if h == nil {
			continue
		}
		if db.dialect.name != "sqlite" {
			if err := h.PingContext(ctx); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			continue
		}
		var got string
		if err := h.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&got); err != nil {
			return fmt.Errorf("%s integrity check: %w", name, err)
		}
		if got != "ok" {
			return haven.Errorf(haven.Invalid, "the %s fails SQLite's integrity check: %s", name, got)
		}
	}
	return nil
}
