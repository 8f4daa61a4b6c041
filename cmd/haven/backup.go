package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/auditlog"
	"github.com/haven-care/haven/internal/sqlstore"
)

func init() {
	commands["backup"] = command{"copy a running SQLite instance's data and, elsewhere, its keys", runBackup}
	commands["restore"] = command{"restore a backup into a new data directory and check it", runRestore}
}

// The files of a backup: the data side holds the database and the
// checkpoint verifier key; the key side, which must be kept apart, holds
// the key store, the master key and the checkpoint signing key.
const (
	backupDataFile      = "haven.db"
	backupKeysFile      = "keys.db"
	backupMasterKeyFile = "master.key"
)

func runBackup(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "backup", "backup --to DIR --keys-to DIR [--data DIR] [--db DSN] [--keys-db DSN]\n\n"+
		"Copies the SQLite database to DIR/"+backupDataFile+" and the key store to KEYSDIR/"+backupKeysFile+" while serve keeps running\n"+
		"(each copy is one consistent snapshot), with the master key file (KEYSDIR/"+backupMasterKeyFile+") and the audit\n"+
		"checkpoint keys (the signing key with the keys, the verifier key with the data). The key side is refused\n"+
		"in or under the data side's directory, or the other way round: a copy of the data must never travel with\n"+
		"its keys. Existing files are never overwritten. PostgreSQL: use pg_dump (docs/operations.md).",
		"haven backup --data /var/lib/haven --to /mnt/backup/haven-2026-11-29 --keys-to /mnt/keyvault/haven-2026-11-29")
	var sf storeFlags
	var to, keysTo string
	sf.register(fs)
	fs.StringVar(&to, "to", "", "directory for the data backup (created 0700)")
	fs.StringVar(&keysTo, "keys-to", "", "directory for the key backup, apart from --to (created 0700)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if to == "" || keysTo == "" {
		return usageError{"backup: --to and --keys-to are both required"}
	}
	if err := apartDirs(to, keysTo, "--keys-to", "--to"); err != nil {
		return err
	}
	path, ok := strings.CutPrefix(sf.dsn(), "sqlite:")
	if !ok {
		return haven.Errorf(haven.Invalid, "haven backup copies SQLite databases; back up PostgreSQL with pg_dump (see docs/operations.md)")
	}
	if _, err := os.Stat(path); err != nil {
		return haven.Errorf(haven.Invalid, "no database to back up at %s (set --data or --db)", path)
	}
	db, err := sqlstore.Open(ctx, sf.dsn())
	if err != nil {
		return err
	}
	m.onClose(db.Close)
	if err := db.OpenKeyStore(ctx, sf.keysDSN()); err != nil {
		return err
	}
	for _, d := range []string{to, keysTo} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return haven.Errorf(haven.Invalid, "cannot create %s: %v", d, errors.Unwrap(err))
		}
	}
	if err := db.Backup(ctx, filepath.Join(to, backupDataFile), filepath.Join(keysTo, backupKeysFile)); err != nil {
		return err
	}
	if err := backupKeyFiles(m, &sf, to, keysTo); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "backed up the data to %s and the keys to %s; keep them in different places\n", to, keysTo)
	return nil
}

// backupKeyFiles copies the master key (when it is a file) and the audit
// checkpoint keys (when present) to their sides of the backup.
func backupKeyFiles(m *Main, sf *storeFlags, to, keysTo string) error {
	if os.Getenv("HAVEN_MASTER_KEY") != "" {
		fmt.Fprintln(m.Stderr, "the master key comes from HAVEN_MASTER_KEY and is not in the backup: keep a copy of it with the key backup")
	} else if err := copyNew(sf.masterKeyPath(), filepath.Join(keysTo, backupMasterKeyFile)); err != nil {
		return err
	}
	for _, f := range []struct{ name, dir string }{{auditlog.KeyFile, keysTo}, {auditlog.PubFile, to}} {
		err := copyNew(filepath.Join(sf.data, f.name), filepath.Join(f.dir, f.name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

func runRestore(m *Main, ctx context.Context, args []string) error {
	flags := newFlagSet(m, "restore", "restore --from DIR --keys-from DIR --data NEWDIR [--db sqlite:PATH] [--keys-db sqlite:PATH]\n\n"+
		"Copies a backup made by haven backup into a data directory that holds no database yet (nothing is\n"+
		"ever overwritten), then checks it: SQLite's integrity check on the database and the key store, and\n"+
		"the audit log's verification. Start serve on the new directory afterwards.",
		"haven restore --from /mnt/backup/haven-2026-11-29 --keys-from /mnt/keyvault/haven-2026-11-29 --data /var/lib/haven-restored")
	var sf storeFlags
	var from, keysFrom string
	sf.register(flags)
	flags.StringVar(&from, "from", "", "directory of the data backup")
	flags.StringVar(&keysFrom, "keys-from", "", "directory of the key backup")
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if from == "" || keysFrom == "" {
		return usageError{"restore: --from and --keys-from are both required"}
	}
	dataPath, okData := strings.CutPrefix(sf.dsn(), "sqlite:")
	keysPath, okKeys := strings.CutPrefix(sf.keysDSN(), "sqlite:")
	if !okData || !okKeys {
		return haven.Errorf(haven.Invalid, "haven restore restores SQLite backups; restore PostgreSQL with pg_restore (see docs/operations.md)")
	}
	if err := sf.ensureDataDir(); err != nil {
		return err
	}
	copies := []struct{ from, to string }{
		{filepath.Join(from, backupDataFile), dataPath},
		{filepath.Join(keysFrom, backupKeysFile), keysPath},
	}
	if os.Getenv("HAVEN_MASTER_KEY") == "" {
		copies = append(copies, struct{ from, to string }{filepath.Join(keysFrom, backupMasterKeyFile), sf.masterKeyPath()})
	}
	for _, c := range copies {
		if _, err := os.Stat(c.from); err != nil {
			return haven.Errorf(haven.Invalid, "%s is not in the backup: %v", c.from, errors.Unwrap(err))
		}
		if err := refuseExisting(c.to); err != nil {
			return err
		}
	}
	for _, c := range append(copies, struct{ from, to string }{filepath.Join(keysFrom, auditlog.KeyFile), filepath.Join(sf.data, auditlog.KeyFile)},
		struct{ from, to string }{filepath.Join(from, auditlog.PubFile), filepath.Join(sf.data, auditlog.PubFile)}) {
		if err := copyNew(c.from, c.to); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	msg, err := checkRestored(m, ctx, &sf)
	if err != nil {
		return fmt.Errorf("the restored copy in %s does not check out (it is left there to inspect): %w", sf.data, err)
	}
	fmt.Fprintf(m.Stdout, "restored into %s: integrity ok; %s\n", sf.data, msg)
	return nil
}

// checkRestored opens the restored store and checks both files and the
// audit log.
func checkRestored(m *Main, ctx context.Context, sf *storeFlags) (string, error) {
	db, err := m.openStore(ctx, sf, false)
	if err != nil {
		return "", err
	}
	if err := db.CheckIntegrity(ctx); err != nil {
		return "", err
	}
	v, err := loadAuditVerifier(sf.data, "")
	if err != nil {
		return "", err
	}
	return verifyAudit(ctx, db, v, nil)
}

// refuseExisting fails when path, or a write-ahead log of it, exists.
func refuseExisting(path string) error {
	for _, p := range []string{path, path + "-wal"} {
		if _, err := os.Stat(p); err == nil {
			return haven.Errorf(haven.Invalid, "%s already exists: restore into a new data directory, never over a database", p)
		}
	}
	return nil
}

// apartDirs refuses a key directory that is, or is inside, the data
// directory, or the other way round.
func apartDirs(data, keys, keysFlag, dataFlag string) error {
	a, err := filepath.Abs(data)
	if err != nil {
		return err
	}
	b, err := filepath.Abs(keys)
	if err != nil {
		return err
	}
	a, b = resolved(a), resolved(b)
	if a == b || strings.HasPrefix(b, a+string(filepath.Separator)) || strings.HasPrefix(a, b+string(filepath.Separator)) {
		return haven.Errorf(haven.Invalid, "%s must be apart from %s: a copy of the data must never be kept beside its keys", keysFlag, dataFlag)
	}
	return nil
}

// resolved is path with its symbolic links resolved as far as it exists.
func resolved(path string) string {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		return r
	}
	dir, base := filepath.Split(path)
	if dir == path || dir == "" {
		return path
	}
	return filepath.Join(resolved(filepath.Clean(dir)), base)
}

// copyNew copies the file at from to a new file to (created 0600, never
// overwriting) and syncs it.
func copyNew(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return haven.Errorf(haven.Invalid, "cannot create %s: %v", to, errors.Unwrap(err))
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
