package demo_test

import (
	"context"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/demo"
	"github.com/haven-care/haven/internal/password"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

func init() { sqlstore.PasswordParams = password.Params{MemoryKiB: 64, Time: 1, Threads: 1} }

// TestLoadRunsAsTheDemoJob: serve --demo loads as the demo system job; a
// bare context may create no account.
func TestLoadRunsAsTheDemoJob(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		if _, err := demo.Load(context.Background(), demo.Store{Users: db, Survivors: db}); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("Load without a system job: err=%v, want Unauthenticated", err)
		}
		loaded, err := demo.Load(haven.WithSystem(context.Background(), access.JobDemo), demo.Store{Users: db, Survivors: db})
		if err != nil || !loaded {
			t.Fatalf("Load as %s: loaded=%v err=%v", access.JobDemo, loaded, err)
		}
		if n, _ := db.CountUsers(context.Background()); n != len(demo.Users) {
			t.Errorf("%d users, want %d", n, len(demo.Users))
		}
	})
}
