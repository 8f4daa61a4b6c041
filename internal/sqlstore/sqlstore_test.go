package sqlstore_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/password"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

func init() { sqlstore.PasswordParams = password.Params{MemoryKiB: 64, Time: 1, Threads: 1} }

// fixedClock is a controllable clock for tests.
type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

func TestMigrationNamesMatchAcrossEngines(t *testing.T) {
	names := func(engine string) []string {
		entries, err := os.ReadDir(filepath.Join("migrations", engine))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	if diff := cmp.Diff(names("sqlite"), names("postgres")); diff != "" {
		t.Errorf("migration file names differ (-sqlite +postgres):\n%s", diff)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		n, err := db.Migrate(ctx)
		if err != nil || n != 0 {
			t.Errorf("second Migrate=%d,%v, want 0,nil", n, err)
		}
		if err := db.Ready(ctx); err != nil {
			t.Errorf("Ready=%v", err)
		}
	})
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		cur, _, _ := db.SchemaStatus(ctx)
		if _, err := db.SQL().Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'future.sql', 'x')`, cur+1); err != nil {
			t.Fatal(err)
		}
		_, err := db.Migrate(ctx)
		if haven.ErrorKind(err) != haven.Unavailable {
			t.Fatalf("Migrate err=%v, want Unavailable", err)
		}
		if err := db.CheckSchema(ctx); err == nil {
			t.Error("CheckSchema=nil on a newer schema")
		}
		if err := db.Ready(ctx); err == nil {
			t.Error("Ready=nil on a newer schema")
		}
		after, _, _ := db.SchemaStatus(ctx)
		if after != cur+1 {
			t.Errorf("schema version=%d after refused migrate, want %d (unchanged)", after, cur+1)
		}
	})
}

func TestOpenRejectsBadDSN(t *testing.T) {
	for _, dsn := range []string{"", "mysql://x", "sqlite:"} {
		if _, err := sqlstore.Open(context.Background(), dsn); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("Open(%q) err=%v, want Invalid", dsn, err)
		}
	}
}

func TestOpenUnreachablePostgres(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_, err := sqlstore.Open(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if haven.ErrorKind(err) != haven.Unavailable {
		t.Errorf("Open err=%v, want Unavailable", err)
	}
}

func TestSQLiteFilePermissions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "haven.db")
	db, err := sqlstore.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700 | os.ModeDir} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode(); got != want {
			t.Errorf("mode(%s)=%v, want %v", p, got, want)
		}
	}
}

func TestCreateUser(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		clock := &fixedClock{time.Date(2026, 3, 1, 12, 30, 0, 123456000, time.UTC)}
		db.DB.Clock = clock
		u, err := db.CreateUser(userAdd(ctx), haven.NewUser{Username: "ada.admin", DisplayName: "Ada", Role: haven.RoleAdmin, Password: "a long pass phrase"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.FindUserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(u, got); diff != "" {
			t.Errorf("FindUserByID mismatch (-want +got):\n%s", diff)
		}
		_, err = db.CreateUser(userAdd(ctx), haven.NewUser{Username: "ADA.admin", Role: haven.RoleAdmin, Password: "another long phrase"})
		if haven.ErrorFields(err)["username"] == "" {
			t.Errorf("duplicate username err=%v, want a username field error", err)
		}
		if n, _ := db.CountUsers(ctx); n != 1 {
			t.Errorf("CountUsers=%d, want 1", n)
		}
		if n, _ := db.AuditSize(ctx); n != 1 {
			t.Errorf("AuditSize=%d, want 1 (one entry per change)", n)
		}
		if _, err := db.FindUserByID(ctx, "nope"); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("FindUserByID(missing) err=%v, want NotFound", err)
		}
	})
}
