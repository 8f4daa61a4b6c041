package sqlstore

import (
	"context"

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
