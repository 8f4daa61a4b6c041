package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/haven-care/haven/internal/sqlstore"
)

// auditIntegrateEvery is how often serve hashes newly appended audit
// entries into the stored Merkle tree. Appends write only the entry, in the
// transaction of the change they record; until this loop (or a checkpoint,
// proof or verify) runs, the newest entries are hashed only in memory by
// whoever reads the log.
const auditIntegrateEvery = 2 * time.Second

// integrateAuditLoop keeps the audit log's stored tree current until ctx
// ends. Failures are logged (they name entry numbers, never personal data)
// and retried on the next tick.
func integrateAuditLoop(ctx context.Context, db *sqlstore.DB, logger *slog.Logger) {
	t := time.NewTicker(auditIntegrateEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := db.IntegrateAudit(ctx); err != nil && ctx.Err() == nil {
				logger.Error("audit integration failed", "err", err)
			}
		}
	}
}
