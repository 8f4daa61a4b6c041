package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/haven-care/haven"
)

// How writers share the database without failing on lock contention.
//
// SQLite has one write lock per file. Left to the engine, every pooled
// connection that begins a write transaction waits for it inside SQLite,
// polling on busy_timeout while it holds its connection: under load a
// waiter can lose the race for ten seconds and fail with SQLITE_BUSY, and
// a transaction that needs a second connection (or the reads of other
// requests) finds the pool full of waiters. So the store lets one
// transaction at a time into SQLite (lockTx): transactions queue in Go, in
// order, holding no connection, and statements outside transactions keep
// the rest of the pool. Read-only transactions take the slot too: measured
// with 50 goroutines reading a record page, letting them run side by side
// on modernc's SQLite halved the pages served
// (BenchmarkRecordPageParallel).
//
// Reads of survivor data are audited, so each used to be a write
// transaction of its own. They now read in read-only transactions (which
// on PostgreSQL take no lock and run side by side) and hand their audit
// entries to recordReads, which commits the entries of every read waiting
// at that moment in one transaction (group commit) and answers each reader
// only once its entries are durable. The entries join the hash-chained
// log through the same append as every other entry.

// errReadOnlyAudit is a store bug: a change audited in a read-only
// transaction.
var errReadOnlyAudit = errors.New("audit entry of a change in a read-only transaction")

// lockTx takes the store's one transaction slot on SQLite, waiting in
// turn (Go's channel queue is first come, first served) or until ctx ends,
// and returns its release. On PostgreSQL it takes nothing: row locks order
// the writers there, and several instances write at once.
func (db *store) lockTx(ctx context.Context) (unlock func(), err error) {
	if db.txSlot == nil {
		return func() {}, nil
	}
	select {
	case db.txSlot <- struct{}{}:
		return func() { <-db.txSlot }, nil
	case <-ctx.Done():
		return nil, &haven.Error{Kind: haven.Unavailable, Message: "The database is busy; try again.", Err: fmt.Errorf("wait to write: %w", ctx.Err())}
	}
}

// execWrite runs one statement that changes data outside a transaction,
// in the transaction slot (lockTx).
func (db *store) execWrite(ctx context.Context, query string, args ...any) (sql.Result, error) {
	unlock, err := db.lockTx(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return db.db.ExecContext(ctx, query, args...)
}

// readGroup gathers the audit entries of reads waiting to be committed.
type readGroup struct {
	mu      sync.Mutex
	waiting []*readWait
	// leading says that a commit is under way; the entries that arrive
	// meanwhile wait for the next one.
	leading bool
}

// readWait is one reader's entries and where it hears how their commit
// went.
type readWait struct {
	entries []haven.AuditEntry
	done    chan error
}

// readCommitTimeout bounds one group commit, so that a stuck database
// fails the waiting reads rather than holding them for ever.
const readCommitTimeout = 30 * time.Second

// recordReads appends entries to the audit log and returns once they are
// committed, or with the error that kept them out. If no commit is under
// way the caller commits its entries itself, with those of every reader
// waiting by then; otherwise they go into the next commit, which begins
// as soon as the one under way ends. Each entry keeps its own time and
// actor.
func (db *store) recordReads(entries []haven.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	w := &readWait{entries: entries, done: make(chan error, 1)}
	g := &db.reads
	g.mu.Lock()
	g.waiting = append(g.waiting, w)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if lead {
		db.commitReads()
	}
	return <-w.done
}

// commitReads commits the waiting entries in one transaction and tells
// their readers; if more arrived meanwhile, a new goroutine commits them,
// so that the leader's reader is answered now.
func (db *store) commitReads() {
	g := &db.reads
	g.mu.Lock()
	batch := g.waiting
	g.waiting = nil
	g.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), readCommitTimeout)
	err := db.inTx(ctx, func(tx *Tx) error {
		for _, w := range batch {
			for _, e := range w.entries {
				if err := db.appendAudit(ctx, tx, e); err != nil {
					return err
				}
			}
		}
		return nil
	})
	cancel()
	for _, w := range batch {
		w.done <- err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.waiting) == 0 {
		g.leading = false
		return
	}
	go db.commitReads()
}
