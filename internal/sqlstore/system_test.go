package sqlstore_test

import (
	"context"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// importing, exporting and userAdd run ctx as the command line's system
// jobs; tests use them where the command line would.
func importing(ctx context.Context) context.Context {
	return haven.WithSystem(ctx, access.JobImportHSDS)
}

func exporting(ctx context.Context) context.Context {
	return haven.WithSystem(ctx, access.JobExportHSDS)
}

func importingInstruments(ctx context.Context) context.Context {
	return haven.WithSystem(ctx, access.JobImportInstruments)
}

func userAdd(ctx context.Context) context.Context { return haven.WithSystem(ctx, access.JobUserAdd) }

// adminCtx creates an administrator named name and returns a context in
// which they act.
func adminCtx(t *testing.T, db *sqlstoretest.Store, name string) context.Context {
	t.Helper()
	return actorCtx(mustUser(t, db, name, haven.RoleAdmin))
}
