package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-care/haven/internal/auditlog"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// syncBuffer is a log destination the loop and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestIntegrateAuditLoop: serve's loop hashes new entries into the stored
// tree, reports a damaged log once however many ticks pass, and resumes
// when the gap is filled.
func TestIntegrateAuditLoop(t *testing.T) {
	dir, db := auditLoopStore(t)
	var logs syncBuffer
	runLoop(t, func(ctx context.Context) {
		integrateAuditLoop(ctx, db.AuditService, slog.New(slog.NewTextHandler(&logs, nil)), 5*time.Millisecond)
	})
	waitFor(t, func() bool { return treeSize(t, db) == 3 })

	addAuditedUsers(t, dir, 3, 3) // entries 3, 4 and 5
	waitFor(t, func() bool { return treeSize(t, db) == 6 })

	// Entries 6 and 8 arrive together; 7 is missing.
	if _, err := db.SQL().Exec(`INSERT INTO audit_entries (idx, at, actor_id, action, object_type, object_id, outcome, reason)
		VALUES (6, $1, 'u', 'user.create', 'user', 'x', 'success', ''), (8, $1, 'u', 'user.create', 'user', 'y', 'success', '')`, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return strings.Contains(logs.String(), "audit entry 7 is missing") })
	time.Sleep(50 * time.Millisecond) // ten more ticks
	if n := strings.Count(logs.String(), "audit integration failed"); n != 1 || treeSize(t, db) != 7 {
		t.Errorf("%d failures logged, tree size %d; want one, and the tree hashed up to the gap (7)", n, treeSize(t, db))
	}
	// The missing entry restored (from a backup, say): hashing resumes.
	if _, err := db.SQL().Exec(`INSERT INTO audit_entries (idx, at, actor_id, action, object_type, object_id, outcome, reason)
		VALUES (7, $1, 'u', 'user.create', 'user', 'z', 'success', '')`, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		return treeSize(t, db) == 9 && strings.Contains(logs.String(), "audit integration recovered")
	})
}

// TestCheckpointLoop: serve signs a checkpoint when the log has grown, and
// none while it has not.
func TestCheckpointLoop(t *testing.T) {
	ctx := context.Background()
	dir, db := auditLoopStore(t)
	signer, verifier, err := auditlog.LoadOrCreateSigner(dir)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	c := &checkpointer{audit: db.AuditService, signer: signer, logger: slog.New(slog.NewTextHandler(&logs, nil)), witnessed: -1}
	runLoop(t, func(ctx context.Context) { c.run(ctx, 5*time.Millisecond, 5*time.Millisecond) })
	checkpointSize := func() int64 {
		msg, err := db.LatestCheckpoint(ctx)
		if err != nil || msg == nil {
			return -1
		}
		cp, err := auditlog.Open(msg, verifier)
		if err != nil {
			t.Fatalf("stored checkpoint does not verify: %v", err)
		}
		return cp.Size
	}
	waitFor(t, func() bool { return checkpointSize() == 3 })
	time.Sleep(50 * time.Millisecond) // ten idle ticks
	var n int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_checkpoints`).Scan(&n)
	if n != 1 {
		t.Errorf("%d checkpoints after idle ticks, want 1", n)
	}
	addAuditedUsers(t, dir, 3, 2)
	waitFor(t, func() bool { return checkpointSize() == 5 })
	// The loop logs a signing just after storing it: wait for the line too.
	waitFor(t, func() bool { return strings.Count(logs.String(), "audit checkpoint signed") >= 2 })
}

// auditLoopStore returns a migrated data directory whose log holds three
// entries, and its store, closed when the test ends.
func auditLoopStore(t *testing.T) (string, *sqlstoretest.Store) {
	t.Helper()
	ctx := context.Background()
	dir := dataDir(t)
	if code, _, stderr := run(t, ctx, "", "migrate", "--data", dir); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	addAuditedUsers(t, dir, 0, 3)
	raw, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(dir, "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := sqlstoretest.NewStore(raw)
	t.Cleanup(func() { db.Close() })
	return dir, db
}

// runLoop runs loop in the background until the test ends, and waits for
// it to return (before the store closes: cleanups run last first).
func runLoop(t *testing.T, loop func(context.Context)) {
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		loop(ctx)
		close(done)
	}()
	t.Cleanup(func() { stop(); <-done })
}

func treeSize(t *testing.T, db *sqlstoretest.Store) int64 {
	t.Helper()
	var n int64
	if err := db.SQL().QueryRow(`SELECT size FROM audit_tree`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met within 10 s")
}
