package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/password"
)

// AppendAuditForTest appends ev in a transaction of its own, as a store
// method that changes nothing else would.
func (db *DB) AppendAuditForTest(ctx context.Context, ev haven.AuditEvent) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.audit(ctx, ev) })
}

// AppendAuditEntryForTest appends e as it is given (its index aside), in a
// transaction of its own.
func (db *DB) AppendAuditEntryForTest(ctx context.Context, e haven.AuditEntry) error {
	return db.inTx(ctx, func(tx *Tx) error { return db.appendAudit(ctx, tx, e) })
}

// AppendAuditBatchForTest appends n entries in one transaction, to build a
// large log quickly.
func (db *DB) AppendAuditBatchForTest(ctx context.Context, n int) error {
	return db.inTx(ctx, func(tx *Tx) error {
		for i := range n {
			ev := haven.AuditEvent{Action: "survivor.read", ObjectType: "survivor", ObjectID: fmt.Sprintf("s-%d", i)}
			if err := tx.audit(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
}

// PlainTxForTest runs fn in a store transaction (with its statement cache)
// that writes no audit entry: the baseline of the write benchmarks. query
// reads every row a query returns and counts them.
func (db *DB) PlainTxForTest(ctx context.Context, fn func(exec func(query string, args ...any) error, query func(query string, args ...any) (int, error)) error) error {
	return db.inTx(ctx, func(tx *Tx) error {
		exec := func(query string, args ...any) error {
			_, err := tx.ExecContext(ctx, query, args...)
			return err
		}
		return fn(exec, func(query string, args ...any) (int, error) {
			rows, err := tx.QueryContext(ctx, query, args...)
			if err != nil {
				return 0, err
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				n++
			}
			return n, rows.Err()
		})
	})
}

// DuplicatesSQLForTest is the duplicate check CreateSurvivor makes, for the
// plaintext baseline to make the same one.
const DuplicatesSQLForTest = duplicatesSQL

// CountPasswordChecksForTest makes db count the passwords it checks, and
// returns the counter.
func (db *DB) CountPasswordChecksForTest() *atomic.Int64 {
	var n atomic.Int64
	verify := db.verifyPassword
	db.verifyPassword = func(ctx context.Context, pw, hash string, p password.Params) (bool, bool, error) {
		n.Add(1)
		return verify(ctx, pw, hash, p)
	}
	return &n
}

// AlignPasswordChecksForTest makes each password check, once done, wait
// until n checks are done (or a second has passed without a new one), so
// that concurrent sign-ins reach the steps after the password together.
func (db *DB) AlignPasswordChecksForTest(n int) {
	var mu sync.Mutex
	done, all := 0, make(chan struct{})
	verify := db.verifyPassword
	db.verifyPassword = func(ctx context.Context, pw, hash string, p password.Params) (bool, bool, error) {
		ok, rehash, err := verify(ctx, pw, hash, p)
		mu.Lock()
		if done++; done == n {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
		case <-time.After(time.Second):
		}
		return ok, rehash, err
	}
}
