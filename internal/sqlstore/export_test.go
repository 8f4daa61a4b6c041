package sqlstore

import (
	"context"
	"fmt"

	"github.com/haven-care/haven"
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
