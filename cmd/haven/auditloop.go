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
// ends. Failures are retried on the next tick and logged when they change
// (they name entry numbers, never personal data), so a damaged log is
// reported once, not every tick; recovery is logged too.
func integrateAuditLoop(ctx context.Context, db *sqlstore.DB, logger *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	last := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_, err := db.IntegrateAudit(ctx)
			if ctx.Err() != nil {
				return
			}
			switch {
			case err != nil && err.Error() != last:
				logger.Error("audit integration failed", "err", err)
				last = err.Error()
			case err == nil && last != "":
				logger.Info("audit integration recovered")
				last = ""
			}
		}
	}
}
