package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// addAuditedUsers creates users from first to first+n-1 in the data
// directory's store, one audit entry each.
func addAuditedUsers(t *testing.T, dir string, first, n int) {
	t.Helper()
	raw, err := sqlstore.Open(context.Background(), "sqlite:"+filepath.Join(dir, "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := sqlstoretest.NewStore(raw)
	defer db.Close()
	addUsers(t, db, first, n)
}

func TestAuditCheckpointThenVerify(t *testing.T) {
	ctx := context.Background()
	dir := dataDir(t)
	if code, _, stderr := run(t, ctx, "", "migrate", "--data", dir); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	addAuditedUsers(t, dir, 0, 3)
	code, cp, stderr := run(t, ctx, "", "audit", "checkpoint", "--data", dir)
	if code != 0 || !strings.HasPrefix(cp, "haven.audit/") || !strings.Contains(cp, "\n3\n") {
		t.Fatalf("audit checkpoint: code=%d stdout=%q stderr=%q, want a signed checkpoint of 3 entries", code, cp, stderr)
	}
	cpFile := filepath.Join(t.TempDir(), "checkpoint.txt")
	os.WriteFile(cpFile, []byte(cp), 0o600)
	addAuditedUsers(t, dir, 3, 2)
	code, out, stderr := run(t, ctx, "", "audit", "verify", "--data", dir, "--checkpoint", cpFile)
	if code != 0 || !strings.HasPrefix(out, "audit log OK: 5 entries, root ") {
		t.Errorf("audit verify: code=%d stdout=%q stderr=%q, want OK with 5 entries", code, out, stderr)
	}
	raw, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(dir, "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := sqlstoretest.NewStore(raw)
	db.SQL().Exec(`UPDATE audit_entries SET actor_id = 'someone' WHERE idx = 1`)
	db.Close()
	code, _, stderr = run(t, ctx, "", "audit", "verify", "--data", dir)
	if code != 1 || !strings.Contains(stderr, "first bad entry 1") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("audit verify after tampering: code=%d stderr=%q, want 1 and one line naming entry 1", code, stderr)
	}
	code, _, stderr = run(t, ctx, "", "audit", "checkpoint", "--data", dir)
	if code != 1 || !strings.Contains(stderr, "first bad entry 1") {
		t.Errorf("audit checkpoint after tampering: code=%d stderr=%q, want a refusal naming entry 1", code, stderr)
	}
}

func TestAuditUsage(t *testing.T) {
	for _, args := range [][]string{{"audit"}, {"audit", "sign"}} {
		if code, _, stderr := run(t, context.Background(), "", args...); code != 2 || !strings.Contains(stderr, "haven audit verify") {
			t.Errorf("%v: code=%d stderr=%q, want usage error 2", args, code, stderr)
		}
	}
}
