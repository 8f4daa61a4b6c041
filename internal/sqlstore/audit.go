package sqlstore

import (
	"context"
	"fmt"

	"github.com/haven-care/haven"
)

// appendAudit writes entry as the next entry of the log.
func (db *DB) appendAudit(ctx context.Context, tx *Tx, e haven.AuditEntry) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_entries (at, actor_id, action, object_type, object_id, outcome, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.Time, e.ActorID, e.Action, e.ObjectType, e.ObjectID, e.Outcome, e.Reason)
	if err != nil {
		return fmt.Errorf("append audit entry: %w", err)
	}
	return nil
}

// AuditSize returns the number of audit entries.
func (db *DB) AuditSize(ctx context.Context) (int64, error) {
	var n int64
	err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_entries`).Scan(&n)
	return n, err
}
