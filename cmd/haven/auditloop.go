package main

import (
	"context"
	"log/slog"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/auditlog"
	"github.com/haven-care/haven/internal/sqlstore"
)

// auditIntegrateEvery is how often serve hashes newly appended audit
// entries into the stored Merkle tree. Appends write only the entry, in the
// transaction of the change they record; until this loop (or a checkpoint,
// proof or verify) runs, the newest entries are hashed only in memory by
// whoever reads the log.
const auditIntegrateEvery = 2 * time.Second

// integrateAuditLoop keeps the audit log's stored tree current until ctx
// ends.
func integrateAuditLoop(ctx context.Context, audit *sqlstore.AuditService, logger *slog.Logger, every time.Duration) {
	repeatEvery(ctx, every, logger, "audit integration", func(ctx context.Context) error {
		_, err := audit.IntegrateAudit(ctx)
		return err
	})
}

// checkpointLoop signs an audit checkpoint every interval in which the log
// grew, until ctx ends, and logs each one's size (never its entries).
// Copies still belong elsewhere: whoever can write to the database can
// delete the stored ones.
func checkpointLoop(ctx context.Context, db *sqlstore.AuditService, signer note.Signer, logger *slog.Logger, every time.Duration) {
	repeatEvery(ctx, every, logger, "audit checkpoint", func(ctx context.Context) error {
		return signIfGrown(ctx, db, signer, logger)
	})
}

// repeatEvery runs job every interval until ctx ends. Failures are retried
// on the next tick and logged when they change (the audit jobs' errors name
// entry numbers, never personal data), so a damaged log is reported once,
// not every tick; recovery is logged too.
func repeatEvery(ctx context.Context, every time.Duration, logger *slog.Logger, name string, job func(context.Context) error) {
	t := time.NewTicker(every)
	defer t.Stop()
	last := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			err := job(ctx)
			if ctx.Err() != nil {
				return
			}
			switch {
			case err != nil && err.Error() != last:
				logger.Error(name+" failed", "err", err)
				last = err.Error()
			case err == nil && last != "":
				logger.Info(name + " recovered")
				last = ""
			}
		}
	}
}

// signIfGrown signs a checkpoint unless the latest stored one already
// covers the whole log.
func signIfGrown(ctx context.Context, db *sqlstore.AuditService, signer note.Signer, logger *slog.Logger) error {
	size, err := db.AuditSize(ctx)
	if err != nil {
		return err
	}
	if latest, err := db.LatestCheckpoint(ctx); err != nil {
		return err
	} else if latest != nil {
		if cp, err := auditlog.ParseCheckpoint(latest); err == nil && cp.Size >= size {
			return nil
		}
	}
	msg, err := db.SignCheckpoint(ctx, signer)
	if err != nil {
		return err
	}
	cp, err := auditlog.ParseCheckpoint(msg)
	if err != nil {
		return err
	}
	logger.Info("audit checkpoint signed", "size", cp.Size)
	return nil
}

// referralReminderEvery is how often serve looks for referrals left
// waiting. Every instance looks; each referral is claimed by one.
const referralReminderEvery = 10 * time.Minute

// referralReminderLoop raises a follow-up task, due today in the clinic's
// zone, for the sender of each referral left waiting longer than after.
func referralReminderLoop(ctx context.Context, referrals *sqlstore.ReferralService, logger *slog.Logger, after time.Duration, zone *time.Location) {
	ctx = haven.WithSystem(ctx, access.JobReferralReminders)
	repeatEvery(ctx, referralReminderEvery, logger, "referral reminders", func(ctx context.Context) error {
		n, err := referrals.RemindWaitingReferrals(ctx, after, time.Now().In(zone).Format(time.DateOnly))
		if n > 0 {
			logger.Info("referral reminders raised", "count", n)
		}
		return err
	})
}
