package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// createSurvivors creates n records through the API of the serve at base
// and returns their IDs.
func createSurvivors(t *testing.T, base, token string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		body := fmt.Sprintf(`{"name": "Synthetic Backup %d", "date_of_birth": "1991-02-03", "languages": [], "safe_contact": {"channels": []}}`, i)
		code, got := apiCall(base, token, "POST", "/api/v1/survivors", body)
		id := createdID(got)
		if code != http.StatusCreated || id == "" {
			t.Fatalf("create: status %d %s", code, got)
		}
		ids = append(ids, id)
	}
	return ids
}

// checkRecords starts serve on store and reads every record of ids back.
func checkRecords(t *testing.T, store []string, token string, ids []string) {
	t.Helper()
	srv := startChild(t, store)
	defer srv.stop(t)
	for _, id := range ids {
		if code, got := apiCall(srv.url, token, "GET", "/api/v1/survivors/"+id, ""); code != http.StatusOK || !strings.Contains(got, id) {
			t.Errorf("record %s after the restore: status %d %s", id, code, got)
		}
	}
}

// TestBackupRestoreDrill backs up a running SQLite instance while clients
// write to it, restores the backup into a new data directory, starts serve
// there and reads every record made before the backup; the audit log of
// the copy verifies.
func TestBackupRestoreDrill(t *testing.T) {
	ctx := context.Background()
	dir := dataDir(t)
	store := []string{"--data", dir}
	token := crashToken(t, store)
	srv := startChild(t, store)
	before := createSurvivors(t, srv.url, token, 20)

	var wg sync.WaitGroup
	done := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				body := `{"name": "Synthetic During Backup", "date_of_birth": "1991-02-03", "languages": [], "safe_contact": {"channels": []}}`
				if code, got := apiCall(srv.url, token, "POST", "/api/v1/survivors", body); code != http.StatusCreated {
					t.Errorf("create during the backup: status %d %s", code, got)
				}
			}
		})
	}
	out := t.TempDir()
	to, keysTo := filepath.Join(out, "data-copy"), filepath.Join(out, "vault", "keys-copy")
	for _, bad := range []struct{ to, keysTo, err string }{
		{to, to, "--keys-to must be apart from --to"},
		{to, filepath.Join(to, "keys"), "--keys-to must be apart from --to"},
		{filepath.Join(keysTo, "data"), keysTo, "--keys-to must be apart from --to"},
	} {
		code, _, errOut := run(t, ctx, "", "backup", "--data", dir, "--to", bad.to, "--keys-to", bad.keysTo)
		if code != 1 || !strings.Contains(errOut, bad.err) {
			t.Errorf("backup --to %s --keys-to %s: code=%d err=%q, want 1 with %q", bad.to, bad.keysTo, code, errOut, bad.err)
		}
		if _, err := os.Stat(bad.to); !os.IsNotExist(err) {
			t.Errorf("a refused backup created %s", bad.to)
		}
	}
	nowhere := filepath.Join(out, "no-data")
	if code, _, errOut := run(t, ctx, "", "backup", "--data", nowhere, "--to", to, "--keys-to", keysTo); code != 1 || !strings.Contains(errOut, "no database to back up") {
		t.Errorf("backup of a missing database: code=%d err=%q", code, errOut)
	}
	if _, err := os.Stat(nowhere); !os.IsNotExist(err) {
		t.Errorf("a refused backup created %s", nowhere)
	}
	code, stdout, errOut := run(t, ctx, "", "backup", "--data", dir, "--to", to, "--keys-to", keysTo)
	close(done)
	wg.Wait()
	srv.stop(t)
	if code != 0 {
		t.Fatalf("backup: code=%d out=%q err=%q", code, stdout, errOut)
	}
	for _, f := range []string{filepath.Join(to, "haven.db"), filepath.Join(keysTo, "keys.db"), filepath.Join(keysTo, "master.key")} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, want a file of mode 0600", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(to, "keys.db")); !os.IsNotExist(err) {
		t.Error("the data backup holds the key store")
	}
	if code, _, errOut := run(t, ctx, "", "backup", "--data", dir, "--to", to, "--keys-to", keysTo); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Errorf("backup over a backup: code=%d err=%q, want a refusal", code, errOut)
	}

	restored := dataDir(t)
	code, stdout, errOut = run(t, ctx, "", "restore", "--from", to, "--keys-from", keysTo, "--data", restored)
	if code != 0 || !strings.Contains(stdout, "integrity ok") {
		t.Fatalf("restore: code=%d out=%q err=%q", code, stdout, errOut)
	}
	if code, _, errOut := run(t, ctx, "", "restore", "--from", to, "--keys-from", keysTo, "--data", restored); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Errorf("restore over a database: code=%d err=%q, want a refusal", code, errOut)
	}
	checkRecords(t, []string{"--data", restored}, token, before)
	if code, out, errOut := run(t, ctx, "", "audit", "verify", "--data", restored); code != 0 {
		t.Errorf("audit verify of the restored copy: code=%d out=%q err=%q", code, out, errOut)
	}
}

// TestPostgresBackupWithPgDump follows docs/operations.md: pg_dump the
// data and the key store (two schemas, as two files) of a running
// instance, pg_restore both into a new database, start serve on it and
// read every record back; the audit log verifies.
func TestPostgresBackupWithPgDump(t *testing.T) {
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	ctx := context.Background()
	dataDSN, keysDSN := sqlstoretest.DSN(t, "postgres"), sqlstoretest.DSN(t, "postgres")
	dir := dataDir(t)
	store := []string{"--data", dir, "--db", dataDSN, "--keys-db", keysDSN}
	token := crashToken(t, store)
	srv := startChild(t, store)
	ids := createSurvivors(t, srv.url, token, 20)
	out := t.TempDir()
	base := sqlstoretest.PostgresDSN()
	for _, d := range []struct{ dsn, file string }{{dataDSN, "haven.dump"}, {keysDSN, "keys.dump"}} {
		pgTool(t, "pg_dump", "--format=custom", "--schema="+searchPath(t, d.dsn), "--file="+filepath.Join(out, d.file), "--dbname="+base)
	}
	createSurvivors(t, srv.url, token, 3) // after the dump: not in the copy
	srv.stop(t)

	newDB := freshDatabase(t, base)
	for _, f := range []string{"haven.dump", "keys.dump"} {
		pgTool(t, "pg_restore", "--exit-on-error", "--no-owner", "--dbname="+newDB, filepath.Join(out, f))
	}
	restored := []string{"--data", dir, "--db", withDatabase(t, dataDSN, newDB), "--keys-db", withDatabase(t, keysDSN, newDB)}
	checkRecords(t, restored, token, ids)
	if code, out, errOut := run(t, ctx, "", append([]string{"audit", "verify"}, restored...)...); code != 0 {
		t.Errorf("audit verify of the restored copy: code=%d out=%q err=%q", code, out, errOut)
	}
	if code, _, errOut := run(t, ctx, "", "backup", "--db", dataDSN, "--data", dir, "--to", filepath.Join(out, "a"), "--keys-to", filepath.Join(out, "b")); code != 1 || !strings.Contains(errOut, "pg_dump") {
		t.Errorf("haven backup on PostgreSQL: code=%d err=%q, want a pointer to pg_dump", code, errOut)
	}
}

// pgTool runs a PostgreSQL client tool and fails the test on an error.
func pgTool(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// searchPath is the schema a test DSN names.
func searchPath(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || u.Query().Get("search_path") == "" {
		t.Fatalf("no search_path in the test DSN")
	}
	return u.Query().Get("search_path")
}

// freshDatabase creates a database of the test's own on the server at base
// and returns its URL; it is dropped when the test ends.
func freshDatabase(t *testing.T, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("haven_restore_%d", os.Getpid())
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`)
		admin.Close()
	})
	return withDatabase(t, base, name)
}

// withDatabase is dsn naming the database of target (a URL or a name)
// instead of its own.
func withDatabase(t *testing.T, dsn, target string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if tu, err := url.Parse(target); err == nil && tu.Scheme != "" {
		target = strings.TrimPrefix(tu.Path, "/")
	}
	u.Path = "/" + target
	return u.String()
}
